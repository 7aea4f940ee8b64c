"""match/sides.py: each text's part of the reworded-passage search, made once a text."""

from __future__ import annotations

from collections import Counter

import pytest

from provenance.match import sides
from provenance.match.bags import bags, flat
from provenance.match.detect import Fragment, detect
from provenance.match.sides import Side, copy_side, joined, source_side
from provenance.match.synonyms import Relation, Table, by_stem
from provenance.match.texts import units_holding
from provenance.text.normalize import normalize
from tests.conftest import outputs_by_hash_seed
from tests.test_detect import CARAVAN, PASSAGE, REWORDED, _sentences, inside, spun

Text = tuple[tuple[str, ...], list[tuple[int, int]]]

TEXT = (
    "The harbour master counted the boats that came in before the storm. "
    "Short line. "
    "Fishermen tied their nets to the posts and carried the catch to the market hall. "
    "The storm broke the old pier, and the harbour stayed closed for a week. "
    "The sea was stormy and grey for days after the storm had passed over the town"
)
OTHER = (
    "The port captain tallied the vessels that arrived ahead of the tempest. "
    "Anglers fastened their nets to the posts and took the haul to the market. "
    "The gale smashed the aged jetty, and the port remained shut for seven days."
)


def _text(text: str) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
    words: list[str] = []
    units = []
    for sentence in text.split(". "):
        ws = normalize(sentence).words
        units.append((len(words), len(words) + len(ws)))
        words.extend(ws)
    return tuple(words), units


@pytest.fixture(autouse=True)
def _fresh() -> None:
    sides.forget()


def test_a_side_is_what_detect_made_of_the_text_itself() -> None:
    words, units = _text(TEXT)
    side = Side(words, units)
    assert side.units == joined(units)
    assert len(side.units) == len(units) - 1  # the two-word line joined to the next
    assert side.bags == bags(words, side.units)
    assert side.holding == units_holding(side.bags)
    assert side.by_stem == by_stem(words)
    for stem, where in side.postings.items():
        assert where == [i for i, b in enumerate(side.bags) if stem in b]
    assert set(side.postings) == {t for b in side.bags for t in b}
    assert side.flat == flat(side.bags)


def test_a_side_s_anchors_are_its_stems_in_few_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sides, "MAX_STEM_UNITS", 2)
    words, units = _text(TEXT)
    side = Side(words, units)
    few, frequent = side.anchors
    assert few == {s: u for s, u in side.postings.items() if len(u) <= 2}
    assert frequent == {s for s, u in side.postings.items() if len(u) > 2}
    assert "storm" in frequent and "harbo" in few  # in three sentences, and in two


def test_row_indexes_are_the_table_s_rows_of_the_text_s_words() -> None:
    words, units = _text(TEXT)
    table = Table.of(
        [["storm", "tempest", "gale"], ["harbour", "port"], ["old", "aged"], ["stormy", "rough"]]
    )
    side = Side(words, units)
    relation = Relation(words, synonyms=table)
    stem_rows = side.stem_rows(table)
    assert stem_rows == {s: relation.rows(s) for s in side.by_stem if relation.rows(s)}
    assert stem_rows["storm"] == frozenset({0, 3})  # "storm" and "stormy"
    row_units = side.row_units(table)
    for k in range(4):
        want = {i for s, where in side.postings.items() for i in where if k in stem_rows.get(s, ())}
        assert row_units.get(k, frozenset()) == want
    # made once a table; another table gets its own
    assert side.row_units(table) is row_units
    other = Table.of([["market", "mart"]])
    assert side.row_units(other) != row_units


def test_a_side_s_row_stems_near_units_and_words_follow_its_rows() -> None:
    words, units = _text(TEXT)
    table = Table.of(
        [["storm", "tempest", "gale"], ["harbour", "port"], ["stormy", "grey", "rough"]]
    )
    side = Side(words, units)
    stem_rows, row_units = side.stem_rows(table), side.row_units(table)
    row_stems = side.row_stems(table)
    assert {(k, s) for k, stems in row_stems.items() for s in stems} == {
        (k, s) for s, rows in stem_rows.items() for k in rows
    }
    want = {}
    for s, rows in stem_rows.items():
        near = {i for k in rows for i in row_units.get(k, ())} - set(side.postings.get(s, ()))
        if near:
            want[s] = near
    assert side.near_units(table) == want
    # "grey" shares a row with "stormy": it reaches the other sentences of the stem
    # "storm" (in the first three, with "storm"); "harbour" is alone in its row
    assert want["grey"] == {0, 2} and "harbo" not in want
    assert side.near_units(table) is side.near_units(table)
    assert side.words == {w for ws in side.by_stem.values() for w in ws}
    assert "grey" in side.words and "the" not in side.words


def test_a_source_side_is_kept_for_the_same_words_only() -> None:
    words, units = _text(TEXT)
    side = source_side(words, units)
    assert source_side(words, units) is side
    # equal words in another tuple, or other sentences of the same words: made anew
    assert source_side(tuple(words), units[:2]) is not side
    twin = (*words,)
    assert twin is not words and source_side(twin, units) is not side
    # a list may change after the call: never kept
    as_list = list(words)
    assert source_side(as_list, units) is not source_side(as_list, units)


def test_sources_kept_hold_at_most_the_words_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    words, units = _text(TEXT)
    monkeypatch.setattr(sides, "MAX_SOURCE_WORDS", 4 * len(words))
    texts = [tuple(f"{w}{k}" for w in words) for k in range(10)]
    for t in texts:
        source_side(t, units)
        assert sides._source_words <= sides.MAX_SOURCE_WORDS
        assert sides._source_words == sum(len(w) for w, _, _ in sides._sources.values())
    # the least recently used went first: the last four are kept
    assert [w for w, _, _ in sides._sources.values()] == texts[-4:]
    kept = source_side(texts[-4], units)
    assert source_side(texts[-4], units) is kept


def test_detect_with_sides_kept_is_detect_with_sides_made_anew() -> None:
    # two sources (a passage inside filler, and its spun version inside other filler)
    # and two copies, compared in turn: each answer is the one made from scratch
    a, b = _sentences(inside(CARAVAN, 1, 1500)), _sentences(inside(spun(CARAVAN), 2, 1500))
    c, d = _sentences(inside(PASSAGE, 3, 1500)), _sentences(inside(REWORDED, 4, 1500))
    pairs = [(a, b), (c, d), (a, d), (b, a), (c, d), (a, b)]

    def fresh(src: Text, copy: Text) -> tuple[Fragment, ...]:
        sides.forget()
        return detect(src[0], src[1], copy[0], copy[1])

    want = [fresh(s, t) for s, t in pairs]
    sides.forget()
    assert [detect(s[0], s[1], t[0], t[1]) for s, t in pairs] == want
    assert want[0] and want[1]  # reworded text found: not empty answers compared


def test_a_side_s_bags_are_not_changed_by_the_search() -> None:
    src, s_units = _text(TEXT)
    copy, c_units = _text(OTHER)
    side = source_side(src, s_units)
    before = [Counter(b) for b in side.bags], {s: list(u) for s, u in side.postings.items()}
    detect(src, s_units, copy, c_units)
    detect(src, s_units, copy, c_units)
    assert ([Counter(b) for b in side.bags], dict(side.postings)) == before
    assert copy_side(copy, c_units) is copy_side(copy, c_units)


def test_a_relation_from_two_sides_is_the_relation_of_the_two_texts() -> None:
    """The same synonyms and rows, for every stem of either text, from the sides' words
    by stem and stems' rows (made once a text) as from the two texts' words (with the
    table that ships with prov)."""
    from provenance.match.synonyms import table

    src, s_units = _sentences(inside(CARAVAN, 1, 600))
    copy, c_units = _sentences(inside(spun(CARAVAN), 2, 600))
    a, b, t = Side(src, s_units), Side(copy, c_units), table()
    from_sides = Relation.of([a.by_stem, b.by_stem], t, [a.stem_rows(t), b.stem_rows(t)])
    relation = Relation(src, copy)
    stems = set(by_stem(src)) | set(by_stem(copy)) | {"zzzzz"}
    assert {s: from_sides(s) for s in stems} == {s: relation(s) for s in stems}
    assert {s: from_sides.rows(s) for s in stems} == {s: relation.rows(s) for s in stems}
    assert sum(1 for s in stems if from_sides(s)) > 20  # synonyms found, not empty sets


_DETECT = (
    "from tests.test_detect import CARAVAN, PASSAGE, REWORDED, _sentences, inside, spun\n"
    "from provenance.match.detect import detect\n"
    "a, b = _sentences(inside(CARAVAN, 1, 1500)), _sentences(inside(spun(CARAVAN), 2, 1500))\n"
    "c, d = _sentences(inside(PASSAGE, 3, 1500)), _sentences(inside(REWORDED, 4, 1500))\n"
    "print([detect(s[0], s[1], t[0], t[1]) for s, t in [(a, b), (c, d), (b, a), (a, d)]])\n"
)


def test_detect_answers_the_same_in_every_process() -> None:
    """Nothing the search decides follows a set's order (which string hashing changes
    from one process to the next)."""
    outs = outputs_by_hash_seed(_DETECT)
    assert len(outs) == 1 and "Fragment(" in next(iter(outs))
