"""The weekly report counts a systemic issue once, with how many localities asked, and lists it once."""
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tracker.enums import Role
from tracker.mail.digest import build_digests
from tracker.mail.digest_mail import render_digest
from tracker.models import Ticket
from tracker.systemic import create_issue
from tracker.weeks import parse_week

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_an_issue_counts_once_with_its_localities_in_the_team_report(db, make_user, make_ticket, commune_officer,
                                                                    ba_dinh, ben_thanh, triage_user, unit):
    officers = [commune_officer, make_user(Role.COMMUNE, ba_dinh), make_user(Role.COMMUNE, ben_thanh)]
    filed = dt.datetime(2026, 3, 3, 10, tzinfo=VN)
    same = [make_ticket(o, title="Con dấu mới", now=filed) for o in officers]
    alone = make_ticket(commune_officer, title="Riêng lẻ", now=filed)
    for ticket in [*same, alone]:
        ticket.answer_due_at = dt.datetime(2026, 3, 5, 10, tzinfo=VN)  # overdue by the week's end
    issue = create_issue(triage_user, title="Con dấu của xã mới", tickets=same, now=filed)
    db.session.commit()
    lead = make_user(Role.LEAD)
    digests = {d.user.id: d for d in build_digests(parse_week("2026-W10"))}
    team = digests[lead.id]
    assert (team.counts.received, team.counts.open, team.counts.overdue) == (2, 2, 2)  # the issue once + alone
    assert [t.title for t in team.overdue] == ["Con dấu mới", "Riêng lẻ"]
    assert team.issues == [issue]
    assert [(c.code, n.received) for c, n in team.top_categories] == [("bien_che", 2)]
    _subject, text, html = render_digest(team)
    assert f"{issue.code} | Con dấu của xã mới | 3 địa phương đã kiến nghị" in text
    assert f"Vấn đề chung {issue.code}: 3 địa phương đã kiến nghị" in html
    commune = digests[commune_officer.id]  # the commune's own report: its obstacle in the issue, once
    assert commune.counts.open == 2
    assert sorted(t.id for t in commune.tickets) == sorted([same[0].id, alone.id])
    assert db.session.scalar(select(Ticket.systemic_issue_id).where(Ticket.id == same[1].id)) == issue.id
