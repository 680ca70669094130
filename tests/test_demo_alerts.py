"""The issue's measure: demo data seeded with backdated obstacles crosses many deadlines at once, and the lead
still receives one summary, everyone else at most one email per window."""
from collections import Counter

from sqlalchemy import func, select

from tracker.alerts import batching
from tracker.alerts.inbox import next_daily_summary
from tracker.models import Notification, OutboxMessage, utcnow
from tracker.worktime.calendar import load_calendar


def test_demo_seed_then_alerts_send_one_email_per_person_and_one_summary_for_the_lead(app, db, hoan_kiem):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed", "--tickets", "40"]).exit_code == 0
    crossings = db.session.scalar(select(func.count()).select_from(Notification)
                                  .where(Notification.kind.in_(("at_risk", "breached"))))
    assert crossings > 10  # backdated over three months: the open ones are mostly overdue, some twice
    result = runner.invoke(args=["alerts", "send"])
    at_once = Counter(db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.key.like("alerts:%"))))
    assert result.exit_code == 0 and f"{len(at_once)} email(s) enqueued" in result.output
    assert at_once["phanloai@demo.gov.vn"] == 1 and set(at_once.values()) == {1}  # triage among them, once each
    assert "lanhdao@demo.gov.vn" not in at_once  # the lead's come in the daily summary
    assert "0 email(s)" in runner.invoke(args=["alerts", "send"]).output  # again: nothing new
    batching.send_due_alerts(next_daily_summary(utcnow(), load_calendar()))
    per_person = Counter(db.session.scalars(select(OutboxMessage.recipient)
                                            .where(OutboxMessage.key.like("alerts:%"))))
    assert per_person["lanhdao@demo.gov.vn"] == 1 and per_person["phanloai@demo.gov.vn"] == 1
    assert set(per_person.values()) == {1}  # everyone else (the province, its answers) at most one too
    owed = db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.email_due_at.is_not(None)))
    assert owed == 0
