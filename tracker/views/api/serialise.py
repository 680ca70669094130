"""Tickets as JSON: only what the user may see (messages are filtered by the caller's query)."""


def _iso(value):
    return value.isoformat() if value else None


def ticket_summary(ticket) -> dict:
    return {
        "reference": ticket.reference, "title": ticket.title, "status": ticket.status, "urgency": ticket.urgency,
        "category": ticket.category.code, "locality": ticket.locality.code,
        "lead_unit": ticket.lead_unit.code if ticket.lead_unit else None,
        "created_at": _iso(ticket.created_at), "answer_due_at": _iso(ticket.answer_due_at),
        "sla_state": ticket.sla_state, "outcome": ticket.outcome,
        "systemic_issue": ticket.systemic_issue.code if ticket.systemic_issue else None,
    }


def ticket_detail(ticket, messages) -> dict:
    return {
        **ticket_summary(ticket), "description": ticket.description, "legal_basis": ticket.legal_basis,
        "first_response_due_at": _iso(ticket.first_response_due_at),
        "messages": [{"kind": m.kind, "author": str(m.author), "body": m.body, "created_at": _iso(m.created_at)}
                     for m in messages],
    }
