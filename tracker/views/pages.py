"""Page renderers several blueprints share: an obstacle's page (shown again by every action that fails)
and the queue pages."""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import escape

from .. import choices, permissions, queries, saved_views
from ..enums import SLA_LABELS, STATUS_LABELS, URGENCY_LABELS, Status
from ..i18n import translations
from ..models import Ticket, utcnow
from ..paging import PAGE_SIZES, page_size
from ..worktime.calendar import request_calendar
from ..worktime.days import ages
from .history import EventNames
from .saved.forms import SaveViewForm
from .tickets.forms import ActionForm, MessageForm
from .triage.forms import TriageForm
from .workflow.forms import fresh_forms

PICKED_FILTERS = ("category", "province", "commune", "unit", "assignee")


def render_ticket(ticket, message_form=None, triage_form=None, status=200, action_form=None,
                  changed_meanwhile=None, **workflow_forms):
    user = current_user
    message_form = message_form or MessageForm(version=ticket.version, formdata=None)
    if triage_form is None and permissions.can_set_triage_fields(user, ticket):
        triage_form = TriageForm.for_ticket(ticket)
    events = queries.ticket_events(user, ticket)
    files = ticket.attachments  # one statement for the obstacle's files and its messages'
    linked, duplicates = queries.related_tickets(user, ticket)
    return render_template(
        "tickets/show.html", ticket=ticket, actions=ticket_actions(user, ticket, triage_form is not None),
        messages=queries.ticket_messages(user, ticket, files),
        events=events, history=EventNames(events + list(changed_meanwhile or [])),
        message_form=message_form, triage_form=triage_form,
        action_form=action_form or ActionForm(version=ticket.version, formdata=None),
        seen_event=max((e.id for e in events), default=0), changed_meanwhile=changed_meanwhile,
        ticket_files=[f for f in files if f.message_id is None], linked=linked, duplicates=duplicates,
        **fresh_forms(ticket, **workflow_forms),
    ), status


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


def queue_filters(args, fixed: tuple[str, ...] = ()) -> queries.TicketFilters:
    """The query string's filters with the names of the chosen codes (one query); a code that names
    nothing is reported beside the filters. `fixed` names filters the page sets itself."""
    filters = queries.TicketFilters.from_args(args)
    labels, unknown = choices.filter_labels({name: getattr(filters, name) for name in PICKED_FILTERS
                                             if name not in fixed})
    filters.report_unknown(unknown)
    filters.labels = labels
    return filters


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


def render_queue(template: str, page, filters, endpoint: str, status=200, *, saved_page: str | None = None,
                 default_sort: str = "newest", keep: dict | None = None, saved_form=None, **context):
    """A list page: its rows with their age and days overdue in working days (one calendar read), the status
    tabs, the filters with the names of their chosen codes, the pager, and the user's saved views of this page
    (`saved_page`: tickets, triage, unit or mine)."""
    keep = keep or {}
    if not filters.labels:
        filters.labels, _unknown = choices.filter_labels({name: getattr(filters, name) for name in PICKED_FILTERS})
    link_args = {**filters.query_args(), **keep}
    if page.per_page != current_app.config["PAGE_SIZE"]:
        link_args["per_page"] = page.per_page
    tickets = [item for item in page.items if isinstance(item, Ticket)]
    return render_template(
        template, page=page, filters=filters, endpoint=endpoint, keep=keep, link_args=link_args,
        default_sort=default_sort, L=list_labels(), ages=ages(tickets, utcnow(), request_calendar()),
        sort_labels=queries.SORT_LABELS, page_sizes=PAGE_SIZES, default_per_page=current_app.config["PAGE_SIZE"],
        views=saved_views.views_of(current_user, saved_page) if saved_page else [], saved_page=saved_page,
        saved_form=saved_form or SaveViewForm(formdata=None), current_query=saved_views.clean_query(request.args),
        **context), status
