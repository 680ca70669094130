"""Operator commands for email: `outbox send [--now]` and `digest send [--week YYYY-Www]`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..models import utcnow
from ..weeks import WeekError, last_week, parse_week
from .delivery import deliver_due
from .digest_mail import enqueue_digests

outbox_cli = AppGroup("outbox", help="The email outbox.")
digest_cli = AppGroup("digest", help="The weekly status emails.")


@outbox_cli.command("send")
@click.option("--now", "force", is_flag=True,
              help="Also retry failed messages and those waiting for their backoff.")
def outbox_send_command(force):
    """Deliver what is due in the outbox, once."""
    _report_delivery(deliver_due(force=force))


@digest_cli.command("send")
@click.option("--week", "week_label", metavar="YYYY-Www", help="The ISO week (default: the week that just ended).")
def digest_send_command(week_label):
    """Enqueue the week's status emails (each recipient once), then deliver the outbox."""
    try:
        week = parse_week(week_label) if week_label is not None else last_week(utcnow())
    except WeekError as error:
        raise click.BadParameter(str(error.message), param_hint="--week") from None
    run = enqueue_digests(week, progress=_bar(f"Writing the weekly reports of {week.label}"))
    click.echo(f"Weekly report {week.label}: {run.enqueued} enqueued, {run.already} already enqueued before.")
    for who in run.invalid:
        click.echo(f"  not enqueued, invalid email address: user {who}", err=True)
    _report_delivery(deliver_due())


def _bar(label: str):
    """Wrap a list in a progress bar that ends when the list is used up."""
    def wrap(items):
        with click.progressbar(items, label=label) as bar:
            yield from bar
    return wrap


def _report_delivery(report) -> None:
    click.echo(f"Outbox: {report.sent} sent, {report.retrying} to retry later, {report.failed} failed for good.")
    if report.errors:
        reasons = "; ".join(sorted(set(report.errors)))
        raise click.ClickException(f"Some email could not be delivered ({reasons}). "
                                   "Nothing is lost: the messages stay in the outbox and are retried.")
