"""What ``prov doctor`` reports of an index: its tables' counts, orphans and LSH buckets.
A mixin of :class:`~provenance.index.store.Store`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provenance.index import segments
from provenance.index.lookup import MAX_BUCKET
from provenance.index.records import Connection
from provenance.params import Params


class Health:
    """The counts and health of :class:`~provenance.index.store.Store` (its connection,
    parameters, schema and version)."""

    db: Connection
    params: Params

    if TYPE_CHECKING:

        def schema(self) -> list[str]: ...

        def index_version(self) -> int: ...

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
