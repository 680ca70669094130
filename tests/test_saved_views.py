"""Saved views: a named query string per user, shown on its queue and shareable as a link."""
import pytest
from sqlalchemy import func, select

from tracker import saved_views
from tracker.enums import Role
from tracker.models import SavedView

from .conftest import csrf_token_from


def save(client, name="Quá hạn Hà Nội", page="tickets", query="province=01&sla_state=breached"):
    return client.post("/saved-views", data={"name": name, "page": page, "query": query})


def test_a_saved_view_is_listed_on_its_page_with_its_link(client, login, triage_user, db):
    login(triage_user)
    response = save(client)
    assert response.status_code == 302 and response.location == "/tickets?province=01&sla_state=breached"
    html = client.get("/tickets").get_data(as_text=True)
    assert '<a class="me-auto saved-view-link" href="/tickets?province=01&amp;sla_state=breached">Quá hạn Hà Nội</a>' \
        in html
    assert "Quá hạn Hà Nội" not in client.get("/triage").get_data(as_text=True)  # another page's views


def test_the_link_shows_the_same_filters_to_a_colleague(client, login, triage_user, make_user):
    login(triage_user)
    save(client, query="urgency=hoa_toc&q=biên chế")
    link = client.get("/tickets").get_data(as_text=True).split('class="me-auto saved-view-link" href="')[1]
    link = link.split('"')[0].replace("&amp;", "&")
    login(make_user(Role.LEAD))
    html = client.get(link).get_data(as_text=True)
    assert '<option value="hoa_toc" selected>' in html and 'value="biên chế"' in html


def test_only_the_filters_are_kept(client, login, triage_user, db):
    login(triage_user)
    save(client, query="?status=new&page=4&evil=1&per_page=50&q=+dat+dai+&csrf_token=x")
    assert db.session.scalar(select(SavedView.query)) == "status=new&q=dat+dai&per_page=50"


def test_saving_again_under_a_name_replaces_the_view(client, login, triage_user, db):
    login(triage_user)
    save(client, name="Của tôi", query="assignee=me")
    save(client, name="  Của   tôi ", page="triage", query="sort=urgency")
    view = db.session.scalar(select(SavedView))
    assert (view.name, view.page, view.query) == ("Của tôi", "triage", "sort=urgency")
    assert db.session.scalar(select(func.count(SavedView.id))) == 1


@pytest.mark.parametrize("name, message", [("", "Trường này là bắt buộc"), ("   ", "Trường này là bắt buộc"),
                                           ("x" * 81, "Tối đa 80 ký tự")])
def test_a_bad_name_is_refused_and_nothing_saved(client, login, triage_user, db, name, message):
    login(triage_user)
    response = save(client, name=name)
    assert response.status_code == 302
    assert f"Chưa lưu được bộ lọc: {message}" in client.get(response.location).get_data(as_text=True)
    assert db.session.scalar(select(func.count(SavedView.id))) == 0


def test_a_name_of_spaces_alone_is_refused_by_the_domain(triage_user, db):
    from tracker.errors import DomainError

    with pytest.raises(DomainError) as refused:
        saved_views.save_view(triage_user, page="tickets", name=" \t ", query="")
    assert refused.value.field == "name"


def test_an_unknown_page_saves_a_view_of_the_general_list(client, login, triage_user, db):
    login(triage_user)
    save(client, page="../admin")
    assert db.session.scalar(select(SavedView.page)) == "tickets"


def test_too_long_filters_are_refused(client, login, triage_user, db):
    login(triage_user)
    response = save(client, query="q=" + "a" * 1200)
    assert "Bộ lọc quá dài" in client.get(response.location[:200]).get_data(as_text=True)
    assert db.session.scalar(select(func.count(SavedView.id))) == 0


def test_a_user_keeps_at_most_fifty_views(client, login, triage_user, db):
    db.session.add_all(SavedView(user_id=triage_user.id, page="tickets", name=f"V{n}", query="") for n in range(50))
    db.session.commit()
    login(triage_user)
    response = save(client, name="Một nữa")
    assert "Bạn đã lưu 50 bộ lọc" in client.get(response.location).get_data(as_text=True)


def test_one_deletes_only_ones_own_views(client, login, triage_user, make_user, db):
    login(triage_user)
    save(client)
    view = db.session.scalar(select(SavedView))
    login(make_user(Role.LEAD))
    assert client.post(f"/saved-views/{view.id}/delete").status_code == 404
    assert "Quá hạn Hà Nội" not in client.get("/tickets").get_data(as_text=True)  # not shown to others either
    login(triage_user)
    assert client.post(f"/saved-views/{view.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count(SavedView.id))) == 0
    assert client.post("/saved-views/999999/delete").status_code == 404


def test_a_locality_saves_views_of_its_list(client, login, commune_officer, db):
    login(commune_officer)
    save(client, name="Chờ bổ sung", query="status=awaiting_locality")
    assert "Chờ bổ sung" in client.get("/tickets").get_data(as_text=True)


def test_saving_and_deleting_need_the_csrf_token(csrf_client, csrf_login, triage_user, db):
    csrf_login(triage_user)
    assert csrf_client.post("/saved-views", data={"name": "x", "page": "tickets"}).status_code == 400
    token = csrf_token_from(csrf_client.get("/tickets").get_data(as_text=True))
    response = csrf_client.post("/saved-views", data={"name": "x", "page": "tickets", "csrf_token": token})
    assert response.status_code == 302
    view = db.session.scalar(select(SavedView))
    assert csrf_client.post(f"/saved-views/{view.id}/delete").status_code == 400
    assert db.session.get(SavedView, view.id) is not None


def test_clean_query_keeps_known_filters_in_a_stable_order():
    from werkzeug.datastructures import MultiDict

    args = MultiDict([("sort", "age"), ("status", "new"), ("page", "3"), ("x", "1"), ("q", " đất ")])
    assert saved_views.clean_query(args) == "status=new&q=%C4%91%E1%BA%A5t&sort=age"


def test_views_shown_from_the_process_copy_follow_every_change(client, login, triage_user, db):
    """A queue page lists its user's views without a statement while none has changed (data_version.VIEWS): a
    save, a delete or a statement written by hand shows at once."""
    from sqlalchemy import update

    from .conftest import counting_queries

    login(triage_user)
    save(client)
    client.get("/tickets")
    with counting_queries() as statements:
        assert "Quá hạn Hà Nội" in client.get("/tickets").text
    assert not any("FROM saved_views" in statement for statement in statements)
    db.session.execute(update(SavedView).values(name="Quá hạn toàn quốc"))
    db.session.commit()
    assert "Quá hạn toàn quốc" in client.get("/tickets").text
    view = db.session.scalar(select(SavedView))
    assert client.post(f"/saved-views/{view.id}/delete").status_code == 302
    assert "Quá hạn toàn quốc" not in client.get("/tickets").text
