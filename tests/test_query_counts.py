"""Statements per page: at most 8 for every page people open all day, and the same count whatever the rows
(issue 14). Counted, never timed: `make bench` measures speed."""
import uuid
from urllib.parse import quote

import pytest

from tracker import data_version, workflow
from tracker.enums import Role, Status
from tracker.models import Attachment, Ticket
from tracker.tickets import post_message

from .conftest import counting_queries

MAX_QUERIES = 8
FILING_QUERIES = 8  # a POST that files (the data versions' rows exist): issue 14's target


def attach(db, ticket, user, message=None):
    db.session.add(Attachment(ticket_id=ticket.id, message_id=message.id if message else None,
                              uploaded_by_id=user.id, original_name="cong-van.pdf", stored_name=uuid.uuid4().hex,
                              content_type="application/pdf", size=100))


def grow_ticket(db, ticket, triage_user, commune_officer, make_ticket, rounds: int):
    """Messages with files, files of the obstacle, linked obstacles and duplicates merged into it."""
    for n in range(rounds):
        message = post_message(triage_user, ticket, body=f"Trả lời {n}")
        db.session.flush()
        attach(db, ticket, triage_user, message)
        attach(db, ticket, commune_officer)
        post_message(triage_user, ticket, body=f"Ghi chú {n}", internal=True)
        other = make_ticket(commune_officer, title=f"Vướng mắc liên quan {n}")
        workflow.link(triage_user, ticket, other=other)
        duplicate = make_ticket(commune_officer, title=f"Vướng mắc trùng {n}")
        workflow.mark_duplicate(triage_user, duplicate, version=duplicate.version, main=ticket)
    db.session.commit()


@pytest.mark.parametrize("who", ["triage", "commune"])
def test_an_obstacles_page_reads_at_most_8_statements_whatever_it_holds(db, client, login, page_queries, make_ticket,
                                                                        triage_user, commune_officer, who):
    ticket = make_ticket(commune_officer, title="Vướng mắc biên chế công chức cấp xã")
    make_ticket(commune_officer, title="Vướng mắc biên chế công chức cấp xã sau sắp xếp")  # a similar one
    login(triage_user if who == "triage" else commune_officer)
    url = f"/tickets/{ticket.reference}"

    def count() -> int:
        page_queries(url)  # per-process caches filled
        data_version.clear()  # the page's content made afresh (views.pages.render_ticket_page): the dearer path
        return page_queries(url)

    few = count()
    grow_ticket(db, ticket, triage_user, commune_officer, make_ticket, 4)
    html = client.get(url).get_data(as_text=True)
    assert html.count("cong-van.pdf") == 8 and "Trả lời 3" in html
    assert count() == few <= MAX_QUERIES


@pytest.mark.parametrize("url", ["/tickets", "/triage", "/tickets?province=01&status=new", "/tickets?sort=sla",
                                 "/tickets?q=bi%C3%AAn+ch%E1%BA%BF", "/tickets?sort=urgency&status=open", "/dashboard"])
def test_the_main_pages_read_at_most_8_statements_whatever_the_rows(db, make_user, login, page_queries, make_ticket,
                                                                    commune_officer, url):
    login(make_user(Role.LEAD))

    def add(n):
        for i in range(n):
            ticket = make_ticket(commune_officer, title=f"Vướng mắc biên chế {i}")
            ticket.status = Status.NEW.value if i % 2 else Status.IN_PROGRESS.value
        db.session.commit()

    def count() -> int:
        page_queries(url)  # per-process caches filled
        data_version.clear()  # the dashboard's numbers counted afresh: the dearer path, and not the minute's luck
        return page_queries(url)

    add(2)
    few = count()
    add(30)
    assert count() == few <= MAX_QUERIES


def test_a_communes_list_reads_at_most_8_statements(db, login, page_queries, make_ticket, commune_officer):
    def count() -> int:
        page_queries("/tickets")  # per-process caches filled
        data_version.clear()  # the list's parts made afresh (views.pages.queue_parts): the dearer path
        return page_queries("/tickets")

    login(commune_officer)
    make_ticket(commune_officer)
    few = count()
    for n in range(20):
        make_ticket(commune_officer, title=f"Vướng mắc {n}")
    assert count() == few <= MAX_QUERIES


def test_filing_writes_a_fixed_number_of_statements(db, client, login, commune_officer, make_ticket):
    login(commune_officer)
    form = {"category": "bien_che", "title": "Vướng mắc xác định biên chế công chức cấp xã",
            "description": "Đề nghị hướng dẫn cụ thể.", "legal_basis": "", "urgency": "normal"}
    counts = []
    for n in range(3):
        make_ticket(commune_officer, title=f"Đã gửi {n}")
        with counting_queries() as statements:
            response = client.post("/tickets/new", data={**form, "title": f"{form['title']} {n}"})
        assert response.status_code == 302
        counts.append(len(statements))
    assert counts[1] == counts[2]
    # The new obstacle's search document is written from the object in hand (no read of it and its messages),
    # the security headers do not load the user again after the commit, the reference data (categories, the
    # calendar's overrides, SLA policies, routing rules) comes from the process's copy for its version, and
    # the form's token is taken with the obstacle's id: 15 statements, then 12, now 8.
    assert counts[2] <= FILING_QUERIES
    assert db.session.query(Ticket).count() == 6
    found = client.get("/tickets?q=" + quote("biên chế công chức 2")).get_data(as_text=True)
    assert f"{form['title']} 2" in found


@pytest.mark.parametrize("clock", ["ANSWER", "FIRST_RESPONSE"])
def test_the_sla_sweep_reads_its_next_crossing_index(db, clock):
    """The sweep's rows come from a range of the clock's next-crossing index, not a walk of every obstacle."""
    from sqlalchemy import text

    from tracker.models import utcnow
    from tracker.worktime import sweep

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plan is stable on an empty table; PostgreSQL's depends on its statistics")
    statement = sweep.due_query(utcnow(), clock=getattr(sweep, clock)).compile(
        db.engine, compile_kwargs={"literal_binds": True})
    plan = " ".join(str(row) for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {statement}")))
    assert f"ix_tickets_{getattr(sweep, clock).next_column}" in plan and "SCAN tickets" not in plan


def test_the_next_crossing_follows_state_thresholds_and_pause(db, make_ticket, commune_officer):
    import datetime as dt

    from tracker.enums import SlaState

    ticket = make_ticket(commune_officer)
    db.session.refresh(ticket)
    assert ticket.answer_next_at == min(ticket.at_risk_at, ticket.answer_due_at)
    ticket.sla_state = SlaState.AT_RISK.value
    db.session.commit()
    db.session.refresh(ticket)
    assert ticket.answer_next_at == ticket.answer_due_at
    ticket.paused_at = ticket.created_at + dt.timedelta(hours=1)
    db.session.commit()
    db.session.refresh(ticket)
    assert ticket.answer_next_at is None and ticket.first_response_next_at is None
    ticket.paused_at, ticket.sla_state = None, SlaState.BREACHED.value
    db.session.commit()
    db.session.refresh(ticket)
    assert ticket.answer_next_at is None and ticket.first_response_next_at is not None


@pytest.mark.parametrize("url", ["/tickets", "/dashboard", "/api/v1/stats", "/api/v1/tickets"])
def test_the_data_versions_come_with_the_user_or_the_token(db, client, login, make_user, bearer, make_ticket,
                                                          commune_officer, url):
    """The caches keyed by the tickets' and the reference data's versions (the dashboard, the calendar's
    overrides, the stats) read them along with the session's user or the API token: no statement of their own."""
    lead = make_user(Role.LEAD)
    make_ticket(commune_officer)
    headers = bearer(lead) if url.startswith("/api/") else {}
    if not headers:
        login(lead)
    client.get(url, headers=headers)
    with counting_queries() as statements:
        assert client.get(url, headers=headers).status_code == 200
    own_reads = [s for s in statements if s.lstrip().upper().startswith("SELECT DATA_VERSIONS.TOKEN")]
    assert own_reads == [] and any("data_versions" in s for s in statements)


def test_postgresql_keeps_a_list_pages_join_order_until_its_transaction_ends(db, make_user, make_ticket,
                                                                              commune_officer):
    """The page's row statement is planned with its joins in written order (paging.keep_join_order), set for
    the request's transaction only."""
    from sqlalchemy import text

    from tracker import queries

    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    make_ticket(commune_officer)
    lead = make_user(Role.LEAD)
    default = db.session.execute(text("SHOW join_collapse_limit")).scalar()
    with counting_queries() as statements:
        page = queries.ticket_list(lead, queries.TicketFilters())
    assert len(page.items) == 1
    kept = [i for i, s in enumerate(statements) if "join_collapse_limit" in s]
    assert len(kept) == 1 and "FROM tickets" in statements[kept[0] + 1]
    assert db.session.execute(text("SHOW join_collapse_limit")).scalar() == "1"
    db.session.rollback()
    assert db.session.execute(text("SHOW join_collapse_limit")).scalar() == default
