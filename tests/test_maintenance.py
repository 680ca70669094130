"""The scheduler keeps SQLite's planner statistics (without them SQLite walks every obstacle of a status in the
country for a commune's status tab); PostgreSQL keeps its own."""
from sqlalchemy import text

from tracker.jobs import job_list
from tracker.maintenance import refresh_planner_statistics


def test_the_scheduler_analyses_sqlite_at_start_and_nightly(db, make_ticket, commune_officer):
    make_ticket(commune_officer)
    job = {j.name: j for j in job_list()}["planner_statistics"]
    assert job.at_start and job.trigger == "cron"
    ran = refresh_planner_statistics()
    if db.engine.dialect.name != "sqlite":
        assert ran is False
        return
    assert ran
    assert db.session.scalar(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'tickets'")) > 0
