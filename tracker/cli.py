"""Operator commands: flask --app app ..."""
import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from .accounts import create_user, issue_token
from .alerts.cli import alerts_cli
from .demo import DEMO_PASSWORD, drop_mail_after, ensure_demo_accounts, last_mail_id, seed_tickets
from .enums import Role, TokenScope
from .errors import DomainError
from .extensions import db
from .jobs import scheduler_command
from .localities import import_localities, total_count
from .lookups import by_code
from .mail.cli import digest_cli, outbox_cli
from .models import Locality, Unit, User
from .search.cli import search_cli
from .worktime.cli import sla_cli
from .worktime.sweep import run_sweep_locked

localities_cli = AppGroup("localities", help="Provinces and communes.")
users_cli = AppGroup("users", help="Accounts and API tokens.")
demo_cli = AppGroup("demo", help="Demo accounts and data.")


def register_cli(app: Flask) -> None:
    for group in (localities_cli, users_cli, demo_cli, sla_cli, outbox_cli, digest_cli, alerts_cli, search_cli):
        app.cli.add_command(group)
    app.cli.add_command(scheduler_command)


@localities_cli.command("import")
def import_localities_command():
    """Import the 34 provinces and 3,321 communes (idempotent)."""
    with click.progressbar(length=total_count(), label="Importing localities") as bar:
        created, updated = import_localities(bar.update)
    db.session.commit()
    click.echo(f"Localities: {created} created, {updated} updated.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--locality", "locality_code", help="GSO code of the commune or province (zero-padded).")
@click.option("--unit", "unit_code", help="Code of the handling unit.")
@click.option("--name", default="")
@click.option("--password", help="Prompted for when omitted.")
def create_user_command(email, role, locality_code, unit_code, name, password):
    """Create a user."""
    locality = by_code(Locality, locality_code)
    if locality_code and locality is None:
        raise click.ClickException(f"No locality with code {locality_code!r} (import localities first?).")
    unit = by_code(Unit, unit_code)
    if unit_code and unit is None:
        raise click.ClickException(f"No unit with code {unit_code!r}.")
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, role, name=name, password=password, locality=locality, unit=unit)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role}).")


@users_cli.command("token")
@click.argument("email")
@click.option("--read-only", is_flag=True, help="The token may only read (GET): every write answers 403.")
def token_command(email, read_only):
    """Print a new API token for a user (read-write unless --read-only)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user {email!r}.")
    token = issue_token(user, TokenScope.READ if read_only else TokenScope.WRITE)
    db.session.commit()
    click.echo(token)


@demo_cli.command("accounts")
def demo_accounts_command():
    """Create one demo account per role when none exist, and print the logins."""
    users = ensure_demo_accounts()
    db.session.commit()
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for user in users:
        where = user.locality.name if user.locality else (user.unit.name if user.unit else "")
        click.echo(f"  {user.role:<11} {user.email:<32} {where}")


@demo_cli.command("seed")
@click.option("--tickets", default=50, show_default=True, type=click.IntRange(0, 1_000_000))
def demo_seed_command(tickets):
    """Demo accounts plus N demo obstacles from every province, category and status (import localities first)."""
    if db.session.scalar(select(Locality.id).limit(1)) is None:
        raise click.ClickException("No localities yet: run `flask --app app localities import` first.")
    ensure_demo_accounts()
    mail_before = last_mail_id()
    with click.progressbar(length=tickets, label="Filing demo obstacles") as bar:
        created = seed_tickets(tickets, progress=bar.update)
    db.session.commit()
    run_sweep_locked()  # demo obstacles are backdated: show their deadline states at once
    drop_mail_after(mail_before)
    db.session.commit()
    click.echo(f"Created {created} demo obstacles (password of every demo account: {DEMO_PASSWORD}).")
