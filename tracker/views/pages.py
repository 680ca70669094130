"""Page renderers several blueprints share: an obstacle's page (shown again by every action that fails)
and the queue pages."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .. import choices, data_version, permissions, queries, saved_views
from ..enums import SLA_LABELS, STATUS_LABELS, URGENCY_LABELS, Status
from ..i18n import translations
from ..models import Ticket, utcnow
from ..paging import PAGE_SIZES, BoundedPage, page_size
from ..search import similar
from ..worktime.calendar import request_calendar
from ..worktime.days import ages
from .history import EventNames
from .tickets.forms import ActionForm, MessageForm
from .triage.forms import TriageForm
from .workflow.forms import fresh_forms

PICKED_FILTERS = ("category", "province", "commune", "unit", "assignee")


def render_ticket(ticket, message_form=None, triage_form=None, status=200, action_form=None,
                  changed_meanwhile=None, **workflow_forms):
    """An obstacle's page with the given forms (an action refused shows them again as typed)."""
    content = ticket_content(ticket, message_form, triage_form, action_form, changed_meanwhile, **workflow_forms)
    return render_template("tickets/show.html", reference=ticket.reference, content=content), status


def render_ticket_page(reference: str):
    """GET of an obstacle's page (404 for what the user may not see). Its content is kept in this process for
    the next GETs with the same key: any write to tickets, their messages, events, files and links, to systemic
    issues or to the reference data, and the next minute (working time left; names of people and units changed
    meanwhile show within it), make it miss. The key holds the user (what they may see and do) and their
    session's CSRF secret (the content's forms carry tokens made from it, valid for that session only)."""
    user = current_user

    def content() -> Markup:
        return ticket_content(permissions.get_visible_ticket(user, reference, options=queries.TICKET_PAGE_LOADS))

    html = data_version.cached(kept_key("ticket page", reference, session_secret()), content)
    return render_template("tickets/show.html", reference=reference, content=html)


def kept_key(*key) -> tuple:
    """The key of a page kept in this process (data_version.cached adds the tickets' version): `key`, then what
    every kept page depends on besides: the user (what they may see and do), language, root, the reference
    data's version (names, the calendar) and the minute (ages and working time move with the clock; names of
    people, units and localities changed meanwhile show within it)."""
    user = current_user
    return (*key, user.id, user.role, user.locality_id, user.unit_id, str(get_locale()), request.script_root,
            data_version.seen(data_version.REFERENCE), utcnow().replace(second=0, microsecond=0))


def session_secret() -> tuple:
    """Flask-WTF's secret of this session, which its forms' tokens are made from (made now if this is the
    session's first form: the layout's forms need one anyway), and whether tokens are asked for: in the key of
    what is kept with forms in it, so that a session only ever gets tokens it can send back."""
    generate_csrf()
    return (session[current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")],
            current_app.config.get("WTF_CSRF_ENABLED", True))


def ticket_content(ticket, message_form=None, triage_form=None, action_form=None, changed_meanwhile=None,
                   **workflow_forms) -> Markup:
    """The page below the layout: the obstacle, its actions with their forms, messages, files and history."""
    user = current_user
    message_form = message_form or MessageForm(version=ticket.version, formdata=None)
    if triage_form is None and permissions.can_set_triage_fields(user, ticket):
        triage_form = TriageForm.for_ticket(ticket)
    events = queries.ticket_events(user, ticket)
    files = ticket.attachments  # one statement for the obstacle's files and its messages'
    linked, duplicates = queries.related_tickets(user, ticket)
    return Markup(render_template(
        "tickets/_page.html", ticket=ticket, actions=ticket_actions(user, ticket, triage_form is not None),
        messages=queries.ticket_messages(user, ticket, files),
        events=events, history=EventNames(events + list(changed_meanwhile or [])),
        message_form=message_form, triage_form=triage_form,
        action_form=action_form or ActionForm(version=ticket.version, formdata=None),
        seen_event=max((e.id for e in events), default=0), changed_meanwhile=changed_meanwhile,
        ticket_files=[f for f in files if f.message_id is None], linked=linked, duplicates=duplicates,
        **fresh_forms(ticket, **workflow_forms),
    ))


# Every action of an obstacle's page, in the order it is offered, with who may take it.
ACTIONS = {
    "triage": None,  # the triage form is there or not (render_ticket decides)
    "answer": permissions.can_answer,
    "confirm": permissions.can_confirm,
    "rate": permissions.can_rate,
    "ask": permissions.can_ask_locality,
    "duplicate": permissions.can_mark_duplicate,
    "transfer": permissions.can_transfer,
    "link": permissions.can_link,
}


def actions_now(user, ticket) -> set[str]:
    """What applies now, shown open: triaging a new obstacle; answering it for whoever handles it (not for
    triage looking on); for the locality, confirming and rating an answer."""
    now = set()
    if permissions.can_set_triage_fields(user, ticket) and ticket.status_enum is Status.NEW:
        now.add("triage")
    if permissions.can_answer(user, ticket) and (ticket.assignee_id == user.id or not permissions.can_triage(user)):
        now.add("answer")
    now |= {key for key in ("confirm", "rate") if ACTIONS[key](user, ticket)}
    return now


def ticket_actions(user, ticket, with_triage: bool) -> list[tuple[str, bool]]:
    """[(action, applies now)] the user may take, those that apply now first."""
    allowed = [key for key, may in ACTIONS.items() if (with_triage if may is None else may(user, ticket))]
    now = actions_now(user, ticket)
    return sorted(((key, key in now) for key in allowed), key=lambda action: not action[1])


def name_chosen_codes(filters, fixed: tuple[str, ...] = ()) -> None:
    """The names of the filters' chosen codes, for their pickers (one query); a code that names nothing is
    reported beside the filters. `fixed` names filters the page sets itself. Only the filters' form shows
    them: a queue's kept parts hold it, and ask for them only when made (queue_parts)."""
    labels, unknown = choices.filter_labels({name: getattr(filters, name) for name in PICKED_FILTERS
                                             if name not in fixed})
    filters.report_unknown(unknown)
    filters.labels = labels


def per_page() -> int:
    return page_size(request.args.get("per_page"), current_app.config["PAGE_SIZE"])


def list_labels() -> dict:
    """The words a list repeats on every row, translated and escaped once per language and process (not once
    per row, nor once per page)."""
    language = translations()
    if language not in _LABELS:
        _LABELS[language] = {
            "status": {s.value: escape(str(label)) for s, label in STATUS_LABELS.items()},
            "urgency": {u.value: escape(str(label)) for u, label in URGENCY_LABELS.items()},
            "sla": {s.value: escape(str(label)) for s, label in SLA_LABELS.items()},
            "paused": escape(_("Clock paused")), "not_routed": escape(_("Not yet routed")),
            "days_overdue": escape(_("working days overdue")), "select": escape(_("Select")),
        }
    return _LABELS[language]


_LABELS: dict = {}  # by the translations object of a language (Flask-Babel keeps one per language)


@dataclass(frozen=True)
class QueueTable:
    """How a queue page shows its standard parts: the table's caption, the status tabs' "all" label, the filters
    the page fixes itself (not offered), whether rows can be selected (bulk triage), and whether triage's
    suggestions are shown."""

    caption: str
    all_label: str
    hide: tuple[str, ...] = ()
    selectable: bool = False
    suggest: bool = False


@dataclass(frozen=True)
class QueueParts:
    """What a queue page shows of its rows, rendered (queue_parts): the page's numbers without its rows, the
    filters (with the notes the listing added, a search's), the status tabs, the table, the pager, and triage's
    suggestions (with their forms)."""

    page: BoundedPage
    filters: Markup
    tabs: Markup
    table: Markup
    pager: Markup
    suggestions: Markup


def queue_parts(load: Callable[[], BoundedPage], filters, shown: dict, table: QueueTable) -> QueueParts:
    """The parts `load` (the page's listing) makes, kept in this process for the next requests with the same key:
    any write to tickets or to the reference data (names, the calendar) and the next minute (ages and deadline
    states move with time; names of units, localities and people changed meanwhile show within it) make it
    miss. Per user (their scope, saved in the key by id), language, root and query string; with triage's
    suggestions, whose forms carry tokens, per session too (session_secret)."""
    user, now = current_user, utcnow()

    def render() -> QueueParts:
        name_chosen_codes(filters, table.hide)
        page = load()
        tickets = [item for item in page.items if isinstance(item, Ticket)]
        context = {**shown, "page": page, "filters": filters}
        return QueueParts(
            page=BoundedPage([], page.page, page.per_page, page.total, page.cap, dict(page.tabs), page.tab_cap),
            filters=Markup(render_template("queues/_filters.html", hide=table.hide, **context)),
            tabs=Markup(render_template("queues/_tabs.html", all_label=table.all_label, **context)),
            table=Markup(render_template(
                "queues/_table.html", tickets=tickets, ages=ages(tickets, now, request_calendar()),
                selectable=table.selectable, caption=table.caption, **context)),
            pager=Markup(render_template("queues/_pager.html", **context)),
            suggestions=Markup(render_template("systemic/_queue_suggestions.html",
                                               found=similar.queue_suggestions(user, tickets))
                               if table.suggest else ""))

    key = kept_key("queue parts", request.endpoint, tuple(sorted(request.args.items(multi=True))),
                   tuple(sorted(shown["keep"].items())), table, session_secret() if table.suggest else None)
    return data_version.cached(key, render)


def render_queue(template: str, page, filters, endpoint: str, status=200, *, saved_page: str | None = None,
                 default_sort: str = "newest", keep: dict | None = None,
                 table: QueueTable | None = None, **context):
    """A list page: its rows with their age and days overdue in working days (one calendar read), the status
    tabs, the filters with the names of their chosen codes, the pager, and the user's saved views of this page
    (`saved_page`: tickets, triage, unit or mine). `page`: the page; or, with `table`, a function listing it,
    for a queue showing the standard parts (tabs, table, pager), which are then kept (queue_parts)."""
    keep = keep or {}
    if table is None:
        name_chosen_codes(filters)
    link_args = {**filters.query_args(), **keep}
    size = page.per_page if table is None else per_page()  # a kept page's rows are not loaded yet
    if size != current_app.config["PAGE_SIZE"]:
        link_args["per_page"] = size
    shown = {"endpoint": endpoint, "keep": keep, "link_args": link_args, "default_sort": default_sort,
             "L": list_labels(), "sort_labels": queries.SORT_LABELS, "page_sizes": PAGE_SIZES,
             "default_per_page": current_app.config["PAGE_SIZE"]}
    parts = None
    if table is not None:
        parts = queue_parts(page, filters, shown, table)
        page = parts.page
        ages_of = {}
    else:
        tickets = [item for item in page.items if isinstance(item, Ticket)]
        ages_of = ages(tickets, utcnow(), request_calendar())
    return render_template(
        template, page=page, filters=filters, parts=parts, ages=ages_of, **shown,
        views=saved_views.views_of(current_user, saved_page) if saved_page else [], saved_page=saved_page,
        current_query=saved_views.clean_query(request.args),
        **context), status
