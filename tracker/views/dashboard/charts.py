"""The charts' data, in the user's language, for static/dashboard.js (CSP forbids inline scripts: the page
carries it as a JSON block). Each chart draws numbers the page also shows as a table."""
from __future__ import annotations

from flask_babel import gettext as _

from ...mail.digest_mail import local_name
from ...stats import Dashboard


def chart_data(board: Dashboard) -> dict:
    return {
        "trend": {
            "labels": [p.first_day.strftime("%d/%m") for p in board.trend],
            "series": [{"label": _("Received"), "data": [p.received for p in board.trend]},
                       {"label": _("Answered"), "data": [p.answered for p in board.trend]},
                       {"label": _("Deadlines missed"), "data": [p.missed for p in board.trend]}],
        },
        "category": _bars([local_name(r.subject) for r in board.by_category], board.by_category,
                          (("received", _("Received")), ("open", _("Open")))),
        "locality": _bars([r.subject.name for r in board.by_locality], board.by_locality,
                          (("received", _("Received")), ("open", _("Open")), ("overdue", _("Overdue")))),
        "unit": _bars([local_name(r.subject) for r in board.by_unit], board.by_unit,
                      (("open", _("Open")), ("overdue", _("Overdue")), ("answered", _("Answered")))),
    }


def _bars(labels: list[str], rows, measures) -> dict:
    return {"labels": labels,
            "series": [{"label": label, "data": [getattr(r.tally, name) for r in rows]} for name, label in measures]}
