"""Stage 5b, summaries: a short copy passage that condenses a long stretch of the source.

A summary keeps a few of its source's content words in each of its sentences, and
leaves most of the source out: sentence seeds are scattered over a long source stretch
and few in the copy. Sanchez-Perez, Sidorov and Gelbukh (2014) cluster the seeds a second
time with a large gap when the copy side is much shorter than the source side; so does
:func:`find_summaries` (:data:`SUMMARY_GAP`, :data:`SUMMARY_RATIO`), and it validates such a
fragment by the share of the copy's content found in its source side
(:func:`_contained`), not by the two sides' cosine (a short text's cosine with a long one
says little), and rejects a passage reworded at its own length that a short stretch of
the source explains (:func:`_compact`).

Everything here is on word indexes and sentence (unit) indexes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from math import fsum

from provenance.match.bags import rare
from provenance.match.extend import EXTEND_SHARED, GROW_SURPRISE, Seed, cluster, distinct, extend
from provenance.match.texts import Texts

#: A summary: sentences without a seed bridged in the source, and how much shorter its
#: copy side is than its source side (Sanchez-Perez et al.'s summary strategy).
SUMMARY_GAP = 24
SUMMARY_RATIO = 0.5
#: Least copy sentences with a seed in a summary: one sentence whose words recur over a
#: long stretch of the source (names, a subject's terms) is not a summary of it.
SUMMARY_SENTENCES = 2
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


#: A text's blocks (lines, paragraphs) as ``(first word, last word, kind)``, ``kind``
#: one of the segmenter's ``body``, ``heading``, ``boilerplate``.
Blocks = Sequence[tuple[int, int, str]]
BODY = "body"


@dataclass(frozen=True, slots=True)
class Summary:
    """A summary found: copy words ``copy`` condense source words ``src``.

    Attributes:
        src, copy: ``[start, end)`` word ranges in the source and in the copy.
        contained: the share of the copy side's content found in the source side.
        seeds: sentence pairs that support it.
    """

    src: tuple[int, int]
    copy: tuple[int, int]
    contained: float
    seeds: int


def find_summaries(
    seeds: list[Seed],
    loose: list[Seed],
    texts: Texts,
    src_blocks: Blocks = (),
    copy_blocks: Blocks = (),
) -> list[Summary]:
    """The summaries among the seeds (and the condensed-sentence seeds ``loose``).

    Args:
        seeds: the seeds (source unit, copy unit, cosine).
        loose: pairs that only a summary seeds (a condensed sentence).
        texts: the two texts' units and bags.
        src_blocks: the source's blocks (see :func:`_source_side`); none: a summary
            spans the source sentences it draws on, from the first to the last.
        copy_blocks: the copy's blocks (see :func:`_copy_side`).
    """
    found: list[list[Seed]] = []
    for group in cluster(seeds + loose, SUMMARY_GAP):
        group = distinct(group)  # noqa: PLW2901 - one pairing per sentence
        e = extend(group, texts, measure=False)  # (where it lies only)
        size, short = e.src[1] - e.src[0], e.copy[1] - e.copy[0]
        sentences = len({j for _, j, _ in group})
        if sentences >= SUMMARY_SENTENCES and short < SUMMARY_RATIO * size:
            share = _contained(group, texts.src_bags, texts.copy_bags, texts.idf)
            if share >= SUMMARY_CONTAINED and not _compact(
                group,
                share,
                short,
                texts.src_units,
                texts.src_bags,
                texts.copy_bags,
                texts.idf,
                src_blocks,
            ):
                found.append(group)
    out = []
    for group in _joined(found, texts, copy_blocks):
        e = extend(group, texts, measure=False)  # (where it lies only)
        share = _contained(group, texts.src_bags, texts.copy_bags, texts.idf)
        src = _source_side(e.src, src_blocks)
        copy = _copy_side(group, e.copy, src, texts, copy_blocks)
        out.append(Summary(src, copy, share, len(group)))
    return out


def _joined(groups: list[list[Seed]], texts: Texts, blocks: Blocks) -> list[list[Seed]]:
    """Summaries that follow each other in both texts joined into one: a paragraph that
    condenses one part of the source and then, from its next sentence on, a later part
    (more than :data:`SUMMARY_GAP` sentences further) is one summary of both."""
    out: list[list[Seed]] = []
    for group in sorted(groups, key=lambda g: min(s[1] for s in g)):
        if out:
            last = out[-1]
            j_end, j_next = max(s[1] for s in last), min(s[1] for s in group)
            same = not blocks or _at(blocks, texts.copy_units[j_end][0]) == _at(
                blocks, texts.copy_units[j_next][0]
            )
            if (
                0 < j_next - j_end <= 1
                and same
                and min(s[0] for s in group) > max(s[0] for s in last)
            ):
                last.extend(group)
                continue
        out.append(list(group))
    return out


def _at(blocks: Blocks, word: int) -> int:
    """The index of the block holding ``word`` (-1: none does)."""
    for k, (a, b, _) in enumerate(blocks):
        if a <= word < b:
            return k
    return -1


def _opens(blocks: Blocks, k: int) -> bool:
    """Whether block ``k`` is the first paragraph of a section: the text's first, or
    the first after a heading or a short line."""
    return k == 0 or (k > 0 and blocks[k - 1][2] != BODY)


#: A summary's source side is a whole unit (its section, or the paragraphs it draws
#: on) only when the summary draws on at least this share of the unit, from its first
#: seed to its last: a digest of a long text's first pages condenses those pages, not
#: the text, and a text without paragraphs is no unit to claim whole.
WHOLE_UNIT = 0.25


def _source_side(span: tuple[int, int], blocks: Blocks) -> tuple[int, int]:
    """A summary's source side: a summary condenses whole units, so it spans the
    paragraphs its first and last seeds are in; and when its first seed is in the
    first paragraph of a section (the text's first, or the first after a heading or a
    short line), it condenses that section: it runs from the section's start to its
    last paragraph (before the next heading or short line, or the end of the text). A
    summary says what its source is about from the start; one that begins in the
    middle condenses the paragraphs it draws on. Either unit is taken only when the
    seeds run over :data:`WHOLE_UNIT` of it; else the seeds' own span is."""
    first, last = _at(blocks, span[0]), _at(blocks, span[1] - 1)
    if first < 0 or last < 0:
        return span
    units = [(blocks[first][0], blocks[last][1])]
    if _opens(blocks, first):
        start, end = first, last
        while start > 0 and blocks[start - 1][2] != BODY:
            start -= 1  # the section's heading or title line
        while end + 1 < len(blocks) and blocks[end + 1][2] == BODY:
            end += 1
        units.insert(0, (blocks[start][0], blocks[end][1]))
    for lo, hi in units:
        if span[1] - span[0] >= WHOLE_UNIT * (hi - lo):
            return lo, hi
    return span


def _copy_side(
    group: Sequence[Seed],
    span: tuple[int, int],
    src: tuple[int, int],
    texts: Texts,
    blocks: Blocks,
) -> tuple[int, int]:
    """A summary's copy side: its seeded sentences, grown to the farthest sentence in
    the same paragraph, before and after them, that shares more stems with its source
    side ``src`` than chance would give it (at ``GROW_SURPRISE``, as a fragment's
    growth): a summary is written as a paragraph whose every sentence condenses its
    source, though only some of them keep enough of a source sentence's words to be
    seeds, and a sentence between two that draw on the source is part of it."""
    if not blocks:
        return span
    j0, j1 = min(g[1] for g in group), max(g[1] for g in group)
    units, bags = texts.copy_units, texts.copy_bags
    held: set[str] = set()
    for i, (a, b) in enumerate(texts.src_units):
        if src[0] <= a and b <= src[1]:
            held.update(texts.src_bags[i])
    other = Counter(dict.fromkeys(held, 1))

    def drawn(j: int) -> bool:
        n = sum(1 for t in bags[j] if t in held)
        return n >= EXTEND_SHARED and rare(n, texts.chance(bags[j], other, True), GROW_SURPRISE)

    first, last = _at(blocks, units[j0][0]), _at(blocks, units[j1][1] - 1)
    j = j0 - 1
    while j >= 0 and _at(blocks, units[j][0]) == first:
        if drawn(j):
            j0 = j
        j -= 1
    j = j1 + 1
    while j < len(units) and _at(blocks, units[j][1] - 1) == last:
        if drawn(j):
            j1 = j
        j += 1
    return min(span[0], units[j0][0]), max(span[1], units[j1][1])


def _contained(
    group: Sequence[Seed],
    src_bags: Sequence[Counter[str]],
    copy_bags: Sequence[Counter[str]],
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
    # (fsum: the sum correctly rounded, whatever order the sets hold their stems in,
    # which is the process's own: a summary's similarity is the same in every run)
    total = fsum(idf[t] for t in copy)
    return fsum(idf[t] for t in copy if t in src) / total if total else 0.0


def _compact(
    group: Sequence[Seed],
    contained: float,
    copy_words: int,
    src_units: Sequence[tuple[int, int]],
    src_bags: Sequence[Counter[str]],
    copy_bags: Sequence[Counter[str]],
    idf: dict[str, float],
    src_blocks: Blocks = (),
) -> bool:
    """Whether a few source sentences, no longer than :data:`COMPACT_RATIO` times the
    copy side, hold almost all (:data:`COMPACT_SHARE`) of what the whole source side of
    a would-be summary holds of the copy side's content. A summary condenses a long
    passage, so no short stretch of its source explains it; a passage reworded at its
    own length does have one, and stretched into a "summary" it would claim every
    source sentence its names recur in (the shorter explanation is the right one).

    Except a stretch that opens a section (its first paragraph: a text's lead) and
    holds the closest pairings of most of the copy's sentences but not all: a summary
    leans on the lead, which already condenses what follows, and takes the rest from
    further on; a rewording of a stretch inside the text with one sentence paired far
    off is still a rewording."""
    j0, j1 = min(g[1] for g in group), max(g[1] for g in group)
    copy: set[str] = set()
    for j in range(j0, j1 + 1):
        copy.update(copy_bags[j])
    total = fsum(idf[t] for t in copy)
    if not total:
        return False
    limit = COMPACT_RATIO * copy_words
    best: dict[int, Seed] = {}  # each copy sentence's closest source sentence
    for g in group:
        if g[1] not in best or g[2] > best[g[1]][2]:
            best[g[1]] = g
    for a in sorted({g[0] for g in group}):
        held: set[str] = set()
        b = a
        for b in range(a, len(src_units)):
            if src_units[b][1] - src_units[a][0] > limit and b > a:
                b -= 1
                break
            held.update(t for t in src_bags[b] if t in copy)
        inside = sum(1 for g in best.values() if a <= g[0] <= b)
        leans = _opens(src_blocks, _at(src_blocks, src_units[a][0])) and (
            len(best) > inside > len(best) / 2
        )
        if fsum(idf[t] for t in held) / total >= COMPACT_SHARE * contained and not leans:
            return True
    return False
