"""The index's value types: the rows it lists, the records it writes, the texts a check
reads; and :class:`Connection`, the SQLite connection every part of the store shares."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from provenance.index import segments
from provenance.match.fingerprint import I64, Fingerprints
from provenance.text.segment import Segmented

#: Ids or keys per statement when a query lists them (an ``IN`` or ``VALUES`` list).
_QUERY_CHUNK = 5000


class Connection:
    """An SQLite connection, with sqlite-utils' ``Database`` over it made on demand."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._utils: Any = None

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, parameters)

    def close(self) -> None:
        self.conn.close()

    @property
    def utils(self) -> Any:
        """``sqlite_utils.Database`` over this connection (for the schema and migrations)."""
        if self._utils is None:
            from sqlite_utils import Database

            self._utils = Database(self.conn)
        return self._utils


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A source as listed by ``prov sources``.

    ``passages`` is the number of passages indexed (in every language of the source);
    ``languages``, when filled in (:meth:`Store.passage_languages`), the body passages
    of each language.
    """

    id: int
    path: str
    sha256: str
    lang: str
    words: int
    passages: int
    added_at: str
    #: The resolved path the source is filed under (``path`` is the spelling shown).
    key: str = ""
    languages: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A source ready to be written: what :meth:`Store.put_record` stores (small and
    picklable, so that worker processes can prepare it).

    Attributes:
        blocks: ``(start, end, lang, kind, reason)`` per block.
        passages: ``(first, last, start, end)`` per indexed passage (word range and
            character span).
        keys: the passages' LSH band keys (``(passages, bands)`` int64).
        key: the resolved path the source is filed under ("": ``path``).
        segments: the text's segmentation, encoded (:func:`segments.encode`; empty:
            none is stored, and a check segments the text).
    """

    path: str
    sha256: str
    text: str
    encoding: str
    lang: str
    words: int
    blocks: list[tuple[int, int, str, str, str]]
    passages: list[tuple[int, int, int, int]]
    keys: I64
    key: str = ""
    segments: bytes = b""


def source_record(
    path: str,
    sha256: str,
    text: str,
    encoding: str,
    seg: Segmented,
    spans: Sequence[tuple[int, int]],
    fp: Fingerprints,
    key: str = "",
) -> SourceRecord:
    """The record of a segmented source and its indexed passages ``spans``, shown as
    ``path`` and filed under ``key`` (its resolved path; "": ``path``)."""
    norm = seg.norm
    try:
        encoded = segments.encode(seg)
    except segments.BadSegments:  # (a text prov cannot encode: checks segment it)
        encoded = b""
    return SourceRecord(
        path,
        sha256,
        text,
        encoding,
        seg.lang,
        seg.body_words(),
        [(b.start, b.end, b.lang, b.kind, b.reason) for b in seg.blocks],
        [(s, e, norm.starts[s], norm.ends[e - 1]) for s, e in spans],
        fp.keys,
        key,
        encoded,
    )


@dataclass(frozen=True, slots=True)
class StoredText:
    """A source's text as stored, for alignment."""

    id: int
    path: str
    sha256: str
    text: str
    encoding: str
    #: the date given to ``prov add --date`` (ISO), else None
    date: str | None = None
