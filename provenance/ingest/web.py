"""The pages ``prov scan`` checks: :func:`iter_pages` over folders and files.

``iter_pages`` reads text and HTML files, WARC and JSONL crawl files, one :class:`Page`
per page, streaming, and never raises for bad input. This module walks the named paths,
reads text, HTML and JSONL files and hands WARC files to :mod:`provenance.ingest.warc`.
Decoding, HTML extraction and :class:`Page` itself come from :mod:`provenance.ingest.files`,
below both page readers, because :func:`provenance.ingest.files.read_document` (``prov
add``) reads an HTML file the same way.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from provenance.errors import InputError
from provenance.ingest import (
    files as ingest,  # ingest.MAX_BYTES is read when used: one limit for all
)
from provenance.ingest.decode import decode_text
from provenance.ingest.files import (
    CHUNK,
    Page,
    Unreadable,
    checked,
    decode_web,
    error,
    html_text,
    iso_utc,
    os_reason,
    page,
    storable,
    too_large,
)
from provenance.ingest.warc import warc_pages

#: File kinds `prov scan` reads from a folder.
SCAN_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".warc", ".warc.gz", ".jsonl")
_KINDS = {".txt": "text", ".text": "text", ".md": "text", ".html": "html", ".htm": "html"}
_KINDS |= {".warc": "warc", ".warc.gz": "warc", ".jsonl": "jsonl"}
#: Why a symbolic link found inside a folder is not read.
NOT_FOLLOWED = (
    "a symbolic link inside a folder: not followed (symbolic links are read only when "
    "named on the command line)"
)
#: JSON may escape half a UTF-16 pair ("\ud800"): not text, and not encodable to UTF-8.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def iter_pages(paths: Iterable[str | Path]) -> Iterator[Page]:
    """The pages under ``paths`` (folders walked, files read), one :class:`Page` each.

    Reads the files of :data:`SCAN_SUFFIXES` in sorted path order, each file once.
    Symbolic links found while walking a folder are not followed (a link in a crawl
    folder must not pull ``/etc/passwd`` into the database): a link to a file is an
    error page saying so, a link to a folder is skipped. A link named in ``paths`` is
    followed. Pages are keyed by the file's resolved path (see :func:`_resolved`).
    WARC and JSONL files are streamed:
    only one record is in memory at a time, and at most :data:`ingest.MAX_BYTES` of it.
    Never raises for bad input: what cannot be read is a page with ``error`` set, and
    the iteration goes on (after damage in a WARC file, with the next file).

    >>> [page.error for page in iter_pages(["no/such/folder"])]
    ['no/such/folder: no such file or folder']
    """
    for _, one in iter_input_pages(paths):
        yield one


def iter_input_pages(paths: Iterable[str | Path]) -> Iterator[tuple[int, Page]]:
    """:func:`iter_pages`, each page with the index in ``paths`` of the input it is from."""
    if isinstance(paths, str | Path):
        paths = [paths]
    seen: set[str] = set()
    for n, raw in enumerate(paths):
        for name, problem in _targets(os.path.normpath(os.fspath(raw))):
            # a file is read once, whatever the path; a link not followed is its own entry
            real = os.path.abspath(name) if problem == NOT_FOLLOWED else os.path.realpath(name)
            if real in seen:
                continue
            seen.add(real)
            if problem:
                yield n, error(name, _kind(name), problem)
            else:
                for one in _file_pages(name):
                    yield n, _resolved(one, storable(name), storable(real))


def has_targets(path: str | Path) -> bool:
    """Whether ``path`` names a file, or a folder holding a file :func:`iter_pages` reads."""
    return any(True for _ in _targets(os.path.normpath(os.fspath(path))))


def _resolved(p: Page, name: str, real: str) -> Page:
    """A page of file ``name`` keyed by the file's resolved path ``real``: the same file
    named two ways (``site/a.txt``, ``/home/me/site/a.txt``, a link) is one page. Its
    ``url``, when it is the file's, is resolved too (pages are grouped by URL); the
    error message keeps the name as given."""
    if name == real:
        return p

    def swap(value: str) -> str:
        if value == name or value.startswith((name + "#", name + ":")):
            return real + value[len(name) :]
        return value

    return replace(p, key=swap(p.key), url=swap(p.url))


def _targets(name: str) -> Iterator[tuple[str, str]]:
    """``(path, problem)`` for a named path: a folder's files (sorted) or the path itself."""
    if not os.path.isdir(name):
        yield name, "" if os.path.lexists(name) else "no such file or folder"
        return
    found: list[tuple[str, str]] = []

    def unreadable(e: OSError) -> None:
        found.append((os.path.normpath(e.filename or name), os_reason(e)))

    for root, _dirs, files in os.walk(name, onerror=unreadable):
        for f in files:
            if _kind(f, strict=True):
                path = os.path.join(root, f)
                found.append((path, NOT_FOLLOWED if os.path.islink(path) else ""))
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
        yield error(name, kind or "text", os_reason(e))
        return
    mtime = iso_utc(info.st_mtime)
    if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
        yield error(name, kind or "text", "not a regular file", fetched_at=mtime)
    elif kind == "warc":
        yield from warc_pages(name, mtime)
    elif kind == "jsonl":
        yield from _jsonl_pages(name, mtime)
    elif not kind:
        expected = ", ".join(SCAN_SUFFIXES)
        yield error(name, "text", f"not a kind prov scan reads (expected {expected})")
    else:
        yield _file_page(name, kind, mtime)


def _file_page(name: str, kind: str, mtime: str) -> Page:
    try:
        with open(name, "rb") as fh:
            data = fh.read(ingest.MAX_BYTES + 1)
            if len(data) > ingest.MAX_BYTES:
                raise Unreadable(too_large(os.fstat(fh.fileno()).st_size))
        if kind == "html":
            warned: list[str] = []
            text, boiler = html_text(decode_web(data, None, html=True, warnings=warned, name=name))
            return page(name, name, mtime, kind, text, boiler, warned)
        d = decode_text(data, storable(name))
        return page(name, name, mtime, kind, d.text, "", d.warnings)
    except OSError as e:
        return error(name, kind, os_reason(e), fetched_at=mtime)
    except Unreadable as e:
        return error(name, kind, str(e), fetched_at=mtime)
    except InputError as e:  # decode() names the file itself
        shown = storable(name)
        return Page(shown, shown, mtime, "", "", "", kind, storable(str(e)))


# -- JSONL -------------------------------------------------------------------------------


def _jsonl_pages(name: str, mtime: str) -> Iterator[Page]:
    """One page per non-blank line (``path:line``); a bad line is an error page."""
    lineno = pages = 0
    try:
        with open(name, "rb") as fh:
            while line := fh.readline(ingest.MAX_BYTES + 1):
                lineno += 1
                key = f"{name}:{lineno}"
                if len(line) > ingest.MAX_BYTES and not line.endswith(b"\n"):
                    size = len(line)
                    while rest := fh.readline(CHUNK):  # skip the rest, a chunk at a time
                        size += len(rest.rstrip(b"\n"))
                        if rest.endswith(b"\n"):
                            break
                    pages += 1
                    yield error(key, "jsonl", too_large(size), name, mtime)
                elif line.strip():
                    pages += 1
                    yield _jsonl_page(line, key, name, mtime)
    except OSError as e:
        yield error(f"{name}:{lineno}" if lineno else name, "jsonl", os_reason(e), name, mtime)
        return
    if not pages:
        yield error(name, "jsonl", "empty", name, mtime)


def _jsonl_page(line: bytes, key: str, name: str, mtime: str) -> Page:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as e:
        return error(key, "jsonl", f"not valid JSON ({e})", name, mtime)
    if not isinstance(obj, dict):
        return error(key, "jsonl", "not a JSON object", name, mtime)
    url = obj.get("url")
    # no URL: the line is a page of its own, named by its key (path:line), never a
    # "version" of the other lines of the file
    url = url if isinstance(url, str) and url.strip() else key
    fetched = iso_utc(obj.get("fetched_at")) or iso_utc(obj.get("date")) or mtime
    html, text = obj.get("html"), obj.get("text")
    warned: list[str] = []
    try:
        if isinstance(html, str) and html.strip():
            main, boiler = html_text(checked(_LONE_SURROGATE.sub("\ufffd", html), warned, key))
            return page(key, url, fetched, "jsonl", main, boiler, warned)
        if isinstance(text, str):
            main = checked(_LONE_SURROGATE.sub("\ufffd", text), warned, key)
            return page(key, url, fetched, "jsonl", main, "", warned)
    except Unreadable as e:
        return error(key, "jsonl", str(e), url, fetched)
    return error(key, "jsonl", 'missing "text" (a string)', url, fetched)
