"""Every HTML route with every parameter it may read: what the escaping and bad-input tests walk through.

Routes come from the app's URL map; query-parameter names from the code that reads `request.args` (and the
queue filters); form-field names from every FlaskForm of the views plus the plain `request.form` reads. So a
route or field added later is crawled without anyone remembering to list it.
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib
import io
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flask import current_app
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from wtforms.fields import FileField
from wtforms.fields.core import UnboundField

import tracker.views
from tracker import attachments, catalog, password_reset
from tracker.enums import Role
from tracker.mail.outbox import enqueue
from tracker.models import Category, Unit
from tracker.queries import FILTER_KEYS
from tracker.worktime import overrides, policies

PACKAGE = Path(tracker.views.__file__).resolve().parent.parent
SKIPPED_ENDPOINTS = {"static", "bootstrap.static"}
_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_ARGS_READ = re.compile(r"args\.get(?:list)?\(\s*\"(\w+)\"")
_FORM_READ = re.compile(r"form\.get(?:list)?\(\s*f?\"(\w+)")

# Values a form accepts for its choice fields, so a request gets past validation to the domain code.
VALID_CHOICES = {
    "category": "bien_che", "urgency": "normal", "locality": "00070", "outcome": "answered", "score": "5",
    "kind": "off", "channel": "dispatch", "role": "commune", "strategy": "none", "action": "urgency",
    "unit": "moha_tcbc", "lead_unit": "moha_tcbc", "default_unit": "moha_tcbc", "position": "5",
    "first_response_hours": "8", "answer_hours": "16", "day": "02/01/2030", "incoming_doc_date": "01/01/2026",
    "email": "new.user@example.gov.vn", "week": "2026-W01", "is_external": "y", "active": "y",
}


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    methods: frozenset[str]
    converters: dict

    def url(self, values: dict) -> str:
        """The path with each <param> replaced by values[param] (quoted), or by values["*"] when absent."""
        return _PARAM.sub(lambda m: quote(str(values.get(m.group(2), values.get("*"))), safe=""), self.rule)

    @property
    def params(self) -> list[str]:
        return [m.group(2) for m in _PARAM.finditer(self.rule)]


def html_routes(app) -> list[Route]:
    """Every route of the HTML app (the JSON API is tested on its own)."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS or rule.rule.startswith("/api/"):
            continue
        converters = {name: type(conv).__name__ for name, conv in rule._converters.items()}
        routes.append(Route(rule.endpoint, rule.rule, frozenset(rule.methods - {"HEAD", "OPTIONS"}), converters))
    return sorted(routes, key=lambda r: (r.rule, r.endpoint))


@functools.cache
def _sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))


def _view_forms() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(tracker.views.__path__, "tracker.views."):
        importlib.import_module(module.name)
    found, pending = [], list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        found.append(form)
        pending.extend(form.__subclasses__())
    return found


@functools.cache
def _form_fields() -> dict[str, bool]:
    """Every form field name -> whether it is a file field."""
    fields = {}
    for form in _view_forms():
        for name in dir(form):
            value = getattr(form, name, None)
            if isinstance(value, UnboundField):
                fields[name] = fields.get(name, False) or issubclass(value.field_class, FileField)
    return fields


@functools.cache
def form_field_names() -> tuple[str, ...]:
    names = {name for name, is_file in _form_fields().items() if not is_file}
    names |= set(_FORM_READ.findall(_sources())) | {"seen_event"}
    return tuple(sorted(names - {"csrf_token"}))


def file_field_names() -> list[str]:
    return sorted(name for name, is_file in _form_fields().items() if is_file)


@functools.cache
def query_names() -> tuple[str, ...]:
    """Query-string names read anywhere, the queue filters, and every form field (GET forms read the query)."""
    return tuple(sorted(set(_ARGS_READ.findall(_sources())) | set(FILTER_KEYS) | {"page"} | set(form_field_names())))


def form_data(value, *, valid_choices: bool = False, file_name: str | None = None,
              file_content: bytes = b"MZ\x90\x00 not a document") -> dict:
    """Every form field set to `value` (choice fields valid when asked), plus a file in every file field."""
    data = dict.fromkeys(form_field_names(), value)
    if valid_choices:
        data.update(VALID_CHOICES)
    if file_name is not None:
        for name in file_field_names():
            data[name] = [(io.BytesIO(file_content), file_name)]
    return data


def path_values(world: dict) -> dict:
    """Real values for every path parameter, so a request reaches the page behind it."""
    return {"reference": world["ticket"].reference, "unit_id": world["unit"].id,
            "category_id": world["category"].id, "rule_id": world["rule"].id, "user_id": world["user"].id,
            "policy_id": world["policy"].id, "message_id": world["outbox"].id,
            "attachment_id": world["attachment"].id, "day": "2030-01-02", "direction": "down", "code": "en",
            "token": world["reset_token"]}


def build_world(db, make_user, make_ticket, commune_officer, province_coordinator, hoan_kiem) -> dict:
    """One of everything a route can name: a ticket with a file, a rule, an override, a policy, an email."""
    admin = make_user(Role.ADMIN, name="Quản trị")
    ticket = make_ticket(commune_officer, title="Vướng mắc biên chế")
    make_ticket(province_coordinator, hoan_kiem, title="Kiến nghị thứ hai")
    uploads = attachments.check_files([FileStorage(io.BytesIO(b"%PDF-1.7\n%%EOF\n"), "cong-van.pdf")])
    attachment = attachments.store(uploads, ticket=ticket, user=commune_officer)[0]
    unit = db.session.scalar(select(Unit).where(Unit.code == "moha_tcbc"))
    category = db.session.scalar(select(Category).where(Category.code == "bien_che"))
    rule = catalog.save_rule(None, position=None, category=category, province=None, keyword=None, unit=unit,
                             strategy="none")
    catalog.save_rule(None, position=None, category=None, province=hoan_kiem.parent, keyword=None, unit=unit,
                      strategy="none")
    overrides.set_override(dt.date(2030, 1, 2), False, "Nghỉ bù")
    policy = policies.save_policy("thuong", category, 8, 40)
    outbox = enqueue("crawl:1", "nguoi.nhan@example.gov.vn", "Thông báo", "x")
    db.session.commit()
    with current_app.test_request_context():
        token = password_reset._serializer().dumps(
            {"u": commune_officer.id, "f": password_reset._fingerprint(commune_officer), "t": "crawl"})
    return {"admin": admin, "ticket": ticket, "attachment": attachment, "unit": unit, "category": category,
            "rule": rule, "policy": policy, "outbox": outbox, "user": commune_officer, "reset_token": token}
