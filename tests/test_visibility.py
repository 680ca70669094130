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
