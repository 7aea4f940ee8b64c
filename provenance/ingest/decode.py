"""Bytes to text: encodings, binary data and stray control characters.

A byte order mark wins; then UTF-16 without a BOM (recognised by its zero bytes); then
strict UTF-8; then UTF-16 of a script with no zero bytes; then Windows-1252 (which also
reads Latin-1 text). Binary data is refused: a known binary format by its signature (PDF,
images, archives, executables), or text with more than :data:`MAX_CONTROL_SHARE` stray
control characters, or whose other characters do not read as text. A text with a few
stray control characters (a NUL from a scraper, a SUB where a character could not be
converted) is read with them ignored and a warning: each becomes a space, or a word
joiner (U+2060, which words ignore) inside a word, so that character offsets stay those
of the file's text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from provenance.errors import InputError

#: Byte order marks, longest first, and their encodings.
BOMS = (
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

    >>> d = decode_text(b"The harbour\\x00 board met on Tue\\x00sday\\x1eat noon; the vote waited.")
    >>> d.text
    'The harbour  board met on Tue\\u2060sday at noon; the vote waited.'
    >>> d.warnings
    ('<input>: 3 stray control characters (NUL, U+001E) ignored',)
    """
    if not data.strip():
        raise InputError(f"{name}: no text (the file is empty or whitespace only)")
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise InputError(f"{name}: binary data, not text ({what})")
    text: str | None = None
    encoding = ""
    for bom, enc in BOMS:
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

    Each becomes a space, or a word joiner (U+2060, which words ignore) between two
    letters or digits, so that "Gree\\x00ce" still reads "Greece" (but the separators
    U+001C-U+001F, which stay spaces); and the text keeps its length, so that offsets
    into it are offsets into the file's text.

    Raises:
        InputError: binary data: more than :data:`MAX_CONTROL_SHARE` stray control
            characters (a run of NULs that ends the file, padding, is not counted),
            or the other characters unlike any writing (see :func:`_reads_as_words`).
    """
    if _STRAY_RE.search(text) is None:
        return text, ()
    text, escapes = _ANSI_RE.subn(lambda m: " " * len(m.group()), text)
    pad = _NUL_TAIL_RE.search(text)
    end = pad.start() if pad else len(text)
    found = Counter(_STRAY_RE.findall(text, 0, end))
    strays = sum(found.values())
    if strays > MAX_CONTROL_SHARE * end or not _reads_as_words(
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
    return strays <= MAX_CONTROL_SHARE * min(len(text), 65536)


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
