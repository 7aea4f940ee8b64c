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

from provenance import indexing, pipeline
from provenance.crawl.scan import clusters, history, results, scan
from provenance.errors import StoreError
from provenance.index.store import Store
from provenance.match.fingerprint import passage_hashes
from provenance.params import Params
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
    list(indexing.add([seed_path("001"), seed_path("004")], db))
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
    list(indexing.add([seed_path("001")], db))
    crawl = _crawl(tmp_path)
    scan([crawl], db, workers=1)
    assert "page-003.txt" not in {k for k, v in _by_page(db).items() if v[0] == "004"}
    list(indexing.add([seed_path("004")], db))
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
    from provenance.crawl import work as module

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
    list(indexing.add([source], db))
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    bodies = sorted((CASES / "handwritten").glob("*.unrelated.txt"))
    bodies += sorted((CASES / "sources").glob("*.txt"))
    for i in range(25):
        body = bodies[i % len(bodies)].read_text(encoding="utf-8")
        (crawl / f"p{i:02}.txt").write_text(f"Page {i}\n\n{body}\n\n{FOOTER}\n", encoding="utf-8")
    scan([crawl], db, workers=1, stock_min=20)
    footer_hash = passage_hashes(
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


@pytest.mark.parametrize("workers", [1, 2])
def test_results_are_written_in_batches_not_a_commit_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """A commit costs the writer more than a page's rows: pages are written
    ``WRITE_QUEUE`` at a time (the time bound of a transaction lifted here, so that a
    slow machine commits no more often)."""
    from provenance.crawl import scan as module

    crawl = _many_pages(tmp_path, 100)
    db = _index(tmp_path)
    commits = 0
    commit = Store.commit

    def counted(self: Store) -> None:
        nonlocal commits
        commits += 1
        commit(self)

    monkeypatch.setattr(module, "WRITE_BATCH_SECONDS", 3600.0)
    monkeypatch.setattr(Store, "commit", counted)
    stats = scan([crawl], db, workers=workers)
    assert stats.read == 100
    assert commits <= 100 // module.WRITE_QUEUE + 3  # (one a page before: 100)


def test_workers_are_sent_pages_a_few_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each task costs messages and futures in both processes: a worker gets
    ``PAGES_PER_TASK`` pages at once (fewer when the scan must wait for them)."""
    from concurrent.futures import ProcessPoolExecutor

    from provenance.crawl import scan as module
    from provenance.crawl import work

    crawl = _many_pages(tmp_path, 100)
    db = _index(tmp_path)
    tasks = 0
    submit = ProcessPoolExecutor.submit

    def counted(self: ProcessPoolExecutor, fn: object, /, *args: object) -> object:
        nonlocal tasks
        tasks += fn is work._check_in_worker
        return submit(self, fn, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ProcessPoolExecutor, "submit", counted)
    stats = scan([crawl], db, workers=2)
    assert stats.checked > 90
    # one task a page before; a batch written may send the last pages early
    assert tasks <= 100 // work.PAGES_PER_TASK + 100 // module.WRITE_QUEUE + 2


def test_pages_are_written_in_the_order_read(tmp_path: Path) -> None:
    """A page whose content was checked before, and an unreadable one, are written in
    their turn, not before the pages read ahead of them that are still being checked."""
    db = _index(tmp_path)
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "a.txt").write_text(seed_text("000"), encoding="utf-8")
    scan([crawl], db, workers=1)
    (crawl / "b.txt").write_text(seed_text("002"), encoding="utf-8")
    (crawl / "c.txt").write_text(seed_text("000"), encoding="utf-8")  # checked as a.txt
    (crawl / "d.txt").write_bytes(b"\x00\x01\x02\x03binary\x00")
    (crawl / "e.txt").write_text(seed_text("003"), encoding="utf-8")
    stats = scan([crawl], db, workers=1)
    assert (stats.checked, stats.seen, stats.errors, stats.skipped) == (2, 1, 1, 1)
    conn = sqlite3.connect(db)
    keys = [k for (k,) in conn.execute("SELECT key FROM documents ORDER BY id")]
    conn.close()
    assert [Path(k).name for k in keys] == ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]


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


# -- dates, evidence and read warnings in the results (schema m007) ------------------------

ARTICLE = """\
The harbour board voted on Tuesday to close the old ferry terminal at the end of the summer
season, ending ninety years of crossings to the island. Board chair Mirela Vos said the pier
had become unsafe after two winters of storms and that repairs would cost more than a new
landing on the north shore.

Residents of the island packed the meeting hall and asked the board to keep a reduced service
until the new landing opens. Several fishermen said the closure would double the time it takes
to bring their catch to the mainland market each morning.

The board agreed to study a temporary floating dock and will present the costs at its meeting
in September, when the final timetable for the last crossings will also be announced.
"""


def warc_text_record(uri: str, text: str, when: str, offset_id: int) -> bytes:
    """One WARC response record of a plain-text page, fetched at ``when``."""
    payload = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text.encode()
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\n"
        f"WARC-Date: {when}\r\nWARC-Record-ID: <urn:uuid:{offset_id:08d}-0000-0000-0000-0>\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload + b"\r\n\r\n"


def _dated_crawl(tmp_path: Path) -> tuple[Path, Path]:
    """An index of a source published 4 June 2021, and a crawl (each page with "more
    than" -> "less than"): a file whose text is dated before the source, one dated after
    it, and WARC records (no date in their text) fetched before and after it, the later
    one with a stray NUL byte. Returns the index and the crawl."""
    src = tmp_path / "board.txt"
    src.write_text("Published: 4 June 2021\n\n" + ARTICLE, encoding="utf-8")
    db = tmp_path / "index.db"
    list(indexing.add([src], db))
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    altered = ARTICLE.replace("more than", "less than")
    (crawl / "early.txt").write_text("Published: 1 March 2021\n\n" + altered, encoding="utf-8")
    (crawl / "late.txt").write_text("Published: 9 July 2021\n\n" + altered, encoding="utf-8")
    (crawl / "pages.warc").write_bytes(
        warc_text_record("https://a.example/early", altered, "2021-05-01T10:00:00Z", 1)
        + warc_text_record(
            "https://a.example/late",
            altered.replace("unsafe", "unsafe\x00"),
            "2021-08-01T10:00:00Z",
            2,
        )
    )
    return db, crawl


def _dated_scan(tmp_path: Path) -> list[dict[str, object]]:
    db, crawl = _dated_crawl(tmp_path)
    scan([crawl], db, workers=1)
    return results(db)


def test_results_say_which_text_is_older(tmp_path: Path) -> None:
    by_url = {str(r["url"]).rsplit("/", 1)[-1]: r for r in _dated_scan(tmp_path)}
    got = {
        url: (r["direction"], r["source_date"], r["page_date"], r["page_date_from"])
        for url, r in by_url.items()
    }
    assert got == {
        # the page's text dates it: compared both ways
        "early.txt": ("copy", "2021-06-04", "2021-03-01", "published line"),
        "late.txt": ("source", "2021-06-04", "2021-07-09", "published line"),
        # a fetch date only bounds the page: fetched before the source's date, it is
        # older; fetched after it, nothing is known (it may have been published earlier)
        "early": ("copy", "2021-06-04", "2021-05-01", "WARC-Date"),
        "late": (None, "2021-06-04", "2021-08-01", "WARC-Date"),
    }
    assert all(r["source_date_from"] == "published line" for r in by_url.values())


def test_results_keep_extent_wording_passages_and_read_warnings(tmp_path: Path) -> None:
    rows = _dated_scan(tmp_path)
    for r in rows:
        assert (r["extent"], r["wording"]) == ("whole", "near-verbatim")
        assert isinstance(r["copied_words"], int) and r["copied_words"] > 100
        assert "almost word for word" in str(r["reason"])
        passages = r["passages"]
        assert isinstance(passages, list) and passages
        first = passages[0]
        assert set(first) >= {"source_span", "copy_span", "similarity", "found", "moved"}
        assert first["found"] and 0.9 < first["similarity"] <= 1
    warned = {str(r["url"]).rsplit("/", 1)[-1]: r["warnings"] for r in rows}
    assert warned["late"] == [
        f"{tmp_path / 'crawl' / 'pages.warc'}#{_second_record(tmp_path)}: "
        "1 stray control character (NUL) ignored"
    ]
    assert warned["early"] == warned["early.txt"] == warned["late.txt"] == []


def _second_record(tmp_path: Path) -> int:
    data = (tmp_path / "crawl" / "pages.warc").read_bytes()
    return data.index(b"WARC/1.0", 1)


def test_a_page_older_than_its_source_counts_no_meaning_change(tmp_path: Path) -> None:
    """Differences of a page dated before its source are not alterations of a copy:
    of the four pages, each with "more than" -> "less than", the two older ones count
    none."""
    db, crawl = _dated_crawl(tmp_path)
    stats = scan([crawl], db, workers=1)
    assert stats.checked == 4
    assert stats.risky == 2  # late.txt and the late WARC record


@pytest.mark.parametrize(
    ("source", "copy", "kind", "fetched", "want"),
    [
        ("2021-06-04", "2021-03-01", "text", "2030-01-01T00:00:00Z", "copy"),
        ("2021-06-04", "2021-07-09", "warc", "2020-01-01T00:00:00Z", "source"),
        ("2021-06-04", "2021-06-04", "text", "", "same"),
        ("2021-06-04", None, "warc", "2021-05-01T10:00:00Z", "copy"),
        ("2021-06-04", None, "jsonl", "2021-06-04T10:00:00Z", None),
        ("2021-06-04", None, "warc", "2021-08-01T10:00:00Z", None),
        ("2021-06-04", None, "text", "2020-01-01T00:00:00Z", None),  # a file's mtime: no
        ("2021-06-04", None, "warc", "not a date", None),
        (None, "2021-03-01", "warc", "2020-01-01T00:00:00Z", None),
        (None, None, "warc", "2020-01-01T00:00:00Z", None),
    ],
)
def test_the_results_view_applies_the_direction_rule(
    tmp_path: Path, source: str | None, copy: str | None, kind: str, fetched: str, want: str | None
) -> None:
    """The SQL of the ``results`` view and the Python rule (``bounded``, used by the
    scan's counts and the Spark job) agree."""
    from provenance.crawl.scanstore import dates_of, record_date
    from provenance.ingest.files import Page
    from provenance.text.dates import bounded

    with Store.open(tmp_path / "v.db", create=True) as store:
        store.db.execute(
            "INSERT INTO documents (key, url, fetched_at, sha256, kind, scanned_at, status) "
            "VALUES ('k', 'u', ?, 'h', ?, 'now', 'checked')",
            [fetched, kind],
        )
        store.db.execute(
            "INSERT INTO matches (sha256, source_id, source_path, verdict, meaning_changed, "
            "source_date, copy_date) VALUES ('h', 1, 's', 'verbatim', 0, ?, ?)",
            [source, copy],
        )
        (view,) = store.db.execute("SELECT direction FROM results").fetchone()
    d = dates_of(source, "", copy, "")
    page = Page("k", "u", fetched, "", "", "h", kind)
    python = None if d is None else bounded(d, record_date(page))
    assert view == python == want


# -- an index scanned by an older prov (before schema m007) --------------------------------


def _old_index(db: Path) -> None:
    """An index as prov wrote it before schema m007: migrations m001-m004, a source, a
    scanned page with its match and alteration, written with that schema's SQL."""
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    from provenance.index import schema

    old = Migrations("prov")
    for fn in (schema.m001_initial, schema.m002_scan, schema.m003_keys_pending,
               schema.m004_keys_and_aliases):  # fmt: skip
        old()(fn)
    conn = sqlite3.connect(db)
    old.apply(Database(conn))
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('params', ?)",
        [json.dumps(Params().as_dict())],
    )
    conn.execute(
        "INSERT INTO sources (id, path, key, sha256, text, encoding, lang, words, passages, "
        "added_at, keys_pending) VALUES (1, 'board.txt', '/x/board.txt', 'abc', ?, 'utf-8', "
        "'en', 150, 0, '2025-01-01T00:00:00Z', 0)",
        ["Published: 4 June 2021\n\n" + ARTICLE],
    )
    conn.execute(
        "INSERT INTO contents (sha256, text, boilerplate, lang, words, checked_version, "
        "checked_at) VALUES ('p1', ?, NULL, 'en', 150, 1, '2025-02-01T00:00:00Z')",
        [__import__("zlib").compress(ARTICLE.encode())],
    )
    conn.execute(
        "INSERT INTO documents (key, url, fetched_at, sha256, kind, scanned_at, status) "
        "VALUES ('crawl.warc#0', 'https://a.example/old', '2021-05-01T10:00:00Z', 'p1', "
        "'warc', '2025-02-01T00:00:00Z', 'checked')"
    )
    conn.execute(
        "INSERT INTO matches (sha256, source_id, source_path, verdict, meaning_changed, "
        "fidelity, source_coverage, copy_coverage, alterations, risky, index_version, "
        "checked_at) VALUES ('p1', 1, 'board.txt', 'verbatim', 0, 1.0, 1.0, 1.0, 0, 0, 1, "
        "'2025-02-01T00:00:00Z')"
    )
    conn.commit()
    conn.close()


def test_an_index_scanned_before_m007_opens_and_keeps_its_results(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _old_index(db)
    (row,) = results(db)  # opening migrates
    assert (row["url"], row["verdict"], row["fidelity"]) == (
        "https://a.example/old",
        "verbatim",
        1.0,
    )
    # nothing was known of the new columns: empty, not guessed
    assert [row[k] for k in ("extent", "wording", "copied_words", "reason")] == [None] * 4
    assert (row["passages"], row["warnings"], row["source_date"], row["direction"]) == (
        [],
        [],
        None,
        None,
    )
    assert row["page_date"] == "2021-05-01"  # the record's own date was kept then too
    with Store.open(db) as store:
        assert store.schema()[-1] == "m007_dates_and_evidence"
        assert store.texts([1])[0].date is None
    # and the index goes on: a new scan writes the new columns beside the old rows
    page = tmp_path / "crawl" / "copy.txt"
    page.parent.mkdir()
    page.write_text("Published: 1 March 2021\n\n" + ARTICLE, encoding="utf-8")
    (board := tmp_path / "board.txt").write_text(
        "Published: 4 June 2021\n\n" + ARTICLE, encoding="utf-8"
    )
    list(indexing.add([board], db))
    scan([page.parent], db, workers=1)
    new = [r for r in results(db) if r["kind"] == "text"]
    assert new and all(r["extent"] == "whole" and r["direction"] == "copy" for r in new)
