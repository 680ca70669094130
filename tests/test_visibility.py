"""Each role against each other locality: the one scope serves lists and the single-ticket loader."""
import pytest

from tracker.enums import Role
from tracker.permissions import visible_tickets


@pytest.fixture
def tickets(make_user, make_ticket, hoan_kiem, ba_dinh, hanoi, ben_thanh):
    """One ticket in each of: Hoàn Kiếm, its sibling Ba Đình, the province Hà Nội, Bến Thành (another province)."""
    return {
        "hoan_kiem": make_ticket(make_user(Role.COMMUNE, hoan_kiem), title="Vé Hoàn Kiếm"),
        "ba_dinh": make_ticket(make_user(Role.COMMUNE, ba_dinh), title="Vé Ba Đình"),
        "hanoi": make_ticket(make_user(Role.PROVINCE, hanoi), title="Vé Hà Nội"),
        "ben_thanh": make_ticket(make_user(Role.COMMUNE, ben_thanh), title="Vé Bến Thành"),
    }


def _user_for(case, make_user, hoan_kiem, hanoi, hcm, unit):
    return {
        "commune": lambda: make_user(Role.COMMUNE, hoan_kiem),
        "province": lambda: make_user(Role.PROVINCE, hanoi),
        "other_province": lambda: make_user(Role.PROVINCE, hcm),
        "triage": lambda: make_user(Role.TRIAGE),
        "specialist": lambda: make_user(Role.SPECIALIST, unit=unit),
        "lead": lambda: make_user(Role.LEAD),
        "admin": lambda: make_user(Role.ADMIN),
    }[case]()


EXPECTED = {
    "commune": {"hoan_kiem"},
    "province": {"hoan_kiem", "ba_dinh", "hanoi"},
    "other_province": {"ben_thanh"},
    "triage": {"hoan_kiem", "ba_dinh", "hanoi", "ben_thanh"},
    "specialist": {"hoan_kiem", "ba_dinh", "hanoi", "ben_thanh"},
    "lead": {"hoan_kiem", "ba_dinh", "hanoi", "ben_thanh"},
    "admin": {"hoan_kiem", "ba_dinh", "hanoi", "ben_thanh"},
}


@pytest.mark.parametrize("case", EXPECTED)
def test_each_role_sees_exactly_its_tickets(case, tickets, client, login, db, make_user, hoan_kiem, hanoi,
                                            hcm, unit):
    user = _user_for(case, make_user, hoan_kiem, hanoi, hcm, unit)
    visible = {t.reference for t in db.session.scalars(visible_tickets(user))}
    assert visible == {tickets[name].reference for name in EXPECTED[case]}

    login(user)
    listing = client.get("/tickets").get_data(as_text=True)
    for name, ticket in tickets.items():
        page = client.get(f"/tickets/{ticket.reference}")
        if name in EXPECTED[case]:
            assert page.status_code == 200
            assert ticket.title in listing
        else:
            assert page.status_code == 404
            assert ticket.title not in listing
            assert client.post(f"/tickets/{ticket.reference}/messages", data={"body": "x"}).status_code == 404


def test_commune_cannot_see_sibling_commune(tickets, client, login, make_user, hoan_kiem):
    login(make_user(Role.COMMUNE, hoan_kiem))
    assert client.get(f"/tickets/{tickets['ba_dinh'].reference}").status_code == 404


def test_unknown_reference_is_404(client, login, commune_officer):
    login(commune_officer)
    assert client.get("/tickets/PUN-2026-999999").status_code == 404


def test_anonymous_is_sent_to_login(client, tickets):
    response = client.get(f"/tickets/{tickets['hoan_kiem'].reference}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_provinces_list_pages_its_own_and_followed_obstacles_as_one_list(db, make_user, make_ticket, triage_user,
                                                                          province_coordinator, hoan_kiem, ben_thanh):
    """A province sees its own obstacles and the main ones its own were merged into: the list reads the two
    parts apart (each walks its own index: permissions.scope_parts) and pages them as one, newest first."""
    from tracker import workflow
    from tracker.models import Ticket
    from tracker.permissions import scope_parts
    from tracker.queries import TicketFilters, ticket_list

    own_officer, far_officer = make_user(Role.COMMUNE, hoan_kiem), make_user(Role.COMMUNE, ben_thanh)
    for n in range(3):
        make_ticket(own_officer, title=f"Vướng mắc riêng {n}")
        main = make_ticket(far_officer, title=f"Vướng mắc chung {n}")
        copy = make_ticket(own_officer, title=f"Vướng mắc trùng {n}")
        workflow.mark_duplicate(triage_user, copy, version=copy.version, main=main)
    make_ticket(far_officer, title="Vướng mắc không theo dõi")
    db.session.commit()

    scope = visible_tickets(province_coordinator)
    own, followed = (set(db.session.scalars(part)) for part in scope_parts(scope))
    assert len(own) == 6 and {t.title for t in followed} == {f"Vướng mắc chung {n}" for n in range(3)}
    expected = [t.reference for t in db.session.scalars(scope.order_by(Ticket.created_at.desc(), Ticket.id.desc()))]
    assert len(expected) == 9

    listed = []
    for page in range(1, 6):
        listing = ticket_list(province_coordinator, TicketFilters(), page, per_page=2)
        assert listing.total == 9 and listing.tabs[None] == 9 and listing.tabs["duplicate"] == 3
        listed += [t.reference for t in listing.items]
    assert listed == expected
    new = ticket_list(province_coordinator, TicketFilters(status="new"), 1, per_page=25)
    assert {t.title for t in new.items} == {f"Vướng mắc {kind} {n}" for kind in ("riêng", "chung") for n in range(3)}
    assert new.total == 6 and new.tabs["new"] == 6 and new.tabs[None] == 9
    # A commune that follows nothing reads its scope as one part.
    assert len(scope_parts(visible_tickets(make_user(Role.COMMUNE, ben_thanh)))) == 1
    # The API's keyset pages read the same two parts and give the same rows in the same order.
    from tracker.queries import ticket_keyset

    from .conftest import counting_queries

    keyed, after = [], None
    while True:
        with counting_queries() as statements:
            rows = ticket_keyset(province_coordinator, TicketFilters(), after=after, limit=2)
        assert any("UNION ALL" in statement.upper() for statement in statements)  # read in two parts
        keyed += [t.reference for t in rows[:2]]
        if len(rows) <= 2:
            break
        after = (rows[1].created_at, rows[1].id)
    assert keyed == expected


def test_a_provinces_list_shows_an_issue_once_counting_only_what_it_may_see(db, make_user, make_ticket, triage_user,
                                                                             province_coordinator, hoan_kiem,
                                                                             ben_thanh):
    """One row per systemic issue: the first obstacle of the issue the list holds, among its own and followed
    ones (the statement's copy of the scope finds the followed ones through their followers); an earlier
    obstacle of the issue the province may not see hides nothing."""
    from tracker import workflow
    from tracker.models import Ticket
    from tracker.queries import TicketFilters, ticket_list
    from tracker.systemic import create_issue

    own_officer, far_officer = make_user(Role.COMMUNE, hoan_kiem), make_user(Role.COMMUNE, ben_thanh)
    unseen = make_ticket(far_officer, title="Vướng mắc nơi khác")  # the issue's first obstacle, not followed
    mains = [make_ticket(far_officer, title=f"Vướng mắc chung {n}") for n in range(2)]
    for main in mains:
        copy = make_ticket(own_officer, title="Vướng mắc trùng")
        workflow.mark_duplicate(triage_user, copy, version=copy.version, main=main)
    own = [make_ticket(own_officer, title=f"Vướng mắc riêng {n}") for n in range(3)]
    create_issue(triage_user, title="Biên chế", tickets=[unseen, mains[1], own[0], own[2]])
    create_issue(triage_user, title="Con dấu", tickets=[own[1]])
    db.session.commit()

    visible = list(db.session.scalars(visible_tickets(province_coordinator).order_by(Ticket.id)))
    assert unseen not in visible and set(mains) <= set(visible)

    def expected(rows):
        first = {}
        for ticket in rows:
            first.setdefault(ticket.systemic_issue_id, ticket.id)
        return {t.reference for t in rows if t.systemic_issue_id is None or first[t.systemic_issue_id] == t.id}

    listing = ticket_list(province_coordinator, TicketFilters(), 1, per_page=25)
    assert {t.reference for t in listing.items} == expected(visible)
    assert mains[1] in listing.items and own[0] not in listing.items and own[1] in listing.items
    assert listing.total == len(expected(visible)) == listing.tabs[None]
    for status in {t.status for t in visible}:
        rows = [t for t in visible if t.status == status]
        chosen = ticket_list(province_coordinator, TicketFilters(status=status), 1, per_page=25)
        assert {t.reference for t in chosen.items} == expected(rows) and chosen.total == len(expected(rows))


def test_a_filter_naming_the_own_province_reads_the_own_part_alone(db, make_user, make_ticket, triage_user,
                                                                    province_coordinator, hoan_kiem, ben_thanh):
    """The followed obstacles are never the province's own, so a filter naming its own province leaves none of
    them: the list is read without them (no second part, no lookup of the followed ones), with the same rows."""
    from tracker import workflow
    from tracker.models import Ticket
    from tracker.queries import TicketFilters, ticket_list

    from .conftest import counting_queries

    own_officer, far_officer = make_user(Role.COMMUNE, hoan_kiem), make_user(Role.COMMUNE, ben_thanh)
    for n in range(2):
        main = make_ticket(far_officer, title=f"Vướng mắc chung {n}")
        copy = make_ticket(own_officer, title=f"Vướng mắc trùng {n}")
        workflow.mark_duplicate(triage_user, copy, version=copy.version, main=main)
        make_ticket(own_officer, title=f"Vướng mắc riêng {n}")
    db.session.commit()
    province = province_coordinator.locality
    expected = [t.reference for t in db.session.scalars(
        visible_tickets(province_coordinator).where(Ticket.province_id == province.id)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc()))]
    assert len(expected) == 4
    with counting_queries() as statements:
        listing = ticket_list(province_coordinator, TicketFilters(province=province.code), 1, per_page=25)
    assert [t.reference for t in listing.items] == expected and listing.total == 4 and listing.tabs["new"] == 2
    assert not any("UNION" in statement.upper() or "followers" in statement for statement in statements)
    everything = ticket_list(province_coordinator, TicketFilters(), 1, per_page=25)
    assert everything.total == 6  # unfiltered, the followed main obstacles too
