"""Never a 500 on bad input: NUL bytes, integers past any column, absurd dates, endless text and broken
UTF-8, through every path, query parameter and form field of every HTML route, for every kind of visitor
(the JSON API is fuzzed on its own). Run on SQLite and on PostgreSQL, which refuses NUL in text."""
import re
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.enums import Role

from .conftest import PASSWORD, csrf_token_from
from .crawl import build_world, form_data, html_routes, path_values, query_names

BAD_VALUES = ["a\x00b", "99999999999999999999", "01/01/0001", "9999-12-31", "x" * 5000]  # fuzzing adds more
BROKEN_UTF8 = "%ED%A0%80%FF"  # a lone surrogate's bytes, then a byte no UTF-8 text has


@pytest.fixture
def world(db, make_user, make_ticket, commune_officer, province_coordinator, hoan_kiem):
    return build_world(db, make_user, make_ticket, commune_officer, province_coordinator, hoan_kiem)


@pytest.fixture(autouse=True)
def _errors_as_answers(app):
    """A server error comes back as a 500 answer, as in production, so a test lists every one of them."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    yield
    app.config["PROPAGATE_EXCEPTIONS"] = None


@pytest.fixture
def visitors(app, login, world, commune_officer):
    """An anonymous visitor, a commune officer and an admin, each with their own browser."""
    return {"anonymous": app.test_client(), "commune": login(commune_officer, test_client=app.test_client()),
            "admin": login(world["admin"], test_client=app.test_client())}


def _answers(client, route, values, value):
    """Every way `value` can reach the route: its path, every query parameter, every form field."""
    url = route.url(values)
    if route.params:
        yield "path", client.get(route.url({**values, **dict.fromkeys(route.params, value)}))
    if "GET" in route.methods:
        yield "query", client.get(url + "?" + urlencode(dict.fromkeys(query_names(), value)))
    if "POST" in route.methods:
        yield "form", client.post(url, data=form_data(value))
        yield "form with valid choices", client.post(url, data={**form_data(value, valid_choices=True),
                                                                "title": value, "body": value})


def _server_errors(client, routes, values, bad_values) -> list[str]:
    found = []
    for route in routes:
        for value in bad_values:
            found += [f"{route.rule} via {where} with {value[:30]!r}: {response.status_code}"
                      for where, response in _answers(client, route, values, value) if response.status_code >= 500]
    return found


@pytest.mark.parametrize("visitor", ["anonymous", "commune", "admin"])
def test_no_route_answers_500_to_bad_values(app, visitors, world, visitor):
    routes = [r for r in html_routes(app) if r.endpoint != "auth.logout"]
    errors = _server_errors(visitors[visitor], routes, path_values(world), BAD_VALUES)
    assert not errors, "\n".join(errors)


def test_no_route_answers_500_to_broken_utf8(app, visitors, world):
    client, errors = visitors["admin"], []
    for route in html_routes(app):
        url = route.url(path_values(world))
        if route.params:
            errors.append((route.rule, client.get(route.url({"*": "x"}).replace("x", BROKEN_UTF8)).status_code))
        if "GET" in route.methods:
            errors.append((route.rule, client.get(url + "?" + "&".join(f"{n}={BROKEN_UTF8}" for n in query_names()))
                           .status_code))
        if "POST" in route.methods and route.endpoint != "auth.logout":
            body = "&".join(f"{name}={BROKEN_UTF8}" for name in form_data(""))
            errors.append((route.rule, client.post(url, data=body, content_type="application/x-www-form-urlencoded")
                           .status_code))
    assert [e for e in errors if e[1] >= 500] == []


def test_a_nul_byte_in_the_login_form_is_refused_clearly(client, commune_officer):
    for data in ({"email": "a\x00@b.vn", "password": "x"}, {"email": commune_officer.email, "password": "\x00"}):
        response = client.post("/login", data=data)
        assert response.status_code == 400
        assert "ký tự không được phép" in response.get_data(as_text=True)


def test_a_nul_byte_anywhere_in_the_request_is_refused(client, login, commune_officer):
    login(commune_officer)
    assert client.get("/tickets?q=a%00b").status_code == 400
    assert client.get("/tickets/PUN-2026%00").status_code == 400
    assert client.post("/tickets/new", data={"title": "a\x00"}).status_code == 400


@pytest.mark.parametrize("url", ["/admin/users/99999999999999999999", "/admin/units/2147483648",
                                 "/admin/rules/99999999999999999999/move/up", "/admin/mail/outbox/4294967296/retry",
                                 "/tickets/PUN-2026-000001/attachments/99999999999999999999"])
def test_integers_past_the_columns_range_in_paths_are_not_found(client, login, make_user, url):
    login(make_user(Role.ADMIN))
    assert (client.post(url) if url.endswith(("up", "retry")) else client.get(url)).status_code == 404


@pytest.mark.parametrize("url", ["/tickets", "/triage", "/queue/mine", "/admin/users", "/admin/mail/outbox",
                                 "/admin/audit"])
def test_a_page_number_past_any_list_is_not_found(client, login, make_user, url):
    login(make_user(Role.ADMIN))
    assert client.get(url + "?page=99999999999999999999").status_code == 404
    assert client.get(url + "?page=-3").status_code == 200
    assert client.get(url + "?page=abc").status_code == 200


@pytest.mark.parametrize("value", ["01/01/0001", "0001-01-01", "9999-12-31", "31/12/9999"])
def test_absurd_dates_in_filters_are_ignored_with_a_note(client, login, triage_user, value):
    login(triage_user)
    for url in ("/tickets", "/triage", "/queue/mine"):
        for name in ("filed_from", "filed_to"):
            response = client.get(url, query_string={name: value})
            assert response.status_code == 200 and "không hiểu được" in response.get_data(as_text=True)


def test_a_form_without_its_csrf_token_on_a_route_the_user_may_not_use(csrf_client, commune_officer,
                                                                      make_ticket, make_user, hcm):
    ticket = make_ticket(commune_officer)
    stranger = make_user(Role.COMMUNE, make_user(Role.PROVINCE, hcm).locality)
    token = csrf_token_from(csrf_client.get("/login").get_data(as_text=True))
    csrf_client.post("/login", data={"email": stranger.email, "password": PASSWORD, "csrf_token": token})
    for url in (f"/triage/{ticket.reference}", f"/tickets/{ticket.reference}/messages", "/triage/new"):
        assert csrf_client.post(url, data={"body": "x"}).status_code == 404, url


def test_a_form_without_its_csrf_token_while_logged_out_asks_to_log_in(csrf_client, commune_officer, make_ticket):
    ticket = make_ticket(commune_officer)
    response = csrf_client.post(f"/tickets/{ticket.reference}/messages", data={"body": "x"})
    assert response.status_code in (302, 400) and response.status_code != 500


TEXT = st.one_of(st.text(max_size=40), st.integers(min_value=-(2**70), max_value=2**70).map(str),
                 st.dates().map(lambda d: d.strftime("%d/%m/%Y") if d.year >= 1000 else f"{d.day}/{d.month}/{d.year}"),
                 st.dates().map(str), st.sampled_from(["", " ", "\x00", "PUN-2026-000001", "00070", "moha_tcbc"]))


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_values_never_answer_500(app, visitors, world, data):
    routes = [r for r in html_routes(app) if r.endpoint != "auth.logout"]
    route = data.draw(st.sampled_from(routes), label="route")
    visitor = data.draw(st.sampled_from(["anonymous", "commune", "admin"]), label="visitor")
    values = {**path_values(world), **{p: data.draw(st.one_of(st.just(path_values(world).get(p, "x")), TEXT),
                                                    label=p) for p in route.params}}
    client, url = visitors[visitor], route.url(values)
    if "\x00" in url:  # refused whole; the rest of this example would teach nothing more
        assert client.get(url).status_code == 400
        return
    if "GET" in route.methods:
        query = {name: data.draw(TEXT, label=name) for name in data.draw(
            st.lists(st.sampled_from(query_names()), max_size=6, unique=True), label="query")}
        assert client.get(url, query_string=query).status_code < 500, (url, query)
    if "POST" in route.methods:
        fields = {name: data.draw(TEXT, label=name) for name in data.draw(
            st.lists(st.sampled_from(list(form_data(""))), max_size=8, unique=True), label="fields")}
        assert client.post(url, data=fields).status_code < 500, (url, fields)


def test_the_crawl_sees_every_route_of_the_app(app):
    """A route added later is fuzzed too: the crawl reads the URL map, not a list."""
    rules = {r.rule for r in html_routes(app)}
    assert {"/login", "/tickets/new", "/triage/<reference>", "/admin/audit", "/password/reset/<token>"} <= rules
    assert not any(re.match(r"^/(api|static)/", rule) for rule in rules)
