"""Full-text search: accent-insensitive words over title, description, replies and answers, on a real index
kept in step by the application; only what the user may see; ranked, highlighted, paginated."""
import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from tracker.enums import Role, Status
from tracker.models import Category, SearchDocument, Ticket
from tracker.search import query
from tracker.search.highlight import highlight, snippet
from tracker.text import _fold_slowly, fold, words
from tracker.tickets import post_message
from tracker.workflow import answer, mark_duplicate

from .conftest import counting_queries


def refs(html: str, tickets) -> list[str]:
    """The references of `tickets` the page shows, in page order."""
    found = [(html.find(t.reference), t.reference) for t in tickets]
    return [r for pos, r in sorted(found) if pos >= 0]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_fast_folding_equals_the_definition(text):
    assert fold(text) == _fold_slowly(text)


def test_words_fold_accents_and_d_and_split_on_punctuation():
    assert words("ĐẤT ĐAI, hồ sơ địa chính — 150/2025/NĐ-CP") == [
        "dat", "dai", "ho", "so", "dia", "chinh", "150", "2025", "nd", "cp"]
    assert words(unicodedata.normalize("NFD", "Biên chế")) == ["bien", "che"]


def test_highlight_marks_accented_words_and_escapes_the_rest():
    marked = highlight("Hồ sơ <b>địa chính</b> & ĐẤT ĐAI", ["dia", "chinh", "dat"])
    assert str(marked) == ("Hồ sơ &lt;b&gt;<mark>địa</mark> <mark>chính</mark>&lt;/b&gt; &amp; "
                           "<mark>ĐẤT</mark> ĐAI")
    decomposed = unicodedata.normalize("NFD", "Địa chính")
    assert str(highlight(decomposed, ["chinh"])).endswith(f"<mark>{unicodedata.normalize('NFD', 'chính')}</mark>")


def test_snippet_shows_the_first_text_with_a_match_around_the_word():
    long = "mở đầu " * 60 + "hồ sơ địa chính" + " kết thúc" * 60
    marked = str(snippet(["không liên quan", long], ["chinh"]))
    assert "<mark>chính</mark>" in marked and marked.startswith("… ") and marked.endswith(" …")
    assert len(marked) < 400
    assert snippet(["không có"], ["chinh"]) is None


@pytest.fixture
def filed(commune_officer, make_user, make_ticket, ba_dinh, ben_thanh, db):
    """Three localities' obstacles: Hoàn Kiếm (ours), Ba Đình (a sibling commune), Bến Thành (another province)."""
    ours = make_ticket(commune_officer, title="Vướng mắc về Đất đai", description="Hồ sơ địa chính của phường.")
    sibling = make_ticket(make_user(Role.COMMUNE, ba_dinh), title="Đất đai ở Ba Đình", description="Địa chính.")
    far = make_ticket(make_user(Role.COMMUNE, ben_thanh), title="Đất đai phía nam", description="Địa chính xa.")
    return ours, sibling, far


def test_dia_chinh_finds_dia_chinh_in_a_description_and_dat_dai_finds_the_title(client, login, triage_user, filed):
    login(triage_user)
    html = client.get("/search?q=dia+chinh").get_data(as_text=True)
    assert sorted(refs(html, filed)) == sorted(t.reference for t in filed)
    assert "<mark>địa</mark> <mark>chính</mark>" in html
    html = client.get("/search?q=dat+dai").get_data(as_text=True)
    assert "<mark>Đất</mark> <mark>đai</mark>" in html and len(refs(html, filed)) == 3


@pytest.mark.parametrize("who,expected", [("commune_officer", "o"), ("province_coordinator", "os"),
                                          ("triage_user", "osf")])
def test_search_shows_only_what_the_user_may_see(client, login, request, filed, who, expected):
    login(request.getfixturevalue(who))
    html = client.get("/search?q=dia+chinh").get_data(as_text=True)
    named = dict(zip("osf", filed, strict=True))
    assert sorted(refs(html, filed)) == sorted(named[k].reference for k in expected)


def test_a_locality_finds_the_main_obstacle_its_own_was_merged_into(client, login, commune_officer, triage_user,
                                                                   filed, db):
    ours, sibling, _far = filed
    mark_duplicate(triage_user, ours, version=ours.version, main=sibling)
    db.session.commit()
    login(commune_officer)
    assert refs(client.get("/search?q=ba+dinh").get_data(as_text=True), filed) == [sibling.reference]
    assert refs(client.get("/tickets?q=ba+dinh").get_data(as_text=True), filed) == [sibling.reference]


def test_replies_and_answers_are_found_internal_notes_never(client, login, triage_user, commune_officer, filed,
                                                           specialist, unit, db):
    ours = filed[0]
    post_message(triage_user, ours, body="Xin gửi thêm quyết định thành lập", internal=False)
    post_message(triage_user, ours, body="Ghi chú bí mật về ngân sách", internal=True)
    ours.lead_unit, ours.status = unit, Status.IN_PROGRESS.value
    db.session.flush()
    answer(specialist, ours, version=ours.version, body="Thực hiện theo Thông tư 24", outcome="answered")
    db.session.commit()
    for user in (triage_user, commune_officer):
        login(user)
        assert refs(client.get("/search?q=quyet+dinh+thanh+lap").get_data(as_text=True), filed) == [ours.reference]
        assert refs(client.get("/search?q=thong+tu+24").get_data(as_text=True), filed) == [ours.reference]
        assert refs(client.get("/search?q=bi+mat").get_data(as_text=True), filed) == []


def test_title_changes_are_reindexed_in_the_same_transaction(triage_user, filed, db):
    ours = filed[0]
    ours.title = "Con dấu mới"
    db.session.flush()
    found = db.session.scalars(query.candidate_ids(query.match_for(triage_user, ["con", "dau"]))).all()
    assert found == [ours.id]
    document = db.session.get(SearchDocument, ours.id)
    assert document.title == "con dau moi" and document.scope == f"l{ours.locality_id} p{ours.province_id}"


def test_a_title_match_ranks_above_a_description_match(client, login, triage_user, commune_officer, make_ticket):
    in_body = make_ticket(commune_officer, title="Hỏi về nhân sự", description="Liên quan con dấu của xã.")
    in_title = make_ticket(commune_officer, title="Con dấu của xã", description="Nhân sự.")
    login(triage_user)
    html = client.get("/search?q=con+dau").get_data(as_text=True)
    assert refs(html, [in_body, in_title]) == [in_title.reference, in_body.reference]
    html = client.get("/search?q=con+dau&sort=age").get_data(as_text=True)  # a chosen sort wins over the rank
    assert refs(html, [in_body, in_title]) == [in_body.reference, in_title.reference]


def test_filters_apply_to_search_results(client, login, triage_user, filed):
    login(triage_user)
    html = client.get("/search?q=dia+chinh&province=79").get_data(as_text=True)
    assert refs(html, filed) == [filed[2].reference]


@pytest.mark.parametrize("q,status,message", [
    ("", 200, "Hãy gõ những từ bạn cần tìm."),
    ("đất " * 500, 422, "Nội dung tìm kiếm quá dài (tối đa 200 ký tự)."),
    ("!!! ---", 422, "Hãy gõ các từ gồm chữ cái hoặc chữ số."),
])
def test_empty_too_long_or_wordless_queries_get_a_clear_message(client, login, triage_user, filed, q, status,
                                                                message):
    login(triage_user)
    response = client.get("/search", query_string={"q": q})
    html = response.get_data(as_text=True)
    assert response.status_code == status and message in html
    assert refs(html, filed) == []


def test_markup_in_a_query_is_shown_escaped(client, login, triage_user, filed):
    login(triage_user)
    html = client.get("/search", query_string={"q": '<script>alert(1)</script> đất"'}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_q_searches_full_text_in_the_lists_and_the_api(client, login, triage_user, filed, db):
    from tracker.accounts import issue_token

    login(triage_user)
    assert len(refs(client.get("/tickets?q=dia+chinh").get_data(as_text=True), filed)) == 3
    assert len(refs(client.get("/triage?q=dia+chinh&province=01").get_data(as_text=True), filed)) == 2
    token = issue_token(triage_user)
    db.session.commit()
    items = client.get("/api/v1/tickets?q=phi%CC%81a+nam", headers={"Authorization": f"Bearer {token}"}).json["items"]
    assert [i["reference"] for i in items] == [filed[2].reference]


def test_a_search_that_reaches_the_limit_says_so(client, login, triage_user, filed, monkeypatch):
    monkeypatch.setattr(query, "CANDIDATES", 2)
    login(triage_user)
    html = client.get("/search?q=dat+dai").get_data(as_text=True)
    assert "Chỉ tìm trong 2 kiến nghị mới nhất" in html and len(refs(html, filed)) == 2
    assert filed[0].reference not in html  # the newest two
    assert "Chỉ tìm trong 2 kiến nghị mới nhất" in client.get("/tickets?q=dat+dai").get_data(as_text=True)


def test_the_search_page_query_count_does_not_grow_with_its_rows(page_queries, login, triage_user, commune_officer,
                                                                make_ticket):
    login(triage_user)
    make_ticket(commune_officer, title="Phụ cấp công vụ")
    one = page_queries("/search?q=phu+cap")
    for n in range(6):
        make_ticket(commune_officer, title=f"Phụ cấp công vụ {n}", description="Phụ cấp.")
    assert page_queries("/search?q=phu+cap") == one


def test_reindex_builds_documents_for_rows_inserted_in_bulk(app, db, commune_officer, hoan_kiem, triage_user):
    category = db.session.scalar(select(Category).where(Category.code == "bien_che"))
    now = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    db.session.execute(insert(Ticket), [{
        "reference": f"PUN-2026-9{n:05d}", "year": 2026, "seq": 900000 + n, "locality_id": hoan_kiem.id,
        "province_id": hoan_kiem.parent_id, "created_by_id": commune_officer.id, "category_id": category.id,
        "title": f"Nhà công vụ số {n}", "description": "Chỗ ở cho cán bộ luân chuyển", "created_at": now,
        "updated_at": now} for n in range(5)])
    db.session.commit()
    match = query.match_for(triage_user, ["luan", "chuyen"])
    assert db.session.scalars(query.candidate_ids(match)).all() == []
    result = app.test_cli_runner().invoke(args=["search", "reindex", "--batch", "100"])
    assert result.exit_code == 0, result.output
    assert "Indexed 5 obstacles." in result.output
    assert len(db.session.scalars(query.candidate_ids(match)).all()) == 5
    again = app.test_cli_runner().invoke(args=["search", "reindex"])  # idempotent, nothing rewritten
    assert again.exit_code == 0 and len(db.session.scalars(query.candidate_ids(match)).all()) == 5


def test_a_province_search_reads_its_own_scope_in_the_word_index(province_coordinator, filed, db):
    """The scope token narrows inside the index: the candidates are the province's own, never the country's."""
    match = query.match_for(province_coordinator, ["dia", "chinh"])
    assert match.token == f"p{province_coordinator.locality_id}"
    with counting_queries() as statements:
        found = db.session.scalars(query.candidate_ids(match)).all()
    assert sorted(found) == sorted(t.id for t in filed[:2]) and len(statements) == 1
