from sqlalchemy import func, select

from tracker.accounts import hash_token
from tracker.models import ApiToken, User

from .conftest import PASSWORD


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_users_create_with_locality_and_login(app, hoan_kiem, client, db):
    result = run(app, "users", "create", "Can.Bo@HoanKiem.gov.vn", "--role", "commune", "--locality", "00070",
                 "--name", "Cán bộ", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "can.bo@hoankiem.gov.vn"))
    assert user.locality_id == hoan_kiem.id and user.role == "commune"
    assert client.post("/login", data={"email": "can.bo@hoankiem.gov.vn", "password": PASSWORD}).status_code == 302


def test_users_create_refuses_bad_input_and_saves_nothing(app, hanoi, hoan_kiem, db):
    cases = [
        (["x@y.vn", "--role", "boss", "--password", PASSWORD], "Invalid value for '--role'"),
        (["not-an-email", "--role", "triage", "--password", PASSWORD], "Địa chỉ email không hợp lệ"),
        (["a@b.vn", "--role", "commune", "--locality", "01", "--password", PASSWORD], "phải thuộc một xã"),
        (["a@b.vn", "--role", "province", "--locality", "00070", "--password", PASSWORD], "phải thuộc một tỉnh"),
        (["a@b.vn", "--role", "commune", "--locality", "1", "--password", PASSWORD], "No locality with code '1'"),
        (["a@b.vn", "--role", "specialist", "--password", PASSWORD], "Chuyên viên phải thuộc một đơn vị"),
        (["a@b.vn", "--role", "specialist", "--unit", "nope", "--password", PASSWORD], "No unit with code 'nope'"),
    ]
    for args, message in cases:
        result = run(app, "users", "create", *args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
    assert db.session.scalars(select(User)).all() == []


def test_users_create_refuses_a_duplicate_email(app, db):
    assert run(app, "users", "create", "a@b.vn", "--role", "lead", "--password", PASSWORD).exit_code == 0
    result = run(app, "users", "create", "A@B.vn", "--role", "lead", "--password", PASSWORD)
    assert result.exit_code != 0 and "Đã có người dùng với email này" in result.output


def test_users_token_prints_a_token_stored_only_as_hash(app, triage_user, db):
    result = run(app, "users", "token", triage_user.email)
    assert result.exit_code == 0
    token = result.output.strip()
    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert run(app, "users", "token", "nobody@x.vn").exit_code != 0


def test_demo_accounts_are_created_once_and_printed(app, db):
    from tracker.localities import import_localities

    import_localities()
    db.session.commit()
    first = run(app, "demo", "accounts")
    assert first.exit_code == 0, first.output
    assert "xa.hoankiem@demo.gov.vn" in first.output and "Phường Hoàn Kiếm" in first.output
    assert "tinh.hanoi@demo.gov.vn" in first.output
    assert run(app, "demo", "accounts").exit_code == 0
    assert len(db.session.scalars(select(User)).all()) == 6


def test_demo_seed_spreads_real_obstacles_over_provinces_categories_and_statuses(app, db):
    import datetime as dt

    from tracker.enums import Status
    from tracker.localities import import_localities
    from tracker.models import Category, Event, Locality, OutboxMessage, Ticket

    import_localities()
    db.session.commit()
    result = run(app, "demo", "seed", "--tickets", "40")
    assert result.exit_code == 0, result.output
    assert "Filing demo obstacles" in result.output  # the progress bar's label
    tickets = db.session.scalars(select(Ticket)).all()
    assert len(tickets) == 40
    assert {t.status for t in tickets} == {s.value for s in Status}
    assert len({t.province_id for t in tickets}) == db.session.scalar(
        select(func.count(Locality.id)).where(Locality.level == "province"))
    assert len({t.category_id for t in tickets}) == db.session.scalar(select(func.count(Category.id)))
    assert len({t.title for t in tickets}) > 25
    assert any(t.rating for t in tickets) and any(t.answered_at for t in tickets)
    now = dt.datetime.now(dt.UTC)
    running = {Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS}
    overdue = {t.reference for t in tickets if t.status in running and t.answer_due_at < now}
    assert overdue, "the demo backdates obstacles, some must be overdue"
    assert overdue <= {t.reference for t in tickets if t.sla_state == "breached"}
    answered = next(t for t in tickets if t.status == Status.CLOSED and t.rating)
    kinds = [e.kind for e in db.session.scalars(select(Event).where(Event.ticket_id == answered.id)
                                                 .order_by(Event.created_at, Event.id))]
    assert kinds[0] == "filed" and {"answer", "confirmed", "rated"} <= set(kinds)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0  # demo data sends no email


def test_demo_seed_needs_the_localities(app, db):
    result = run(app, "demo", "seed", "--tickets", "3")
    assert result.exit_code != 0 and "localities import" in result.output
