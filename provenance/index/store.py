"""Stage 4: the index in SQLite. All SQL of prov lives here.

Layout (schema version = the migrations applied, in ``_sqlite_migrations``):

- ``meta``: the :class:`~provenance.params.Params` the index was built with.
- ``sources``: one row per canonical text: path, SHA-256, the text itself (alignment
  needs it at check time), main language, body words.
- ``blocks``: the segmentation of each source (language, kind, reason).
- ``passages``: each source passage's word range, character span and LSH band keys (a
  blob of ``bands`` 64-bit integers, to delete them; indexes written before schema
  m003 keep the passage's MinHash signature instead).
- ``segments``: each source's segmentation as a check reads it (words with offsets,
  blocks, passages; :mod:`provenance.index.segments` encodes it, ~70 bytes per
  passage), so that a check does not segment its candidates again.
- ``band_keys``: the LSH index, ``(key, source_id, passage_id)`` in a ``WITHOUT
  ROWID`` table whose primary key is the lookup order: one B-tree, no separate
  index, 64-bit integer keys (MEASUREMENTS.md: ~530 bytes per passage, one query per
  suspect joining a ``VALUES`` list).

Connections use WAL (readers never block the writer) and a busy timeout; each source
is written in one transaction, so a source is in the index whole or not at all.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import functools
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from provenance.errors import IndexMismatch, NotFound, StoreError
from provenance.index import segments
from provenance.match.fingerprint import I64, Fingerprints, band_keys
from provenance.params import NORM_VERSION, Params
from provenance.text.segment import Segmented

BUSY_TIMEOUT_MS = 30_000
#: SQLite's page cache per connection, at most (KiB; SQLite's default is 2,000): a warm
#: check on a newsroom index reads ~1,000 pages of band keys and its candidates' texts,
#: more than the default holds, so each check read them again from the OS (the LSH query
#: 5.0 -> 3.4 ms with 16 MiB or more). Filled only as pages are read.
CACHE_KIB = 32_768
#: A band key shared by more passages than this is boilerplate: it proposes nothing.
MAX_BUCKET = 500
_QUERY_CHUNK = 5000

#: The schema's migrations, in order (provenance/index/schema.py defines them).
SCHEMA = (
    "m001_initial", "m002_scan", "m003_keys_pending", "m004_keys_and_aliases", "m005_segments",
    "m006_vectors", "m007_dates_and_evidence",
)  # fmt: skip
MIGRATIONS_TABLE = "_sqlite_migrations"


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


_ROW = "id, path, sha256, lang, words, passages, added_at, coalesce(key, path)"
_ALIAS_ROW = "s.id, a.path, s.sha256, s.lang, s.words, s.passages, a.added_at, a.key"


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


def _small_buckets(columns: str, values: str) -> str:
    """``WITH q(columns) AS (VALUES ...), ok(columns) AS (...)``: the queried rows
    (``key`` first) whose key has postings but no more than :data:`MAX_BUCKET`, counted
    at most ``MAX_BUCKET + 1``: a key shared by a thousand pages' footer costs no more
    than a small one, and the keys found nowhere (most of a suspect's) drop out before
    the join. ``values``: the placeholders, one ``(?, ...)`` per row."""
    return (
        f"WITH q({columns}) AS (VALUES {values}), ok({columns}) AS (SELECT {columns} FROM q "  # noqa: S608 - placeholders only
        "WHERE (SELECT count(*) FROM (SELECT 1 FROM band_keys b WHERE b.key = q.key "
        f"LIMIT {MAX_BUCKET + 1})) BETWEEN 1 AND {MAX_BUCKET})"
    )


#: Keys per statement of :meth:`Store._key_sources`.
_VOTE_SLICE = 256


@functools.cache
def _key_sources_sql(bound: int) -> str:
    """The sources of each key among :data:`_VOTE_SLICE` keys that has postings, no more
    than ``bound``: rows ``(key, "sid,sid,...")``. A key is probed once (EXISTS: most of
    a suspect's keys have no posting), its bucket is counted up to ``bound + 1`` without
    being read out (NOT EXISTS ... OFFSET: a full bucket, a footer on a thousand pages,
    costs ``bound + 1`` steps and no string), and only a bucket within the bound is read
    (one statement: one snapshot, the bucket counted is the bucket read)."""
    return (
        "WITH q(key) AS (VALUES " + ",".join("(?)" for _ in range(_VOTE_SLICE)) + ") "  # noqa: S608 - placeholders only
        "SELECT key, (SELECT group_concat(source_id) FROM band_keys b WHERE b.key = q.key) "
        "FROM q WHERE EXISTS (SELECT 1 FROM band_keys e WHERE e.key = q.key) AND NOT EXISTS "
        f"(SELECT 1 FROM band_keys c WHERE c.key = q.key LIMIT 1 OFFSET {bound})"
    )


def _changes(values: I64) -> npt.NDArray[np.bool_]:
    """Whether each of sorted ``values`` differs from the one before it (the first: yes)."""
    out = np.empty(len(values), dtype=np.bool_)
    out[:1] = True
    np.not_equal(values[1:], values[:-1], out=out[1:])
    return out


def _tally(sids: I64, at: I64, width: int) -> dict[int, int]:
    """Postings counted per source: ``{source id: rows}``, from each posting's source
    and place in the suspect's keys (row ``place // width``); the sources in the order
    of their first place (ties: by id), as :meth:`Store.lookup` first lists them."""
    if not len(sids):
        return {}
    by = np.lexsort((at, sids))  # by source, then place
    source, place = sids[by], at[by]
    row = place // width
    new_source = _changes(source)
    new_row = new_source | _changes(row)
    heads = np.flatnonzero(new_source)
    votes = np.add.reduceat(new_row.astype(np.int64), heads)
    rank = np.lexsort((source[heads], place[heads]))
    return dict(zip(source[heads][rank].tolist(), votes[rank].tolist(), strict=True))


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


class Store:
    """A prov index in one SQLite file.

    Use :meth:`open`; a ``Store`` is a context manager that closes the connection.
    """

    def __init__(self, db: Connection, path: str, params: Params) -> None:
        self.db = db
        self.path = path
        self.params = params
        self._pending: list[tuple[int, int, I64]] = []  # (source id, first passage id, keys)
        self._pending_rows = 0

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = False,
        params: Params | None = None,
        check_version: bool = True,
    ) -> Store:
        """Open (or with ``create``, create) the index at ``path``.

        Args:
            path: the database file.
            create: create the file when it does not exist.
            params: parameters asked for; ``None`` takes the index's own. A new index
                is built with ``params`` or the defaults.
            check_version: refuse an index built under another normalisation
                version (off only for ``prov reindex``).

        Raises:
            StoreError: missing, not a database, not a prov index, or from a newer prov.
            IndexMismatch: built with other parameters than ``params``.
        """
        name = str(path)
        if not create and not Path(path).exists():
            raise StoreError(
                f"{name}: no such index; create it with `prov add --db {name} SOURCES...`"
            )
        if Path(path).is_dir():
            raise StoreError(f"{name}: is a folder, expected a database file")
        if not Path(path).parent.is_dir():
            raise StoreError(f"{name}: the folder {Path(path).parent} does not exist")
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        lock_made = not create and not os.path.exists(name + ".init-lock")
        while True:
            try:
                with _init_lock(name):
                    return cls._open(name, params, check_version)
            except StoreError:
                # a read of a file that is no prov index leaves nothing beside it
                if lock_made:
                    with contextlib.suppress(OSError):
                        os.unlink(name + ".init-lock")
                raise
            except sqlite3.OperationalError as e:
                # another process holds the new file's write lock (changing the journal
                # mode does not wait on the busy handler): wait as for any write
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise StoreError(f"{name}: cannot use the database ({e})") from None
                time.sleep(0.1)
            except sqlite3.DatabaseError as e:
                if lock_made:
                    with contextlib.suppress(OSError):
                        os.unlink(name + ".init-lock")
                raise StoreError(f"{name}: cannot use the database ({e})") from None

    @classmethod
    def _open(cls, name: str, params: Params | None, check_version: bool) -> Store:
        """Connect, check and migrate the schema, and settle the parameters.

        An index that is up to date is opened with plain SQL; sqlite-utils (schema,
        migrations) is imported only when there is something to create or migrate.
        """
        conn = sqlite3.connect(name, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: no corruption
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db = Connection(conn)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        applied: list[str] = []
        if MIGRATIONS_TABLE in tables:
            applied = [
                r[0]
                for r in conn.execute(
                    f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = 'prov'"  # noqa: S608
                )
            ]
        if (
            tables - {MIGRATIONS_TABLE} and "meta" not in tables
        ):  # (only the migrations table: being created)
            conn.close()
            raise StoreError(f"{name}: an SQLite database, but not a prov index")
        newer = set(applied) - set(SCHEMA)
        if newer:
            conn.close()
            raise StoreError(
                f"{name}: written by a newer prov (schema {sorted(newer)[-1]}); "
                "upgrade prov to use it"
            )
        wal = conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        if not wal or set(applied) != set(SCHEMA):
            from provenance.index.schema import migrations

            if not wal:
                conn.execute("PRAGMA journal_mode = wal")
            migrations.apply(db.utils)
        stored = conn.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()
        if stored is None:
            chosen = params or Params()
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('params', ?)",
                [json.dumps(chosen.as_dict())],
            )
        else:
            chosen = _compare_params(name, Params(**json.loads(stored[0])), params, check_version)
        return cls(db, name, chosen)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (``BEGIN IMMEDIATE``: writers queue, readers go on)."""
        self.begin()
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        else:
            self.commit()

    def begin(self) -> None:
        """Start a write transaction (see :meth:`transaction` for the managed form)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise StoreError(f"{self.path}: {e}; another prov is writing, try again") from None

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        self.db.execute("ROLLBACK")

    # -- sources ---------------------------------------------------------------

    def source_by_key(self, key: str, *also: str) -> SourceRow | None:
        """The source filed under ``key`` (a resolved path), else under one of ``also``
        (an index written before schema m004 filed sources under the path as spelled)."""
        for k in dict.fromkeys((key, *also)):
            row = self.db.execute(f"SELECT {_ROW} FROM sources WHERE key = ?", [k]).fetchone()  # noqa: S608
            if row:
                return SourceRow(*row)
        return None

    def alias_by_key(self, key: str, *also: str) -> SourceRow | None:
        """The source whose text ``key`` (or one of ``also``) holds too, as that path's
        row: its ``path``, ``key`` and ``added_at`` are the alias's."""
        for k in dict.fromkeys((key, *also)):
            row = self.db.execute(
                f"SELECT {_ALIAS_ROW} FROM aliases a JOIN sources s ON s.id = a.source_id "  # noqa: S608
                "WHERE a.key = ?",
                [k],
            ).fetchone()
            if row:
                return SourceRow(*row)
        return None

    def source_by_path(self, path: str) -> SourceRow | None:
        """The first source shown as ``path`` (the spelling it was added under)."""
        row = self.db.execute(
            f"SELECT {_ROW} FROM sources WHERE path = ? ORDER BY id LIMIT 1",  # noqa: S608
            [path],
        ).fetchone()
        return SourceRow(*row) if row else None

    def source_by_sha(self, sha256: str) -> SourceRow | None:
        row = self.db.execute(
            f"SELECT {_ROW} FROM sources WHERE sha256 = ? ORDER BY id LIMIT 1",  # noqa: S608
            [sha256],
        ).fetchone()
        return SourceRow(*row) if row else None

    def sources(self) -> list[SourceRow]:
        """Every source (one row per text kept; see :meth:`aliases` for the other paths)."""
        rows = self.db.execute(f"SELECT {_ROW} FROM sources ORDER BY path, id").fetchall()  # noqa: S608
        return [SourceRow(*r) for r in rows]

    def aliases(self) -> list[SourceRow]:
        """The paths whose text is kept once, as another source: one row each, with
        that source's id and figures."""
        rows = self.db.execute(
            f"SELECT {_ALIAS_ROW} FROM aliases a JOIN sources s ON s.id = a.source_id "  # noqa: S608
            "ORDER BY a.path, a.key"
        ).fetchall()
        return [SourceRow(*r) for r in rows]

    def passage_languages(self) -> dict[int, dict[str, int]]:
        """The indexed passages of each source by the language of their block."""
        out: dict[int, dict[str, int]] = {}
        rows = self.db.execute(
            "SELECT p.source_id, b.lang, count(*) FROM passages p JOIN blocks b "
            'ON b.source_id = p.source_id AND p.start >= b.start AND p.start < b."end" '
            "GROUP BY p.source_id, b.lang"
        )
        for sid, lang, n in rows:
            out.setdefault(int(sid), {})[str(lang)] = int(n)
        return out

    def source_ids(self) -> list[int]:
        return [int(r[0]) for r in self.db.execute("SELECT id FROM sources ORDER BY id")]

    def texts(self, ids: Sequence[int]) -> list[StoredText]:
        """The stored texts of sources ``ids``, in that order (a missing one is left out)."""
        found: dict[int, StoredText] = {}
        wanted = [int(i) for i in ids]
        for c in range(0, len(wanted), _QUERY_CHUNK):
            chunk = wanted[c : c + _QUERY_CHUNK]
            marks = ",".join("?" for _ in chunk)
            sql = (
                "SELECT id, path, sha256, text, encoding, date FROM sources "  # noqa: S608
                f"WHERE id IN ({marks})"
            )
            for row in self.db.execute(sql, chunk):
                found[row[0]] = StoredText(*row)
        return [found[sid] for sid in wanted if sid in found]

    def segmentations(self, ids: Sequence[int]) -> dict[int, bytes]:
        """The stored segmentation (encoded) of those of sources ``ids`` that have one
        (an index written before schema m005 has none until ``prov reindex``)."""
        out: dict[int, bytes] = {}
        for c in range(0, len(ids), _QUERY_CHUNK):
            chunk = [int(i) for i in ids[c : c + _QUERY_CHUNK]]
            marks = ",".join("?" for _ in chunk)
            sql = (
                f"SELECT source_id, data FROM segments WHERE format = ? AND source_id IN ({marks})"  # noqa: S608
            )
            for sid, data in self.db.execute(sql, [segments.FORMAT, *chunk]):
                if isinstance(data, bytes):
                    out[int(sid)] = data
        return out

    def passage_ranges(self, pids: Iterable[int]) -> dict[int, list[tuple[int, int]]]:
        """The word ranges ``(first, last)`` of passages ``pids``, by source id."""
        out: dict[int, list[tuple[int, int]]] = {}
        wanted = sorted(pids)
        for c in range(0, len(wanted), _QUERY_CHUNK):
            chunk = wanted[c : c + _QUERY_CHUNK]
            marks = ",".join("?" for _ in chunk)
            sql = f"SELECT source_id, first, last FROM passages WHERE id IN ({marks})"  # noqa: S608
            for sid, first, last in self.db.execute(sql, chunk):
                out.setdefault(int(sid), []).append((int(first), int(last)))
        return out

    def unsegmented(self) -> int:
        """How many sources have no stored segmentation of the current format (a check
        segments them each time; ``prov reindex`` stores it)."""
        return int(
            self.db.execute(
                "SELECT count(*) FROM sources s WHERE NOT EXISTS (SELECT 1 FROM segments g "
                "WHERE g.source_id = s.id AND g.format = ?)",
                [segments.FORMAT],
            ).fetchone()[0]
        )

    def set_date(self, key: str, path: str, value: str | None) -> None:
        """Give the source filed under ``key`` (or ``path``) its date (ISO, from ``prov
        add --date``); call inside :meth:`transaction`."""
        row = self.source_by_key(key, path)
        if row is not None:
            self.db.execute("UPDATE sources SET date = ? WHERE id = ?", [value, row.id])

    def put_alias(self, key: str, path: str, source_id: int) -> None:
        """File ``path`` (resolved: ``key``) as holding source ``source_id``'s text; call
        inside :meth:`transaction`. When that source's own path is replaced or removed,
        the text stays in the index under the alias (see :meth:`_retire`). A source
        filed under ``key`` until now is taken off it, as :meth:`put_record` does: the
        path holds this text now, not its old one."""
        old = self.source_by_key(key, path)
        if old is not None and old.id != source_id and self._retire(old.id):
            self._bump_index_version()
        self.db.execute(
            "INSERT OR REPLACE INTO aliases (key, path, source_id, added_at) VALUES (?, ?, ?, ?)",
            [key, path, source_id, _now()],
        )

    def put_record(self, rec: SourceRecord, *, defer_keys: bool = False) -> tuple[int, bool]:
        """Insert a prepared source, replacing the one filed under the same key, or the
        alias of that path; call inside :meth:`transaction`. Returns the new source's id
        and whether there was one to replace. A replaced source whose text other paths
        hold too stays, under one of those paths.

        With ``defer_keys`` its LSH keys are kept in memory and the source is marked
        pending until :meth:`flush_keys` writes them, sorted, with every other pending
        source's: keys are random, so writing them source by source dirties pages all
        over the B-tree at every commit, while one sorted load appends to it. The index
        version counts a source once its keys are written (what a check finds).
        """
        key = rec.key or rec.path
        old = self.source_by_key(key, rec.path)
        alias = self.alias_by_key(key, rec.path)
        if alias is not None:  # this path has its own text now
            self.db.execute("DELETE FROM aliases WHERE key = ?", [alias.key])
        if old is not None and self._retire(old.id):
            self._bump_index_version()
        cur = self.db.execute(
            "INSERT INTO sources (path, key, sha256, text, encoding, lang, words, passages, "
            "added_at, keys_pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                rec.path,
                key,
                rec.sha256,
                rec.text,
                rec.encoding,
                rec.lang,
                rec.words,
                len(rec.passages),
                _now(),
                int(defer_keys),
            ],
        )
        sid = int(cur.lastrowid or 0)
        self._insert_parts(sid, rec, defer_keys)
        return sid, old is not None or alias is not None

    def rewrite_source(self, sid: int, sha256: str, rec: SourceRecord) -> bool:
        """Replace source ``sid``'s blocks, passages and keys with ``rec``'s (made from
        its text by ``prov reindex``), keeping its id, path and aliases; call inside
        :meth:`transaction`. Returns False, writing nothing, when the source is gone
        or holds another text than ``sha256`` (removed or replaced since it was read:
        what replaced it was made by this prov)."""
        row = self.db.execute("SELECT sha256 FROM sources WHERE id = ?", [sid]).fetchone()
        if row is None or row[0] != sha256:
            return False
        self._delete_parts(sid)
        self.db.execute(
            "UPDATE sources SET lang = ?, words = ?, passages = ?, keys_pending = 0 WHERE id = ?",
            [rec.lang, rec.words, len(rec.passages), sid],
        )
        self._insert_parts(sid, rec, defer_keys=False)
        return True

    def _insert_parts(self, sid: int, rec: SourceRecord, defer_keys: bool) -> None:
        """Insert source ``sid``'s blocks, passages, segmentation and (unless deferred)
        LSH keys."""
        conn = self.db.conn
        if rec.segments:
            conn.execute(
                "INSERT OR REPLACE INTO segments (source_id, format, data) VALUES (?, ?, ?)",
                [sid, segments.FORMAT, rec.segments],
            )
        conn.executemany(
            'INSERT INTO blocks (source_id, idx, start, "end", lang, kind, reason) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(sid, i, *b) for i, b in enumerate(rec.blocks)],
        )
        first_id = int(
            self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM passages").fetchone()[0]
        )
        width = rec.keys.shape[1] * 8
        blob = rec.keys.astype("<i8").tobytes()
        conn.executemany(
            'INSERT INTO passages (id, source_id, idx, first, last, start, "end", keys) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (first_id + i, sid, i, *p, blob[i * width : (i + 1) * width])
                for i, p in enumerate(rec.passages)
            ],
        )
        if defer_keys:
            self._pending.append((sid, first_id, rec.keys))
            self._pending_rows += rec.keys.size
        else:
            self._insert_keys([(sid, first_id, rec.keys)])
            self._bump_index_version()

    @property
    def pending_keys(self) -> int:
        """LSH keys held in memory for :meth:`flush_keys`."""
        return self._pending_rows

    def flush_keys(self) -> int:
        """Write the pending sources' LSH keys, sorted, in one transaction; returns how
        many sources it completed. Sources left pending by an interrupted run are
        completed too (their keys are read back from their passages)."""
        with self.transaction():
            pending = {
                sid for (sid,) in self.db.execute("SELECT id FROM sources WHERE keys_pending = 1")
            }
            held = [p for p in self._pending if p[0] in pending]  # (a replaced one is gone)
            missing = pending - {p[0] for p in held}
            for sid in sorted(missing):
                pids, keys = self._passage_keys(sid)
                if len(pids):
                    held.append((sid, pids[0], keys))
            self._pending, self._pending_rows = [], 0
            if held:
                self._insert_keys(held)
            if pending:
                self.db.execute("UPDATE sources SET keys_pending = 0 WHERE keys_pending = 1")
                self._bump_index_version()  # what a check finds changed only now
        return len(pending)

    def pending_sources(self) -> int:
        """Sources whose LSH keys are not written yet (an ``add`` running or stopped)."""
        return int(
            self.db.execute("SELECT count(*) FROM sources WHERE keys_pending = 1").fetchone()[0]
        )

    @contextlib.contextmanager
    def adding(self) -> Iterator[None]:
        """Held by every ``add`` while it runs (a shared ``flock`` on ``DB.add-lock``), so
        that :meth:`complete_pending` knows which pending sources no running add holds."""
        fd = _lock_file(self.path + ".add-lock")
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_SH)
            yield
        finally:
            if fd is not None:
                os.close(fd)

    def complete_pending(self) -> int | None:
        """Write the LSH keys of the sources an interrupted ``add`` left pending, if no
        ``add`` runs and the index can be written. Returns how many were completed, or
        None when they could not be (a lookup still finds them, more slowly)."""
        if not self.pending_sources():
            return 0
        fd = _lock_file(self.path + ".add-lock")
        if fd is None:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # an add runs: its sources are pending until it ends
                return None
            try:
                return self.flush_keys()
            except (StoreError, sqlite3.OperationalError):  # read-only, or busy for long
                return None
        finally:
            os.close(fd)

    def _insert_keys(self, held: list[tuple[int, int, I64]]) -> None:
        """Insert the band keys of sources ``(source id, first passage id, (n, bands)
        keys)`` sorted as the table's primary key, in slices; empties ``held``.

        Memory: 16 bytes a key at the peak (the keys and their order), the source and
        passage ids being looked up per slice from per-passage arrays.
        """
        held.sort(key=lambda h: h[0])  # rows in (source, passage) order: a stable sort
        bands = held[0][2].shape[1]  # by key alone then gives the primary key's order
        keys = np.concatenate([k.reshape(-1) for _, _, k in held])
        sids = np.concatenate([np.full(len(k), sid, dtype=np.int64) for sid, _, k in held])
        pids = np.concatenate(
            [np.arange(first, first + len(k), dtype=np.int64) for _, first, k in held]
        )
        held.clear()
        order = np.argsort(keys, kind="stable")
        step = 1 << 18
        for c in range(0, len(order), step):
            part = order[c : c + step]
            passage = part // bands
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO band_keys (key, source_id, passage_id) VALUES (?, ?, ?)",
                zip(
                    keys[part].tolist(),
                    sids[passage].tolist(),
                    pids[passage].tolist(),
                    strict=True,
                ),
            )

    def _passage_keys(self, sid: int) -> tuple[list[int], I64]:
        """Source ``sid``'s passage ids and their band keys, in passage order."""
        rows = self.db.execute(
            "SELECT id, keys, signature FROM passages WHERE source_id = ? ORDER BY id", [sid]
        ).fetchall()
        keys = np.empty((len(rows), self.params.bands), dtype=np.int64)
        for i, (_, blob, signature) in enumerate(rows):
            if blob is not None:
                keys[i] = np.frombuffer(blob, dtype="<i8")
            else:  # written before schema m003: the signature
                sig = np.frombuffer(signature, dtype=np.uint32).reshape(1, -1)
                keys[i] = band_keys(sig, self.params)[0]
        return [pid for pid, _, _ in rows], keys

    def remove(self, path: str, key: str = "") -> SourceRow:
        """Remove the source filed under ``key`` (the resolved path; "": ``path``), or
        under ``path`` as an older prov filed it, or that path's alias; call inside
        :meth:`transaction`. A source whose text other paths hold too stays in the index
        under one of them."""
        row = self.source_by_key(key or path, path)
        if row is not None:
            if self._retire(row.id):
                self._bump_index_version()
            return row
        alias = self.alias_by_key(key or path, path)
        if alias is None:
            shown = f" (resolved: {key})" if key and key != path else ""
            raise NotFound(f"{path}: no source added under this path{shown} (see `prov sources`)")
        self.db.execute("DELETE FROM aliases WHERE key = ?", [alias.key])
        return alias

    def _retire(self, sid: int) -> bool:
        """Take source ``sid`` off its path: file it under one of its aliases (its text
        stays findable, under that path; the scan's matches follow), or delete it when it
        has none. Returns whether it was deleted."""
        alias = self.db.execute(
            "SELECT key, path FROM aliases WHERE source_id = ? ORDER BY key LIMIT 1", [sid]
        ).fetchone()
        if alias is None:
            self._delete(sid)
            return True
        key, path = alias
        self.db.execute("DELETE FROM aliases WHERE key = ?", [key])
        self.db.execute("UPDATE sources SET key = ?, path = ? WHERE id = ?", [key, path, sid])
        self.db.execute("UPDATE matches SET source_path = ? WHERE source_id = ?", [path, sid])
        return False

    def schema(self) -> list[str]:
        """The migrations applied to this index, in order."""
        return [
            r[0]
            for r in self.db.execute(
                f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = 'prov' ORDER BY id"  # noqa: S608
            )
        ]

    def index_version(self) -> int:
        """A number that grows whenever a source is added, replaced or removed."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'index_version'").fetchone()
        return int(row[0]) if row else 0

    def _bump_index_version(self) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES ('index_version', '1') ON CONFLICT (key) "
            "DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
        )

    @contextlib.contextmanager
    def exclusive(self, job: str) -> Iterator[None]:
        """Hold the index's job lock (``DB.lock``) while ``job`` runs; refuse a second one.

        An advisory ``flock``: the kernel releases it when the process ends, even killed.
        """
        lock_path = self.path + ".lock"
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise StoreError(f"{lock_path}: cannot create the lock file ({e.strerror})") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(
                    f"{self.path}: another prov {job} is running on this index; wait for it to "
                    "finish (its progress is kept) or use another --db"
                ) from None
            yield
        finally:
            os.close(fd)

    def _delete(self, sid: int) -> None:
        self._delete_parts(sid)
        self.db.execute("DELETE FROM aliases WHERE source_id = ?", [sid])
        self.db.execute("DELETE FROM sources WHERE id = ?", [sid])

    def _delete_parts(self, sid: int) -> None:
        """Delete source ``sid``'s LSH keys, passages and blocks."""
        pids, keys = self._passage_keys(sid)
        self.db.conn.executemany(
            "DELETE FROM band_keys WHERE key = ? AND source_id = ? AND passage_id = ?",
            [(int(k), sid, pid) for pid, row in zip(pids, keys, strict=True) for k in row],
        )
        self.db.execute("DELETE FROM passages WHERE source_id = ?", [sid])
        self.db.execute("DELETE FROM blocks WHERE source_id = ?", [sid])
        self.db.execute("DELETE FROM segments WHERE source_id = ?", [sid])
        self.db.execute("DELETE FROM vectors WHERE source_id = ?", [sid])

    # -- queries ---------------------------------------------------------------

    def lookup(
        self, keys: np.ndarray, sources: Sequence[int] | None = None
    ) -> list[tuple[int, int, int]]:
        """``(row, source_id, passage_id)`` for every stored passage sharing a band key
        with row ``row`` of ``keys`` (an ``(n, bands)`` int64 array); of ``sources``
        only, when given.

        Buckets holding more than :data:`MAX_BUCKET` passages are skipped: such keys
        are shared boilerplate and would only slow the query down. Pending sources
        (whose keys an ``add`` has not written yet) are found too, by reading their
        passages' keys: slower, but a check never misses a source that is in the index.
        One read transaction: a source whose keys are written meanwhile is seen once.
        """
        row_of = self._rows_of(keys)
        own = not self.db.conn.in_transaction
        if own:
            self.db.execute("BEGIN")
        try:
            found = self._lookup_keyed(row_of, sources) + self._lookup_pending(row_of)
            if sources is not None:
                wanted = set(sources)
                found = [hit for hit in found if hit[1] in wanted]
            return found
        finally:
            if own:
                self.db.execute("COMMIT")

    @staticmethod
    def _rows_of(keys: np.ndarray) -> dict[int, list[int]]:
        """Each distinct key of ``keys`` (an ``(n, bands)`` array) and its rows, in order."""
        row_of: dict[int, list[int]] = {}
        for i, k in enumerate(keys.reshape(-1).tolist()):
            row_of.setdefault(k, []).append(i // keys.shape[1])
        return row_of

    def lookup_votes(self, keys: np.ndarray) -> list[tuple[int, int]]:
        """What :meth:`lookup` finds, counted per source: ``(source_id, rows)`` for every
        source with a passage sharing a band key with ``rows`` rows of ``keys``, in the
        order :meth:`lookup` first lists them (its keys in turn, each one's postings by
        source id). The same rules: full buckets skipped, pending sources read (listed
        last, as lookup lists them), one read transaction.

        A newsroom's near-copies share a suspect's keys thousands of times: the database
        gives each key's sources in one string (:meth:`_key_sources`; a full bucket is
        counted, never read out), and they are counted here with NumPy; no row per
        posting crosses into Python.
        """
        flat = np.ascontiguousarray(keys, dtype=np.int64).reshape(-1)
        if not flat.size:
            return []
        width = keys.shape[1]
        order = np.argsort(flat, kind="stable")  # each key's places, the first one first
        ordered = flat[order]
        starts = np.flatnonzero(_changes(ordered))
        own = not self.db.conn.in_transaction
        if own:
            self.db.execute("BEGIN")
        try:
            key_at, sids = self._key_sources(ordered[starts])
            pending = self._lookup_pending(self._rows_of(keys)) if self.pending_sources() else []
        finally:
            if own:
                self.db.execute("COMMIT")
        # each posting at each place of its key in ``flat`` (a key is in several rows
        # when a passage is repeated in the text)
        ends = np.append(starts[1:], len(flat))
        many = (ends - starts)[key_at]
        if np.any(many > 1):
            sids = np.repeat(sids, many)
            past = np.repeat(np.cumsum(many) - many, many)
            at = order[np.repeat(starts[key_at], many) + np.arange(len(sids)) - past]
        else:
            at = order[starts[key_at]]
        out = _tally(sids, at, width)
        if pending:  # (listed last by lookup)
            rows: dict[int, set[int]] = {}
            for row, sid, _pid in pending:
                rows.setdefault(sid, set()).add(row)
            for sid, extra in rows.items():
                if sid in out:
                    extra |= set((at[sids == sid] // width).tolist())
                out[sid] = len(extra)
        return list(out.items())

    def _key_sources(self, distinct: np.ndarray) -> tuple[I64, I64]:
        """The postings of the keys ``distinct`` (sorted) that have some, but no more than
        :data:`MAX_BUCKET`: ``(i, source id)`` arrays, ``i`` the key's place in
        ``distinct`` (see :func:`_key_sources_sql`: a key without postings costs one
        probe, a full bucket ``MAX_BUCKET + 1`` steps whatever its size, and only the
        buckets within the bound are read out, as their sources' ids).

        The keys go in slices of :data:`_VOTE_SLICE` (the last one padded with NULL, which
        matches nothing): one statement of one shape, compiled once per connection,
        whatever the number of keys (compiling one with a placeholder per key cost more
        than running it).
        """
        values: list[int | None] = distinct.tolist()
        sql = _key_sources_sql(MAX_BUCKET)
        rows: list[tuple[int, str | None]] = []
        for c in range(0, len(values), _VOTE_SLICE):
            chunk = values[c : c + _VOTE_SLICE]
            chunk += [None] * (_VOTE_SLICE - len(chunk))
            rows += self.db.execute(sql, chunk).fetchall()
        sizes = [ids.count(",") + 1 if ids else 0 for _, ids in rows]
        if rows and not 1 <= min(sizes) <= max(sizes) <= MAX_BUCKET:  # full buckets
            keep = [i for i, n in enumerate(sizes) if 1 <= n <= MAX_BUCKET]
            rows, sizes = [rows[i] for i in keep], [sizes[i] for i in keep]
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        sids = np.fromstring(",".join([ids for _, ids in rows if ids]), dtype=np.int64, sep=",")
        found = np.array([key for key, _ in rows], dtype=np.int64)
        return np.repeat(np.searchsorted(distinct, found), sizes), sids

    def _lookup_pending(self, row_of: dict[int, list[int]]) -> list[tuple[int, int, int]]:
        if not row_of or not self.pending_sources():
            return []
        wanted = np.fromiter(row_of, dtype=np.int64, count=len(row_of))
        cur = self.db.execute(
            "SELECT id, source_id, keys, signature FROM passages WHERE source_id IN "
            "(SELECT id FROM sources WHERE keys_pending = 1) ORDER BY id"
        )
        out: list[tuple[int, int, int]] = []
        while rows := cur.fetchmany(4096):
            keys = np.empty((len(rows), self.params.bands), dtype=np.int64)
            for i, (_, _, blob, signature) in enumerate(rows):
                if blob is not None:
                    keys[i] = np.frombuffer(blob, dtype="<i8")
                else:  # (written before schema m003)
                    sig = np.frombuffer(signature, dtype=np.uint32).reshape(1, -1)
                    keys[i] = band_keys(sig, self.params)[0]
            for i, j in zip(*np.nonzero(np.isin(keys, wanted)), strict=True):
                pid, sid = rows[i][0], rows[i][1]
                out.extend((row, sid, pid) for row in row_of[int(keys[i, j])])
        return out

    def _lookup_keyed(
        self, row_of: dict[int, list[int]], sources: Sequence[int] | None = None
    ) -> list[tuple[int, int, int]]:
        distinct = list(row_of)
        among = ""
        if sources is not None:  # only these sources' postings (ids: ints, inlined)
            among = " WHERE b.source_id IN (" + ",".join(str(int(s)) for s in sources) + ")"
        out: list[tuple[int, int, int]] = []
        for c in range(0, len(distinct), _QUERY_CHUNK):
            chunk = distinct[c : c + _QUERY_CHUNK]
            values = ",".join("(?)" for _ in chunk)
            sql = (
                f"{_small_buckets('key', values)} SELECT b.key, b.source_id, b.passage_id "  # noqa: S608 - placeholders only
                "FROM ok JOIN band_keys b ON b.key = ok.key" + among
            )
            hits: dict[int, list[tuple[int, int]]] = {}
            for key, sid, pid in self.db.execute(sql, chunk):
                hits.setdefault(key, []).append((sid, pid))
            for key, postings in hits.items():
                for row in row_of[key]:
                    out.extend((row, sid, pid) for sid, pid in postings)
        return out

    def set_params(self, params: Params) -> None:
        """Record the parameters the index is now built with."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('params', ?)",
                [json.dumps(params.as_dict())],
            )
        self.params = params

    def counts(self) -> dict[str, int]:
        return {
            t: int(self.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # noqa: S608
            for t in ("sources", "passages", "band_keys")
        }

    def health(self, largest: int = 5) -> dict[str, Any]:
        """What ``prov doctor`` reports: integrity, counts, orphans, and the LSH buckets."""
        q = self.db.execute

        def one(sql: str) -> int:
            return int(q(sql).fetchone()[0])

        integrity = [r[0] for r in q("PRAGMA integrity_check").fetchall()]
        tables = (
            "sources", "passages", "band_keys", "documents", "contents", "matches",
            "alterations", "passage_freq",
        )  # fmt: skip
        counts = {t: one(f"SELECT count(*) FROM {t}") for t in tables}  # noqa: S608
        orphans = {
            "passages without a source": one(
                "SELECT count(*) FROM passages p LEFT JOIN sources s ON s.id = p.source_id "
                "WHERE s.id IS NULL"
            ),
            "band keys without a passage": one(
                "SELECT count(*) FROM band_keys b LEFT JOIN passages p ON p.id = b.passage_id "
                "WHERE p.id IS NULL"
            ),
            "sources with missing passages": one(
                "SELECT count(*) FROM sources s WHERE s.passages != "
                "(SELECT count(*) FROM passages p WHERE p.source_id = s.id)"
            ),
            "checked pages without their text": one(
                "SELECT count(*) FROM documents d LEFT JOIN contents c ON c.sha256 = d.sha256 "
                "WHERE d.status != 'error' AND c.sha256 IS NULL"
            ),
            "matches without a page text": one(
                "SELECT count(*) FROM matches m LEFT JOIN contents c ON c.sha256 = m.sha256 "
                "WHERE c.sha256 IS NULL"
            ),
            "alterations without a match": one(
                "SELECT count(*) FROM alterations a LEFT JOIN matches m ON m.id = a.match_id "
                "WHERE m.id IS NULL"
            ),
            "segmentations without a source": one(
                "SELECT count(*) FROM segments g LEFT JOIN sources s ON s.id = g.source_id "
                "WHERE s.id IS NULL"
            ),
            "sources whose LSH keys are pending (an interrupted add; run prov add again)": one(
                "SELECT count(*) FROM sources WHERE keys_pending = 1"
            ),
        }
        expected_keys = self.params.bands * one(
            "SELECT count(*) FROM passages p JOIN sources s ON s.id = p.source_id "
            "WHERE s.keys_pending = 0"
        )
        sizes = [n for (n,) in q("SELECT count(*) FROM band_keys GROUP BY key ORDER BY 1")]
        big = q(
            "SELECT b.key, count(*) AS n, min(b.passage_id) FROM band_keys b GROUP BY b.key "
            "ORDER BY n DESC LIMIT ?",
            [largest],
        ).fetchall()
        largest_buckets = []
        for key, n, pid in big:
            row = q(
                'SELECT s.path, s.text, p.start, p."end" FROM passages p '
                "JOIN sources s ON s.id = p.source_id WHERE p.id = ?",
                [pid],
            ).fetchone()
            sample = row[1][row[2] : row[3]][:120] if row else ""
            largest_buckets.append({"key": key, "passages": n, "sample": sample})
        return {
            "integrity": integrity,
            "schema": self.schema(),
            "params": self.params.as_dict(),
            "index_version": self.index_version(),
            "counts": counts,
            "orphans": orphans,
            "unsegmented": self.unsegmented(),
            "band_keys_expected": expected_keys,
            "buckets": {
                "distinct_keys": len(sizes),
                "single": sum(1 for n in sizes if n == 1),
                "p99": sizes[int(0.99 * (len(sizes) - 1))] if sizes else 0,
                "max": sizes[-1] if sizes else 0,
                "over_cap": sum(1 for n in sizes if n > MAX_BUCKET),
                "cap": MAX_BUCKET,
                "largest": largest_buckets,
            },
        }

    def has_stock_counts(self) -> bool:
        """Whether any passage was counted in scanned pages (``passage_freq``): an index
        nobody scanned with has no stock phrases, and a check need not hash its passages
        to ask :meth:`stock_among`."""
        return self.db.execute("SELECT 1 FROM passage_freq LIMIT 1").fetchone() is not None

    def stock_among(self, hashes: Sequence[int], min_docs: int) -> set[int]:
        """Which of these passage hashes are stock phrases: seen, outside any copied
        text, in at least ``min_docs`` scanned pages (``passage_freq``)."""
        out: set[int] = set()
        distinct = list(dict.fromkeys(hashes))
        for c in range(0, len(distinct), _QUERY_CHUNK):
            chunk = distinct[c : c + _QUERY_CHUNK]
            marks = ",".join("?" for _ in chunk)
            sql = f"SELECT hash FROM passage_freq WHERE docs >= ? AND hash IN ({marks})"  # noqa: S608
            out.update(h for (h,) in self.db.execute(sql, [min_docs, *chunk]))
        return out


@contextlib.contextmanager
def _init_lock(name: str) -> Iterator[None]:
    """Serialise opening (creating, migrating) an index across processes: two `prov add`
    started together on a new file would otherwise see each other's half-made schema."""
    try:
        fd = os.open(name + ".init-lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:  # a read-only folder: nothing can be created there anyway
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _lock_file(name: str) -> int | None:
    """An open descriptor on lock file ``name`` (created), or None if it cannot be."""
    try:
        return os.open(name, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:  # a read-only folder
        return None


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _compare_params(name: str, stored: Params, asked: Params | None, check_version: bool) -> Params:
    if asked is not None and asked != stored:
        diffs = [
            f"{k}={v} (asked {getattr(asked, k)})"
            for k, v in stored.as_dict().items()
            if getattr(asked, k) != v
        ]
        raise IndexMismatch(
            f"{name}: index built with {', '.join(diffs)}; use the same settings or a new --db"
        )
    if check_version and stored.norm_version != NORM_VERSION:
        raise IndexMismatch(
            f"{name}: index built with normalisation version {stored.norm_version}, this prov "
            f"uses {NORM_VERSION}; rebuild it with `prov reindex --db {name}`"
        )
    return stored
