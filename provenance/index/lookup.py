"""The LSH lookups of the index: which stored passages share band keys with a suspect's
(:meth:`Lookups.lookup`), counted per source (:meth:`Lookups.lookup_votes`), and which
passage hashes are stock phrases (``passage_freq``). A mixin of
:class:`~provenance.index.store.Store`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from provenance.index.records import _QUERY_CHUNK, Connection
from provenance.match.fingerprint import I64, band_keys
from provenance.params import Params

#: A band key shared by more passages than this is boilerplate: it proposes nothing.
MAX_BUCKET = 500


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


class Lookups:
    """The lookups of :class:`~provenance.index.store.Store` (its connection and
    parameters; :meth:`~provenance.index.writes.Writes.pending_sources`)."""

    db: Connection
    params: Params

    if TYPE_CHECKING:

        def pending_sources(self) -> int: ...

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
