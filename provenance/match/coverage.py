"""What an alignment alone gives of a (source, copy) pair: which copy words it covers,
both coverages, the words its edits cost, and the :class:`Rank` of a check's candidate
before it is scored.

:mod:`provenance.match.score` builds the full :class:`~provenance.match.results.Score`
on these (classified alterations, reworded text, the verdict); ``verify`` ranks a
check's candidates with :func:`rank`, computed as ``score`` computes the same fields
(to the bit), and scores only those that can rank.
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance.match.align import DELETION, INSERTION, SUBSTITUTION, Alignment, Edit
from provenance.params import Policy
from provenance.text.normalize import Normalized
from provenance.text.segment import BODY, BOILERPLATE, Passage, Segmented

#: An inserted or deleted run of this many words or more is a clause the copy added or
#: left out, not a change of the copied words' wording: it costs nothing in fidelity
#: (it is still listed, classified, and a meaning-changing one sets ``meaning_changed``).
CLAUSE_WORDS = 5


def word_blocks(copy: Segmented) -> list[int]:
    """The block of each word of ``copy`` (its index in ``copy.blocks``, -1: none): the
    ``owner`` :func:`rank` takes."""
    owner = [-1] * len(copy.norm)
    for bi, b in enumerate(copy.blocks):
        owner[b.first : b.last] = [bi] * (b.last - b.first)
    return owner


def _list_marker(norm: Normalized, i: int) -> bool:
    """Word ``i`` numbers an item of a list ("1." or "2)" at the start of a line)."""
    w = norm.words[i]
    if not (w.isdigit() and len(w) <= 3):
        return False
    line = norm.text.rfind("\n", 0, norm.starts[i]) + 1
    return not norm.text[line : norm.starts[i]].strip() and norm.text[
        norm.ends[i] : norm.ends[i] + 1
    ] in (
        ".",
        ")",
    )


def _only_list_markers(src: Normalized, cp: Normalized, e: Edit) -> bool:
    """An edit that adds or drops list numbering only (not a number in the text)."""
    if e.src[0] == e.src[1] and e.copy[0] == e.copy[1]:
        return False
    for norm, (lo, hi) in ((src, e.src), (cp, e.copy)):
        for i in range(lo, hi):  # (a loop: most edits end at their first word)
            if not _list_marker(norm, i):
                return False
    return True


def covered_words(copy: Segmented, alignment: Alignment, owner: list[int]) -> bytearray:
    """The copy words inside aligned spans (1), but for boilerplate the alignment took
    in as an insertion (a site's header between two copied paragraphs)."""
    covered = bytearray(len(copy.norm))
    for m in alignment.matches:
        covered[m.copy[0] : m.copy[1]] = b"\x01" * (m.copy[1] - m.copy[0])
        for e in m.edits:
            if boilerplate_insertion(copy, owner, e):
                covered[e.copy[0] : e.copy[1]] = bytes(e.copy[1] - e.copy[0])
    return covered


def boilerplate_insertion(copy: Segmented, owner: list[int], e: Edit) -> bool:
    """An edit that inserts boilerplate only: not an alteration, nor copied text."""
    return e.kind == INSERTION and all(
        copy.blocks[owner[i]].kind == BOILERPLATE for i in range(*e.copy)
    )


def body_coverage(copy: Segmented, covered: bytearray, lang: str) -> tuple[float, int]:
    """The share of the copy's body (in ``lang``) that is ``covered``, and its words."""
    body = [b for b in copy.blocks if copy.in_body(b, lang)]
    words = sum(b.last - b.first for b in body)
    inside = sum(covered.count(1, b.first, b.last) for b in body)
    return (inside / words if words else 0.0), words


@dataclass(frozen=True, slots=True)
class Rank:
    """What ranks a copy among a check's candidates, from the alignment alone: the
    fields of the :class:`~provenance.match.results.Score` that
    :func:`~provenance.match.score.score` would give (copy coverage, copy words,
    source coverage), and a bound on its fidelity. ``find_sources`` orders candidates by
    these, and scores (and searches for reworded text) only those that can rank."""

    copy_coverage: float
    copy_words: int
    source_coverage: float
    #: ``score(...).fidelity <= fidelity_bound``: every alteration that costs anything
    #: costs at least a word (its meaning risk, which only adds, is not classified here)
    fidelity_bound: float


def matched_words(
    source: Segmented, aligned: tuple[Passage, ...], alignment: Alignment
) -> tuple[int, int]:
    """Source words an alignment found: in body passages, and in all it aligned."""
    found_words = aligned_words = 0
    for m in alignment.matches:
        if source.blocks[aligned[m.passage].block].kind == BODY:
            found_words += m.src[1] - m.src[0]
        aligned_words += m.src[1] - m.src[0]
    return found_words, aligned_words


def edit_words(src: Normalized, cp: Normalized, e: Edit) -> tuple[int, bool]:
    """The words an edit costs before its risk's weight, and whether it only adds or
    drops list numbering ("1." dropped: formatting, not a number; it costs nothing). A
    clause added or left out costs nothing either: the copied words are unchanged."""
    (s0, s1), (c0, c1) = e.src, e.copy
    # (the first word _only_list_markers reads, a number or not, says no to most edits
    # without a call: this runs for every edit of every candidate)
    first = src.words[s0] if s0 < s1 else cp.words[c0] if c0 < c1 else ""
    if first.isdigit() and _only_list_markers(src, cp, e):
        return 0, True
    words = max(s1 - s0, c1 - c0)
    if e.kind in (INSERTION, DELETION) and words >= CLAUSE_WORDS:
        return 0, False
    return words, False


def rank(
    source: Segmented,
    copy: Segmented,
    alignment: Alignment,
    policy: Policy,
    lang: str,
    owner: list[int] | None = None,
) -> Rank:
    """:class:`Rank` of an alignment of ``copy`` with ``source.aligned_passages(lang)``:
    what :func:`~provenance.match.score.score` measures of it before classifying
    alterations or looking at reworded text, computed as it does (to the bit).
    ``owner``: the block of each copy word, when the caller ranks many alignments of one
    copy (else made here)."""
    owner = word_blocks(copy) if owner is None else owner
    found_words, aligned_words = matched_words(source, source.aligned_passages(lang), alignment)
    # covered_words and the cost in one pass over the edits (the same words and sum)
    covered = bytearray(len(copy.norm))
    cost = 0.0  # a lower bound of score()'s, summed in the same order
    least = min(1.0, policy.risk_weight)
    src, cp, blocks = source.norm, copy.norm, copy.blocks
    for m in alignment.matches:
        covered[m.copy[0] : m.copy[1]] = b"\x01" * (m.copy[1] - m.copy[0])
        for e in m.edits:
            lo, hi = e.copy
            if e.kind == INSERTION and all(
                blocks[owner[i]].kind == BOILERPLATE for i in range(lo, hi)
            ):
                covered[lo:hi] = bytes(hi - lo)  # (boilerplate_insertion, inlined)
                continue
            s0, s1 = e.src
            first = src.words[s0] if s0 < s1 else cp.words[lo] if lo < hi else ""
            if first.isdigit():
                cost += edit_words(src, cp, e)[0] * least
            elif e.kind == SUBSTITUTION or max(s1 - s0, hi - lo) < CLAUSE_WORDS:
                cost += max(s1 - s0, hi - lo) * least  # (edit_words, inlined: not a number)
    body_total = sum(p.size for p in source.body_passages(lang))
    copy_coverage, copy_words = body_coverage(copy, covered, lang)
    return Rank(
        copy_coverage=round(copy_coverage, 6),
        copy_words=copy_words,
        source_coverage=round(found_words / body_total if body_total else 0.0, 6),
        fidelity_bound=round(max(0.0, 1.0 - cost / aligned_words), 6) if aligned_words else 0.0,
    )
