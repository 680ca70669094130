"""flask --app app sla due START HOURS | sla sweep"""
from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..localtime import local_zone
from . import sla
from .calendar import WorkingCalendar, load_calendar, office_hours
from .sweep import run_sweep_locked

sla_cli = AppGroup("sla", help="Deadlines in working time.")


def parse_start(value: str, zone) -> dt.datetime:
    """ISO 8601 local time (2025-04-30T09:00) or with an offset; naive means the configured zone."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date and time such as 2025-04-30T09:00",
                                 param_hint="START") from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


@sla_cli.command("due", context_settings={"ignore_unknown_options": True})
@click.argument("start")
@click.argument("hours")
def due_command(start, hours):
    """Print the deadline HOURS working hours after START (ISO 8601, local time)."""
    calendar = _calendar_or_holidays_only()
    moment = parse_start(start, calendar.zone)
    try:
        duration = sla.working_duration(hours)
        deadline = sla.add_working_time(moment, duration, calendar)
    except sla.DurationError as error:
        raise click.BadParameter(str(error), param_hint="HOURS") from None
    local = deadline.astimezone(calendar.zone)
    click.echo(local.isoformat(timespec="minutes" if not local.second else "seconds"))


def _calendar_or_holidays_only() -> WorkingCalendar:
    """The calendar with its overrides; without a database yet, office hours and public holidays alone."""
    try:
        return load_calendar()
    except SQLAlchemyError:
        db.session.rollback()
        click.echo("warning: no database to read calendar overrides from; using public holidays only.",
                   err=True)
        return WorkingCalendar(zone=local_zone(), periods=office_hours())


@sla_cli.command("sweep")
def sweep_command():
    """Run the SLA sweep once (skipped while another process is sweeping)."""
    crossed = run_sweep_locked()
    if crossed is None:
        click.echo("Another process is sweeping; nothing done.")
    else:
        click.echo(f"SLA sweep: {crossed} crossing(s) recorded.")
