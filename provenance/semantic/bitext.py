"""An in-order alignment of two texts' sentences by their vectors (as bitext aligners do).

A pure function: two matrices of L2-normalised sentence vectors in, the aligned runs
out. A monotone dynamic programme (local: it may skip sentences of either text at no
cost) picks pairs of one sentence with one, one with two or two with one (a sentence
split or joined in translation; the two sentences' vectors are summed), each pair
gaining ``similarity - PAIR_MIN``. The pairs are then cut into *runs* where they stop
following each other, and a run counts as found when it holds at least
:data:`RUN_PAIRS` pairs with a mean similarity of at least :data:`RUN_MIN`, its first and
last pairs trimmed until they reach :data:`RUN_EDGE`.

Why these numbers (measured with the multilingual USE v3 encoder, README "Translations
and rewrites"): the Italian translation in seed 000 scores 0.67-0.91 with its true
English sentences (one sentence split in two scores 0.52 alone, 0.69 joined), the best
wrong sentence 0.34-0.67; LLM-style rewrites score 0.61-0.91 with their source
sentences, the best wrong one 0.45. But same-topic text that is not a copy (two
communiqués of one series, templated readouts) has *single* sentences as close as a
translation (0.86-0.89): one similar sentence is never evidence on its own. What
same-topic text lacks is a run of consecutive sentences each close to consecutive
source sentences, so a run of two pairs or more is required, and the mean similarity
of a run is held above 0.7 (true runs: 0.74-0.86 here; same-topic runs that survive the
pair threshold: under 0.7). Seed 004 (a communiqué of the same series as 001, adapting
some of its sentences) showed runs stretched at their ends over a sentence of the same
topic (0.65 beside a 0.81 adaptation): the ends of a run must reach 0.7 themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: A pair of sentences (or of one with two) below this similarity is not aligned.
PAIR_MIN = 0.6
#: A run is found when it holds this many pairs at least ...
RUN_PAIRS = 2
#: ... with this mean similarity at least.
RUN_MIN = 0.7
#: A run's first and last pairs reach this similarity (a run is not stretched over a
#: neighbouring sentence that only shares the topic: trimmed pairs are left out).
RUN_EDGE = 0.7
#: Sentences skipped in either text between two pairs that still make one run.
RUN_GAP = 1
#: Sentences of either text aligned at most (the programme is quadratic).
MAX_SENTENCES = 1500


@dataclass(frozen=True, slots=True)
class SentencePair:
    """Copy sentences ``copy[0]:copy[1]`` aligned with source sentences ``src[0]:src[1]``."""

    copy: tuple[int, int]
    src: tuple[int, int]
    similarity: float


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive aligned pairs: a passage translated or reworded sentence by sentence."""

    pairs: tuple[SentencePair, ...]
    similarity: float  # mean over the pairs, weighted by sentences
    found: bool

    @property
    def copy(self) -> tuple[int, int]:
        return (self.pairs[0].copy[0], self.pairs[-1].copy[1])

    @property
    def src(self) -> tuple[int, int]:
        return (self.pairs[0].src[0], self.pairs[-1].src[1])


def _sims(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    import numpy as np

    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)), dtype=np.float32)
    return np.asarray(a @ b.T, dtype=np.float32)


def _joined(v: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Vectors of each sentence joined with the next (summed, normalised)."""
    import numpy as np

    if len(v) < 2:
        return np.zeros((0, v.shape[1] if v.ndim == 2 else 0), dtype=np.float32)
    s = v[:-1] + v[1:]
    n = np.linalg.norm(s, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return np.asarray(s / n, dtype=np.float32)


def align_sentences(
    copy: npt.NDArray[np.float32], source: npt.NDArray[np.float32]
) -> tuple[Run, ...]:
    """Align ``copy`` sentence vectors with ``source`` ones in order (module docstring).

    Both are ``(n, d)`` arrays of normalised rows, in text order; at most
    :data:`MAX_SENTENCES` of each are aligned (the rest is ignored).
    """
    copy, source = copy[:MAX_SENTENCES], source[:MAX_SENTENCES]
    n, m = len(copy), len(source)
    if not n or not m:
        return ()
    one = _sims(copy, source)
    c2 = _sims(_joined(copy), source)  # copy i, i+1 -> source j
    s2 = _sims(copy, _joined(source))  # copy i -> source j, j+1
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]  # 0 start, 1 skip copy, 2 skip source, 3-5 pair
    one_l, c2_l, s2_l = one.tolist(), c2.tolist(), s2.tolist()
    for i in range(1, n + 1):
        row, prev = best[i], best[i - 1]
        mrow = move[i]
        o = one_l[i - 1]
        c = c2_l[i - 2] if i >= 2 else None
        s = s2_l[i - 1]
        prev2 = best[i - 2] if i >= 2 else None
        for j in range(1, m + 1):
            v, k = prev[j], 1
            if row[j - 1] > v:
                v, k = row[j - 1], 2
            g = o[j - 1] - PAIR_MIN
            if g > 0 and prev[j - 1] + g > v:
                v, k = prev[j - 1] + g, 3
            if c is not None and prev2 is not None:
                g = c[j - 1] - PAIR_MIN
                if g > 0 and prev2[j - 1] + g > v:
                    v, k = prev2[j - 1] + g, 4
            if j >= 2:
                g = s[j - 2] - PAIR_MIN
                if g > 0 and prev[j - 2] + g > v:
                    v, k = prev[j - 2] + g, 5
            row[j], mrow[j] = v, k
    pairs: list[SentencePair] = []
    i, j = n, m
    while i > 0 and j > 0:
        k = move[i][j]
        if k == 1:
            i -= 1
        elif k == 2:
            j -= 1
        elif k == 3:
            pairs.append(SentencePair((i - 1, i), (j - 1, j), one_l[i - 1][j - 1]))
            i, j = i - 1, j - 1
        elif k == 4:
            pairs.append(SentencePair((i - 2, i), (j - 1, j), c2_l[i - 2][j - 1]))
            i, j = i - 2, j - 1
        elif k == 5:
            pairs.append(SentencePair((i - 1, i), (j - 2, j), s2_l[i - 1][j - 2]))
            i, j = i - 1, j - 2
        else:
            break
    pairs.reverse()
    return _runs(pairs)


def _runs(pairs: list[SentencePair]) -> tuple[Run, ...]:
    groups: list[list[SentencePair]] = []
    for p in pairs:
        if groups:
            last = groups[-1][-1]
            if p.copy[0] - last.copy[1] <= RUN_GAP and p.src[0] - last.src[1] <= RUN_GAP:
                groups[-1].append(p)
                continue
        groups.append([p])
    out = []
    for g in groups:
        while len(g) > 1 and g[0].similarity < RUN_EDGE:
            g = g[1:]
        while len(g) > 1 and g[-1].similarity < RUN_EDGE:
            g = g[:-1]
        weight = [(p.copy[1] - p.copy[0]) + (p.src[1] - p.src[0]) for p in g]
        sim = sum(p.similarity * w for p, w in zip(g, weight, strict=True)) / sum(weight)
        out.append(Run(tuple(g), round(sim, 6), len(g) >= RUN_PAIRS and sim >= RUN_MIN))
    return tuple(out)
