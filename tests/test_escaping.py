"""No markup from translated messages: markup sent through any query parameter, form field, path or file name
comes back as text, on every page, for every role."""
import json
from urllib.parse import urlencode

import pytest
from flask import render_template_string
from flask_babel import force_locale, lazy_gettext
from markupsafe import escape

from tracker.enums import Role

from .crawl import build_world, form_data, html_routes, path_values, query_names

MARKUP = "<base href=//x>"
FILE_MARKUP = "<img src=x onerror=alert(1)>"  # no slash: a file name loses everything before one


@pytest.fixture
def world(db, make_user, make_ticket, commune_officer, province_coordinator, hoan_kiem):
    return build_world(db, make_user, make_ticket, commune_officer, province_coordinator, hoan_kiem)


def test_a_lazy_message_interpolating_markup_renders_it_as_text(app):
    message = lazy_gettext("The file %(name)s is empty.", name="<script>alert(1)</script>")
    with app.test_request_context():
        html = render_template_string("{{ message }}", message=message)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_value_escaped_by_its_caller_is_not_escaped_twice(app):
    message = lazy_gettext("The file %(name)s is empty.", name=escape("<b>a & b</b>"))
    with app.test_request_context():
        html = render_template_string("{{ message }}", message=message)
    assert "&lt;b&gt;a &amp; b&lt;/b&gt;" in html and "&amp;lt;" not in html


def test_json_carries_a_lazy_message_as_plain_text(app):
    with app.test_request_context(), force_locale("en"):
        body = app.json.dumps({"outcome": lazy_gettext("Within the province's competence"), "n": 1})
    assert json.loads(body) == {"outcome": "Within the province's competence", "n": 1}


def test_the_date_filter_note_shows_markup_as_text(client, login, commune_officer):
    login(commune_officer)
    page = client.get("/tickets?" + urlencode({"filed_from": MARKUP})).get_data(as_text=True)
    assert MARKUP not in page and "&lt;base href=//x&gt;" in page


def _crawl(client, routes, values, *, files: bool) -> list[str]:
    """Every GET with every query parameter set to MARKUP, every POST with every field (and file name) set to
    it; what answered with the markup unescaped."""
    leaks = []
    query = urlencode(dict.fromkeys(query_names(), MARKUP))
    for route in routes:
        url = route.url(values)
        answers = []
        if "GET" in route.methods:
            answers.append(("GET with markup in the query", client.get(url + "?" + query)))
            if route.params:
                answers.append(("GET with markup in the path", client.get(route.url({"*": MARKUP}))))
        if "POST" in route.methods:
            answers.append(("POST, markup in every field", client.post(url, data=form_data(MARKUP))))
            data = form_data(MARKUP, valid_choices=True, file_name=FILE_MARKUP + ".exe" if files else None)
            answers.append(("POST, markup in text and file name",
                            client.post(url, data=data, content_type="multipart/form-data")))
        leaks += [f"{route.rule}: {variant} -> {response.status_code}" for variant, response in answers
                  if MARKUP in response.get_data(as_text=True) or FILE_MARKUP in response.get_data(as_text=True)]
    return leaks


@pytest.mark.parametrize("role", ["anonymous", Role.COMMUNE, Role.ADMIN])  # admin sees every team page
def test_markup_through_every_parameter_of_every_page_comes_back_escaped(app, client, login, world, role,
                                                                          commune_officer):
    if role != "anonymous":
        login(commune_officer if role is Role.COMMUNE else world["admin"])
    routes = [r for r in html_routes(app) if r.endpoint not in ("auth.logout", "auth.set_language")]
    leaks = _crawl(client, routes, path_values(world), files=True)
    # What the POSTs saved is shown on the pages afterwards: as text too.
    leaks += _crawl(client, [r for r in routes if "GET" in r.methods], path_values(world), files=False)
    assert not leaks, "markup came back unescaped:\n" + "\n".join(leaks)
