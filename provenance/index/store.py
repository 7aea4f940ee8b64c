"""Stage 4: the index in SQLite. All SQL of prov lives in this package: :class:`Store`
opens an index (schema, parameters, locks, transactions) and reads its sources; its
mixins write them (:mod:`~provenance.index.writes`), look band keys up
(:mod:`~provenance.index.lookup`) and report its health (:mod:`~provenance.index.health`);
its value types are in :mod:`~provenance.index.records`.

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
import fcntl
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from provenance.errors import IndexMismatch, StoreError
from provenance.index import segments
from provenance.index.health import Health
from provenance.index.lookup import Lookups
from provenance.index.records import _QUERY_CHUNK, Connection, SourceRow, StoredText
from provenance.index.writes import Writes
from provenance.match.fingerprint import I64
from provenance.params import NORM_VERSION, Params

BUSY_TIMEOUT_MS = 30_000
#: SQLite's page cache per connection, at most (KiB; SQLite's default is 2,000): a warm
#: check on a newsroom index reads ~1,000 pages of band keys and its candidates' texts,
#: more than the default holds, so each check read them again from the OS (the LSH query
#: 5.0 -> 3.4 ms with 16 MiB or more). Filled only as pages are read.
CACHE_KIB = 32_768

#: The schema's migrations, in order (provenance/index/schema.py defines them).
SCHEMA = (
    "m001_initial", "m002_scan", "m003_keys_pending", "m004_keys_and_aliases", "m005_segments",
    "m006_vectors", "m007_dates_and_evidence",
)  # fmt: skip
MIGRATIONS_TABLE = "_sqlite_migrations"

_ROW = "id, path, sha256, lang, words, passages, added_at, coalesce(key, path)"
_ALIAS_ROW = "s.id, a.path, s.sha256, s.lang, s.words, s.passages, a.added_at, a.key"


class Store(Writes, Lookups, Health):
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

    def set_params(self, params: Params) -> None:
        """Record the parameters the index is now built with."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('params', ?)",
                [json.dumps(params.as_dict())],
            )
        self.params = params


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
