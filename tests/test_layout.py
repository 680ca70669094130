"""The layout's shared parts (assets, the menu) are rendered once per process and key: every user still gets the
menu of their own permissions, language and page, and nothing of another user's."""
import re

from tracker.enums import Role


def menu_links(html: str) -> list[str]:
    menu = html[html.index('<ul class="navbar-nav'):html.index('<div class="nav-tools')]
    return re.findall(r'class="nav-link[^"]*" href="([^"]+)"', menu)


def menu_text(html: str) -> str:
    menu = html[html.index('<ul class="navbar-nav'):html.index('<div class="nav-tools')]
    return " ".join(re.findall(r'</i> ([^<]+)</a>', menu))


def active_link(html: str) -> str:
    return re.search(r'class="nav-link active" href="([^"]+)"', html).group(1)


def test_each_role_gets_its_own_menu_from_the_same_process(client, login, commune_officer, triage_user, make_user):
    login(commune_officer)
    commune_menu = menu_links(client.get("/tickets").text)
    login(triage_user)
    triage_menu = menu_links(client.get("/tickets").text)
    login(make_user(Role.ADMIN))
    admin_page = client.get("/tickets").text

    assert "/tickets/new" in commune_menu and "/triage" not in commune_menu
    assert "/triage" in triage_menu and "/tickets/new" not in triage_menu
    assert "/admin/users" in admin_page and "/admin/users" not in "".join(triage_menu)


def test_the_active_item_follows_the_page(client, login, triage_user):
    login(triage_user)
    assert active_link(client.get("/tickets").text) == "/tickets"
    assert active_link(client.get("/triage").text) == "/triage"
    assert active_link(client.get("/queue/mine").text) == "/queue/mine"


def test_the_menu_follows_the_language(client, login, triage_user):
    login(triage_user)
    client.get("/tickets")
    client.post("/lang/en", data={"next": "/tickets"})
    english = client.get("/tickets").text
    client.post("/lang/vi", data={"next": "/tickets"})
    vietnamese = client.get("/tickets").text

    assert 'lang="en"' in english and "Triage queue" in menu_text(english)
    assert "Triage queue" not in menu_text(vietnamese) and "Hàng chờ phân loại" in menu_text(vietnamese)


def test_a_users_own_parts_are_never_shared(client, login, triage_user, make_user):
    other = make_user(Role.TRIAGE, name="Người thứ hai")
    login(triage_user)
    first = client.get("/tickets").text
    login(other)
    second = client.get("/tickets").text

    assert "Người thứ hai" in second and "Người thứ hai" not in first
    assert "Phân loại" in first.split('class="user-name">')[1][:40]
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', page)) for page in (first, second)]
    assert tokens[0] and tokens[1] and not tokens[0] & tokens[1]


def test_triages_fresh_bulk_form_follows_the_language(client, login, triage_user):
    login(triage_user)
    vietnamese = client.get("/triage").text
    client.post("/lang/en", data={"next": "/triage"})
    english = client.get("/triage").text
    assert "With the selected obstacles" in english and "With the selected obstacles" not in vietnamese
    assert 'data-lookup="/lookup/units"' in english and 'data-lookup="/lookup/units"' in vietnamese
