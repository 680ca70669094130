"""Page renderers several blueprints share: an obstacle's page (shown again by every action that fails)
and the queue pages."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from .. import permissions, queries, workflow
from ..enums import Role
from ..extensions import db
from ..models import Category, Unit, User
from .tickets.forms import ActionForm, MessageForm
from .triage.forms import TriageForm
from .workflow.forms import fresh_forms


def render_ticket(ticket, message_form=None, triage_form=None, status=200, action_form=None,
                  changed_meanwhile=None, **workflow_forms):
    user = current_user
    message_form = message_form or MessageForm(version=ticket.version, formdata=None)
    if triage_form is None and permissions.can_set_triage_fields(user, ticket):
        triage_form = TriageForm.for_ticket(ticket)
    events = queries.ticket_events(user, ticket)
    return render_template(
        "tickets/show.html", ticket=ticket, messages=queries.ticket_messages(user, ticket),
        events=events, message_form=message_form, triage_form=triage_form,
        action_form=action_form or ActionForm(version=ticket.version, formdata=None),
        seen_event=max((e.id for e in events), default=0), changed_meanwhile=changed_meanwhile,
        ticket_files=queries.ticket_attachments(ticket, message_id=None),
        linked=workflow.linked_tickets(user, ticket), duplicates=workflow.duplicates_of(user, ticket),
        **fresh_forms(ticket, **workflow_forms),
    ), status


def filter_choices() -> dict:
    """What the filter form offers: three small queries, whatever the page size."""
    return {
        "categories": db.session.scalars(select(Category).order_by(Category.position)).all(),
        "units": db.session.scalars(select(Unit).order_by(Unit.name)).all(),
        "assignees": db.session.scalars(select(User).where(User.role == Role.SPECIALIST.value)
                                        .order_by(User.name)).all(),
    }


def render_queue(template: str, page, filters, endpoint: str, status=200, **context):
    choices = filter_choices() if permissions.is_team(current_user) else {}
    return render_template(template, page=page, filters=filters, endpoint=endpoint, choices=choices,
                           sort_labels=queries.SORT_LABELS, **context), status
