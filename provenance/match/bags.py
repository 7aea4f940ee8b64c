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
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet

from provenance.match.fingerprint import load_kernel

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
Synonyms = Callable[[str], frozenset[str]]  # a stem's synonyms (see match/synonyms.py)

#: How much a copy stem that is a synonym of a source stem weighs, against the same
#: stem (1): a thesaurus word is weaker evidence than the word itself, since a text on
#: the same subject uses its synonyms too.
SYNONYM_WEIGHT = 0.75

#: ``1 + log(n)`` (sublinear term frequency) of the counts a sentence's stem has,
#: computed once: the same floats as computing them each time, without the calls.
_TF = (0.0, *(1 + math.log(n) for n in range(1, 64)))

#: The compiled kernel (``match/_kernel_bags.c``: :func:`weigh`, :func:`weigh_more`,
#: :func:`scaled`, :func:`cosine` and :func:`counted` on the same dicts, the same floats to
#: the bit; it returns None for what it leaves to the Python code below), or None for the
#: Python path (``PROV_KERNEL=numpy``; tests set it to compare both).
_KERNEL = load_kernel()


#: Each word seen, and its stem ("" for a function word or a word without a letter):
#: a check compares one copy with many near-copies of one text, whose words recur. The
#: memo is emptied when it holds :data:`MAX_MEMO_WORDS` words (bounded memory).
_STEM_OF: dict[str, str] = {}
MAX_MEMO_WORDS = 200_000


def _stem(w: str) -> str:
    return w[:STEM] if w not in STOP and any(c.isalpha() for c in w) else ""


def stems(words: Sequence[str]) -> list[str]:
    """The content-word stems of some words, in order."""
    memo = _STEM_OF
    out = []
    for w in words:
        s = memo.get(w)
        if s is None:
            if len(memo) >= MAX_MEMO_WORDS:
                memo.clear()
            s = memo[w] = _stem(w)
        if s:
            out.append(s)
    return out


def bags(words: Sequence[str], units: Sequence[tuple[int, int]]) -> list[Counter[str]]:
    """The bag of stems of each unit (``[start, end)`` word ranges)."""
    return [Counter(stems(words[s:e])) for s, e in units]


#: Each unit's stems end to end, and where each unit's start in that list (one entry
#: more: the end): the bag of units ``i`` to ``j`` is ``Counter(stems[at[i]:at[j + 1]])``,
#: counted in C (see :func:`flat`).
Flat = tuple[Sequence[str], Sequence[int]]


def flat(bags: Sequence[Counter[str]]) -> Flat:
    """Bags end to end (:data:`Flat`): each bag's stems in its order, each as many times
    as it counts. The bag of a run of them, ``Counter(stems[at[i]:at[j + 1]])``, is the
    same as the bags added one by one, with the same keys in the same order (a stem
    comes first where it first comes in the run)."""
    out: list[str] = []
    at = [0]
    for b in bags:
        out.extend(b.elements())
        at.append(len(out))
    return out, at


def weigh(bag: Counter[str], idf: dict[str, float]) -> Vector:
    """A bag's tf-idf vector (sublinear term frequency) and its norm."""
    if _KERNEL is not None:
        got: Vector | None = _KERNEL.bag_weigh(bag, idf, _TF)
        if got is not None:
            return got
    table = _TF
    vec = {t: (table[n] if n < 64 else 1 + math.log(n)) * idf[t] for t, n in bag.items()}
    return vec, math.sqrt(sum([v * v for v in vec.values()]))


def weigh_more(
    weighed: dict[str, float], bag: Counter[str], added: Counter[str], idf: dict[str, float]
) -> Vector:
    """:func:`weigh` of ``bag``, the bag ``weighed`` is the vector of with ``added``
    added (:func:`plus`), from that vector: only the added stems' weights are made
    again. The same floats in the same order as weighing ``bag`` whole."""
    if _KERNEL is not None:
        got: Vector | None = _KERNEL.bag_weigh_more(weighed, bag, added, idf, _TF)
        if got is not None:
            return got
    table = _TF
    vec = dict(weighed)
    for t in added:
        n = bag[t]
        vec[t] = (table[n] if n < 64 else 1 + math.log(n)) * idf[t]
    return vec, math.sqrt(sum([v * v for v in vec.values()]))


def cosine(a: dict[str, float], na: float, b: dict[str, float], nb: float) -> float:
    """The cosine of two weighed bags (0 when either is empty)."""
    if not na or not nb:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    if _KERNEL is not None:
        got: float | None = _KERNEL.bag_cosine(a, na, b, nb)
        if got is not None:
            return got
    get = b.get
    return sum([v * get(t, 0.0) for t, v in a.items()]) / (na * nb)


def similarity(
    a: Counter[str],
    b: Counter[str],
    idf: dict[str, float],
    synonyms: Synonyms | None = None,
    weighed: Vector | None = None,
    weighed_b: Vector | None = None,
    among: AbstractSet[str] | None = None,
) -> float:
    """The cosine of two bags' tf-idf vectors; with ``synonyms``, a stem of ``b`` that
    is a synonym of one of ``a`` counts as it, at :data:`SYNONYM_WEIGHT` (see
    :func:`matched`). ``weighed``, ``weighed_b``: ``weigh(a, idf)`` and ``weigh(b,
    idf)``, when already made. ``among``: the only stems that may have synonyms, when
    known (the others are not looked up)."""
    va = weigh(a, idf) if weighed is None else weighed
    taken = _stand_ins(a, b, synonyms, among) if synonyms is not None else None
    if not taken:  # b's own vector
        return cosine(*va, *(weigh(b, idf) if weighed_b is None else weighed_b))
    return cosine(*va, *scaled(_weights(b, taken), idf))


def scaled(weights: dict[str, float], idf: dict[str, float]) -> Vector:
    """Weights (sublinear term frequencies, see :func:`matched`) times each stem's idf:
    a vector, and its norm."""
    if _KERNEL is not None:
        got: Vector | None = _KERNEL.bag_scaled(weights, idf)
        if got is not None:
            return got
    vec = {t: w * idf[t] for t, w in weights.items()}
    return vec, math.sqrt(sum([v * v for v in vec.values()]))


def counted(counts: dict[str, int], keys: dict[str, int]) -> int:
    """``sum(counts.get(t, 0) for t in keys)``: how many units hold the stems of a bag,
    summed, from each stem's count of units."""
    if _KERNEL is not None:
        got: int | None = _KERNEL.bag_held(counts, keys)
        if got is not None:
            return got
    get = counts.get
    return sum([get(t, 0) for t in keys])


def tail(n: int, mean: float) -> float:
    """P(X >= n) for X Poisson with this mean: how likely two sentences share ``n``
    stems by chance, when they would share ``mean`` on average."""
    term, below = math.exp(-mean), 0.0
    for k in range(n):
        below += term
        term *= mean / (k + 1)
    return max(0.0, 1.0 - below)


#: Mean counts, by ``(n, level)``, at which :func:`tail` crosses ``level``
#: (see :func:`rare`).
_CROSSING: dict[tuple[int, float], float] = {}
#: How far (relative) from the crossing a mean is decided without computing the tail:
#: over that span the tail moves by ~1e-9 of itself, its rounding error is ~1e-15.
_MARGIN = 1e-6


def rare(n: int, mean: float, level: float) -> bool:
    """``tail(n, mean) <= level``: sharing ``n`` stems is rare enough by chance.

    The tail grows with the mean, so a mean clearly below (above) the one where it
    crosses ``level`` decides at once; one near the crossing computes the tail. The same
    answer as the comparison, for any ``n``, mean and level."""
    if n <= 0 or not 0.0 < level < 1.0:
        return tail(n, mean) <= level
    key = (n, level)
    crossing = _CROSSING.get(key)
    if crossing is None:
        crossing = _CROSSING[key] = _crossing(n, level)
    if mean < crossing * (1 - _MARGIN):
        return True
    if mean > crossing * (1 + _MARGIN):
        return False
    return tail(n, mean) <= level


def _crossing(n: int, level: float) -> float:
    """The mean where ``tail(n, mean)`` reaches ``level`` (bisection, to ~1e-12)."""
    lo, hi = 0.0, 1.0
    while tail(n, hi) <= level:
        lo, hi = hi, 2 * hi
    for _ in range(100):
        mid = (lo + hi) / 2
        if tail(n, mid) <= level:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    return (lo + hi) / 2


def matched(
    src: Counter[str], copy: Counter[str], synonyms: Synonyms
) -> tuple[int, int, dict[str, float]]:
    """How two bags meet when a copy stem may stand for a synonym in the source:
    ``(stems shared, copy stems matched to a synonym, the copy's weights)``, where the
    weights (sublinear term frequency, not yet times idf) are keyed by the source stem
    each copy stem matched and scaled by :data:`SYNONYM_WEIGHT` for synonyms. Each
    source stem is matched once, by the same stem first."""
    taken = _stand_ins(src, copy, synonyms)
    return len(copy.keys() & src.keys()), len(taken), _weights(copy, taken)


def _stand_ins(
    src: Counter[str],
    copy: Counter[str],
    synonyms: Synonyms,
    among: AbstractSet[str] | None = None,
) -> dict[str, str]:
    """The copy stems that stand for a source stem the copy lacks (see :func:`matched`),
    and the stem each stands for: in the copy's order, each takes the least of its
    synonyms still free. ``among``: the only stems that may have synonyms, when known."""
    others = (copy.keys() if among is None else copy.keys() & among) - src.keys()
    # each one's synonyms free to be stood for: in the source, not in the copy (the set
    # of those is not made: few copy stems have synonyms)
    hits = {}
    for t in others:
        near = synonyms(t)
        if near and (hit := {s for s in near if s in src and s not in copy}):
            hits[t] = hit
    taken: dict[str, str] = {}
    if hits:
        used: set[str] = set()
        for t in [t for t in copy if t in hits]:
            if hit := hits[t] - used:
                s = min(hit)
                used.add(s)
                taken[t] = s
    return taken


def _weights(copy: Counter[str], taken: dict[str, str]) -> dict[str, float]:
    """The copy's weights (sublinear term frequency), keyed by the stem each copy stem
    counts as (``taken``: those that stand for another, at :data:`SYNONYM_WEIGHT`)."""
    table = _TF
    if not taken:
        return {t: table[k] if k < 64 else 1 + math.log(k) for t, k in copy.items()}
    out: dict[str, float] = {}
    for t, k in copy.items():
        weight = table[k] if k < 64 else 1 + math.log(k)
        stands_for = taken.get(t)
        if stands_for is None:
            out[t] = weight
        else:
            out[stands_for] = weight * SYNONYM_WEIGHT
    return out


def units_of(
    bag: Counter[str],
    postings: Mapping[str, Sequence[int]],
    start: Counter[int] | None = None,
) -> Counter[int]:
    """How many of a bag's stems each unit holds, by the stems' postings (the units of
    each; a stem without is left out), each unit where it first comes; ``start``: counts
    to add them to (a copy of it is counted on)."""
    if _KERNEL is not None:
        got: Counter[int] | None = _KERNEL.bag_units(Counter, bag, postings, start)
        if got is not None:
            return got
    get = postings.get
    out = Counter(start) if start is not None else Counter()
    for u in [u for t in bag if (u := get(t))]:
        out.update(u)
    return out


def mapped(counts: dict[str, int], table: dict[int, float]) -> dict[str, float]:
    """``{t: table[k] for t, k in counts.items()}`` (a stem's idf from its count of
    units, the few distinct counts' idfs made once)."""
    if _KERNEL is not None:
        got: dict[str, float] | None = _KERNEL.bag_mapped(counts, table)
        if got is not None:
            return got
    return {t: table[k] for t, k in counts.items()}


def plus(a: Counter[str], b: Counter[str]) -> Counter[str]:
    """``a + b`` for bags of positive counts (the same keys, counts and order as
    ``Counter.__add__``), without a pass over ``a`` in Python."""
    out = Counter(a)
    out.update(b)
    return out
