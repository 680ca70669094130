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
    assert crossings > 40  # backdated over two months: most are overdue, many twice (first response, answer)
    result = runner.invoke(args=["alerts", "send"])
    assert result.exit_code == 0 and "1 email(s) enqueued" in result.output  # triage, at once
    assert "0 email(s)" in runner.invoke(args=["alerts", "send"]).output  # again: nothing new
    batching.send_due_alerts(next_daily_summary(utcnow(), load_calendar()))
    per_person = Counter(db.session.scalars(select(OutboxMessage.recipient)
                                            .where(OutboxMessage.key.like("alerts:%"))))
    assert per_person == {"phanloai@demo.gov.vn": 1, "lanhdao@demo.gov.vn": 1}
    owed = db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.email_due_at.is_not(None)))
    assert owed == 0
