"""An obstacle's page content is kept per user, session, language and minute until its data changes
(views.pages.render_ticket_page): never stale after a write, never another user's or another session's."""
import re
import uuid

from tracker import data_version, workflow
from tracker.enums import Role
from tracker.models import Attachment
from tracker.tickets import post_message

from .conftest import PASSWORD, counting_queries, csrf_token_from


def token_of(html: str) -> str:
    return re.search(r'action="/tickets/[^"]+/messages"[^>]*>\s*<input[^>]*name="csrf_token"[^>]*value="([^"]+)"',
                     html).group(1)


def content(html: str) -> str:
    return html[html.index('<div class="ticket-head'):html.index('</main>')]


def test_a_kept_page_costs_only_the_users_statement(client, login, make_ticket, commune_officer):
    ticket = make_ticket(commune_officer, title="Vướng mắc biên chế")
    login(commune_officer)
    url = f"/tickets/{ticket.reference}"
    first = content(client.get(url).text)
    with counting_queries() as kept:
        assert content(client.get(url).text) == first
    data_version.clear()
    with counting_queries() as afresh:
        client.get(url)
    assert len(kept) == 1 < len(afresh)


def test_each_session_gets_forms_it_can_send(app, make_ticket, commune_officer, csrf_client):
    ticket = make_ticket(commune_officer, title="Vướng mắc biên chế")
    url = f"/tickets/{ticket.reference}"
    first, second = app.test_client(), app.test_client()  # CSRF is on (csrf_client)
    for session in (first, second):
        token = csrf_token_from(session.get("/login").text)
        session.post("/login", data={"email": commune_officer.email, "password": PASSWORD, "csrf_token": token})
    tokens = [token_of(session.get(url).text) for session in (first, second)]
    assert tokens[0] != tokens[1]
    sent = second.post(f"{url}/messages", data={"csrf_token": tokens[1], "body": "Bổ sung thông tin",
                                                "version": ticket.version})
    assert sent.status_code == 302
    assert "Bổ sung thông tin" in first.get(url).text  # the reply is shown at once to the other session


def test_what_another_user_may_not_see_stays_404(client, login, make_ticket, commune_officer, make_user, ba_dinh):
    ticket = make_ticket(commune_officer)
    login(commune_officer)
    assert client.get(f"/tickets/{ticket.reference}").status_code == 200
    login(make_user(Role.COMMUNE, ba_dinh))
    assert client.get(f"/tickets/{ticket.reference}").status_code == 404


def test_a_reply_a_file_and_a_link_show_at_once(client, login, make_ticket, commune_officer, triage_user, db):
    ticket, other = make_ticket(commune_officer, title="Vướng mắc chính"), make_ticket(commune_officer)
    login(commune_officer)
    url = f"/tickets/{ticket.reference}"
    client.get(url)
    post_message(triage_user, ticket, body="Bộ đã nhận được")
    db.session.commit()
    assert "Bộ đã nhận được" in client.get(url).text
    db.session.add(Attachment(ticket_id=ticket.id, uploaded_by_id=commune_officer.id, original_name="to-trinh.pdf",
                              stored_name=uuid.uuid4().hex, content_type="application/pdf", size=100))
    db.session.commit()
    assert "to-trinh.pdf" in client.get(url).text
    login(triage_user)
    client.get(url)
    workflow.link(triage_user, ticket, other=other)
    db.session.commit()
    assert other.reference in client.get(url).text
