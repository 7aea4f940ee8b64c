"""What aligning one copy shares across its candidate sources (used by ``align``).

A check aligns one copy with many sources, most of their passages alike. Here is the
work done once per copy and reused: the copy's n-gram index (``votes.CopyGrams``), the
memo of what was computed of source passages against it (:class:`Memo`), the compiled
kernel's form of both (:class:`CopyIds`: the copy's words as ids, and the calls into the
kernel: its votes, searches, a candidate's whole alignment), and the word-by-word diff of
an aligned pair (:func:`pair`: difflib's opcodes, from cydifflib or the kernel).

Nothing here imports ``align`` or ``claims``; they call these functions through this
module.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeAlias, TypeVar

import numpy as np

from provenance.match.fingerprint import load_kernel
from provenance.match.votes import MAX_CLUSTERS, MAX_POSTINGS, CopyGrams, Grams

if TYPE_CHECKING:  # cydifflib is difflib's algorithm compiled, with the same API
    from difflib import SequenceMatcher
else:
    from cydifflib import SequenceMatcher

_T = TypeVar("_T")
_M = TypeVar("_M")
#: Results a copy's :class:`Memo` keeps at most (a few hundred bytes each).
MEMO_ENTRIES = 20_000


class Memo(dict[tuple[Any, ...], Any]):
    """What aligning one copy computed of source passages from their words alone, for
    the next candidate source that holds a passage word for word (a check aligns one
    copy with twenty near-copies of one story, most of their passages shared): where
    the passage's n-grams vote for it in the copy (``votes.vote``), and how it matches a
    window of the copy (``claims._match`` on the words path; :func:`pair`). Each is a
    pure function of the passage's words and the window's place in this copy: the
    alignment is the same, computed or reused. (The kernel, which aligns a candidate in
    one call, keeps its own memo: :attr:`CopyIds.memo`.)"""

    def __init__(self) -> None:
        super().__init__()
        #: each passage's words (a tuple) numbered: the keys hold the number (a tuple's
        #: hash is not kept: hashed once here, not at every look-up)
        self.passages: dict[tuple[str, ...], int] = {}

    def passage(self, words: tuple[str, ...]) -> int:
        """The number of a passage's words in this memo's keys."""
        return self.passages.setdefault(words, len(self.passages))

    def get_or(self, key: tuple[Any, ...], compute: Callable[[], _T]) -> _T:
        out = self.get(key, _MISSING)
        if out is not _MISSING:
            return out  # type: ignore[no-any-return]
        out = compute()
        if len(self) < MEMO_ENTRIES:
            self[key] = out
        return out


_MISSING = object()
#: What a memo look-up gives for a key it lacks (``memo.get(key, MISSING)``).
MISSING = _MISSING


#: The compiled kernel (``match/_kernel*.c``: ``votes.vote`` on word ids, the same
#: votes), or None for the Python path (tests set it to compare both).
_KERNEL = load_kernel()
#: Distinct words of a copy the kernel takes at most (its n-gram keys are 63 bits).
_KERNEL_VOCAB = 1 << 21
#: Longest matches searched by the kernel when the two sequences' lengths multiply to at
#: most this (its search reads every pair of words; cydifflib's, longer ones).
_KERNEL_CELLS = 1 << 16
#: Words as a copy's ids (:meth:`CopyIds.of`; int64 items).
WordIds: TypeAlias = "array[int] | memoryview"
#: A matching block: ``a[i:i + size] == b[j:j + size]``, as ``(i, j, size)``.
Block = tuple[int, int, int]
#: Where a passage matched in a window of the copy: ``(start, end, matched words)``.
Core = tuple[int, int, int]


class CopyIds:
    """A copy's words as ids (its distinct words numbered), and its n-grams' keys
    sorted, with their positions (:data:`_KERNEL`'s form of ``votes.ngram_index``).
    (A plain class: a dataclass costs a cold ``prov check`` ~0.5 ms to define.)"""

    __slots__ = ("ids", "keys2", "keys3", "memo", "pos2", "pos3", "table", "vocab")

    def __init__(
        self,
        vocab: dict[str, int],
        ids: np.ndarray,
        keys3: np.ndarray,
        pos3: np.ndarray,
        keys2: np.ndarray,
        pos2: np.ndarray,
        table: object = None,
    ) -> None:
        self.vocab, self.ids = vocab, ids
        self.keys3, self.pos3, self.keys2, self.pos2 = keys3, pos3, keys2, pos2
        #: where :meth:`of` looks words up: the kernel's table of the copy's words
        #: (``_kernel.number``'s), else :attr:`vocab`
        self.table = vocab if table is None else table
        #: the kernel's memo of :meth:`align` (votes, searches, pairs by passage), as
        #: :class:`Memo` is the Python path's
        self.memo: dict[bytes, bytes] = {}

    @classmethod
    def build(cls, copy_words: Sequence[str]) -> CopyIds | None:
        if _KERNEL is not None:  # (numbered in C, with the look-up table of :meth:`of`)
            made = _KERNEL.number(copy_words, _KERNEL_VOCAB)
            if made is not None:
                numbers, table = made[0], made[-1]
                ids, k3, p3, k2, p2 = (np.frombuffer(x, np.int64) for x in made[1:-1])
                return cls(numbers, ids, k3, p3, k2, p2, table)
        vocab: dict[str, int] = {}
        ids = np.fromiter(
            (vocab.setdefault(w, len(vocab)) for w in copy_words), np.int64, len(copy_words)
        )
        v = len(vocab)
        if not 0 < v < _KERNEL_VOCAB:
            return None
        tables: list[np.ndarray] = []
        for keys in ((ids[:-2] * v + ids[1:-1]) * v + ids[2:], ids[:-1] * v + ids[1:]):
            order = np.argsort(keys, kind="stable")
            tables += [np.ascontiguousarray(keys[order]), order.astype(np.int64)]
        return cls(vocab, ids, *tables)

    def of(self, words: Sequence[str]) -> WordIds:
        """``words`` as ids (-1: a word the copy lacks)."""
        if _KERNEL is not None:  # (the kernel looks them up: ~3x faster)
            return memoryview(_KERNEL.ids(words, self.table)).cast("q")
        return array("q", list(map(self.vocab.get, words, repeat(-1, len(words)))))

    def vote(self, ids: WordIds) -> tuple[int, list[int]] | None:
        """``votes.vote`` of a passage (its :meth:`of`)."""
        assert _KERNEL is not None  # noqa: S101 - built only with the kernel
        width = max(4, len(ids) // 5)
        k3, p3, k2, p2 = self.keys3, self.pos3, self.keys2, self.pos2
        return _KERNEL.vote(  # type: ignore[no-any-return]
            ids, k3, p3, k2, p2, len(self.vocab), width, MAX_CLUSTERS, MAX_POSTINGS
        )

    def small(self, la: int, lb: int) -> bool:
        """Whether the kernel searches sequences of ``la`` and ``lb`` words (it reads
        every pair of their words: at most :data:`_KERNEL_CELLS` of them)."""
        return la * lb <= _KERNEL_CELLS

    def match(self, lo: int, hi: int, passage: WordIds, stray: int) -> Core | None:
        """``claims._match`` of ``passage`` (ids) within the copy's words ``[lo, hi)``,
        ``stray`` being its :data:`~provenance.match.claims.STRAY_WORDS`, by the kernel
        (the same answer; for a window and a passage that are :meth:`small`)."""
        assert _KERNEL is not None  # noqa: S101 - built only with the kernel
        return _KERNEL.match(self.ids, lo, hi, passage, stray)  # type: ignore[no-any-return]

    def search(
        self, used: bytearray, passage: WordIds, diagonals: list[int], slack: int, stray: int
    ) -> tuple[float, int, int, int] | None | Literal[False]:
        """``align``'s search for ``passage`` (ids) in the copy around its ``diagonals``
        (``votes.vote``): the free runs of each diagonal's window (``slack`` words either
        side) matched as ``claims._match`` does (``stray``: its
        :data:`~provenance.match.claims.STRAY_WORDS`), the best ``(similarity, start,
        end, matched)`` (None: nothing matches), by the kernel; False when a run is too
        long for it (not :meth:`small`)."""
        assert _KERNEL is not None  # noqa: S101 - built only with the kernel
        return _KERNEL.search(  # type: ignore[no-any-return]
            self.ids, used, passage, diagonals, slack, stray, _KERNEL_CELLS
        )

    def align(
        self,
        used: bytearray,
        source: WordIds,
        spans: array[int],
        origins: array[int],
        bounds: array[int],
        stray: int,
        max_tries: int,
        lead: int,
        min_similarity: float,
        abridged: float,
        made: tuple[type, tuple[Any, ...], tuple[str, str, str], type[_M], tuple[Any, ...]],
    ) -> list[_M] | None:
        """``align.align`` of passages ``spans`` (``(start, end)`` pairs, flat, into
        ``source``: ids; ``origins``: their first words in the source) in one kernel
        call: its matches (``align.PassageMatch``) in passage order; ``made``: how the
        kernel makes them, ``(align.Edit, the descriptors of its fields, the kinds of
        difflib's replace, delete and insert, align.PassageMatch, its fields'
        descriptors)``; ``bounds``: where the copy's sentences start, sorted, with 0 and
        the copy's length; ``used`` is updated. The same matches as the per-passage
        Python code (``claims.aligned_pairs``), with this copy's votes, searches and
        pairs kept in :attr:`memo`.
        None: a passage's windows may be too large for the kernel (not :meth:`small`):
        the caller aligns passage by passage."""
        assert _KERNEL is not None  # noqa: S101 - built only with the kernel
        return _KERNEL.align(  # type: ignore[no-any-return]
            self.ids,
            self.keys3,
            self.pos3,
            self.keys2,
            self.pos2,
            len(self.vocab),
            used,
            source,
            spans,
            origins,
            bounds,
            stray,
            max_tries,
            MAX_CLUSTERS,
            MAX_POSTINGS,
            _KERNEL_CELLS,
            lead,
            min_similarity,
            abridged,
            self.memo,
            MEMO_ENTRIES,
            made,
        )

    def blocks(self, a: WordIds | np.ndarray, b: WordIds | np.ndarray) -> list[Block]:
        """difflib's matching blocks of two id sequences (the same as
        :func:`_matcher`'s of their words): the kernel's when their product is at most
        :data:`_KERNEL_CELLS`, else cydifflib's."""
        if len(a) * len(b) <= _KERNEL_CELLS:
            assert _KERNEL is not None  # noqa: S101 - built only with the kernel
            return _KERNEL.blocks(a, b)  # type: ignore[no-any-return]
        # (ids below 0 made unlike each other, as the kernel holds them)
        la = [x if x >= 0 else -1 - i for i, x in enumerate(a.tolist())]
        lb = [x if x >= 0 else -(1 << 40) - j for j, x in enumerate(b.tolist())]
        matcher: SequenceMatcher[int] = SequenceMatcher(None, la, lb, autojunk=False)
        return [tuple(m) for m in matcher.get_matching_blocks()]  # type: ignore[misc]


#: The copy's n-gram index of the last call (a check aligns one copy with many
#: candidate sources): kept with the words it indexes, reused for the same object, with
#: what was computed of source passages against it.
_last_grams: tuple[Sequence[str], Grams, Memo, CopyIds | None] | None = None


def copy_grams(copy_words: Sequence[str]) -> tuple[Grams, Memo, CopyIds | None]:
    global _last_grams  # noqa: PLW0603 - a one-entry memo, replaced whole (thread-safe)
    last = _last_grams
    if last is not None and last[0] is copy_words and isinstance(copy_words, tuple):
        return last[1], last[2], last[3]
    grams = CopyGrams(copy_words)
    memo = Memo()
    ids = CopyIds.build(copy_words) if _KERNEL is not None else None
    _last_grams = (copy_words, grams, memo, ids)
    return grams, memo, ids


def forget_copy(copy_words: Sequence[str]) -> None:
    """Drop the n-gram index and memo kept for ``copy_words`` (a caller done with the
    copy: they are freed now, by reference counting, not later by the collector)."""
    global _last_grams  # noqa: PLW0603 - a one-entry memo, replaced whole (thread-safe)
    last = _last_grams
    if last is not None and last[0] is copy_words:
        _last_grams = None


def _matcher(a: Sequence[str], b: Sequence[str]) -> SequenceMatcher[str]:
    matcher: SequenceMatcher[str] = SequenceMatcher(autojunk=False)
    matcher.set_seqs(list(a), list(b))
    return matcher


Opcodes = list[tuple[str, int, int, int, int]]


class Source(NamedTuple):
    """A source's passages as one ``align()`` call looks them up: ``number(s, e)``,
    the memo's number of passage ``[s, e)``'s words; with the kernel, the copy's ids and
    ``pids(s, e)``, the passage's."""

    number: Callable[[int, int], int]
    ids: CopyIds | None
    pids: Callable[[int, int], WordIds]


def source_of(
    src_words: Sequence[str],
    memo: Memo,
    ids: CopyIds | None,
    passages: Sequence[tuple[int, int]] = (),
) -> Source:
    """The :class:`Source` of one ``align()`` call: its passages numbered in ``memo``
    and, with the kernel, made ids of the copy (each once, when first asked; the words
    ``passages`` span at once, when they are mostly passages: a slice each then)."""
    passage_ids: dict[tuple[int, int], WordIds] = {}
    first = min((s for s, _ in passages), default=0)
    last = max((e for _, e in passages), default=0)
    span: list[WordIds] = []  # the ids of words [first, last), once made
    whole = ids is not None and 2 * sum(e - s for s, e in passages) >= last - first

    def pids(s: int, e: int) -> WordIds:
        """Passage ``[s, e)``'s words as the copy's ids (the kernel's form)."""
        assert ids is not None  # noqa: S101 - only called with the kernel
        if whole and first <= s <= e <= last:
            if not span:
                span.append(ids.of(src_words[first:last]))
            return span[0][s - first : e - first]
        got = passage_ids.get((s, e))
        if got is None:
            got = passage_ids[s, e] = ids.of(src_words[s:e])
        return got

    numbers: dict[tuple[int, int], int] = {}

    def number(s: int, e: int) -> int:
        """The memo's number of passage ``[s, e)``'s words."""
        n = numbers.get((s, e))
        if n is None:
            n = numbers[s, e] = memo.passage(tuple(src_words[s:e]))
        return n

    return Source(number, ids, pids)


def passages_ids(source: Source, passages: Sequence[tuple[int, int]]) -> tuple[WordIds, array[int]]:
    """The ids of the words ``passages`` span (with the kernel) and the passages as
    ``(start, end)`` pairs into them, flat (:meth:`CopyIds.align`'s arguments): the span
    of the source from the first passage to the last when they cover most of it (as
    :func:`source_of` makes it), else the passages' ids one after the other."""
    first = min((s for s, _ in passages), default=0)
    last = max((e for _, e in passages), default=0)
    if 2 * sum(e - s for s, e in passages) >= last - first:
        return source.pids(first, last), array("q", [x - first for p in passages for x in p])
    spans, at = array("q"), 0
    for s, e in passages:
        spans.extend((at, at + e - s))
        at += e - s
    joined = b"".join(source.pids(s, e) for s, e in passages)
    return memoryview(joined).cast("q"), spans


def pair(
    src_words: Sequence[str],
    s: int,
    e: int,
    copy_words: Sequence[str],
    lo: int,
    hi: int,
    memo: Memo,
    source: Source,
) -> tuple[tuple[int, int] | None, int, Opcodes]:
    """How passage ``[s, e)`` matches copy span ``[lo, hi)``: the passage words before its
    first and after its last match (None: nothing matches), the words matched in order,
    and the opcodes that turn one into the other (difflib's, on words or with the
    kernel on ids: the same)."""

    key = ("pair", source.number(s, e), lo, hi)
    got = memo.get(key, _MISSING)  # (memo.get_or inlined: called a thousand times a check)
    if got is not _MISSING:
        return got  # type: ignore[no-any-return]
    ids = source.ids
    if ids is None:
        matcher = _matcher(src_words[s:e], copy_words[lo:hi])
        blocks: list[Block] = matcher.get_matching_blocks()  # type: ignore[assignment]
    elif ids.small(e - s, hi - lo):  # the kernel diffs the pair whole: the same answer
        assert _KERNEL is not None  # noqa: S101 - ids are built only with the kernel
        got = _KERNEL.diff(source.pids(s, e), ids.ids, lo, hi)
        if len(memo) < MEMO_ENTRIES:
            memo[key] = got
        return got  # type: ignore[no-any-return]
    else:
        blocks = ids.blocks(source.pids(s, e), ids.ids[lo:hi])
    sized = [b for b in blocks if b[2]]
    ends = (sized[0][0], (e - s) - (sized[-1][0] + sized[-1][2])) if sized else None
    out = ends, sum(b[2] for b in blocks), opcodes(blocks)
    if len(memo) < MEMO_ENTRIES:
        memo[key] = out
    return out


def opcodes(blocks: list[Block]) -> Opcodes:
    """difflib's ``get_opcodes`` from its matching blocks (ending with the empty one)."""
    i = j = 0
    out: Opcodes = []
    for ai, bj, size in blocks:
        tag = ""
        if i < ai and j < bj:
            tag = "replace"
        elif i < ai:
            tag = "delete"
        elif j < bj:
            tag = "insert"
        if tag:
            out.append((tag, i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            out.append(("equal", ai, i, bj, j))
    return out
