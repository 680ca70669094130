"""Admin pages: users, units, categories and routing rules. Admins only; every bad input refused, nothing saved."""
import pytest
from sqlalchemy import func, select

from tracker.enums import Role
from tracker.models import Category, RoutingRule, Ticket, Unit, User

from .conftest import PASSWORD, csrf_token_from


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Quản trị")


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


def count(db, model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def user_form(**fields):
    data = {"email": "moi@bnv.gov.vn", "name": "Người mới", "role": "specialist", "locality": "", "unit": "moha_tcbc",
            "password": "mat khau dai 1"}
    data.update(fields)
    return data


# ---- access per role --------------------------------------------------------------------------------------

ADMIN_ACTIONS = [
    ("get", "/admin/users", None), ("get", "/admin/users/new", None), ("post", "/admin/users/new", user_form()),
    ("get", "/admin/units", None), ("post", "/admin/units/new", {"code": "moi", "name": "Mới", "active": "y"}),
    ("get", "/admin/categories", None), ("post", "/admin/categories/new", {"code": "moi", "name": "Mới"}),
    ("get", "/admin/rules", None), ("post", "/admin/rules/new", {"unit": "moha_tcbc", "strategy": "none",
                                                                 "keyword": "x"}),
    ("post", "/admin/rules/from-categories", {}),
]


@pytest.mark.parametrize("role", [Role.COMMUNE, Role.PROVINCE, Role.TRIAGE, Role.SPECIALIST, Role.LEAD])
def test_only_admins_reach_admin_pages(client, login, make_user, hoan_kiem, hanoi, unit, db, role):
    where = {Role.COMMUNE: {"locality": hoan_kiem}, Role.PROVINCE: {"locality": hanoi},
             Role.SPECIALIST: {"unit": unit}}.get(role, {})
    target = make_user(Role.TRIAGE)
    rule = RoutingRule(position=1, unit=unit, keyword="x")
    db.session.add(rule)
    db.session.commit()
    before = (count(db, User), count(db, Unit), count(db, Category), count(db, RoutingRule))
    login(make_user(role, **where))
    actions = [*ADMIN_ACTIONS, ("post", f"/admin/users/{target.id}/active", {}),
                               ("post", f"/admin/users/{target.id}/password", {"password": "mat khau moi 123"}),
                               ("post", f"/admin/users/{target.id}", {"role": "admin", "name": "x"}),
                               ("post", f"/admin/rules/{rule.id}/delete", {}),
                               ("post", f"/admin/rules/{rule.id}/move/down", {})]
    for method, url, data in actions:
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 404, (method, url)
    assert (count(db, User) - 1, count(db, Unit), count(db, Category), count(db, RoutingRule)) == before
    db.session.refresh(target)
    assert target.active and target.role == "triage" and target.check_password(PASSWORD)


def test_admin_pages_need_login(client):
    assert client.get("/admin/users").status_code == 302


def test_admin_sees_the_nav_item_and_others_do_not(client, login, admin, triage_user):
    menu = '<i class="bi bi-gear" aria-hidden="true"></i> Quản trị</a>'
    login(admin)
    assert menu in client.get("/tickets").get_data(as_text=True)
    login(triage_user)
    assert menu not in client.get("/tickets").get_data(as_text=True)


# ---- users ---------------------------------------------------------------------------------------------------

def test_admin_creates_a_user_who_can_log_in(as_admin, db, client, login):
    assert as_admin.post("/admin/users/new", data=user_form()).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "moi@bnv.gov.vn"))
    assert (user.role, user.unit.code) == ("specialist", "moha_tcbc")
    login(user, password="mat khau dai 1")


def test_generated_password_is_shown_once(as_admin, db):
    response = as_admin.post("/admin/users/new", data=user_form(password=""))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "chỉ hiển thị một lần" in html
    password = html.split("<code>")[1].split("</code>")[0]
    user = db.session.scalar(select(User).where(User.email == "moi@bnv.gov.vn"))
    assert user.check_password(password) and password not in user.password_hash
    for page in ("/admin/users", f"/admin/users/{user.id}"):  # never again, anywhere
        assert password not in as_admin.get(page).get_data(as_text=True)


@pytest.mark.parametrize("fields,message", [
    ({"email": ""}, "Trường này là bắt buộc"),
    ({"email": "khong-phai-email"}, "Địa chỉ email không hợp lệ"),
    ({"email": "x" * 250 + "@a.vn"}, "Tối đa 254 ký tự"),
    ({"name": "x" * 121}, "Tối đa 120 ký tự"),
    ({"role": ""}, "Trường này là bắt buộc"),
    ({"role": "boss"}, "Vai trò không hợp lệ"),
    ({"unit": ""}, "Chuyên viên phải thuộc một đơn vị"),
    ({"unit": "khong_co"}, "Chọn một giá trị trong danh sách"),
    ({"unit": "bo_y_te_cu"}, "Đơn vị này không còn hoạt động"),
    ({"role": "commune", "locality": ""}, "phải thuộc một xã"),
    ({"role": "commune", "locality": "01"}, "phải thuộc một xã"),
    ({"role": "commune", "locality": "99999"}, "Không có tỉnh hoặc xã nào có mã này"),
    ({"role": "province", "locality": "00070"}, "phải thuộc một tỉnh"),
    ({"role": "province", "locality": "123456"}, "Tối đa 5 ký tự"),
    ({"password": "ngan"}, "Mật khẩu cần có ít nhất 12 ký tự"),
    ({"password": "x" * 129}, "Mật khẩu quá dài (tối đa 128 ký tự)"),
    ({"password": "Matkhau123456"}, "Mật khẩu này quá phổ biến"),
    ({"email": "TRUNG@bnv.gov.vn"}, "Đã có người dùng với email này"),
])
def test_user_form_refuses_bad_input(as_admin, db, make_user, hoan_kiem, fields, message):
    db.session.add(Unit(code="bo_y_te_cu", name="Đơn vị cũ", active=False))
    db.session.commit()
    make_user(Role.TRIAGE, email="trung@bnv.gov.vn")
    before = count(db, User)
    response = as_admin.post("/admin/users/new", data=user_form(**fields))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(db, User) == before


def test_admin_edits_role_locality_and_unit(as_admin, db, make_user, hanoi, unit):
    user = make_user(Role.TRIAGE)
    response = as_admin.post(f"/admin/users/{user.id}", data={"name": "Điều phối", "role": "province",
                                                                "locality": "01", "unit": "moha_tcbc"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.role, user.locality_id, user.unit_id, user.name) == ("province", hanoi.id, None, "Điều phối")
    as_admin.post(f"/admin/users/{user.id}", data={"name": "", "role": "specialist", "unit": "moha_tcbc",
                                                   "is_unit_head": "y"})
    db.session.refresh(user)
    assert (user.role, user.locality_id, user.unit_id, user.is_unit_head) == ("specialist", None, unit.id, True)


def test_edit_refuses_bad_input_and_changes_nothing(as_admin, db, specialist, admin, hanoi):
    for url, data, message in [
        (f"/admin/users/{specialist.id}", {"role": "commune", "locality": "01"}, "phải thuộc một xã"),
        (f"/admin/users/{specialist.id}", {"role": "specialist", "unit": ""}, "Chuyên viên phải thuộc một đơn vị"),
        (f"/admin/users/{specialist.id}", {"role": "specialist", "unit": "moha_tcbc", "name": "x" * 121},
         "Tối đa 120 ký tự"),
        (f"/admin/users/{admin.id}", {"role": "triage"}, "Bạn không thể tự bỏ vai trò quản trị"),
    ]:
        response = as_admin.post(url, data=data)
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    db.session.refresh(specialist)
    assert (specialist.role, specialist.unit_id is not None) == ("specialist", True)
    assert as_admin.get("/admin/users/999999").status_code == 404


def test_deactivated_user_cannot_log_in_and_is_never_auto_assigned(as_admin, db, client, specialist, unit,
                                                                   commune_officer, make_ticket):
    assert as_admin.post(f"/admin/users/{specialist.id}/active").status_code == 302
    db.session.refresh(specialist)
    assert specialist.active is False
    db.session.add(RoutingRule(position=1, unit=unit, strategy="round_robin", keyword="biên chế"))
    db.session.commit()
    assert make_ticket(commune_officer).assignee_id is None
    client.post("/logout")
    assert client.post("/login", data={"email": specialist.email, "password": PASSWORD}).status_code != 302


def test_reactivate(as_admin, db, make_user):
    user = make_user(Role.LEAD, active=False)
    as_admin.post(f"/admin/users/{user.id}/active")
    db.session.refresh(user)
    assert user.active


def test_admin_cannot_deactivate_themself(as_admin, db, admin):
    as_admin.post(f"/admin/users/{admin.id}/active")
    db.session.refresh(admin)
    assert admin.active


def test_reset_password_typed_or_generated(as_admin, db, specialist):
    assert as_admin.post(f"/admin/users/{specialist.id}/password", data={"password": "mat khau moi 123"}
                         ).status_code == 302
    db.session.refresh(specialist)
    assert specialist.check_password("mat khau moi 123")
    html = as_admin.post(f"/admin/users/{specialist.id}/password", data={"password": ""}).get_data(as_text=True)
    password = html.split("<code>")[1].split("</code>")[0]
    db.session.refresh(specialist)
    assert specialist.check_password(password)
    as_admin.post(f"/admin/users/{specialist.id}/password", data={"password": "ngan"})
    db.session.refresh(specialist)
    assert specialist.check_password(password)


def test_user_list_filters_and_paginates(as_admin, make_user, app):
    for i in range(app.config["PAGE_SIZE"]):
        make_user(Role.TRIAGE, email=f"pl{i:02d}@bnv.gov.vn")
    make_user(Role.LEAD, email="lanh.dao@bnv.gov.vn", active=False)
    html = as_admin.get("/admin/users?role=lead&status=inactive").get_data(as_text=True)
    assert "lanh.dao@bnv.gov.vn" in html and "pl00@" not in html
    assert "lanh.dao" in as_admin.get("/admin/users?q=LANH").get_data(as_text=True)
    assert "page=2" in as_admin.get("/admin/users").get_data(as_text=True)


def test_admin_forms_need_csrf(csrf_client, csrf_login, admin, db):
    csrf_login(admin)
    before = count(db, User)
    response = csrf_client.post("/admin/users/new", data=user_form())
    assert response.status_code == 400 and "mã bảo mật" in response.get_data(as_text=True)
    assert count(db, User) == before
    token = csrf_token_from(csrf_client.get("/admin/users/new").get_data(as_text=True))
    assert csrf_client.post("/admin/users/new", data={**user_form(), "csrf_token": token}).status_code == 302


# ---- units and categories ------------------------------------------------------------------------------------

def test_admin_creates_edits_and_deactivates_a_unit(as_admin, db):
    data = {"code": "bo_ngoai_giao", "name": "Bộ Ngoại giao", "email": "vp@mofa.gov.vn", "is_external": "y",
            "active": "y"}
    assert as_admin.post("/admin/units/new", data=data).status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.code == "bo_ngoai_giao"))
    assert unit.is_external and unit.active and unit.email == "vp@mofa.gov.vn"
    assert as_admin.post(f"/admin/units/{unit.id}", data={**data, "active": ""}).status_code == 302
    db.session.refresh(unit)
    assert not unit.active
    assert "Bộ Ngoại giao" in as_admin.get("/admin/units").get_data(as_text=True)


@pytest.mark.parametrize("fields,message", [
    ({"code": ""}, "Trường này là bắt buộc"),
    ({"code": "Có Dấu"}, "Mã gồm 2 đến 40"),
    ({"code": "moha_tcbc"}, "Mã này đã được dùng"),
    ({"code": "x" * 41}, "Tối đa 40 ký tự"),
    ({"name": ""}, "Trường này là bắt buộc"),
    ({"name": "x" * 201}, "Tối đa 200 ký tự"),
    ({"email": "khong-hop-le"}, "Địa chỉ email không hợp lệ"),
])
def test_unit_form_refuses_bad_input(as_admin, db, fields, message):
    before = count(db, Unit)
    response = as_admin.post("/admin/units/new", data={"code": "moi", "name": "Mới", **fields})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(db, Unit) == before


def test_admin_edits_a_category(as_admin, db):
    category = db.session.scalar(select(Category).where(Category.code == "khac"))
    response = as_admin.post(f"/admin/categories/{category.id}", data={
        "code": "khac", "name": "Khác (chung)", "default_unit": "moha_phap_che", "position": "99", "active": "y"})
    assert response.status_code == 302
    db.session.refresh(category)
    assert (category.name, category.default_unit.code, category.position) == ("Khác (chung)", "moha_phap_che", 99)


def test_deactivated_category_cannot_be_chosen_when_filing(as_admin, db, client, login, commune_officer):
    category = db.session.scalar(select(Category).where(Category.code == "dat_dai"))
    response = as_admin.post(f"/admin/categories/{category.id}", data={"code": "dat_dai", "name": category.name,
                                                                       "active": ""})
    assert response.status_code == 302
    login(commune_officer)
    response = client.post("/tickets/new", data={"category": "dat_dai", "title": "T", "description": "D",
                                                 "urgency": "normal"})
    assert "Chọn lĩnh vực trong danh sách" in response.get_data(as_text=True)
    assert count(db, Ticket) == 0


@pytest.mark.parametrize("fields,message", [
    ({"code": "bien_che"}, "Mã này đã được dùng"),
    ({"name": ""}, "Trường này là bắt buộc"),
    ({"default_unit": "khong_co"}, "Chọn một giá trị trong danh sách"),
    ({"default_unit": "don_vi_cu"}, "Đơn vị này không còn hoạt động"),
    ({"position": "abc"}, "Not a valid integer value"),
    ({"position": "-1"}, "Nhập số nguyên từ 0 đến 100000"),
])
def test_category_form_refuses_bad_input(as_admin, db, fields, message):
    db.session.add(Unit(code="don_vi_cu", name="Đơn vị cũ", active=False))
    db.session.commit()
    before = count(db, Category)
    response = as_admin.post("/admin/categories/new", data={"code": "moi", "name": "Mới", **fields})
    assert response.status_code == 422
    assert count(db, Category) == before
    if "integer" not in message:
        assert message in response.get_data(as_text=True)


# ---- routing rules -------------------------------------------------------------------------------------------

def test_admin_creates_a_rule_that_routes(as_admin, db, hanoi, commune_officer, make_ticket, unit):
    response = as_admin.post("/admin/rules/new", data={"category": "bien_che", "province": "01", "keyword": "",
                                                       "unit": "moha_tcbc", "strategy": "least_open",
                                                       "active": "y"})
    assert response.status_code == 302
    rule = db.session.scalar(select(RoutingRule))
    assert (rule.category.code, rule.province_id, rule.strategy, rule.position) == (
        "bien_che", hanoi.id, "least_open", 10)
    assert make_ticket(commune_officer).lead_unit_id == unit.id


@pytest.mark.parametrize("fields,message", [
    ({"category": "", "province": "", "keyword": ""}, "Quy tắc phải khớp theo lĩnh vực, tỉnh hoặc từ khóa"),
    ({"category": "khong_co"}, "Chọn một giá trị trong danh sách"),
    ({"province": "00070"}, "Nhập mã của một tỉnh"),
    ({"province": "99"}, "Không có tỉnh hoặc xã nào có mã này"),
    ({"province": "123456"}, "Tối đa 5 ký tự"),
    ({"unit": ""}, "Trường này là bắt buộc"),
    ({"unit": "don_vi_cu"}, "Chọn một đơn vị đang hoạt động"),
    ({"strategy": "random"}, "Chọn một giá trị trong danh sách"),
    ({"keyword": "x" * 101}, "Tối đa 100 ký tự"),
    ({"position": "-5"}, "Nhập số nguyên từ 0 đến 100000"),
])
def test_rule_form_refuses_bad_input(as_admin, db, hoan_kiem, fields, message):
    db.session.add(Unit(code="don_vi_cu", name="Đơn vị cũ", active=False))
    db.session.commit()
    data = {"category": "bien_che", "province": "", "keyword": "", "unit": "moha_tcbc", "strategy": "none",
            "active": "y", **fields}
    response = as_admin.post("/admin/rules/new", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(db, RoutingRule) == 0


def test_rules_reorder_and_delete(as_admin, db, unit, commune_officer, make_ticket):
    first = RoutingRule(position=10, unit=unit, keyword="biên chế")
    second = RoutingRule(position=20, unit=db.session.scalar(select(Unit).where(Unit.code == "bo_tai_chinh")),
                         keyword="biên chế")
    db.session.add_all([first, second])
    db.session.commit()
    ticket = make_ticket(commune_officer)
    assert as_admin.post(f"/admin/rules/{second.id}/move/up").status_code == 302
    db.session.refresh(first), db.session.refresh(second)
    assert second.position < first.position
    refused = as_admin.post(f"/admin/rules/{second.id}/move/up", follow_redirects=True)  # already first
    assert "Không thể chuyển quy tắc này thêm nữa" in refused.get_data(as_text=True)
    db.session.refresh(first), db.session.refresh(second)
    assert second.position < first.position
    assert as_admin.post(f"/admin/rules/{first.id}/delete").status_code == 302
    assert count(db, RoutingRule) == 1
    db.session.refresh(ticket)
    assert ticket.routing_rule_id is None and ticket.lead_unit_id == unit.id


def test_rules_from_category_defaults(as_admin, db):
    as_admin.post("/admin/rules/from-categories")
    with_default = db.session.scalar(select(func.count(Category.id)).where(Category.default_unit_id.is_not(None)))
    assert count(db, RoutingRule) == with_default
    as_admin.post("/admin/rules/from-categories")
    assert count(db, RoutingRule) == with_default  # idempotent
    assert "Vụ Tổ chức" in as_admin.get("/admin/rules").get_data(as_text=True)


def test_posts_without_csrf_from_non_admins_reveal_nothing(csrf_client, csrf_login, triage_user, specialist):
    csrf_login(triage_user)
    response = csrf_client.post(f"/admin/users/{specialist.id}", data={"role": "admin"})
    assert response.status_code in (400, 404) and specialist.email not in response.get_data(as_text=True)


def test_admin_edit_pages_render(as_admin, db, specialist, unit):
    rule = RoutingRule(position=1, unit=unit, keyword="x")
    db.session.add(rule)
    db.session.commit()
    category = db.session.scalar(select(Category).where(Category.code == "bien_che"))
    for url in (f"/admin/users/{specialist.id}", f"/admin/units/{unit.id}", f"/admin/categories/{category.id}",
                f"/admin/rules/{rule.id}", "/admin/units/new", "/admin/categories/new", "/admin/rules/new"):
        response = as_admin.get(url)
        assert response.status_code == 200, url
    html = as_admin.get(f"/admin/users/{specialist.id}").get_data(as_text=True)
    assert html.count("selected") >= 2  # the role and the unit
    assert '<option selected value="moha_tcbc">' in html and '<option selected value="specialist">' in html
    assert '<option selected value="moha_tcbc">' in as_admin.get(f"/admin/rules/{rule.id}").get_data(as_text=True)
