"""Stage 4: the index in SQLite. All SQL of prov lives here.

Layout (schema version = the migrations applied, in ``_sqlite_migrations``):

- ``meta``: the :class:`~provenance.params.Params` the index was built with.
- ``sources``: one row per canonical text: path, SHA-256, the text itself (alignment
  needs it at check time), main language, body words.
- ``blocks``: the segmentation of each source (language, kind, reason).
- ``passages``: each source passage's word range, character span and signature.
- ``band_keys``: the LSH index, ``(key, source_id, passage_id)`` in a ``WITHOUT
  ROWID`` table whose primary key is the lookup order: one B-tree, no separate
  index, 64-bit integer keys (MEASUREMENTS.md: ~530 bytes per passage, one query per
  suspect joining a ``VALUES`` list).

Connections use WAL (readers never block the writer) and a busy timeout; each source
is written in one transaction, so a source is in the index whole or not at all.
"""

from __future__ import annotations

import datetime
import fcntl
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from provenance.errors import IndexMismatch, NotFound, StoreError
from provenance.fingerprint import Fingerprints, band_keys
from provenance.params import NORM_VERSION, Params
from provenance.segment import Segmented

BUSY_TIMEOUT_MS = 30_000
#: A band key shared by more passages than this is boilerplate: it proposes nothing.
MAX_BUCKET = 500
_QUERY_CHUNK = 5000

migrations = Migrations("prov")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("sources").create(
        {
            "id": int,
            "path": str,
            "sha256": str,
            "text": str,
            "encoding": str,
            "lang": str,
            "words": int,
            "passages": int,
            "added_at": str,
        },
        pk="id",
        not_null={"path", "sha256", "text"},
    )
    db.table("sources").create_index(["path"], unique=True)
    db.table("sources").create_index(["sha256"])
    db.table("blocks").create(
        {
            "source_id": int,
            "idx": int,
            "start": int,
            "end": int,
            "lang": str,
            "kind": str,
            "reason": str,
        },
        pk=("source_id", "idx"),
        foreign_keys=[("source_id", "sources", "id")],
    )
    db.table("passages").create(
        {
            "id": int,
            "source_id": int,
            "idx": int,
            "first": int,
            "last": int,
            "start": int,
            "end": int,
            "signature": bytes,
        },
        pk="id",
        foreign_keys=[("source_id", "sources", "id")],
    )
    db.table("passages").create_index(["source_id", "idx"], unique=True)
    db.execute(
        "CREATE TABLE band_keys (key INTEGER NOT NULL, source_id INTEGER NOT NULL, "
        "passage_id INTEGER NOT NULL, PRIMARY KEY (key, source_id, passage_id)) WITHOUT ROWID"
    )


@migrations()
def m002_scan(db: Database) -> None:
    """The crawl job's results: pages, their contents, matches and versions."""
    db.execute(
        "CREATE TABLE contents (sha256 TEXT PRIMARY KEY, text BLOB NOT NULL, boilerplate BLOB, "
        "lang TEXT, words INTEGER, checked_version INTEGER, checked_at TEXT)"
    )
    db.execute(
        "CREATE TABLE documents (id INTEGER PRIMARY KEY, key TEXT NOT NULL, url TEXT, "
        "fetched_at TEXT, sha256 TEXT NOT NULL DEFAULT '', kind TEXT, scanned_at TEXT, "
        "status TEXT NOT NULL, error TEXT, previous_id INTEGER REFERENCES documents(id), "
        "UNIQUE (key, sha256))"
    )
    db.execute("CREATE INDEX documents_url ON documents (url, fetched_at)")
    db.execute("CREATE INDEX documents_sha ON documents (sha256)")
    db.execute(
        "CREATE TABLE matches (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, "
        "source_id INTEGER NOT NULL, source_path TEXT NOT NULL, verdict TEXT NOT NULL, "
        "meaning_changed INTEGER NOT NULL, fidelity REAL, source_coverage REAL, "
        "copy_coverage REAL, alterations INTEGER, risky INTEGER, index_version INTEGER, "
        "checked_at TEXT, UNIQUE (sha256, source_id))"
    )
    db.execute("CREATE INDEX matches_source ON matches (source_id)")
    db.execute(
        "CREATE TABLE alterations (match_id INTEGER NOT NULL REFERENCES matches(id), "
        "idx INTEGER NOT NULL, kind TEXT, risk TEXT, in_quote INTEGER, source TEXT, copy TEXT, "
        "source_context TEXT, copy_context TEXT, source_start INTEGER, source_end INTEGER, "
        "copy_start INTEGER, copy_end INTEGER, PRIMARY KEY (match_id, idx))"
    )
    db.execute(
        "CREATE TABLE changes (document_id INTEGER PRIMARY KEY REFERENCES documents(id), "
        "previous_id INTEGER NOT NULL REFERENCES documents(id), meaning_changed INTEGER, "
        "fidelity REAL, alterations TEXT)"
    )
    db.execute(
        "CREATE TABLE passage_freq (hash INTEGER PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID"
    )
    db.execute(
        "CREATE VIEW results AS SELECT d.id AS document_id, d.url, d.key, d.kind, d.fetched_at, "
        "d.scanned_at, d.status, m.source_path AS source, m.verdict, m.meaning_changed, "
        "m.fidelity, m.source_coverage, m.copy_coverage, m.alterations, m.risky, d.sha256 "
        "FROM documents d JOIN matches m ON m.sha256 = d.sha256"
    )


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A source as listed by ``prov sources``."""

    id: int
    path: str
    sha256: str
    lang: str
    words: int
    passages: int
    added_at: str


@dataclass(frozen=True, slots=True)
class StoredText:
    """A source's text as stored, for alignment."""

    id: int
    path: str
    sha256: str
    text: str
    encoding: str


class Store:
    """A prov index in one SQLite file.

    Use :meth:`open`; a ``Store`` is a context manager that closes the connection.
    """

    def __init__(self, db: Database, path: str, params: Params) -> None:
        self.db = db
        self.path = path
        self.params = params

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
        while True:
            try:
                with _init_lock(name):
                    return cls._open(name, params, check_version)
            except sqlite3.OperationalError as e:
                # another process holds the new file's write lock (changing the journal
                # mode does not wait on the busy handler): wait as for any write
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise StoreError(f"{name}: cannot use the database ({e})") from None
                time.sleep(0.1)
            except sqlite3.DatabaseError as e:
                raise StoreError(f"{name}: cannot use the database ({e})") from None

    @classmethod
    def _open(cls, name: str, params: Params | None, check_version: bool) -> Store:
        """Connect, check and migrate the schema, and settle the parameters."""
        conn = sqlite3.connect(name, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: no corruption
        db = Database(conn)
        tables = set(db.table_names()) - {migrations.migrations_table}
        if tables and "meta" not in tables:  # (only the migrations table: being created)
            conn.close()
            raise StoreError(f"{name}: an SQLite database, but not a prov index")
        _check_schema(name, db)
        if db.journal_mode != "wal":
            db.enable_wal()
        migrations.apply(db)
        stored = db.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()
        if stored is None:
            chosen = params or Params()
            with db.atomic():
                db.table("meta").insert(
                    {"key": "params", "value": json.dumps(chosen.as_dict())}, replace=True
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

    @contextmanager
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

    def source_by_path(self, path: str) -> SourceRow | None:
        row = self.db.execute(
            "SELECT id, path, sha256, lang, words, passages, added_at FROM sources WHERE path = ?",
            [path],
        ).fetchone()
        return SourceRow(*row) if row else None

    def source_by_sha(self, sha256: str) -> SourceRow | None:
        row = self.db.execute(
            "SELECT id, path, sha256, lang, words, passages, added_at FROM sources "
            "WHERE sha256 = ? ORDER BY id LIMIT 1",
            [sha256],
        ).fetchone()
        return SourceRow(*row) if row else None

    def sources(self) -> list[SourceRow]:
        rows = self.db.execute(
            "SELECT id, path, sha256, lang, words, passages, added_at FROM sources ORDER BY path"
        ).fetchall()
        return [SourceRow(*r) for r in rows]

    def texts(self, ids: Sequence[int]) -> list[StoredText]:
        """The stored texts of sources ``ids``, in that order."""
        out = []
        for sid in ids:
            row = self.db.execute(
                "SELECT id, path, sha256, text, encoding FROM sources WHERE id = ?", [sid]
            ).fetchone()
            if row:
                out.append(StoredText(*row))
        return out

    def put_source(
        self,
        path: str,
        sha256: str,
        text: str,
        encoding: str,
        seg: Segmented,
        spans: Sequence[tuple[int, int]],
        fp: Fingerprints,
    ) -> int:
        """Insert a source (replacing one under the same path); call inside :meth:`transaction`."""
        old = self.source_by_path(path)
        if old is not None:
            self._delete(old.id)
        self._bump_index_version()
        norm = seg.norm
        cur = self.db.execute(
            "INSERT INTO sources (path, sha256, text, encoding, lang, words, passages, added_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                path,
                sha256,
                text,
                encoding,
                seg.lang,
                seg.body_words(),
                len(spans),
                datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            ],
        )
        sid = int(cur.lastrowid or 0)
        conn = self.db.conn
        conn.executemany(
            'INSERT INTO blocks (source_id, idx, start, "end", lang, kind, reason) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(sid, i, b.start, b.end, b.lang, b.kind, b.reason) for i, b in enumerate(seg.blocks)],
        )
        first_id = int(
            self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM passages").fetchone()[0]
        )
        conn.executemany(
            'INSERT INTO passages (id, source_id, idx, first, last, start, "end", signature) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    first_id + i,
                    sid,
                    i,
                    s,
                    e,
                    norm.starts[s],
                    norm.ends[e - 1],
                    fp.signatures[i].tobytes(),
                )
                for i, (s, e) in enumerate(spans)
            ],
        )
        rows = [(int(k), sid, first_id + i) for i in range(len(fp)) for k in fp.keys[i]]
        rows.sort()
        conn.executemany(
            "INSERT OR IGNORE INTO band_keys (key, source_id, passage_id) VALUES (?, ?, ?)", rows
        )
        return sid

    def remove(self, path: str) -> SourceRow:
        """Remove the source added under ``path``; call inside :meth:`transaction`."""
        row = self.source_by_path(path)
        if row is None:
            raise NotFound(f"{path}: no source added under this path (see `prov sources`)")
        self._delete(row.id)
        self._bump_index_version()
        return row

    def index_version(self) -> int:
        """A number that grows whenever a source is added, replaced or removed."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'index_version'").fetchone()
        return int(row[0]) if row else 0

    def _bump_index_version(self) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES ('index_version', '1') ON CONFLICT (key) "
            "DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
        )

    @contextmanager
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
        sigs = self.db.execute(
            "SELECT id, signature FROM passages WHERE source_id = ?", [sid]
        ).fetchall()
        if sigs:
            matrix = np.frombuffer(b"".join(s for _, s in sigs), dtype=np.uint32).reshape(
                len(sigs), self.params.num_perm
            )
            keys = band_keys(matrix, self.params)
            self.db.conn.executemany(
                "DELETE FROM band_keys WHERE key = ? AND source_id = ? AND passage_id = ?",
                [(int(k), sid, pid) for (pid, _), row in zip(sigs, keys, strict=True) for k in row],
            )
        self.db.execute("DELETE FROM passages WHERE source_id = ?", [sid])
        self.db.execute("DELETE FROM blocks WHERE source_id = ?", [sid])
        self.db.execute("DELETE FROM sources WHERE id = ?", [sid])

    # -- queries ---------------------------------------------------------------

    def lookup(self, keys: np.ndarray) -> list[tuple[int, int, int]]:
        """``(row, source_id, passage_id)`` for every stored passage sharing a band key
        with row ``row`` of ``keys`` (an ``(n, bands)`` int64 array).

        Buckets holding more than :data:`MAX_BUCKET` passages are skipped: such keys
        are shared boilerplate and would only slow the query down.
        """
        flat = keys.reshape(-1)
        row_of: dict[int, list[int]] = {}
        for i, k in enumerate(flat.tolist()):
            row_of.setdefault(k, []).append(i // keys.shape[1])
        distinct = list(row_of)
        out: list[tuple[int, int, int]] = []
        for c in range(0, len(distinct), _QUERY_CHUNK):
            chunk = distinct[c : c + _QUERY_CHUNK]
            values = ",".join("(?)" for _ in chunk)
            sql = (
                f"WITH q(key) AS (VALUES {values}) "  # noqa: S608 - placeholders only
                "SELECT b.key, b.source_id, b.passage_id FROM q JOIN band_keys b ON b.key = q.key"
            )
            hits: dict[int, list[tuple[int, int]]] = {}
            for key, sid, pid in self.db.execute(sql, chunk):
                hits.setdefault(key, []).append((sid, pid))
            for key, postings in hits.items():
                if len(postings) > MAX_BUCKET:
                    continue
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
        }
        expected_keys = counts["passages"] * self.params.bands
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
            "schema": [m.name for m in migrations.applied(self.db)],
            "params": self.params.as_dict(),
            "index_version": self.index_version(),
            "counts": counts,
            "orphans": orphans,
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


@contextmanager
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


def _check_schema(name: str, db: Database) -> None:
    known = {m.name for m in migrations._migrations}
    applied = {m.name for m in migrations.applied(db)}
    newer = applied - known
    if newer:
        raise StoreError(
            f"{name}: written by a newer prov (schema {sorted(newer)[-1]}); upgrade prov to use it"
        )


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
