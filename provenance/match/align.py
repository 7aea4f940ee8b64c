"""Stage 5: align a copy against a source, passage by passage, word by word.

Each source passage is looked up in the copy on its own, so that reordered, merged
or split paragraphs still align: word trigrams shared with the copy vote for where
the passage starts in the copy (a diagonal, as in BLAST-style seeding: ``votes``), the
copy around the best diagonal is aligned to the passage with difflib's matcher
(cydifflib's compiled port of it: the same matches, 5-8x faster), and the copy span is
trimmed to the matched words. Strongest passages claim their copy words first; a copy
word belongs to at most one source passage. Finally each claimed span may grow over
unclaimed neighbouring words, as many as the passage lacks at that end (so "In Syria"
-> "Within Syria" is a substitution, not a deletion plus added text), and each aligned
pair is diffed word by word into edits.

With the compiled kernel all of this is done on word ids in one call per source
(``alignwork.CopyIds.align``: the same matches, made here as :class:`PassageMatch` and
:class:`Edit` objects by the kernel); ``claims`` does it passage by passage, for a
passage too long for the kernel and on the pure path, and this module makes its pairs
the same results. Everything here is on words (``Normalized.words``); offsets into the
original texts are the concern of ``score``. What one copy's alignments share (its
n-gram index, the memo, the compiled kernel's glue, the pairs' diffs) is in
``alignwork``.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, fields

from provenance.match import alignwork, claims
from provenance.match.alignwork import Source
from provenance.match.claims import ABRIDGED, LEAD_WORDS, MAX_TRIES, STRAY_WORDS

SUBSTITUTION, INSERTION, DELETION = "substitution", "insertion", "deletion"
_OPCODE_KIND = {"replace": SUBSTITUTION, "insert": INSERTION, "delete": DELETION}


@dataclass(frozen=True, slots=True)
class Edit:
    """One difference inside an aligned pair: source words ``src`` became ``copy``.

    Ranges are ``[start, end)`` word indexes; an insertion has an empty ``src`` range
    at the insertion point, a deletion an empty ``copy`` range.
    """

    kind: str
    src: tuple[int, int]
    copy: tuple[int, int]


@dataclass(frozen=True, slots=True)
class PassageMatch:
    """A source passage found in the copy.

    Attributes:
        passage: index of the passage in the list given to :func:`align`.
        src: the passage's word range in the source.
        copy: the aligned word range in the copy.
        matched: words of the passage reproduced in order.
        similarity: ``2 * matched / (len(src) + len(copy))``.
        edits: the word-level differences, in order.
    """

    passage: int
    src: tuple[int, int]
    copy: tuple[int, int]
    matched: int
    similarity: float
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Alignment:
    """The result of :func:`align`: found passages in source order."""

    matches: tuple[PassageMatch, ...]
    n_passages: int

    @property
    def found(self) -> frozenset[int]:
        return frozenset(m.passage for m in self.matches)


def align(
    src_words: Sequence[str],
    passages: Sequence[tuple[int, int]],
    copy_words: Sequence[str],
    min_similarity: float,
    copy_bounds: Sequence[int] = (),
) -> Alignment:
    """Find each source passage in the copy and diff the aligned pairs.

    Args:
        src_words: the source's matching words.
        passages: word ranges of the source passages to look for.
        copy_words: the copy's matching words (all of them: what does not align is
            what the copy added).
        min_similarity: least similarity for a passage to count as found.
        copy_bounds: word indexes where the copy's sentences and blocks start; spans
            grow over free words at their ends only within a sentence.
    """
    grams, memo, ids = alignwork.copy_grams(copy_words)
    source = alignwork.source_of(src_words, memo, ids, passages)
    used = bytearray(len(copy_words))
    bounds = sorted({0, len(copy_words), *copy_bounds})
    if ids is not None and bounds[0] == 0 and bounds[-1] == len(copy_words):
        # the kernel aligns the passages in one call (claims.aligned_pairs: the same
        # matches)
        kernel = _kernel_align(ids, source, passages, used, bounds, min_similarity)
        if kernel is not None:
            return kernel
    pairs = claims.aligned_pairs(
        src_words, passages, copy_words, min_similarity, bounds, used, grams, memo, source
    )
    matches = []
    for passage, (s, e), (lo, hi), matched, sim, opcodes in pairs:
        edits = tuple(
            Edit(_OPCODE_KIND[op], (s + i1, s + i2), (lo + j1, lo + j2))
            for op, i1, i2, j1, j2 in opcodes
            if op != "equal"
        )
        matches.append(PassageMatch(passage, (s, e), (lo, hi), matched, sim, edits))
    return Alignment(tuple(matches), len(passages))


def _kernel_align(
    ids: alignwork.CopyIds,
    source: Source,
    passages: Sequence[tuple[int, int]],
    used: bytearray,
    bounds: list[int],
    min_similarity: float,
) -> Alignment | None:
    """:func:`align` by the kernel (:meth:`~alignwork.CopyIds.align`); None: a passage
    too long for it."""
    got = ids.align(
        used,
        *alignwork.passages_ids(source, passages),
        array("q", [s for s, _ in passages]),
        array("q", bounds),
        STRAY_WORDS,
        MAX_TRIES,
        LEAD_WORDS,
        min_similarity,
        ABRIDGED,
        _MADE,
    )
    return None if got is None else Alignment(tuple(got), len(passages))


#: How the kernel makes :class:`Edit` and :class:`PassageMatch` objects (as their
#: ``__init__`` does, ~10x faster: a newsroom check makes a thousand): each class and its
#: fields' slots, in order, and the kind of each of difflib's opcodes (replace, delete,
#: insert).
_MADE = (
    Edit,
    tuple(getattr(Edit, f.name) for f in fields(Edit)),
    (_OPCODE_KIND["replace"], _OPCODE_KIND["delete"], _OPCODE_KIND["insert"]),
    PassageMatch,
    tuple(getattr(PassageMatch, f.name) for f in fields(PassageMatch)),
)
