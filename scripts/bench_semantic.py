"""prov[semantic]: the encoder's load time and memory, sentences embedded per second on one
core, and seed 000 against seed 001 with the semantic path off and on.

    .venv/bin/python scripts/bench_semantic.py
"""

from __future__ import annotations

import os
import resource
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


def main() -> None:
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
