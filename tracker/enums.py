"""Roles, statuses, urgency levels and the allowed status transitions."""
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    COMMUNE = "commune"
    PROVINCE = "province"
    TRIAGE = "triage"
    SPECIALIST = "specialist"
    LEAD = "lead"
    ADMIN = "admin"

    @property
    def label(self):
        return ROLE_LABELS[self]

    @property
    def is_locality(self) -> bool:
        return self in (Role.COMMUNE, Role.PROVINCE)

    @property
    def is_team(self) -> bool:
        return not self.is_locality

    @property
    def may_triage(self) -> bool:
        """Triage coordinators, the team lead and admins work the triage queue (permissions.can_triage)."""
        return self in (Role.TRIAGE, Role.LEAD, Role.ADMIN)


ROLE_LABELS = {
    Role.COMMUNE: _l("Commune officer"),
    Role.PROVINCE: _l("Province coordinator"),
    Role.TRIAGE: _l("Triage coordinator"),
    Role.SPECIALIST: _l("Specialist"),
    Role.LEAD: _l("Team lead"),
    Role.ADMIN: _l("Administrator"),
}


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    AWAITING_LOCALITY = "awaiting_locality"
    ANSWERED = "answered"
    CLOSED = "closed"
    DUPLICATE = "duplicate"
    TRANSFERRED = "transferred"

    @property
    def label(self):
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in FINISHED_STATUSES


STATUS_LABELS = {
    Status.NEW: _l("New"),
    Status.ASSIGNED: _l("Assigned"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.AWAITING_LOCALITY: _l("Awaiting the locality"),
    Status.ANSWERED: _l("Answered"),
    Status.CLOSED: _l("Closed"),
    Status.DUPLICATE: _l("Duplicate (merged)"),
    Status.TRANSFERRED: _l("Transferred to the competent agency"),
}

FINISHED_STATUSES = frozenset({Status.CLOSED, Status.DUPLICATE, Status.TRANSFERRED})
OPEN_STATUSES = tuple(s for s in Status if s not in FINISHED_STATUSES)

# The life of an obstacle, exactly as DESIGN.md draws it: the one table every status change goes through.
# awaiting_locality returns to the status it paused (the ticket records it in paused_status).
_ASK = Status.AWAITING_LOCALITY
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.ASSIGNED, _ASK, Status.DUPLICATE, Status.TRANSFERRED}),
    Status.ASSIGNED: frozenset({Status.IN_PROGRESS, _ASK, Status.DUPLICATE, Status.TRANSFERRED}),
    Status.IN_PROGRESS: frozenset({Status.ANSWERED, _ASK, Status.DUPLICATE, Status.TRANSFERRED}),
    Status.AWAITING_LOCALITY: frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.ANSWERED}),
    Status.ANSWERED: frozenset({Status.CLOSED, Status.IN_PROGRESS, _ASK}),
    Status.CLOSED: frozenset(),
    Status.DUPLICATE: frozenset(),
    Status.TRANSFERRED: frozenset(),
}


def can_transition(current: Status, target: Status) -> bool:
    return target in TRANSITIONS[Status(current)]


class Urgency(StrEnum):
    HOA_TOC = "hoa_toc"
    THUONG_KHAN = "thuong_khan"
    KHAN = "khan"
    THUONG = "thuong"

    @property
    def label(self):
        return URGENCY_LABELS[self]


URGENCY_LABELS = {
    Urgency.HOA_TOC: _l("Immediate"),
    Urgency.THUONG_KHAN: _l("Very urgent"),
    Urgency.KHAN: _l("Urgent"),
    Urgency.THUONG: _l("Normal"),
}

# Most urgent first: the order triage sorts by.
URGENCY_RANK = {Urgency.HOA_TOC: 0, Urgency.THUONG_KHAN: 1, Urgency.KHAN: 2, Urgency.THUONG: 3}


class RequestedUrgency(StrEnum):
    """What a locality may ask for when it files; triage sets the real level."""

    NORMAL = "normal"
    URGENT = "urgent"

    @property
    def label(self):
        return {RequestedUrgency.NORMAL: _l("Normal"), RequestedUrgency.URGENT: _l("Urgent")}[self]

    @property
    def initial_urgency(self) -> Urgency:
        return Urgency.KHAN if self is RequestedUrgency.URGENT else Urgency.THUONG


class MessageKind(StrEnum):
    REPLY = "reply"
    NOTE = "note"
    ANSWER = "answer"  # the reply that answers the obstacle (status answered); the locality sees it


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    MISSED = "missed"

    @property
    def label(self):
        return SLA_LABELS[self]

    @property
    def is_finished(self) -> bool:
        return self in (SlaState.MET, SlaState.MISSED)

    @property
    def rank(self) -> int:
        """How far along an open ticket is: on track < at risk < breached (finished states rank last)."""
        return SLA_RANK[self]


SLA_LABELS = {
    SlaState.ON_TRACK: _l("On track"),
    SlaState.AT_RISK: _l("Due soon"),
    SlaState.BREACHED: _l("Overdue"),
    SlaState.MET: _l("On time"),
    SlaState.MISSED: _l("Finished late"),
}

OPEN_SLA_STATES = (SlaState.ON_TRACK, SlaState.AT_RISK, SlaState.BREACHED)
SLA_RANK = {SlaState.ON_TRACK: 0, SlaState.AT_RISK: 1, SlaState.BREACHED: 2, SlaState.MET: 3, SlaState.MISSED: 3}


class Outcome(StrEnum):
    ANSWERED = "answered"
    LOCAL_COMPETENCE = "local_competence"
    FORWARDED = "forwarded"
    NEEDS_LEGAL_CHANGE = "needs_legal_change"

    @property
    def label(self):
        return {
            Outcome.ANSWERED: _l("Guidance given"),
            Outcome.LOCAL_COMPETENCE: _l("Within the province's competence"),
            Outcome.FORWARDED: _l("Forwarded to another ministry"),
            Outcome.NEEDS_LEGAL_CHANGE: _l("The law needs to change"),
        }[self]


class SystemicStatus(StrEnum):
    """A systemic issue is being handled until its one answer reaches every linked obstacle."""

    OPEN = "open"
    ANSWERED = "answered"

    @property
    def label(self):
        return {SystemicStatus.OPEN: _l("Being handled"), SystemicStatus.ANSWERED: _l("Answered")}[self]


class TokenScope(StrEnum):
    """What an API token may do: read only (GET), or everything its user's role allows."""

    READ = "read"
    WRITE = "write"


class Channel(StrEnum):
    WEB = "web"
    DISPATCH = "dispatch"
    HOTLINE = "hotline"
    WORKING_GROUP = "working_group"

    @property
    def label(self):
        return {
            Channel.WEB: _l("Web form"),
            Channel.DISPATCH: _l("Official dispatch"),
            Channel.HOTLINE: _l("Hotline"),
            Channel.WORKING_GROUP: _l("Working group"),
        }[self]


class LocalityLevel(StrEnum):
    PROVINCE = "province"
    COMMUNE = "commune"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self):
        return {
            OutboxStatus.PENDING: _l("Waiting"),
            OutboxStatus.SENDING: _l("Sending"),
            OutboxStatus.SENT: _l("Sent"),
            OutboxStatus.FAILED: _l("Failed"),
        }[self]


class NotificationKind(StrEnum):
    """What a notification is about: the kinds a user chooses how to receive, and two the locality always gets."""

    ASSIGNED = "assigned"  # an obstacle assigned to me, or new for my unit
    LOCALITY_REPLY = "locality_reply"
    ANSWERED = "answered"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    REPLY = "reply"  # the team wrote to the locality: always emailed at once
    CLOSED = "closed"  # the locality's obstacle was merged or transferred: always emailed at once

    @property
    def label(self):
        return NOTIFICATION_LABELS[self]

    @property
    def is_batched(self) -> bool:
        """Deadline crossings are emailed gathered per recipient and window, never one email per obstacle."""
        return self in (NotificationKind.AT_RISK, NotificationKind.BREACHED)


NOTIFICATION_LABELS = {
    NotificationKind.ASSIGNED: _l("Assigned to me or to my unit"),
    NotificationKind.LOCALITY_REPLY: _l("Reply from the locality"),
    NotificationKind.ANSWERED: _l("Answer given"),
    NotificationKind.AT_RISK: _l("Due soon"),
    NotificationKind.BREACHED: _l("Overdue"),
    NotificationKind.REPLY: _l("New reply from the rapid-response team"),
    NotificationKind.CLOSED: _l("Obstacle merged or transferred"),
}


class Delivery(StrEnum):
    """How a user wants the email of a kind of notification; the app's list shows every one regardless."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    OFF = "off"

    @property
    def label(self):
        return {
            Delivery.IMMEDIATE: _l("Immediately"),
            Delivery.DAILY: _l("In a daily summary"),
            Delivery.OFF: _l("No email (in the app only)"),
        }[self]


class Deadline(StrEnum):
    """The two deadlines an obstacle is swept for; the value is the ticket's state column."""

    FIRST_RESPONSE = "first_response_state"
    ANSWER = "sla_state"


# How history events name the fields they change.
FIELD_LABELS = {
    "category": _l("category"),
    "urgency": _l("urgency"),
    "lead_unit": _l("lead unit"),
    "assignee": _l("assignee"),
    "status": _l("status"),
    "coordinating_units": _l("coordinating units"),
    "deadline": _l("deadline"),
    "sla_state": _l("deadline state"),
    "first_response_state": _l("first response state"),
}


class AuditAction(StrEnum):
    """What the audit trail records (audit.py): sign-ins, accounts, the admin's settings, data leaving."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_REFUSED = "login_refused"  # too many failures: the password was not even checked
    LOGOUT = "logout"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET = "password_reset"
    PASSWORD_SET_BY_ADMIN = "password_set_by_admin"
    USER_CREATED = "user_created"
    USER_CHANGED = "user_changed"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    UNIT_SAVED = "unit_saved"
    CATEGORY_SAVED = "category_saved"
    RULE_SAVED = "rule_saved"
    RULE_DELETED = "rule_deleted"
    RULES_REORDERED = "rules_reordered"
    SLA_POLICY_SAVED = "sla_policy_saved"
    SLA_POLICY_DELETED = "sla_policy_deleted"
    CALENDAR_CHANGED = "calendar_changed"
    EXPORT = "export"
    ATTACHMENT_DOWNLOADED = "attachment_downloaded"

    @property
    def label(self):
        return AUDIT_LABELS[self]


AUDIT_LABELS = {
    AuditAction.LOGIN: _l("Logged in"),
    AuditAction.LOGIN_FAILED: _l("Failed login"),
    AuditAction.LOGIN_REFUSED: _l("Login refused (too many failures)"),
    AuditAction.LOGOUT: _l("Logged out"),
    AuditAction.PASSWORD_RESET_REQUESTED: _l("Password reset requested"),
    AuditAction.PASSWORD_RESET: _l("Password reset through the emailed link"),
    AuditAction.PASSWORD_SET_BY_ADMIN: _l("Password set by an administrator"),
    AuditAction.USER_CREATED: _l("User created"),
    AuditAction.USER_CHANGED: _l("User changed (name, role, locality or unit)"),
    AuditAction.USER_DEACTIVATED: _l("User deactivated"),
    AuditAction.USER_REACTIVATED: _l("User reactivated"),
    AuditAction.TOKEN_CREATED: _l("API token created"),
    AuditAction.TOKEN_REVOKED: _l("API token revoked"),
    AuditAction.UNIT_SAVED: _l("Unit saved"),
    AuditAction.CATEGORY_SAVED: _l("Category saved"),
    AuditAction.RULE_SAVED: _l("Routing rule saved"),
    AuditAction.RULE_DELETED: _l("Routing rule deleted"),
    AuditAction.RULES_REORDERED: _l("Routing rules reordered or created"),
    AuditAction.SLA_POLICY_SAVED: _l("SLA policy saved"),
    AuditAction.SLA_POLICY_DELETED: _l("SLA policy removed"),
    AuditAction.CALENDAR_CHANGED: _l("Working calendar changed"),
    AuditAction.EXPORT: _l("Obstacles exported"),
    AuditAction.ATTACHMENT_DOWNLOADED: _l("Attachment downloaded"),
}
