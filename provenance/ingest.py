"""Reading inputs: the only module that opens files.

Bytes become text here, once, with the rules a crawler's input needs: a byte order
mark wins; then strict UTF-8; then UTF-16 without a BOM (recognised by its zero
bytes); then Windows-1252 (which also reads Latin-1 text). Files with zero bytes
that are not UTF-16, or with many control characters, are binary and refused.

``iter_pages`` reads what ``prov scan`` checks: text and HTML files, WARC and JSONL
crawl files, one :class:`Page` per page, streaming, and never raises for bad input.
Web pages are decoded by the browser's rules: BOM, declared charset (HTTP header, then
``<meta>``), UTF-8, then detection. HTML keeps its main text; the rest is boilerplate.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
import re
import stat
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import detect_encoding, map_encoding_to_html5
from resiliparse.parse.html import HTMLTree

from provenance.errors import InputError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: Largest input read, in bytes. Larger files are refused rather than loaded.
MAX_BYTES = 64 * 1024 * 1024
#: File suffixes taken from a folder by ``prov add`` and ``prov check``.
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".html", ".htm"})

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL_OK = {"\t", "\n", "\r", "\f", "\v"}


@dataclass(frozen=True, slots=True)
class RawText:
    """A decoded input.

    Attributes:
        path: the path as given (what reports show).
        text: the decoded text, unchanged otherwise (offsets in reports refer to it).
        sha256: hex digest of the file's bytes.
        encoding: the encoding the bytes were read with.
    """

    path: str
    text: str
    sha256: str
    encoding: str


def decode(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """Decode bytes to text; returns ``(text, encoding)``.

    Raises:
        InputError: empty, binary or undecodable input (the message names ``name``).

    >>> decode("caf\\u00e9".encode("utf-8"))
    ('café', 'utf-8')
    """
    if not data.strip():
        raise InputError(f"{name}: no text (the file is empty or whitespace only)")
    text: str | None = None
    encoding = ""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text, encoding = data[len(bom) :].decode(enc), enc
            except UnicodeDecodeError as e:
                raise InputError(
                    f"{name}: not valid {enc} after its byte order mark ({e.reason})"
                ) from None
            break
    if text is None and b"\x00" in data:
        text, encoding = _utf16_without_bom(data, name), "utf-16"
    if text is None:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text = None
    if text is None and len(data) % 2 == 0:  # UTF-16 of a script with no zero bytes
        text = _utf16_guess(data)
        encoding = "utf-16" if text is not None else ""
    if text is None:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "latin-1"
    if "\x00" in text or _control_share(text) > 0.01:
        raise InputError(f"{name}: binary data, not text")
    if not text.strip():
        raise InputError(f"{name}: no text (the file is empty or whitespace only)")
    return text, encoding


def _utf16_without_bom(data: bytes, name: str) -> str:
    """UTF-16 without a BOM: Latin text has a zero byte in every other place; other
    scripts are recognised by decoding both byte orders and keeping one that reads as
    text (printable, few Unicode blocks: random binary decoded as UTF-16 spans many)."""
    if len(data) % 2 == 0:
        half = len(data) // 2
        even, odd = data[0::2].count(0), data[1::2].count(0)
        for zeros, enc in ((odd, "utf-16-le"), (even, "utf-16-be")):
            if zeros > 0.3 * half:
                try:
                    return data.decode(enc)
                except UnicodeDecodeError:
                    break
        guess = _utf16_guess(data)
        if guess is not None:
            return guess
    raise InputError(f"{name}: binary data, not text")


def _utf16_guess(data: bytes) -> str | None:
    """The byte order under which ``data`` reads as text, if any; when both do (Greek
    read backwards is Hangul), the one with more spaces and common punctuation."""
    best: tuple[int, str] | None = None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            candidate = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _reads_as_text(candidate):
            common = sum(
                1 for ch in candidate[:4096] if ch < "\x80" or "\u3000" <= ch <= "\u303f"
                or "\uff00" <= ch <= "\uffef"
            )  # fmt: skip
            if best is None or common > best[0]:
                best = (common, candidate)
    return None if best is None else best[1]


def _reads_as_text(text: str) -> bool:
    """Natural language: letters, digits, spaces and punctuation only, some of it spaces
    or punctuation, and letters of few scripts (the first word of their Unicode names:
    LATIN, CJK, HIRAGANA, HANGUL...; random bytes decoded as UTF-16 give combining marks,
    symbols and letters of every script)."""
    sample = text[:4096]
    if len(sample) < 8:
        return False
    cats = [unicodedata.category(ch)[0] if ch not in "\n\r\t" else "Z" for ch in sample]
    wordish = sum(1 for c in cats if c in "LNZP")
    breaks = sum(1 for c in cats if c in "ZP")
    scripts = {unicodedata.name(ch, "?").split()[0] for ch in sample if ch.isalpha()}
    return wordish / len(sample) > 0.97 and breaks / len(sample) > 0.03 and len(scripts) <= 4


def _control_share(text: str) -> float:
    sample = text[:65536]
    bad = sum(1 for ch in sample if ch < " " and ch not in _CONTROL_OK)
    return bad / max(1, len(sample))


def read_document(path: str | Path) -> RawText:
    """Read one file for ``add``, ``compare`` or ``check``: an HTML page by its main text
    (what ``prov scan`` would read of it), anything else as text.

    Raises:
        InputError: as :func:`read_text`, or an HTML page with no text.
    """
    if str(path).lower().endswith((".html", ".htm")) and Path(path).is_file():
        raw = read_text(path)  # the same checks and errors as any file
        text, _ = _html_text(_decode_web(raw.text.encode("utf-8"), "utf-8", html=True))
        if not text.strip():
            raise InputError(f"{path}: no text in this HTML page")
        return RawText(raw.path, text, raw.sha256, raw.encoding)
    return read_text(path)


def read_text(path: str | Path) -> RawText:
    """Read one file as text.

    Raises:
        InputError: the path is missing, a folder, unreadable, too large, empty,
            binary or undecodable.
    """
    p = Path(path)
    name = str(path)
    try:
        info = p.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{name}: is a folder, expected a file")
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, a device never end
            raise InputError(f"{name}: not a regular file")
        if info.st_size > MAX_BYTES:
            raise InputError(
                f"{name}: {info.st_size:,} bytes is more than the {MAX_BYTES:,} prov reads; "
                "split the file"
            )
        with open(p, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError(
                f"{name}: more than the {MAX_BYTES:,} bytes prov reads; split the file"
            )
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as e:
        raise InputError(f"{name}: cannot read ({e.strerror or e})") from None
    text, encoding = decode(data, name)
    return RawText(name, text, hashlib.sha256(data).hexdigest(), encoding)


def expand_paths(
    paths: Iterable[str | Path], suffixes: frozenset[str] = TEXT_SUFFIXES
) -> Iterator[Path]:
    """Files named directly, and the text files under named folders, sorted, each once.

    Folders are walked without following symbolic links (no loops). A named path that
    does not exist raises :class:`InputError`.
    """
    seen: set[str] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found: list[Path] = []
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs.sort()
                found.extend(Path(root) / f for f in files if Path(f).suffix.lower() in suffixes)
            candidates = sorted(found)
        elif os.path.lexists(p):  # a broken link or a link loop: reading it says why
            candidates = [p]
        else:
            raise InputError(f"{raw}: no such file or folder")
        for c in candidates:
            key = os.path.realpath(c)  # never raises, even on a link loop
            if key not in seen:
                seen.add(key)
                yield c


# -- pages for `prov scan` -------------------------------------------------------------

#: File kinds `prov scan` reads from a folder.
SCAN_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".warc", ".warc.gz", ".jsonl")


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched page (a file, a WARC response record, a JSONL line), decoded.

    Attributes:
        key: stable identity of the input record, the same on every run over the same
            input: the file path; ``path#offset`` for a WARC record (its byte offset);
            ``path:line`` for a JSONL line.
        url: the page's URL (WARC target URI, the JSONL ``url``), else the file path.
        fetched_at: ISO 8601 UTC time of the fetch (WARC-Date, the JSONL ``date`` or
            ``fetched_at``), else the file's modification time.
        text: the text to check (for HTML, the main content the extractor kept).
        boilerplate: for HTML, the text the extractor stripped (navigation, footers...).
        sha256: hex digest of ``text`` in UTF-8: the content's identity.
        kind: ``text``, ``html``, ``warc`` or ``jsonl`` (where it was read from).
        error: why the record could not be read ("" when it was); ``text`` is then "".
    """

    key: str
    url: str
    fetched_at: str
    text: str
    boilerplate: str
    sha256: str
    kind: str
    error: str = ""


# -- reading pages: files, HTML, WARC and JSONL ------------------------------------------
#
# HTML goes through resiliparse, not trafilatura, for speed: about 1 ms a page at most
# and 3 ms to import, against ~6x the time a page and 200 ms to import (measured on a
# 17 kB article: 0.25 ms for both extractions here, 1.5 ms for trafilatura.extract); a
# nightly scan reads millions of pages. Charset detection also uses resiliparse
# (Google's Compact Encoding Detection, in C++): made for web pages, no extra dependency,
# and right on short Windows-1252 and KOI8-R samples that charset-normalizer read as
# cp1250 and Shift-JIS. The detected codec is then applied strictly, so bytes that do
# not fit it are an error rather than silently dropped (as resiliparse's bytes_to_str does).
#
# WARC records are framed here, not by warcio's ArchiveIterator over the whole file:
# that iterator ends silently at a record cut short and reads header lines without a
# length limit (a gzip bomb of one endless line fills memory). Each record is framed
# with bounded reads, then parsed by ArchiveIterator from a stream holding that record
# only, which also decodes chunked and compressed HTTP bodies.

#: Longest WARC or HTTP header section, in bytes (bounds memory on a header that never ends).
MAX_HEADER_BYTES = 1024 * 1024
#: HTML declares its charset in its first 1024 bytes (the HTML standard's prescan).
HTML_PRESCAN_BYTES = 1024
#: An HTML page with more tags than this is read whole, without main-content detection
#: (which is quadratic in the nesting depth; ordinary pages have 1,000-5,000 tags).
MAX_HTML_TAGS = 30_000
#: Bytes read at a time when copying, skipping or decompressing.
_CHUNK = 64 * 1024
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.I)
_KINDS = {".txt": "text", ".text": "text", ".md": "text", ".html": "html", ".htm": "html"}
_KINDS |= {".warc": "warc", ".warc.gz": "warc", ".jsonl": "jsonl"}
_PAGE_TYPES = frozenset({"text/html", "text/plain"})
#: JSON may escape half a UTF-16 pair ("\ud800"): not text, and not encodable to UTF-8.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _Unreadable(Exception):
    """A file or record that cannot be read; ``str(e)`` is the reason (no name)."""


class _Damaged(_Unreadable):
    """A WARC file whose rest cannot be framed: truncated, corrupt gzip, not WARC."""


def iter_pages(paths: Iterable[str | Path]) -> Iterator[Page]:
    """The pages under ``paths`` (folders walked, files read), one :class:`Page` each.

    Reads the files of :data:`SCAN_SUFFIXES` in sorted path order, each file once,
    without following symbolic links to folders. WARC and JSONL files are streamed:
    only one record is in memory at a time, and at most :data:`MAX_BYTES` of it.
    Never raises for bad input: what cannot be read is a page with ``error`` set, and
    the iteration goes on (after damage in a WARC file, with the next file).

    >>> [page.error for page in iter_pages(["no/such/folder"])]
    ['no/such/folder: no such file or folder']
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    seen: set[str] = set()
    for raw in paths:
        for name, problem in _targets(os.path.normpath(os.fspath(raw))):
            real = os.path.realpath(name)
            if real in seen:
                continue
            seen.add(real)
            if problem:
                yield _error(name, _kind(name), problem)
            else:
                yield from _file_pages(name)


def _targets(name: str) -> Iterator[tuple[str, str]]:
    """``(path, problem)`` for a named path: a folder's files (sorted) or the path itself."""
    if not os.path.isdir(name):
        yield name, "" if os.path.lexists(name) else "no such file or folder"
        return
    found: list[tuple[str, str]] = []

    def unreadable(e: OSError) -> None:
        found.append((os.path.normpath(e.filename or name), _os_reason(e)))

    for root, _dirs, files in os.walk(name, onerror=unreadable):
        found.extend((os.path.join(root, f), "") for f in files if _kind(f, strict=True))
    yield from sorted(found)


def _kind(name: str, *, strict: bool = False) -> str:
    """``text``, ``html``, ``warc`` or ``jsonl`` by suffix; "" if strict and none fits."""
    lower = name.lower()
    for suffix in SCAN_SUFFIXES:
        if lower.endswith(suffix):
            return _KINDS[suffix]
    return "" if strict else "text"


def _file_pages(name: str) -> Iterator[Page]:
    kind = _kind(name, strict=True)
    try:
        info = os.stat(name)
    except OSError as e:
        yield _error(name, kind or "text", _os_reason(e))
        return
    mtime = _iso_utc(info.st_mtime)
    if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
        yield _error(name, kind or "text", "not a regular file", fetched_at=mtime)
    elif kind == "warc":
        yield from _warc_pages(name, mtime)
    elif kind == "jsonl":
        yield from _jsonl_pages(name, mtime)
    elif not kind:
        expected = ", ".join(SCAN_SUFFIXES)
        yield _error(name, "text", f"not a kind prov scan reads (expected {expected})")
    else:
        yield _file_page(name, kind, mtime)


def _file_page(name: str, kind: str, mtime: str) -> Page:
    try:
        with open(name, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise _Unreadable(_too_large(os.fstat(fh.fileno()).st_size))
        if kind == "html":
            text, boilerplate = _html_text(_decode_web(data, None, html=True))
            return _page(name, name, mtime, kind, text, boilerplate)
        return _page(name, name, mtime, kind, decode(data, name)[0])
    except OSError as e:
        return _error(name, kind, _os_reason(e), fetched_at=mtime)
    except _Unreadable as e:
        return _error(name, kind, str(e), fetched_at=mtime)
    except InputError as e:  # decode() names the file itself
        return Page(name, name, mtime, "", "", "", kind, str(e))


def _page(key: str, url: str, fetched_at: str, kind: str, text: str, boiler: str = "") -> Page:
    if not text.strip():
        return _error(key, kind, "no text (empty, or only markup and whitespace)", url, fetched_at)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Page(key, url, fetched_at, text, boiler, digest, kind)


def _error(key: str, kind: str, reason: str, url: str = "", fetched_at: str = "") -> Page:
    """A page that could not be read: ``text`` and ``sha256`` are empty."""
    reason = " ".join(reason.split())  # one line
    return Page(key, url or key.partition("#")[0], fetched_at, "", "", "", kind, f"{key}: {reason}")


def _os_reason(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "no such file or folder"
    if isinstance(e, PermissionError):
        return "permission denied"
    return f"cannot read ({e.strerror or e})"


def _too_large(size: int | None) -> str:
    if size is None or size <= MAX_BYTES:
        return f"too large: more than the {MAX_BYTES:,} byte limit once decoded"
    return f"too large: {size:,} bytes over the {MAX_BYTES:,} limit"


def _iso_utc(value: object) -> str:
    """A time as ``2024-05-01T12:00:00Z``; "" when it is missing or not a time.

    Takes ISO 8601 (naive means UTC), RFC 2822 dates, 14-digit WARC/CDX stamps and
    Unix seconds.
    """
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            when = datetime.fromtimestamp(value, UTC)
        elif isinstance(value, str) and value.strip():
            s = value.strip()
            if len(s) == 14 and s.isdigit():
                s = f"{s[:4]}-{s[4:6]}-{s[6:8]}T{s[8:10]}:{s[10:12]}:{s[12:]}"
            try:
                when = datetime.fromisoformat(s)
            except ValueError:
                import email.utils  # only WARC and JSONL dates (4 ms to import)

                when = email.utils.parsedate_to_datetime(s)
        else:
            return ""
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, TypeError, OverflowError, OSError):
        return ""


# -- decoding and HTML -------------------------------------------------------------------


def _decode_web(data: bytes, declared: str | None, *, html: bool) -> str:
    """Bytes of a web page to text: BOM, declared charset, UTF-8, then detection."""
    if not data.strip():
        raise _Unreadable("empty")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(enc))
            except UnicodeDecodeError:
                raise _Unreadable(f"not valid {enc} after its byte order mark") from None
    labels = [declared]
    if html and (meta := _META_CHARSET.search(data[:HTML_PRESCAN_BYTES])):
        labels.append(meta.group(1).decode("ascii"))
    for label in labels:
        codec = label and map_encoding_to_html5(label, fallback_utf8=False)
        if codec:
            try:
                return _checked(data.decode(codec))
            except (UnicodeDecodeError, LookupError):
                pass  # a wrong declaration: go on guessing
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    codec = detect_encoding(data)
    if codec and codec != "utf-8":
        try:
            return _checked(data.decode(codec))
        except (UnicodeDecodeError, LookupError):
            pass
    if b"\x00" in data:
        raise _Unreadable("binary data, not text")
    raise _Unreadable("not valid UTF-8 and no charset could be detected")


def _checked(text: str) -> str:
    if "\x00" in text or _control_share(text) > 0.01:
        raise _Unreadable("binary data, not text")
    return text


def _html_text(html: str) -> tuple[str, str]:
    """``(main text, boilerplate)`` of an HTML page; blocks are separated by blank lines.

    The boilerplate is the full page's text without the main text's lines (a line-set
    difference): navigation, footers, cookie banners.
    """
    tree = HTMLTree.parse(html)
    full = extract_plain_text(tree, main_content=False, list_bullets=False, alt_texts=False)
    if html.count("<") > MAX_HTML_TAGS:
        # resiliparse's main-content detection is quadratic in the nesting depth of
        # elements; a page with this many tags is no article: take all its text
        return full.strip(), ""
    main = extract_plain_text(
        tree, main_content=True, list_bullets=False, alt_texts=False, comments=False
    )
    kept = {line.strip() for line in main.splitlines()}
    boiler = [s for line in full.splitlines() if (s := line.strip()) and s not in kept]
    return main.strip(), "\n".join(boiler)


def _media_type(content_type: str) -> tuple[str, str | None]:
    """``("text/html", "utf-8")`` from a Content-Type header value."""
    media, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media.strip().lower(), charset


# -- JSONL -------------------------------------------------------------------------------


def _jsonl_pages(name: str, mtime: str) -> Iterator[Page]:
    """One page per non-blank line (``path:line``); a bad line is an error page."""
    lineno = pages = 0
    try:
        with open(name, "rb") as fh:
            while line := fh.readline(MAX_BYTES + 1):
                lineno += 1
                key = f"{name}:{lineno}"
                if len(line) > MAX_BYTES and not line.endswith(b"\n"):
                    size = len(line)
                    while rest := fh.readline(_CHUNK):  # skip the rest, a chunk at a time
                        size += len(rest.rstrip(b"\n"))
                        if rest.endswith(b"\n"):
                            break
                    pages += 1
                    yield _error(key, "jsonl", _too_large(size), name, mtime)
                elif line.strip():
                    pages += 1
                    yield _jsonl_page(line, key, name, mtime)
    except OSError as e:
        yield _error(f"{name}:{lineno}" if lineno else name, "jsonl", _os_reason(e), name, mtime)
        return
    if not pages:
        yield _error(name, "jsonl", "empty", name, mtime)


def _jsonl_page(line: bytes, key: str, name: str, mtime: str) -> Page:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as e:
        return _error(key, "jsonl", f"not valid JSON ({e})", name, mtime)
    if not isinstance(obj, dict):
        return _error(key, "jsonl", "not a JSON object", name, mtime)
    url = obj.get("url")
    url = url if isinstance(url, str) and url else name
    fetched = _iso_utc(obj.get("fetched_at")) or _iso_utc(obj.get("date")) or mtime
    html, text = obj.get("html"), obj.get("text")
    try:
        if isinstance(html, str) and html.strip():
            main, boiler = _html_text(_checked(_LONE_SURROGATE.sub("\ufffd", html)))
            return _page(key, url, fetched, "jsonl", main, boiler)
        if isinstance(text, str):
            return _page(key, url, fetched, "jsonl", _checked(_LONE_SURROGATE.sub("\ufffd", text)))
    except _Unreadable as e:
        return _error(key, "jsonl", str(e), url, fetched)
    return _error(key, "jsonl", 'missing "text" (a string)', url, fetched)


# -- WARC --------------------------------------------------------------------------------


def _warc_pages(name: str, mtime: str) -> Iterator[Page]:
    """The HTML and plain-text pages of a WARC file (plain or gzip), keyed ``path#offset``.

    Kept: ``response`` records with an HTTP 2xx status and ``resource`` records, both
    of type text/html or text/plain; other records are skipped silently. For .warc.gz
    the offset is the gzip member's (as in CDX indexes); a member holding several
    records keys the others ``path#member+offset`` (offset in the decompressed member).
    """
    member: int | None = None
    framer: _Framer | None = None
    count = 0
    try:
        with open(name, "rb") as fh:
            gzipped = fh.read(2) == b"\x1f\x8b"
            fh.seek(0)
            start: int | None = 0
            while start is not None:
                try:
                    for member, framer in _framers(fh, gzipped, start):
                        while (record := framer.next_record()) is not None:
                            count += 1
                            page = _record_page(
                                record, _record_key(name, member, record.offset), name, mtime
                            )
                            framer.finish()
                            if page is not None:
                                yield page
                    start = None
                except _Damaged as e:
                    offset = framer.start if framer is not None else 0
                    yield _error(_record_key(name, member, offset), "warc", str(e), name, mtime)
                    count += 1
                    # a .warc.gz is a series of independent members: go on at the next one
                    start = _next_member(fh, member + 1) if gzipped and member is not None else None
                    framer = None
    except OSError as e:
        yield _error(name, "warc", _os_reason(e), name, mtime)
        return
    if not count:
        yield _error(name, "warc", "empty (no WARC records)", name, mtime)


def _record_page(record: _Record, key: str, name: str, mtime: str) -> Page | None:
    try:
        return _warc_page(record, key, name, mtime)
    except _Unreadable as e:
        url = record.headers.get("warc-target-uri", name)
        return _error(key, "warc", str(e), url, mtime)


def _next_member(fh: BinaryIO, pos: int) -> int | None:
    """The offset of the next intact gzip member holding a WARC record, at or after
    ``pos`` (the bytes 1f 8b 08 can occur inside compressed data: each candidate is
    checked by decompressing its first bytes)."""
    while True:
        fh.seek(pos)
        window = fh.read(_CHUNK + 2)
        if len(window) < 3:
            return None
        at = window.find(b"\x1f\x8b\x08")
        if at < 0:
            pos += len(window) - 2
            continue
        candidate = pos + at
        fh.seek(candidate)
        try:
            head = zlib.decompressobj(wbits=31).decompress(fh.read(_CHUNK), 16)
        except zlib.error:
            head = b""
        if head.startswith(b"WARC/"):
            return candidate
        pos = candidate + 1


def _record_key(name: str, member: int | None, offset: int) -> str:
    if member is None:
        return f"{name}#{offset}"
    return f"{name}#{member}" if offset == 0 else f"{name}#{member}+{offset}"


def _framers(fh: BinaryIO, gzipped: bool, start: int = 0) -> Iterator[tuple[int | None, _Framer]]:
    """One framer over the file, or one per gzip member (from ``start``) with the
    member's offset."""
    if not gzipped:
        yield None, _Framer(fh)
        return
    while True:
        fh.seek(start)
        if not fh.read(1):
            return
        member = _GzipMember(fh, start)
        yield start, _Framer(io.BufferedReader(member, _CHUNK))
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
        for raw in head[1:-1]:
            field, _, value = raw.decode("utf-8", "replace").partition(":")
            headers[field.strip().lower()] = value.strip()
        length = headers.get("content-length", "")
        if not length.isdigit():
            raise _Damaged("WARC record without a valid Content-Length")
        self.pos += size
        block = _Block(b"".join(head), self._stream, int(length))
        problem = ""
        if headers.get("warc-type") == "response" and not block.read_http_head():
            problem = f"HTTP headers longer than {MAX_HEADER_BYTES:,} bytes"
        self._block = block
        return _Record(self.start, headers, io.BufferedReader(block, _CHUNK), problem)

    def finish(self) -> None:
        """Read the rest of the current record and the blank lines after it."""
        block, self._block = self._block, None
        if block is not None:
            block.drain()
            self.pos += block.length
            self._pending = self._skip_blank_lines()


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
            data = self._source.read(min(_CHUNK, self.left))
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
                    self._input = self._fh.read(_CHUNK)
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
        raise _Unreadable(record.problem)
    # warcio takes 46 ms to import: only when a WARC is read. It has no type hints.
    from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped,unused-ignore]
    from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped,unused-ignore]

    try:
        parsed = next(iter(ArchiveIterator(record.stream)), None)
        if parsed is None:
            raise _Unreadable("unreadable WARC record")
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
        body: bytes = parsed.content_stream().read(MAX_BYTES + 1)
    except (ArchiveLoadFailed, ValueError, EOFError, zlib.error) as e:
        raise _Unreadable(f"unreadable WARC record ({e})") from None
    if len(body) > MAX_BYTES:
        raise _Unreadable(_too_large(int(record.headers["content-length"])))
    fetched = _iso_utc(record.headers.get("warc-date")) or mtime
    if media == "text/html":
        text, boiler = _html_text(_decode_web(body, charset, html=True))
        return _page(key, url or name, fetched, "warc", text, boiler)
    return _page(key, url or name, fetched, "warc", _decode_web(body, charset, html=False))
