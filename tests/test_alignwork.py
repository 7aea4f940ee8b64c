"""What aligning one copy shares across its sources (match/alignwork.py): the compiled
kernel's glue (votes, as match/votes.py's, and matching blocks on word ids), the pairs'
opcodes."""

from __future__ import annotations

import difflib
import os
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.match import alignwork
from provenance.match.alignwork import CopyIds, opcodes
from provenance.match.votes import ngram_index, vote

# The compiled kernel votes on word ids (match/_kernel_search.c): what vote gives on words.
_VOTE_WORDS = st.sampled_from(["the", "a", "minister", "met", "rome", "x", "of", "zz"])


def _kernel_or_skip() -> None:
    if alignwork._KERNEL is None:
        if os.environ.get("PROV_KERNEL", "").lower() == "numpy":
            pytest.skip("PROV_KERNEL=numpy: the Python path only")
        pytest.fail("the compiled kernel was not built (no C compiler at install?)")


@settings(max_examples=400, derandomize=True, deadline=None)
@given(
    st.lists(_VOTE_WORDS.filter(lambda w: w != "zz"), min_size=1, max_size=400),
    st.lists(st.lists(_VOTE_WORDS, max_size=60), min_size=1, max_size=6),
)
def test_kernel_votes_as_python_does(copy: list[str], passages: list[list[str]]) -> None:
    # few distinct words: n-grams with many postings (over MAX_POSTINGS in long copies),
    # ties between clusters, passages of 0-2 words (bigrams or nothing), words the copy
    # lacks ("zz")
    _kernel_or_skip()
    copy_words = tuple(copy)
    grams = {n: dict(ngram_index(copy_words, n)) for n in (3, 2)}
    ids = CopyIds.build(copy_words)
    assert ids is not None
    for passage in passages + [copy[5:40], copy[:2]]:
        words = tuple(passage)
        assert ids.vote(ids.of(words)) == vote(words, grams)


def test_kernel_vote_refuses_bad_arrays() -> None:
    _kernel_or_skip()
    kernel = alignwork._KERNEL
    assert kernel is not None
    k, p = array("q", [1, 2]), array("q", [0, 1])
    with pytest.raises(ValueError, match="vocab must be"):
        kernel.vote(array("q", [0, 1, 0]), k, p, k, p, 0, 4, 4, 64)
    with pytest.raises(ValueError, match="ids must be below vocab"):
        kernel.vote(array("q", [0, 9, 0]), k, p, k, p, 3, 4, 4, 64)
    with pytest.raises(ValueError, match="same length"):
        kernel.vote(array("q", [0, 1, 0]), k, array("q", [0]), k, p, 3, 4, 4, 64)
    with pytest.raises(ValueError, match="items of 8 bytes"):
        kernel.vote(array("i", [0, 1, 0]), k, p, k, p, 3, 4, 4, 64)


_ID_LISTS = st.lists(st.integers(-2, 6), max_size=90)


@settings(max_examples=600, derandomize=True, deadline=None)
@given(_ID_LISTS, _ID_LISTS)
def test_kernel_blocks_are_difflibs(a: list[int], b: list[int]) -> None:
    # the kernel's matching blocks of id arrays (negative ids: words one side lacks,
    # unlike everything) are difflib's, and so are the opcodes pair derives from them;
    # cydifflib's (used past _KERNEL_CELLS) are the same
    _kernel_or_skip()
    # difflib on the words: a negative id is a word found nowhere else
    wa = [f"w{x}" if x >= 0 else f"a{i}" for i, x in enumerate(a)]
    wb = [f"w{x}" if x >= 0 else f"b{j}" for j, x in enumerate(b)]
    ref = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    want = [tuple(m) for m in ref.get_matching_blocks()]
    ids = CopyIds.build(("x",))
    assert ids is not None
    got = ids.blocks(array("q", a), array("q", b))
    assert got == want
    # ids past 32 bits are searched as they are (a copy's never are: below 2**21), not
    # cut to 32 bits (where these would all be 1)
    far = (
        [((x << 32) + 1 if x >= 0 else x) for x in a],
        [((x << 32) + 1 if x >= 0 else x) for x in b],
    )
    assert ids.blocks(array("q", far[0]), array("q", far[1])) == want
    assert opcodes(got) == ref.get_opcodes()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(alignwork, "_KERNEL_CELLS", -1)  # cydifflib's
        assert ids.blocks(array("q", a), array("q", b)) == want


# Ids as a text's words are: a few common ones, most rare (the kernel then walks the
# equal pairs, as difflib does, not every pair).
_TEXT_IDS = st.lists(st.one_of(st.integers(-2, 3), st.integers(4, 400)), max_size=90)


@settings(max_examples=600, derandomize=True, deadline=None)
@given(_TEXT_IDS, _TEXT_IDS, _TEXT_IDS, st.booleans(), st.data())
def test_kernel_blocks_are_difflibs_on_text_like_ids(
    a: list[int], pre: list[int], post: list[int], held: bool, data: st.DataObject
) -> None:
    # many distinct ids, few equal pairs (a passage and a window of the copy): difflib's
    # blocks; one side held whole by the other (a pair claimed word for word, with the
    # free words taken in at its edges: found without the search) or held but for a
    # changed word or a negative id (searched)
    _kernel_or_skip()
    b = pre + a + post if held else pre + post
    if held and a and data.draw(st.booleans()):
        at = data.draw(st.integers(0, len(a) - 1))
        b[len(pre) + at] = data.draw(st.sampled_from([-1, 401, a[0]]))
    ids = CopyIds.build(("x",))
    assert ids is not None
    for x, y in ((a, b), (b, a)):
        wx = [f"w{v}" if v >= 0 else f"a{i}" for i, v in enumerate(x)]
        wy = [f"w{v}" if v >= 0 else f"b{j}" for j, v in enumerate(y)]
        ref = difflib.SequenceMatcher(None, wx, wy, autojunk=False)
        want = [tuple(m) for m in ref.get_matching_blocks()]
        assert ids.blocks(array("q", x), array("q", y)) == want


def test_kernel_blocks_of_a_held_passage_are_its_first_place() -> None:
    # the shorter side held whole, twice: one block, at its first place (difflib's tie
    # broken towards the start of a, then of b); a negative id is held by nothing
    _kernel_or_skip()
    ids = CopyIds.build(("x",))
    assert ids is not None
    p, c = [5, 6, 7], [9, 5, 6, 7, 8, 5, 6, 7]
    assert ids.blocks(array("q", p), array("q", c)) == [(0, 1, 3), (3, 8, 0)]
    assert ids.blocks(array("q", c), array("q", p)) == [(1, 0, 3), (8, 3, 0)]
    assert ids.blocks(array("q", [5, -1]), array("q", [5, -1])) == [(0, 0, 1), (2, 2, 0)]


@settings(max_examples=600, derandomize=True, deadline=None)
@given(_ID_LISTS, _ID_LISTS, st.data())
def test_kernel_diff_is_pairs(a: list[int], c: list[int], data: st.DataObject) -> None:
    # the kernel's diff of a passage and a copy span: the passage words outside its
    # first and last matching blocks, the words matched and the opcodes, as pair
    # derives them from difflib's blocks
    _kernel_or_skip()
    kernel = alignwork._KERNEL
    assert kernel is not None
    lo = data.draw(st.integers(0, len(c)))
    hi = data.draw(st.integers(lo, len(c)))
    wa = [f"w{x}" if x >= 0 else f"a{i}" for i, x in enumerate(a)]
    wc = [f"w{x}" if x >= 0 else f"c{j}" for j, x in enumerate(c)]
    ref = difflib.SequenceMatcher(None, wa, wc[lo:hi], autojunk=False)
    blocks = ref.get_matching_blocks()
    sized = [b for b in blocks if b.size]
    ends = (sized[0].a, len(a) - (sized[-1].a + sized[-1].size)) if sized else None
    want = (ends, sum(b.size for b in blocks), ref.get_opcodes())
    assert kernel.diff(array("q", a), array("q", c), lo, hi) == want
    # and pair, with the kernel and without it (cydifflib on the words)
    for ids in (CopyIds.build(tuple(wc)), None):
        memo = alignwork.Memo()
        source = alignwork.source_of(wa, memo, ids)
        assert alignwork.pair(wa, 0, len(wa), wc, lo, hi, memo, source) == want


def test_kernel_diff_refuses_a_span_outside_the_copy() -> None:
    _kernel_or_skip()
    kernel = alignwork._KERNEL
    assert kernel is not None
    a, c = array("q", [1, 2]), array("q", [1, 2, 3])
    for lo, hi in ((-1, 2), (0, 4), (2, 1)):
        with pytest.raises(ValueError, match="span outside the copy"):
            kernel.diff(a, c, lo, hi)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.lists(_VOTE_WORDS, min_size=1, max_size=60), st.lists(_VOTE_WORDS, max_size=60))
def test_kernel_ids_are_pythons(copy: list[str], words: list[str]) -> None:
    # a passage's words as the copy's ids, looked up by the kernel or in Python (-1:
    # a word the copy lacks), as a list, a tuple, or part of one
    _kernel_or_skip()
    ids = CopyIds.build(tuple(copy))
    assert ids is not None
    want = [ids.vocab.get(w, -1) for w in words]
    assert ids.of(words).tolist() == ids.of(tuple(words)).tolist() == want
    assert ids.of(words)[1:3].tolist() == want[1:3]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(alignwork, "_KERNEL", None)
        assert ids.of(words).tolist() == want


# Words of every str kind (ASCII, Latin-1, BMP, astral): equal words are equal bytes.
_ANY_WORDS = st.one_of(
    st.sampled_from(["the", "thé", "the\u0100", "th", "e", "\U0001f600", "ħ", "x" * 40]),
    st.text(max_size=3),
)


def _numbered_in_python(copy: tuple[str, ...]) -> CopyIds | None:
    with pytest.MonkeyPatch.context() as m:
        m.setattr(alignwork, "_KERNEL", None)
        return CopyIds.build(copy)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(_ANY_WORDS, max_size=80), st.lists(_ANY_WORDS, max_size=40))
def test_kernel_numbers_a_copy_as_python_does(copy: list[str], words: list[str]) -> None:
    # the kernel's CopyIds.build (number: the vocabulary, ids, the n-grams' keys sorted
    # with their positions, as a stable argsort orders them) is NumPy's, and its table
    # looks words up as the dict does: each kind of str, words made apart from the
    # copy's (equal, not the same objects), a str subclass (looked up in the dict)
    _kernel_or_skip()
    built, want = CopyIds.build(tuple(copy)), _numbered_in_python(tuple(copy))
    if want is None:
        assert built is None
        return
    assert built is not None and built.table is not built.vocab
    assert built.vocab == want.vocab and list(built.vocab) == list(want.vocab)
    for name in ("ids", "keys3", "pos3", "keys2", "pos2"):
        assert getattr(built, name).tolist() == getattr(want, name).tolist(), name
    apart = ["".join(list(w)) for w in words]  # (new objects)

    class Word(str):
        pass

    asked = [*apart, *(Word(w) for w in words), 5, None]
    assert built.of(asked).tolist() == [want.vocab.get(w, -1) for w in asked]


def test_kernel_numbers_fewer_words_than_it_takes() -> None:
    # a copy of as many distinct words as the kernel takes, or more, or of no words, or
    # of words that are not strs: not numbered by the kernel (no CopyIds, or Python's)
    _kernel_or_skip()
    kernel = alignwork._KERNEL
    assert kernel is not None
    assert kernel.number(["a", "b", "a"], 3) is not None
    assert kernel.number(["a", "b", "c", "a"], 3) is None
    assert kernel.number([], 3) is None
    assert kernel.number(["a", 5], 3) is None
    assert CopyIds.build(()) is None
    with_ints = CopyIds.build(("a", 5, "a"))  # type: ignore[arg-type]
    assert with_ints is not None and with_ints.table is with_ints.vocab
    assert with_ints.of(["a", 5, "b"]).tolist() == [0, 1, -1]


def test_kernel_ids_refuse_bad_arguments() -> None:
    _kernel_or_skip()
    kernel = alignwork._KERNEL
    assert kernel is not None
    with pytest.raises(TypeError, match="must be a sequence"):
        kernel.ids(5, {})
    with pytest.raises(TypeError):
        kernel.ids(["a"], {"a": "not an id"})
    with pytest.raises(TypeError):
        kernel.ids(["a"], [("a", 1)])
    with pytest.raises(TypeError, match="a dict or number"):
        kernel.ids(["a"], alignwork._KERNEL)  # (not number()'s table)
    with pytest.raises(TypeError, match="must be a sequence"):
        kernel.number(5, 10)
