"""Reading inputs, the base of the ingest modules: decoding, limits, documents and pages.

The ingest modules are the only ones that open files. This one reads single documents
(``prov add``, ``compare`` and ``check``); :mod:`provenance.ingest.web` reads the pages
``prov scan`` checks and :mod:`provenance.ingest.warc` the WARC files among them. They
import downwards only: ``ingest`` <- ``ingest_warc`` <- ``ingest_web``.

Bytes become text here, once, with the rules a crawler's input needs: a byte order
mark wins; then strict UTF-8; then UTF-16 without a BOM (recognised by its zero
bytes); then Windows-1252 (which also reads Latin-1 text). Files with zero bytes
that are not UTF-16, or with many control characters, are binary and refused.

Web pages are decoded by the browser's rules: BOM, declared charset (HTTP header, then
``<meta>``), UTF-8, then detection. HTML keeps its main text; the rest is boilerplate.
That decoding, :class:`Page` and the helpers that build a page live here, below both
page readers, because :func:`read_document` reads an HTML file as ``prov scan`` does.
The readers above read :data:`MAX_BYTES` as ``ingest.MAX_BYTES`` when they run, so the
one limit (and any change to it) holds for every reader.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import detect_encoding, map_encoding_to_html5
from resiliparse.parse.html import HTMLTree

from provenance.errors import InputError

#: Largest input read, in bytes. Larger files are refused rather than loaded.
MAX_BYTES = 64 * 1024 * 1024
#: File suffixes taken from a folder by ``prov add`` and ``prov check``.
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".html", ".htm"})
#: Bytes read at a time when copying, skipping or decompressing.
CHUNK = 64 * 1024

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
        text, _ = html_text(decode_web(raw.text.encode("utf-8"), "utf-8", html=True))
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


def decode_web(data: bytes, declared: str | None, *, html: bool) -> str:
    """Bytes of a web page to text: BOM, declared charset, UTF-8, then detection."""
    if not data.strip():
        raise Unreadable("empty")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return checked(data[len(bom) :].decode(enc))
            except UnicodeDecodeError:
                raise Unreadable(f"not valid {enc} after its byte order mark") from None
    labels = [declared]
    if html and (meta := _META_CHARSET.search(data[:HTML_PRESCAN_BYTES])):
        labels.append(meta.group(1).decode("ascii"))
    for label in labels:
        codec = label and map_encoding_to_html5(label, fallback_utf8=False)
        if codec:
            try:
                return checked(data.decode(codec))
            except (UnicodeDecodeError, LookupError):
                pass  # a wrong declaration: go on guessing
    try:
        return checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    codec = detect_encoding(data)
    if codec and codec != "utf-8":
        try:
            return checked(data.decode(codec))
        except (UnicodeDecodeError, LookupError):
            pass
    if b"\x00" in data:
        raise Unreadable("binary data, not text")
    raise Unreadable("not valid UTF-8 and no charset could be detected")


def checked(text: str) -> str:
    """``text``, unless it holds a NUL or many control characters (binary data)."""
    if "\x00" in text or _control_share(text) > 0.01:
        raise Unreadable("binary data, not text")
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


def page(key: str, url: str, fetched_at: str, kind: str, text: str, boiler: str = "") -> Page:
    """A page read, or an error page when ``text`` is blank."""
    if not text.strip():
        return error(key, kind, "no text (empty, or only markup and whitespace)", url, fetched_at)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Page(key, url, fetched_at, text, boiler, digest, kind)


def error(key: str, kind: str, reason: str, url: str = "", fetched_at: str = "") -> Page:
    """A page that could not be read: ``text`` and ``sha256`` are empty."""
    reason = " ".join(reason.split())  # one line
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


def raw_document(data: bytes, name: str) -> RawText:
    """A document from bytes that no file holds (standard input), read as
    :func:`read_document` reads a file: an HTML page (it begins with ``<!doctype html``
    or ``<html``) by its main text, anything else as text.

    Raises:
        InputError: empty, binary or undecodable, or an HTML page with no text.
    """
    text, encoding = decode(data, name)
    head = text.lstrip("\ufeff \t\r\n")[:64].lower()
    if head.startswith(("<!doctype html", "<html")):
        text, _ = html_text(decode_web(text.encode("utf-8"), "utf-8", html=True))
        if not text.strip():
            raise InputError(f"{name}: no text in this HTML page")
    return RawText(name, text, hashlib.sha256(data).hexdigest(), encoding)
