"""Stage 5b, step 1: seeds, the sentence pairs a reworded passage is found from.

Every sentence is a bag of content-word stems (:mod:`provenance.match.bags`), weighted by
tf-idf with the idf taken over the sentences of both texts. A (source sentence, copy
sentence) pair is a seed when its cosine and its Dice coefficient both reach
:data:`SEED_COSINE` and :data:`SEED_DICE`, and the two sentences share at least
:data:`SEED_SHARED` stems and :data:`SURPRISE` times what chance would give them
(Sanchez-Perez, Sidorov and Gelbukh 2014). A copy sentence that seeds with no source
sentence so may still seed when its words count as the source words they are WordNet
synonyms of (what an article spinner does: :class:`_BySynonyms`).

Each text's part (its bags, postings, synonym rows) comes made once a text
(:mod:`provenance.match.sides`); everything here is on sentence (unit) indexes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from operator import itemgetter
from typing import TYPE_CHECKING

from provenance.match.bags import (
    STEM,
    SYNONYM_WEIGHT,
    Vector,
    cosine,
    counted,
    matched,
    rare,
    scaled,
    units_of,
    weigh,
)
from provenance.match.sides import Side, file_under_rows
from provenance.match.summary import SUMMARY_COSINE, SUMMARY_OVERLAP

if TYPE_CHECKING:
    from provenance.match.synonyms import Relation

#: Least cosine and Dice coefficient of a seed (Sanchez-Perez et al.: 0.33 and 0.33).
SEED_COSINE = 0.33
SEED_DICE = 0.33
#: Least stems a seed's two sentences share (two sentences sharing one word are not a seed).
SEED_SHARED = 3
#: The most likely a seed's shared stems may be by chance (Poisson, with the mean two
#: sentences of these lengths would share, from how many copy sentences each source
#: stem stands in): texts written in one vocabulary share words everywhere.
SURPRISE = 1e-3
#: Source sentences a copy sentence is compared with at most (the best by shared stems).
_MAX_PAIRS = 64


def find_seeds(
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
    src_vecs = _Vectors(src_bags, idf)
    # how often a stem of the source stands in a copy sentence, to expect chance overlap
    in_copy = copy.holding
    n_copy = max(1, len(copy_bags))
    mean_len = max(1.0, sum(len(b) for b in copy_bags) / n_copy)
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
        shared = units_of(bag, few)
        common = [t for t in bag if t in frequent] if frequent else None
        if common:
            pairs = _most(shared, 2 * _MAX_PAIRS)
            shared = Counter({i: n + sum(t in src_bags[i] for t in common) for i, n in pairs})
        cvec: Vector | None = None
        seeded = set()
        for i, n in _most(shared, _MAX_PAIRS):
            if n < SEED_SHARED:
                break
            expect = chance[i]
            if expect is None:
                expect = chance[i] = counted(in_copy, src_bags[i]) / n_copy / mean_len
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


def _most(counts: Counter[int], n: int) -> list[tuple[int, int]]:
    """``counts.most_common(n)``, the same list: when ``n`` covers them all that is
    ``sorted(counts.items(), key=count, reverse=True)`` (what ``heapq.nlargest`` does
    then), without its Python frames (a copy sentence's few candidates)."""
    if len(counts) <= n:
        return sorted(counts.items(), key=itemgetter(1), reverse=True)
    return counts.most_common(n)


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
        few, table = self.src.anchors[0].get, self.synonyms.table
        for w in self.copy.words - self.src.words:
            units = few(w[:STEM])  # (in at most MAX_STEM_UNITS sentences)
            if units:
                file_under_rows(by_row, table, (w,), units)
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
        if cached.keys().isdisjoint(bag):
            return []  # (no stem of the bag has a synonym's sentences)
        found = units_of(bag, cached, shared)
        out = []
        for i, total in _most(found, _MAX_PAIRS):
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
            cos = cosine(*self.src_vecs[i], *scaled(weights, self.idf))
            if cos >= SEED_COSINE and rare(n + m, self._chance(i) * len(bag), SURPRISE):
                out.append((i, cos))
        return out
