"""Office files are zip archives: checking one reads a few bytes of an entry, never inflates it whole, and a
compressed bomb is refused at once with a clear message."""
import io
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from tracker import archives, attachments
from tracker.errors import DomainError
from tracker.models import Ticket

GIB = 1 << 30
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def deflated_zeros(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of `size` zero bytes, and their CRC-32, built from one compressed MiB repeated."""
    chunk = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)  # byte-aligned, self-contained
    crc = 0
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    return segment * (size // len(chunk)) + b"\x03\x00", crc  # an empty final block ends the stream


def raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written byte by byte: (name, data, method, uncompressed size, crc) per entry."""
    body, directory = io.BytesIO(), io.BytesIO()
    for name, data, method, size, crc in entries:
        offset = body.tell()
        encoded = name.encode()
        body.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data), size,
                               len(encoded), 0) + encoded + data)
        directory.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, len(data), size,
                                    len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    central = directory.getvalue()
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), body.tell(), 0)
    return body.getvalue() + central + end


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """About 1 MB whose `mimetype` entry inflates to 1 GiB: a real, valid zip (CRC and sizes right)."""
    data, crc = deflated_zeros(GIB)
    return raw_zip([("mimetype", data, zipfile.ZIP_DEFLATED, GIB, crc), ("content.xml", b"<office/>", 0, 9,
                                                                        zlib.crc32(b"<office/>"))])


def test_the_crafted_bomb_is_a_real_zip_that_inflates_to_a_gibibyte(bomb):
    assert len(bomb) < 1_200_000
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("mimetype").file_size == GIB
        with archive.open("mimetype") as entry:
            assert entry.read(1 << 20) == bytes(1 << 20)  # it really inflates (one MiB is enough to know)


def test_checking_a_bomb_inflates_almost_nothing_and_refuses_it(app, bomb):
    tracemalloc.start()
    try:
        with pytest.raises(archives.ArchiveRefused):
            attachments.detect_type(io.BytesIO(bomb), "van-ban.odt")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024  # the old check allocated the whole gibibyte


def test_a_bomb_entry_that_declares_a_small_size_is_still_read_only_a_few_bytes(app):
    """Sizes in the directory can lie: the read itself is bounded, whatever the entry claims."""
    data, _crc = deflated_zeros(64 << 20)
    lying = raw_zip([("mimetype", data, zipfile.ZIP_DEFLATED, len(ODT_MIMETYPE), zlib.crc32(ODT_MIMETYPE))])
    tracemalloc.start()
    try:
        assert attachments.detect_type(io.BytesIO(lying), "van-ban.odt") is None  # zeros are no known mimetype
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024


def test_an_archive_with_too_many_entries_is_refused_before_its_directory_is_read(app):
    entries = [(f"word/part{i}.xml", b"", 0, 0, 0) for i in range(archives.MAX_ENTRIES + 1)]
    crowded = raw_zip([("[Content_Types].xml", b"", 0, 0, 0), *entries])
    with pytest.raises(archives.ArchiveRefused):
        attachments.detect_type(io.BytesIO(crowded), "bao-cao.docx")


def test_a_huge_ratio_is_refused_even_when_the_total_is_modest(app):
    data, crc = deflated_zeros(8 << 20)  # 8 MiB from about 8 KB: no office document compresses a thousandfold
    small_bomb = raw_zip([("[Content_Types].xml", b"<Types/>", 0, 8, zlib.crc32(b"<Types/>")),
                          ("word/document.xml", data, zipfile.ZIP_DEFLATED, 8 << 20, crc)])
    with pytest.raises(archives.ArchiveRefused):
        attachments.detect_type(io.BytesIO(small_bomb), "bao-cao.docx")


def test_real_office_files_still_pass(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT_MIMETYPE)
        archive.writestr("content.xml", "<office:document-content>" + "<text:p>Nội dung</text:p>" * 500 + "</x>")
    assert attachments.detect_type(io.BytesIO(buffer.getvalue()), "van-ban.odt") == ODT_MIMETYPE.decode()


def test_filing_a_bomb_is_refused_with_a_clear_message_and_nothing_saved(client, login, commune_officer, db, bomb):
    login(commune_officer)
    response = client.post("/tickets/new", content_type="multipart/form-data", data={
        "category": "bien_che", "title": "Vướng mắc", "description": "Đề nghị hướng dẫn.", "urgency": "normal",
        "attachments": [(io.BytesIO(bomb), "van-ban.odt")]})
    assert response.status_code == 422
    assert "Tệp van-ban.odt là tệp nén bung ra lớn bất thường" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Ticket.id))) == 0


def test_the_domain_check_names_the_file_in_its_refusal(app, bomb):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        attachments.check_files([FileStorage(io.BytesIO(bomb), "van-ban.odt")])
    assert refused.value.field == "attachments" and "van-ban.odt" in str(refused.value.message)
