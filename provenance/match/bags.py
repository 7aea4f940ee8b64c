"""Sentences as bags of content-word stems, weighed by tf-idf (what ``detect`` and
``extend`` compare).

A sentence is the multiset of its content words (function words dropped), each cut to
its first :data:`STEM` characters: a cheap, language-blind stemmer under which
"destroyed" and "destruction", or a round-trip translation's other inflection, still
meet. Two sentences are compared by the cosine of their tf-idf vectors, and by how
unlikely the stems they share would be by chance (:func:`tail`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

#: Characters of a word kept as its stem (a cheap, language-blind stemmer).
STEM = 5

#: Function words of English, the language of most copies checked; in other languages
#: the idf weighting does the same work (frequent words weigh little).
STOP = frozenset(
    "a about above after again against all also am an and any are as at be because been "
    "before being below between both but by can could did do does doing down during each "
    "few for from further had has have having he her here hers herself him himself his how "
    "i if in into is it its itself just me more most my myself no nor not now of off on once "
    "only or other our ours ourselves out over own same she should so some such than that "
    "the their theirs them themselves then there these they this those through to too under "
    "until up very was we were what when where which while who whom why will with would you "
    "your yours yourself yourselves upon shall may might must unto thee thou thy one said "
    "s t ll d re ve m".split()
)

Vector = tuple[dict[str, float], float]  # tf-idf weights of a bag, and their norm


def stems(words: Sequence[str]) -> list[str]:
    """The content-word stems of some words, in order."""
    return [w[:STEM] for w in words if w not in STOP and any(c.isalpha() for c in w)]


def bags(words: Sequence[str], units: Sequence[tuple[int, int]]) -> list[Counter[str]]:
    """The bag of stems of each unit (``[start, end)`` word ranges)."""
    return [Counter(stems(words[s:e])) for s, e in units]


def weigh(bag: Counter[str], idf: dict[str, float]) -> Vector:
    """A bag's tf-idf vector (sublinear term frequency) and its norm."""
    vec = {t: (1 + math.log(n)) * idf[t] for t, n in bag.items()}
    return vec, math.sqrt(sum(v * v for v in vec.values()))


def cosine(a: dict[str, float], na: float, b: dict[str, float], nb: float) -> float:
    """The cosine of two weighed bags (0 when either is empty)."""
    if not na or not nb:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items()) / (na * nb)


def similarity(a: Counter[str], b: Counter[str], idf: dict[str, float]) -> float:
    """The cosine of two bags' tf-idf vectors."""
    return cosine(*weigh(a, idf), *weigh(b, idf))


def tail(n: int, mean: float) -> float:
    """P(X >= n) for X Poisson with this mean: how likely two sentences share ``n``
    stems by chance, when they would share ``mean`` on average."""
    term, below = math.exp(-mean), 0.0
    for k in range(n):
        below += term
        term *= mean / (k + 1)
    return max(0.0, 1.0 - below)
