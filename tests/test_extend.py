"""match/extend.py: seeds clustered into fragments, grown by their neighbouring
sentences, trimmed to the words the two sides share. Small texts of our own."""

from __future__ import annotations

from collections import Counter

import pytest

from provenance.match.bags import bags, plus
from provenance.match.extend import Seed, cluster, distinct, extend, phrases, trim
from provenance.match.texts import Texts, texts_of
from provenance.text.normalize import normalize


def texts(source: list[str], copy: list[str]) -> Texts:
    """Two texts given as lists of sentences (each one unit)."""

    def cut(sentences: list[str]) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
        words: list[str] = []
        units = []
        for s in sentences:
            w = normalize(s).words
            units.append((len(words), len(words) + len(w)))
            words.extend(w)
        return tuple(words), units

    sw, su = cut(source)
    cw, cu = cut(copy)
    return texts_of(sw, cw, su, cu, bags(sw, su), bags(cw, cu))


@pytest.mark.parametrize(
    ("seeds", "gap", "groups"),
    [
        # one run of seeds, a sentence apart at most: one group
        ([(0, 0, 1.0), (2, 1, 1.0), (3, 3, 1.0)], 4, [[(0, 0), (2, 1), (3, 3)]]),
        # six sentences pass without a seed in the source: two groups
        ([(0, 0, 1.0), (7, 1, 1.0)], 4, [[(0, 0)], [(7, 1)]]),
        # close in the source, far apart in the copy: two groups
        ([(0, 0, 1.0), (1, 9, 1.0)], 4, [[(0, 0)], [(1, 9)]]),
        # a gap of 0: only seeds in adjacent sentences stay together
        ([(0, 0, 1.0), (1, 1, 1.0), (3, 2, 1.0)], 0, [[(0, 0)], [(1, 1)], [(3, 2)]]),
    ],
)
def test_cluster_cuts_where_a_gap_passes_in_either_text(
    seeds: list[Seed], gap: int, groups: list[list[tuple[int, int]]]
) -> None:
    got = sorted(sorted((i, j) for i, j, _ in g) for g in cluster(seeds, gap))
    assert got == sorted(groups)


SOURCE = [
    "Our committee met in the town hall on a rainy Tuesday.",
    "The harbour master described the broken pier and the cost of repairs.",
    "Engineers proposed replacing the timber piles with concrete columns.",
    "The council agreed to borrow the money over twenty years.",
    "Tea and biscuits were served afterwards.",
]
COPY = [
    "Yesterday the weather in the valley turned cold.",
    "Repairs to the broken pier were described by the harbour master, with their cost.",
    "Concrete columns should replace the timber piles, engineers proposed.",
    "Borrowing the money over twenty years was agreed by the council.",
    "Sheep grazed on the hills behind the village.",
]


def test_held_sums_of_grown_sides_are_those_of_the_sides_grown() -> None:
    from provenance.match.extend import _Held

    t = texts(SOURCE, COPY)
    sb, cb = t.bag(1, 2, False), t.bag(1, 2, True)
    held = _Held(t, sb, cb)
    assert held(True, -1) == t.held(sb, True) and held(False, -1) == t.held(cb, False)
    for d in range(len(t.src_bags)):
        grown = plus(sb, t.src_bags[d])
        assert held(True, d) == t.held(grown, True)
        assert t.chance(t.copy_bags[0], grown, True, held(True, d)) == t.chance(
            t.copy_bags[0], grown, True
        )
    for d in range(len(t.copy_bags)):
        assert held(False, d) == t.held(plus(cb, t.copy_bags[d]), False)
    assert t.held(sb, True) == sum(t.in_copy[s] for s in sb) > 0


def test_extend_spans_first_to_last_seed_and_trims_to_shared_words() -> None:
    t = texts(SOURCE, COPY)
    e = extend([(1, 1, 0.8), (3, 3, 0.8)], t)
    # the sentence between the seeds is inside; the ones outside are not
    assert t.src_units[1][0] <= e.src[0] and e.src[1] <= t.src_units[3][1]
    assert t.copy_units[1][0] <= e.copy[0] and e.copy[1] <= t.copy_units[3][1]
    # trimmed: it starts at the first content word the other side holds
    assert t.src_words[e.src[0]] == "harbour"
    assert t.copy_words[e.copy[0]] == "repairs"
    assert e.similarity > 0.7
    assert e.grown == 0
    # where it lies, without measuring it (what the summary search asks)
    where = extend([(1, 1, 0.8), (3, 3, 0.8)], t, measure=False)
    assert (where.src, where.copy, where.grown, where.similarity) == (e.src, e.copy, 0, 0.0)


def test_extend_does_not_grow_over_unrelated_neighbours() -> None:
    t = texts(SOURCE, COPY)
    e = extend([(1, 1, 0.8), (2, 2, 0.8), (3, 3, 0.8)], t, grow=True)
    assert e.grown == 0
    assert e.src[0] >= t.src_units[1][0] and e.src[1] <= t.src_units[3][1]
    assert e.copy[0] >= t.copy_units[1][0] and e.copy[1] <= t.copy_units[3][1]


def test_extend_grows_over_a_neighbour_carrying_the_content_on() -> None:
    # the copy's last sentence kept "council", "money" and "twenty": not close enough
    # to be a seed, but it continues the passage
    copy = [*COPY[:3], "Twenty years of credit for the money, the council decided.", COPY[4]]
    t = texts(SOURCE, copy)
    e = extend([(1, 1, 0.8), (2, 2, 0.8)], t, grow=True)
    assert e.grown >= 1
    assert e.src[1] == t.src_units[3][1] or t.src_words[e.src[1] - 1] == "years"
    assert e.copy[1] > t.copy_units[3][0]
    assert e.copy[1] <= t.copy_units[3][1]


def test_phrases_need_two_shared_word_pairs_with_content() -> None:
    a = {("the", "matter"), ("matter", "is"), ("is", "new"), ("to", "you")}
    assert phrases(a, {("the", "matter"), ("matter", "is"), ("for", "us")})
    assert not phrases(a, {("the", "matter"), ("for", "us")})


def test_trim_drops_words_the_other_side_does_not_hold_at_either_end() -> None:
    words = ("and", "then", "the", "harbour", "master", "spoke", "of", "it")
    assert trim(words, 0, len(words), Counter({"harbo": 1, "spoke": 1})) == (3, 6)
    # nothing shared: the range is kept as it is
    assert trim(words, 0, len(words), Counter({"zebra": 1})) == (0, len(words))


def test_distinct_drops_a_second_far_pairing_of_a_sentence() -> None:
    # source sentence 3 is copied as copy sentence 3; copy sentence 0, on the same
    # subject, pairs with it too, more weakly: a passage copies a sentence once
    group: list[Seed] = [(2, 2, 0.9), (3, 3, 0.8), (3, 0, 0.4), (4, 4, 0.7)]
    assert sorted(distinct(group)) == [(2, 2, 0.9), (3, 3, 0.8), (4, 4, 0.7)]
    # a sentence split in two, side by side in the copy, keeps both halves
    split: list[Seed] = [(2, 2, 0.9), (3, 3, 0.6), (3, 4, 0.5)]
    assert sorted(distinct(split)) == sorted(split)


OTHER = (
    "pepper walnut saddle lantern violin walrus meadow thimble carpet pigeon ribbon "
    "kettle anchor blanket candle barrel basket ladder mirror pillow"
).split()


def test_extend_grows_over_a_neighbour_sharing_more_than_chance_though_less_alike() -> None:
    # the passage's third sentence kept two of its rare words ("biscuits", "afterwards")
    # among other words: adding it makes the sides less alike than the two verbatim
    # seeds, but in a long text two such words in the sentence next to the passage are
    # not chance
    rng = __import__("random").Random(5)
    fill = [" ".join(rng.choice(OTHER) for _ in range(12)) + "." for _ in range(100)]
    source = [*fill[:50], SOURCE[1], SOURCE[2], SOURCE[4], *fill[50:]]
    reworded = "Afterwards everyone stayed for biscuits, tea and songs by the fire."
    copy = [*fill[50:], COPY[1], COPY[2], reworded, *fill[:50]]
    t = texts(source, copy)
    plain = extend([(50, 50, 0.8), (51, 51, 0.8)], t)
    e = extend([(50, 50, 0.8), (51, 51, 0.8)], t, grow=True)
    assert e.grown == 2  # the next sentence of both texts
    assert e.similarity < plain.similarity
    assert e.src[1] == t.src_units[52][1]
    assert e.copy[1] > t.copy_units[52][0]
    # the filler after it is not taken
    assert e.copy[1] <= t.copy_units[52][1]
