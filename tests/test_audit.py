"""The audit trail: sign-ins, accounts, the admin's settings and files leaving are recorded (who, when, what,
to what, from where), never a secret, never changed; admins browse and filter it at /admin/audit."""
import datetime as dt
import io
import json
import re

import pytest
from sqlalchemy import func, select, text

from tracker import audit
from tracker.enums import AuditAction, Role
from tracker.models import AuditEntry, OutboxMessage

from .conftest import PASSWORD

NEW_PASSWORD = "một mật khẩu mới 2026"


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, email="quan.tri@bnv.gov.vn")


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


def entries(db, action=None) -> list[AuditEntry]:
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action.value)
    return list(db.session.scalars(query))


def only(db, action) -> AuditEntry:
    found = entries(db, action)
    assert len(found) == 1, [e.action for e in entries(db)]
    return found[0]


def test_logins_succeeded_and_failed_are_recorded_with_the_address(client, db, commune_officer):
    client.post("/login", data={"email": commune_officer.email.upper(), "password": "sai mật khẩu"},
                environ_base={"REMOTE_ADDR": "203.0.113.7"})
    client.post("/login", data={"email": commune_officer.email, "password": PASSWORD},
                environ_base={"REMOTE_ADDR": "203.0.113.8"})
    failed, succeeded = only(db, AuditAction.LOGIN_FAILED), only(db, AuditAction.LOGIN)
    assert (failed.actor_id, failed.actor_email, failed.address) == (None, commune_officer.email, "203.0.113.7")
    assert (succeeded.actor_id, succeeded.address) == (commune_officer.id, "203.0.113.8")
    assert "sai mật khẩu" not in json.dumps([failed.details, failed.target])


def test_logout_is_recorded(client, login, db, commune_officer):
    login(commune_officer)
    client.post("/logout")
    assert only(db, AuditAction.LOGOUT).actor_id == commune_officer.id


def test_password_resets_are_recorded_without_the_password(client, db, commune_officer, as_admin):
    anonymous = client.application.test_client()
    anonymous.post("/password/forgot", data={"email": commune_officer.email})
    anonymous.post("/password/forgot", data={"email": "khong.ai@example.gov.vn"})
    body = db.session.scalar(select(OutboxMessage.body_text))
    path = re.search(r"http://tracker\.test(/password/reset/\S+)", body).group(1)
    anonymous.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    as_admin.post(f"/admin/users/{commune_officer.id}/password", data={"password": NEW_PASSWORD + " x"})
    asked = entries(db, AuditAction.PASSWORD_RESET_REQUESTED)
    assert [(e.actor_email, e.target is not None) for e in asked] == [
        (commune_officer.email, True), ("khong.ai@example.gov.vn", False)]
    assert only(db, AuditAction.PASSWORD_RESET).actor_id == commune_officer.id
    by_admin = only(db, AuditAction.PASSWORD_SET_BY_ADMIN)
    assert by_admin.actor_email == "quan.tri@bnv.gov.vn" and commune_officer.email in by_admin.target
    everything = json.dumps([[e.target, e.details, e.actor_email] for e in entries(db)], ensure_ascii=False)
    assert NEW_PASSWORD not in everything and path.rsplit("/", 1)[-1] not in everything


def test_the_audit_refuses_anything_that_looks_secret(app, db):
    with pytest.raises(audit.SecretInAudit):
        audit.record(AuditAction.USER_CHANGED, details={"new_password": "x"})
    with pytest.raises(audit.SecretInAudit):
        audit.record(AuditAction.TOKEN_CREATED, details={"token": "x"})


def test_role_and_locality_changes_are_recorded_from_old_to_new(as_admin, db, commune_officer, hanoi):
    as_admin.post(f"/admin/users/{commune_officer.id}", data={"name": "Cán bộ", "role": "province",
                                                              "locality": "01", "unit": ""})
    entry = only(db, AuditAction.USER_CHANGED)
    assert entry.actor_email == "quan.tri@bnv.gov.vn" and commune_officer.email in entry.target
    assert entry.details_dict == {"role": ["commune", "province"], "locality": ["00070", "01"],
                                  "name": ["Cán bộ Hoàn Kiếm", "Cán bộ"]}


def test_creating_and_deactivating_users_is_recorded(as_admin, db, commune_officer, app):
    as_admin.post("/admin/users/new", data={"email": "moi@bnv.gov.vn", "role": "lead", "password": NEW_PASSWORD})
    as_admin.post(f"/admin/users/{commune_officer.id}/active")
    as_admin.post(f"/admin/users/{commune_officer.id}/active")
    app.test_cli_runner().invoke(args=["users", "create", "cli@bnv.gov.vn", "--role", "lead", "--password", PASSWORD])
    created = entries(db, AuditAction.USER_CREATED)
    assert [(e.actor_email, e.address) for e in created] == [("quan.tri@bnv.gov.vn", "127.0.0.1"), (None, None)]
    assert created[0].details_dict["role"] == "lead"
    assert [e.action for e in entries(db) if e.action.startswith("user_") and "activated" in e.action] == [
        "user_deactivated", "user_reactivated"]


def test_admin_changes_to_the_catalog_are_recorded(as_admin, db):
    as_admin.post("/admin/units/new", data={"code": "don_vi_moi", "name": "Đơn vị mới", "active": "y"})
    as_admin.post("/admin/categories/new", data={"code": "linh_vuc_moi", "name": "Lĩnh vực mới",
                                                 "default_unit": "don_vi_moi", "position": "3", "active": "y"})
    as_admin.post("/admin/rules/new", data={"category": "linh_vuc_moi", "unit": "don_vi_moi", "strategy": "none",
                                            "active": "y"})
    as_admin.post("/admin/rules/from-categories")
    rule = only(db, AuditAction.RULE_SAVED)
    rule_id = int(rule.target.split("#")[1].split()[0])
    as_admin.post(f"/admin/rules/{rule_id}/move/down")
    as_admin.post(f"/admin/rules/{rule_id}/delete")
    unit = only(db, AuditAction.UNIT_SAVED)
    assert unit.target == "Unit #" + unit.target.split("#")[1] and unit.details_dict["name"] == [None, "Đơn vị mới"]
    assert only(db, AuditAction.CATEGORY_SAVED).details_dict["default_unit"] == [None, "don_vi_moi"]
    assert rule.details_dict["category"] == [None, "linh_vuc_moi"]
    assert len(entries(db, AuditAction.RULES_REORDERED)) == 2
    assert only(db, AuditAction.RULE_DELETED).details_dict["unit"] == "don_vi_moi"


def test_sla_policies_and_the_calendar_are_recorded(as_admin, db):
    as_admin.post("/admin/sla/policies", data={"urgency": "thuong", "category": "bien_che",
                                               "first_response_hours": "8", "answer_hours": "40"})
    as_admin.post("/admin/sla/overrides", data={"day": "02/01/2030", "kind": "off", "reason": "Nghỉ bù"})
    as_admin.post("/admin/sla/overrides/2030-01-02/delete")
    policy = only(db, AuditAction.SLA_POLICY_SAVED)
    assert policy.target == "SlaPolicy thuong / bien_che" and policy.details_dict["answer_hours"] == [None, 40]
    policy_id = db.session.scalar(text("SELECT id FROM sla_policies WHERE category_id IS NOT NULL"))
    as_admin.post(f"/admin/sla/policies/{policy_id}/delete")
    assert only(db, AuditAction.SLA_POLICY_DELETED).details_dict == {"answer_hours": 40, "first_response_hours": 8}
    calendar = entries(db, AuditAction.CALENDAR_CHANGED)
    assert [e.details_dict for e in calendar] == [{"reason": "Nghỉ bù", "working_day": False},
                                                  {"reason": "Nghỉ bù", "removed": True}]


def test_attachment_downloads_are_recorded(client, login, db, commune_officer):
    login(commune_officer)
    client.post("/tickets/new", content_type="multipart/form-data", data={
        "category": "bien_che", "title": "Có tệp", "description": "Nội dung", "urgency": "normal",
        "attachments": [(io.BytesIO(b"%PDF-1.7\n%%EOF\n"), "Công văn.pdf")]})
    reference = db.session.scalar(text("SELECT reference FROM tickets"))
    assert client.get(f"/tickets/{reference}/attachments/1").status_code == 200
    entry = only(db, AuditAction.ATTACHMENT_DOWNLOADED)
    assert entry.actor_id == commune_officer.id and entry.target == f"{reference} / Attachment #1"
    assert entry.details_dict["name"] == "Công văn.pdf"


def test_exports_are_recorded_with_their_filters(client, login, db, triage_user):
    login(triage_user)
    assert client.get("/tickets/export.csv?status=new&q=biên chế").status_code == 200
    assert client.get("/triage/export.xlsx").status_code == 200
    exported = entries(db, AuditAction.EXPORT)
    assert [(e.actor_id, e.target) for e in exported] == [(triage_user.id, "Kiến nghị (csv)"),
                                                         (triage_user.id, "Hàng chờ phân loại (xlsx)")]
    assert exported[0].details_dict == {"filters": {"q": "biên chế", "status": "new"}}


def test_entries_cannot_be_changed_or_deleted(app, db):
    entry = audit.record(AuditAction.LOGIN_FAILED, email="a@b.vn")
    db.session.commit()
    entry.action = AuditAction.LOGIN.value
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(entry)
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE audit_log SET action = 'login'"))
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text("DELETE FROM audit_log"))
        db.session.rollback()
    assert db.session.scalar(select(AuditEntry.action)) == "login_failed"


def _record_at(db, moment, action=AuditAction.LOGIN_FAILED, email="a@b.vn"):
    audit.record(action, email=email, now=moment)
    db.session.commit()


def test_only_admins_see_the_audit_trail(client, login, make_user, commune_officer):
    for user in (commune_officer, make_user(Role.TRIAGE), make_user(Role.LEAD)):
        login(user)
        assert client.get("/admin/audit").status_code == 404
    login(make_user(Role.ADMIN))
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/audit"' in page and "Nhật ký hệ thống" in page


def test_admins_filter_by_who_what_and_when(as_admin, db):
    vn = dt.timezone(dt.timedelta(hours=7))
    _record_at(db, dt.datetime(2026, 3, 1, 23, 30, tzinfo=vn), email="x@bnv.gov.vn")
    _record_at(db, dt.datetime(2026, 3, 2, 0, 30, tzinfo=vn), AuditAction.LOGOUT, email="y@bnv.gov.vn")
    _record_at(db, dt.datetime(2026, 3, 3, 8, 0, tzinfo=vn), email="y@bnv.gov.vn")

    def shown(query):
        response = as_admin.get("/admin/audit?" + query)
        assert response.status_code == 200, query
        return re.findall(r"<td>([xy])@bnv.gov.vn</td>", response.get_data(as_text=True))

    assert shown("") == ["y", "y", "x"]  # newest first
    assert shown("actor=Y@bnv.gov.vn") == ["y", "y"]
    assert shown("action=logout") == ["y"]
    assert shown("date_from=02/03/2026&date_to=02/03/2026") == ["y"]  # the local day, not the UTC one
    assert shown("date_to=2026-03-01") == ["x"]


@pytest.mark.parametrize("query, message", [
    ("action=khong_co", "Chọn một giá trị trong danh sách"),
    ("date_from=31/02/2026", "Nhập ngày hợp lệ"),
    ("date_from=01/01/0001", "Nhập ngày hợp lệ"),
    ("date_to=9999-12-31", "Nhập ngày hợp lệ"),
    ("date_from=03/03/2026&date_to=01/03/2026", "Ngày kết thúc trước ngày bắt đầu"),
    ("actor=" + "a" * 300, "Tối đa 254 ký tự"),
])
def test_bad_filters_are_explained_not_a_500(as_admin, db, query, message):
    _record_at(db, dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    response = as_admin.get("/admin/audit?" + query)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_the_trail_is_paginated_without_counting_it(app, as_admin, db, page_queries):
    for minute in range(5):
        _record_at(db, dt.datetime(2026, 3, 1, 8, minute, tzinfo=dt.UTC), email=f"u{minute}@bnv.gov.vn")
    app.config["PAGE_SIZE"] = 2
    try:
        first = as_admin.get("/admin/audit?action=login_failed").get_data(as_text=True)
        last = as_admin.get("/admin/audit?action=login_failed&page=3").get_data(as_text=True)
        assert "u4@bnv.gov.vn" in first and "u3@bnv.gov.vn" in first and "Cũ hơn" in first
        assert "u0@bnv.gov.vn" in last and "Cũ hơn" not in last and "Mới hơn" in last
        assert as_admin.get("/admin/audit?page=99999999999999999999").status_code == 404
        few = page_queries("/admin/audit")
        for minute in range(5, 25):
            _record_at(db, dt.datetime(2026, 3, 1, 8, minute, tzinfo=dt.UTC), email=f"u{minute}@bnv.gov.vn")
        app.config["PAGE_SIZE"] = 20
        assert page_queries("/admin/audit") == few
    finally:
        app.config["PAGE_SIZE"] = 25
    assert db.session.scalar(select(func.count(AuditEntry.id))) >= 25
