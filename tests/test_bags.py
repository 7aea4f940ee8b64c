"""match/bags.py: sentences as bags of stems, and how two bags meet with synonyms."""

from __future__ import annotations

import math
import os
import struct
from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.match import bags
from provenance.match.bags import SYNONYM_WEIGHT, matched, plus, similarity, stems, weigh

SYN = {"curta": frozenset({"restr"}), "restr": frozenset({"curta"}), "limit": frozenset({"restr"})}


def synonyms(stem: str) -> frozenset[str]:
    return SYN.get(stem, frozenset())


@pytest.mark.parametrize(
    ("src", "copy", "expected"),
    [
        # (shared, matched by a synonym)
        (["rules", "restr", "trade"], ["rules", "curta", "trade"], (2, 1)),
        (["rules", "trade"], ["rules", "curta"], (1, 0)),  # no synonym in the source
        # the same stem first: "restr" is in both, so "curta" has nothing left to match
        (["restr", "trade"], ["restr", "curta"], (1, 0)),
        # each source stem is matched once: two copy synonyms of one source stem count once
        (["restr", "trade"], ["curta", "limit"], (0, 1)),
    ],
)
def test_matched_counts_shared_stems_then_synonyms_once_each(
    src: list[str], copy: list[str], expected: tuple[int, int]
) -> None:
    n, m, _ = matched(Counter(src), Counter(copy), synonyms)
    assert (n, m) == expected


def test_a_synonym_weighs_less_than_the_word_itself() -> None:
    idf = {"rules": 1.0, "restr": 2.0, "curta": 2.0, "trade": 1.0}
    src = Counter(["rules", "restr", "trade"])
    same, by_synonym = Counter(["rules", "restr", "trade"]), Counter(["rules", "curta", "trade"])
    _, _, weights = matched(src, by_synonym, synonyms)
    assert weights == {"rules": 1.0, "restr": SYNONYM_WEIGHT, "trade": 1.0}
    plain = similarity(src, by_synonym, idf)
    with_synonyms = similarity(src, by_synonym, idf, synonyms)
    assert plain < with_synonyms < similarity(src, same, idf, synonyms) == pytest.approx(1.0)


def test_plus_is_counter_addition_with_its_key_order() -> None:
    a, b = Counter({"north": 2, "light": 1}), Counter({"storm": 1, "north": 1})
    got = plus(a, b)
    assert got == a + b and list(got) == list(a + b) == ["north", "light", "storm"]
    assert a == Counter({"north": 2, "light": 1})  # the operands are left as they were


def test_stem_memo_is_bounded_and_gives_the_rule_s_stems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bags, "MAX_MEMO_WORDS", 4)
    monkeypatch.setattr(bags, "_STEM_OF", {})
    words = ["the", "destroyed", "towers", "of", "1871", "harbour", "lights", "x2", "a"] * 3
    for _ in range(2):  # the second pass answers from the memo (or refills it)
        assert stems(words) == ["destr", "tower", "harbo", "light", "x2"] * 3
        assert len(bags._STEM_OF) <= 4


def test_similarity_with_a_weighed_side_is_the_same() -> None:
    a, b = Counter({"north": 2, "light": 1, "restr": 1}), Counter({"north": 1, "curta": 1})
    idf = {"north": 1.5, "light": 0.7, "restr": 2.0, "curta": 2.5}
    for syn in (None, synonyms):
        assert similarity(a, b, idf, syn, weigh(a, idf)) == similarity(a, b, idf, syn)


def _matched_one_by_one(
    src: Counter[str], copy: Counter[str], synonyms: bags.Synonyms
) -> tuple[int, int, dict[str, float]]:
    """The rule as first written: one pass over the copy's stems in order."""
    free = src.keys() - copy.keys()
    shared = by_synonym = 0
    out: dict[str, float] = {}
    for t, k in copy.items():
        weight = 1 + math.log(k)
        if t in src:
            shared += 1
        elif free and (hit := synonyms(t) & free):
            s = min(hit)
            free.discard(s)
            by_synonym += 1
            t, weight = s, weight * SYNONYM_WEIGHT
        out[t] = out.get(t, 0.0) + weight
    return shared, by_synonym, out


_STEMS = st.sampled_from("abcdefgh")


@settings(max_examples=300, deadline=None)
@given(
    src=st.lists(_STEMS, max_size=12),
    copy=st.lists(_STEMS, max_size=12),
    pairs=st.lists(st.tuples(_STEMS, _STEMS), max_size=12),
)
def test_matched_is_the_one_by_one_rule(
    src: list[str], copy: list[str], pairs: list[tuple[str, str]]
) -> None:
    """The same counts, and the same weights in the same order (the cosine sums them in
    that order), as a pass over the copy's stems one by one, whichever stems compete for
    the same synonym."""
    near: dict[str, set[str]] = {}
    for a, b in pairs:
        if a != b:
            near.setdefault(a, set()).add(b)
            near.setdefault(b, set()).add(a)

    def synonyms(t: str) -> frozenset[str]:
        return frozenset(near.get(t, ()))

    a, b = Counter(src), Counter(copy)
    got, want = matched(a, b, synonyms), _matched_one_by_one(a, b, synonyms)
    assert got[:2] == want[:2]
    assert list(got[2].items()) == list(want[2].items())
    # told the only stems that may have synonyms, the same similarity
    idf = {t: 1.0 + k / 7 for k, t in enumerate("abcdefgh")}
    among = frozenset(near)
    assert similarity(a, b, idf, synonyms, among=among) == similarity(a, b, idf, synonyms)


@settings(max_examples=500, deadline=None)
@given(
    n=st.integers(-1, 80),
    mean=st.floats(0.0, 60.0, allow_nan=False),
    level=st.sampled_from([1e-3, 1e-2, 0.5]),
)
def test_rare_is_the_tail_compared_with_the_level(n: int, mean: float, level: float) -> None:
    assert bags.rare(n, mean, level) == (bags.tail(n, mean) <= level)


@pytest.mark.parametrize("n", [1, 3, 7, 20, 64])
@pytest.mark.parametrize("level", [1e-3, 1e-2])
def test_rare_decides_means_at_the_crossing_as_the_tail_does(n: int, level: float) -> None:
    """Means a few ulps either side of where the tail crosses the level (where a
    shortcut could be wrong) get the comparison's answer."""
    crossing = bags._crossing(n, level)
    assert bags.tail(n, crossing * 0.999) <= level < bags.tail(n, crossing * 1.001)
    for k in range(-40, 41):
        mean = crossing * (1 + k * 1e-8)
        assert bags.rare(n, mean, level) == (bags.tail(n, mean) <= level)


@settings(max_examples=200, deadline=None)
@given(units=st.lists(st.lists(_STEMS, max_size=8), min_size=1, max_size=8))
def test_a_run_of_flat_bags_is_the_bags_added_one_by_one(units: list[list[str]]) -> None:
    """The bag of a run of units counted from their bags end to end has the counts and
    the key order (which sums follow) of the bags added in turn."""
    bs = [Counter(u) for u in units]
    flat_stems, at = bags.flat(bs)
    assert len(at) == len(bs) + 1 and at[-1] == len(flat_stems)
    for i in range(len(bs)):
        added: Counter[str] = Counter()
        for j in range(i, len(bs)):
            added.update(bs[j])
            run = Counter(flat_stems[at[i] : at[j + 1]])
            assert list(run.items()) == list(added.items())


@settings(max_examples=300, deadline=None)
@given(
    a=st.lists(st.sampled_from("abcdefghij"), max_size=40),
    b=st.lists(st.sampled_from("abcdefghij"), max_size=10),
)
def test_weigh_more_is_weigh_of_the_grown_bag(a: list[str], b: list[str]) -> None:
    """A bag grown by another, weighed from its vector: the same floats in the same
    order (the norm and cosines sum them in that order) as weighing it whole."""
    idf = {t: 1.0 + math.log(2 + k) / 3 for k, t in enumerate("abcdefghij")}
    base, more = Counter(a), Counter(b)
    grown = plus(base, more)
    got, want = bags.weigh_more(weigh(base, idf)[0], grown, more, idf), weigh(grown, idf)
    assert list(got[0].items()) == list(want[0].items())
    assert got[1] == want[1]


# The compiled kernel's tf-idf loops (match/_kernel_bags.c) against the Python code, bit
# for bit: the same dicts in the same key order, the same floats (their bits: -0.0 is not
# 0.0), the same error where the Python code raises one.
_KEYS = st.sampled_from(["rome", "minis", "court", "a", "é", "wheat", "x" * 40])
_WEIGHTS = st.one_of(
    st.floats(allow_nan=False),  # -0.0, subnormals, infinities, huge
    st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e308, -1e308]),
    st.floats(min_value=0.1, max_value=10.0),
)
_COUNTS = st.one_of(st.integers(1, 200), st.integers(-3, 0), st.just(2**70))
_VECS = st.dictionaries(_KEYS, _WEIGHTS, max_size=7)


_BUILT = bags._KERNEL  # (tests set bags._KERNEL to None for the Python path)


def _kernel_or_skip() -> object:
    kernel = _BUILT
    if kernel is None:
        if os.environ.get("PROV_KERNEL", "").lower() == "numpy":
            pytest.skip("PROV_KERNEL=numpy: the Python path only")
        pytest.fail("the compiled kernel was not built (no C compiler at install?)")
    return kernel


def _bits(x: object) -> object:
    """A value with each float as its bits, dicts as their items in order."""
    if isinstance(x, float):
        return ("float", struct.pack("<d", x))
    if isinstance(x, dict):
        return (type(x).__name__, [(k, _bits(v)) for k, v in x.items()])
    if isinstance(x, tuple | list):
        return (type(x).__name__, [_bits(v) for v in x])
    return (type(x).__name__, x)


def _both(monkeypatch: pytest.MonkeyPatch, f: Callable[[], object]) -> tuple[object, object]:
    """``f()`` by the kernel and by the Python code, as :func:`_bits` (or the error)."""
    out = []
    for kernel in (_kernel_or_skip(), None):
        monkeypatch.setattr(bags, "_KERNEL", kernel)
        try:
            out.append(_bits(f()))
        except (KeyError, ZeroDivisionError, OverflowError, ValueError) as e:
            out.append(("raised", type(e).__name__))
    return out[0], out[1]


@settings(max_examples=500, derandomize=True, deadline=None)
@given(_VECS, _VECS, _WEIGHTS, _WEIGHTS)
def test_kernel_cosine_is_python_s_to_the_bit(
    a: dict[str, float], b: dict[str, float], na: float, nb: float
) -> None:
    with pytest.MonkeyPatch.context() as m:
        k, p = _both(m, lambda: bags.cosine(a, na, b, nb))
        assert k == p
        # the norms the vectors have (the caller's case), and a subnormal pair whose
        # product is 0 (Python raises ZeroDivisionError; so does the kernel's caller)
        for x, y in ((math.hypot(*a.values()), math.hypot(*b.values())), (5e-324, 5e-324)):
            k, p = _both(m, lambda x=x, y=y: bags.cosine(a, x, b, y))
            assert k == p


@settings(max_examples=500, derandomize=True, deadline=None)
@given(
    st.dictionaries(_KEYS, _COUNTS, max_size=7),
    st.dictionaries(_KEYS, _WEIGHTS, max_size=7),
    st.dictionaries(_KEYS, _COUNTS, max_size=4),
)
def test_kernel_weighs_as_python_does_to_the_bit(
    counts: dict[str, int], idf: dict[str, float], more: dict[str, int]
) -> None:
    bag, added = Counter(counts), Counter(more)
    grown = plus(bag, added) if all(n > 0 for n in [*bag.values(), *added.values()]) else bag
    with pytest.MonkeyPatch.context() as m:
        k, p = _both(m, lambda: weigh(bag, idf))
        assert k == p
        k, p = _both(m, lambda: bags.weigh_more(dict(idf), grown, added, idf))
        assert k == p
        k, p = _both(m, lambda: bags.scaled(dict(idf), idf))
        assert k == p
        k, p = _both(m, lambda: bags.scaled({t: float(n) for t, n in counts.items()}, idf))
        assert k == p
        k, p = _both(m, lambda: bags.counted(bag, added))
        assert k == p


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.dictionaries(_KEYS, st.integers(1, 3), max_size=7),
    st.dictionaries(_KEYS, st.lists(st.integers(0, 9), max_size=6), max_size=7),
    st.none() | st.dictionaries(st.integers(0, 12), st.integers(1, 5), max_size=5),
    st.dictionaries(st.integers(0, 5), _WEIGHTS, max_size=6),
)
def test_kernel_counts_a_bag_s_units_as_python_does(
    counts: dict[str, int],
    postings: dict[str, list[int]],
    start: dict[int, int] | None,
    table: dict[int, float],
) -> None:
    bag = Counter(counts)
    tuples = {t: tuple(u) for t, u in postings.items()}
    with pytest.MonkeyPatch.context() as m:
        k, p = _both(m, lambda: bags.units_of(bag, postings))
        assert k == p
        k, p = _both(m, lambda: bags.units_of(bag, tuples, Counter(start) if start else None))
        assert k == p
        held = {t: len(u) for t, u in postings.items()}  # (a count the table may lack)
        k, p = _both(m, lambda: bags.mapped(held, table))
        assert k == p
        m.setattr(bags, "_KERNEL", _BUILT)
        assert type(bags.units_of(bag, postings)) is Counter


def test_kernel_handles_the_usual_vectors_itself() -> None:
    # not declined: the kernel's answer, not the Python code's, for what detect passes
    kernel = _kernel_or_skip()
    idf = {"rome": 0.5, "minis": 1.25, "court": 2.0}
    bag = Counter(["rome", "minis", "rome"])
    vec, norm = kernel.bag_weigh(bag, idf, bags._TF)  # type: ignore[attr-defined]
    assert list(vec) == ["rome", "minis"]
    assert kernel.bag_cosine(vec, norm, {"rome": 1.0}, 1.0) is not None  # type: ignore[attr-defined]
    assert kernel.bag_scaled(vec, idf) is not None  # type: ignore[attr-defined]
    assert kernel.bag_weigh_more(vec, bag, Counter(["rome"]), idf, bags._TF) is not None  # type: ignore[attr-defined]
    assert kernel.bag_held(bag, Counter(["rome", "court"])) == 2  # type: ignore[attr-defined]
    units = kernel.bag_units(Counter, bag, {"rome": [3, 1], "minis": [1]}, None)  # type: ignore[attr-defined]
    assert list(units.items()) == [(3, 1), (1, 2)]
    assert kernel.bag_mapped({"rome": 2}, {2: 0.5}) == {"rome": 0.5}  # type: ignore[attr-defined]
