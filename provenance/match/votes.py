"""Where a source passage lies in the copy: the votes of its n-grams (stage 5's seeding).

A copy's word n-grams are indexed once (:class:`CopyGrams`, what ``alignwork`` keeps per
copy); each n-gram a passage shares with the copy votes for a diagonal (copy position
minus the n-gram's offset in the passage, as in BLAST-style seeding), and the densest
clusters of diagonals are where ``align`` searches for the passage. The compiled kernel
votes on word ids with the same rules (``alignwork.CopyIds.vote``: the same votes).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import sub

import numpy as np

#: Places in the copy tried for each passage (the densest clusters of votes).
MAX_CLUSTERS = 4
#: An n-gram that occurs more often than this in the copy is too common to vote.
MAX_POSTINGS = 64


def ngram_index(words: Sequence[str], n: int) -> dict[tuple[str, ...], list[int]]:
    index: dict[tuple[str, ...], list[int]] = {}
    for i, gram in enumerate(zip(*(words[k:] for k in range(n)), strict=False)):
        index.setdefault(gram, []).append(i)
    return index


class CopyGrams(dict[int, dict[tuple[str, ...], list[int]]]):
    """A copy's n-gram index for each n, built when first asked (bigrams are rarely:
    two-word passages, and passages without a shared trigram)."""

    def __init__(self, words: Sequence[str]) -> None:
        super().__init__()
        self.words = words

    def __missing__(self, n: int) -> dict[tuple[str, ...], list[int]]:
        index = self[n] = ngram_index(self.words, n)
        return index


Grams = dict[int, dict[tuple[str, ...], list[int]]]


def best_diagonals(diags: list[int], width: int, most: int) -> list[tuple[int, int]]:
    """The densest clusters of diagonals, densest first: ``(votes, median diagonal)``.

    Several, not one: a passage repeated in the copy (a refrain, a disclaimer) has one
    cluster per occurrence, and a later passage may find its first choice taken.
    """
    if len(diags) <= SMALL_DIAGONALS:
        return _best_diagonals_small(sorted(diags), width, most)
    d = np.sort(np.asarray(diags, dtype=np.int64))
    out: list[tuple[int, int]] = []
    while len(d) and len(out) < most:
        # the window ending at each diagonal starts at the first one within ``width``
        starts = np.searchsorted(d, d - width, side="left")
        ends = np.arange(len(d))
        i = int(np.argmax(ends - starts))  # the first densest window, as a scan finds it
        lo, hi = int(starts[i]), i + 1
        out.append((hi - lo, int(d[(lo + hi - 1) // 2])))
        d = np.concatenate((d[:lo], d[hi:]))
    return out


#: Diagonals clustered by a plain scan rather than NumPy, at most (a passage's votes
#: are usually a few dozen: NumPy's calls cost more than the scan).
SMALL_DIAGONALS = 256


def _best_diagonals_small(d: list[int], width: int, most: int) -> list[tuple[int, int]]:
    """:func:`best_diagonals` of sorted diagonals ``d`` (changed: clusters are taken
    out of it), by one scan per cluster: the same clusters."""
    out: list[tuple[int, int]] = []
    while d and len(out) < most:
        best, lo, hi, start = 0, 0, 0, 0
        for i, x in enumerate(d):
            while d[start] < x - width:
                start += 1
            if i + 1 - start > best:
                best, lo, hi = i + 1 - start, start, i + 1
        out.append((best, d[(lo + hi - 1) // 2]))
        del d[lo:hi]
    return out


def vote(words: tuple[str, ...], grams: Grams) -> tuple[int, list[int]] | None:
    """Where a passage's n-grams vote for it in the copy: the votes of the densest
    cluster of diagonals, and the diagonals of the densest clusters (None: nowhere)."""
    size = len(words)
    for n in (3, 2):
        index = grams[n]
        diags: list[int] = []
        ngrams = (
            zip(words, words[1:], words[2:], strict=False)
            if n == 3
            else zip(words, words[1:], strict=False)
        )
        for k, gram in enumerate(ngrams):
            hits = index.get(gram)
            if hits and len(hits) <= MAX_POSTINGS:
                diags.extend(map(sub, hits, repeat(k)))
        if diags:
            clusters = best_diagonals(diags, max(4, size // 5), MAX_CLUSTERS)
            if n == 3 or clusters[0][0] >= 2:
                return clusters[0][0], [d for _, d in clusters]
            return None
    return None
