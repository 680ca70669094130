"""Suggestions for triage: the open obstacles and systemic issues most similar to an obstacle, linkable in one
click, on its page and in the triage queue; never for localities, never what the user may not see."""
import pytest
from sqlalchemy import select

from tracker.enums import Role, Status
from tracker.models import SystemicIssue
from tracker.search.similar import Text, features, look_alike_groups, overlap, similar_to_ticket
from tracker.systemic import create_issue

SAME = ("Vướng mắc xác định biên chế công chức cấp xã sau sắp xếp",
        "Đề nghị hướng dẫn cách tính biên chế công chức khi hợp nhất hai xã.")


def test_features_keep_distinctive_syllables_and_their_pairs():
    found = features(["vuong", "mac", "ve", "bien", "che", "cong", "chuc"])
    assert {"bien", "che", "cong", "chuc", "bien che", "cong chuc"} <= found
    assert "vuong" not in found and "vuong mac" not in found and "ve" not in found
    assert overlap(found, found) == 1.0 and overlap(found, set()) == 0.0


def test_the_same_question_in_other_words_scores_higher_than_another_topic():
    asked = Text.from_text(*SAME)
    again = Text.from_text("Xác định biên chế công chức cấp xã khi sắp xếp", "Cách tính biên chế công chức.")
    other = Text.from_text("Con dấu của xã mới", "Xin hướng dẫn khắc con dấu.")
    assert asked.score(again) > 0.4 > 0.1 > asked.score(other)


@pytest.fixture
def filed(commune_officer, make_user, make_ticket, ba_dinh, ben_thanh):
    near = make_ticket(make_user(Role.COMMUNE, ba_dinh), title=SAME[0], description=SAME[1])
    far = make_ticket(make_user(Role.COMMUNE, ben_thanh), title="Con dấu của xã mới",
                      description="Xin hướng dẫn khắc con dấu.")
    ours = make_ticket(commune_officer, title="Xác định biên chế công chức cấp xã khi sắp xếp",
                       description="Cách tính biên chế công chức khi hợp nhất xã.")
    return ours, near, far


def test_an_obstacle_page_offers_triage_the_similar_one_and_one_click_makes_both_an_issue(client, login, triage_user,
                                                                                        filed, db):
    ours, near, far = filed
    login(triage_user)
    html = client.get(f"/tickets/{ours.reference}").get_data(as_text=True)
    panel = html[html.index("systemic-suggestions"):]
    assert near.reference in panel and far.reference not in panel and "Gộp cả hai thành một vấn đề chung" in panel
    response = client.post("/systemic", data={"title": ours.title, "tickets": [ours.reference, near.reference]})
    assert response.status_code == 302
    issue = db.session.scalar(select(SystemicIssue))
    assert sorted(t.id for t in issue.tickets) == sorted([ours.id, near.id])


def test_an_obstacle_in_an_issue_is_offered_as_its_issue(triage_user, filed, make_ticket, commune_officer, db):
    ours, near, _far = filed
    issue = create_issue(triage_user, title="Biên chế cấp xã", tickets=[near])
    db.session.commit()
    found = similar_to_ticket(triage_user, ours)
    assert [(s.issue, s.ticket) for s in found] == [(issue, None)]
    assert [(s.issue, s.ticket) for s in similar_to_ticket(triage_user, near)] == [(None, ours)]  # never its own


def test_finished_obstacles_outside_an_issue_are_not_offered(triage_user, filed, db):
    ours, near, _far = filed
    near.status = Status.CLOSED.value
    db.session.commit()
    assert similar_to_ticket(triage_user, ours) == []


def test_localities_get_no_suggestions(client, login, commune_officer, filed):
    login(commune_officer)
    assert "systemic-suggestions" not in client.get(f"/tickets/{filed[0].reference}").get_data(as_text=True)


def test_the_triage_queue_groups_look_alike_rows_and_rows_like_an_open_issue(client, login, triage_user, filed,
                                                                            commune_officer, make_ticket, db):
    ours, near, far = filed
    assert [sorted(t.id for t in g) for g in look_alike_groups([ours, near, far])] == [sorted([ours.id, near.id])]
    create_issue(triage_user, title="Con dấu của xã mới sau sắp xếp", tickets=[
        make_ticket(commune_officer, title="Con dấu của xã")])
    db.session.commit()
    login(triage_user)
    html = client.get("/triage").get_data(as_text=True)
    panel = html[html.index("systemic-suggestions"):html.index("</section>", html.index("systemic-suggestions"))]
    assert "Gộp thành một vấn đề chung" in panel and ours.reference in panel and near.reference in panel
    assert f"{far.reference}</a>\n        <span class=\"text-muted\">giống với</span>" in panel


def test_the_triage_queue_query_count_does_not_grow_with_look_alike_rows(page_queries, login, triage_user,
                                                                        commune_officer, make_ticket):
    login(triage_user)
    make_ticket(commune_officer, title=SAME[0], description=SAME[1])
    make_ticket(commune_officer, title=SAME[0], description=SAME[1])
    two = page_queries("/triage")
    for _ in range(5):
        make_ticket(commune_officer, title=SAME[0], description=SAME[1])
    assert page_queries("/triage") == two


def test_an_obstacles_suggestions_are_kept_until_tickets_change(client, login, triage_user, filed, make_user,
                                                                  make_ticket, hcm):
    """The search and scoring behind the suggestions run once per data version: a second look only loads the
    few suggested, and an obstacle filed meanwhile is offered at once."""
    from .conftest import counting_queries

    ours, near, _far = filed
    login(triage_user)
    url = f"/tickets/{ours.reference}"
    client.get(url)
    with counting_queries() as statements:
        panel = client.get(url).get_data(as_text=True).split("systemic-suggestions", 1)[1]
    assert near.reference in panel
    assert not [s for s in statements if "search_documents" in s.lower()]
    later = make_ticket(make_user(Role.COMMUNE, hcm), title="Biên chế công chức cấp xã khi sắp xếp, hợp nhất",
                        description="Cách tính biên chế công chức cấp xã.")
    assert later.reference in client.get(url).get_data(as_text=True).split("systemic-suggestions", 1)[1]
