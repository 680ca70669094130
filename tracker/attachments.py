"""Attachments: checked by their content (never their name), size-limited, stored outside the web root.

Files are validated first and written only after every check passed; a transaction that rolls back
removes the files it wrote (see `_forget_or_remove`), so nothing is half-saved.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event

from . import audit
from .archives import DOCX, XLSX, ArchiveRefused, office_type
from .enums import AuditAction
from .errors import DomainError
from .extensions import db
from .models import Attachment, Message, Ticket, User

PDF, DOC, XLS = "application/pdf", "application/msword", "application/vnd.ms-excel"
OFFICE_XML = (DOCX, XLSX)  # the zip-based types archives.office_type recognises (besides OpenDocument)
OLE2_BY_EXTENSION = {".doc": DOC, ".xls": XLS}
log = logging.getLogger(__name__)
NAME_MAX = 255


def _error(message, field="attachments"):
    return DomainError(message, field)


@dataclass
class Upload:
    """A file that passed every check, not yet written."""

    stream: BinaryIO
    original_name: str
    content_type: str
    size: int


def clean_name(name: str | None) -> str:
    """Keep the Vietnamese name for display and download; drop any path and control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > NAME_MAX:
        stem, ext = os.path.splitext(name)
        name = stem[: NAME_MAX - len(ext)] + ext
    return name or "tep-dinh-kem"


def detect_type(stream: BinaryIO, name: str) -> str | None:
    """The content type by the file's bytes; None for anything not allowed (HTML, SVG, scripts...)."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: legacy Word or Excel
        return OLE2_BY_EXTENSION.get(os.path.splitext(name.lower())[1])
    if head.startswith(b"PK\x03\x04"):
        return office_type(stream)  # raises ArchiveRefused for a zip bomb
    return None


def _size(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def check_files(files: Iterable | None) -> list[Upload]:
    """Validate uploads (objects with .filename and .stream, such as Werkzeug's FileStorage)."""
    chosen = [f for f in (files or []) if f is not None and (getattr(f, "filename", "") or "")]
    max_files = current_app.config["ATTACHMENT_MAX_FILES"]
    max_bytes = current_app.config["ATTACHMENT_MAX_BYTES"]
    if len(chosen) > max_files:
        raise _error(_l("At most %(max)d files per message.", max=max_files))
    uploads = []
    for file in chosen:
        name = clean_name(file.filename)
        size = _size(file.stream)
        if size == 0:
            raise _error(_l("The file %(name)s is empty.", name=name))
        if size > max_bytes:
            raise _error(_l("The file %(name)s is larger than %(max)d MB.", name=name,
                            max=max_bytes // (1024 * 1024)))
        try:
            content_type = detect_type(file.stream, name)
        except ArchiveRefused:
            raise _error(_l("The file %(name)s is a compressed archive that would unpack to far more than its "
                            "size; it is refused.", name=name)) from None
        if content_type is None:
            raise _error(_l("The file %(name)s is not a PDF, Word, Excel, OpenDocument, JPEG or PNG file.",
                            name=name))
        uploads.append(Upload(file.stream, name, content_type, size))
    return uploads


def directory() -> Path:
    """ATTACHMENTS_DIR, created for the server's account alone (0o700) when missing."""
    path = Path(current_app.config["ATTACHMENTS_DIR"])
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def store(uploads: list[Upload], *, ticket: Ticket, user: User, message: Message | None = None) -> list[Attachment]:
    """Write validated uploads under generated names and add their rows (the caller commits)."""
    rows = []
    written = db.session.info.setdefault("attachment_files", [])
    for upload in uploads:
        stored_name = uuid.uuid4().hex
        path = directory() / stored_name
        try:
            _write_whole(upload.stream, path)
        except OSError:
            log.exception("attachment %s could not be written to %s", upload.original_name, path)
            raise _error(_l("The file %(name)s could not be saved (the server's storage refused it). Nothing "
                            "was sent; please try again later.", name=upload.original_name)) from None
        written.append(path)
        row = Attachment(ticket_id=ticket.id, message=message, uploaded_by_id=user.id,
                         original_name=upload.original_name, stored_name=stored_name,
                         content_type=upload.content_type, size=upload.size)
        db.session.add(row)
        rows.append(row)
    return rows


def _write_whole(stream: BinaryIO, path: Path) -> None:
    """Write to a temporary name beside `path` (owner-only), sync it to disk, then rename it: the file
    appears whole or not at all, whatever fails midway (a full disk, a permission)."""
    temporary = path.with_name(f".{path.name}.part")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            stream.seek(0)
            shutil.copyfileobj(stream, out)
            out.flush()
            os.fsync(out.fileno())
        os.rename(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        raise
    _sync_directory(path.parent)


def _sync_directory(path: Path) -> None:
    """The rename itself reaches the disk once the directory is synced (POSIX)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def store_shared(uploads: list[Upload], *, answers: list[tuple[Ticket, Message]], user: User) -> int:
    """The same files on many tickets' messages (a systemic issue's reply document): each file is written
    once and hard-linked under each further ticket's own stored name, so every ticket keeps its own row and
    download check. Returns the number of rows added."""
    if not uploads or not answers:
        return 0
    (first_ticket, first_message), rest = answers[0], answers[1:]
    for row in store(uploads, ticket=first_ticket, user=user, message=first_message):
        for ticket, message in rest:
            _link(row, ticket, message, user)
    return len(uploads) * len(answers)


def link_files(source: Message, *, ticket: Ticket, message: Message, user: User) -> None:
    """The files of `source` on another ticket's message too (hard links)."""
    for row in list(source.attachments):
        _link(row, ticket, message, user)


def _link(row: Attachment, ticket: Ticket, message: Message, user: User) -> Attachment:
    """A new row for the same file under its own stored name: a hard link, or a copy where links are not
    possible (another file system); removed again if the transaction rolls back."""
    stored_name = uuid.uuid4().hex
    target = directory() / stored_name
    try:
        os.link(path_of(row), target)
    except OSError:
        shutil.copyfile(path_of(row), target)
    db.session.info.setdefault("attachment_files", []).append(target)
    linked = Attachment(ticket_id=ticket.id, message=message, uploaded_by_id=user.id, original_name=row.original_name,
                        stored_name=stored_name, content_type=row.content_type, size=row.size)
    db.session.add(linked)
    return linked


def path_of(attachment: Attachment) -> Path:
    return directory() / attachment.stored_name


def note_download(user: User, ticket: Ticket, attachment: Attachment) -> None:
    """Who took which file of which obstacle: an entry in the audit trail."""
    audit.record(AuditAction.ATTACHMENT_DOWNLOADED, actor=user, target=f"{ticket.reference} / Attachment "
                 f"#{attachment.id}", details={"name": attachment.original_name, "size": attachment.size})


@event.listens_for(db.session, "after_commit")
def _keep_written_files(session):
    session.info.pop("attachment_files", None)


@event.listens_for(db.session, "after_soft_rollback")
def _remove_written_files(session, _previous_transaction):
    """A rolled-back change leaves no file behind."""
    for path in session.info.pop("attachment_files", []):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
