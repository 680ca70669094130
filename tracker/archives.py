"""Looking inside office documents (zip archives) without unpacking them.

An .odt/.docx/.xlsx is a zip. Reading a whole entry would let a 1 MB upload inflate to gigabytes in a web
worker, so only the central directory is read (after checking its declared size), and at most a few
hundred bytes of one entry, through a bounded stream. Archives that would unpack to far more than their
size, or hold more entries than any office document does, are refused outright.
"""
from __future__ import annotations

import os
import struct
import zipfile
from typing import BinaryIO

MAX_ENTRIES = 2000  # a large workbook with images has a few hundred
MAX_DIRECTORY_BYTES = 1 << 20  # the central directory of MAX_ENTRIES entries with long names
MAX_RATIO = 200  # XML compresses 5 to 50 times; deflate's ceiling is about 1,000
MAX_UNPACKED_BYTES = 512 << 20
HEAD_BYTES = 200  # enough for any OpenDocument `mimetype`

_END_OF_DIRECTORY = b"PK\x05\x06"
_END_RECORD = struct.Struct("<4s4H2LH")
OPENDOCUMENT = frozenset({
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
})
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ArchiveRefused(ValueError):
    """The archive would unpack to far more than its size, or holds too many entries (a zip bomb)."""


def office_type(stream: BinaryIO) -> str | None:
    """The content type of an OpenDocument or OOXML file; None for any other zip or a broken one.

    Raises ArchiveRefused for a zip bomb. The stream is left at its start.
    """
    try:
        _check_directory_size(stream)
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            _check_entries(infos)
            names = {info.filename for info in infos}
            if "mimetype" in names:
                mimetype = _head(archive, "mimetype").decode("ascii", "replace").strip()
                return mimetype if mimetype in OPENDOCUMENT else None
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return DOCX
                if any(n.startswith("xl/") for n in names):
                    return XLSX
    except ArchiveRefused:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    finally:
        stream.seek(0)
    return None


def _check_directory_size(stream: BinaryIO) -> None:
    """Read the end record before zipfile parses the directory: a huge directory is refused unread."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    tail_length = min(size, _END_RECORD.size + 0xFFFF)  # the record, then at most a 64 KiB comment
    stream.seek(size - tail_length)
    tail = stream.read(tail_length)
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or at + _END_RECORD.size > len(tail):
        return  # not a zip zipfile can read either: it will say so
    fields = _END_RECORD.unpack_from(tail, at)
    entries, directory_bytes = fields[4], fields[5]
    if entries > MAX_ENTRIES or directory_bytes > MAX_DIRECTORY_BYTES:
        raise ArchiveRefused("too many entries")
    stream.seek(0)


def _check_entries(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise ArchiveRefused("too many entries")
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_RATIO * max(packed, 1):
        raise ArchiveRefused("unpacks to far more than its size")


def _head(archive: zipfile.ZipFile, name: str) -> bytes:
    """The first bytes of an entry, inflating no more than that (whatever size the entry claims)."""
    with archive.open(name) as entry:
        return entry.read(HEAD_BYTES)
