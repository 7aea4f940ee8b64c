"""scripts/make_crawl.py: the synthetic crawl that ``prov scan`` is tested on.

The generator is run twice into temporary folders (300 pages): the outputs must be
byte-identical, the manifest must list every page the crawl holds (HTML files, WARC
``200 text/html`` responses, JSONL lines) and nothing else, the classes must come in the
asked proportions, and a sample of each class must get its label from
``provenance.compare_texts`` on the page's plain article text.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "make_crawl.py"
PAGES, SEED = 300, 7


def _load() -> ModuleType:
    name = "make_crawl_under_test"
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


mk: Any = _load()


def _generate(out: Path) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT), str(out), "--pages", str(PAGES), "--seed", str(SEED)],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    a, b = tmp_path_factory.mktemp("crawl_a"), tmp_path_factory.mktemp("crawl_b")
    _generate(a)
    _generate(b)
    return a, b


@pytest.fixture(scope="module")
def manifest(runs: tuple[Path, Path]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((runs[0] / "manifest.json").read_text(encoding="utf-8"))
    return data


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_two_runs_are_byte_identical(runs: tuple[Path, Path]) -> None:
    a, b = _files(runs[0]), _files(runs[1])
    assert sorted(a) == sorted(b)
    assert [k for k in a if a[k] != b[k]] == []
    assert len([k for k in a if k.startswith("sources/")]) == 7
    assert {k for k in a if k.startswith("crawl/warc/")} == {
        "crawl/warc/crawl-00.warc.gz",
        "crawl/warc/crawl-01.warc.gz",
        "crawl/warc/crawl-02.warc",
        "crawl/warc/crawl-03.warc.gz",
    }


def test_rerun_replaces_its_own_output(tmp_path: Path) -> None:
    _generate(tmp_path)
    before = _files(tmp_path)
    _generate(tmp_path)
    assert _files(tmp_path) == before


def test_manifest_covers_every_page(runs: tuple[Path, Path], manifest: dict[str, Any]) -> None:
    out = runs[0]
    found: dict[str, str] = {}  # location -> url
    for path in sorted((out / "crawl").glob("site-*/*.html")):
        html = path.read_text(encoding="utf-8")
        url = html.split('<link rel="canonical" href="', 1)[1].split('"', 1)[0]
        found[str(path.relative_to(out))] = url
    skipped: Counter[str] = Counter()
    for path in sorted((out / "crawl" / "warc").iterdir()):
        with path.open("rb") as fh:
            for i, rec in enumerate(ArchiveIterator(fh)):
                loc = f"crawl/warc/{path.name}#record {i}"
                if rec.rec_type != "response":
                    skipped[rec.rec_type] += 1
                    continue
                status = rec.http_headers.get_statuscode()
                ctype = rec.http_headers.get_header("Content-Type")
                if status == "200" and ctype.startswith("text/html"):
                    found[loc] = rec.rec_headers.get_header("WARC-Target-URI")
                else:
                    skipped[f"{status} {ctype}"] += 1
    for path in sorted((out / "crawl" / "jsonl").iterdir()):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            rec = json.loads(line)
            assert set(rec) in ({"url", "date", "text"}, {"url", "date", "html"})
            found[f"crawl/jsonl/{path.name}#record {i}"] = rec["url"]

    pages = manifest["pages"]
    assert len(pages) == PAGES == len(found)
    assert {p["location"]: p["url"] for p in pages} == found
    assert Counter(p["kind"] for p in pages) == manifest["counts"]["kinds"]
    # the records a scan must ignore are there, and listed
    assert skipped["warcinfo"] == 4
    # (two sets of a 404, an image and a redirect per file, each after its request)
    assert skipped["request"] == sum(k.startswith("crawl/warc/") for k in found) + 24
    assert skipped["404 text/html; charset=utf-8"] == 8
    assert skipped["200 image/png"] == 8
    assert skipped["301 text/html; charset=utf-8"] == 8
    assert len(manifest["non_pages"]) == 24
    # URLs are unique but for the revisits
    urls = Counter(p["url"] for p in pages)
    assert sorted(u for u, n in urls.items() if n > 1) == sorted(
        r["url"] for r in manifest["revisits"]
    )
    assert max(urls.values()) == 2


def test_class_proportions(manifest: dict[str, Any]) -> None:
    pages = manifest["pages"]
    verdicts = Counter(p["expect"]["verdict"] for p in pages)
    kinds = Counter(p["kind"] for p in pages)
    n = len(pages)
    for verdict, share in (
        ("verbatim", 0.08),
        ("near-verbatim", 0.04),
        ("paraphrased", 0.06),
        ("partial", 0.04),
        (None, 0.77),
    ):
        assert abs(verdicts[verdict] / n - share) <= 0.015, (verdict, verdicts)
    for kind, share in (("html", 0.40), ("warc", 0.45), ("jsonl", 0.15)):
        assert abs(kinds[kind] / n - share) <= 0.01, (kind, kinds)
    assert len(manifest["revisits"]) == round(0.01 * n)
    # every source is copied, in every class of copy
    for verdict in ("verbatim", "near-verbatim", "paraphrased", "partial"):
        sources = {p["expect"]["source"] for p in pages if p["expect"]["verdict"] == verdict}
        assert len(sources) == 7, verdict
    for p in pages:
        e = p["expect"]
        assert (e["source"] is None) == (e["verdict"] is None), p
        assert len(e["planted"]) == len(e["planted_risks"])
        if e["verdict"] == "near-verbatim":
            assert e["planted_risks"][0] in ("qualifier", "number", "name")
            assert e["meaning_changed"] is True


def test_revisits_are_later_and_edited(runs: tuple[Path, Path], manifest: dict[str, Any]) -> None:
    by_loc = {p["location"]: p for p in manifest["pages"]}
    texts: dict[str, str] = {}
    for path in sorted((runs[0] / "crawl" / "warc").iterdir()):
        with path.open("rb") as fh:
            for i, rec in enumerate(ArchiveIterator(fh)):
                if rec.rec_type == "response":
                    body = rec.content_stream().read().decode("utf-8", "replace")
                    texts[f"crawl/warc/{path.name}#record {i}"] = re.sub(r"\s+", " ", body)
    for r in manifest["revisits"]:
        first, second = by_loc[r["first"]], by_loc[r["second"]]
        assert first["url"] == second["url"] == r["url"]
        assert first["kind"] == second["kind"] == "warc"
        assert r["first"].split("#")[0] < r["second"].split("#")[0]  # a later WARC file
        assert r["first_date"] == first["date"] < second["date"] == r["second_date"]
        before, after = r["change"]
        assert before in texts[r["first"]] and after not in texts[r["first"]]
        assert after in texts[r["second"]] and before not in texts[r["second"]]
        assert second["revisit_of"] == first["id"]


@pytest.fixture(scope="module")
def corpus() -> Any:
    return mk.make_corpus(PAGES, SEED)


def test_corpus_is_what_was_written(corpus: Any, manifest: dict[str, Any]) -> None:
    assert [p.url for p in corpus.pages] == [p["url"] for p in manifest["pages"]]
    assert [p.verdict for p in corpus.pages] == [p["expect"]["verdict"] for p in manifest["pages"]]


def test_planted_edits_are_in_the_copies(corpus: Any) -> None:
    for page in corpus.pages:
        if page.verdict not in ("near-verbatim", "paraphrased"):
            continue
        body = page.body.replace("\n\n", " ")
        source = corpus.source(page.source).body
        for (before, after), risk in zip(page.planted, page.risks, strict=True):
            if risk != "wording":
                assert before in source and after in body and before not in body, page.id


def test_labels_agree_with_prov(corpus: Any) -> None:
    """Verbatim -> verbatim, near-verbatim -> near-verbatim with meaning_changed,
    spun -> paraphrased, excerpt -> partial, unrelated -> unrelated to all 7 sources."""
    checks = mk.verify(corpus, per_class=12)
    got = Counter(c.expected for c in checks)
    assert got == {
        "verbatim": 12,
        "near-verbatim": 12,
        "paraphrased": 12,
        "partial": 12,
        "unrelated": 12 * 7,
    }
    bad = [(c.page.id, c.source, c.expected, c.got) for c in checks if not c.ok]
    assert bad == []
