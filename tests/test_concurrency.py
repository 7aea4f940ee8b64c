"""Concurrency: several prov processes on one index at the same time.

Two ``prov add`` of different folders, a ``prov scan`` and ``prov check`` readers in a
loop, all started at the same instant on one index: no process fails or prints a
traceback ("database is locked" included), readers always get the same answer, and the
index ends up as a sequential run leaves it.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlite_utils import Database

from provenance import indexing
from provenance.crawl.scan import scan
from provenance.index import schema
from tests.conftest import HANG_GUARD, ROOT, seed_path, seed_text
from tests.test_crash import has_open

CASES = ROOT / "tests" / "assets" / "cases"

#: Starts the command line when the file named first exists (after the imports, and
#: after saying it is ready: ``NAME.<pid>``), so that processes started one after another
#: really begin together, however long each takes to start.
SYNC_RUNNER = """
import os, sys, time
from provenance.cli import main
gate = sys.argv.pop(1)
if gate:
    open(f"{gate}.{os.getpid()}", "w").close()
    while not os.path.exists(gate):
        time.sleep(0.005)
main()
"""


PENDING_WARNING = re.compile(
    r"(Warning: the index is incomplete: \d+ sources? without LSH keys \(a `prov add` is "
    r"running, or was interrupted and the index is read-only\); they were searched passage "
    r"by passage, more slowly\n)?"
)


def start(gate: Path | None, *args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SYNC_RUNNER, str(gate or ""), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def release(gate: Path, procs: list[subprocess.Popen[str]]) -> None:
    """Open ``gate`` once every process started with it is ready."""
    deadline = time.monotonic() + HANG_GUARD
    while not all(Path(f"{gate}.{p.pid}").exists() for p in procs):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    gate.touch()


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db, timeout=HANG_GUARD)) as conn:
        return conn.execute(sql).fetchall()


def articles(root: Path, n: int, seed: int) -> Path:
    """``n`` articles in an invented language: they copy nothing and nothing copies them."""
    rng = random.Random(seed)  # noqa: S311
    syllables = "ka lo mi re su tan vel dor pim ang esh ul bro qua zin fex".split()
    vocab = ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(3000)]
    root.mkdir(parents=True)
    for i in range(n):
        paragraphs = []
        for _ in range(rng.randint(4, 8)):
            sentences = [
                " ".join(rng.choices(vocab, k=rng.randint(10, 18))).capitalize() + "."
                for _ in range(3)
            ]
            paragraphs.append(" ".join(sentences))
        (root / f"a{i:03}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return root


def crawl(root: Path) -> Path:
    """Pages that copy the seeds, and pages that copy nothing; all distinct."""
    copies = [seed_text(p) for p in ("000", "002", "003")]
    others = [p.read_text(encoding="utf-8") for p in sorted(CASES.glob("handwritten/*.txt"))]
    root.mkdir(parents=True)
    for i in range(60):
        body = copies[i % 3] if i % 2 else others[i % len(others)]
        (root / f"p{i:03}.txt").write_text(f"Page {i}.\n\n{body}", encoding="utf-8")
    (root / "broken.txt").write_bytes(bytes(100))
    return root


def seeds_index(db: Path) -> Path:
    db.parent.mkdir(parents=True, exist_ok=True)
    list(indexing.add([seed_path("001"), seed_path("004")], db))
    return db


def sources(db: Path) -> list[tuple[object, ...]]:
    return rows(db, "SELECT path, sha256, words, passages FROM sources ORDER BY path")


def scan_results(db: Path) -> list[tuple[object, ...]]:
    """What the scan found (not when, nor against which index version)."""
    return rows(
        db,
        "SELECT d.key, d.sha256, d.status, d.error, m.source_path, m.verdict, m.fidelity, "
        "m.source_coverage, m.copy_coverage, m.alterations FROM documents d "
        "LEFT JOIN matches m ON m.sha256 = d.sha256 ORDER BY d.key, m.source_path",
    )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    base = tmp_path_factory.mktemp("inputs")
    return articles(base / "a", 150, seed=1), articles(base / "b", 150, seed=2), crawl(base / "c")


def test_two_adds_a_scan_and_checks_at_once(
    tmp_path: Path, inputs: tuple[Path, Path, Path]
) -> None:
    folder_a, folder_b, pages = inputs
    sequential = seeds_index(tmp_path / "seq" / "i.db")
    list(indexing.add([folder_a], sequential))
    list(indexing.add([folder_b], sequential))
    scan([pages], sequential, workers=1)

    db = seeds_index(tmp_path / "conc" / "i.db")
    gate = tmp_path / "go"
    writers = [
        start(gate, "add", "--db", db, folder_a),
        start(gate, "add", "--db", db, folder_b),
        start(gate, "scan", "--db", db, "--workers", "2", pages),
    ]
    release(gate, writers)
    checks: list[tuple[int, str, str]] = []
    while any(w.poll() is None for w in writers) or len(checks) < 2:
        reader = start(None, "check", "--db", db, seed_path("003"), "--json")
        out, err = reader.communicate(timeout=HANG_GUARD)
        checks.append((reader.returncode, out, err))
    outcomes = [(w.returncode, *w.communicate(timeout=HANG_GUARD)) for w in writers]
    for code, _, err in outcomes + checks:
        assert "Traceback" not in err
        assert code == 0, err
    assert [err for _, _, err in outcomes] == ["", "", ""]
    # a check while an add runs finds its pending sources too, and says the index is
    # incomplete (tests/test_pending.py)
    assert all(PENDING_WARNING.fullmatch(err) for _, _, err in checks)
    answers = {
        (Path(m["source"]).name[:3], m["verdict"]) for _, out, _ in checks
        for m in json.loads(out)["matches"][:1]
    }  # fmt: skip
    assert answers == {("004", "paraphrased")}
    print(f"\n{len(checks)} checks answered while two adds and a scan wrote")
    assert sources(db) == sources(sequential)
    assert scan_results(db) == scan_results(sequential)
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.parametrize("state", ["creating", "writing"])
def test_add_waits_for_a_process_that_creates_the_index(tmp_path: Path, state: str) -> None:
    """Another process is half-way through creating the index: ``prov add`` waits for it
    (busy timeout), then adds its source to the index the other made."""
    db = tmp_path / "new.db"
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        database = Database(conn)
        if state == "creating":  # what Store.open does: WAL, then the migrations
            database.enable_wal()
            schema.migrations.ensure_migrations_table(database)
            conn.execute("BEGIN IMMEDIATE")
            schema.migrations.apply(database)  # inside the open transaction
        else:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("CREATE TABLE pending (x)")
        proc = start(None, "add", "--db", db, seed_path("001"))
        # wait for the event: prov has the database open (and cannot go on: the lock is
        # held here), then let it go on
        deadline = time.monotonic() + HANG_GUARD
        while not has_open(proc.pid, db) and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        conn.execute("COMMIT")
    if state == "writing":
        with closing(sqlite3.connect(db)) as conn:
            conn.execute("DROP TABLE pending")
    _, err = proc.communicate(timeout=HANG_GUARD)
    assert (proc.returncode, err) == (0, "")
    assert [r[0] for r in sources(db)] == [str(seed_path("001"))]


def test_a_scan_does_not_hold_the_write_lock_while_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whenever the scan reads a page or checks one (which can take long: a huge page),
    another writer can begin at once: asked at each of those moments, not timed."""
    from provenance.crawl import scan as scan_module
    from provenance.crawl import work as work_module

    db = seeds_index(tmp_path / "i.db")
    pages = tmp_path / "crawl"
    pages.mkdir()
    for i in range(6):
        text = seed_text("000" if i % 2 else "002")
        (pages / f"p{i:02}.txt").write_text(f"Page {i}.\n\n{text}", encoding="utf-8")
    probes: list[tuple[str, bool]] = []

    def writer_can_begin() -> bool:
        with closing(sqlite3.connect(db, timeout=0, isolation_level=None)) as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return False
            conn.execute("ROLLBACK")
            return True

    read_pages, check_page = scan_module.iter_input_pages, work_module.check_page

    def reading(inputs: object) -> object:
        for n, page in read_pages(inputs):  # type: ignore[arg-type]
            probes.append(("read", writer_can_begin()))
            yield n, page

    def checking(*args: object) -> object:
        probes.append(("check", writer_can_begin()))
        return check_page(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(scan_module, "iter_input_pages", reading)
    monkeypatch.setattr(work_module, "check_page", checking)  # (the pool's name for it)
    stats = scan([pages], db, workers=1)
    assert stats.checked == 6
    assert probes.count(("read", True)) == 6
    assert probes.count(("check", True)) == 6
    assert len(probes) == 12


def test_a_second_scan_is_refused_with_one_line(tmp_path: Path) -> None:
    db = seeds_index(tmp_path / "i.db")
    pages = crawl(tmp_path / "crawl")
    gate = tmp_path / "go"
    procs = [start(gate, "scan", "--db", db, "--workers", "1", pages) for _ in range(2)]
    release(gate, procs)
    errs = [p.communicate(timeout=HANG_GUARD)[1] for p in procs]
    outcomes = sorted((p.returncode, err) for p, err in zip(procs, errs, strict=True))
    if outcomes[1][0] == 0:  # the first had finished before the second began: still fine
        assert outcomes == [(0, ""), (0, "")]
        return
    assert outcomes[0] == (0, "")
    code, err = outcomes[1]
    assert code == 4
    assert err == (
        f"Error: {db}: another prov scan is running on this index; wait for it to finish "
        "(its progress is kept) or use another --db\n"
    )
    assert os.path.exists(str(db) + ".lock")


def test_mirrored_pages_are_checked_once(tmp_path: Path) -> None:
    originals = tmp_path / "crawl" / "a"
    mirrors = tmp_path / "crawl" / "b"
    for folder in (originals, mirrors):
        folder.mkdir(parents=True)
    texts = [seed_text(p) for p in ("000", "002", "003")]
    texts += [p.read_text(encoding="utf-8") for p in sorted(CASES.glob("handwritten/*.txt"))]
    for i, text in enumerate(texts):
        (originals / f"p{i:02}.txt").write_text(text, encoding="utf-8")
        (mirrors / f"p{i:02}.txt").write_text(text, encoding="utf-8")

    def outcome(db: Path) -> tuple[object, ...]:
        return (
            rows(db, "SELECT status, count(*) FROM documents GROUP BY status"),
            rows(db, "SELECT hash, docs FROM passage_freq ORDER BY hash"),
        )

    first_originals = seeds_index(tmp_path / "ref" / "i.db")
    scan([originals], first_originals, workers=1)
    scan([originals, mirrors], first_originals, workers=1)
    interleaved = seeds_index(tmp_path / "one" / "i.db")
    pairs = [
        p for i in range(len(texts)) for p in (originals / f"p{i:02}.txt", mirrors / f"p{i:02}.txt")
    ]
    scan(pairs, interleaved, workers=1)
    assert outcome(first_originals)[0] == [("checked", len(texts)), ("seen", len(texts))]
    assert outcome(interleaved) == outcome(first_originals)
