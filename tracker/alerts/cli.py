"""flask --app app alerts send: gather owed notifications into their emails now (the scheduler does it every
few minutes)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from .batching import run_alert_emails_locked

alerts_cli = AppGroup("alerts", help="Notification emails (deadline alerts, daily summaries).")


@alerts_cli.command("send")
def alerts_send_command():
    """Email each person their owed notifications, one email per person and window."""
    run = run_alert_emails_locked()
    if run is None:
        click.echo("Another process is sending alerts; nothing done.")
        return
    click.echo(f"Alerts {run.window}: {run.emails} email(s) enqueued carrying {run.notifications} "
               f"notification(s); {len(run.waiting)} person(s) already emailed in this window wait for the next.")
