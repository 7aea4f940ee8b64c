"""prov scan over a generated crawl (scripts/make_crawl.py): HTML files, WARC records and
JSONL lines, with known copies: the scan finds exactly those, with their verdicts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from provenance import indexing
from provenance.crawl.scan import history, results, scan
from tests.conftest import ROOT

PAGES = 600


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("crawl")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_crawl.py"), str(out), "--pages", str(PAGES)],
        check=True,
        capture_output=True,
    )
    db = out / "index.db"
    list(indexing.add([out / "sources"], db))
    stats = scan([out / "crawl"], db, workers=2)
    assert stats.errors == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert stats.read == len(manifest["pages"])
    return db, manifest


def _found(db: Path, out: Path) -> dict[tuple[str, str], tuple[str, str, bool]]:
    """(url or path, fetched_at) -> the best match's (source, verdict, meaning_changed)."""
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for r in results(db):
        key = (r["url"], r["fetched_at"][:10]) if r["kind"] != "html" else (r["key"], "")
        if key not in best or r["copy_coverage"] > best[key]["copy_coverage"]:
            best[key] = r
    return {
        k: (Path(r["source"]).name, r["verdict"], bool(r["meaning_changed"]))
        for k, r in best.items()
    }


def test_scan_finds_exactly_the_known_copies(scanned: tuple[Path, dict[str, Any]]) -> None:
    db, manifest = scanned
    out = db.parent
    found = _found(db, out)
    expected = {}
    for page in manifest["pages"]:
        if page["kind"] == "html":
            key = (str(out / page["location"]), "")
        else:
            key = (page["url"], page["date"][:10])
        e = page["expect"]
        if e["source"] is not None:
            expected[key] = (e["source"], e["verdict"], bool(e["meaning_changed"]))
    wrong = {k: (found.get(k), v) for k, v in expected.items() if found.get(k) != v}
    assert not wrong, f"{len(wrong)} pages differ: {list(wrong.items())[:5]}"
    extra = set(found) - set(expected)
    assert not extra, f"copies found in unrelated pages: {sorted(extra)[:5]}"
    by_verdict = {
        v: sum(1 for x in expected.values() if x[1] == v)
        for v in ("verbatim", "near-verbatim", "paraphrased", "partial")
    }
    assert all(by_verdict.values())


def test_revisits_record_what_changed(scanned: tuple[Path, dict[str, Any]]) -> None:
    db, manifest = scanned
    assert manifest["revisits"]
    for revisit in manifest["revisits"]:
        versions = history(db, revisit["url"])
        assert [v["fetched_at"] for v in versions] == [
            revisit["first_date"],
            revisit["second_date"],
        ]
        change = versions[1]["change"]
        before, after = revisit["change"]
        assert change is not None
        assert any(
            " ".join(a["after_context"].split()) in after
            or after in " ".join(a["after_context"].split())
            for a in change["alterations"]
        ), (revisit, change)
