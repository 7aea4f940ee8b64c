"""match/seeds.py: the sentence pairs a reworded passage is found from, and the source
sentences a copy sentence's synonyms reach. Small texts and tables of our own."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.match import seeds, sides
from provenance.match.bags import STEM
from provenance.match.sides import Side
from provenance.match.synonyms import Table

Text = tuple[tuple[str, ...], list[tuple[int, int]]]

#: Words for the synonym-search tests below: stems shared by several words ("storm",
#: "storms", "stormy"), and words the table relates across stems.
_SYN_WORDS = (
    "storm storms stormy tempest gale harbour harbours port pier jetty old aged market mart "
    "closed shut boats vessels catch haul night evening town village master captain"
).split()


def _synonym_case(seed: int) -> tuple[Text, Text, Table]:
    """A source and a copy of random sentences of :data:`_SYN_WORDS` (each text has
    words the other lacks), and a table of random rows of those words and others."""
    from provenance.match.synonyms import Table

    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    vocab = list(_SYN_WORDS)

    def text(words: list[str]) -> Text:
        out: list[str] = []
        units = []
        for _ in range(rng.randint(4, 9)):
            ws = [rng.choice(words) for _ in range(rng.randint(3, 7))]
            units.append((len(out), len(out) + len(ws)))
            out.extend(ws)
        return tuple(out), units

    src = text(rng.sample(vocab, 16))
    copy = text(rng.sample(vocab, 16))
    rows = [rng.sample([*vocab, "squall", "wharf"], rng.randint(2, 3)) for _ in range(12)]
    return src, copy, Table.of(rows)


def _units_by_the_rule(src: Text, copy: Text, table: Table, stem: str) -> tuple[int, ...]:
    """The source sentences a copy stem's synonyms reach, from the definition: the rows
    of the stem's words in either text; a row's sentences are those of each source
    stem (in at most ``MAX_STEM_UNITS`` sentences) with a word in the row, in the source
    or among the copy's words the source lacks; but for the stem's own sentences."""
    from provenance.match.synonyms import Relation, by_stem

    postings = Side(*src).postings
    rows = Relation(src[0], copy[0], synonyms=table).rows(stem)
    words = by_stem(src[0] + copy[0])  # either text's words, by stem
    near: set[int] = set()
    for s, units in postings.items():
        if len(units) <= sides.MAX_STEM_UNITS and any(
            rows & table.rows_of(w) for w in words.get(s, ())
        ):
            near.update(units)
    return tuple(sorted(near - set(postings.get(stem, ()))))


def _synonym_by_another_word() -> tuple[Text, Text, Table]:
    """A copy stem ("harbo", as "harbor") whose synonyms reach a source sentence only
    through the source's other word with its stem ("harbour") and a copy word the
    source lacks ("stormy", whose stem "storm" the source has as "storm")."""
    from provenance.match.synonyms import Table

    src = "the storm hit the coast at dawn with heavy rain and wind. the harbour stayed closed for seven long days after the storm"
    copy = "stormy weather came over the coast at dawn with rain and wind. the harbor was shut for seven long days after that"
    texts = []
    for text in (src, copy):
        words: list[str] = []
        units = []
        for sentence in text.split(". "):
            units.append((len(words), len(words) + len(sentence.split())))
            words.extend(sentence.split())
        texts.append((tuple(words), units))
    return texts[0], texts[1], Table.of([["stormy", "harbour"], ["closed", "shut"]])


@pytest.mark.parametrize("most", [64, 2])
@pytest.mark.parametrize("case", range(41))
def test_synonym_units_of_all_copy_stems_are_the_rule_s(
    case: int, most: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The source sentences a copy stem's synonyms reach, made for all the copy's stems
    at once (the source's part by its own words made once a source), are those of the
    rule for each stem: synonyms in either text, by the copy's words the source lacks,
    stems in too many sentences left out (``most``)."""
    from provenance.match.synonyms import Relation

    monkeypatch.setattr(sides, "MAX_STEM_UNITS", most)
    src, copy, table = _synonym_case(case) if case < 40 else _synonym_by_another_word()
    a, b = Side(*src), Side(*copy)
    relation = Relation.of([a.by_stem, b.by_stem], table, [a.stem_rows(table), b.stem_rows(table)])
    search = seeds._BySynonyms(a, b, seeds._Vectors(a.bags, {}), 1.0, {}, relation)
    made = search._all_units()
    want = {t: _units_by_the_rule(src, copy, table, t) for t in b.holding}
    assert {t: made.get(t, ()) for t in b.holding} == want
    assert all(made.values())  # stems with none are left out
    # the copy's words the source lacks, filed under their rows: the walk over shared stems
    walk: dict[int, set[int]] = {}
    for s in b.by_stem.keys() & a.postings.keys():
        if len(a.postings[s]) <= most:
            for w in b.by_stem[s]:
                if w not in a.by_stem.get(s, ()):
                    for k in table.rows_of(w):
                        walk.setdefault(k, set()).update(a.postings[s])
    assert search._by_copy_words() == walk


def test_synonym_units_cases_are_not_empty() -> None:
    """The cases above reach source sentences through each part of the rule."""
    reached = by_copy = 0
    for seed in range(12):
        src, copy, table = _synonym_case(seed)
        reached += sum(1 for t in Side(*copy).holding if _units_by_the_rule(src, copy, table, t))
        a, b = Side(*src), Side(*copy)
        by_copy += any(table.rows_of(w) for w in b.words - a.words if w[:STEM] in a.postings)
    assert reached > 30 and by_copy >= 4
    src, copy, table = _synonym_by_another_word()
    assert _units_by_the_rule(src, copy, table, "harbo") == (0,)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.dictionaries(st.integers(0, 99), st.integers(1, 4), max_size=80), st.integers(1, 70))
def test_most_is_most_common_ties_and_all(counts: dict[int, int], n: int) -> None:
    c = Counter(counts)
    assert seeds._most(c, n) == c.most_common(n)
