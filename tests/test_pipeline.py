"""``indexing.add`` with worker processes, and LSH keys written at the end of a run."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from provenance import indexing, pipeline, verify
from provenance.index.store import Store
from tests.conftest import count_prepare_calls, seed_path
from tests.test_crash import make_sources


def table(db: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def index_contents(db: Path) -> tuple[object, ...]:
    """What an index holds, independent of row ids: sources, passages and LSH keys."""
    return (
        table(
            db, "SELECT path, sha256, lang, words, passages, keys_pending FROM sources ORDER BY 1"
        ),
        table(
            db,
            'SELECT s.path, p.idx, p.first, p.last, p.start, p."end", p.keys FROM passages p '
            "JOIN sources s ON s.id = p.source_id ORDER BY 1, 2",
        ),
        table(
            db,
            "SELECT b.key, s.path, p.idx FROM band_keys b JOIN passages p ON p.id = b.passage_id "
            "JOIN sources s ON s.id = b.source_id ORDER BY 1, 2, 3",
        ),
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_sources(tmp_path_factory.mktemp("sources") / "articles", 150, seed=7)
    twin = root / "batch0" / "article000.txt"
    shutil.copy(twin, root / "twin.txt")  # the same text under a second path
    (root / "empty.txt").write_text("", encoding="utf-8")  # unreadable: no text
    return root


def test_workers_write_what_one_process_writes(corpus: Path, tmp_path: Path) -> None:
    assert len(list(corpus.rglob("*.txt"))) >= indexing.POOL_MIN_FILES  # the pool is used
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    by_one = list(indexing.add([corpus], one, workers=1))
    by_two = list(indexing.add([corpus], two, workers=2))
    assert [(r.path, r.status, r.passages, r.same_as) for r in by_one] == [
        (r.path, r.status, r.passages, r.same_as) for r in by_two
    ]
    statuses = {r.status for r in by_two}
    assert statuses == {indexing.ADDED, indexing.DUPLICATE, indexing.FAILED}
    assert [r.done for r in by_two] == list(range(1, len(by_two) + 1))
    assert index_contents(one) == index_contents(two)
    healthy, report = indexing.doctor(two)
    assert healthy, report
    # Again: every file is unchanged (the workers look it up: not prepared again), the
    # duplicate too (its path is filed as holding its twin's text).
    again = list(indexing.add([corpus], two, workers=2))
    assert {r.status for r in again} == {indexing.UNCHANGED, indexing.FAILED}
    assert index_contents(one) == index_contents(two)


def _leave_pending(db: Path, source: Path) -> None:
    """Add ``source`` as an ``add`` stopped before writing its keys leaves it."""
    with Store.open(db, create=True) as store:
        prepared = indexing._prepare_file(source, pipeline.source_names(source), store)
        assert isinstance(prepared, indexing._Read)
        with store.transaction():
            store.put_record(prepared.record, defer_keys=True)  # ... and the process ends


def test_keys_left_pending_are_written_by_the_next_add(tmp_path: Path) -> None:
    """A run stopped before its keys were written leaves its sources pending: reported
    by doctor, and completed by the next ``add`` (of anything)."""
    db = tmp_path / "i.db"
    copy = seed_path("000")
    _leave_pending(db, seed_path("001"))
    assert table(db, "SELECT count(*) FROM band_keys") == [(0,)]
    healthy, report = indexing.doctor(db)
    assert not healthy
    assert any(n == 1 and "pending" in k for k, n in report["orphans"].items())
    list(indexing.add([seed_path("004")], db))
    healthy, report = indexing.doctor(db)
    assert healthy, report
    (after,) = pipeline.check([copy], db)
    assert [m.score.verdict for m in after.matches][:1] == ["verbatim"]


def test_a_source_replaced_in_the_same_run_keeps_only_its_new_keys(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    path = tmp_path / "a.txt"
    path.write_text(seed_path("001").read_text(encoding="utf-8"), encoding="utf-8")
    list(indexing.add([path], db))
    path.write_text(seed_path("004").read_text(encoding="utf-8"), encoding="utf-8")
    (result,) = list(indexing.add([path], db))
    assert result.status == indexing.REPLACED
    healthy, report = indexing.doctor(db)
    assert healthy, report
    fresh = tmp_path / "fresh.db"
    list(indexing.add([path], fresh))
    assert table(db, "SELECT count(*) FROM band_keys") == table(
        fresh, "SELECT count(*) FROM band_keys"
    )


def test_stored_sources_are_segmented_once_and_the_cache_stays_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = count_prepare_calls(monkeypatch)
    monkeypatch.setattr(verify, "SOURCE_CACHE_CHARS", 2_000)
    texts = [f"Source number {i} says that the harbour opened in spring. " * 4 for i in range(12)]
    first = [verify._prepared_source(t) for t in texts[:3]]
    again = [verify._prepared_source(t) for t in texts[:3]]
    assert again == first and len(calls) == 3  # a second check re-segments nothing
    for t in texts:
        verify._prepared_source(t)
    assert verify._source_cache_chars <= 2_000
    assert sum(map(len, verify._source_cache)) == verify._source_cache_chars
    assert texts[-1] in verify._source_cache and texts[0] not in verify._source_cache


def test_one_copy_checked_against_many_sources_gives_each_its_own_answer() -> None:
    # the copy's n-grams and sentences are made once per copy: another copy (even one
    # equal in content, another object) or another source must not reuse the wrong ones
    a = pipeline.prepare("The harbour opened in the spring of 1998 after a long winter of work.")
    b = pipeline.prepare("A storm closed the harbour for a week and the boats stayed in port.")
    copy = pipeline.prepare(
        "The harbour opened in the spring of 1998 after a long winter of work. Nothing else."
    )
    first = verify.compare_segmented(a, copy)
    assert verify.compare_segmented(b, copy).found_words == 0
    assert verify.compare_segmented(a, copy) == first
    other = pipeline.prepare("A storm closed the harbour for a week and the boats stayed in port.")
    assert verify.compare_segmented(b, other).found_words > 0
    assert verify.compare_segmented(a, other).found_words == 0
