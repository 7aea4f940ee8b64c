"""Reading WARC files (plain or gzip) for ``prov scan``: one :class:`Page` per page record.

Its own module because framing WARC records is a subsystem of its own (bounded readers
for records, their blocks and gzip members) that only WARC files need.
:func:`provenance.ingest.web.iter_pages` calls :func:`warc_pages` for .warc and
.warc.gz files; the records' pages are decoded and built with the helpers of
:mod:`provenance.ingest.files`, as the other pages are.

WARC records are framed here, not by warcio's ArchiveIterator over the whole file:
that iterator ends silently at a record cut short and reads header lines without a
length limit (a gzip bomb of one endless line fills memory). Each record is framed
with bounded reads, then parsed by ArchiveIterator from a stream holding that record
only, which also decodes chunked and compressed HTTP bodies.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from provenance.ingest import (
    files as ingest,  # ingest.MAX_BYTES is read when used: one limit for all
)
from provenance.ingest.files import (
    CHUNK,
    Page,
    Unreadable,
    decode_web,
    error,
    html_text,
    iso_utc,
    os_reason,
    page,
    storable,
    too_large,
)

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: Longest WARC or HTTP header section, in bytes (bounds memory on a header that never ends).
MAX_HEADER_BYTES = 1024 * 1024
_PAGE_TYPES = frozenset({"text/html", "text/plain"})
#: Longest Content-Length taken, in digits (10**18 bytes: more than any file).
_MAX_LENGTH_DIGITS = 18


class _Damaged(Unreadable):
    """A WARC file whose rest cannot be framed: truncated, corrupt gzip, not WARC."""


def warc_pages(name: str, mtime: str) -> Iterator[Page]:
    """The HTML and plain-text pages of a WARC file (plain or gzip), keyed ``path#offset``.

    Kept: ``response`` records with an HTTP 2xx status and ``resource`` records, both
    of type text/html or text/plain; other records are skipped silently. For .warc.gz
    the offset is the gzip member's (as in CDX indexes); a member holding several
    records keys the others ``path#member+offset`` (offset in the decompressed member).

    A damaged record (a Content-Length that does not end at a record boundary, a bad
    header, a block cut short) is an error page with the reason, and reading goes on
    at the next record: the next gzip member of a .warc.gz, the next line starting
    ``WARC/`` after the damaged record's first line in a plain .warc (so a record
    swallowed by a Content-Length that is too long is found again).
    """
    try:
        with open(name, "rb") as fh:
            gzipped = fh.read(2) == b"\x1f\x8b"
            fh.seek(0)
            reader = _gzip_pages if gzipped else _plain_pages
            count = yield from reader(fh, name, mtime)
    except OSError as e:
        yield error(name, "warc", os_reason(e), name, mtime)
        return
    if not count:
        yield error(name, "warc", "empty (no WARC records)", name, mtime)


def _plain_pages(fh: BinaryIO, name: str, mtime: str) -> Generator[Page, None, int]:
    """The pages of an uncompressed WARC file; returns the number of records seen."""
    framer = _Framer(fh)
    count = 0
    while True:
        record: _Record | None = None
        try:
            record = framer.next_record()
            if record is None:
                return count
            page = _record_page(record, _record_key(name, None, record.offset), name, mtime)
            framer.finish()  # the block must end where the next record starts
        except _Damaged as e:
            at = record.offset if record is not None else framer.start
            count += 1
            yield error(_record_key(name, None, at), "warc", str(e), name, mtime)
            if not framer.resync(fh, at):
                return count
            continue
        count += 1
        if page is not None:
            yield page


def _gzip_pages(fh: BinaryIO, name: str, mtime: str) -> Generator[Page, None, int]:
    """The pages of a .warc.gz (a series of gzip members); returns the records seen."""
    member: int | None = None
    framer: _Framer | None = None
    count = 0
    start: int | None = 0
    while start is not None:
        at: int | None = None  # the offset of the record being read, once framed
        try:
            for member, framer in _framers(fh, start):
                while (record := framer.next_record()) is not None:
                    count += 1
                    at = record.offset
                    page = _record_page(record, _record_key(name, member, at), name, mtime)
                    framer.finish()
                    at = None
                    if page is not None:
                        yield page
            start = None
        except _Damaged as e:
            offset = at if at is not None else framer.start if framer is not None else 0
            yield error(_record_key(name, member, offset), "warc", str(e), name, mtime)
            count += 1
            # a .warc.gz is a series of independent members: go on at the next one
            start = _next_member(fh, member + 1) if member is not None else None
            framer = None
    return count


def _record_page(record: _Record, key: str, name: str, mtime: str) -> Page | None:
    try:
        return _warc_page(record, key, name, mtime)
    except Unreadable as e:
        url = record.headers.get("warc-target-uri", name)
        return error(key, "warc", str(e), url, mtime)


def _next_member(fh: BinaryIO, pos: int) -> int | None:
    """The offset of the next intact gzip member holding a WARC record, at or after
    ``pos`` (the bytes 1f 8b 08 can occur inside compressed data: each candidate is
    checked by decompressing its first bytes)."""
    while True:
        fh.seek(pos)
        window = fh.read(CHUNK + 2)
        if len(window) < 3:
            return None
        at = window.find(b"\x1f\x8b\x08")
        if at < 0:
            pos += len(window) - 2
            continue
        candidate = pos + at
        fh.seek(candidate)
        try:
            head = zlib.decompressobj(wbits=31).decompress(fh.read(CHUNK), 16)
        except zlib.error:
            head = b""
        if head.startswith(b"WARC/"):
            return candidate
        pos = candidate + 1


def _record_key(name: str, member: int | None, offset: int) -> str:
    if member is None:
        return f"{name}#{offset}"
    return f"{name}#{member}" if offset == 0 else f"{name}#{member}+{offset}"


def _framers(fh: BinaryIO, start: int = 0) -> Iterator[tuple[int, _Framer]]:
    """One framer per gzip member (from ``start``), with the member's offset."""
    while True:
        fh.seek(start)
        if not fh.read(1):
            return
        member = _GzipMember(fh, start)
        yield start, _Framer(io.BufferedReader(member, CHUNK))
        if member.end < 0:  # the framer read to the member's end; this is a safeguard
            raise _Damaged("corrupted gzip member (it does not end)")
        start = member.end


@dataclass(frozen=True, slots=True)
class _Record:
    """One framed WARC record: its offset, WARC headers (lowercase names) and bytes."""

    offset: int
    headers: dict[str, str]
    stream: BinaryIO
    problem: str = ""


class _Framer:
    """Splits a stream of WARC records with bounded reads (headers <= MAX_HEADER_BYTES).

    :meth:`next_record` returns the next record; :meth:`finish` reads the rest of it
    and raises :class:`_Damaged` when the stream ends before the record does.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._pending = b""
        self._block: _Block | None = None
        self.pos = 0  # offset of the next unread byte
        self.start = 0  # offset of the record being read

    def _readline(self, budget: int) -> bytes:
        line = self._stream.readline(budget + 1)
        if len(line) > budget:
            raise _Damaged(f"WARC header longer than {MAX_HEADER_BYTES:,} bytes")
        return line

    def _skip_blank_lines(self) -> bytes:
        """The next line that is not blank, b"" at the end; bounded like a header."""
        self.start = self.pos
        blank = 0
        while line := self._readline(MAX_HEADER_BYTES):
            if line.strip():
                return line
            blank += len(line)
            if blank > MAX_HEADER_BYTES:
                raise _Damaged(f"not a WARC record (over {MAX_HEADER_BYTES:,} blank bytes)")
            self.pos += len(line)
        return b""

    def next_record(self) -> _Record | None:
        self.finish()
        line, self._pending = self._pending or self._skip_blank_lines(), b""
        if not line:
            return None
        self.start = self.pos
        if not line.startswith(b"WARC/"):
            raise _Damaged(f"not a WARC record (it starts with {line[:16]!r})")
        head = [line]
        size = len(line)
        while line.strip():
            line = self._readline(MAX_HEADER_BYTES - size)
            if not line:
                raise _Damaged("truncated WARC record (it ends in its headers)")
            head.append(line)
            size += len(line)
        headers: dict[str, str] = {}
        lengths: set[str] = set()
        for raw in head[1:-1]:
            field, _, value = raw.decode("utf-8", "replace").partition(":")
            headers[field.strip().lower()] = value.strip()
            if field.strip().lower() == "content-length":
                lengths.add(value.strip())
        length = headers.get("content-length", "")
        if len(lengths) > 1:
            raise _Damaged("WARC record with two different Content-Lengths")
        if not (length.isascii() and length.isdigit()) or len(length) > _MAX_LENGTH_DIGITS:
            raise _Damaged("WARC record without a valid Content-Length")
        self.pos += size
        block = _Block(b"".join(head), self._stream, int(length))
        problem = ""
        if headers.get("warc-type") == "response" and not block.read_http_head():
            problem = f"HTTP headers longer than {MAX_HEADER_BYTES:,} bytes"
        self._block = block
        return _Record(self.start, headers, io.BufferedReader(block, CHUNK), problem)

    def finish(self) -> None:
        """Read the rest of the current record and the blank lines after it; raise
        :class:`_Damaged` when the stream ends first or what follows is not a record
        (the record's Content-Length lied)."""
        block, self._block = self._block, None
        if block is not None:
            block.drain()
            self.pos += block.length
            self._pending = self._skip_blank_lines()
            if self._pending and not self._pending.startswith(b"WARC/"):
                raise _Damaged(
                    f"the record does not end where its Content-Length ({block.length:,}) "
                    f"says: {self._pending[:16]!r} follows it"
                )

    def resync(self, fh: BinaryIO, after: int) -> bool:
        """Go on at the next line starting ``WARC/`` after offset ``after`` of ``fh``
        (the stream this framer reads, seekable: a plain .warc); False if there is none."""
        fh.seek(after)
        pos, tail = after, b""
        while chunk := fh.read(CHUNK):
            window = tail + chunk
            at = window.find(b"\nWARC/")
            if at >= 0:
                start = pos - len(tail) + at + 1
                fh.seek(start)
                self.pos = self.start = start
                self._pending, self._block = b"", None
                return True
            pos += len(chunk)
            tail = window[-6:]
        return False


class _Block(io.RawIOBase):
    """One record as a stream: its header bytes, then ``length`` bytes of ``source``."""

    def __init__(self, head: bytes, source: BinaryIO, length: int) -> None:
        super().__init__()
        self._head = head
        self._source = source
        self.length = length
        self.left = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        with memoryview(buffer) as view, view.cast("B") as out:
            if self._head:
                n = min(len(out), len(self._head))
                out[:n] = self._head[:n]
                self._head = self._head[n:]
                return n
            data = self._source.read(min(len(out), self.left)) if self.left > 0 else b""
            self.left -= len(data)
            out[: len(data)] = data
            return len(data)

    def read_http_head(self) -> bool:
        """Move the HTTP status line and headers into the head; False if too long."""
        lines = [self._head]
        size = 0
        while self.left > 0:
            line = self._source.readline(min(self.left, MAX_HEADER_BYTES - size + 1))
            self.left -= len(line)
            size += len(line)
            lines.append(line)
            if size > MAX_HEADER_BYTES:
                return False
            if not line.strip():
                break
        self._head = b"".join(lines)
        return True

    def drain(self) -> None:
        """Skip the rest of the block; :class:`_Damaged` if the stream ends first."""
        self._head = b""
        while self.left > 0:
            data = self._source.read(min(CHUNK, self.left))
            if not data:
                missing = f"{self.left:,} byte{'s' if self.left > 1 else ''}"
                raise _Damaged(f"truncated WARC record (its last {missing} are missing)")
            self.left -= len(data)


class _GzipMember(io.RawIOBase):
    """The decompressed bytes of the gzip member at ``start`` of ``fh``, as they are read.

    Output is made a buffer at a time (``max_length``), so a gzip bomb never fills memory.
    ``end`` is the offset after the member once its end was read, else -1.
    """

    def __init__(self, fh: BinaryIO, start: int) -> None:
        super().__init__()
        fh.seek(start)
        self._fh = fh
        self._zlib = zlib.decompressobj(wbits=31)  # gzip framing only
        self._input = b""
        self._read = start
        self.end = -1

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        with memoryview(buffer) as view, view.cast("B") as out:
            while self.end < 0 and len(out):
                if not self._input:
                    self._input = self._fh.read(CHUNK)
                    self._read += len(self._input)
                    if not self._input:
                        raise _Damaged("truncated WARC record (the gzip member ends early)")
                try:
                    data = self._zlib.decompress(self._input, len(out))
                except zlib.error as e:
                    raise _Damaged(f"corrupted gzip member ({e})") from None
                self._input = self._zlib.unconsumed_tail
                if self._zlib.eof:
                    self.end = self._read - len(self._zlib.unused_data)
                if data:
                    out[: len(data)] = data
                    return len(data)
            return 0


def _warc_page(record: _Record, key: str, name: str, mtime: str) -> Page | None:
    """The page of a framed record, None for records that are not pages."""
    kind = record.headers.get("warc-type")
    url = record.headers.get("warc-target-uri", "")
    if kind not in ("response", "resource") or (
        kind == "response" and not url.startswith(("http:", "https:"))
    ):
        return None
    if record.problem:
        raise Unreadable(record.problem)
    # warcio takes 46 ms to import: only when a WARC is read. It has no type hints.
    from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped,unused-ignore]
    from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped,unused-ignore]

    try:
        parsed = next(iter(ArchiveIterator(record.stream)), None)
        if parsed is None:
            raise Unreadable("unreadable WARC record")
        http = parsed.http_headers
        if kind == "response":
            status = str(http.get_statuscode() if http else "")
            if not (status.isdigit() and 200 <= int(status) < 300):
                return None
            content_type = str(http.get_header("Content-Type") or "")
        else:
            content_type = record.headers.get("content-type", "")
        media, charset = _media_type(content_type)
        if media not in _PAGE_TYPES:
            return None
        body: bytes = parsed.content_stream().read(ingest.MAX_BYTES + 1)
    # What warcio and its decoders raise on hostile bytes (found by the fuzzer in
    # tests/test_ingest_web.py): its own error, bad numbers and encodings, a cut
    # stream, zlib's error, and AttributeError from its brotli decoder (which does
    # not work with the brotli module installed today: any "br" body).
    except (
        ArchiveLoadFailed, ValueError, LookupError, EOFError, OSError, OverflowError,
        zlib.error, AttributeError,
    ) as e:  # fmt: skip
        raise Unreadable(f"unreadable WARC record ({type(e).__name__}: {e})") from None
    if len(body) > ingest.MAX_BYTES:
        raise Unreadable(too_large(int(record.headers["content-length"])))
    fetched = iso_utc(record.headers.get("warc-date")) or mtime
    # a resource record without a target URI is a page of its own, named by its key
    warned: list[str] = []
    shown = storable(key)
    if media == "text/html":
        text, boiler = html_text(decode_web(body, charset, html=True, warnings=warned, name=shown))
        return page(key, url or key, fetched, "warc", text, boiler, warned)
    text = decode_web(body, charset, html=False, warnings=warned, name=shown)
    return page(key, url or key, fetched, "warc", text, "", warned)


def _media_type(content_type: str) -> tuple[str, str | None]:
    """``("text/html", "utf-8")`` from a Content-Type header value."""
    media, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media.strip().lower(), charset
