"""The weekly report carries the dashboard's compliance figures for its week (one definition, measures.py)
and links to the recipient's dashboard for that week."""
import pytest

from tracker.localtime import local_date
from tracker.mail.digest import build_digests
from tracker.mail.digest_mail import render_digest
from tracker.stats import build_dashboard
from tracker.stats_filters import read_filters
from tracker.weeks import week_of

from .dashboard_data import populate


@pytest.fixture
def population(make_user, make_ticket, unit, commune_officer, province_coordinator, ben_thanh, hanoi):
    return populate(make_user, make_ticket, unit, commune_officer, province_coordinator, ben_thanh, hanoi)


@pytest.mark.parametrize("ticket", ["on_time", "late", "no_outcome"])
def test_the_weekly_report_has_the_dashboards_compliance_for_its_week(population, ticket):
    tickets, users = population
    week = week_of(local_date(tickets[ticket].answered_at))
    digest = next(d for d in build_digests(week, users=[users["lead"]]))
    args = {"from": week.first_day.strftime("%d/%m/%Y"), "to": week.last_day.strftime("%d/%m/%Y")}
    board = build_dashboard(users["lead"], read_filters(users["lead"], args, week.last_day), week.end)
    totals, counts = board.totals, digest.counts
    assert counts.answered >= 1
    assert (counts.answered, counts.answered_on_time, counts.responded, counts.responded_on_time) == \
        (totals.answered, totals.answered_on_time, totals.responded, totals.responded_on_time)
    assert counts.sla_compliance == totals.answer_compliance
    assert counts.first_response_compliance == totals.first_response_compliance


def test_the_weekly_report_links_to_the_weeks_dashboard(population, province_coordinator, commune_officer):
    tickets, users = population
    week = week_of(local_date(tickets["on_time"].answered_at))
    digests = {d.user.id: d for d in build_digests(week, users=[users["lead"], province_coordinator,
                                                                 commune_officer])}
    link = (f"http://tracker.test/dashboard?from={week.first_day.strftime('%d')}%2F"
            f"{week.first_day.strftime('%m')}%2F{week.first_day.year}")
    _subject, text, html = render_digest(digests[users["lead"].id])
    assert link in text and link in html
    assert "Phản hồi lần đầu đúng hạn" in text
    assert link in render_digest(digests[province_coordinator.id])[1]
    if commune_officer.id in digests:  # a commune has no dashboard: its report links to its list only
        assert "/dashboard" not in render_digest(digests[commune_officer.id])[1]
