"""Reading inputs, the base of the ingest modules: decoding, limits, documents and pages.

The ingest modules are the only ones that open files. This one reads single documents
(``prov add``, ``compare`` and ``check``); :mod:`provenance.ingest.web` reads the pages
``prov scan`` checks and :mod:`provenance.ingest.warc` the WARC files among them. They
import downwards only: ``ingest`` <- ``ingest_warc`` <- ``ingest_web``.

Bytes become text in :mod:`provenance.ingest.decode`, once, with the rules a crawler's
input needs (binary data refused, stray control characters ignored with a warning).

Web pages are decoded by the browser's rules: BOM, declared charset (HTTP header, then
``<meta>``), UTF-8, then detection. HTML keeps its main text; the rest is boilerplate.
That decoding, :class:`Page` and the helpers that build a page live here, below both
page readers, because :func:`read_document` reads an HTML file as ``prov scan`` does.
The readers above read :data:`MAX_BYTES` as ``ingest.MAX_BYTES`` when they run, so the
one limit (and any change to it) holds for every reader.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import detect_encoding, map_encoding_to_html5
from resiliparse.parse.html import HTMLTree

from provenance.errors import InputError
from provenance.ingest.decode import BOMS, clean, decode_text

#: Largest input read, in bytes. Larger files are refused rather than loaded.
MAX_BYTES = 64 * 1024 * 1024
#: File suffixes taken from a folder by ``prov add`` and ``prov check``.
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".html", ".htm"})
#: Bytes read at a time when copying, skipping or decompressing.
CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class RawText:
    """A decoded input.

    Attributes:
        path: the path as given (what reports show).
        text: the decoded text, unchanged otherwise (offsets in reports refer to it),
            but for stray control characters, ignored (see :func:`~provenance.ingest.decode.clean`).
        sha256: hex digest of the file's bytes.
        encoding: the encoding the bytes were read with.
        warnings: what was read otherwise than written (stray control characters),
            one line each, naming the file.
    """

    path: str
    text: str
    sha256: str
    encoding: str
    warnings: tuple[str, ...] = ()


#: Lone surrogates: half a UTF-16 pair (from JSON's "\\ud800"), or, from U+DC80 to
#: U+DCFF, a byte of a file name that is not UTF-8 (Python's ``surrogateescape``).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def storable(name: str) -> str:
    """A name or URL as prov stores and shows it: valid Unicode, so SQLite (UTF-8), JSON
    and the terminal take it. The bytes of a file name that are not UTF-8 are written
    ``\\xNN`` (``bad\\xffname.txt``: what ``ls -b`` shows), other lone surrogates
    ``\\udNNN``; any other name is unchanged. The file itself is still opened by its
    real name; the stored one is what ``prov sources`` lists and ``prov remove`` takes.

    >>> storable("bad\\udcffname.txt")
    'bad\\\\xffname.txt'
    """
    return _SURROGATE.sub(_surrogate, name) if _SURROGATE.search(name) else name


#: Files read as HTML pages, by their main text.
HTML_SUFFIXES = (".html", ".htm")


def is_html(path: str | Path) -> bool:
    """Whether ``path`` is read as an HTML page: its text (and every offset into it) is
    the main text extracted from the page, not the file's bytes."""
    return str(path).lower().endswith(HTML_SUFFIXES)


def read_document(path: str | Path) -> RawText:
    """Read one file for ``add``, ``compare`` or ``check``: an HTML page by its main text
    (what ``prov scan`` would read of it), anything else as text.

    Raises:
        InputError: as :func:`read_text`, or an HTML page with no text.
    """
    if is_html(path) and Path(path).is_file():
        raw = read_text(path)  # the same checks and errors as any file
        text = web_text(raw.path, raw.text.encode("utf-8"), "utf-8", html=True, what="HTML page")
        return RawText(raw.path, text, raw.sha256, raw.encoding, raw.warnings)
    return read_text(path)


def read_text(path: str | Path) -> RawText:
    """Read one file as text.

    Raises:
        InputError: the path is missing, a folder, unreadable, too large, empty,
            binary or undecodable.
    """
    p = Path(path)
    name = storable(str(path))
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
    d = decode_text(data, name)
    return RawText(name, d.text, hashlib.sha256(data).hexdigest(), d.encoding, d.warnings)


def expand_paths(
    paths: Iterable[str | Path], suffixes: frozenset[str] = TEXT_SUFFIXES
) -> Iterator[Path]:
    """Files named directly, and the text files under named folders, sorted, each once.

    Folders are walked without following symbolic links: a link to a folder or a file
    found inside a folder is skipped (as ``find`` does; a link must not pull a file
    from elsewhere, ``/etc/passwd``, into the index). A link named in ``paths`` is
    followed. A named path that does not exist raises :class:`InputError`.
    """
    seen: set[str] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found: list[Path] = []
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs.sort()
                found.extend(
                    Path(root) / f
                    for f in files
                    if Path(f).suffix.lower() in suffixes and not os.path.islink(Path(root) / f)
                )
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


# -- decoding web pages and HTML ---------------------------------------------------------
#
# HTML goes through resiliparse, not trafilatura, for speed: about 1 ms a page at most
# and 3 ms to import, against ~6x the time a page and 200 ms to import (measured on a
# 17 kB article: 0.25 ms for both extractions here, 1.5 ms for trafilatura.extract); a
# nightly scan reads millions of pages. Charset detection also uses resiliparse
# (Google's Compact Encoding Detection, in C++): made for web pages, no extra dependency,
# and right on short Windows-1252 and KOI8-R samples that charset-normalizer read as
# cp1250 and Shift-JIS. The detected codec is then applied strictly, so bytes that do
# not fit it are an error rather than silently dropped (as resiliparse's bytes_to_str does).

#: HTML declares its charset in its first 1024 bytes (the HTML standard's prescan).
HTML_PRESCAN_BYTES = 1024
#: An HTML page with more tags than this is read whole, without main-content detection
#: (which is quadratic in the nesting depth; ordinary pages have 1,000-5,000 tags).
MAX_HTML_TAGS = 30_000
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.I)


class Unreadable(Exception):
    """A file or record that cannot be read; ``str(e)`` is the reason (no name)."""


def decode_web(
    data: bytes,
    declared: str | None,
    *,
    html: bool,
    warnings: list[str] | None = None,
    name: str = "",
) -> str:
    """Bytes of a web page to text: BOM, declared charset, UTF-8, then detection. How
    the text was read otherwise than written (stray control bytes ignored) is appended
    to ``warnings``, naming ``name``."""
    if not data.strip():
        raise Unreadable("empty")
    for bom, enc in BOMS:
        if data.startswith(bom):
            try:
                return checked(data[len(bom) :].decode(enc), warnings, name)
            except UnicodeDecodeError:
                raise Unreadable(f"not valid {enc} after its byte order mark") from None
    labels = [declared]
    if html and (meta := _META_CHARSET.search(data[:HTML_PRESCAN_BYTES])):
        labels.append(meta.group(1).decode("ascii"))
    for label in labels:
        codec = label and map_encoding_to_html5(label, fallback_utf8=False)
        if codec:
            try:
                return checked(data.decode(codec), warnings, name)
            except (UnicodeDecodeError, LookupError):
                pass  # a wrong declaration: go on guessing
    try:
        return checked(data.decode("utf-8"), warnings, name)
    except UnicodeDecodeError:
        pass
    codec = detect_encoding(data)
    if codec and codec != "utf-8":
        try:
            return checked(data.decode(codec), warnings, name)
        except (UnicodeDecodeError, LookupError):
            pass
    if b"\x00" in data:
        raise Unreadable("binary data, not text")
    raise Unreadable("not valid UTF-8 and no charset could be detected")


def checked(text: str, warnings: list[str] | None = None, name: str = "") -> str:
    """``text`` with stray control characters ignored (as :func:`clean` does; its
    warning, naming ``name``, appended to ``warnings`` when given), unless it is binary
    data."""
    try:
        text, warned = clean(text, name)
    except InputError:
        raise Unreadable("binary data, not text") from None
    if warnings is not None:
        warnings.extend(warned)
    return text


def html_text(html: str) -> tuple[str, str]:
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


# -- pages for `prov scan` -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched page (a file, a WARC response record, a JSONL line), decoded.

    Attributes:
        key: stable identity of the input record, the same on every run over the same
            input (names as :func:`storable` writes them): the file path;
            ``path#offset`` for a WARC record (its byte offset); ``path:line`` for a
            JSONL line.
        url: the page's URL (WARC target URI, the JSONL ``url``); for a text or HTML
            file its path; for a WARC record or JSONL line without a URL, its ``key``
            (each such record is a page of its own, not a version of the file).
        fetched_at: ISO 8601 UTC time of the fetch (WARC-Date, the JSONL ``date`` or
            ``fetched_at``), else the file's modification time.
        text: the text to check (for HTML, the main content the extractor kept).
        boilerplate: for HTML, the text the extractor stripped (navigation, footers...).
        sha256: hex digest of ``text`` in UTF-8: the content's identity.
        kind: ``text``, ``html``, ``warc`` or ``jsonl`` (where it was read from).
        error: why the record could not be read ("" when it was); ``text`` is then "".
        warnings: how it was read otherwise than written (stray control bytes ignored).
    """

    key: str
    url: str
    fetched_at: str
    text: str
    boilerplate: str
    sha256: str
    kind: str
    error: str = ""
    warnings: tuple[str, ...] = ()


def page(
    key: str,
    url: str,
    fetched_at: str,
    kind: str,
    text: str,
    boiler: str = "",
    warnings: Iterable[str] = (),
) -> Page:
    """A page read, or an error page when ``text`` is blank."""
    key, url = storable(key), storable(url)
    if not text.strip():
        return error(key, kind, "no text (empty, or only markup and whitespace)", url, fetched_at)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Page(key, url, fetched_at, text, boiler, digest, kind, "", tuple(warnings))


def error(key: str, kind: str, reason: str, url: str = "", fetched_at: str = "") -> Page:
    """A page that could not be read: ``text`` and ``sha256`` are empty."""
    key, url = storable(key), storable(url)
    reason = storable(" ".join(reason.split()))  # one line
    return Page(key, url or key.partition("#")[0], fetched_at, "", "", "", kind, f"{key}: {reason}")


def os_reason(e: OSError) -> str:
    """Why a file could not be read, without its name."""
    if isinstance(e, FileNotFoundError):
        return "no such file or folder"
    if isinstance(e, PermissionError):
        return "permission denied"
    return f"cannot read ({e.strerror or e})"


def too_large(size: int | None) -> str:
    """Why an input over :data:`MAX_BYTES` was refused (``size`` if it is known)."""
    if size is None or size <= MAX_BYTES:
        return f"too large: more than the {MAX_BYTES:,} byte limit once decoded"
    return f"too large: {size:,} bytes over the {MAX_BYTES:,} limit"


def iso_utc(value: object) -> str:
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


def web_text(name: str, data: bytes, declared: str | None, *, html: bool, what: str) -> str:
    """Bytes from the web (an HTTP body, an upload) read by the web's rules
    (:func:`decode_web`: BOM, declared charset, detection), an HTML page by its main text.

    Raises:
        InputError: undecodable, or no text in it ("``name``: no text in this ``what``").
    """
    try:
        text = decode_web(data, declared, html=html)
    except Unreadable as e:
        raise InputError(f"{name}: {e}") from None
    if html:
        text, _ = html_text(text)
    if not text.strip():
        raise InputError(f"{name}: no text in this {what}")
    return text


def raw_document(data: bytes, name: str) -> RawText:
    """A document from bytes that no file holds (standard input), read as
    :func:`read_document` reads a file: an HTML page (it begins with ``<!doctype html``
    or ``<html``) by its main text, anything else as text.

    Raises:
        InputError: empty, binary or undecodable, or an HTML page with no text.
    """
    d = decode_text(data, name)
    text = d.text
    head = text.lstrip("\ufeff \t\r\n")[:64].lower()
    if head.startswith(("<!doctype html", "<html")):
        text = web_text(name, text.encode("utf-8"), "utf-8", html=True, what="HTML page")
    return RawText(name, text, hashlib.sha256(data).hexdigest(), d.encoding, d.warnings)
