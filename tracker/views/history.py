"""History in words: events store codes (unit and category codes, status and urgency values, a routing rule's
description) and keep them as they are; the page shows names, read in one query for all its events."""
from __future__ import annotations

import re

from .. import choices
from ..enums import Status, Urgency

# routing.describe(rule): "#3 (bien_che / * → moha_tcbc, round_robin)"
RULE = re.compile(r"^#(\d+) \(.* → (\S+), \w+\)$")
UNIT_FIELDS = ("lead_unit", "coordinating_units")


def _codes(value: str | None) -> list[str]:
    return [code.strip() for code in (value or "").split(",") if code.strip()]


class EventNames:
    """The names behind the codes of a page's events."""

    def __init__(self, events):
        units, categories = set(), set()
        for event in events:
            values = [event.old_value, event.new_value]
            if event.field in UNIT_FIELDS:
                units.update(code for value in values for code in _codes(value))
            elif event.field == "category":
                categories.update(value for value in values if value)
            elif event.kind == "routed" and (match := RULE.match(event.new_value or "")):
                units.add(match.group(2))
        self._names = choices.names_of(unit=units, category=categories)

    def _name(self, kind: str, code: str) -> str:
        return self._names.get((kind, code), code)

    def value(self, event, value: str | None) -> str:
        """An old or new value of a change, in words; "—" for none."""
        if not value:
            return "—"
        if event.field in UNIT_FIELDS:
            return ", ".join(self._name("unit", code) for code in _codes(value))
        if event.field == "category":
            return self._name("category", value)
        if event.field == "urgency" and value in set(Urgency):
            return str(Urgency(value).label)
        if event.field == "status" and value in set(Status):
            return str(Status(value).label)
        return value

    def rule(self, event) -> tuple[str, str] | None:
        """(rule number, lead unit name) of a routing event, or None for a description of another shape."""
        match = RULE.match(event.new_value or "")
        return (match.group(1), self._name("unit", match.group(2))) if match else None
