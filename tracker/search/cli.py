"""flask --app app search reindex: rebuild every obstacle's search document (after bulk inserts)."""
import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..extensions import db
from ..models import Ticket
from .index import reindex

search_cli = AppGroup("search", help="The full-text search index.")


@search_cli.command("reindex")
@click.option("--batch", default=2000, show_default=True, type=click.IntRange(100, 50_000),
              help="Obstacles per transaction.")
def reindex_command(batch):
    """Rebuild the search documents of every obstacle, in batches (safe while the application runs)."""
    total = db.session.scalar(select(func.count(Ticket.id)))
    with click.progressbar(length=total, label="Indexing obstacles") as bar:
        done = reindex(bar.update, batch=batch)
    click.echo(f"Indexed {done} obstacles.")
