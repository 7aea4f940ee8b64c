"""Stage 5b: find reworded passages, sentence by sentence (seed, extend, filter).

``align`` finds the source passages a copy reproduces with most words in order. Text
that was reworded (synonyms, clauses reordered, words shuffled, translated into another
language and back) keeps its *content words* but not their order, and falls under
``align``'s similarity. This stage finds it the way the best systems of the PAN
text-alignment tasks do (Sanchez-Perez, Sidorov and Gelbukh 2014; Torrejón and Ramos
2013; Kong et al. 2014):

1. **Seeding.** Every sentence is a bag of content words (stop words dropped, each
   word cut to its first :data:`STEM` characters, so that "destroyed" and "destruction"
   or a translation's other inflection still meet), weighted by tf-idf with the idf
   taken over the sentences of both texts. A (source sentence, copy sentence) pair is a
   seed when its cosine and its Dice coefficient both reach :data:`SEED_COSINE` and
   :data:`SEED_DICE`, and the two sentences share at least :data:`SEED_SHARED` stems and
   :data:`SURPRISE` times what chance would give them.
2. **Extension.** Seeds are grouped into fragments: sorted by source sentence and cut
   where :data:`MAX_GAP` sentences pass without a seed, then the same in the copy,
   repeated until nothing changes (Sanchez-Perez et al.'s clustering). A fragment whose
   two sides, taken as wholes, are less alike than :data:`FRAGMENT_COSINE` is
   clustered again with a smaller gap.
3. **Filtering.** Of fragments that overlap in the copy, the one with more evidence
   (similarity x words) is kept; a fragment of one seed counts (``found``) only when it
   is long (:data:`MIN_WORDS`) and close (:data:`CLOSE_SEED`).

Everything here is on word indexes; the scorer turns them into character offsets.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

#: Characters of a word kept as its stem (a cheap, language-blind stemmer).
STEM = 5
#: Words of a text above which reworded passages are not searched (only passages aligned
#: word by word are found, and the score says so): the search's cost grows with the
#: sentences both texts share, and a 600,000-word page of one article repeated would
#: take seconds a candidate.
MAX_DETECT_WORDS = 200_000
#: Units (sentences, lines) shorter than this are joined to the next.
MIN_UNIT_WORDS = 10
#: Least cosine and Dice coefficient of a seed (Sanchez-Perez et al.: 0.33 and 0.33).
SEED_COSINE = 0.33
SEED_DICE = 0.33
#: Least stems a seed's two sentences share (two sentences sharing one word are not a seed).
SEED_SHARED = 3
#: The most likely a seed's shared stems may be by chance (Poisson, with the mean two
#: sentences of these lengths would share, from how many copy sentences each source
#: stem stands in): texts written in one vocabulary share words everywhere.
SURPRISE = 1e-3
#: Sentences without a seed that a fragment may bridge.
MAX_GAP = 4
#: A summary: sentences without a seed bridged in the source, and how much shorter its
#: copy side is than its source side (Sanchez-Perez et al.'s summary strategy).
SUMMARY_GAP = 24
SUMMARY_RATIO = 0.5
#: A summary's seeds may also be condensed sentences: this share of the shorter
#: sentence's stems in the other, at this cosine.
SUMMARY_OVERLAP = 0.5
SUMMARY_COSINE = 0.25
#: Least share of a summary's content (idf-weighted stems) found in its source side.
SUMMARY_CONTAINED = 0.5
#: A would-be summary is a same-length rewording instead when source sentences no
#: longer than twice its copy side hold nine tenths of what its whole source side holds
#: of the copy's content (see :func:`_compact`): real summaries condense their source
#: three times or more (a summary a third of its source already leaves two thirds of the
#: source out of any window twice its length).
COMPACT_RATIO = 2.0
COMPACT_SHARE = 0.9
#: Least cosine of a fragment's two sides taken as wholes.
FRAGMENT_COSINE = 0.34
#: A fragment of one seed counts as found only with this many words on each side and
#: this cosine (a long sentence closely reworded).
MIN_WORDS = 20
CLOSE_SEED = 0.6
#: Extension: whether fragments grow by neighbouring sentences (see :func:`_extend`), by
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
#: Source sentences a copy sentence is compared with at most (the best by shared stems).
_MAX_PAIRS = 64
#: A stem in more source sentences than this does not propose pairs (it still counts in
#: the pairs other stems propose): a text of few words repeated would otherwise pair
#: every sentence with every other one.
_MAX_STEM_UNITS = 64

#: Function words of English, the language of most copies checked; in other languages
#: the idf weighting does the same work (frequent words weigh little).
_STOP = frozenset(
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


@dataclass(frozen=True, slots=True)
class Fragment:
    """A reworded passage: source words ``src`` rewritten as copy words ``copy``.

    Attributes:
        src, copy: ``[start, end)`` word ranges in the source and in the copy.
        similarity: cosine of the two sides' tf-idf vectors of content-word stems.
        seeds: sentence pairs that support it.
        found: whether it counts as copied (one short seed alone does not).
        summary: whether it is a summary (its copy side much shorter; its similarity
            is then the share of the copy side's content found in the source side).
        grown: sentences the extension added to it (see :func:`_extend`).
    """

    src: tuple[int, int]
    copy: tuple[int, int]
    similarity: float
    seeds: int
    found: bool = True
    summary: bool = False
    grown: int = 0


def stems(words: Sequence[str]) -> list[str]:
    """The content-word stems of some words, in order."""
    return [w[:STEM] for w in words if w not in _STOP and any(c.isalpha() for c in w)]


def _vectors(words: Sequence[str], units: Sequence[tuple[int, int]]) -> list[Counter[str]]:
    return [Counter(stems(words[s:e])) for s, e in units]


def _weigh(bag: Counter[str], idf: dict[str, float]) -> tuple[dict[str, float], float]:
    vec = {t: (1 + math.log(n)) * idf[t] for t, n in bag.items()}
    return vec, math.sqrt(sum(v * v for v in vec.values()))


def _cosine(a: dict[str, float], na: float, b: dict[str, float], nb: float) -> float:
    if not na or not nb:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items()) / (na * nb)


def _joined(units: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Units of fewer than :data:`MIN_UNIT_WORDS` words joined to the next one they
    touch: a text cut into short lines (verse, a table, a list) still has sentences."""
    out: list[tuple[int, int]] = []
    for s, e in units:
        if out and out[-1][1] == s and out[-1][1] - out[-1][0] < MIN_UNIT_WORDS:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _tail(n: int, mean: float) -> float:
    """P(X >= n) for X Poisson with this mean."""
    term, below = math.exp(-mean), 0.0
    for k in range(n):
        below += term
        term *= mean / (k + 1)
    return max(0.0, 1.0 - below)


def _seeds(
    src_bags: list[Counter[str]], copy_bags: list[Counter[str]], idf: dict[str, float]
) -> tuple[list[tuple[int, int, float]], list[tuple[int, int, float]]]:
    """``(source unit, copy unit, cosine)`` of every seed, and of the pairs that only
    summary seeds (a condensed sentence: most of the shorter one's stems in the other)."""
    src_vecs = [_weigh(b, idf) for b in src_bags]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, b in enumerate(src_bags):
        for t in b:
            postings[t].append(i)
    # how often a stem of the source stands in a copy sentence, to expect chance overlap
    in_copy: Counter[str] = Counter()
    for bag in copy_bags:
        in_copy.update(bag.keys())
    n_copy = max(1, len(copy_bags))
    mean_len = max(1.0, sum(len(b) for b in copy_bags) / n_copy)
    chance = [sum(in_copy[t] for t in b) / n_copy / mean_len for b in src_bags]
    out: list[tuple[int, int, float]] = []
    loose: list[tuple[int, int, float]] = []
    for j, bag in enumerate(copy_bags):
        if len(bag) < SEED_SHARED:
            continue
        # candidates come from the stems in few source sentences (rare anchors); the
        # stems in many only add to the count of the candidates they found
        shared: Counter[int] = Counter()
        common = []
        for t in bag:
            units = postings.get(t, ())
            if len(units) > _MAX_STEM_UNITS:
                common.append(t)
                continue
            for i in units:
                shared[i] += 1
        if common:
            pairs = shared.most_common(2 * _MAX_PAIRS)
            shared = Counter({i: n + sum(t in src_bags[i] for t in common) for i, n in pairs})
        cv, cn = _weigh(bag, idf)
        for i, n in shared.most_common(_MAX_PAIRS):
            if n < SEED_SHARED:
                break
            if _tail(n, chance[i] * len(bag)) > SURPRISE:
                continue  # no more than two texts of one vocabulary share by chance
            dice = 2 * n / (len(src_bags[i]) + len(bag))
            summary = n >= SUMMARY_OVERLAP * min(len(src_bags[i]), len(bag))
            if dice < SEED_DICE and not summary:
                continue
            cos = _cosine(src_vecs[i][0], src_vecs[i][1], cv, cn)
            if cos >= SEED_COSINE and dice >= SEED_DICE:
                out.append((i, j, cos))
            elif summary and cos >= SUMMARY_COSINE:
                loose.append((i, j, cos))
    return out, loose


def _split(
    seeds: list[tuple[int, int, float]], axis: int, gap: int
) -> list[list[tuple[int, int, float]]]:
    seeds = sorted(seeds, key=lambda s: (s[axis], s[1 - axis]))
    groups: list[list[tuple[int, int, float]]] = []
    for s in seeds:
        if groups and s[axis] - groups[-1][-1][axis] <= gap:
            groups[-1].append(s)
        else:
            groups.append([s])
    return groups


def _cluster(seeds: list[tuple[int, int, float]], gap: int) -> list[list[tuple[int, int, float]]]:
    """Split seeds where ``gap`` sentences pass without one, in the source and then in
    the copy, until no group splits further."""
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


_CopySide = tuple[list[tuple[int, int]], list[Counter[str]]]
#: The copy's sentences and bags of the last call (a check compares one copy with many
#: candidate sources): kept with the words and sentences they were made from.
_last_copy: tuple[Sequence[str], tuple[tuple[int, int], ...], _CopySide] | None = None


def _copy_side(words: Sequence[str], units: Sequence[tuple[int, int]]) -> _CopySide:
    global _last_copy  # noqa: PLW0603 - a one-entry memo, replaced whole (thread-safe)
    key = tuple(units)
    last = _last_copy
    if last is not None and last[0] is words and isinstance(words, tuple) and last[1] == key:
        return last[2]
    joined = _joined(units)
    side = (joined, _vectors(words, joined))
    _last_copy = (words, key, side)
    return side


def detect(
    src_words: Sequence[str],
    src_units: Sequence[tuple[int, int]],
    copy_words: Sequence[str],
    copy_units: Sequence[tuple[int, int]],
) -> tuple[Fragment, ...]:
    """Reworded passages of the source in the copy (see the module docstring).

    Args:
        src_words, copy_words: the two texts' matching words.
        src_units, copy_units: their sentences, as ``[start, end)`` word ranges in order.
    """
    src_units = _joined(src_units)
    copy_units, copy_bags = _copy_side(copy_words, copy_units)
    src_bags = _vectors(src_words, src_units)
    df: Counter[str] = Counter()
    for bag in (*src_bags, *copy_bags):
        df.update(bag.keys())
    n = len(src_bags) + len(copy_bags)
    idf = {t: math.log(1 + n / k) for t, k in df.items()}
    seeds, loose = _seeds(src_bags, copy_bags, idf)
    if not seeds:
        return ()

    def fragment(group: list[tuple[int, int, float]], extend: bool = False) -> Fragment:
        return _fragment(
            src_words, copy_words, group, src_units, copy_units, src_bags, copy_bags, idf, extend
        )

    fragments: list[Fragment] = []
    todo = [(g, MAX_GAP) for g in _cluster(seeds, MAX_GAP)]
    while todo:
        group, gap = todo.pop()
        frag = fragment(group, EXTEND)
        if frag.similarity >= FRAGMENT_COSINE or len(group) == 1:
            fragments.append(frag)
        elif gap > 0:
            todo.extend((g, gap - 1) for g in _cluster(group, gap - 1))
    summaries = []
    for group in _cluster(seeds + loose, SUMMARY_GAP):
        frag = fragment(group)
        size, short = frag.src[1] - frag.src[0], frag.copy[1] - frag.copy[0]
        if len(group) >= 2 and short < SUMMARY_RATIO * size:
            contained = _contained(group, src_bags, copy_bags, idf)
            if contained >= SUMMARY_CONTAINED and not _compact(
                group, contained, short, src_units, src_bags, copy_bags, idf
            ):
                summaries.append(replace(frag, similarity=contained, summary=True))
    if summaries:  # a summary replaces the pieces of it found with the small gap
        fragments = [f for f in fragments if not any(_inside(f, s) for s in summaries)]
        fragments += summaries
    return _filter(fragments)


def _contained(
    group: list[tuple[int, int, float]],
    src_bags: list[Counter[str]],
    copy_bags: list[Counter[str]],
    idf: dict[str, float],
) -> float:
    """The share of the copy side's content (idf-weighted stems) found in the source
    side: a summary is short, so a cosine of the two sides says little; what it says
    comes from the source."""
    i0, i1 = min(g[0] for g in group), max(g[0] for g in group)
    j0, j1 = min(g[1] for g in group), max(g[1] for g in group)
    src: set[str] = set()
    for i in range(i0, i1 + 1):
        src.update(src_bags[i])
    copy: set[str] = set()
    for j in range(j0, j1 + 1):
        copy.update(copy_bags[j])
    total = sum(idf[t] for t in copy)
    return sum(idf[t] for t in copy if t in src) / total if total else 0.0


def _compact(
    group: list[tuple[int, int, float]],
    contained: float,
    copy_words: int,
    src_units: Sequence[tuple[int, int]],
    src_bags: list[Counter[str]],
    copy_bags: list[Counter[str]],
    idf: dict[str, float],
) -> bool:
    """Whether a few source sentences, no longer than :data:`COMPACT_RATIO` times the
    copy side, hold almost all (:data:`COMPACT_SHARE`) of what the whole source side of
    a would-be summary holds of the copy side's content. A summary condenses a long
    passage, so no short stretch of its source explains it; a passage reworded at its
    own length does have one, and stretched into a "summary" it would claim every
    source sentence its names recur in (the shorter explanation is the right one)."""
    j0, j1 = min(g[1] for g in group), max(g[1] for g in group)
    copy: set[str] = set()
    for j in range(j0, j1 + 1):
        copy.update(copy_bags[j])
    total = sum(idf[t] for t in copy)
    if not total:
        return False
    limit = COMPACT_RATIO * copy_words
    for a in sorted({g[0] for g in group}):
        held: set[str] = set()
        for b in range(a, len(src_units)):
            if src_units[b][1] - src_units[a][0] > limit and b > a:
                break
            held.update(t for t in src_bags[b] if t in copy)
        if sum(idf[t] for t in held) / total >= COMPACT_SHARE * contained:
            return True
    return False


def _inside(f: Fragment, outer: Fragment) -> bool:
    return (
        outer.src[0] <= f.src[0]
        and f.src[1] <= outer.src[1]
        and outer.copy[0] <= f.copy[0]
        and f.copy[1] <= outer.copy[1]
    )


def _fragment(
    src_words: Sequence[str],
    copy_words: Sequence[str],
    group: list[tuple[int, int, float]],
    src_units: Sequence[tuple[int, int]],
    copy_units: Sequence[tuple[int, int]],
    src_bags: list[Counter[str]],
    copy_bags: list[Counter[str]],
    idf: dict[str, float],
    extend: bool = False,
) -> Fragment:
    i0, i1 = min(s[0] for s in group), max(s[0] for s in group)
    j0, j1 = min(s[1] for s in group), max(s[1] for s in group)
    sb: Counter[str] = Counter()
    cb: Counter[str] = Counter()
    for i in range(i0, i1 + 1):
        sb.update(src_bags[i])
    for j in range(j0, j1 + 1):
        cb.update(copy_bags[j])
    sim = _cosine(*_weigh(sb, idf), *_weigh(cb, idf))
    grown = 0
    if extend:
        seeded = i1 - i0 + j1 - j0
        grams = (_UnitGrams(src_words, src_units), _UnitGrams(copy_words, copy_units))
        (i0, i1, j0, j1), sb, cb, sim = _extend(
            (i0, i1, j0, j1), sb, cb, sim, src_bags, copy_bags, idf, grams
        )
        grown = i1 - i0 + j1 - j0 - seeded
    return Fragment(
        _trim(src_words, src_units[i0][0], src_units[i1][1], cb),
        _trim(copy_words, copy_units[j0][0], copy_units[j1][1], sb),
        sim,
        len(group),
        grown=grown,
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
                (a, b) for a, b in zip(ws, ws[1:], strict=False) if not (a in _STOP and b in _STOP)
            }
        return self.made[k]


_Grams = _UnitGrams


def _phrases(a: set[tuple[str, str]], b: set[tuple[str, str]]) -> bool:
    """Whether two sentences share :data:`EDGE_PHRASES` word pairs with a content word
    in them ("the interviewers", "matter is"): what a rewording that replaced most
    content words keeps of a sentence (its frame, in order)."""
    shared = len(a & b)
    return shared >= EDGE_PHRASES and 2 * shared >= EDGE_DICE * (len(a) + len(b))


def _extend(
    bounds: tuple[int, int, int, int],
    sb: Counter[str],
    cb: Counter[str],
    sim: float,
    src_bags: list[Counter[str]],
    copy_bags: list[Counter[str]],
    idf: dict[str, float],
    grams: tuple[_Grams, _Grams],
) -> tuple[tuple[int, int, int, int], Counter[str], Counter[str], float]:
    """Grow a fragment by the sentence just before or after it, in either text or in
    both at once, while that makes its two sides more alike (Kong et al.'s and
    Sanchez-Perez et al.'s extension, here one step at a time): a reworded passage often
    begins or ends with a sentence rewritten too far to be a seed on its own, yet it
    still shares content words with the other side. A step is taken only when each
    sentence it adds shares at least :data:`EXTEND_SHARED` stems with the other side (as
    grown) and the cosine of the two sides does not fall; at most :data:`MAX_EXTEND`
    steps at each end, so the cost is bounded."""
    i0, i1, j0, j1 = bounds
    src_grams, copy_grams = grams
    # a move: (source sentence or -1, copy sentence or -1, end: 0 before, 1 after)
    taken = [0, 0]
    while True:
        best: tuple[float, int, int, int] | None = None
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
                gs = sb + src_bags[di] if di >= 0 else sb
                gc = cb + copy_bags[dj] if dj >= 0 else cb
                edge = di >= 0 and dj >= 0 and _phrases(src_grams[di], copy_grams[dj])
                if not edge and di >= 0 and sum(1 for t in src_bags[di] if t in gc) < EXTEND_SHARED:
                    continue
                if (
                    not edge
                    and dj >= 0
                    and sum(1 for t in copy_bags[dj] if t in gs) < EXTEND_SHARED
                ):
                    continue
                cos = _cosine(*_weigh(gs, idf), *_weigh(gc, idf))
                floor = min(sim, FRAGMENT_COSINE) if edge else sim
                if cos >= floor and (best is None or cos > best[0]):
                    best = (cos, di, dj, end)
        if best is None:
            return (i0, i1, j0, j1), sb, cb, sim
        sim, di, dj, end = best
        taken[end] += 1
        if di >= 0:
            sb = sb + src_bags[di]
            i0, i1 = min(i0, di), max(i1, di)
        if dj >= 0:
            cb = cb + copy_bags[dj]
            j0, j1 = min(j0, dj), max(j1, dj)


def _trim(words: Sequence[str], lo: int, hi: int, other: Counter[str]) -> tuple[int, int]:
    """``[lo, hi)`` without the words at either end before the first content word the
    other side shares (a passage copied from mid-sentence starts there)."""

    def shared(i: int) -> bool:
        w = words[i]
        return w not in _STOP and w[:STEM] in other

    a, b = lo, hi
    while a < b and not shared(a):
        a += 1
    while b > a and not shared(b - 1):
        b -= 1
    return (a, b) if a < b else (lo, hi)


def _filter(fragments: list[Fragment]) -> tuple[Fragment, ...]:
    """Mark short lone fragments as not found and, of fragments overlapping in the
    copy, keep only the one with the most evidence (found ones first)."""
    marked = []
    for f in fragments:
        size = min(f.src[1] - f.src[0], f.copy[1] - f.copy[0])
        close = f.similarity >= CLOSE_SEED or (f.grown and f.similarity >= FRAGMENT_COSINE)
        lone = f.seeds == 1 and (size < MIN_WORDS or not close)
        marked.append(replace(f, found=not lone))
    marked.sort(
        key=lambda f: (not f.found, -f.similarity * (f.src[1] - f.src[0] + f.copy[1] - f.copy[0]))
    )
    out: list[Fragment] = []
    for f in marked:
        if any(f.copy[0] < g.copy[1] and g.copy[0] < f.copy[1] for g in out):
            continue
        out.append(f)
    return tuple(sorted(out, key=lambda f: f.src))
