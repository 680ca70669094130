"""Idempotency-Key: a retried POST gets its first answer instead of filing twice."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tracker import idempotency
from tracker.accounts import issue_token
from tracker.models import IdempotencyKey, Ticket, utcnow

NEW = {"category": "bien_che", "title": "Qua API", "description": "Nội dung"}


@pytest.fixture
def headers(db, commune_officer):
    token = issue_token(commune_officer)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def count(db):
    return db.session.scalar(select(func.count(Ticket.id)))


def test_a_retried_post_returns_the_first_answer_and_files_once(client, headers, db):
    keyed = {**headers, "Idempotency-Key": "7b1e0a52-5c1f-4d43-9f51-0d3c6e1d2f00"}
    first = client.post("/api/v1/tickets", headers=keyed, json=NEW)
    again = client.post("/api/v1/tickets", headers=keyed, json=NEW)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert count(db) == 1
    other = client.post("/api/v1/tickets", headers={**headers, "Idempotency-Key": "another"}, json=NEW)
    assert other.status_code == 201 and other.get_json()["reference"] != first.get_json()["reference"]
    assert client.post("/api/v1/tickets", headers=headers, json=NEW).status_code == 201  # no key: no memory
    assert count(db) == 3


def test_the_same_key_with_another_body_is_refused(client, headers, db):
    keyed = {**headers, "Idempotency-Key": "k1"}
    assert client.post("/api/v1/tickets", headers=keyed, json=NEW).status_code == 201
    refused = client.post("/api/v1/tickets", headers=keyed, json={**NEW, "title": "Khác"})
    assert refused.status_code == 422
    assert "Idempotency-Key" in refused.get_json()["errors"]
    assert count(db) == 1


def test_keys_are_per_user(client, headers, db, make_user, hoan_kiem):
    from tracker.enums import Role

    neighbour = make_user(Role.COMMUNE, hoan_kiem)
    theirs = {"Authorization": f"Bearer {issue_token(neighbour)}", "Idempotency-Key": "shared"}
    db.session.commit()
    assert client.post("/api/v1/tickets", headers={**headers, "Idempotency-Key": "shared"}, json=NEW).status_code == 201
    assert client.post("/api/v1/tickets", headers=theirs, json=NEW).status_code == 201
    assert count(db) == 2


def test_a_refused_request_does_not_keep_its_key(client, headers, db):
    keyed = {**headers, "Idempotency-Key": "retry-after-fix"}
    assert client.post("/api/v1/tickets", headers=keyed, json={**NEW, "title": ""}).status_code == 422
    assert client.post("/api/v1/tickets", headers=keyed, json=NEW).status_code == 201
    assert count(db) == 1


def test_a_key_still_in_progress_is_409_and_keys_expire(app, client, headers, db, commune_officer, triage_user):
    from tracker.views.api.idempotency import request_print

    with app.test_request_context("/api/v1/tickets", method="POST", json=NEW):
        print_ = request_print()
    now = utcnow()
    assert idempotency.claim(commune_officer, "busy", print_, now) is None  # as if its request still ran
    db.session.commit()
    busy = client.post("/api/v1/tickets", headers={**headers, "Idempotency-Key": "busy"}, json=NEW)
    assert busy.status_code == 409 and "Idempotency-Key" in busy.get_json()["errors"]
    assert count(db) == 0
    with pytest.raises(idempotency.KeyInUse):
        idempotency.claim(commune_officer, "busy", print_, now)
    db.session.rollback()
    later = now + idempotency.KEEP + dt.timedelta(seconds=1)
    assert idempotency.claim(triage_user, "someone else's", print_, later) is None  # purges every expired key
    assert db.session.scalars(select(IdempotencyKey.user_id)).all() == [triage_user.id]
    assert idempotency.claim(commune_officer, "busy", print_, later) is None  # the old claim expired
    db.session.commit()
    assert db.session.scalar(select(func.count(IdempotencyKey.id))) == 2


@pytest.mark.parametrize("key", ["", " ", "x" * 201])
def test_a_bad_key_is_a_clear_422(client, headers, db, key):
    response = client.post("/api/v1/tickets", headers={**headers, "Idempotency-Key": key}, json=NEW)
    assert response.status_code == 422 and "Idempotency-Key" in response.get_json()["errors"]
    assert count(db) == 0


def test_every_post_documents_the_header(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        if "post" in operations:
            assert {"$ref": "#/components/parameters/Idempotency-Key"} in operations["post"]["parameters"], path
