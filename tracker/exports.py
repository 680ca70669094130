"""Exports of any list as CSV or XLSX: the rows a list holds (never more than the user may see, since the
list's query starts from visible_tickets), in constant memory.

Rows are read as plain tuples (no ORM objects), a thousand at a time (a server-side cursor on
PostgreSQL), joined only to what the columns show. CSV is UTF-8 with a BOM so Excel reads Vietnamese;
XLSX is written by XlsxWriter in constant-memory mode, with real dates. Every text that a spreadsheet
would take for a formula (= + - @, tab, carriage return first) is neutralised with a leading apostrophe.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import xlsxwriter
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from . import audit
from .enums import AuditAction, Outcome, SlaState, Status, Urgency
from .extensions import db
from .localtime import local_zone
from .models import Category, Locality, Ticket, Unit, User

BATCH = 1000
CHUNK = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A text cell a spreadsheet cannot run: one starting like a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text / moment / number
    width: int = 16


def note_export(user: User, list_name: str, fmt: str, filters: dict) -> None:
    """Data leaving the system: who exported which list, in which format, filtered how (audit trail)."""
    audit.record(AuditAction.EXPORT, actor=user, target=f"{list_name} ({fmt})",
                 details={"filters": dict(list(filters.items())[:20])})


def columns() -> list[Column]:
    """The headers in the user's language (Vietnamese by default)."""
    return [Column(_("Reference"), width=18), Column(_("Title"), width=50), Column(_("Submitting locality"), width=28),
            Column(_("Province"), width=24), Column(_("Category"), width=30), Column(_("Urgency"), width=12),
            Column(_("Status"), width=18), Column(_("Lead unit"), width=30), Column(_("Assignee"), width=22),
            Column(_("Filed"), "moment"), Column(_("First response deadline"), "moment"),
            Column(_("First responded on"), "moment"), Column(_("Deadline"), "moment"),
            Column(_("Deadline state"), width=14), Column(_("Answered on"), "moment"), Column(_("Outcome"), width=28),
            Column(_("Legal basis"), width=40), Column(_("Legal document"), width=26),
            Column(_("Rating"), "number", 10)]


def rows(query, order) -> Iterator[list]:
    """The list's rows as cell values, in the list's order, a batch at a time."""
    locality, province, assignee = aliased(Locality), aliased(Locality), aliased(User)
    english = str(get_locale()) == "en"
    category_name = Category.name_en if english else Category.name
    unit_name = Unit.name_en if english else Unit.name
    selected = (query.with_only_columns(
        Ticket.reference, Ticket.title, locality.name, province.name, category_name, Category.name,
        Ticket.urgency, Ticket.status, unit_name, Unit.name, assignee.name, assignee.email, Ticket.created_at,
        Ticket.first_response_due_at, Ticket.first_responded_at, Ticket.answer_due_at, Ticket.sla_state,
        Ticket.answered_at, Ticket.outcome, Ticket.legal_basis, Ticket.legal_document, Ticket.rating)
        .outerjoin(locality, locality.id == Ticket.locality_id).outerjoin(province, province.id == Ticket.province_id)
        .outerjoin(Category, Category.id == Ticket.category_id).outerjoin(Unit, Unit.id == Ticket.lead_unit_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .order_by(*order).execution_options(yield_per=BATCH))
    urgency, status, sla_state, outcome = (_labels(enum) for enum in (Urgency, Status, SlaState, Outcome))
    for r in db.session.execute(selected):
        yield [r[0], r[1], r[2], r[3], r[4] or r[5], urgency.get(r[6], r[6]), status.get(r[7], r[7]),
               r[8] or r[9] or "", r[10] or r[11] or "", r[12], r[13], r[14], r[15], sla_state.get(r[16], r[16] or ""),
               r[17], outcome.get(r[18], r[18] or ""), r[19] or "", r[20] or "", r[21]]


def _labels(enum) -> dict[str, str]:
    """An enumeration's labels, translated once per export rather than once per row."""
    return {member.value: str(member.label) for member in enum}


def csv_chunks(cells: Iterator[list]) -> Iterator[bytes]:
    """UTF-8 with a BOM (Excel reads it as Unicode), comma-separated, about 64 KB per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    specs = columns()
    writer.writerow([neutralise(c.header) for c in specs])
    zone = local_zone()
    for row in cells:
        writer.writerow([_csv_cell(value, zone) for value in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _csv_cell(value, zone) -> str | int:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, str):
        return neutralise(value)
    return value


def write_xlsx(cells: Iterator[list], sheet_name: str):
    """The workbook in a temporary file (XlsxWriter keeps one row in memory at a time), rewound to be sent."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 - file_chunks closes it once sent
    try:
        _fill_workbook(target, cells, sheet_name)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def _fill_workbook(target, cells: Iterator[list], sheet_name: str) -> None:
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    sheet = book.add_worksheet(sheet_name[:31])
    bold, moment = book.add_format({"bold": True}), book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    specs = columns()
    for index, column in enumerate(specs):
        sheet.set_column(index, index, column.width, moment if column.kind == "moment" else None)
        sheet.write_string(0, index, neutralise(column.header), bold)
    sheet.freeze_panes(1, 0)
    kinds = [column.kind for column in specs]
    serial = LocalSerial(local_zone())
    write_string, write_number = sheet.write_string, sheet.write_number
    for number, row in enumerate(cells, start=1):
        for index, (kind, value) in enumerate(zip(kinds, row, strict=True)):
            if value is None or value == "":
                continue
            if kind == "moment":
                write_number(number, index, serial(value), moment)
            elif kind == "number":
                write_number(number, index, value)
            else:
                write_string(number, index, neutralise(value))
    book.close()


class LocalSerial:
    """An aware moment as an Excel date serial in local time (days since 1899-12-30). The zone's offset is
    looked up once per quarter hour of UTC time (offsets only ever change on such a boundary)."""

    EPOCH = dt.datetime(1899, 12, 30, tzinfo=dt.UTC)

    def __init__(self, zone):
        self.zone = zone
        self.offsets: dict[int, float] = {}

    def __call__(self, moment: dt.datetime) -> float:
        seconds = (moment - self.EPOCH).total_seconds()
        quarter = int(seconds // 900)
        if quarter not in self.offsets:
            self.offsets[quarter] = moment.astimezone(self.zone).utcoffset().total_seconds()
        return (seconds + self.offsets[quarter]) / 86400


def file_chunks(handle) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk
