"""The writes of the index: a source put, rewritten or removed in one transaction, its
aliases and date, and the LSH keys an ``add`` defers (held in memory, written sorted,
completed after an interrupted run). A mixin of :class:`~provenance.index.store.Store`.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from provenance.errors import NotFound, StoreError
from provenance.index import segments
from provenance.index.records import Connection, SourceRecord, SourceRow
from provenance.match.fingerprint import I64, band_keys
from provenance.params import Params


class Writes:
    """The writes of :class:`~provenance.index.store.Store` (its connection, path,
    parameters and pending keys; its reads :meth:`source_by_key`, :meth:`alias_by_key`
    and :meth:`transaction`)."""

    db: Connection
    path: str
    params: Params
    _pending: list[tuple[int, int, I64]]  # (source id, first passage id, keys)
    _pending_rows: int

    if TYPE_CHECKING:

        def source_by_key(self, key: str, *also: str) -> SourceRow | None: ...

        def alias_by_key(self, key: str, *also: str) -> SourceRow | None: ...

        def transaction(self) -> contextlib.AbstractContextManager[None]: ...

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

    def _bump_index_version(self) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES ('index_version', '1') ON CONFLICT (key) "
            "DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
        )

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


def _lock_file(name: str) -> int | None:
    """An open descriptor on lock file ``name`` (created), or None if it cannot be."""
    try:
        return os.open(name, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:  # a read-only folder
        return None


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
