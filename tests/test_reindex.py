"""``prov reindex`` beside writers: a source removed or replaced while reindex runs.

Each interleaving is made deterministic by a hook: reindex reads a source's text and
prepares it (``indexing.prepare``); the hook runs a ``remove`` or an ``add`` through
another connection at a chosen moment: before the target source is read, or after it
was read and before its rebuilt passages are written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from provenance import indexing, pipeline
from provenance.index.store import Store
from provenance.params import Params
from provenance.text.segment import Segmented
from tests.test_crash import make_sources


@pytest.fixture
def texts(tmp_path: Path) -> list[str]:
    root = make_sources(tmp_path / "gen", 4, seed=15)
    return [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.txt"))]


def _index(tmp_path: Path, texts: list[str]) -> tuple[Path, list[Path]]:
    """An index of a.txt, b.txt, c.txt (reindex may be run on an index that is up to
    date: then ``add`` and ``remove`` can run beside it)."""
    db = tmp_path / "i.db"
    files = []
    for name, text in zip("abc", texts, strict=False):
        f = tmp_path / f"{name}.txt"
        f.write_text(text, encoding="utf-8")
        files.append(f)
    list(indexing.add(files, db))
    return db, files


def _hook(monkeypatch: pytest.MonkeyPatch, trigger: str, action: Callable[[], None]) -> list[bool]:
    """Run ``action`` once, when reindex prepares the text ``trigger`` (after it)."""
    fired: list[bool] = []
    prepare = indexing.prepare

    def hooked(text: str) -> Segmented:
        seg = prepare(text)
        if text == trigger and not fired:
            fired.append(True)
            action()
        return seg

    monkeypatch.setattr(indexing, "prepare", hooked)
    return fired


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("moment", ["before it is read", "between its read and its write"])
def test_a_source_removed_while_reindex_runs_stays_removed(
    tmp_path: Path, texts: list[str], monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    db, (a, b, c) = _index(tmp_path, texts)
    trigger = texts[0] if moment == "before it is read" else texts[1]
    fired = _hook(monkeypatch, trigger, lambda: pipeline.remove(db, str(b)) and None)
    assert indexing.reindex(db) == 2  # a and c: b was gone when its turn came
    assert fired
    monkeypatch.undo()
    assert [r.path for r in pipeline.sources(db)] == [str(a), str(c)]
    healthy, report = indexing.doctor(db)
    assert healthy, report


@pytest.mark.parametrize("moment", ["before it is read", "between its read and its write"])
def test_a_source_replaced_while_reindex_runs_keeps_its_new_text(
    tmp_path: Path, texts: list[str], monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    db, (_a, b, _c) = _index(tmp_path, texts)
    new_text = texts[3]

    def replace_b() -> None:
        b.write_text(new_text, encoding="utf-8")
        assert [r.status for r in indexing.add([b], db)] == [indexing.REPLACED]

    trigger = texts[0] if moment == "before it is read" else texts[1]
    fired = _hook(monkeypatch, trigger, replace_b)
    rebuilt = indexing.reindex(db)
    assert fired
    monkeypatch.undo()
    assert rebuilt == 2  # a and c; b was written by this prov, after reindex listed it
    (row,) = [r for r in pipeline.sources(db) if r.path == str(b)]
    assert row.sha256 == _sha(new_text)  # not reverted to the text reindex read
    copy = tmp_path / "copy.txt"
    copy.write_text(new_text, encoding="utf-8")
    (result,) = pipeline.check([copy], db)
    assert [(m.source, m.score.verdict) for m in result.matches][:1] == [(str(b), "verbatim")]
    healthy, report = indexing.doctor(db)
    assert healthy, report


def test_reindex_keeps_source_ids(tmp_path: Path, texts: list[str]) -> None:
    """Rebuilt in place: the scan's matches still point at their source."""
    db, _ = _index(tmp_path, texts)
    with Store.open(db) as store:
        before = [(r.id, r.path, r.sha256) for r in store.sources()]
        store.set_params(Params(norm_version=0))  # as after an upgrade
    assert indexing.reindex(db) == 3
    with Store.open(db) as store:
        assert [(r.id, r.path, r.sha256) for r in store.sources()] == before
        assert store.params == Params()
    healthy, report = indexing.doctor(db)
    assert healthy, report


def test_reindex_writes_in_batches_not_a_commit_per_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit is an fsync: reindex writes its rebuilt sources ``ADD_BATCH`` at a time
    (a commit per source took 9.5 min for 10,000 sources)."""
    root = make_sources(tmp_path / "gen", 12, seed=21)
    files = sorted(root.rglob("*.txt"))
    db = tmp_path / "i.db"
    list(indexing.add(files, db))
    monkeypatch.setattr(indexing, "ADD_BATCH", 5)
    monkeypatch.setattr(indexing, "ADD_BATCH_SECONDS", 10**9)  # batches by count alone
    writes: list[int] = []
    rewrite = Store.rewrite_source
    begin = Store.begin

    def counted_begin(self: Store) -> None:
        writes.append(0)
        begin(self)

    def counted_rewrite(self: Store, sid: int, sha256: str, rec: object) -> bool:
        writes[-1] += 1
        return rewrite(self, sid, sha256, rec)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "begin", counted_begin)
    monkeypatch.setattr(Store, "rewrite_source", counted_rewrite)
    assert indexing.reindex(db) == len(files)
    assert [n for n in writes if n] == [5, 5, len(files) - 10]
    monkeypatch.undo()
    healthy, report = indexing.doctor(db)
    assert healthy, report
    assert sorted(r.path for r in pipeline.sources(db)) == sorted(map(str, files))
