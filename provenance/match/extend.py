"""Stage 5b, step 2: extension. Seeds (sentence pairs) become fragments (passages).

Sanchez-Perez, Sidorov and Gelbukh's (2014) extension, with Kong et al.'s growth:

1. **Clustering.** Seeds are sorted by source sentence and cut where more than a gap of
   sentences passes without one, then the same in the copy, repeated until nothing
   changes (:func:`cluster`).
2. **Fragment.** A group of seeds spans its first to its last sentence in each text;
   the two sides are compared as wholes (cosine of their tf-idf bags).
3. **Growth.** A reworded passage often begins or ends with a sentence rewritten too
   far to be a seed on its own, yet still sharing content words with the other side:
   the fragment grows by such sentences, one at a time, at most :data:`MAX_EXTEND` at
   each end (:func:`extend`).
4. **Trim.** Words at either end before the first content word the other side shares
   are left out (a passage copied from mid-sentence starts there).

Everything here is on word indexes and sentence (unit) indexes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from provenance.match.bags import STEM, STOP, Vector, plus, rare, similarity, weigh, weigh_more
from provenance.match.texts import Texts

Seed = tuple[int, int, float]  # (source unit, copy unit, cosine)

#: Sentences without a seed that a fragment may bridge.
MAX_GAP = 4
#: Least cosine of a fragment's two sides taken as wholes.
FRAGMENT_COSINE = 0.34
#: Whether a sentence paired twice in a group keeps only its closest pairing (and any
#: next to it; see :func:`distinct`).
ONE_TO_ONE = True
#: Extension: whether fragments grow by neighbouring sentences (see :func:`extend`), by
#: how many sentences at each end at most, and how many stems a sentence must share with
#: the other side to be taken (one shared word is what any two sentences of one text
#: have; two, with the cosine not falling, is content carried over).
EXTEND = True
MAX_EXTEND = 2
EXTEND_SHARED = 2
#: A sentence pair at the same end of a fragment in both texts that shares this many word
#: pairs (one of them a content word) is taken even if it makes the sides a little less
#: alike, as long as the fragment stays above :data:`FRAGMENT_COSINE`: two unrelated
#: sentences rarely share two such pairs; a reworded one keeps them.
EDGE_PHRASES = 2
EDGE_DICE = 0.2
#: A neighbouring sentence whose stems shared with the other side would come by chance
#: no more often than this is taken too, as long as the fragment stays above
#: :data:`FRAGMENT_COSINE` (see :func:`_corroborated`).
GROW_SURPRISE = 1e-2


@dataclass(frozen=True, slots=True)
class Extension:
    """A group of seeds as a passage.

    Attributes:
        src, copy: ``[start, end)`` word ranges in the source and in the copy.
        similarity: cosine of the two sides' tf-idf bags.
        grown: sentences the growth added (see :func:`extend`).
    """

    src: tuple[int, int]
    copy: tuple[int, int]
    similarity: float
    grown: int = 0


def _split(seeds: list[Seed], axis: int, gap: int) -> list[list[Seed]]:
    seeds = sorted(seeds, key=lambda s: (s[axis], s[1 - axis]))
    groups: list[list[Seed]] = []
    for s in seeds:
        if groups and s[axis] - groups[-1][-1][axis] <= gap:
            groups[-1].append(s)
        else:
            groups.append([s])
    return groups


def cluster(seeds: list[Seed], gap: int) -> list[list[Seed]]:
    """Split seeds where more than ``gap`` sentences pass without one, in the source and
    then in the copy, until no group splits further."""
    todo, done = [seeds], []
    while todo:
        group = todo.pop()
        parts = _split(group, 0, gap)
        if len(parts) == 1:
            parts = _split(group, 1, gap)
            if len(parts) == 1:
                done.append(group)
                continue
        todo.extend(parts)
    return done


def distinct(group: list[Seed]) -> list[Seed]:
    """A group of seeds without those that pair a sentence a second time, far (more than
    one sentence) from where a closer seed pairs it: a passage copies each sentence
    once (or splits it in two, side by side), so a weaker match of the same sentence
    elsewhere is another sentence on the same subject, and spanning it would stretch
    the passage over text that is not its copy."""
    if not ONE_TO_ONE or len(group) < 2:
        return group
    by_src: dict[int, Seed] = {}
    by_copy: dict[int, Seed] = {}
    for s in group:
        for best, k in ((by_src, s[0]), (by_copy, s[1])):
            b = best.get(k)
            if b is None or s[2] > b[2]:
                best[k] = s
    return [
        s for s in group if abs(s[1] - by_src[s[0]][1]) <= 1 and abs(s[0] - by_copy[s[1]][0]) <= 1
    ]


def extend(
    group: Sequence[Seed], texts: Texts, grow: bool = False, measure: bool = True
) -> Extension:
    """The passage a group of seeds spans: from its first to its last sentence in each
    text, grown by neighbouring sentences when ``grow`` (see :func:`_grow`), trimmed to
    the content words the two sides share. ``measure``: whether its similarity is
    computed (else 0.0: a caller that needs only where it lies)."""
    i0, i1 = min(s[0] for s in group), max(s[0] for s in group)
    j0, j1 = min(s[1] for s in group), max(s[1] for s in group)
    sb, cb = texts.bag(i0, i1, False), texts.bag(j0, j1, True)
    sim = 0.0
    grown = 0
    if grow:
        va, vc = weigh(sb, texts.idf), weigh(cb, texts.idf)  # (grown a sentence at a time)
        sim = similarity(sb, cb, texts.idf, texts.synonyms, va, vc, texts.synonym_stems)
        seeded = i1 - i0 + j1 - j0
        (i0, i1, j0, j1), sb, cb, sim = _grow((i0, i1, j0, j1), (sb, va), (cb, vc), sim, texts)
        grown = i1 - i0 + j1 - j0 - seeded
    elif measure:
        sim = similarity(sb, cb, texts.idf, texts.synonyms, among=texts.synonym_stems)
    return Extension(
        trim(texts.src_words, texts.src_units[i0][0], texts.src_units[i1][1], cb),
        trim(texts.copy_words, texts.copy_units[j0][0], texts.copy_units[j1][1], sb),
        sim,
        grown,
    )


class _UnitGrams:
    """The word pairs of each unit, made when first asked for (only the sentences at a
    fragment's ends are)."""

    def __init__(self, words: Sequence[str], units: Sequence[tuple[int, int]]) -> None:
        self.words, self.units = words, units
        self.made: dict[int, set[tuple[str, str]]] = {}

    def __getitem__(self, k: int) -> set[tuple[str, str]]:
        if k not in self.made:
            s, e = self.units[k]
            ws = self.words[s:e]
            self.made[k] = {
                (a, b) for a, b in zip(ws, ws[1:], strict=False) if not (a in STOP and b in STOP)
            }
        return self.made[k]


def phrases(a: set[tuple[str, str]], b: set[tuple[str, str]]) -> bool:
    """Whether two sentences share :data:`EDGE_PHRASES` word pairs with a content word
    in them ("the interviewers", "matter is"): what a rewording that replaced most
    content words keeps of a sentence (its frame, in order)."""
    shared = len(a & b)
    return shared >= EDGE_PHRASES and 2 * shared >= EDGE_DICE * (len(a) + len(b))


def _grow(
    bounds: tuple[int, int, int, int],
    src_side: tuple[Counter[str], Vector],
    copy_side: tuple[Counter[str], Vector],
    sim: float,
    texts: Texts,
) -> tuple[tuple[int, int, int, int], Counter[str], Counter[str], float]:
    """Grow a fragment by the sentence just before or after it, in either text or in
    both at once, while that makes its two sides more alike (Kong et al.'s and
    Sanchez-Perez et al.'s extension, here one step at a time). A step is taken only
    when each sentence it adds shares at least :data:`EXTEND_SHARED` stems with the
    other side (as grown) and the cosine of the two sides does not fall, or when the
    step adds a sentence pair that kept its frame (:func:`phrases`) and the fragment
    stays at :data:`FRAGMENT_COSINE`; at most :data:`MAX_EXTEND` steps at each end, so
    the cost is bounded. ``src_side``, ``copy_side``: each side's bag and its vector
    (:func:`weigh`); a side grown by a sentence is weighed from its vector."""
    i0, i1, j0, j1 = bounds
    (sb, va), (cb, vc) = src_side, copy_side
    src_bags, copy_bags, idf = texts.src_bags, texts.copy_bags, texts.idf
    src_grams = _UnitGrams(texts.src_words, texts.src_units)
    copy_grams = _UnitGrams(texts.copy_words, texts.copy_units)
    # a move: (source sentence or -1, copy sentence or -1, end: 0 before, 1 after)
    taken = [0, 0]
    while True:
        best: tuple[float, int, int, int] | None = None
        # the sides grown by each sentence (-1: none), and their vectors, made once a
        # step (a sentence is tried alone and with its pair)
        grown_s: dict[int, Counter[str]] = {-1: sb}
        grown_c: dict[int, Counter[str]] = {-1: cb}
        weighed: dict[int, Vector] = {-1: va}
        weighed_c: dict[int, Vector] = {-1: vc}
        held = _Held(texts, sb, cb)
        for end in (0, 1):
            if taken[end] >= MAX_EXTEND:
                continue
            i = i0 - 1 if end == 0 else i1 + 1
            j = j0 - 1 if end == 0 else j1 + 1
            i = i if 0 <= i < len(src_bags) else -1
            j = j if 0 <= j < len(copy_bags) else -1
            for di, dj in ((i, -1), (-1, j), (i, j)):
                if di < 0 and dj < 0:
                    continue
                gs = grown_s.get(di)
                if gs is None:
                    gs = grown_s[di] = plus(sb, src_bags[di])
                gc = grown_c.get(dj)
                if gc is None:
                    gc = grown_c[dj] = plus(cb, copy_bags[dj])
                edge = di >= 0 and dj >= 0 and phrases(src_grams[di], copy_grams[dj])
                shares = (di < 0 or _shares(src_bags[di], gc)) and (
                    dj < 0 or _shares(copy_bags[dj], gs)
                )
                if not edge and not shares:
                    continue
                vs = weighed.get(di)
                if vs is None:
                    vs = weighed[di] = weigh_more(va[0], gs, src_bags[di], idf)
                vt = weighed_c.get(dj)
                if vt is None:
                    vt = weighed_c[dj] = weigh_more(vc[0], gc, copy_bags[dj], idf)
                cos = similarity(gs, gc, idf, texts.synonyms, vs, vt, texts.synonym_stems)
                floor = sim
                if edge or (
                    (di < 0 or _corroborated(texts, src_bags[di], gc, False, held(False, dj)))
                    and (dj < 0 or _corroborated(texts, copy_bags[dj], gs, True, held(True, di)))
                ):
                    floor = min(sim, FRAGMENT_COSINE)
                if cos >= floor and (best is None or cos > best[0]):
                    best = (cos, di, dj, end)
        if best is None:
            return (i0, i1, j0, j1), sb, cb, sim
        sim, di, dj, end = best
        taken[end] += 1
        if di >= 0:
            sb, va = grown_s[di], weighed[di]
            i0, i1 = min(i0, di), max(i1, di)
        if dj >= 0:
            cb, vc = grown_c[dj], weighed_c[dj]
            j0, j1 = min(j0, dj), max(j1, dj)


class _Held:
    """:meth:`Texts.held` of a fragment's source side grown by a sentence (asked with
    ``copy``: by the copy's unit counts) or of its copy side grown by one (by the
    source's), made once a step; a grown side's from its side's (exact: whole numbers)."""

    def __init__(self, texts: Texts, sb: Counter[str], cb: Counter[str]) -> None:
        self.texts, self.sb, self.cb = texts, sb, cb
        self.made: dict[tuple[bool, int], int] = {}

    def __call__(self, copy: bool, d: int) -> int:
        """The sum for the side grown by sentence ``d`` (-1: the side itself)."""
        got = self.made.get((copy, d))
        if got is None:
            texts, side = self.texts, self.sb if copy else self.cb
            if d < 0:
                got = texts.held(side, copy)
            else:
                count = (texts.in_copy if copy else texts.in_src).get
                added = (texts.src_bags if copy else texts.copy_bags)[d]
                got = self(copy, -1) + sum([count(t, 0) for t in added if t not in side])
            self.made[(copy, d)] = got
        return got


def _shares(bag: Counter[str], other: Counter[str]) -> bool:
    return sum(1 for t in bag if t in other) >= EXTEND_SHARED


def _corroborated(
    texts: Texts, bag: Counter[str], other: Counter[str], copy: bool, held: int | None = None
) -> bool:
    """Whether a sentence next to a fragment shares more stems with the fragment's other
    side than chance would give it, at :data:`GROW_SURPRISE`: a sentence of the
    passage reworded too far to be a seed on its own (a shuffle, synonyms, a clause
    cut) still carries some of its content words; an unrelated neighbour shares the
    text's common words only. The level is looser than a seed's (``SURPRISE``) since
    only the few sentences at a fragment's ends are tried, not every pair of the two
    texts."""
    n = sum(1 for t in bag if t in other)
    return n >= EXTEND_SHARED and rare(n, texts.chance(bag, other, copy, held), GROW_SURPRISE)


def trim(words: Sequence[str], lo: int, hi: int, other: Counter[str]) -> tuple[int, int]:
    """``[lo, hi)`` without the words at either end before the first content word the
    other side shares (a passage copied from mid-sentence starts there)."""

    def shared(i: int) -> bool:
        w = words[i]
        return w not in STOP and w[:STEM] in other

    a, b = lo, hi
    while a < b and not shared(a):
        a += 1
    while b > a and not shared(b - 1):
        b -= 1
    return (a, b) if a < b else (lo, hi)
