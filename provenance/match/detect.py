"""Stage 5b: find reworded passages, sentence by sentence (seed, extend, filter).

``align`` finds the source passages a copy reproduces with most words in order. Text
that was reworded (synonyms, clauses reordered, words shuffled, translated into another
language and back) keeps its *content words* but not their order, and falls under
``align``'s similarity. This stage finds it the way the best systems of the PAN
text-alignment tasks do (Sanchez-Perez, Sidorov and Gelbukh 2014; Torrejón and Ramos
2013; Kong et al. 2014):

1. **Seeding** (:mod:`provenance.match.seeds`). Every sentence is a bag of content-word
   stems (:mod:`provenance.match.bags`), weighted by tf-idf with the idf taken over the
   sentences of both texts. A (source sentence, copy sentence) pair is a seed when its
   cosine and its Dice coefficient both reach ``SEED_COSINE`` and ``SEED_DICE``, and the
   two sentences share at least ``SEED_SHARED`` stems and ``SURPRISE`` times what chance
   would give them. A copy sentence that seeds with no source sentence so may still seed
   when its words count as the source words they are WordNet synonyms of (what an
   article spinner does).
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

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from provenance.match.extend import (
    EXTEND,
    FRAGMENT_COSINE,
    MAX_GAP,
    Extension,
    Seed,
    cluster,
    distinct,
    extend,
)
from provenance.match.seeds import find_seeds
from provenance.match.sides import Side, copy_side, source_side
from provenance.match.summary import Blocks, find_summaries
from provenance.match.texts import texts_of

if TYPE_CHECKING:
    from provenance.match.synonyms import Relation

#: Words of a text above which reworded passages are not searched (only passages aligned
#: word by word are found, and the score says so): the search's cost grows with the
#: sentences both texts share, and a 600,000-word page of one article repeated would
#: take seconds a candidate.
MAX_DETECT_WORDS = 200_000
#: A fragment of one seed counts as found only with this many words on each side and
#: this cosine (a long sentence closely reworded).
MIN_WORDS = 20
CLOSE_SEED = 0.6
#: Whether a copy word that is a WordNet synonym of a source word counts towards a seed
#: of a copy sentence that has none by its own stems, and in a fragment's similarity (see
#: :mod:`provenance.match.seeds` and :mod:`provenance.match.synonyms`): an article spinner
#: replaces words by thesaurus synonyms.
SYNONYMS = True


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
    seeds, loose = find_seeds(src, copy, texts.idf, synonyms, _foreign(copy.units, foreign))
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
