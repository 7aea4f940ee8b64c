"""Benchmark alignment on adversarial input: `compare` of two repetitive texts.

Usage::

    .venv/bin/python scripts/bench_align.py                       # 10k, 20k, 40k, 80k words
    .venv/bin/python scripts/bench_align.py --sizes 8000 16000 --kinds same

Each kind is a pair of texts that defeat a naive aligner: ``same`` is one word repeated
(every n-gram occurs everywhere), ``sentence`` one sentence repeated (every passage
occurs verbatim hundreds of times), ``vocab`` random sentences over a 13-word vocabulary
(every sentence shares every word with every other), ``nopunct`` random words over a
60-word vocabulary without punctuation or line breaks (one sentence the length of the
text). The two texts of a pair differ (another random seed). For each size, the CPU
time of ``compare_segmented(prepare(a), prepare(b))`` is printed, with its growth over
the previous size: a near-linear aligner doubles its time when the size doubles (the
goal: 80k words in under 2 s, growth about 2x). CPU time, not wall time: the figure
holds on a machine that other work loads. This is a script, not a test.
"""

from __future__ import annotations

import argparse
import random
import time

from provenance.pipeline import compare_segmented, prepare

_VOCAB13 = "alpha beta gamma delta echo foxtrot golf hotel india juliet kilo lima mike".split()
_SENTENCE = "the quick brown fox jumps over the lazy dog near the river bank today."


def text(kind: str, words: int, seed: int) -> str:
    """A repetitive text of about ``words`` words (deterministic for a seed)."""
    rng = random.Random(seed)
    if kind == "same":
        return " ".join(["word"] * words)
    if kind == "sentence":
        w = _SENTENCE.split()
        return " ".join((w * (words // len(w) + 1))[:words])
    if kind == "vocab":
        ws = [rng.choice(_VOCAB13) for _ in range(words)]
        lines = [" ".join(ws[i : i + 12]) + "." for i in range(0, words, 12)]
        return "\n\n".join("\n".join(lines[i : i + 8]) for i in range(0, len(lines), 8))
    if kind == "nopunct":
        vocab = [f"w{i}" for i in range(60)]
        return " ".join(rng.choice(vocab) for _ in range(words))
    raise ValueError(kind)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000, 40_000, 80_000])
    ap.add_argument("--kinds", nargs="+", default=["same", "sentence", "vocab", "nopunct"])
    args = ap.parse_args()
    print(f"{'kind':<10}{'words':>8}{'cpu s':>9}{'growth':>8}  found")
    for kind in args.kinds:
        prev = None
        for n in args.sizes:
            a, b = text(kind, n, 1), text(kind, n, 2)
            t = time.process_time()
            s = compare_segmented(prepare(a), prepare(b))
            cpu = time.process_time() - t
            growth = f"{cpu / prev:.2f}x" if prev else "-"
            print(f"{kind:<10}{n:>8}{cpu:>9.2f}{growth:>8}  {s.found_words} words", flush=True)
            prev = max(cpu, 1e-3)


if __name__ == "__main__":
    main()
