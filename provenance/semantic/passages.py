"""Passages found by meaning joined into one where they follow each other in both texts.

The sentence aligner finds a translation or a rewrite paragraph by paragraph of the copy
(:mod:`provenance.semantic.crosslang`). As the word path does for the passages it finds
(:func:`provenance.match.evidence.passages`, issue 13's rule), pieces that continue one
another in *both* texts are one passage: one translated block is one passage, whose
``parts`` keep each paragraph's own mapping (seed 000: the Italian block is one
translation of the source's passages 1-10, and each Italian paragraph is mapped to its
English paragraph). A piece matched by meaning also joins the passages the word path
found just before or after it in both texts (a paragraph copied word for word, the next
one reworded: one reused passage, half copied, half reworded).

Two pieces continue each other when the second starts after the first ends in both texts
(an overlap of up to :data:`provenance.match.evidence.MERGE_GAP` words is allowed: the
word path's spans stop at words, the aligner's at sentences), or lies inside it in both
(sentences the word path left unmatched inside its passage), and the text between them
is, on each side, at most :data:`provenance.match.evidence.BRIDGE_WORDS` words (a
sentence or two the aligner did not pair: the word path's bridge) or at most
:data:`GAP_SHARE` of the shorter of the two pieces on that side (a paragraph left out
between two long translated stretches). Pieces of two kinds of meaning (a translation
into Italian, a rewrite in English) are never joined; nor are two passages of the word
path (their merging is the word path's own rule). A joined passage has the kind of its
pieces found by meaning, unless the word path's passages hold most of its words.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from provenance.match.evidence import BRIDGE_WORDS, MERGE_GAP, AlignedPair
from provenance.text.normalize import Normalized

#: A gap between two pieces of up to this share of the shorter one (in words, on each
#: side) still joins them.
GAP_SHARE = 0.5


def _words(norm: Normalized, a: int, b: int) -> int:
    """Words starting in ``[a, b)`` (negative: ``-(words in [b, a))``)."""
    if b < a:
        return -_words(norm, b, a)
    return bisect_left(norm.starts, b) - bisect_left(norm.starts, a)


def _meaning(parts: Sequence[AlignedPair]) -> tuple[str, str]:
    """The kind and language of the pieces found by meaning among ``parts``."""
    return next(((p.kind, p.lang) for p in parts if p.kind), ("", ""))


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _continues(
    group: list[AlignedPair], nxt: AlignedPair, source: Normalized, copy: Normalized
) -> bool:
    kind, k2 = _meaning(group), (nxt.kind, nxt.lang)
    if not (kind[0] or k2[0]) or (kind[0] and k2[0] and kind != k2):
        return False
    s0, s1 = min(p.source_span[0] for p in group), max(p.source_span[1] for p in group)
    c0, c1 = group[0].copy_span[0], max(p.copy_span[1] for p in group)
    if _overlaps((s0, s1), nxt.source_span) and _overlaps((c0, c1), nxt.copy_span):
        return True  # (a piece inside a passage of the word path: text it left unmatched)
    gap_s = _words(source, s1, nxt.source_span[0])
    gap_c = _words(copy, c1, nxt.copy_span[0])
    if gap_s < -MERGE_GAP or gap_c < -MERGE_GAP:
        return False
    size_s = min(_words(source, s0, s1), _words(source, *nxt.source_span))
    size_c = min(_words(copy, c0, c1), _words(copy, *nxt.copy_span))
    return gap_s <= max(BRIDGE_WORDS, GAP_SHARE * size_s) and gap_c <= max(
        BRIDGE_WORDS, GAP_SHARE * size_c
    )


def _joined(group: list[AlignedPair], source: Normalized, copy: Normalized) -> AlignedPair:
    """One passage of ``group``: its kind is that of the pieces found by meaning, unless
    the word path's passages hold most of its words (then it is text matched by its
    words, with a few sentences found by meaning among its ``parts``)."""
    weight = [_words(source, *p.source_span) + _words(copy, *p.copy_span) or 1 for p in group]
    by_words = sum(w for p, w in zip(group, weight, strict=True) if not p.kind)
    kind, lang = _meaning(group) if 2 * by_words <= sum(weight) else ("", "")
    sim = sum(p.similarity * w for p, w in zip(group, weight, strict=True)) / sum(weight)
    return AlignedPair(
        (min(p.source_span[0] for p in group), max(p.source_span[1] for p in group)),
        (group[0].copy_span[0], max(p.copy_span[1] for p in group)),
        round(sim, 6),
        found=True,
        moved=any(p.moved for p in group),
        kind=kind,
        lang=lang,
        parts=tuple(group),
    )


def join(
    word: Sequence[AlignedPair],
    meant: Sequence[AlignedPair],
    source: Normalized,
    copy: Normalized,
) -> tuple[AlignedPair, ...]:
    """The word path's passages (``word``) and the pieces found by meaning (``meant``,
    one per paragraph of the copy) with the pieces that continue each other joined
    (module docstring), in source order. The word path's passages that join no piece,
    and those not counted as found, are returned as they are."""
    items = sorted(
        [p for p in word if p.found and not p.kind] + list(meant),
        key=lambda p: (p.copy_span, p.source_span),
    )
    groups: list[list[AlignedPair]] = []
    for p in items:
        if groups and _continues(groups[-1], p, source, copy):
            groups[-1].append(p)
        else:
            groups.append([p])
    out = [g[0] if len(g) == 1 else _joined(g, source, copy) for g in groups]
    out += [p for p in word if not p.found or p.kind]
    return tuple(sorted(out, key=lambda p: (p.source_span, p.copy_span)))
