"""prov scan: finds copies in a crawl, incrementally, resumably, with versions and stock phrases."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from provenance import pipeline
from provenance.crawl.scan import clusters, history, results, scan
from provenance.errors import StoreError
from provenance.index.store import Store
from tests.conftest import HANG_GUARD, ROOT, seed_path, seed_text

CASES = ROOT / "tests" / "assets" / "cases"
# A site's footer that no word list knows: only seeing it on page after page tells.
FOOTER = (
    "The Harbour Gazette is published by Coastline Media Group, an independent company "
    "owned by the people who write it since the spring of 1998."
)


def _index(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    db = tmp_path / "index.db"
    list(pipeline.add([seed_path("001"), seed_path("004")], db))
    return db


def _crawl(tmp_path: Path) -> Path:
    crawl = tmp_path / "crawl"
    (crawl / "site").mkdir(parents=True)
    for prefix in ("000", "002", "003"):
        (crawl / "site" / f"page-{prefix}.txt").write_text(seed_text(prefix), encoding="utf-8")
    unrelated = (CASES / "handwritten").glob("*.unrelated.txt")
    for i, p in enumerate(sorted(unrelated)):
        (crawl / f"other-{i}.txt").write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (crawl / "broken.txt").write_bytes(b"\x00\x01\x02\x03binary\x00")
    return crawl


def _by_page(db: Path) -> dict[str, tuple[str, str]]:
    return {
        Path(r["key"]).name: (Path(r["source"]).name[:3], r["verdict"])
        for r in results(db)
        if r["source"]
        == max((x for x in results(db) if x["key"] == r["key"]), key=lambda x: x["copy_coverage"])[
            "source"
        ]
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_scan_finds_the_copies(tmp_path: Path, workers: int) -> None:
    db = _index(tmp_path)
    stats = scan([_crawl(tmp_path)], db, workers=workers)
    assert stats.errors == 1
    assert stats.checked == stats.read - 1
    assert _by_page(db) == {
        "page-000.txt": ("001", "verbatim"),
        "page-002.txt": ("001", "verbatim"),
        "page-003.txt": ("004", "paraphrased"),
    }
    assert stats.verdicts["verbatim"] == 2
    assert stats.risky > 0
    with Store.open(db) as store:
        (error,) = store.db.execute("SELECT key, error FROM documents WHERE status = 'error'")
    assert error[0].endswith("broken.txt")
    assert "binary" in error[1]


def test_second_scan_skips_and_known_content_is_not_checked_again(tmp_path: Path) -> None:
    db = _index(tmp_path)
    crawl = _crawl(tmp_path)
    first = scan([crawl], db, workers=1)
    again = scan([crawl], db, workers=1)
    assert (again.skipped, again.checked, again.errors) == (first.read, 0, 0)
    (crawl / "mirror.txt").write_text(seed_text("000"), encoding="utf-8")
    third = scan([crawl], db, workers=1)
    assert (third.seen, third.checked) == (1, 0)
    assert third.verdicts == {"verbatim": 1}
    assert _by_page(db)["mirror.txt"] == ("001", "verbatim")


def test_recheck_after_new_sources(tmp_path: Path) -> None:
    db = tmp_path / "index.db"
    list(pipeline.add([seed_path("001")], db))
    crawl = _crawl(tmp_path)
    scan([crawl], db, workers=1)
    assert "page-003.txt" not in {k for k, v in _by_page(db).items() if v[0] == "004"}
    list(pipeline.add([seed_path("004")], db))
    plain = scan([crawl], db, workers=1)
    assert plain.rechecked == 0
    stats = scan([], db, workers=1, recheck=True)
    assert stats.rechecked >= 4
    assert _by_page(db)["page-003.txt"] == ("004", "paraphrased")


def test_a_changed_page_keeps_both_versions_and_what_changed(tmp_path: Path) -> None:
    db = _index(tmp_path)
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    page = crawl / "story.txt"
    text = seed_text("004")
    page.write_text(text, encoding="utf-8")
    scan([crawl], db, workers=1)
    edited = text.replace(
        "ensure that accused terrorists", "ensure that falsely accused terrorists"
    )
    assert edited != text
    page.write_text(edited, encoding="utf-8")
    stats = scan([crawl], db, workers=1)
    assert stats.changed == 1
    versions = history(db, str(page))
    assert len(versions) == 2
    change = versions[1]["change"]
    assert change["meaning_changed"] is True
    assert [(a["risk"], a["after"]) for a in change["alterations"]] == [("qualifier", "falsely")]
    assert versions[1]["matches"][0]["verdict"] == "near-verbatim"
    (group,) = [c for c in clusters(db) if Path(c["source"]).name.startswith("004")]
    (copy,) = group["copies"]
    assert (copy["url"], copy["versions"], copy["verdict"]) == (str(page), 2, "near-verbatim")


def test_versions_are_compared_by_a_worker_not_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # two long versions of one repetitive page: a costly comparison, which must not
    # happen in the writer (one writer for the whole scan); spawned workers do not
    # inherit the patch below, the writer would trip on it
    from provenance.crawl import scan as module

    def in_writer(*args: object, **kwargs: object) -> None:
        raise AssertionError("versions compared in the writer process")

    monkeypatch.setattr(module, "compare_segmented", in_writer)
    db = _index(tmp_path)
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    page = crawl / "hostile.txt"
    words = "alpha beta gamma delta echo foxtrot golf hotel".split()
    rng = random.Random(5)  # noqa: S311 - test data

    def version() -> str:
        lines = [" ".join(rng.choice(words) for _ in range(12)) + "." for _ in range(800)]
        return "\n".join(lines)

    page.write_text(version(), encoding="utf-8")
    scan([crawl], db, workers=2)
    page.write_text(version(), encoding="utf-8")
    stats = scan([crawl], db, workers=2)
    assert (stats.checked, stats.changed) == (1, 1)
    versions = history(db, str(page))
    assert len(versions) == 2 and versions[1]["change"] is not None


def test_jsonl_lines_without_url_are_pages_of_their_own(tmp_path: Path) -> None:
    """Lines without "url" are not versions of one page (named by the file): each is a
    page, named path:line; no version, no change is invented between them, and each
    copy counts in clusters."""
    db = _index(tmp_path)
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    path = crawl / "dump.jsonl"
    edited = seed_text("004").replace("accused terrorists", "falsely accused terrorists")
    texts = [seed_text("004"), edited, seed_text("000")]
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    stats = scan([crawl], db, workers=1)
    assert (stats.checked, stats.changed) == (3, 0)
    for n in (1, 2, 3):
        (version,) = history(db, f"{path}:{n}")
        assert version["change"] is None
    assert history(db, str(path)) == []
    by_source = {Path(c["source"]).name[:3]: c["copies"] for c in clusters(db)}
    assert {f"{path}:1", f"{path}:2"} <= {c["url"] for c in by_source["004"]}
    assert all(c["versions"] == 1 for c in by_source["004"])
    # the file rewritten with other texts on the same lines: new pages, not versions
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts[::-1]))
    stats = scan([crawl], db, workers=1)
    assert stats.changed == 0
    assert len(history(db, f"{path}:1")) == 2
    assert all(v["change"] is None for v in history(db, f"{path}:1"))


def test_stock_phrases_are_learned_and_propose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "index.db"
    source = tmp_path / "release.txt"
    source.write_text(seed_text("004") + "\n\n" + FOOTER + "\n", encoding="utf-8")
    list(pipeline.add([source], db))
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    bodies = sorted((CASES / "handwritten").glob("*.unrelated.txt"))
    bodies += sorted((CASES / "sources").glob("*.txt"))
    for i in range(25):
        body = bodies[i % len(bodies)].read_text(encoding="utf-8")
        (crawl / f"p{i:02}.txt").write_text(f"Page {i}\n\n{body}\n\n{FOOTER}\n", encoding="utf-8")
    scan([crawl], db, workers=1, stock_min=20)
    footer_hash = pipeline.passage_hashes(
        pipeline.prepare(FOOTER).norm.words, [(0, len(pipeline.prepare(FOOTER).norm.words))]
    )
    with Store.open(db) as store:
        assert store.stock_among(footer_hash, 20) == set(footer_hash)
    # a page made of other text plus the footer no longer proposes the release at all
    lone = tmp_path / "lone.txt"
    lone.write_text(bodies[0].read_text(encoding="utf-8") + "\n\n" + FOOTER, encoding="utf-8")
    (result,) = pipeline.check([lone], db)
    assert result.candidates == 0


def test_a_second_scan_on_the_same_index_is_refused(tmp_path: Path) -> None:
    db = _index(tmp_path)
    crawl = _crawl(tmp_path)
    with (
        Store.open(db) as store,
        store.exclusive("scan"),
        pytest.raises(StoreError, match="another prov scan is running on this index"),
    ):
        scan([crawl], db, workers=1)


def test_scan_needs_an_index(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such index"):
        scan([tmp_path], tmp_path / "missing.db", workers=1)


def _many_pages(tmp_path: Path, n: int) -> Path:
    crawl = tmp_path / "many"
    crawl.mkdir()
    texts = [seed_text(p) for p in ("000", "002", "003")]
    others = [
        p.read_text(encoding="utf-8")
        for p in sorted((CASES / "handwritten").glob("*.unrelated.txt"))
    ]
    for i in range(n):
        base = texts[i % 3] if i % 4 == 0 else others[i % len(others)]
        (crawl / f"page{i:04}.txt").write_text(
            f"Page {i} of the crawl.\n\n{base}", encoding="utf-8"
        )
    return crawl


def _snapshot(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT d.key, d.sha256, d.status, m.source_path, m.verdict, m.fidelity, "
        "m.source_coverage FROM documents d LEFT JOIN matches m ON m.sha256 = d.sha256 "
        "ORDER BY d.key, m.source_path"
    ).fetchall()
    conn.close()
    return rows


def _prov(*args: str | Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "provenance", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )


def _documents(db: Path) -> int:
    try:
        conn = sqlite3.connect(db, timeout=HANG_GUARD)
        n = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        conn.close()
        return int(n)
    except sqlite3.OperationalError:
        return 0


def test_kill_9_and_rerun_gives_the_same_results(tmp_path: Path) -> None:
    crawl = _many_pages(tmp_path, 160)
    clean = _index(tmp_path / "a")
    scan([crawl], clean, workers=2)
    killed = _index(tmp_path / "b")
    for round_ in range(3):
        proc = _prov("scan", "--db", killed, "--workers", "2", crawl)
        target = 20 + 40 * round_
        deadline = time.monotonic() + HANG_GUARD
        while _documents(killed) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    conn = sqlite3.connect(killed)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    rerun = _prov("scan", "--db", killed, crawl)
    assert rerun.wait(timeout=HANG_GUARD) == 0, rerun.stderr.read() if rerun.stderr else ""
    assert _snapshot(killed) == _snapshot(clean)


def test_check_answers_while_a_scan_writes(tmp_path: Path) -> None:
    crawl = _many_pages(tmp_path, 120)
    db = _index(tmp_path)
    proc = _prov("scan", "--db", db, "--workers", "1", crawl)
    answers = []
    try:
        while proc.poll() is None and len(answers) < 15:
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "provenance",
                    "check",
                    "--db",
                    str(db),
                    str(seed_path("003")),
                    "--json",
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=False,
            )
            assert out.returncode == 0, out.stderr
            answers.append(json.loads(out.stdout)["matches"][0])
    finally:
        assert proc.wait(timeout=HANG_GUARD) == 0
    assert answers
    assert {(Path(a["source"]).name[:3], a["verdict"]) for a in answers} == {("004", "paraphrased")}
