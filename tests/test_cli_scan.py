"""The crawl job's commands from the command line: scan, results, history, clusters."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from provenance.cli import app
from tests.conftest import seed_path, seed_text

runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
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
