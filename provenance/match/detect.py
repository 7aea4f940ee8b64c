"""Stage 5b: find reworded passages, sentence by sentence (seed, extend, filter).

``align`` finds the source passages a copy reproduces with most words in order. Text
that was reworded (synonyms, clauses reordered, words shuffled, translated into another
language and back) keeps its *content words* but not their order, and falls under
``align``'s similarity. This stage finds it the way the best systems of the PAN
text-alignment tasks do (Sanchez-Perez, Sidorov and Gelbukh 2014; Torrejón and Ramos
2013; Kong et al. 2014):

1. **Seeding.** Every sentence is a bag of content-word stems
   (:mod:`provenance.match.bags`), weighted by tf-idf with the idf taken over the
   sentences of both texts. A (source sentence, copy sentence) pair is a
   seed when its cosine and its Dice coefficient both reach :data:`SEED_COSINE` and
   :data:`SEED_DICE`, and the two sentences share at least :data:`SEED_SHARED` stems and
   :data:`SURPRISE` times what chance would give them. A copy sentence that seeds with
   no source sentence so may still seed when its words count as the source words they
   are WordNet synonyms of (what an article spinner does: :class:`_BySynonyms`).
2. **Extension** (:mod:`provenance.match.extend`). Seeds are grouped into fragments:
   sorted by source sentence and cut where ``MAX_GAP`` sentences pass without a seed,
   then the same in the copy, repeated until nothing changes (Sanchez-Perez et al.'s
   clustering), and each fragment grows by the sentences at its ends that carry its
   content on. A fragment whose two sides, taken as wholes, are less alike than
   ``FRAGMENT_COSINE`` is clustered again with a smaller gap.
3. **Filtering.** Of fragments that overlap in the copy, the one with more evidence
   (similarity x words) is kept; a fragment of one seed counts (``found``) only when it
   is long (:data:`MIN_WORDS`) and close (:data:`CLOSE_SEED`).

Everything here is on word indexes; the scorer turns them into character offsets.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import chain
from typing import TYPE_CHECKING

from provenance.match.bags import STEM, SYNONYM_WEIGHT, Vector, cosine, matched, rare, weigh
from provenance.match.extend import (
    EXTEND,
    FRAGMENT_COSINE,
    MAX_GAP,
    Extension,
    Seed,
    cluster,
    distinct,
    extend,
    texts_of,
)
from provenance.match.sides import (
    Side,
    copy_side,
    source_side,
)
from provenance.match.summary import SUMMARY_COSINE, SUMMARY_OVERLAP, Blocks, find_summaries

if TYPE_CHECKING:
    from provenance.match.synonyms import Relation

#: Words of a text above which reworded passages are not searched (only passages aligned
#: word by word are found, and the score says so): the search's cost grows with the
#: sentences both texts share, and a 600,000-word page of one article repeated would
#: take seconds a candidate.
MAX_DETECT_WORDS = 200_000
#: Least cosine and Dice coefficient of a seed (Sanchez-Perez et al.: 0.33 and 0.33).
SEED_COSINE = 0.33
SEED_DICE = 0.33
#: Least stems a seed's two sentences share (two sentences sharing one word are not a seed).
SEED_SHARED = 3
#: The most likely a seed's shared stems may be by chance (Poisson, with the mean two
#: sentences of these lengths would share, from how many copy sentences each source
#: stem stands in): texts written in one vocabulary share words everywhere.
SURPRISE = 1e-3
#: A fragment of one seed counts as found only with this many words on each side and
#: this cosine (a long sentence closely reworded).
MIN_WORDS = 20
CLOSE_SEED = 0.6
#: Whether a copy word that is a WordNet synonym of a source word counts towards a seed
#: of a copy sentence that has none by its own stems, and in a fragment's similarity (see
#: :class:`_BySynonyms` and :mod:`provenance.match.synonyms`): an article spinner
#: replaces words by thesaurus synonyms.
SYNONYMS = True
#: Source sentences a copy sentence is compared with at most (the best by shared stems).
_MAX_PAIRS = 64


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


def _synonyms(src: Side, copy: Side) -> Relation:
    """Synonymy between the two texts' stems, from their sides (each text's stems' rows
    made once a text; the table loads on first use)."""
    from provenance.match.synonyms import Relation, table

    t = table()
    return Relation.of([src.by_stem, copy.by_stem], t, [src.stem_rows(t), copy.stem_rows(t)])


def _seeds(
    src: Side,
    copy: Side,
    idf: dict[str, float],
    synonyms: Relation | None = None,
    foreign: Sequence[bool] = (),
) -> tuple[list[tuple[int, int, float]], list[tuple[int, int, float]]]:
    """``(source unit, copy unit, cosine)`` of every seed, and of the pairs that only
    summary seeds (a condensed sentence: most of the shorter one's stems in the other).
    ``foreign``: which copy units are in a language the synonym table does not hold (not
    searched by synonyms)."""
    src_bags, copy_bags = src.bags, copy.bags
    few, frequent = src.anchors
    anchors = few.get
    src_vecs = _Vectors(src_bags, idf)
    # how often a stem of the source stands in a copy sentence, to expect chance overlap
    in_copy = copy.holding
    n_copy = max(1, len(copy_bags))
    mean_len = max(1.0, sum(len(b) for b in copy_bags) / n_copy)
    held = in_copy.get
    chance: list[float | None] = [None] * len(src_bags)  # (made for the pairs tried)
    out: list[tuple[int, int, float]] = []
    loose: list[tuple[int, int, float]] = []
    unseeded: list[tuple[int, Counter[int]]] = []  # copy sentences without a seed
    for j, bag in enumerate(copy_bags):
        if len(bag) < SEED_SHARED:
            continue
        # candidates come from the stems in few source sentences (rare anchors, their
        # sentences counted in C, in the bag's order); the stems in many only add to the
        # count of the candidates they found
        shared = Counter(chain.from_iterable([u for t in bag if (u := anchors(t))]))
        common = [t for t in bag if t in frequent] if frequent else None
        if common:
            pairs = shared.most_common(2 * _MAX_PAIRS)
            shared = Counter({i: n + sum(t in src_bags[i] for t in common) for i, n in pairs})
        cvec: Vector | None = None
        seeded = set()
        for i, n in shared.most_common(_MAX_PAIRS):
            if n < SEED_SHARED:
                break
            expect = chance[i]
            if expect is None:
                expect = chance[i] = sum([held(t, 0) for t in src_bags[i]]) / n_copy / mean_len
            if not rare(n, expect * len(bag), SURPRISE):
                continue  # no more than two texts of one vocabulary share by chance
            dice = 2 * n / (len(src_bags[i]) + len(bag))
            summary = n >= SUMMARY_OVERLAP * min(len(src_bags[i]), len(bag))
            if dice < SEED_DICE and not summary:
                continue
            if cvec is None:
                cvec = weigh(bag, idf)
            cos = cosine(*src_vecs[i], *cvec)
            if cos >= SEED_COSINE and dice >= SEED_DICE:
                out.append((i, j, cos))
                seeded.add(i)
            elif summary and cos >= SUMMARY_COSINE:
                loose.append((i, j, cos))
        if not seeded and not (j < len(foreign) and foreign[j]):
            unseeded.append((j, shared))
    if synonyms is not None and unseeded:
        by_synonyms = _BySynonyms(src, copy, src_vecs, n_copy * mean_len, idf, synonyms)
        for j, shared in unseeded:
            out.extend((i, j, cos) for i, cos in by_synonyms.seeds(copy_bags[j], shared))
    return out, loose


class _Vectors:
    """Each source unit's tf-idf vector (:func:`weigh`), made when first asked for: few
    of a source's sentences are ever compared with a copy sentence."""

    def __init__(self, bags: list[Counter[str]], idf: dict[str, float]) -> None:
        self.bags, self.idf = bags, idf
        self.made: list[Vector | None] = [None] * len(bags)

    def __getitem__(self, i: int) -> Vector:
        got = self.made[i]
        if got is None:
            got = self.made[i] = weigh(self.bags[i], self.idf)
        return got


class _BySynonyms:
    """Seeds whose sentences share enough stems only when a copy stem may stand for a
    WordNet synonym of a source stem (what an article spinner does: "the range of the
    map" -> "the extent of the map"). A synonym counts for
    :data:`provenance.match.bags.SYNONYM_WEIGHT` of a word in the Dice coefficient
    and the cosine, and the chance test expects the overlap a source sentence's stems
    *and their synonyms* would have with a copy sentence by chance: a word with many
    synonyms (a common verb) is met by chance more often, and proves less."""

    def __init__(
        self,
        src: Side,
        copy: Side,
        src_vecs: _Vectors,
        slots: float,
        idf: dict[str, float],
        synonyms: Relation,
    ) -> None:
        self.src_bags, self.src_vecs, self.postings = src.bags, src_vecs, src.postings
        self.in_copy, self.slots, self.idf, self.synonyms = copy.holding, slots, idf, synonyms
        self.src, self.copy = src, copy
        self.chance: dict[int, float] = {}
        self.units: dict[str, tuple[int, ...]] | None = None

    def _all_units(self) -> dict[str, tuple[int, ...]]:
        """The source sentences, in order, that hold a word in a synonym set of each copy
        stem's words (by the stems in few sentences, as for the seeds by the same stem),
        but for the stem's own sentences; stems with none left out. A stem's rows are
        those of its words in either text (:meth:`Relation.rows`), and a row's sentences
        are the source's own (:meth:`Side.row_units`) and those of a source stem by the
        copy's words with that stem the source lacks (:meth:`_by_copy_words`). Made for
        all stems at once: most stems meet no row with a source sentence, so the source's
        part by its own words' rows comes made (:meth:`Side.near_units`, once a source)
        and only the rows the copy adds are walked here."""
        table, src, copy = self.synonyms.table, self.src, self.copy
        held = copy.holding
        of_row, own_rows, copy_rows = (
            src.row_units(table),
            src.stem_rows(table),
            copy.stem_rows(table),
        )
        near = {s: set(u) for s, u in src.near_units(table).items() if s in held}
        # the source's sentences in the rows of the copy's words that its own words lack
        for s, rows in copy_rows.items():
            own = own_rows.get(s)
            more = rows - own if own else rows
            got = near.get(s)
            for k in more:
                there = of_row.get(k)
                if there:
                    if got is None:
                        got = near[s] = set()
                    got.update(there)
        # the source's sentences filed under a row by the copy's words: every stem of
        # either text with a word in that row
        by_copy = self._by_copy_words()
        if by_copy:
            src_stems, copy_stems = src.row_stems(table), copy.row_stems(table)
            for k, units in by_copy.items():
                for s in copy_stems.get(k, ()):
                    near.setdefault(s, set()).update(units)
                for s in src_stems.get(k, ()):
                    if s in held:
                        near.setdefault(s, set()).update(units)
        out: dict[str, tuple[int, ...]] = {}
        postings = self.postings
        for s, found in near.items():
            found.difference_update(postings.get(s, ()))  # the stem itself is there
            if found:
                out[s] = tuple(sorted(found))  # (not the set's order)
        return out

    def _by_copy_words(self) -> dict[int, set[int]]:
        """The source sentences of each table row by the copy's words whose stem the
        source has (in few sentences) in other words: a stem's rows are those of its
        words in either text. The words are those of the copy the source lacks (a set
        difference, each side's words made once a text)."""
        by_row: dict[int, set[int]] = {}
        few, rows_of = self.src.anchors[0].get, self.synonyms.table.rows_of
        for w in self.copy.words - self.src.words:
            units = few(w[:STEM])  # (in at most MAX_STEM_UNITS sentences)
            if units:
                for k in rows_of(w):
                    got = by_row.get(k)
                    if got is None:
                        by_row[k] = set(units)
                    else:
                        got.update(units)
        return by_row

    def _chance(self, i: int) -> float:
        got = self.chance.get(i)
        if got is None:
            near = set(self.src_bags[i])
            for t in self.src_bags[i]:
                near |= self.synonyms(t)
            held = self.in_copy.get
            got = self.chance[i] = sum([held(t, 0) for t in near]) / self.slots
        return got

    def seeds(self, bag: Counter[str], shared: Counter[int]) -> list[tuple[int, float]]:
        """``(source unit, cosine)`` of the seeds of a copy sentence with this ``bag``
        that its synonyms make (``shared``: the candidates its own stems found)."""
        cached = self.units
        if cached is None:
            cached = self.units = self._all_units()
        extra = [units for t in bag if (units := cached.get(t))]
        if not extra:
            return []
        found: Counter[int] = Counter(shared)
        for units in extra:
            found.update(units)
        out = []
        for i, total in found.most_common(_MAX_PAIRS):
            if total < SEED_SHARED:
                break
            if total == shared.get(i, 0):
                continue  # no synonym here: the plain pass has judged this pair
            src = self.src_bags[i]
            if 2 * total < SEED_DICE * (len(src) + len(bag)):
                continue  # too few stems and synonyms found for the Dice coefficient
            n, m, weights = matched(src, bag, self.synonyms)
            if not m or n + m < SEED_SHARED:
                continue
            if 2 * (n + SYNONYM_WEIGHT * m) < SEED_DICE * (len(src) + len(bag)):
                continue
            vec = {t: w * self.idf[t] for t, w in weights.items()}
            norm = math.sqrt(sum(v * v for v in vec.values()))
            cos = cosine(*self.src_vecs[i], vec, norm)
            if cos >= SEED_COSINE and rare(n + m, self._chance(i) * len(bag), SURPRISE):
                out.append((i, cos))
        return out


def detect(
    src_words: Sequence[str],
    src_units: Sequence[tuple[int, int]],
    copy_words: Sequence[str],
    copy_units: Sequence[tuple[int, int]],
    src_blocks: Blocks = (),
    copy_blocks: Blocks = (),
    foreign: Sequence[tuple[int, int]] = (),
) -> tuple[Fragment, ...]:
    """Reworded passages of the source in the copy (see the module docstring).

    Args:
        src_words, copy_words: the two texts' matching words.
        src_units, copy_units: their sentences, as ``[start, end)`` word ranges in order.
        src_blocks, copy_blocks: their blocks (lines, paragraphs), for the extent
            of a summary (see :mod:`provenance.match.summary`).
        foreign: ``[start, end)`` word ranges of the copy in a language the synonym
            table (English WordNet) does not hold: their sentences are not searched by
            synonyms (a word of another language that looks English is no synonym).
    """
    src, copy = source_side(src_words, src_units), copy_side(copy_words, copy_units)
    synonyms = _synonyms(src, copy) if SYNONYMS else None
    texts = texts_of(
        src_words,
        copy_words,
        src.units,
        copy.units,
        src.bags,
        copy.bags,
        synonyms,
        copy.holding,
        src.holding,
        src.flat,
        copy.flat,
        synonyms.stems if synonyms is not None else None,
    )
    seeds, loose = _seeds(src, copy, texts.idf, synonyms, _foreign(copy.units, foreign))
    if not seeds:
        return ()

    def fragment(group: list[Seed], grow: bool = False) -> Fragment:
        return _from(extend(group, texts, grow), len(group))

    fragments: list[Fragment] = []
    todo = [(distinct(g), MAX_GAP) for g in cluster(seeds, MAX_GAP)]
    while todo:
        group, gap = todo.pop()
        frag = fragment(group, EXTEND)
        if frag.similarity >= FRAGMENT_COSINE or len(group) == 1:
            fragments.append(frag)
        elif gap > 0:
            todo.extend((g, gap - 1) for g in cluster(group, gap - 1))
    summaries = [
        Fragment(m.src, m.copy, m.contained, m.seeds, summary=True)
        for m in find_summaries(seeds, loose, texts, src_blocks, copy_blocks)
    ]
    if summaries:  # a summary replaces the pieces of it found with the small gap
        fragments = [f for f in fragments if not any(_inside(f, s) for s in summaries)]
        fragments += summaries
    return _filter(fragments)


def _foreign(units: Sequence[tuple[int, int]], ranges: Sequence[tuple[int, int]]) -> list[bool]:
    """Whether each unit starts inside one of ``ranges`` (sorted, not overlapping)."""
    starts = [a for a, _ in ranges]
    out = []
    for s, _ in units:
        k = bisect_right(starts, s) - 1
        out.append(k >= 0 and s < ranges[k][1])
    return out


def _inside(f: Fragment, outer: Fragment) -> bool:
    return (
        outer.src[0] <= f.src[0]
        and f.src[1] <= outer.src[1]
        and outer.copy[0] <= f.copy[0]
        and f.copy[1] <= outer.copy[1]
    )


def _from(e: Extension, seeds: int) -> Fragment:
    return Fragment(e.src, e.copy, e.similarity, seeds, grown=e.grown)


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
