"""Stage 5b: the two texts compared, as the reworded-passage search sees them.

Each text cut into units (sentences) with their bags of content-word stems
(:mod:`provenance.match.bags`), how many units of each text hold each stem, each stem's
idf over the units of both, and the bags end to end (to add a run of them at once). What
of it depends on one text alone comes made once a text (:mod:`provenance.match.sides`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from provenance.match.bags import Flat, Synonyms, counted, flat, mapped


@dataclass(frozen=True, slots=True, eq=False)
class Texts:
    """The two texts compared, cut into units (sentences) with their bags of stems.

    Attributes:
        src_words, copy_words: the texts' matching words.
        src_units, copy_units: their units, ``[start, end)`` word ranges in order.
        src_bags, copy_bags: each unit's bag of content-word stems.
        idf: the inverse document frequency of each stem, over the units of both.
        in_src, in_copy: how many units of each text hold each stem (see
            :meth:`chance`).
        src_flat, copy_flat: the units' bags end to end
            (:data:`provenance.match.bags.Flat`), to add a run of them at once.
        src_total, copy_total: the sums of ``in_src`` and of ``in_copy`` (each text's
            stem occurrences counted by unit, see :meth:`chance`).
        synonyms: a stem's synonyms, when the two sides of a fragment are compared
            with them (a copy stem may stand for a synonym of a source stem).
        synonym_stems: the only stems that may have ``synonyms``, when known.
    """

    src_words: Sequence[str]
    copy_words: Sequence[str]
    src_units: Sequence[tuple[int, int]]
    copy_units: Sequence[tuple[int, int]]
    src_bags: Sequence[Counter[str]]
    copy_bags: Sequence[Counter[str]]
    idf: dict[str, float]
    in_src: Counter[str]
    in_copy: Counter[str]
    src_flat: Flat
    copy_flat: Flat
    src_total: int
    copy_total: int
    synonyms: Synonyms | None = None
    synonym_stems: AbstractSet[str] | None = None

    def bag(self, lo: int, hi: int, copy: bool) -> Counter[str]:
        """The bag of units ``lo`` to ``hi`` (included) of the copy (``copy``) or of the
        source: their bags added in order."""
        stems, at = self.copy_flat if copy else self.src_flat
        return Counter(stems[at[lo] : at[hi + 1]])

    def chance(
        self, bag: Counter[str], other: Counter[str], copy: bool, held: int | None = None
    ) -> float:
        """How many stems a unit of the copy (``copy``) or of the source with this
        ``bag`` would share with ``other`` (a bag of the other text) on average by
        chance: its stems times the share of the text's stem occurrences that fall on a
        stem of ``other``. ``held``: :meth:`held` of ``other``, when already made."""
        total = self.copy_total if copy else self.src_total
        if held is None:
            held = self.held(other, copy)
        return len(bag) * held / total if total else 0.0

    def held(self, other: Counter[str], copy: bool) -> int:
        """How many units of the copy (``copy``) or of the source hold each stem of
        ``other``, summed (see :meth:`chance`)."""
        return counted(self.in_copy if copy else self.in_src, other)


def texts_of(
    src_words: Sequence[str],
    copy_words: Sequence[str],
    src_units: Sequence[tuple[int, int]],
    copy_units: Sequence[tuple[int, int]],
    src_bags: Sequence[Counter[str]],
    copy_bags: Sequence[Counter[str]],
    synonyms: Synonyms | None = None,
    in_copy: Counter[str] | None = None,
    in_src: Counter[str] | None = None,
    src_flat: Flat | None = None,
    copy_flat: Flat | None = None,
    synonym_stems: AbstractSet[str] | None = None,
) -> Texts:
    """The :class:`Texts` of two texts' units and bags: how many units of each text hold
    each stem, and each stem's idf over the units of both (``log(1 + n / df)``).
    ``in_copy`` and ``in_src``, when given, are :func:`units_holding` of ``copy_bags``
    and ``src_bags``, and ``src_flat`` and ``copy_flat`` their bags end to end
    (:func:`provenance.match.bags.flat`; all made once for a text compared with many).
    ``synonym_stems``: the only stems that may have ``synonyms``, when known."""
    if in_src is None:
        in_src = units_holding(src_bags)
    if in_copy is None:
        in_copy = units_holding(copy_bags)
    n = len(src_bags) + len(copy_bags)
    counts = {**in_src, **in_copy}  # the keys of plus(in_src, in_copy), in its order
    for t in in_src.keys() & in_copy.keys():
        counts[t] = in_src[t] + in_copy[t]
    logs = {k: math.log(1 + n / k) for k in set(counts.values())}  # (few distinct counts)
    idf = mapped(counts, logs)
    return Texts(
        src_words,
        copy_words,
        src_units,
        copy_units,
        src_bags,
        copy_bags,
        idf,
        in_src,
        in_copy,
        flat(src_bags) if src_flat is None else src_flat,
        flat(copy_bags) if copy_flat is None else copy_flat,
        sum(in_src.values()),
        sum(in_copy.values()),
        synonyms,
        synonym_stems,
    )


def units_holding(bags: Sequence[Counter[str]]) -> Counter[str]:
    """How many of these bags hold each stem."""
    out: Counter[str] = Counter()
    for b in bags:
        out.update(b.keys())
    return out
