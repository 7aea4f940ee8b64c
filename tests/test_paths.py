"""One file, however its path is spelled (``site/a.txt``, ``./site/a.txt``, the absolute
path, a link to it): one source and one page. The index files it under its resolved
path and shows the spelling it was first given."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from provenance import indexing, pipeline
from provenance.crawl.scan import clusters, scan
from tests.conftest import seed_path


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path/site/a.txt`` (a copy of seed 001), the working folder ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.txt").write_bytes(seed_path("001").read_bytes())
    return tmp_path / "site"


def spellings(site: Path) -> list[str]:
    link = site.parent / "link.txt"
    if not link.exists():
        link.symlink_to(site / "a.txt")
    return ["site/a.txt", "./site/../site/a.txt", str(site / "a.txt"), "link.txt"]


def test_a_source_added_by_two_spellings_is_one_source(site: Path) -> None:
    db = site.parent / "i.db"
    first, *others = spellings(site)
    assert [r.status for r in indexing.add([first], db)] == ["added"]
    for other in others:
        assert [r.status for r in indexing.add([other], db)] == ["unchanged"]
    (row,) = pipeline.sources(db)
    assert (row.path, row.key) == ("site/a.txt", str(site / "a.txt"))


@pytest.mark.parametrize("index", [1, 2, 3])
def test_a_source_is_removed_by_any_spelling(site: Path, index: int) -> None:
    db = site.parent / "i.db"
    names = spellings(site)
    list(indexing.add([names[0]], db))
    assert pipeline.remove(db, names[index]).path == "site/a.txt"
    assert pipeline.sources(db) == []


def test_an_index_that_filed_sources_as_spelled_still_finds_them(site: Path) -> None:
    """Schema m004 files sources by resolved path; an index from before keeps the
    spelling as their key (the migration copies it), which lookups try too."""
    db = site.parent / "i.db"
    list(indexing.add(["site/a.txt"], db))
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE sources SET key = path")  # as the migration leaves it
    assert [r.status for r in indexing.add(["site/a.txt"], db)] == ["unchanged"]
    (site / "a.txt").write_bytes(seed_path("004").read_bytes())
    assert [r.status for r in indexing.add(["site/a.txt"], db)] == ["replaced"]
    (row,) = pipeline.sources(db)
    assert row.key == str(site / "a.txt")  # filed the new way once written again
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE sources SET key = path")
    assert pipeline.remove(db, "site/a.txt").path == "site/a.txt"


def test_a_page_scanned_by_two_spellings_is_one_page(site: Path) -> None:
    db = site.parent / "i.db"
    list(indexing.add([seed_path("001")], db))
    names = spellings(site)
    first = scan([names[0]], db, workers=1)
    assert first.checked == 1
    for other in names[1:]:
        assert scan([other], db, workers=1).skipped == 1
    (cluster,) = clusters(db)
    assert [c["url"] for c in cluster["copies"]] == [str(site / "a.txt")]


def test_a_page_recorded_under_its_spelling_is_known(site: Path) -> None:
    """A page an older prov recorded under the path as spelled (relative to the
    working folder) is not recorded again."""
    db = site.parent / "i.db"
    list(indexing.add([seed_path("001")], db))
    scan(["site"], db, workers=1)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE documents SET key = ?, url = ?", ["site/a.txt", "site/a.txt"])
    assert scan([site / "a.txt"], db, workers=1).skipped == 1
