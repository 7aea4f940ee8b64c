from __future__ import annotations

import difflib
from array import array
from dataclasses import fields as dataclass_fields
from typing import Any

import cydifflib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.match import align as align_module
from provenance.match import alignwork, claims, votes
from provenance.match.align import (
    DELETION,
    INSERTION,
    SUBSTITUTION,
    Edit,
    PassageMatch,
    align,
)
from provenance.match.alignwork import CopyIds
from provenance.match.claims import STRAY_WORDS, _free_runs, _match
from provenance.text.normalize import normalize
from tests.test_alignwork import _kernel_or_skip

S1 = "the coalition remains committed to promoting efforts to ensure that accused terrorists are tried"
S2 = "the ministers reaffirmed their intent to hold the next meeting of the coalition in brussels"
S3 = "daesh no longer controls territory and nearly eight million people have been freed"


def words(text: str) -> tuple[str, ...]:
    return normalize(text).words


def spans(*sentences: str) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
    out: list[str] = []
    ranges = []
    for s in sentences:
        w = words(s)
        ranges.append((len(out), len(out) + len(w)))
        out.extend(w)
    return tuple(out), ranges


def test_reordered_and_merged_passages_align() -> None:
    src, ranges = spans(S1, S2, S3)
    copy, parts = spans("site menu home", S3, S1, "dateline june", S2, "footer")
    al = align(src, ranges, copy, 0.75, [s for s, _ in parts])
    assert al.found == {0, 1, 2}
    for m in al.matches:
        assert copy[m.copy[0] : m.copy[1]] == src[m.src[0] : m.src[1]]
        assert m.edits == ()


@pytest.mark.parametrize(
    ("copy", "kind", "src_words", "copy_words"),
    [
        (S1.replace("accused", "falsely accused"), INSERTION, (), ("falsely",)),
        (S1.replace("promoting ", ""), DELETION, ("promoting",), ()),
        (S1.replace("committed", "devoted"), SUBSTITUTION, ("committed",), ("devoted",)),
        (S1.replace("the coalition", "within the coalition"), INSERTION, (), ("within",)),
    ],
)
def test_word_edits(
    copy: str, kind: str, src_words: tuple[str, ...], copy_words: tuple[str, ...]
) -> None:
    src, ranges = spans(S1)
    cw = words(copy)
    (m,) = align(src, ranges, cw, 0.75).matches
    (edit,) = m.edits
    assert edit.kind == kind
    assert src[edit.src[0] : edit.src[1]] == src_words
    assert cw[edit.copy[0] : edit.copy[1]] == copy_words


def test_edge_substitution_is_kept_inside_the_span() -> None:
    src, ranges = spans(
        "In Syria, the Coalition stands with the Syrian people in support of a settlement."
    )
    cw = words(
        "Within Syria, the Coalition stands with the Syrian people in support of a settlement."
    )
    (m,) = align(src, ranges, cw, 0.75).matches
    assert m.copy == (0, len(cw))
    assert [(e.kind, cw[e.copy[0] : e.copy[1]]) for e in m.edits] == [(SUBSTITUTION, ("within",))]


def test_a_stray_common_word_far_away_is_not_part_of_the_span() -> None:
    src, ranges = spans(
        "The Ministers also reaffirmed their intent to hold the next ministerial meeting"
    )
    cw = words(
        "Ministerial Meeting of the Global Coalition to Defeat Daesh "
        "The particular Ministers also reaffirmed their intent to hold the next ministerial meeting"
    )
    (m,) = align(src, ranges, cw, 0.75).matches
    assert cw[m.copy[0] : m.copy[0] + 2] == ("the", "particular")
    assert [cw[e.copy[0] : e.copy[1]] for e in m.edits] == [("particular",)]


def test_a_copy_word_serves_one_passage_only() -> None:
    src, ranges = spans(S1, S1)
    al = align(src, ranges, words(S1), 0.75)
    assert len(al.matches) == 1


def test_a_short_lead_in_is_an_insertion_a_long_one_is_not() -> None:
    src, ranges = spans(S1)
    short = words("Allegedly, " + S1)
    (m,) = align(src, ranges, short, 0.75).matches
    assert [short[e.copy[0] : e.copy[1]] for e in m.edits] == [("allegedly",)]
    long = words("June 28, 2021 : Ottawa, Ontario - Global Affairs Canada " + S1)
    (m,) = align(src, ranges, long, 0.75).matches
    assert m.edits == ()
    assert long[m.copy[0]] == "the"


def test_unrelated_text_aligns_nothing() -> None:
    src, ranges = spans(S1, S2)
    copy = words("a recipe for bread needs flour water salt and yeast and a hot oven for an hour")
    assert align(src, ranges, copy, 0.75).matches == ()


def test_threshold_separates_found_from_rewritten() -> None:
    src, ranges = spans(S2)
    rewritten = words(
        "officials said they might meet again in belgium next year to discuss the coalition"
    )
    assert align(src, ranges, rewritten, 0.75).matches == ()


# align uses cydifflib's SequenceMatcher for difflib's: the same matches and opcodes, also
# when one side is kept and the other replaced (how align searches a passage's window).
_WORD_LISTS = st.lists(
    st.sampled_from(["the", "a", "minister", "met", "rome", "x", "of"]), max_size=150
)


@settings(max_examples=500, derandomize=True, deadline=None)
@given(_WORD_LISTS, st.lists(_WORD_LISTS, min_size=1, max_size=4))
def test_cydifflib_matches_difflib(passage: list[str], windows: list[list[str]]) -> None:
    ours = cydifflib.SequenceMatcher(autojunk=False)
    ref = difflib.SequenceMatcher(autojunk=False)
    ours.set_seq2(passage)
    ref.set_seq2(passage)
    for window in windows:
        ours.set_seq1(list(window))
        ref.set_seq1(list(window))
        assert [tuple(m) for m in ours.get_matching_blocks()] == [
            tuple(m) for m in ref.get_matching_blocks()
        ]
        assert ours.get_opcodes() == ref.get_opcodes()
        assert ours.ratio() == ref.ratio()


class _Reads(list[str]):
    """A word list that counts the words read from it (by index or slice)."""

    reads = 0

    def __getitem__(self, key):  # type: ignore[no-untyped-def, override]
        got = super().__getitem__(key)
        _Reads.reads += len(got) if isinstance(key, slice) else 1
        return got


def _repetitive(kind: str, n: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)  # noqa: S311 - test data
    if kind == "same":
        return ["word"] * n
    if kind == "sentence":
        s = "the quick brown fox jumps over the lazy dog near the river".split()
        return (s * (n // len(s) + 1))[:n]
    return [rng.choice("alpha beta gamma delta echo foxtrot golf hotel".split()) for _ in range(n)]


def _align_reads(kind: str, n: int) -> int:
    src, copy = _repetitive(kind, n, 1), _repetitive(kind, n, 2)
    passages = [(i, min(n, i + 12)) for i in range(0, n, 12)]
    _Reads.reads = 0
    align(_Reads(src), passages, _Reads(copy), 0.8, range(0, n, 12))
    return _Reads.reads


@pytest.mark.parametrize("kind", ["same", "sentence", "vocab"])
def test_alignment_work_grows_linearly_on_repetitive_text(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every passage occurs (nearly) everywhere in the copy: a naive aligner reads the
    # copy once per passage, four times the words when the texts double (the Python
    # path: the words it reads; with the kernel, it reads ids: below)
    monkeypatch.setattr(alignwork, "_KERNEL", None)
    small, large = _align_reads(kind, 2000), _align_reads(kind, 4000)
    assert large <= 2.5 * small, (small, large)
    assert large <= 400 * 4000  # and a bounded amount per word


@pytest.mark.parametrize("kind", ["same", "sentence", "vocab"])
def test_kernel_alignment_work_grows_linearly_on_repetitive_text(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the kernel's longest-match search reads every pair of a window's and a passage's
    # ids: the pairs it is given, summed, grow with the texts, not their square
    _kernel_or_skip()
    cells = [0]
    blocks = alignwork.CopyIds.blocks

    def counted(self: alignwork.CopyIds, a: Any, b: Any) -> list[tuple[int, int, int]]:
        cells[0] += len(a) * len(b)
        return blocks(self, a, b)

    monkeypatch.setattr(alignwork.CopyIds, "blocks", counted)
    kernel = alignwork._KERNEL

    class Counted:  # the kernel's match (a window) and diff (a pair), counted
        vote, blocks, ids, number = kernel.vote, kernel.blocks, kernel.ids, kernel.number

        @staticmethod
        def match(c: Any, lo: int, hi: int, p: Any, stray: int) -> Any:
            cells[0] += 2 * (hi - lo) * len(p)  # (a second search, in a part of it)
            return kernel.match(c, lo, hi, p, stray)

        @staticmethod
        def search(c: Any, u: Any, p: Any, diagonals: Any, slack: int, *more: int) -> Any:
            # (at most: each diagonal's window whole, searched twice)
            cells[0] += 2 * len(diagonals) * (len(p) + 2 * slack) * len(p)
            return kernel.search(c, u, p, diagonals, slack, *more)

        @staticmethod
        def align(c: Any, k3: Any, p3: Any, k2: Any, p2: Any, v: int, *more: Any) -> Any:
            # (at most: each passage's windows around its clusters whole, searched twice;
            # and its pair, twice, with a span as long as the window)
            spans = more[2]
            for s, e in zip(spans[::2], spans[1::2], strict=True):
                slack = max(8, (e - s) // 3)
                cells[0] += (2 * votes.MAX_CLUSTERS + 2) * (e - s + 2 * slack) * (e - s)
            return kernel.align(c, k3, p3, k2, p2, v, *more)

        @staticmethod
        def diff(a: Any, c: Any, lo: int, hi: int) -> Any:
            cells[0] += len(a) * (hi - lo)
            return kernel.diff(a, c, lo, hi)

    monkeypatch.setattr(alignwork, "_KERNEL", Counted)
    work = []
    for n in (2000, 4000):
        cells[0] = 0
        reads = _align_reads(kind, n)
        work.append(cells[0])
        assert reads <= 400 * n  # the words read (exact passages tried, n-grams indexed)
    assert 0 < work[1] <= 2.5 * work[0], work
    assert work[1] <= 400 * 4000


@given(st.binary(max_size=40).map(lambda b: bytearray(x & 1 for x in b)), st.data())
def test_free_runs_are_the_maximal_free_stretches(used: bytearray, data: st.DataObject) -> None:
    lo = data.draw(st.integers(0, len(used)))
    hi = data.draw(st.integers(lo, len(used)))
    runs = _free_runs(used, lo, hi)
    free = [i for i in range(lo, hi) if not used[i]]
    assert [i for a, b in runs for i in range(a, b)] == free
    assert all(b == hi or used[b] for _, b in runs)
    assert all(a == lo or used[a - 1] for a, _ in runs)


@pytest.mark.parametrize("kind", ["same", "sentence", "vocab"])
def test_alignment_is_the_same_with_and_without_the_kernel(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _kernel_or_skip()
    src = _repetitive(kind, 600, 1)
    copy = tuple(_repetitive(kind, 500, 2)[:300] + list(words(S1 + " " + S3)) + src[100:300])
    src = src + list(words(S2 + " " + S1))
    passages = [(i, min(len(src), i + 13)) for i in range(0, len(src), 13)]
    compiled = align(src, passages, copy, 0.8, range(0, len(copy), 12))
    monkeypatch.setattr(alignwork, "_KERNEL", None)
    alignwork.forget_copy(copy)
    assert align(src, passages, copy, 0.8, range(0, len(copy), 12)) == compiled


_FEW_IDS = st.lists(st.integers(-1, 5), max_size=70)


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(_FEW_IDS, _FEW_IDS, st.integers(1, 6), st.data())
def test_kernel_match_is_pythons(
    copy: list[int], passage: list[int], stray: int, data: st.DataObject
) -> None:
    # the kernel's _match (its two searches and the stray runs dropped at either end,
    # in C) finds what _match finds with difflib's blocks; few distinct words make
    # stray runs, ties and tightened windows common (-1: a word only one side has);
    # stray runs of other lengths than STRAY_WORDS try each side of its comparison
    _match_is_pythons(copy, passage, stray, data, 5)


# A text's words: a few common ones, most rare.
_TEXT_IDS = st.lists(st.one_of(st.integers(-1, 3), st.integers(4, 300)), max_size=70)


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(_TEXT_IDS, _TEXT_IDS, st.integers(1, 6), st.data())
def test_kernel_match_is_pythons_on_text_like_words(
    copy: list[int], passage: list[int], stray: int, data: st.DataObject
) -> None:
    # as above with many distinct words (the kernel walks the equal pairs then, and
    # matches the tightened window again only when a block found lies outside it), the
    # passage inside the copy with a few words changed
    _match_is_pythons(copy, passage, stray, data, 1)


def _match_is_pythons(
    copy: list[int], passage: list[int], stray: int, data: st.DataObject, kept_above: int
) -> None:
    _kernel_or_skip()
    if data.draw(st.booleans()):  # the passage inside the copy, some words changed
        changed = data.draw(st.lists(st.integers(-1, 7), min_size=len(passage)))
        kept = [x if y > kept_above else y for x, y in zip(passage, changed, strict=False)]
        copy = copy[: len(copy) // 2] + kept + copy[len(copy) // 2 :]
    lo = data.draw(st.integers(0, len(copy)))
    hi = data.draw(st.integers(lo, len(copy)))
    copy_words = tuple(f"w{x}" if x >= 0 else f"c{i}" for i, x in enumerate(copy))
    passage_words = [f"w{x}" if x >= 0 else f"p{j}" for j, x in enumerate(passage)]

    def blocks_of(lo: int, hi: int) -> list[tuple[int, int, int]]:
        ref = difflib.SequenceMatcher(None, copy_words[lo:hi], passage_words, autojunk=False)
        return [tuple(m) for m in ref.get_matching_blocks()]  # type: ignore[misc]

    ids = CopyIds.build(copy_words) if copy_words else CopyIds.build(("x",))
    assert ids is not None
    with pytest.MonkeyPatch.context() as m:
        m.setattr(claims, "STRAY_WORDS", stray)
        want = _match(blocks_of, lo, hi, len(passage))
    assert ids.match(lo, hi, ids.of(passage_words), stray) == want


def test_kernel_match_drops_stray_ends_and_tightens() -> None:
    # "the" far before the passage is a stray hit; the passage itself (one word
    # changed) is the core; the window is searched again around it
    _kernel_or_skip()
    copy = words(f"the {S2} and then {S1} said the man")
    passage = words(S1.replace("promoting", "pushing"))
    ids = CopyIds.build(copy)
    assert ids is not None
    start = len(words(f"the {S2} and then"))
    got = ids.match(0, len(copy), ids.of(passage), STRAY_WORDS)
    assert got == (start, start + len(passage), len(passage) - 1)

    def blocks_of(lo: int, hi: int) -> list[tuple[int, int, int]]:
        ref = difflib.SequenceMatcher(None, copy[lo:hi], passage, autojunk=False)
        return [tuple(m) for m in ref.get_matching_blocks()]  # type: ignore[misc]

    assert _match(blocks_of, 0, len(copy), len(passage)) == got
    with pytest.raises(ValueError, match="window outside the copy"):
        ids.match(0, len(copy) + 1, ids.of(passage), STRAY_WORDS)


@settings(max_examples=800, derandomize=True, deadline=None)
@given(
    _FEW_IDS,
    _FEW_IDS.filter(bool),
    st.lists(st.integers(-30, 100), max_size=5),
    st.integers(0, 12),
    st.data(),
)
def test_kernel_search_is_the_loop_over_windows(
    copy: list[int], passage: list[int], diagonals: list[int], slack: int, data: st.DataObject
) -> None:
    # the kernel's search of a passage around its diagonals: for each diagonal, each
    # free run of its window matched (_match), the most similar kept (the first of
    # equals), stopping once one is 0.999 similar; windows past either end of the copy
    _kernel_or_skip()
    if data.draw(st.booleans()):  # the passage in the copy (some words changed), twice
        changed = data.draw(st.lists(st.integers(-1, 7), min_size=len(passage)))
        kept = [x if y > 5 else y for x, y in zip(passage, changed, strict=False)]
        copy = copy[:10] + kept + copy[10:] + passage
    used = bytearray(data.draw(st.lists(st.integers(0, 1), min_size=len(copy), max_size=len(copy))))
    copy_words = tuple(f"w{x}" if x >= 0 else f"c{i}" for i, x in enumerate(copy))
    passage_words = [f"w{x}" if x >= 0 else f"p{j}" for j, x in enumerate(passage)]
    size = len(passage)

    def blocks_of(lo: int, hi: int) -> list[tuple[int, int, int]]:
        ref = difflib.SequenceMatcher(None, copy_words[lo:hi], passage_words, autojunk=False)
        return [tuple(m) for m in ref.get_matching_blocks()]  # type: ignore[misc]

    want: tuple[float, int, int, int] | None = None
    for diag in diagonals:
        lo, hi = max(0, diag - slack), min(len(copy), diag + size + slack)
        for rlo, rhi in _free_runs(used, lo, hi):
            found = _match(blocks_of, rlo, rhi, size)
            if found is not None:
                sim = 2 * found[2] / (size + found[1] - found[0])
                if want is None or sim > want[0]:
                    want = (sim, *found)
        if want is not None and want[0] >= 0.999:
            break
    ids = CopyIds.build(copy_words or ("x",))
    assert ids is not None
    got = ids.search(used if copy else bytearray(1), ids.of(passage_words), diagonals, slack, 4)
    assert got == want
    # a window the kernel does not search: the caller does
    if want is not None:
        with pytest.MonkeyPatch.context() as m:
            m.setattr(alignwork, "_KERNEL_CELLS", 0)
            assert ids.search(used, ids.of(passage_words), diagonals, slack, 4) is False


_SENTENCES = [S1, S2, S3, *(f"{S1.split()[k]} {S3} {S2.split()[k]}" for k in range(4))]


@settings(max_examples=150, derandomize=True, deadline=None)
@given(
    st.lists(st.integers(0, len(_SENTENCES) - 1), min_size=1, max_size=8),
    st.lists(st.integers(0, len(_SENTENCES) - 1), min_size=1, max_size=10),
    st.lists(st.tuples(st.integers(0, 400), st.sampled_from(["", "said", "the", "x y"]))),
)
def test_near_copies_align_the_same_with_and_without_the_kernel(
    source: list[int], copy: list[int], edits: list[tuple[int, str]]
) -> None:
    # a source's passages moved, repeated, dropped and lightly edited in the copy: the
    # kernel (ids, search, diff) aligns them as the words path does, match for match
    _kernel_or_skip()
    src_words, passages = spans(*(_SENTENCES[i] for i in source))
    copy_list = list(words(" ".join(_SENTENCES[i] for i in copy)))
    for at, word in edits:
        if at < len(copy_list):
            copy_list[at : at + 1] = word.split()
    copy_words = tuple(copy_list)
    alignwork.forget_copy(copy_words)
    compiled = align(src_words, passages, copy_words, 0.6, range(0, len(copy_words), 9))
    with pytest.MonkeyPatch.context() as m:
        m.setattr(alignwork, "_KERNEL", None)
        alignwork.forget_copy(copy_words)
        assert align(src_words, passages, copy_words, 0.6, range(0, len(copy_words), 9)) == compiled
    alignwork.forget_copy(copy_words)


def _both_paths(
    sources: list[tuple[tuple[str, ...], list[tuple[int, int]]]],
    copy_words: tuple[str, ...],
    min_similarity: float,
    bounds: range,
) -> tuple[list[Any], list[Any]]:
    """Each source aligned with one copy in turn (as a check's candidates are: the copy's
    memo shared), by the kernel and by the words path."""
    alignwork.forget_copy(copy_words)
    compiled = [align(s, p, copy_words, min_similarity, bounds) for s, p in sources]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(alignwork, "_KERNEL", None)
        alignwork.forget_copy(copy_words)
        python = [align(s, p, copy_words, min_similarity, bounds) for s, p in sources]
    alignwork.forget_copy(copy_words)
    return compiled, python


_WORDS = ["the", "council", "met", "on", "monday", "said", "x", "y", "z", "a"]


@settings(max_examples=150, derandomize=True, deadline=None)
@given(
    st.lists(st.integers(0, len(_SENTENCES) - 1), min_size=1, max_size=8),
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 3), max_size=3),  # passages dropped, moved, repeated
            st.lists(st.tuples(st.integers(0, 120), st.sampled_from(_WORDS))),  # edits
            st.lists(st.sampled_from(_WORDS), max_size=2),  # a 0, 1 or 2-word passage
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from([0.6, 0.75, 0.95]),
)
def test_kernel_aligns_near_copy_candidates_as_the_words_path_does(
    copy: list[int],
    variants: list[tuple[list[int], list[tuple[int, str]], list[str]]],
    min_similarity: float,
) -> None:
    # a check's candidates: near-copies of one story sharing most passages word for word
    # (some moved, repeated, dropped, a word changed, short passages, ties between
    # repeated ones), aligned in turn with one copy: the kernel's one call per candidate
    # (with the copy's memo of votes, searches and pairs) gives the words path's matches
    _kernel_or_skip()
    copy_words = tuple(words(" ".join(_SENTENCES[i] for i in copy)))
    story = list(range(len(_SENTENCES)))
    sources = []
    for moves, edits, short in variants:
        order = [i for i in story if i not in moves] + moves
        src_words, passages = spans(*(_SENTENCES[i] for i in order))
        src_list = list(src_words)
        for at, word in edits:
            if at < len(src_list):
                src_list[at] = word
        at = len(src_list)
        src_list += short
        passages.append((at, len(src_list)))
        sources.append((tuple(src_list), passages))
    compiled, python = _both_paths(sources, copy_words, min_similarity, range(0, 200, 7))
    assert compiled == python


def test_kernel_aligns_a_candidate_in_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    # the work per candidate: one call that aligns every passage (and one that makes the
    # source's ids), not a call per passage, and one a copy that numbers its words; the
    # same source again is all in the memo
    _kernel_or_skip()
    kernel = alignwork._KERNEL
    calls: dict[str, int] = {}

    class Counted:
        def __getattr__(self, name: str) -> Any:
            real = getattr(kernel, name)

            def counted(*args: Any) -> Any:
                calls[name] = calls.get(name, 0) + 1
                return real(*args)

            return counted

    monkeypatch.setattr(alignwork, "_KERNEL", Counted())
    src_words, passages = spans(S1, S2, S3, S1.replace("accused", "alleged"), S2)
    copy_words = words(f"{S3} and then {S2}. {S1.replace('tried', 'judged')} {S2}")
    alignwork.forget_copy(copy_words)
    first = align(src_words, passages, copy_words, 0.75)
    assert calls == {"number": 1, "align": 1, "ids": 1}, calls
    assert len(first.matches) == 4
    ids = alignwork.copy_grams(copy_words)[2]
    assert ids is not None
    kept = dict(ids.memo)
    assert kept
    assert align(src_words, passages, copy_words, 0.75) == first
    assert ids.memo == kept  # every vote, search and pair found in the memo
    alignwork.forget_copy(copy_words)


def test_a_passage_too_long_for_the_kernel_aligns_as_before() -> None:
    # a passage whose windows the kernel would not search (too many cells): the
    # candidate is aligned by the per-passage code, the same matches as the words path
    _kernel_or_skip()
    long_passage = " ".join([S1, S2, S3] * 5)
    src_words, passages = spans(S2, long_passage, S3)
    size = passages[1][1] - passages[1][0]
    assert (size + 2 * max(8, size // 3)) * size > alignwork._KERNEL_CELLS
    copy_words = words(f"{S3} {long_passage.replace('coalition', 'alliance')} {S2}")
    compiled, python = _both_paths([(src_words, passages)], copy_words, 0.75, range(0, 1))
    assert compiled == python
    assert len(compiled[0].matches) == 3


def test_kernel_align_refuses_bad_arguments() -> None:
    _kernel_or_skip()
    copy_words = words(f"{S1} {S2}")
    ids = CopyIds.build(copy_words)
    assert ids is not None
    n = len(copy_words)
    src = ids.of(words(S1))
    spans_ = array("q", [0, len(src)])
    made = align_module._MADE

    def call(
        used: bytearray,
        spans: array[int],
        bounds: array[int],
        origins: array[int] | None = None,
        made: Any = made,
    ) -> Any:
        origins = array("q", [0]) if origins is None else origins
        return ids.align(used, src, spans, origins, bounds, STRAY_WORDS, 32, 3, 0.75, 0.95, made)

    (match,) = call(bytearray(n), spans_, array("q", [0, n]))
    assert match == PassageMatch(0, (0, len(src)), (0, len(src)), len(src), 1.0, ())
    for used, spans, bounds, message in [
        (bytearray(n - 1), spans_, array("q", [0, n]), "a byte per copy word"),
        (bytearray(n), spans_, array("q", [0, n + 1]), "from 0 to the copy's length"),
        (bytearray(n), spans_, array("q", [0, 9, 5, n]), "sorted"),
        (bytearray(n), array("q", [0, len(src) + 1]), array("q", [0, n]), "within the source"),
        (bytearray(n), array("q", [3, 1]), array("q", [0, n]), "within the source"),
        (bytearray(n), array("q", [0]), array("q", [0, n]), "pairs"),
    ]:
        with pytest.raises(ValueError, match=message):
            call(used, spans, bounds)
    with pytest.raises(ValueError, match="a word per passage"):
        call(bytearray(n), spans_, array("q", [0, n]), array("q", [0, 0]))
    with pytest.raises(ValueError, match="3 fields' descriptors"):
        call(bytearray(n), spans_, array("q", [0, n]), made=(*made[:4], made[4][:5]))
    # descriptors of another class's fields: refused when the first object is made
    wrong = (Edit, made[4][:3], made[2], PassageMatch, made[4])
    copy_edited = words(f"{S1.replace('tried', 'judged')} {S2}")
    ids = CopyIds.build(copy_edited)
    assert ids is not None
    src = ids.of(words(S1))
    with pytest.raises(TypeError):
        ids.align(bytearray(n), src, spans_, array("q", [0]), array("q", [0, n]),
                  STRAY_WORDS, 32, 3, 0.75, 0.95, wrong)  # fmt: skip


def test_the_kernel_makes_edits_and_matches_with_all_their_fields() -> None:
    # the kernel sets each field of Edit and PassageMatch as their __init__ would (it
    # does not call it): the fields it is given are all of them, in order, and neither
    # class does more in __init__ (no __post_init__)
    for cls, slots in ((Edit, align_module._MADE[1]), (PassageMatch, align_module._MADE[4])):
        assert slots == tuple(getattr(cls, f.name) for f in dataclass_fields(cls))
        assert not hasattr(cls, "__post_init__")
    assert align_module._MADE[2] == (SUBSTITUTION, DELETION, INSERTION)


def test_kernel_aligns_a_long_sources_regions_as_the_words_path_does() -> None:
    # passages far apart in the source (a long source's regions around its hits): the
    # kernel is given their ids one after the other, not the whole span between them
    _kernel_or_skip()
    src_words = words(" ".join([S1, S3, S2, S3, S3, S3, S2, S1, S3, S3, S2]))
    n = len(src_words)
    passages = [(0, 14), (n - 29, n - 15), (n - 15, n)]
    copy_words = words(f"{S2} and {S1.replace('committed', 'devoted')} {S1}")
    compiled, python = _both_paths([(src_words, passages)], copy_words, 0.75, range(0, 1))
    assert compiled == python
    assert len(compiled[0].matches) >= 2
