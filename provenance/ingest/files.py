"""Reading inputs, the base of the ingest modules: decoding, limits, documents and pages.

The ingest modules are the only ones that open files. This one reads single documents
(``prov add``, ``compare`` and ``check``); :mod:`provenance.ingest.web` reads the pages
``prov scan`` checks and :mod:`provenance.ingest.warc` the WARC files among them. They
import downwards only: ``ingest`` <- ``ingest_warc`` <- ``ingest_web``.

Bytes become text here, once, with the rules a crawler's input needs: a byte order
mark wins; then UTF-16 without a BOM (recognised by its zero bytes); then strict
UTF-8; then Windows-1252 (which also reads Latin-1 text). Binary data is refused: a
known binary format by its signature (PDF, images, archives, executables), or text
with more than :data:`MAX_CONTROL_SHARE` control characters, or whose other characters
do not read as text. A text with a few stray control characters (a NUL from a
scraper, a SUB where a character could not be converted) is read with them ignored
and a warning: each becomes a space, or a word joiner (U+2060, which words ignore)
inside a word, so that character offsets stay those of the file's text.

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
from collections import Counter
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
#: More than this share of stray control characters (see :data:`_STRAY_RE`) makes an
#: input binary: written text has none, the odd NUL or SUB of a scraper or a converter
#: is a few in thousands, and random or compressed bytes hold one in eight.
MAX_CONTROL_SHARE = 0.05
#: Characters no text is written with: the C0 controls but tab, line feed, vertical
#: tab, form feed and carriage return; DEL; the C1 controls (U+0080-U+009F).
_STRAY_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
#: Stray control characters inside a word ("Gree\x00ce"): read as word joiners; but
#: the information separators (U+001C-U+001F), which separate.
_IN_WORD_RE = re.compile("(?<=[^\\W_])[\x00-\x08\x0e-\x1b\x7f-\x9f]+(?=[^\\W_])")
#: A terminal escape sequence (colours in a captured log): read as spaces, whole.
_ANSI_RE = re.compile("\x1b\\[[0-9;?]*[ -/]*[@-~]")
#: A run of NULs that ends the file: padding (a preallocated or truncated file).
_NUL_TAIL_RE = re.compile("\x00+\\s*\\Z")
#: Formats recognised by their first bytes, refused whatever their content.
_SIGNATURES = (
    (b"%PDF-", "a PDF document; extract its text first, e.g. with pdftotext"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx, .odt or .epub document)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office document (.doc, .xls, .ppt)"),
)


@dataclass(frozen=True, slots=True)
class RawText:
    """A decoded input.

    Attributes:
        path: the path as given (what reports show).
        text: the decoded text, unchanged otherwise (offsets in reports refer to it),
            but for stray control characters, ignored (see :func:`clean`).
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


@dataclass(frozen=True, slots=True)
class Decoded:
    """Bytes decoded by :func:`decode_text`: the text, its encoding and the warnings."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def decode(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """Decode bytes to text; returns ``(text, encoding)`` (see :func:`decode_text`).

    Raises:
        InputError: empty, binary or undecodable input (the message names ``name``).

    >>> decode("caf\\u00e9".encode("utf-8"))
    ('café', 'utf-8')
    """
    d = decode_text(data, name)
    return d.text, d.encoding


def decode_text(data: bytes, name: str = "<input>") -> Decoded:
    """Decode bytes to text, stray control characters ignored (with a warning).

    Raises:
        InputError: empty, binary or undecodable input (the message names ``name``).

    >>> d = decode_text(b"one\\x00 two\\x1ethree")
    >>> d.text, d.warnings
    ('one  two three', ('<input>: 2 stray control characters (NUL, U+001E) ignored',))
    """
    if not data.strip():
        raise InputError(f"{name}: no text (the file is empty or whitespace only)")
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise InputError(f"{name}: binary data, not text ({what})")
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
        text = _utf16_without_bom(data)
        encoding = "utf-16" if text is not None else ""
    if text is None:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text = None
        # UTF-16 of Cyrillic or Greek is ASCII bytes (U+0410 is 10 04): valid UTF-8,
        # and mostly control characters; text with a stray NUL is not
        if text is not None and len(data) % 2 == 0 and not _few_strays(text):
            guess = _utf16_guess(data)
            if guess is not None:
                text, encoding = guess, "utf-16"
    if text is None and len(data) % 2 == 0:  # UTF-16 of a script with no zero bytes
        text = _utf16_guess(data)
        encoding = "utf-16" if text is not None else ""
    if text is None:
        # Windows-1252; its five undefined bytes are read as the C1 controls Latin-1
        # gives them (then as stray characters), not the whole file as Latin-1
        text = _C1_ESCAPED.sub(
            lambda m: chr(ord(m.group()) - 0xDC00), data.decode("cp1252", "surrogateescape")
        )
        encoding = "cp1252"
    text, warnings = clean(text, name)
    if not text.strip():
        raise InputError(f"{name}: no text (the file is empty or whitespace only)")
    return Decoded(text, encoding, warnings)


_C1_ESCAPED = re.compile("[\udc80-\udc9f]")


def clean(text: str, name: str) -> tuple[str, tuple[str, ...]]:
    """``text`` with its stray control characters ignored, and the warning.

    Each becomes a space, or a word joiner (U+2060) between two letters or digits
    (but the separators U+001C-U+001F, which stay spaces):
    ignored as a word separator where it stands inside a word, so that "Gree\\x00ce"
    still reads "Greece" and "1998\\x00Athens" two words; and the text keeps its
    length, so that offsets into it are offsets into the file's text.

    Raises:
        InputError: binary data: more than :data:`MAX_CONTROL_SHARE` stray control
            characters, and more than two (a run of NULs that ends the file, padding,
            is not counted), or the other characters unlike any writing (see
            :func:`_reads_as_words`).
    """
    if _STRAY_RE.search(text) is None:
        return text, ()
    text, escapes = _ANSI_RE.subn(lambda m: " " * len(m.group()), text)
    pad = _NUL_TAIL_RE.search(text)
    end = pad.start() if pad else len(text)
    found = Counter(_STRAY_RE.findall(text, 0, end))
    strays = sum(found.values())
    if strays > max(2, MAX_CONTROL_SHARE * end) or not _reads_as_words(
        _STRAY_RE.sub("", text[: min(end, 16384)])
    ):
        raise InputError(f"{name}: binary data, not text")
    padding = pad.group().count("\x00") if pad else 0
    parts = []
    if strays:
        kinds = ", ".join(_char_name(ch) for ch, _ in found.most_common(3))
        more = ", ..." if len(found) > 3 else ""
        parts.append(f"{strays:,} stray control character{_s(strays)} ({kinds}{more})")
    if escapes:
        parts.append(f"{escapes:,} terminal escape sequence{_s(escapes)}")
    if padding:
        parts.append(f"{padding:,} NUL byte{_s(padding)} of padding at its end")
    text = _STRAY_RE.sub(" ", _IN_WORD_RE.sub(lambda m: "\u2060" * len(m.group()), text))
    return text, (f"{name}: {' and '.join(parts)} ignored",)


def _few_strays(text: str) -> bool:
    """Whether ``text`` has no more stray control characters than a text may have."""
    strays = len(_STRAY_RE.findall(text, 0, 65536))
    return strays <= max(2, MAX_CONTROL_SHARE * min(len(text), 65536))


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _char_name(ch: str) -> str:
    return {"\x00": "NUL", "\x1a": "SUB", "\x1b": "ESC", "\x7f": "DEL"}.get(ch, f"U+{ord(ch):04X}")


def _reads_as_words(sample: str) -> bool:
    """Writing, by its characters: letters and digits make at least half of them, and
    spaces or punctuation break them at least about once in 80 characters (Thai and
    Chinese text too, which break at phrases and punctuation). Bytes of an image or of
    compressed data read as one character repeated, or as symbols and letters without
    breaks."""
    if not sample:
        return False
    words = breaks = 0
    for ch in sample:
        cat = unicodedata.category(ch)[0]
        if cat in "LN":
            words += 1
        elif cat in "ZP" or ch in "\t\n\r\f\v":
            breaks += 1
    return words >= 0.5 * len(sample) and (breaks + 1) * 80 > len(sample)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM, of a text with Latin letters: a zero byte in every other
    place, and (almost) none in the others (a run of NULs has both). Other scripts
    are recognised by :func:`_utf16_guess` when the bytes are not UTF-8."""
    if len(data) % 2 == 0:
        half = len(data) // 2
        even, odd = data[0::2].count(0), data[1::2].count(0)
        for zeros, other, enc in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
            if zeros > 0.3 * half and other < 0.1 * zeros:
                try:
                    return data.decode(enc)
                except UnicodeDecodeError:
                    break
    return None


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
        return RawText(raw.path, text, raw.sha256, raw.encoding, raw.warnings)
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
    d = decode_text(data, name)
    return RawText(name, d.text, hashlib.sha256(data).hexdigest(), d.encoding, d.warnings)


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
    """``text`` with stray control characters ignored (as :func:`clean` does,
    without the warning), unless it is binary data."""
    try:
        return clean(text, "")[0]
    except InputError:
        raise Unreadable("binary data, not text") from None


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
