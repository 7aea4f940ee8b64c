from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from provenance import indexing, pipeline
from provenance.errors import IndexMismatch, NotFound, StoreError
from provenance.index.schema import migrations
from provenance.index.store import CACHE_KIB, SCHEMA, Store
from provenance.params import Params
from tests.conftest import seed_path


def _add(db: Path, *paths: Path) -> list[indexing.AddResult]:
    return list(indexing.add(list(paths), db))


def test_new_index_records_params_and_schema(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    with Store.open(db, create=True) as store:
        assert store.params == Params()
        assert store.db.utils.journal_mode == "wal"
        applied = [m.name for m in migrations.applied(store.db.utils)]
        assert applied == [m.name for m in migrations._migrations] == list(SCHEMA)
        assert store.schema() == list(SCHEMA)
        ddl = store.db.execute("SELECT sql FROM sqlite_master WHERE name = 'band_keys'").fetchone()[
            0
        ]
        assert "WITHOUT ROWID" in ddl


def test_a_store_keeps_a_checks_pages_cached(tmp_path: Path) -> None:
    # a warm check reads ~1,000 pages of a newsroom index's band keys, and its candidates'
    # texts: more than SQLite's default page cache (2,000 KiB) holds, for every connection
    db = tmp_path / "i.db"
    Store.open(db, create=True).close()
    with Store.open(db) as store:
        assert store.db.execute("PRAGMA cache_size").fetchone()[0] == -CACHE_KIB
    assert CACHE_KIB >= 16_384


def test_other_params_are_refused(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    Store.open(db, create=True).close()
    with pytest.raises(IndexMismatch, match=r"num_perm=128 \(asked 64\).*use the same settings"):
        Store.open(db, params=Params(num_perm=64, bands=16, rows=4))


def test_other_normalisation_version_asks_for_reindex(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    _add(db, seed_path("001"))
    with Store.open(db) as store:
        store.set_params(Params(norm_version=0))
    with pytest.raises(IndexMismatch, match="prov reindex"):
        Store.open(db)
    assert indexing.reindex(db) == 1
    with Store.open(db) as store:
        assert store.params == Params()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a database at all, just text" * 10, "cannot use the database"),
        (None, "not a prov index"),
    ],
)
def test_not_a_prov_index(tmp_path: Path, content: bytes | None, message: str) -> None:
    db = tmp_path / "x.db"
    if content is None:
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE other (x)")
        conn.close()
    else:
        db.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        Store.open(db)


def test_missing_index_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such index"):
        Store.open(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    with Store.open(db, create=True) as store:
        store.db.utils.table("_sqlite_migrations").insert(
            {"migration_set": "prov", "name": "m999_future", "applied_at": "2030"}
        )
    with pytest.raises(StoreError, match="newer prov"):
        Store.open(db)


def test_add_keeps_same_content_once_and_replaces_changed_files(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    a = tmp_path / "a.txt"
    a.write_text(seed_path("001").read_text(encoding="utf-8"), encoding="utf-8")
    twin = tmp_path / "twin.txt"
    twin.write_bytes(a.read_bytes())
    first = _add(db, a, twin)
    assert [r.status for r in first] == ["added", "duplicate"]
    assert first[1].same_as == str(a)
    assert [r.status for r in _add(db, a)] == ["unchanged"]
    a.write_text(seed_path("004").read_text(encoding="utf-8"), encoding="utf-8")
    assert [r.status for r in _add(db, a)] == ["replaced"]
    with Store.open(db) as store:
        rows = {r.path: r for r in store.sources()}
        counts = store.counts()
        assert store.aliases() == []
    # the text kept once stays, under the twin's path (see test_duplicates.py)
    assert set(rows) == {str(a), str(twin)}
    assert rows[str(twin)].sha256 == hashlib.sha256(twin.read_bytes()).hexdigest()
    passages = sum(r.passages for r in rows.values())
    assert counts["passages"] == passages
    assert counts["band_keys"] == passages * Params().bands


def test_remove_deletes_every_row(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    _add(db, seed_path("001"), seed_path("004"))
    removed = pipeline.remove(db, str(seed_path("001")))
    assert removed.path == str(seed_path("001"))
    with Store.open(db) as store:
        (row,) = store.sources()
        counts = store.counts()
        blocks = store.db.execute("SELECT count(DISTINCT source_id) FROM blocks").fetchone()[0]
    assert counts == {"sources": 1, "passages": row.passages, "band_keys": row.passages * 32}
    assert blocks == 1
    with pytest.raises(NotFound, match="no source added under this path"):
        pipeline.remove(db, str(seed_path("001")))


def test_lookup_skips_overfull_buckets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from provenance.index import lookup

    db = tmp_path / "i.db"
    _add(db, seed_path("004"))
    with Store.open(db) as store:
        keys = np.array(
            [[k for (k,) in store.db.execute("SELECT key FROM band_keys LIMIT 32").fetchall()]],
            dtype=np.int64,
        )
        assert store.lookup(keys)
        monkeypatch.setattr(lookup, "MAX_BUCKET", 0)
        assert store.lookup(keys) == []


def test_doctor_reports_a_healthy_index_and_finds_orphans(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    _add(db, seed_path("001"), seed_path("004"))
    healthy, report = indexing.doctor(db)
    assert healthy
    assert report["integrity"] == ["ok"]
    assert report["counts"]["band_keys"] == report["band_keys_expected"]
    assert report["buckets"]["max"] >= 2  # C2021 reuses sentences of C2020
    with Store.open(db) as store:
        store.db.execute("DELETE FROM sources WHERE path = ?", [str(seed_path("001"))])
    healthy, report = indexing.doctor(db)
    assert not healthy
    assert report["orphans"]["passages without a source"] > 0


def test_an_older_index_is_migrated(tmp_path: Path) -> None:
    """An index written before the crawl tables existed (m001 only) gets them on open."""
    db = tmp_path / "old.db"
    _add(db, seed_path("004"))
    with Store.open(db) as store:
        for table in ("alterations", "changes", "matches", "documents", "contents", "passage_freq"):
            store.db.execute(f"DROP TABLE {table}")
        store.db.execute("DROP VIEW results")
        store.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm002_scan'")
    with Store.open(db) as store:
        assert sorted(store.schema()) == sorted(SCHEMA)
        assert store.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
        assert len(store.sources()) == 1


def test_passages_written_before_m003_are_deleted_by_their_signature(tmp_path: Path) -> None:
    """Indexes made before schema m003 kept each passage's signature, not its keys:
    replacing or removing such a source still removes every one of its keys."""
    from provenance.match.fingerprint import fingerprint

    db = tmp_path / "i.db"
    _add(db, seed_path("004"), seed_path("001"))
    source = str(seed_path("001"))
    seg = pipeline.prepare(seed_path("001").read_text(encoding="utf-8"))
    spans = pipeline.index_spans(seg)
    with Store.open(db) as store:
        fp = fingerprint(seg.norm.words, spans, store.params)
        (sid,) = store.db.execute("SELECT id FROM sources WHERE path = ?", [source]).fetchone()
        pids = [
            r[0]
            for r in store.db.execute(
                "SELECT id FROM passages WHERE source_id = ? ORDER BY id", [sid]
            )
        ]
        assert len(pids) == len(spans)
        for pid, sig in zip(pids, fp.signatures, strict=True):
            store.db.execute(
                "UPDATE passages SET keys = NULL, signature = ? WHERE id = ?", [sig.tobytes(), pid]
            )
        before = store.counts()["band_keys"]
    pipeline.remove(db, source)
    with Store.open(db) as store:
        assert store.counts()["band_keys"] == before - len(spans) * store.params.bands
    healthy, report = indexing.doctor(db)
    assert healthy, report


def _votes_of(found: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """What ``lookup_votes`` must give: ``lookup``'s hits counted per source (distinct
    rows), sources in the order ``lookup`` first lists them."""
    rows: dict[int, set[int]] = {}
    for row, sid, _pid in found:
        rows.setdefault(sid, set()).add(row)
    return [(sid, len(r)) for sid, r in rows.items()]


def test_lookup_votes_counts_what_lookup_finds(tmp_path: Path) -> None:
    """``lookup_votes`` (counted in SQL) equals ``lookup``'s rows counted per source,
    in the same order (the order breaks ties among a check's candidates): keys whose
    postings are listed in another order than their sources' ids, a key in several
    rows, a full bucket, and a source whose keys are pending."""
    import numpy as np

    from provenance.index.lookup import MAX_BUCKET
    from provenance.match.fingerprint import fingerprint

    db = tmp_path / "i.db"
    with Store.open(db, create=True) as store, store.transaction():
        store.db.conn.executemany(
            "INSERT INTO band_keys (key, source_id, passage_id) VALUES (?, ?, ?)",
            [(5, 9, 1), (5, 3, 2), (8, 4, 3), (8, 9, 4), (6, 1, 5), (6, 9, 6), (7, 2, 7)]
            + [(11, 50 + i, 100 + i) for i in range(MAX_BUCKET + 1)],
        )
    keys = np.array([[8, 5, 11], [6, 99, 5], [7, 8, 8]], dtype=np.int64)
    with Store.open(db) as store:
        assert store.lookup_votes(keys) == _votes_of(store.lookup(keys))
        assert store.lookup_votes(keys) == [(4, 2), (9, 3), (3, 2), (1, 1), (2, 1)]
        assert store.lookup(keys, [9, 2]) == [
            (r, s, p) for r, s, p in store.lookup(keys) if s in (9, 2)
        ]
    db = tmp_path / "seeds.db"
    _add(db, *(seed_path(f"00{i}") for i in range(5)))
    with Store.open(db) as store:
        texts = [seed_path(f"00{i}").read_text(encoding="utf-8") for i in range(5)]
        texts.append(texts[4][: len(texts[4]) // 2] + texts[1])
        fps = []
        for text in texts:
            seg = pipeline.prepare(text)
            fps.append(fingerprint(seg.norm.words, [(p.first, p.last) for p in seg.passages],
                                   store.params))  # fmt: skip
        for fp in fps:
            assert store.lookup_votes(fp.keys) == _votes_of(store.lookup(fp.keys))
        # a source whose keys an add has not written yet is found by its passages' keys
        sid = store.db.execute("SELECT id FROM sources ORDER BY id LIMIT 1").fetchone()[0]
        with store.transaction():
            store.db.execute("DELETE FROM band_keys WHERE source_id = ?", [sid])
            store.db.execute("UPDATE sources SET keys_pending = 1 WHERE id = ?", [sid])
        assert store.pending_sources()
        for fp in fps:
            assert store.lookup_votes(fp.keys) == _votes_of(store.lookup(fp.keys))
        assert any(sid in dict(store.lookup_votes(fp.keys)) for fp in fps)


def _postings_db(path: Path, postings: list[tuple[int, int, int]]) -> Path:
    """An index holding only these band-key postings ``(key, source_id, passage_id)``."""
    with Store.open(path, create=True) as store, store.transaction():
        store.db.conn.executemany(
            "INSERT INTO band_keys (key, source_id, passage_id) VALUES (?, ?, ?)", postings
        )
    return path


def test_lookup_votes_keep_the_bucket_bound_and_lookups_order(tmp_path: Path) -> None:
    """A key of exactly MAX_BUCKET postings proposes its sources, one more proposes
    nothing; sources first seen at the same key are listed by id, whatever order the
    postings were written in; a suspect without keys finds nothing."""
    import numpy as np

    from provenance.index.lookup import MAX_BUCKET

    full = [(1, 1000 + i, i) for i in range(MAX_BUCKET)]
    over = [(2, 3000 + i, i) for i in range(MAX_BUCKET + 1)]
    db = _postings_db(tmp_path / "i.db", [*over, *full, (3, 7, 1), (3, 5, 2), (4, 6, 3)])
    keys = np.array([[2, 3], [4, 1], [3, 9]], dtype=np.int64)
    with Store.open(db) as store:
        votes = store.lookup_votes(keys)
        assert votes == _votes_of(store.lookup(keys))
        assert votes[:3] == [(5, 2), (7, 2), (6, 1)]
        assert [sid for sid, _ in votes[3:]] == list(range(1000, 1000 + MAX_BUCKET))
        assert not any(sid >= 3000 for sid, _ in votes)
        assert store.lookup_votes(np.empty((0, 2), dtype=np.int64)) == []


def test_lookup_votes_over_many_keys_equal_lookups(tmp_path: Path) -> None:
    """Votes read in slices of keys equal ``lookup``'s rows counted per source, on keys
    of many rows (more than one slice), keys repeated in several rows (a passage
    written twice), and keys found nowhere."""
    import numpy as np

    from provenance.index.lookup import _VOTE_SLICE

    rng = np.random.default_rng(7)
    stored = rng.integers(-(1 << 62), 1 << 62, size=3 * _VOTE_SLICE)
    postings = sorted(
        {(int(k), int(rng.integers(1, 40)), int(rng.integers(1, 9))) for k in stored for _ in "ab"}
    )
    db = _postings_db(tmp_path / "i.db", postings)
    with Store.open(db) as store:
        for seed in range(5):
            pick = np.random.default_rng(seed)
            keys = np.where(
                pick.random((2 * _VOTE_SLICE // 8, 8)) < 0.5,
                pick.choice(stored, size=(2 * _VOTE_SLICE // 8, 8)),
                pick.integers(-(1 << 62), 1 << 62, size=(2 * _VOTE_SLICE // 8, 8)),
            )
            keys[5] = keys[1]  # a passage repeated
            keys[9, :4] = keys[2, 4:]  # and keys shared by two rows
            votes = store.lookup_votes(keys)
            assert votes == _votes_of(store.lookup(keys))
            assert len(votes) > 20


def test_lookup_votes_of_a_pending_source_that_has_keys_too(tmp_path: Path) -> None:
    """A source marked pending whose keys are (partly) written already is counted once
    per row, as ``lookup`` lists it: its written postings and its passages' keys."""
    from provenance.match.fingerprint import fingerprint

    db = tmp_path / "seeds.db"
    _add(db, seed_path("001"), seed_path("004"))
    seg = pipeline.prepare(seed_path("001").read_text(encoding="utf-8"))
    with Store.open(db) as store:
        fp = fingerprint(seg.norm.words, [(p.first, p.last) for p in seg.passages], store.params)
        sid = store.db.execute("SELECT id FROM sources ORDER BY id LIMIT 1").fetchone()[0]
        written = dict(store.lookup_votes(fp.keys))[sid]
        with store.transaction():
            store.db.execute(
                "DELETE FROM band_keys WHERE source_id = ? AND key % 2 = 0", [sid]
            )  # half of its keys written
            store.db.execute("UPDATE sources SET keys_pending = 1 WHERE id = ?", [sid])
        votes = store.lookup_votes(fp.keys)
        assert votes == _votes_of(store.lookup(fp.keys))
        assert dict(votes)[sid] == written


@pytest.mark.parametrize(
    ("method", "found"),
    [("lookup", [(0, 2, 1), (0, 3, 2)]), ("lookup_votes", [(2, 1), (3, 1)])],
)
def test_an_overfull_bucket_costs_the_same_whatever_its_size(
    tmp_path: Path, method: str, found: list[tuple[int, ...]]
) -> None:
    """A key shared by thousands of passages (a site's footer) is read no further than
    MAX_BUCKET + 1 postings, by a lookup and by the vote: their work (SQLite VM steps,
    counted) does not grow with the bucket, and the key proposes nothing."""
    import numpy as np

    from provenance.index.lookup import MAX_BUCKET

    def steps(bucket: int) -> tuple[int, list[tuple[int, ...]]]:
        postings = [(42, 1, pid) for pid in range(bucket)] + [(7, 2, 1), (7, 3, 2)]
        db = _postings_db(tmp_path / f"skew{bucket}.db", postings)
        with Store.open(db) as store:
            count = [0]

            def tick() -> int:
                count[0] += 1
                return 0

            store.db.conn.set_progress_handler(tick, 1)
            got = getattr(store, method)(np.array([[42, 7, 9]], dtype=np.int64))
            store.db.conn.set_progress_handler(None, 1)
            return count[0], got

    small, found_small = steps(MAX_BUCKET + 1)
    large, found_large = steps(20 * MAX_BUCKET)
    assert found_small == found_large == found
    assert large < small * 1.05


def test_texts_in_the_order_asked(tmp_path: Path) -> None:
    """``texts`` reads every asked source in one query and gives them in the order
    asked, a missing one left out, one asked twice given twice."""
    db = tmp_path / "i.db"
    _add(db, seed_path("000"), seed_path("001"), seed_path("004"))
    with Store.open(db) as store:
        ids = store.source_ids()
        asked = [ids[2], 999, ids[0], ids[2], ids[1]]
        got = store.texts(asked)
        assert [t.id for t in got] == [ids[2], ids[0], ids[2], ids[1]]
        for t in got:
            row = store.db.execute("SELECT path, text FROM sources WHERE id = ?", [t.id]).fetchone()
            assert (t.path, t.text) == tuple(row)
        assert store.texts([]) == []


def test_a_check_hashes_its_passages_for_stock_phrases_only_when_pages_were_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stock phrases are passages counted in scanned pages: on an index nobody scanned
    with (no counts), a check neither hashes its passages nor asks for them; once
    some passage is counted, it does (and finds the same sources)."""
    from provenance import verify

    db = tmp_path / "i.db"
    _add(db, seed_path("001"), seed_path("004"))
    hashed: list[int] = []
    real = verify.passage_hashes

    def counting(words: list[str], spans: list[tuple[int, int]]) -> list[int]:
        hashed.append(len(spans))
        return real(words, spans)

    monkeypatch.setattr(verify, "passage_hashes", counting)
    with Store.open(db) as store:
        assert not store.has_stock_counts()
    (before,) = pipeline.check([seed_path("000")], db)
    assert before.matches and hashed == []
    with Store.open(db) as store, store.transaction():
        store.db.execute("INSERT INTO passage_freq (hash, docs) VALUES (1, 1)")
    with Store.open(db) as store:
        assert store.has_stock_counts()
    (after,) = pipeline.check([seed_path("000")], db)
    assert hashed and [m.source for m in after.matches] == [m.source for m in before.matches]
