"""A text added under two paths is kept once, and stays findable under each.

``add`` files the second path as an alias of the first's source; when the first path
is replaced or removed, the source stays, under the alias's path.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from provenance import indexing, pipeline
from tests.test_crash import make_sources


@pytest.fixture
def texts(tmp_path: Path) -> list[str]:
    root = make_sources(tmp_path / "gen", 3, seed=55)
    return [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.txt"))]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _found(db: Path, text: str, tmp_path: Path) -> list[tuple[str, str]]:
    """``(source, verdict)`` of the sources a verbatim copy of ``text`` copies whole (the
    generated articles share paragraphs: the others are partial)."""
    copy = _write(tmp_path / "suspect.txt", text)
    (result,) = pipeline.check([copy], db)
    return [(m.source, m.score.verdict) for m in result.matches if m.score.verdict != "partial"]


def _statuses(db: Path, *paths: Path, workers: int = 1) -> list[tuple[str, str]]:
    return [(Path(r.path).name, r.status) for r in indexing.add(list(paths), db, workers=workers)]


def test_a_duplicate_stays_findable_when_its_twin_is_replaced_in_the_same_run(
    tmp_path: Path, texts: list[str]
) -> None:
    db = tmp_path / "i.db"
    old, new = texts[0], texts[1]
    b = _write(tmp_path / "b.txt", old)
    list(indexing.add([b], db))
    a = _write(tmp_path / "a.txt", old)
    _write(b, new)
    assert _statuses(db, a, b) == [("a.txt", "duplicate"), ("b.txt", "replaced")]
    assert _found(db, old, tmp_path) == [(str(a), "verbatim")]
    assert _found(db, new, tmp_path) == [(str(b), "verbatim")]
    assert {r.path: r.sha256 for r in pipeline.sources(db)} == {
        str(a): hashlib.sha256(old.encode()).hexdigest(),
        str(b): hashlib.sha256(new.encode()).hexdigest(),
    }
    healthy, report = indexing.doctor(db)
    assert healthy, report


def test_a_duplicate_stays_findable_when_its_twin_is_removed(
    tmp_path: Path, texts: list[str]
) -> None:
    db = tmp_path / "i.db"
    a = _write(tmp_path / "a.txt", texts[0])
    twin = tmp_path / "twin.txt"
    shutil.copy(a, twin)
    assert _statuses(db, a, twin) == [("a.txt", "added"), ("twin.txt", "duplicate")]
    rows = pipeline.sources(db)
    assert [r.path for r in rows] == [str(a), str(twin)]
    assert rows[0].id == rows[1].id  # one text, listed under both paths
    assert _statuses(db, twin) == [("twin.txt", "unchanged")]
    pipeline.remove(db, str(a))
    assert _found(db, texts[0], tmp_path) == [(str(twin), "verbatim")]
    pipeline.remove(db, str(twin))
    assert _found(db, texts[0], tmp_path) == []
    assert pipeline.sources(db) == []
    healthy, report = indexing.doctor(db)
    assert healthy, report


def test_a_duplicate_that_changes_becomes_a_source_of_its_own(
    tmp_path: Path, texts: list[str]
) -> None:
    db = tmp_path / "i.db"
    a = _write(tmp_path / "a.txt", texts[0])
    twin = _write(tmp_path / "twin.txt", texts[0])
    list(indexing.add([a, twin], db))
    _write(twin, texts[2])
    assert _statuses(db, twin) == [("twin.txt", "replaced")]
    assert _found(db, texts[0], tmp_path) == [(str(a), "verbatim")]
    assert _found(db, texts[2], tmp_path) == [(str(twin), "verbatim")]
    pipeline.remove(db, str(a))  # the twin no longer holds a's text: a's text goes
    assert _found(db, texts[0], tmp_path) == []


def test_removing_a_duplicates_path_keeps_the_text_for_its_twin(
    tmp_path: Path, texts: list[str]
) -> None:
    db = tmp_path / "i.db"
    a = _write(tmp_path / "a.txt", texts[0])
    twin = _write(tmp_path / "twin.txt", texts[0])
    list(indexing.add([a, twin], db))
    assert pipeline.remove(db, str(twin)).path == str(twin)
    assert [r.path for r in pipeline.sources(db)] == [str(a)]
    assert _found(db, texts[0], tmp_path) == [(str(a), "verbatim")]


def test_a_twin_replaced_earlier_in_a_run_with_workers(
    tmp_path: Path, texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers read the index as committed: one finds a file's text under a path that
    this run replaces before that file is written. The writer asks again, and adds it."""
    monkeypatch.setattr(indexing, "POOL_MIN_FILES", 1)
    db = tmp_path / "i.db"
    folder = tmp_path / "src"
    folder.mkdir()
    first = _write(folder / "0-first.txt", texts[0])
    list(indexing.add([first], db))
    _write(first, texts[1])  # replaced in the run below, before ...
    second = _write(folder / "1-second.txt", texts[0])  # ... this one, with its old text
    fillers = make_sources(tmp_path / "fill", indexing.POOL_CHUNK + 2, seed=56)
    for i, f in enumerate(sorted(fillers.rglob("*.txt"))):
        shutil.copy(f, folder / f"2-filler{i:02}.txt")  # enough files for two workers
    statuses = dict(_statuses(db, folder, workers=2))
    assert statuses["0-first.txt"] == "replaced"
    assert statuses["1-second.txt"] == "added"
    assert _found(db, texts[0], tmp_path) == [(str(second), "verbatim")]
    healthy, report = indexing.doctor(db)
    assert healthy, report


@pytest.mark.parametrize("workers", [1, 2])
def test_a_path_rewritten_to_another_sources_text_no_longer_holds_its_old_one(
    tmp_path: Path, texts: list[str], workers: int
) -> None:
    """``a.txt`` edited to hold ``b.txt``'s text is a duplicate of ``b.txt``: the index
    files ``a.txt`` as holding that text, and its old text is gone (not found, not
    listed), as when a path is replaced by a text of its own."""
    db = tmp_path / "i.db"
    a = _write(tmp_path / "a.txt", texts[0])
    b = _write(tmp_path / "b.txt", texts[1])
    assert _statuses(db, a, b) == [("a.txt", "added"), ("b.txt", "added")]
    _write(a, texts[1])
    assert _statuses(db, a, workers=workers) == [("a.txt", "duplicate")]
    assert _found(db, texts[0], tmp_path) == []
    rows = pipeline.sources(db)
    assert sorted(r.path for r in rows) == [str(a), str(b)]
    assert {r.sha256 for r in rows} == {hashlib.sha256(texts[1].encode()).hexdigest()}
    assert _statuses(db, a, workers=workers) == [("a.txt", "unchanged")]
    pipeline.remove(db, str(b))  # the text stays, under a.txt
    assert _found(db, texts[1], tmp_path) == [(str(a), "verbatim")]
    healthy, report = indexing.doctor(db)
    assert healthy, report


def test_passages_of_a_text_of_undetermined_language_are_counted_once(tmp_path: Path) -> None:
    words = "alpha beta gamma delta epsilon zeta theta iota kappa lambda".split()
    text = " ".join(words[(i * 7) % 10] + str(i % 13) for i in range(400)) + ".\n"
    db = tmp_path / "i.db"
    (added,) = indexing.add([_write(tmp_path / "codes.txt", text)], db)
    (row,) = pipeline.sources(db)
    assert row.lang == "und"
    assert row.passages == added.passages > 0
    assert dict(row.languages) == {"und": added.passages}
