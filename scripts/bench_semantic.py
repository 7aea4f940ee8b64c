"""prov[semantic]: the encoder's load time and memory, sentences embedded per second on one
core, and seed 000 against seed 001 with the semantic path off and on; with ``--index N``,
an index of N passages with sentence vectors (``scripts/bench.py``'s generated corpus):
its size per passage, the nearest-neighbour search over its vectors, and ``check`` warm
and cold with the extra; with ``--search 100000,1000000``, the brute-force search alone
over that many random int8 vectors.

    .venv/bin/python scripts/bench_semantic.py
    .venv/bin/python scripts/bench_semantic.py --index 100000 --search 100000,1000000

How the index is made: the corpus is added with ``PROV_SEMANTIC=0`` (the word index),
then ``--sample`` (2,000) of its passages are embedded (the rate printed is on those) and
every source's body passages get vectors in the ``vectors`` table, taken in turn from the
sample's: embedding 100,000 passages would take ~4 minutes of CPU and tell nothing more,
since a vector's size and the search's cost do not depend on what it says. ``check`` is
timed on bench.py's suspect (a spun copy between unrelated paragraphs: the word path
finds the copy; the unrelated paragraphs are embedded and searched for).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from provenance import pipeline  # noqa: E402
from provenance.semantic import encoder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "samples" / "seeds"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status(r: pipeline.CompareResult) -> str:
    s = r.score
    tr = [p for p in s.pairs if p.kind == "translation"]
    left = [a for a in s.added if a.reason.startswith("other language (it)")]
    words = sum(len(a.text.split()) for a in left)
    return (
        f"verdict {s.verdict}; {len(tr)} translated passages (lang "
        f"{','.join(sorted({p.lang for p in tr})) or '-'}); Italian words still 'added': {words}"
    )


def search_figures(sizes: list[int], queries: int = 32) -> None:
    """The brute-force nearest-neighbour search (``vectors.nearest``) over random vectors."""
    import numpy as np

    from provenance.index import vectors

    rng = np.random.default_rng(0)
    for n in sizes:
        codes = rng.integers(-127, 128, size=(n, encoder.DIMENSIONS), dtype=np.int8)
        m = vectors.Matrix(
            codes, np.full(n, 1 / (127 * 13), np.float32), np.arange(n, dtype=np.int64)
        )
        q = rng.standard_normal((queries, encoder.DIMENSIONS)).astype(np.float32)
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        vectors.nearest(m, q[:2], 4)
        c0, t0 = time.process_time(), time.perf_counter()
        vectors.nearest(m, q, 4)
        print(
            f"nearest-neighbour search, brute force over {n:,} int8 vectors "
            f"({codes.nbytes / 2**20:,.0f} MB): {queries} queries in "
            f"{1000 * (time.process_time() - c0):,.0f} ms CPU "
            f"({1000 * (time.perf_counter() - t0):,.0f} ms wall)"
        )
        del codes, m


def index_figures(passages: int, work: Path, sample: int, runs: int, cold_runs: int) -> None:
    """An index of ``passages`` passages with vectors: size, search, check warm and cold."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "scripts"))
    import bench

    from provenance.index import vectors
    from provenance.index.store import Store

    gen = bench.Generator(5000, 50, 20240601)
    corpus = gen.corpus(passages)
    folder = work / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(corpus.texts):
        (folder / f"doc{i:06d}.txt").write_text(text, encoding="utf-8")
    db = work / "prov.db"
    env = dict(os.environ, PROV_SEMANTIC="0")
    cmd = [sys.executable, "-m", "provenance", "add", "--db", str(db), str(folder)]
    subprocess.run([*cmd, "--workers", "2"], check=True, env=env, capture_output=True)
    before = bench.db_bytes(db)
    texts = []
    with Store.open(db) as store:
        sids = store.source_ids()
        for stored in store.texts(sids[:50]):
            seg = pipeline.prepare(stored.text)
            texts += [seg.norm.original(p.first, p.last) for p in seg.body_passages()]
    texts = (texts * (1 + sample // max(1, len(texts))))[:sample]
    encoder.embed(texts[:1])
    c0 = time.process_time()
    pool = encoder.embed(texts)
    rate = len(texts) / (time.process_time() - c0)
    n_vec = 0
    with Store.open(db) as store:
        store.begin()
        for k, stored in enumerate(store.texts(sids)):
            spans = tuple((p.first, p.last) for p in pipeline.prepare(stored.text).body_passages())
            rows = np.take(pool, np.arange(n_vec, n_vec + len(spans)) % len(pool), axis=0)
            vectors.put(
                store, stored.id, encoder.encoder_name(), vectors.SourceVectors(spans, rows)
            )
            n_vec += len(spans)
            if k % 500 == 499:
                store.commit()
                store.begin()
        store.commit()
    subprocess.run(["sqlite3", str(db), "PRAGMA wal_checkpoint(TRUNCATE)"], check=False)
    after = bench.db_bytes(db)
    print(
        f"embedded {len(texts):,} of the corpus's passages: {rate:,.0f} passages/s per core; "
        f"index of {passages:,} passages ({n_vec:,} vectors): {before / passages:,.0f} "
        f"bytes/passage without vectors, {after / passages:,.0f} with "
        f"(+{(after - before) / max(1, n_vec):,.0f} bytes per vector)"
    )
    target = len(corpus.docs) // 2
    suspect = work / "suspect.txt"
    suspect.write_text(bench.make_suspect(gen, corpus, target), encoding="utf-8")
    os.environ["PROV_SEMANTIC"] = "1"
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        (r,) = list(pipeline.check([suspect], db, top=5))
        times.append(time.perf_counter() - t0)
    found = bool(r.matches) and Path(r.matches[0].source).name == f"doc{target:06d}.txt"
    cold = []
    check = [sys.executable, "-m", "provenance", "check", "--db", str(db), str(suspect)]
    for _ in range(cold_runs):
        t0 = time.perf_counter()
        subprocess.run([*check, "--json"], capture_output=True, check=False)
        cold.append(time.perf_counter() - t0)
    os.environ["PROV_SEMANTIC"] = "0"
    plain = []
    for _ in range(cold_runs):
        t0 = time.perf_counter()
        subprocess.run([*check, "--json"], capture_output=True, check=False, env=env)
        plain.append(time.perf_counter() - t0)
    print(
        f"check with the extra at {passages:,} passages: warm p50 "
        f"{1000 * statistics.median(times):,.0f} ms (first {1000 * times[0]:,.0f} ms: loads "
        f"the model and the vectors), cold median {1000 * statistics.median(cold):,.0f} ms; "
        f"without it: cold median {1000 * statistics.median(plain):,.0f} ms; "
        f"found the right source: {found}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=int, default=0, help="passages of the vector index (0: none)")
    ap.add_argument("--search", default="", help="brute-force search sizes, e.g. 100000,1000000")
    ap.add_argument("--sample", type=int, default=2000, help="passages embedded for --index")
    ap.add_argument("--runs", type=int, default=20, help="warm checks")
    ap.add_argument("--cold-runs", type=int, default=5, help="cold checks")
    a = ap.parse_args()
    seeds()
    if a.search:
        search_figures([int(x) for x in a.search.split(",")])
    if a.index:
        with tempfile.TemporaryDirectory(prefix="prov-bench-semantic-") as tmp:
            index_figures(a.index, Path(tmp), a.sample, a.runs, a.cold_runs)


def seeds() -> None:
    src, copy = next(SEEDS.glob("001_*.txt")), next(SEEDS.glob("000_*.txt"))
    seg = pipeline.prepare(copy.read_text(encoding="utf-8"))
    sentences = [seg.norm.original(p.first, p.last) for p in seg.passages]
    rss0 = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    encoder.embed(sentences[:1])
    print(
        f"encoder {encoder.encoder_name()}: load {time.perf_counter() - t0:.2f} s wall "
        f"({time.process_time() - c0:.2f} s CPU), max RSS {rss0:.0f} -> {_rss_mb():.0f} MB"
    )
    batch = sentences * max(1, 400 // len(sentences))
    c0 = time.process_time()
    encoder.embed(batch)
    cpu = time.process_time() - c0
    chars = sum(map(len, batch)) / len(batch)
    print(
        f"embedded {len(batch)} sentences (mean {chars:.0f} chars) in {cpu:.2f} s CPU: "
        f"{len(batch) / cpu:.0f} sentences/s per core; max RSS {_rss_mb():.0f} MB"
    )
    os.environ["PROV_SEMANTIC"] = "0"
    print("seed 000 vs 001, semantic off:", _status(pipeline.compare(src, copy)))
    os.environ["PROV_SEMANTIC"] = "1"
    c0 = time.process_time()
    r = pipeline.compare(src, copy)
    print(f"seed 000 vs 001, semantic on:  {_status(r)} ({time.process_time() - c0:.2f} s CPU)")


if __name__ == "__main__":
    main()
