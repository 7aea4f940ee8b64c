"""Crash safety: ``kill -9`` at random moments during ``prov add`` and ``prov scan``.

After every kill the index is whole (``PRAGMA integrity_check``; no source without all
its passages and band keys; no checked page without its content and its matches), and
running the same command again finishes the work exactly once: the result equals an
uninterrupted run's. Each kill waits for an event, not a time: the work to reach a
progress drawn by a seeded generator (the same targets on every run), then a short
random delay; what the process was doing at that moment depends on the machine, but
the kills land while it works however fast the machine is.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing, suppress
from pathlib import Path

import pytest

from provenance import indexing
from provenance.params import DEFAULT_PARAMS
from tests.conftest import HANG_GUARD, ROOT, seed_path, seed_text

CASES = ROOT / "tests" / "assets" / "cases"
KILLS = 5
KILL_SEED = 5


def paragraphs() -> list[str]:
    """Every paragraph of the test corpus (seeds, case sources, handwritten articles)."""
    files = [seed_path("001"), seed_path("004"), *sorted(CASES.glob("*/*.txt"))]
    out: list[str] = []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if len(line.split()) >= 12:
                out.append(line.strip())
    return sorted(set(out))


def make_sources(root: Path, n: int, seed: int) -> Path:
    """``n`` distinct articles of 12-24 paragraphs each, in nested folders."""
    rng = random.Random(seed)  # noqa: S311
    pool = paragraphs()
    for i in range(n):
        folder = root / f"batch{i // 50}"
        folder.mkdir(parents=True, exist_ok=True)
        body = rng.sample(pool, rng.randint(12, 24))
        (folder / f"article{i:03}.txt").write_text(
            f"Article {i}\n\nThis is article number {i} of the crash corpus, written on day "
            f"{rng.randint(1, 28)}.\n\n" + "\n\n".join(body) + "\n",
            encoding="utf-8",
        )
    return root


def prov(*args: str | Path) -> subprocess.Popen[bytes]:
    """``python -m provenance ...`` in its own process group (its workers with it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "provenance", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        start_new_session=True,
    )


def end_group(proc: subprocess.Popen[bytes]) -> str:
    """End what is left of ``proc``'s process group (a killed scan's orphaned workers);
    ``proc``'s stderr."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    assert proc.stderr is not None
    return proc.stderr.read().decode()


def run_to_end(*args: str | Path) -> float:
    started = time.monotonic()
    proc = prov(*args)
    try:
        proc.wait(timeout=HANG_GUARD)
    finally:
        err = end_group(proc)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    return time.monotonic() - started


def has_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has the file ``path`` open."""
    with suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with suppress(OSError):
                if os.readlink(fd) == str(path):
                    return True
    return False


def kill_at(
    args: list[str | Path], db: Path, progress: Callable[[], float], target: float, delay: float
) -> bool:
    """Start ``prov args`` and ``kill -9`` its main process once it has ``db`` open and
    ``progress()`` has reached ``target``, ``delay`` seconds after that (its workers,
    orphaned as after a real kill, are ended then). False if it had ended first."""
    proc = prov(*args)
    deadline = time.monotonic() + HANG_GUARD
    while (
        proc.poll() is None
        and time.monotonic() < deadline
        and not (progress() >= target and has_open(proc.pid, db))
    ):
        time.sleep(0.01)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=delay)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    err = end_group(proc)
    killed = proc.returncode == -signal.SIGKILL
    if not killed:
        assert proc.returncode == 0, err
    assert "Traceback" not in err
    return killed


def kill_repeatedly(
    args: list[str | Path],
    db: Path,
    progress: Callable[[], float],
    whole: Callable[[], None],
    reach: float,
) -> list[tuple[float, float]]:
    """Kill ``prov args`` (seeded targets: progress up to ``reach``, what the work shows
    before its last step, and a delay of up to 0.1 s once the process has ``db`` open)
    until :data:`KILLS` kills landed
    while there was work left, checking ``whole()`` after each; ``(progress, target)``
    of the landed kills."""
    rng = random.Random(KILL_SEED)  # noqa: S311
    landed: list[tuple[float, float]] = []
    for _ in range(3 * KILLS):
        done = progress()
        if len(landed) == KILLS or done >= 1:
            break
        target = done + rng.uniform(0.0, max(0.0, reach - done))
        if kill_at(args, db, progress, target, rng.uniform(0.0, 0.1)):
            landed.append((round(done, 2), round(target, 2)))
        whole()
    print(f"\nkilled at (progress, target): {landed}")
    return landed


def rows(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db, timeout=HANG_GUARD)) as conn:
        return conn.execute(sql, args).fetchall()


def integrity(db: Path) -> str:
    if not db.exists():
        return "ok"
    return str(rows(db, "PRAGMA integrity_check")[0][0])


# -- prov add ---------------------------------------------------------------------------


def add_is_whole(db: Path) -> None:
    """No source is half written: each has its blocks, all its passages, 32 keys each."""
    assert integrity(db) == "ok"
    tables = {r[0] for r in rows(db, "SELECT name FROM sqlite_master WHERE type='table'")}
    if "sources" not in tables:
        return
    bands = DEFAULT_PARAMS.bands
    assert bands == 32
    bad_passages = rows(
        db,
        "SELECT s.path, s.passages, (SELECT count(*) FROM passages p WHERE p.source_id = s.id) "
        "FROM sources s WHERE s.passages != (SELECT count(*) FROM passages p "
        "WHERE p.source_id = s.id)",
    )
    assert bad_passages == []
    found = rows(db, "SELECT passage_id, count(*) FROM band_keys GROUP BY passage_id")
    keys: dict[object, object] = dict(found)  # type: ignore[arg-type]
    # A source's keys are all written or, while it is pending, none (the next add writes them).
    passages = rows(
        db, "SELECT p.id, s.keys_pending FROM passages p JOIN sources s ON s.id = p.source_id"
    )
    bad_keys = [(pid, keys.get(pid, 0), pending) for pid, pending in passages]
    assert [(pid, n) for pid, n, pending in bad_keys if n != (0 if pending else bands)] == []
    assert rows(db, "SELECT count(*) FROM sources s WHERE NOT EXISTS "
                "(SELECT 1 FROM blocks b WHERE b.source_id = s.id)") == [(0,)]  # fmt: skip
    orphans = rows(
        db,
        "SELECT (SELECT count(*) FROM passages WHERE source_id NOT IN (SELECT id FROM sources)),"
        " (SELECT count(*) FROM band_keys WHERE passage_id NOT IN (SELECT id FROM passages)),"
        " (SELECT count(*) FROM blocks WHERE source_id NOT IN (SELECT id FROM sources))",
    )
    assert orphans == [(0, 0, 0)]


def add_snapshot(db: Path) -> tuple[object, ...]:
    return (
        rows(db, "SELECT path, sha256, lang, words, passages FROM sources ORDER BY path"),
        rows(db, "SELECT count(*) FROM passages"),
        rows(db, "SELECT count(*) FROM band_keys"),
        rows(db, "SELECT count(*) FROM blocks"),
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """300 articles, and an uninterrupted ``prov add`` of them."""
    root = make_sources(tmp_path_factory.mktemp("corpus") / "articles", 300, seed=300)
    clean = tmp_path_factory.mktemp("clean") / "clean.db"
    seconds = run_to_end("add", "--db", clean, root)
    print(f"\nclean add: {seconds:.1f} s")
    add_is_whole(clean)
    assert len(rows(clean, "SELECT id FROM sources")) == 300
    return root, clean


def test_kill_9_during_add(tmp_path: Path, corpus: tuple[Path, Path]) -> None:
    root, clean = corpus
    db = tmp_path / "killed.db"

    def progress() -> float:  # half for a source written, half for its LSH keys
        # 0 until the schema is whole: the migrations create ``sources`` before they add
        # ``keys_pending`` (a probe between the two must not read a missing column)
        has_keys = "SELECT 1 FROM pragma_table_info('sources') WHERE name = 'keys_pending'"
        if not db.exists() or not rows(db, has_keys):
            return 0.0
        ((written, pending),) = rows(db, "SELECT count(*), total(keys_pending) FROM sources")
        return (2 * int(written) - int(pending)) / 600

    # (progress reaches 0.5 as sources are written, then 1 at once: the keys' write)
    args: list[str | Path] = ["add", "--db", db, root]
    landed = kill_repeatedly(args, db, progress, lambda: add_is_whole(db), 0.5)
    assert len(landed) >= 3  # most moments fell while it worked
    run_to_end("add", "--db", db, root)
    add_is_whole(db)
    assert add_snapshot(db) == add_snapshot(clean)


# -- prov scan --------------------------------------------------------------------------


def make_crawl(root: Path, seed: int) -> Path:
    """Text pages (copies and others), a .warc.gz and a .jsonl of pages, and bad files;
    every page's content is distinct."""
    rng = random.Random(seed)  # noqa: S311
    copies = [seed_text(p) for p in ("000", "002", "003")]
    others = [p.read_text(encoding="utf-8") for p in sorted(CASES.glob("handwritten/*.txt"))]
    pool = paragraphs()

    def page(i: int) -> str:
        if i % 3 == 0:
            return f"Page {i} of the crawl.\n\n{copies[i % 3 if i % 2 else (i // 3) % 3]}"
        if i % 3 == 1:
            return f"Page {i} of the crawl.\n\n{others[i % len(others)]}"
        return f"Page {i}.\n\n" + "\n\n".join(rng.sample(pool, 5))

    (root / "site").mkdir(parents=True)
    for i in range(90):
        (root / "site" / f"p{i:03}.txt").write_text(page(i), encoding="utf-8")
    records = []
    for i in range(90, 120):
        body = "".join(f"<p>{html.escape(line)}</p>" for line in page(i).splitlines() if line)
        payload = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            + f"<html><body><article>{body}</article></body></html>".encode()
        )
        head = (
            f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.com/{i}\r\n"
            f"WARC-Date: 2024-05-01T12:00:00Z\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        records.append(gzip.compress(head.encode() + payload + b"\r\n\r\n", mtime=0))
    (root / "crawl.warc.gz").write_bytes(b"".join(records))
    lines = [
        json.dumps({"url": f"https://example.org/{i}", "date": "2024-05-02", "text": page(i)})
        for i in range(120, 150)
    ]
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "site" / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (root / "site" / "empty.txt").write_bytes(b"")
    return root


def scan_is_whole(db: Path) -> None:
    """No page is half written: a recorded page has its content, a match all its
    alterations; nothing points at what is not there."""
    assert integrity(db) == "ok"
    assert rows(db, "SELECT count(*) FROM documents d WHERE d.status != 'error' AND NOT EXISTS "
                "(SELECT 1 FROM contents c WHERE c.sha256 = d.sha256)") == [(0,)]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM matches m WHERE NOT EXISTS "
                "(SELECT 1 FROM contents c WHERE c.sha256 = m.sha256)") == [(0,)]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM matches m WHERE m.alterations != "
                "(SELECT count(*) FROM alterations a WHERE a.match_id = m.id)") == [(0,)]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM alterations WHERE match_id NOT IN "
                "(SELECT id FROM matches)") == [(0,)]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM contents c WHERE NOT EXISTS "
                "(SELECT 1 FROM documents d WHERE d.sha256 = c.sha256)") == [(0,)]  # fmt: skip


def scan_snapshot(db: Path) -> tuple[object, ...]:
    return (
        rows(db, "SELECT key, url, fetched_at, sha256, kind, status, error FROM documents "
             "ORDER BY key"),
        rows(db, "SELECT sha256, lang, words FROM contents ORDER BY sha256"),
        rows(db, "SELECT sha256, source_path, verdict, meaning_changed, fidelity, "
             "source_coverage, copy_coverage, alterations, risky FROM matches "
             "ORDER BY sha256, source_path"),
        rows(db, "SELECT m.sha256, m.source_path, a.idx, a.kind, a.risk, a.source, a.copy, "
             "a.source_start, a.copy_start FROM alterations a JOIN matches m ON m.id = a.match_id "
             "ORDER BY m.sha256, m.source_path, a.idx"),
        rows(db, "SELECT hash, docs FROM passage_freq ORDER BY hash"),
        rows(db, "SELECT count(*) FROM changes"),
    )  # fmt: skip


def seeds_index(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert [r.status for r in indexing.add([seed_path("001"), seed_path("004")], path)] == [
        "added",
        "added",
    ]
    return path


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The crawl, and an uninterrupted scan of it."""
    root = make_crawl(tmp_path_factory.mktemp("crawl") / "crawl", seed=150)
    clean = seeds_index(tmp_path_factory.mktemp("scan-clean") / "clean.db")
    seconds = run_to_end("scan", "--db", clean, "--workers", "2", root)
    print(f"\nclean scan: {seconds:.1f} s")
    scan_is_whole(clean)
    assert rows(clean, "SELECT status, count(*) FROM documents GROUP BY status") == [
        ("checked", 150),
        ("error", 2),
    ]
    return root, clean


def test_kill_9_during_scan(tmp_path: Path, crawl: tuple[Path, Path]) -> None:
    root, clean = crawl
    db = seeds_index(tmp_path / "killed.db")

    def progress() -> float:
        (done,) = rows(db, "SELECT count(*) FROM documents")[0]
        return float(done) / 152  # type: ignore[arg-type]

    args: list[str | Path] = ["scan", "--db", db, "--workers", "2", root]
    # (the last pages in flight, up to 4 per worker, are written at once at the end: a
    # target past 0.8 might be reached only then, as the scan ends)
    landed = kill_repeatedly(args, db, progress, lambda: scan_is_whole(db), 0.8)
    assert len(landed) >= 3  # most moments fell while it worked
    run_to_end("scan", "--db", db, "--workers", "2", root)
    scan_is_whole(db)
    assert scan_snapshot(db) == scan_snapshot(clean)


def group_members(pgid: int) -> list[int]:
    """Live processes of a process group (zombies not counted)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def test_workers_end_when_a_scan_is_killed(tmp_path: Path, crawl: tuple[Path, Path]) -> None:
    root, *_ = crawl
    db = seeds_index(tmp_path / "killed.db")
    proc = prov("scan", "--db", db, "--workers", "2", root)
    try:
        deadline = time.monotonic() + HANG_GUARD
        while time.monotonic() < deadline and proc.poll() is None:
            if len(group_members(proc.pid)) >= 3:  # the scan and its two workers
                break
            time.sleep(0.05)
        assert proc.poll() is None
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        # the workers notice their parent is gone (they poll for it) and end: wait for
        # that event; the deadline is only a guard against workers that never end
        deadline = time.monotonic() + HANG_GUARD
        while group_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert group_members(proc.pid) == []
    finally:
        end_group(proc)
