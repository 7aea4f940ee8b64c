"""Reading inputs: the only module that opens files.

Bytes become text here, once, with the rules a crawler's input needs: a byte order
mark wins; then strict UTF-8; then UTF-16 without a BOM (recognised by its zero
bytes); then Windows-1252 (which also reads Latin-1 text). Files with zero bytes
that are not UTF-16, or with many control characters, are binary and refused.
"""

from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import InputError

#: Largest input read, in bytes. Larger files are refused rather than loaded.
MAX_BYTES = 64 * 1024 * 1024
#: File suffixes taken from a folder by ``prov add`` and ``prov check``.
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})

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
    """UTF-16 text without a BOM has a zero byte in every other place (for Latin text)."""
    if len(data) % 2 == 0:
        even = data[0::2].count(0)
        odd = data[1::2].count(0)
        half = len(data) // 2
        for zeros, enc in ((odd, "utf-16-le"), (even, "utf-16-be")):
            if zeros > 0.3 * half:
                try:
                    return data.decode(enc)
                except UnicodeDecodeError:
                    break
    raise InputError(f"{name}: binary data, not text")


def _control_share(text: str) -> float:
    sample = text[:65536]
    bad = sum(1 for ch in sample if ch < " " and ch not in _CONTROL_OK)
    return bad / max(1, len(sample))


def read_text(path: str | Path) -> RawText:
    """Read one file as text.

    Raises:
        InputError: the path is missing, a folder, unreadable, too large, empty,
            binary or undecodable.
    """
    p = Path(path)
    name = str(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise InputError(f"{name}: is a folder, expected a file")
        if size > MAX_BYTES:
            raise InputError(
                f"{name}: {size:,} bytes is more than the {MAX_BYTES:,} prov reads; split the file"
            )
        data = p.read_bytes()
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
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found: list[Path] = []
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs.sort()
                found.extend(Path(root) / f for f in files if Path(f).suffix.lower() in suffixes)
            candidates = sorted(found)
        elif p.exists():
            candidates = [p]
        else:
            raise InputError(f"{raw}: no such file or folder")
        for c in candidates:
            key = c.resolve()
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
