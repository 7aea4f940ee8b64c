"""Stage 5's per-passage path: which copy words each source passage claims, and the pairs.

The rules of ``align``, one passage at a time: the passages the copy holds word for word
claim their words first (in source order); the others, most voted first
(``votes.vote``: where their n-grams put them), are searched around their diagonals, the
copy's free words matched with difflib's matcher (cydifflib's compiled port of it: the
same matches) and trimmed to the matched core (stray hits on common words dropped), and
claim the core when it counts (similar enough, or abridged). Each claimed span then
grows over free neighbouring words within its sentence (:func:`_extend_edges`), and each
pair is diffed word by word (``alignwork.pair``). ``align`` turns the pairs into its
results.

This is the pure-Python path (``PROV_KERNEL=numpy``, no compiler) and, with the kernel,
the path of a source whose passage is too long for the kernel's one-call alignment
(``alignwork.CopyIds.align``, which follows these rules to the same matches: the
constants here are its arguments); a window or a pair is still matched on the copy's ids
by the kernel then (``alignwork.CopyIds``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from provenance.match import alignwork, votes
from provenance.match.alignwork import Block, Memo, Opcodes, Source
from provenance.match.votes import Grams

if TYPE_CHECKING:  # cydifflib is difflib's algorithm compiled, with the same API
    from difflib import SequenceMatcher
else:
    from cydifflib import SequenceMatcher

#: Free words at a span's end, within its sentence, taken in as an edit of the copy.
LEAD_WORDS = 3
#: A matched run of fewer words than this, far from the rest, is a chance hit.
STRAY_WORDS = 4
#: Verbatim occurrences of a passage tried in the copy, at most, on either side of the
#: previous claim (a repetitive copy holds a passage everywhere).
MAX_TRIES = 32
#: An aligned pair, as ``align`` makes its ``PassageMatch``: the passage, its source
#: range, its copy range, the words matched, the similarity, difflib's opcodes.
Pair = tuple[int, tuple[int, int], tuple[int, int], int, float, Opcodes]


@dataclass(slots=True)
class _Claim:
    passage: int
    src: tuple[int, int]
    lo: int
    hi: int
    matched: int
    lo0: int = -1
    hi0: int = -1

    def __post_init__(self) -> None:
        self.lo0, self.hi0 = self.lo, self.hi


def _gap(size: int, copy_gap: int, passage_gap: int) -> int:
    """The gap that separates a run of ``size`` matched words from the rest. A run of
    a few words is a chance hit when it lies far off on either side; a longer run that
    follows the rest in the copy is the passage with a clause left out (or added)."""
    if size < STRAY_WORDS:
        return max(copy_gap, passage_gap)
    return min(copy_gap, passage_gap)


def _core(blocks: list[Block]) -> list[Block]:
    """Drop stray matches at either end: a matched run smaller than half the gap that
    separates it from the rest is a chance hit on a common word ("the", "of"), not
    the edge of the copied passage. (Blocks ``(i, j, size)``, difflib's ``Match``.)"""
    lo, hi = 0, len(blocks)
    while hi - lo > 1:
        (ba, bb, bs), (na, nb, _) = blocks[lo], blocks[lo + 1]
        gap = _gap(bs, na - (ba + bs), nb - (bb + bs))
        if bs * 2 >= gap:
            break
        lo += 1
    while hi - lo > 1:
        (pa, pb, ps), (ba, bb, bs) = blocks[hi - 2], blocks[hi - 1]
        gap = _gap(bs, ba - (pa + ps), bb - (pb + ps))
        if bs * 2 >= gap:
            break
        hi -= 1
    return blocks[lo:hi]


def _match(
    blocks_of: Callable[[int, int], list[Block]], lo: int, hi: int, size: int
) -> tuple[int, int, int] | None:
    """Align a passage of ``size`` words within the copy's words ``[lo, hi)``;
    ``blocks_of(lo, hi)``: the matching blocks of that window (a) and the passage (b).

    Returns the copy span ``(start, end)`` of the matched core and the matched word
    count. The window is searched twice: once whole, and once tightened around the
    core found, so that a common word far from the passage ("the" in a heading
    above it) does not take the place of the same word next to it.
    """
    for _ in range(2):
        blocks = _core([b for b in blocks_of(lo, hi) if b[2]])
        if not blocks:
            return None
        clo, chi = lo + blocks[0][0], lo + blocks[-1][0] + blocks[-1][2]
        head = blocks[0][1]
        tail = size - (blocks[-1][1] + blocks[-1][2])
        tight = max(lo, clo - 2 * head - 1), min(hi, chi + 2 * tail + 1)
        if tight == (lo, hi):
            break
        lo, hi = tight
    return clo, chi, sum(b[2] for b in blocks)


def _claim_exact(
    src_words: Sequence[str],
    passages: Sequence[tuple[int, int]],
    copy_words: Sequence[str],
    grams: Grams,
    used: bytearray,
) -> list[_Claim]:
    """Claim the passages the copy reproduces word for word, in source order.

    Among several free occurrences (repeated text), the first one after the previous
    claim is taken, so a verbatim copy of a repetitive text aligns in order.
    """
    claims: list[_Claim] = []
    last_end = 0
    for pi, (s, e) in enumerate(passages):
        size = e - s
        n = 3 if size >= 3 else 2
        if size < 2:
            continue
        # anchor on the passage's first n-gram, or when that one is common its rarest
        # one: every verbatim occurrence holds it
        index = grams[n]
        k = 0
        anchors = index.get(tuple(src_words[s : s + n]), ())
        if len(anchors) > MAX_TRIES:
            k = min(
                range(size - n + 1),
                key=lambda k: len(index.get(tuple(src_words[s + k : s + k + n]), ())),
            )
            anchors = index.get(tuple(src_words[s + k : s + k + n]), ())
        p = _first_free_copy(src_words[s:e], copy_words, anchors, k, last_end, used)
        if p is None:
            continue
        used[p : p + size] = b"\x01" * size
        claims.append(_Claim(pi, (s, e), p, p + size, size))
        last_end = p + size
    return claims


def _first_free_copy(
    target: Sequence[str],
    copy_words: Sequence[str],
    anchors: Sequence[int],
    k: int,
    after: int,
    used: bytearray,
) -> int | None:
    """The first free verbatim occurrence of ``target`` at or after copy word ``after``,
    else the first one before it; ``anchors`` are the (sorted) copy positions of the
    target's n-gram at offset ``k``. At most :data:`MAX_TRIES` occurrences are tried on
    each side, so a passage that occurs everywhere in a repetitive copy costs no more
    than one that occurs a few times."""
    size = len(target)
    target = tuple(target)  # (a tuple's slice is one already: compared as it is)
    start = bisect_left(anchors, after + k)
    for lo, hi in ((start, len(anchors)), (0, start)):
        for a in anchors[lo : min(hi, lo + MAX_TRIES)]:
            p = a - k
            if p < 0 or p + size > len(copy_words) or used.find(1, p, p + size) >= 0:
                continue
            if tuple(copy_words[p : p + size]) == target:
                return p
    return None


#: An abridged passage: the copy span is the passage's words in order with at most this
#: share of other words, and keeps at least a third of the passage (and 8 words).
ABRIDGED = 0.95


def _counts(sim: float, matched: int, span: int, size: int, min_similarity: float) -> bool:
    """Whether an aligned pair counts as found: similar enough, or abridged (a clause
    left out of an otherwise verbatim sentence)."""
    if sim >= min_similarity:
        return True
    return matched >= ABRIDGED * span and 3 * matched >= size and matched >= 8


def _free_runs(used: bytearray, lo: int, hi: int) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    i = lo
    while i < hi:
        i = used.find(0, i, hi)  # the next free word (bytes scanned in C)
        if i < 0:
            break
        j = used.find(1, i, hi)
        j = hi if j < 0 else j
        runs.append((i, j))
        i = j
    return runs


def aligned_pairs(
    src_words: Sequence[str],
    passages: Sequence[tuple[int, int]],
    copy_words: Sequence[str],
    min_similarity: float,
    bounds: Sequence[int],
    used: bytearray,
    grams: Grams,
    memo: Memo,
    source: Source,
) -> list[Pair]:
    """``align`` of ``passages`` passage by passage (its arguments; ``bounds``: where the
    copy's sentences start, sorted, with 0 and the copy's length; ``used``: a byte per
    copy word, 1 when claimed, updated; ``grams``, ``memo``: the copy's, from
    ``alignwork.copy_grams``; ``source``: the passages as ``alignwork.source_of``
    numbers them in ``memo``, with the copy's ids when the kernel runs): the aligned
    pairs, in passage order."""
    ids = source.ids
    number, pids = source.number, source.pids
    missing = alignwork.MISSING
    claims = _claim_exact(src_words, passages, copy_words, grams, used)
    exact = {c.passage for c in claims}
    candidates: list[tuple[int, int, list[int]]] = []  # (votes, passage, diagonals)
    for pi, (s, e) in enumerate(passages):
        if pi in exact:
            continue
        key = ("vote", number(s, e))
        voted = memo.get(key, missing)  # (memo.get_or inlined: no function made per passage)
        if voted is missing:
            voted = (
                votes.vote(tuple(src_words[s:e]), grams) if ids is None else ids.vote(pids(s, e))
            )
            if len(memo) < alignwork.MEMO_ENTRIES:
                memo[key] = voted
        if voted is not None:
            candidates.append((voted[0], pi, voted[1]))
    candidates.sort(key=lambda c: (-c[0], c[1]))

    # the words path's matcher, made when first needed, and the passage it holds (seq2)
    matchers: list[SequenceMatcher[str]] = []
    held: list[tuple[str, ...] | None] = [None]

    def match(s: int, e: int, lo: int, hi: int) -> tuple[int, int, int] | None:
        if ids is not None:
            p = pids(s, e)
            if ids.small(hi - lo, e - s):  # (the kernel's _match, the same answer)
                return ids.match(lo, hi, p, STRAY_WORDS)
            return _match(lambda lo, hi: ids.blocks(ids.ids[lo:hi], p), lo, hi, e - s)
        words = tuple(src_words[s:e])
        if not matchers:
            matchers.append(SequenceMatcher(autojunk=False))
        matcher = matchers[0]
        if held[0] != words:  # (indexing a passage costs: only when not memoised)
            matcher.set_seq2(list(words))
            held[0] = words

        def blocks_of(lo: int, hi: int) -> list[Block]:
            matcher.set_seq1(list(copy_words[lo:hi]))
            return matcher.get_matching_blocks()  # type: ignore[return-value]

        return _match(blocks_of, lo, hi, e - s)

    for _votes, pi, diagonals in candidates:
        s, e = passages[pi]
        size = e - s
        slack = max(8, size // 3)
        # the kernel searches the passage's windows at once (the loop below, the same
        # answer; False: a window too large for it)
        searched = (
            False if ids is None else ids.search(used, pids(s, e), diagonals, slack, STRAY_WORDS)
        )
        best: tuple[float, int, int, int] | None = None if searched is False else searched
        n = number(s, e) if searched is False else -1
        for diag in diagonals if searched is False else ():
            lo, hi = max(0, diag - slack), min(len(copy_words), diag + size + slack)
            for rlo, rhi in _free_runs(used, lo, hi):
                mkey = ("match", n, rlo, rhi)
                found = memo.get(mkey, missing)
                if found is missing:
                    found = match(s, e, rlo, rhi)
                    if len(memo) < alignwork.MEMO_ENTRIES:
                        memo[mkey] = found
                if found is None:
                    continue
                clo, chi, matched = found
                sim = 2 * matched / (size + chi - clo)
                if best is None or sim > best[0]:
                    best = (sim, clo, chi, matched)
            if best is not None and best[0] >= 0.999:
                break
        if best is None or not _counts(best[0], best[3], best[2] - best[1], size, min_similarity):
            continue
        _, clo, chi, matched = best
        used[clo:chi] = b"\x01" * (chi - clo)
        claims.append(_Claim(pi, (s, e), clo, chi, matched))

    _extend_edges(claims, used, src_words, copy_words, bounds, memo, source)
    pairs: list[Pair] = []
    for c in sorted(claims, key=lambda c: c.passage):
        s, e = c.src
        _, matched, opcodes = alignwork.pair(src_words, s, e, copy_words, c.lo, c.hi, memo, source)
        sim = 2 * matched / ((e - s) + (c.hi - c.lo))
        if not _counts(sim, matched, c.hi - c.lo, e - s, min_similarity) and (c.lo, c.hi) != (
            c.lo0,
            c.hi0,
        ):
            # the words taken in at the edges made the pair look unlike: leave them out
            c.lo, c.hi = c.lo0, c.hi0
            _, matched, opcodes = alignwork.pair(
                src_words, s, e, copy_words, c.lo, c.hi, memo, source
            )
            sim = 2 * matched / ((e - s) + (c.hi - c.lo))
        pairs.append((c.passage, c.src, (c.lo, c.hi), matched, sim, opcodes))
    return pairs


def _extend_edges(
    claims: list[_Claim],
    used: bytearray,
    src_words: Sequence[str],
    copy_words: Sequence[str],
    bounds: Sequence[int],
    memo: Memo,
    source: Source,
) -> None:
    """Grow each claimed span over the free copy words at its ends, within its sentence.

    At each end the span takes the free words up to the copy sentence's edge when
    they are few (at most as many as the passage misses there, plus
    :data:`LEAD_WORDS`): a lead-in like "Allegedly," is then an insertion, and
    "In Syria" -> "Within Syria" a substitution. A longer free run (a dateline
    dropped into the sentence) stays outside, except for as many words as the
    passage misses at that end.
    """
    for c in claims:
        s, e = c.src
        ends = alignwork.pair(src_words, s, e, copy_words, c.lo, c.hi, memo, source)[0]
        if ends is None:
            continue
        head, tail = ends
        floor = bounds[bisect_right(bounds, c.lo) - 1]
        # a run longer than head + LEAD_WORDS is cut to head: no need to measure it all
        run, most = 0, head + LEAD_WORDS + 1
        while run < most and c.lo - run - 1 >= floor and not used[c.lo - run - 1]:
            run += 1
        take = run if run <= head + LEAD_WORDS else min(head, run)
        used[c.lo - take : c.lo] = b"\x01" * take
        c.lo -= take
        ceiling = bounds[bisect_left(bounds, c.hi)]
        run, most = 0, tail + LEAD_WORDS + 1
        while run < most and c.hi + run < ceiling and not used[c.hi + run]:
            run += 1
        take = run if run <= tail + LEAD_WORDS else min(tail, run)
        used[c.hi : c.hi + take] = b"\x01" * take
        c.hi += take
