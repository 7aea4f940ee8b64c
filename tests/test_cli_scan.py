"""The crawl job's commands from the command line: scan, results, history, clusters."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import app
from tests.conftest import seed_path, seed_text

runner = CliRunner()


def invoke(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args], env=env)
    return result.exit_code, result.stdout, result.stderr


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "i.db"
    assert invoke("add", "--db", db, seed_path("001"), seed_path("004"))[0] == 0
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "a.txt").write_text(seed_text("003"), encoding="utf-8")
    (crawl / "b.html").write_text(
        "<html><head><title>x</title></head><body><nav><a href='/'>Home</a> | <a href='/n'>News</a></nav>"
        + "".join(f"<p>{p}</p>" for p in seed_text("001").split("\n")[:9])
        + "<footer>© 2026 Example</footer></body></html>",
        encoding="utf-8",
    )
    (crawl / "c.bin.txt").write_bytes(b"\x00\x01\x02\x03")
    return db, crawl


def test_scan_then_results_history_clusters(tmp_path: Path) -> None:
    db, crawl = _setup(tmp_path)
    code, out, err = invoke("scan", "--db", db, "--workers", "1", crawl)
    assert code == 0, err
    assert "3 pages read" in " ".join(out.split())
    assert "could not be read" in out
    code, out, _ = invoke("results", "--db", db, "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    best = {
        Path(r["key"]).name: r["verdict"]
        for r in rows
        if r["source"].endswith(("001_5d78def7b98681ae.txt", "004_2dfa19232605a5b0.txt"))
    }
    assert best["a.txt"] in ("paraphrased", "partial")
    assert {
        r["verdict"] for r in rows if Path(r["key"]).name == "b.html" and "001_" in r["source"]
    } == {"verbatim"}
    code, out, _ = invoke("results", "--db", db, "--verdict", "verbatim", "-f", "jsonl")
    assert [json.loads(line)["verdict"] for line in out.splitlines()] == ["verbatim"]
    code, out, _ = invoke("results", "--db", db, "--since", "2999-01-01", "-f", "json")
    assert json.loads(out) == []
    code, out, _ = invoke("history", "--db", db, crawl / "a.txt", "--json")
    assert code == 0
    assert len(json.loads(out)["versions"]) == 1
    code, out, _ = invoke("history", "--db", db, "https://nowhere.example/")
    assert code == 1
    code, out, _ = invoke("clusters", "--db", db, "-f", "json")
    sources = {Path(c["source"]).name[:3] for c in json.loads(out)}
    assert {"001", "004"} <= sources
    code, out, _ = invoke("clusters", "--db", db)
    assert code == 0 and "cop" in out


def test_scan_usage_and_missing_index(tmp_path: Path) -> None:
    code, _, err = invoke("scan", "--db", tmp_path / "i.db")
    assert (code, err) == (
        2,
        "Error: give folders or files to scan, or --recheck (see `prov scan --help`)\n",
    )
    code, _, err = invoke("scan", "--db", tmp_path / "none.db", tmp_path)
    assert code == 4
    assert err.startswith(f"Error: {tmp_path / 'none.db'}: no such index")


def test_scan_of_a_missing_input_is_an_error(tmp_path: Path) -> None:
    """A typo in a cron line is exit 3, not a good run."""
    db, crawl = _setup(tmp_path)
    missing = tmp_path / "no-such-crawl"
    code, out, err = invoke("scan", "--db", db, "--workers", "1", missing)
    assert (code, out, err) == (3, "", f"Error: {missing}: no such file or folder\n")
    code, out, err = invoke("scan", "--db", db, "--workers", "1", missing, crawl / "a.txt")
    assert code == 3
    assert err == (
        f"Error: {missing}: no such file or folder (not scanned; the other inputs were)\n"
    )
    assert "1 page read" in " ".join(out.split())
    code, out, _ = invoke("errors", "--db", db, "-f", "json")
    assert json.loads(out) == []  # a missing input is not a page


def test_scan_of_an_input_with_no_readable_page_is_an_error(tmp_path: Path) -> None:
    db, crawl = _setup(tmp_path)
    empty, other, bad = tmp_path / "empty", tmp_path / "other", tmp_path / "bad"
    for folder in (empty, other, bad):
        folder.mkdir()
    (other / "report.pdf").write_bytes(b"%PDF-1.4")
    (bad / "a.txt").write_bytes(b"\x00\x01\x02\x03")
    (bad / "b.jsonl").write_text("{oops\n", encoding="utf-8")
    code, out, err = invoke("scan", "--db", db, "--workers", "1", crawl, empty, other, bad)
    assert code == 3
    kinds = ".txt, .text, .md, .html, .htm, .warc, .warc.gz, .jsonl"
    assert err.splitlines() == [
        f"Error: {empty}: nothing to scan (no {kinds} files in it)",
        f"Error: {other}: nothing to scan (no {kinds} files in it)",
        f"Error: {bad}: none of its 2 pages could be read (`prov errors` lists why)",
    ]
    code, out, err = invoke("scan", "--db", db, "--workers", "1", crawl)
    assert (code, err) == (0, "")  # the same crawl alone: a good run (one bad page of 3)
    # a file named twice (alone and in its folder) is read once: no input is "empty"
    code, out, err = invoke("scan", "--db", db, "--workers", "1", crawl, crawl / "a.txt", crawl)
    assert (code, err) == (0, "")
    code, out, err = invoke("errors", "--db", db, "-f", "json")
    assert (code, err) == (0, "")
    reasons = {Path(r["key"]).name: r["reason"] for r in json.loads(out)}
    assert reasons == {
        "c.bin.txt": "binary data, not text",
        "a.txt": "binary data, not text",
        "b.jsonl:1": reasons["b.jsonl:1"],
    }
    assert reasons["b.jsonl:1"].startswith("not valid JSON")
    code, out, _ = invoke("errors", "--db", db, "-f", "csv")
    assert out.splitlines()[0] == "key,url,kind,fetched_at,scanned_at,reason"
    assert len(out.splitlines()) == 4
    code, out, _ = invoke("errors", "--db", db)
    assert code == 0 and "3 pages could not be read" in out
    (bad / "a.txt").write_text(seed_text("000"), encoding="utf-8")  # fixed: read next time
    assert invoke("scan", "--db", db, "--workers", "1", bad / "a.txt")[0] == 0
    code, out, _ = invoke("errors", "--db", db, "-f", "jsonl")
    assert sorted(Path(json.loads(line)["key"]).name for line in out.splitlines()) == [
        "b.jsonl:1",
        "c.bin.txt",
    ]


WIDE = {"COLUMNS": "400"}


def test_scan_reports_show_names_and_urls_as_written(tmp_path: Path) -> None:
    """Markup and control characters in file names, URLs and page text: results,
    clusters, history and errors print them as data (and CSV cells are no formulas)."""
    db, _ = _setup(tmp_path)
    crawl = tmp_path / "hostile"
    (crawl / "x[").mkdir(parents=True)
    name = crawl / "x[" / "bold]\x1b[2Jpage.txt"  # the path holds "[/bold]" and ESC [2J
    name.write_text(seed_text("000"), encoding="utf-8")
    (crawl / "bad[red]\x07.txt").write_bytes(b"\x00\x01\x02")
    url = '=HYPERLINK("http://e.example/[/]\x1b]8;;x\x07")'
    line = {"url": url, "text": seed_text("000").replace("Di Maio", "\x1b[31mDa Maio", 1)}
    (crawl / "c.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    code, out, err = invoke("scan", "--db", db, "--workers", "1", crawl)
    assert code == 0, err
    shown_name = str(name).replace("\x1b", "\\x1b")
    shown_url = url.replace("\x1b", "\\x1b").replace("\x07", "\\x07")
    for args in (["results"], ["clusters"], ["errors"], ["history", url], ["results", "-f", "csv"]):
        code, out, err = invoke(*args, "--db", db, env=WIDE)
        assert code == 0, (args, err)
        assert "\x1b" not in out and "\x07" not in out, args
        if args[0] in ("results", "clusters") and "csv" not in args:
            assert shown_name in out and shown_url in out, (args, out)
    code, out, _ = invoke("results", "--db", db, "-f", "csv")
    urls = {r["url"] for r in csv.DictReader(io.StringIO(out))}
    assert "'" + shown_url in urls
    code, out, _ = invoke("errors", "--db", db, env=WIDE)
    assert "bad[red]\\x07.txt" in out
    code, out, _ = invoke("history", "--db", db, url, env=WIDE)
    assert code == 0 and f"{shown_url}: 1 version" in out


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--verdict",
            "spun",
            "'spun' is not one of verbatim, near-verbatim, paraphrased, partial",
        ),
        (
            "--since",
            "last week",
            "'last week' is not a date or time (2026-11-23, 2026-11-23T08:00), today, "
            "yesterday, or an age (12h, 7d)",
        ),
    ],
)
def test_results_bad_filters_are_usage_errors(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    code, out, err = invoke("results", "--db", tmp_path / "i.db", option, value)
    assert (code, out) == (2, "")
    assert err == f"Error: Invalid value for '{option}': {message} (see `prov results --help`)\n"


def test_results_say_why_there_are_none(tmp_path: Path) -> None:
    db, crawl = _setup(tmp_path)
    code, out, _ = invoke("results", "--db", db)
    assert (code, out) == (0, "no results: no page scanned yet (scan some with `prov scan`)\n")
    invoke("scan", "--db", db, "--workers", "1", crawl)
    code, out, _ = invoke("results", "--db", db, "--verdict", "near-verbatim")
    assert code == 0
    assert out.startswith("no results match (the scans recorded ")
    assert out.endswith(" in 3 pages)\n")
    code, out, _ = invoke("results", "--db", db, "--since", "yesterday", "-f", "json")
    assert code == 0 and json.loads(out)  # scanned today: after yesterday's midnight
    code, out, _ = invoke("results", "--db", db, "--since", "1d")
    assert code == 0 and "match" in out
    # pages scanned, no copy among them
    other = tmp_path / "other"
    other.mkdir()
    (other / "bread.txt").write_text("Bread needs flour, water, salt and yeast, and a hot oven.")
    db2 = tmp_path / "j.db"
    invoke("add", "--db", db2, seed_path("004"))
    invoke("scan", "--db", db2, "--workers", "1", other)
    code, out, _ = invoke("results", "--db", db2)
    assert (code, out) == (0, "no results: no copy found in the 1 page scanned\n")


def test_history_counts_in_words(tmp_path: Path) -> None:
    db, crawl = _setup(tmp_path)
    invoke("scan", "--db", db, "--workers", "1", crawl)
    page = crawl / "a.txt"
    page.write_text(seed_text("003").replace("the countries of", "the nations of"), "utf-8")
    invoke("scan", "--db", db, "--workers", "1", crawl)
    code, out, _ = invoke("history", "--db", db, page, env={"COLUMNS": "400"})
    assert code == 0
    assert out.startswith(f"{page}: 2 versions\n")
    assert "changed since the previous version" in out
    assert "(s)" not in out


def test_scan_counts_meaning_changes_in_copies_only(tmp_path: Path) -> None:
    """Page 000 copies 001 word for word and shares passages with 004: the scan's count
    of alterations that may change the meaning is the copy's (none)."""
    db = tmp_path / "i.db"
    invoke("add", "--db", db, seed_path("001"), seed_path("004"))
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "page.txt").write_text(seed_text("000"), encoding="utf-8")
    code, out, _ = invoke("scan", "--db", db, "--workers", "1", crawl)
    flat = " ".join(out.split())
    assert code == 0
    assert "1 page read" in flat and "copies found: 1 verbatim" in flat
    assert "0 alterations that may change the meaning" in flat


def test_results_show_direction_evidence_and_read_warnings(tmp_path: Path) -> None:
    """``prov results``: which text is older, the two-axis verdict and the pages read
    with warnings, in the table, CSV and JSON (with the copied passages)."""
    src = tmp_path / "src.txt"
    text = seed_text("001")
    src.write_text("Published: 4 June 2021\n\n" + text, encoding="utf-8")
    db = tmp_path / "i.db"
    assert invoke("add", "--db", db, src)[0] == 0
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "older.txt").write_text("Published: 1 March 2021\n\n" + text, encoding="utf-8")
    (crawl / "stray.txt").write_bytes(text.replace("Ministers", "Minis\x00ters", 1).encode())
    assert invoke("scan", "--db", db, "--workers", "1", crawl)[0] == 0
    code, out, _ = invoke("results", "--db", db, env={"COLUMNS": "400"})
    assert code == 0
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if line.startswith("│")}
    older = lines[str(crawl / "older.txt")]
    assert "page: may be the original" in older and "whole, verbatim" in older
    assert str(crawl / "stray.txt") + " (!)" in lines
    assert out.rstrip().endswith(
        f"(!) read with warnings:\n{crawl / 'stray.txt'}: {crawl / 'stray.txt'}: "
        "1 stray control character (NUL) ignored"
    )
    rows = {
        Path(r["key"]).name: r
        for r in csv.DictReader(io.StringIO(invoke("results", "--db", db, "-f", "csv")[1]))
    }
    assert (rows["older.txt"]["direction"], rows["older.txt"]["page_date"]) == (
        "copy",
        "2021-03-01",
    )
    assert (rows["stray.txt"]["direction"], rows["stray.txt"]["extent"]) == ("", "whole")
    assert rows["stray.txt"]["warnings"].endswith("1 stray control character (NUL) ignored")
    assert "passages" not in rows["older.txt"]
    got = {
        Path(r["key"]).name: r for r in json.loads(invoke("results", "--db", db, "-f", "json")[1])
    }
    assert got["older.txt"]["source_date"] == "2021-06-04"
    assert got["older.txt"]["passages"][0]["found"] is True
    assert got["stray.txt"]["warnings"] == [rows["stray.txt"]["warnings"]]
