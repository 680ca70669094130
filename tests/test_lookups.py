"""The pickers' JSON lookups: accent-insensitive, limited to what the user may use, a few rows at a time."""
import pytest
from sqlalchemy import select

from tracker.enums import Role
from tracker.models import Locality


def values(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [row["value"] for row in response.get_json()["results"]]


@pytest.fixture
def places(hoan_kiem, ba_dinh, ben_thanh, make_locality, hanoi):
    """Hà Nội with Hoàn Kiếm and Ba Đình, TP HCM with Bến Thành, and a commune whose name has đ."""
    return make_locality("00100", "Xã Đông Anh", hanoi)


def test_a_commune_is_found_with_or_without_accents(client, login, triage_user, places):
    login(triage_user)
    for typed in ["hoan kiem", "Hoàn Kiếm", "HOAN KIEM", "kiem hoan", "phuong hoan", "0007"]:
        assert values(client.get("/lookup/localities", query_string={"q": typed})) == ["00070"], typed


def test_d_with_stroke_folds_to_d(client, login, triage_user, places):
    login(triage_user)
    assert values(client.get("/lookup/localities?q=dong anh")) == ["00100"]
    assert values(client.get("/lookup/localities?q=Đông")) == ["00100"]


def test_each_result_names_its_province(client, login, triage_user, places):
    login(triage_user)
    (row,) = client.get("/lookup/localities?q=ben thanh").get_json()["results"]
    assert row == {"value": "26740", "text": "Phường Bến Thành", "detail": "Thành phố Hồ Chí Minh"}


def test_level_and_province_narrow_the_search(client, login, triage_user, places):
    login(triage_user)
    assert values(client.get("/lookup/localities?level=province")) == ["01", "79"]
    assert sorted(values(client.get("/lookup/localities?level=commune&province=01"))) == ["00004", "00070", "00100"]
    assert values(client.get("/lookup/localities?level=bogus&q=ben")) == ["26740"]
    assert values(client.get("/lookup/localities?province=99")) == []


def test_at_most_twenty_localities_come_back(client, login, triage_user, hanoi, db):
    db.session.add_all(Locality(code=f"5{n:04d}", name=f"Xã Thử {n}", level="commune", division_type="xã",
                                parent_id=hanoi.id) for n in range(30))
    db.session.commit()
    login(triage_user)
    assert len(values(client.get("/lookup/localities?q=thu"))) == 20


def test_a_province_coordinator_finds_only_its_province(client, login, province_coordinator, places):
    login(province_coordinator)
    assert values(client.get("/lookup/localities?q=ben thanh")) == []
    assert sorted(values(client.get("/lookup/localities"))) == ["00004", "00070", "00100", "01"]


def test_a_commune_officer_finds_only_its_commune(client, login, commune_officer, places):
    login(commune_officer)
    assert values(client.get("/lookup/localities")) == ["00070"]
    assert values(client.get("/lookup/localities?q=ba dinh")) == []


def test_odd_input_answers_json_not_an_error(client, login, triage_user, places):
    login(triage_user)
    for query in ["q=" + "x" * 5000, "q=%25%25_", "q=' OR 1=1 --", "q=<script>", "level=&q=", "province=" + "9" * 300]:
        response = client.get(f"/lookup/localities?{query}")
        assert response.status_code == 200 and isinstance(response.get_json()["results"], list), query


def test_units_categories_and_people_are_found_by_words(client, login, triage_user, specialist, make_user, unit):
    make_user(Role.SPECIALIST, unit=unit, name="Nguyễn Văn Đạt", active=False)
    login(triage_user)
    assert values(client.get("/lookup/units?q=to chuc bien che")) == ["moha_tcbc"]
    assert values(client.get("/lookup/categories?q=dat dai")) == ["dat_dai"]
    assert values(client.get("/lookup/users?q=chuyen vien tcbc")) == [str(specialist.id)]
    assert values(client.get("/lookup/users?q=dat")) == []  # deactivated people are never offered
    assert values(client.get("/lookup/users?unit=bo_tai_chinh")) == []
    assert values(client.get("/lookup/users?unit=moha_tcbc")) == [str(specialist.id)]


@pytest.mark.parametrize("who", ["commune_officer", "province_coordinator"])
def test_localities_get_no_team_lookups(client, login, request, who):
    login(request.getfixturevalue(who))
    for kind in ("units", "users"):
        response = client.get(f"/lookup/{kind}")
        assert response.status_code == 404 and "error" in response.get_json()


def test_forms_are_offered_only_active_categories(client, login, triage_user, db):
    from tracker.models import Category

    db.session.scalar(select(Category).where(Category.code == "dat_dai")).active = False
    db.session.commit()
    login(triage_user)
    assert values(client.get("/lookup/categories?q=dat dai")) == ["dat_dai"]  # filters find old obstacles
    assert values(client.get("/lookup/categories?q=dat dai&active=1")) == []


def test_a_locality_may_look_up_categories(client, login, commune_officer):
    login(commune_officer)
    assert "bien_che" in values(client.get("/lookup/categories?q=bien"))


def test_lookups_need_a_login_and_say_so_in_json(client):
    for kind in ("localities", "units", "users", "categories"):
        response = client.get(f"/lookup/{kind}")
        assert response.status_code == 401 and response.get_json()["error"]


def test_the_admins_forms_pick_localities_and_units_by_name(client, login, make_user, hoan_kiem, commune_officer):
    login(make_user(Role.ADMIN))
    html = client.get(f"/admin/users/{commune_officer.id}").get_data(as_text=True)
    assert 'data-lookup="/lookup/localities"' in html
    assert '<option selected value="00070">Phường Hoàn Kiếm</option>' in html
    rule = client.get("/admin/rules/new").get_data(as_text=True)
    assert 'data-lookup="/lookup/localities?level=province"' in rule and 'name="province"' in rule
    assert 'type="text"' not in rule.split('name="province"')[0].rsplit("<", 1)[1]  # a picker, not a code box
