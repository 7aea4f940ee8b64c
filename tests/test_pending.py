"""Sources an ``add`` has not finished (pending: no LSH keys yet) are never silently
missed: ``check`` and ``scan`` complete them when no ``add`` runs and the index can be
written, and otherwise find them by their passages' keys; check says so; the index
version counts a source once a check can find it."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance import indexing
from provenance.cli import app
from provenance.crawl.scan import results, scan
from provenance.index.store import Store
from tests.conftest import seed_path

runner = CliRunner()
SOURCE, OTHER = seed_path("001"), seed_path("004")


def _first_match(stdout: str) -> tuple[str, str]:
    found = json.loads(stdout)["matches"][0]
    return found["source"], found["verdict"]


def _interrupted_add(db: Path, source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``prov add source`` stopped (Ctrl-C) before it wrote its LSH keys."""
    with monkeypatch.context() as m:

        def stop(self: Store) -> int:
            raise KeyboardInterrupt

        m.setattr(Store, "flush_keys", stop)
        with pytest.raises(KeyboardInterrupt):
            list(indexing.add([source], db))


@contextmanager
def _add_running(db: Path) -> Iterator[None]:
    """Hold the lock a running ``add`` holds."""
    fd = os.open(f"{db}.add-lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def _pending(db: Path) -> int:
    with Store.open(db) as store:
        return int(
            store.db.execute("SELECT count(*) FROM sources WHERE keys_pending = 1").fetchone()[0]
        )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A verbatim copy of SOURCE."""
    path = tmp_path / "copy.txt"
    path.write_bytes(SOURCE.read_bytes())
    return path


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An index of OTHER, and SOURCE left pending by an interrupted add."""
    path = tmp_path / "i.db"
    list(indexing.add([OTHER], path))
    _interrupted_add(path, SOURCE, monkeypatch)
    assert _pending(path) == 1
    return path


def test_check_completes_the_sources_an_interrupted_add_left(db: Path, copy: Path) -> None:
    result = runner.invoke(app, ["check", "--db", str(db), str(copy), "--json"])
    assert result.exit_code == 0, result.output
    assert _first_match(result.stdout) == (str(SOURCE), "verbatim")
    assert result.stderr == (
        "Warning: 1 source left incomplete by an interrupted `prov add` (LSH keys not "
        "written) completed before checking\n"
    )
    assert _pending(db) == 0
    healthy, report = indexing.doctor(db)
    assert healthy, report
    again = runner.invoke(app, ["check", "--db", str(db), str(copy), "--json"])
    assert (again.exit_code, again.stderr) == (0, "")


def test_check_finds_the_sources_of_an_add_that_is_running(db: Path, copy: Path) -> None:
    with _add_running(db):
        result = runner.invoke(app, ["check", "--db", str(db), str(copy), "--json"])
        assert _pending(db) == 1  # a running add's sources are its own to complete
    assert result.exit_code == 0, result.output
    assert _first_match(result.stdout) == (str(SOURCE), "verbatim")
    assert result.stderr == (
        "Warning: the index is incomplete: 1 source without LSH keys (a `prov add` is "
        "running, or was interrupted and the index is read-only); they were searched "
        "passage by passage, more slowly\n"
    )


def test_check_finds_pending_sources_of_an_index_it_cannot_write(
    db: Path, copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(self: Store) -> int:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(Store, "flush_keys", read_only)
    result = runner.invoke(app, ["check", "--db", str(db), str(copy), "--json"])
    assert result.exit_code == 0, result.output
    assert _first_match(result.stdout) == (str(SOURCE), "verbatim")
    assert result.stderr.startswith("Warning: the index is incomplete: 1 source without LSH keys")


def test_the_index_version_counts_a_source_once_a_check_can_find_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "i.db"
    list(indexing.add([OTHER], path))
    with Store.open(path) as store:
        before = store.index_version()
    _interrupted_add(path, SOURCE, monkeypatch)
    with Store.open(path) as store:
        assert store.index_version() == before
        assert store.complete_pending() == 1
        assert store.index_version() > before


def test_a_scan_beside_pending_sources_reports_their_copies(
    db: Path, copy: Path, tmp_path: Path
) -> None:
    """Pages scanned while an add runs are checked against its pending sources too;
    stamped with a version that does not count them, ``--recheck`` checks them again
    once the keys are written, and still finds the copy."""
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "page.txt").write_bytes(copy.read_bytes())
    with _add_running(db):
        stats = scan([crawl], db, workers=1)
        assert _pending(db) == 1
    assert stats.checked == 1
    assert str(SOURCE) in {r["source"] for r in results(db) if r["verdict"] == "verbatim"}
    again = scan([crawl], db, workers=1, recheck=True)  # completes the keys first
    assert _pending(db) == 0
    assert again.rechecked == 1
    assert str(SOURCE) in {r["source"] for r in results(db) if r["verdict"] == "verbatim"}


def test_a_scan_completes_the_sources_an_interrupted_add_left(
    db: Path, copy: Path, tmp_path: Path
) -> None:
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "page.txt").write_bytes(copy.read_bytes())
    scan([crawl], db, workers=1)
    assert _pending(db) == 0
    assert str(SOURCE) in {r["source"] for r in results(db) if r["verdict"] == "verbatim"}
