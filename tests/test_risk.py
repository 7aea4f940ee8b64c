"""The risk classes, through prov's real compare on small articles written for this test.

Each case changes one word or a short phrase of an article and expects the class of the
one alteration that results (or no alteration at all for a formatting change).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from provenance import compare_texts
from provenance.match import antonyms, names, risk
from provenance.match.align import DELETION, INSERTION, SUBSTITUTION, Edit
from provenance.match.antonyms import NEGATING_PREFIX_WORDS
from provenance.match.lexicon import (
    AMBIGUOUS_REPORTING,
    HEDGE_VERBS,
    NUMBER_WORDS,
    PRONOUNS,
    QUALIFIERS,
    REPORTING_KIND,
    SOURCE_KIND,
)
from provenance.match.risk import (
    ATTRIBUTION,
    CLAIM,
    MEANING_RISKS,
    NAME,
    NUMBER,
    POLARITY,
    QUALIFIER,
    WORDING,
)
from provenance.text.normalize import Normalized, normalize
from tests.conftest import ROOT

WATER = (
    "Lead in School Water\n\n"
    "Tests at Maple Street Elementary found lead levels above the federal action limit in "
    "four of the nine fountains, the district said on Monday. Superintendent Carla Okafor "
    "said the pipes, which were installed before 1986, appear to be the main source of the "
    "metal. Parents were told that the water may be unsafe for young children, and most "
    "fountains were closed within hours.\n\n"
    "The school board voted against a proposal to delay the repairs. Board member Tom "
    "Reyes said the district should replace every pipe by the end of the year. According "
    "to the county health office, the results are legal but worrying, and levels rose "
    "after the summer break. Officials said all students will receive bottled water "
    "until the work is complete.\n\n"
    "The district plans to increase testing at other schools. Reyes, who chairs the "
    "finance committee, said some of the money would come from a state grant. The "
    "repairs are expected to cost about $2 million, and the work could begin in March."
)

COUNCIL = (
    "The city council approved the new housing plan on Tuesday after a long debate. "
    "Mayor Ruth Lindqvist said the plan would allow taller buildings near the river and "
    "would raise the share of affordable homes. Critics argued that the project is "
    "unpopular with many residents and could push rents higher. The council's vote was "
    "seven to two, and the first permits are likely to be issued in the spring. Lindqvist "
    "told reporters that the city will win support from the state for the rail link."
)

#: (article, before, after, expected class)
MEANING = [
    # polarity: opposites, time relations, prepositions, comparatives, prefix negation
    (WATER, "levels above the federal", "levels below the federal", POLARITY),
    (WATER, "installed before 1986", "installed after 1986", POLARITY),
    (WATER, "voted against a proposal", "voted for a proposal", POLARITY),
    (WATER, "the results are legal but", "the results are illegal but", POLARITY),
    (WATER, "levels rose after", "levels fell after", POLARITY),
    (WATER, "plans to increase testing", "plans to decrease testing", POLARITY),
    (WATER, "plans to increase testing", "plans to reduce testing", POLARITY),
    (WATER, "levels rose after the summer", "levels rose before the summer", POLARITY),
    (WATER, "most fountains were closed", "most fountains were opened", POLARITY),
    (COUNCIL, "council approved the new", "council rejected the new", POLARITY),
    (COUNCIL, "plan would allow taller", "plan would ban taller", POLARITY),
    (COUNCIL, "is unpopular with", "is popular with", POLARITY),
    (COUNCIL, "push rents higher", "push rents lower", POLARITY),
    (COUNCIL, "the city will win support", "the city will lose support", POLARITY),
    (COUNCIL, "buildings near the river", "buildings far from the river", POLARITY),
    (COUNCIL, "the new housing plan", "the old housing plan", POLARITY),
    # attribution: reporting verbs, speakers, sources added or dropped
    (WATER, "the district said on Monday", "the district admitted on Monday", ATTRIBUTION),
    (WATER, "Superintendent Carla Okafor said", "Superintendent Carla Okafor claimed", ATTRIBUTION),
    (WATER, "Tom Reyes said the district", "Tom Reyes insisted the district", ATTRIBUTION),
    (
        WATER,
        "Reyes, who chairs the finance committee, said",
        "Reyes, who chairs the finance committee, denied",
        ATTRIBUTION,
    ),
    (WATER, "Officials said all students", "Officials conceded all students", ATTRIBUTION),
    (COUNCIL, "Critics argued that", "Critics said that", ATTRIBUTION),
    (
        WATER,
        "According to the county health office,",
        "According to county residents,",
        ATTRIBUTION,
    ),
    (
        WATER,
        "According to the county health office,",
        "According to the county police,",
        ATTRIBUTION,
    ),
    (WATER, "Officials said all students will", "All students will", ATTRIBUTION),
    (WATER, "fountains, the district said on Monday.", "fountains on Monday.", ATTRIBUTION),
    # qualifier: hedges, modality, quantifiers, negation
    (WATER, "appear to be the main source", "are the main source", QUALIFIER),
    (WATER, "the water may be unsafe", "the water is unsafe", QUALIFIER),
    (WATER, "the water may be unsafe", "the water will be unsafe", QUALIFIER),
    (WATER, "district should replace every", "district must replace every", QUALIFIER),
    (WATER, "the work could begin in", "the work will begin in", QUALIFIER),
    (WATER, "and most fountains were", "and all fountains were", QUALIFIER),
    (WATER, "and most fountains were", "and some fountains were", QUALIFIER),
    (WATER, "said all students will", "said some students will", QUALIFIER),
    (WATER, "said some of the money", "said most of the money", QUALIFIER),
    (WATER, "replace every pipe", "replace a pipe", QUALIFIER),
    (COUNCIL, "the first permits are likely to be", "the first permits are to be", QUALIFIER),
    (COUNCIL, "with many residents", "with few residents", QUALIFIER),
    (WATER, "are expected to cost", "are not expected to cost", QUALIFIER),
    (WATER, "a proposal to delay", "a so-called proposal to delay", QUALIFIER),
    (
        COUNCIL,
        "Critics argued that the project",
        "Critics argued that the project reportedly",
        QUALIFIER,
    ),
    # claim: appositives, relative clauses, sentences about someone, added or dropped
    (
        WATER,
        "Superintendent Carla Okafor said",
        "Superintendent Carla Okafor, a former police chief, said",
        CLAIM,
    ),
    (
        WATER,
        "Board member Tom Reyes said",
        "Board member Tom Reyes, who was charged with fraud last year, said",
        CLAIM,
    ),
    (WATER, "Reyes, who chairs the finance committee, said", "Reyes said", CLAIM),
    (
        COUNCIL,
        "near the river and",
        "near the river, where Lindqvist owns three buildings, and",
        CLAIM,
    ),
    # names
    (WATER, "Superintendent Carla Okafor", "Superintendent Carla Adeyemi", NAME),
    (WATER, "Maple Street Elementary", "Oak Street Elementary", NAME),
    (COUNCIL, "Mayor Ruth Lindqvist said", "Mayor Ruth Nilsson said", NAME),
    (COUNCIL, "Mayor Ruth", "Governor Ruth", NAME),
    # numbers
    (WATER, "four of the nine fountains", "five of the nine fountains", NUMBER),
    (WATER, "about $2 million", "about $3 million", NUMBER),
]

#: (article, before, after): changes that do not change what the text says.
HARMLESS = [
    (WATER, "found lead levels", "detected lead levels"),
    (WATER, "the main source of the metal", "the main origin of the metal"),
    (WATER, "fountains were closed within hours", "fountains were shut within hours"),
    (WATER, "a proposal to delay the repairs", "a plan to delay the repairs"),
    (WATER, "by the end of the year", "by the close of the year"),
    (WATER, "the results are legal but worrying", "the results are legal but troubling"),
    (WATER, "would come from a state grant", "would come from a government grant"),
    (WATER, "until the work is complete", "until the work is finished"),
    (WATER, "the district said on Monday", "the district stated on Monday"),
    (WATER, "According to the county health office", "According to the county health department"),
    (WATER, "Parents were told that", "Parents were informed that"),
    (COUNCIL, "after a long debate", "after a lengthy debate"),
    (COUNCIL, "near the river", "close to the river"),
    (COUNCIL, "the share of affordable homes", "the proportion of affordable homes"),
    (COUNCIL, "could push rents higher", "might push rents higher"),
    (COUNCIL, "with many residents", "with numerous residents"),
    (COUNCIL, "Critics argued that", "Critics contended that"),
    # spelling variants and formatting: no alteration, or wording
    (WATER, "about $2 million", "about $2\u00a0million"),
    (COUNCIL, "The council's vote", "The council’s vote"),
    (COUNCIL, "the rail link.", "the rail-link."),
    (COUNCIL, "the spring.", "the Spring."),
    (WATER, "the district said on Monday.", "the district said on Monday!"),
]


def _only(before: str, after: str, article: str) -> tuple[str, ...]:
    assert before in article, before
    s = compare_texts(article, article.replace(before, after, 1))
    return tuple(a.risk for a in s.alterations)


@pytest.mark.parametrize(("article", "before", "after", "risk"), MEANING)
def test_meaning_changes(article: str, before: str, after: str, risk: str) -> None:
    assert before in article
    s = compare_texts(article, article.replace(before, after, 1))
    risks = [a.risk for a in s.alterations]
    assert risk in risks, [(a.source, a.copy, a.risk) for a in s.alterations]
    assert all(r in (risk, WORDING) for r in risks), [
        (a.source, a.copy, a.risk) for a in s.alterations
    ]
    assert s.meaning_changed
    assert s.verdict != "verbatim"


@pytest.mark.parametrize(("article", "before", "after"), HARMLESS)
def test_harmless_changes(article: str, before: str, after: str) -> None:
    assert before in article
    s = compare_texts(article, article.replace(before, after, 1))
    assert [a.risk for a in s.alterations if a.risk != WORDING] == [], [
        (a.source, a.copy, a.risk) for a in s.alterations
    ]
    assert not s.meaning_changed


@pytest.mark.parametrize(
    ("source", "copy"),
    [
        (
            "The U.S. government said the rate was 5 per cent.",
            "The US government said the rate was 5 percent.",
        ),
        (
            "The board met in the U.S. capital in the spring.",
            "The board met in the US capital in the spring.",
        ),
    ],
)
def test_variants_are_not_meaning_changes(source: str, copy: str) -> None:
    article = WATER + "\n\n" + source
    s = compare_texts(article, WATER + "\n\n" + copy)
    assert [a.risk for a in s.alterations if a.risk in MEANING_RISKS] == []


def test_the_tables_are_large_enough() -> None:
    assert len(MEANING) >= 40
    assert len(HARMLESS) >= 20
    assert {r for *_, r in MEANING} >= {POLARITY, ATTRIBUTION, QUALIFIER, CLAIM, NAME}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("increase", "decrease", True),
        ("increased", "decreases", True),
        ("rise", "fall", True),
        ("rose", "fell", True),
        ("risen", "fallen", True),
        ("win", "lost", True),
        ("guilty", "innocent", True),
        ("legal", "illegal", True),
        ("able", "unable", True),
        ("possible", "impossible", True),
        ("binding", "nonbinding", True),
        ("above", "below", True),
        ("before", "after", True),
        ("most", "least", True),
        ("more", "less", True),
        ("higher", "lower", True),
        ("rise", "rises", False),
        ("said", "told", False),
        ("formed", "informed", False),
        ("valuable", "invaluable", False),
        ("covered", "discovered", False),
    ],
)
def test_opposites(a: str, b: str, expected: bool) -> None:
    assert antonyms.opposite(a, b) is expected


@pytest.mark.parametrize(
    ("sw", "cw", "expected"),
    [
        (("prices", "rose"), ("prices", "fell"), ("rose", "fell")),
        (("a", "higher", "price"), ("a", "lower", "price"), ("higher", "lower")),
        (("the", "rise"), ("the", "rises"), None),
        (("said",), ("told",), None),
        ((), ("higher",), None),
    ],
)
def test_the_memo_of_polarity_gives_what_the_words_give(
    sw: tuple[str, ...], cw: tuple[str, ...], expected: tuple[str, str] | None
) -> None:
    # memoised (a check's near-copies share their edits): asked twice, the same answer
    # as the function itself, and the memo bounded and emptied by forget_edits
    risk.forget_edits()
    assert risk._polarity.__wrapped__(sw, cw) == expected
    assert risk._polarity(sw, cw) == expected
    assert risk._polarity(sw, cw) == expected
    info = risk._polarity.cache_info()
    assert (info.hits, info.misses, info.currsize) == (1, 1, 1)
    assert info.maxsize == risk.POLARITY_MEMO
    risk.forget_edits()
    assert risk._polarity.cache_info().currsize == 0


def test_the_memo_of_polarity_is_bounded() -> None:
    risk.forget_edits()
    for i in range(risk.POLARITY_MEMO + 10):
        risk._polarity((f"w{i}",), ("x",))
    assert risk._polarity.cache_info().currsize == risk.POLARITY_MEMO
    risk.forget_edits()


def test_antonym_table_comes_from_wordnet_and_loads_once() -> None:
    antonyms.table.cache_clear()
    started = time.perf_counter()
    pairs, irregular = antonyms.table()
    assert time.perf_counter() - started < 30  # a hang guard only: it takes milliseconds
    assert sum(len(v) for v in pairs.values()) // 2 > 4000  # WordNet alone has 3,237 pairs
    assert irregular["rose"] == ("rise",)
    assert antonyms.table() is antonyms.table()


WORDNET = Path("/usr/share/wordnet")


@pytest.mark.skipif(
    not (WORDNET / "data.adj").exists(), reason="needs WordNet (apt-get install wordnet-base)"
)
def test_antonym_table_is_what_the_build_script_makes() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_antonyms", ROOT / "scripts/build_antonyms.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (ROOT / "provenance/match/antonyms.tsv").read_text(encoding="utf-8")
    assert module.build(WORDNET) == committed
    assert "Copyright 2006 by Princeton University" in committed


@pytest.mark.parametrize(
    ("inserted", "claim"),
    [
        # a new sentence with a name, or a number: an inserted claim, between copied text
        ("Reyes was fined for misusing district funds in 2019. ", True),
        ("The contractor, Halvorsen Pipe Works, was the only bidder. ", True),
        ("Repairs at the high school cost 40 percent more than planned. ", True),
        # a plain sentence with neither: added text, not a claim
        ("Many families were relieved to hear the news that evening. ", False),
    ],
)
def test_a_sentence_inserted_inside_copied_text(inserted: str, claim: bool) -> None:
    """A whole new sentence between copied sentences: a `claim` (meaning changed, the copy
    not verbatim) when it says something about a named entity or gives a number; a plain
    one stays added text (the copy still word for word)."""
    at = WATER.index("The district plans to increase testing")
    copy = WATER[:at] + inserted + WATER[at:]
    s = compare_texts(WATER, copy)
    claims = [a for a in s.alterations if a.risk == CLAIM]
    sentence = inserted.strip().rstrip(".")  # the words; the stop stays outside the span
    added = [x.text for x in s.added]
    if claim:
        assert [(a.kind, a.copy) for a in claims] == [("insertion", sentence)]
        (a,) = claims
        assert copy[a.copy_span[0] : a.copy_span[1]] == a.copy
        assert s.meaning_changed and s.verdict != "verbatim"
        assert sentence not in added  # listed once, as the alteration
    else:
        assert not claims and not s.meaning_changed
        assert s.verdict == "verbatim"
        assert sentence in added


def test_an_appended_article_is_added_material_not_a_claim() -> None:
    """Text after the copy (a second article, a site's 'related stories') is added, not
    an inserted claim, however many names it holds."""
    appended = " ".join(
        f"In other news, Mayor Ruth Lindqvist opened bridge number {i} on Main Street."
        for i in range(3)
    )
    s = compare_texts(WATER, WATER + "\n\n" + appended + "\n")
    assert not [a for a in s.alterations if a.risk == CLAIM]
    assert s.verdict == "verbatim"


# --- the memo of the rules that read words alone (risk._by_words) -------------------------


def _reference_classify(
    src: Normalized, copy: Normalized, edit: Edit, src_heading: bool, copy_heading: bool
) -> str:
    """``classify`` as it was written before its rules that read words alone were
    memoised: every rule in order, each reading the text (the oracle of the tests below)."""

    def families(norm: Normalized, lo: int, hi: int) -> set[str]:
        fams = risk.qualifier_families(norm.words[lo:hi])
        for i in range(lo, hi):
            following = norm.words[i + 1] if i + 1 < len(norm) else ""
            if norm.words[i] in HEDGE_VERBS and following in ("to", "that"):
                fams.add("hedge")
            elif norm.words[i] == "so" and following == "called":
                fams.add("hearsay")
        return fams

    def after_according(norm: Normalized, lo: int) -> bool:
        for i in range(lo, max(1, lo - 4), -1):
            if norm.words[i - 2 : i] == ("according", "to"):
                gap = norm.text[norm.ends[i - 1] : norm.starts[lo]] if lo < len(norm) else ""
                return not any(c in gap for c in ",.;:!?")
        return False

    def attribution() -> bool:
        (s0, s1), (c0, c1) = edit.src, edit.copy
        sw, cw = src.words[s0:s1], copy.words[c0:c1]
        ks, kc = risk._reporting_kinds(sw), risk._reporting_kinds(cw)
        if edit.kind in (INSERTION, DELETION):
            side = cw if edit.kind == INSERTION else sw
            return "according" in side or any(
                w in REPORTING_KIND and w not in AMBIGUOUS_REPORTING for w in side
            )
        if ks and kc and ks != kc:
            return True
        if after_according(src, s0):
            kinds_s = {SOURCE_KIND[w] for w in sw if w in SOURCE_KIND}
            kinds_c = {SOURCE_KIND[w] for w in cw if w in SOURCE_KIND}
            pronouns = {w for w in sw if w in PRONOUNS} ^ {w for w in cw if w in PRONOUNS}
            return bool(
                kinds_s != kinds_c
                or pronouns
                or names.names_in(src, s0, s1) ^ names.names_in(copy, c0, c1)
            )
        if risk._near_reporting(src, s0, s1):
            return any(w in PRONOUNS for w in (*sw, *cw) if w not in sw or w not in cw)
        return False

    (s0, s1), (c0, c1) = edit.src, edit.copy
    sw, cw = src.words[s0:s1], copy.words[c0:c1]
    if sw and cw and "".join(sw) == "".join(cw):
        return WORDING
    qs, qc = families(src, s0, s1), families(copy, c0, c1)
    pair = risk._polarity.__wrapped__(tuple(sw), tuple(cw))
    if (
        pair
        and not (pair[0] in QUALIFIERS and pair[1] in QUALIFIERS)
        and not (pair[0] in NUMBER_WORDS and pair[1] in NUMBER_WORDS)
    ):
        return POLARITY
    if edit.kind != DELETION and any(w in NEGATING_PREFIX_WORDS for w in cw if w not in sw):
        return POLARITY
    if edit.kind != INSERTION and any(w in NEGATING_PREFIX_WORDS for w in sw if w not in cw):
        return POLARITY
    if attribution():
        return ATTRIBUTION
    if qs != qc:
        return QUALIFIER
    if pair:
        return POLARITY
    if edit.kind == INSERTION and risk._claim(copy, c0, c1):
        return CLAIM
    if edit.kind == DELETION and risk._claim(src, s0, s1):
        return CLAIM
    if any(w[:1].isdigit() or w in NUMBER_WORDS for w in (*sw, *cw)):
        return NUMBER
    if names.name_changed(src, copy, edit, src_heading, copy_heading):
        return NAME
    return WORDING


#: Phrases every rule reads: hedges with and without "to" after them, "so called",
#: sources after "according to", pronouns by reporting verbs, opposites, qualifiers,
#: numbers, names (capitals inside and at the start of sentences), clauses, punctuation.
_PHRASES = (
    "according to police", "according to", "According to officials", "appears to",
    "appears", "seems that", "so called", "so", "he said", "they said", "Okafor said",
    "said", "admitted", "the council voted", "the plan", ", who", ", a former chief ,",
    "(", ")", ".", ",", ":", "\n", "may", "will", "not", "all", "some", "2019", "two",
    "rose", "fell", "non-binding", "binding", "Reyes", "Mayor Reyes", "police",
    "witnesses", "that", "to", "in", "reportedly",
)  # fmt: skip
#: Words an edit puts in (each one word once normalised).
_WORDS = (
    "police witnesses officials said admitted denied he they she who was arrested appears seems so to that "
    "called may will must not all some few only binding non anti legal illegal above below "
    "rose fell two three 2019 million who which Okafor Reyes Lowe according the a"
).split()


@st.composite
def _edits(draw: st.DrawFn) -> tuple[Normalized, Normalized, Edit]:
    """A text and a copy of it with one edit (the text around it the same in both)."""
    text = " ".join(draw(st.lists(st.sampled_from(_PHRASES), min_size=2, max_size=12)))
    src = normalize(text + " .")
    n = len(src)
    s0 = draw(st.integers(0, n))
    s1 = min(n, s0 + draw(st.integers(0, 4)))
    new = draw(st.lists(st.sampled_from(_WORDS), max_size=4))
    assume(s0 < s1 or new)
    a, b = (src.starts[i] if i < n else len(src.text) for i in (s0, s1))
    stop = draw(st.sampled_from(("", ",", ".", " (")))  # after the words put in
    copy = normalize(src.text[:a] + " ".join(new) + stop + " " + src.text[b:])
    assume(copy.words[s0 : s0 + len(new)] == tuple(w.lower() for w in new))
    kind = SUBSTITUTION if s0 < s1 and new else INSERTION if new else DELETION
    return src, copy, Edit(kind, (s0, s1), (s0, s0 + len(new)))


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(edited=_edits(), headings=st.tuples(st.booleans(), st.booleans()))
def test_classify_gives_what_every_rule_in_order_gives(
    edited: tuple[Normalized, Normalized, Edit], headings: tuple[bool, bool]
) -> None:
    # the memo is not emptied between examples: its entries made by edits of the same
    # words elsewhere (another text around them) must not change a class
    src, copy, edit = edited
    expected = _reference_classify(src, copy, edit, *headings)
    assert risk.classify(src, copy, edit, *headings) == expected


#: One edit's words in two texts: (source, copy, the words' index, class) twice.
_CONTEXTS = [
    (  # a hedge when "to" follows, not otherwise
        ("The pipes appear to leak .", "The pipes are to leak .", 2, QUALIFIER),
        ("The pipes appear in the report .", "The pipes are in the report .", 2, WORDING),
    ),
    (  # another source after "according to", not elsewhere
        ("It fell , according to police , on Monday .",
         "It fell , according to witnesses , on Monday .", 4, ATTRIBUTION),
        ("The police arrived on Monday .", "The witnesses arrived on Monday .", 1, WORDING),
    ),
    (  # the speaker changed next to a reporting verb, not elsewhere
        ("Later he said it was safe .", "Later they said it was safe .", 1, ATTRIBUTION),
        ("Later he left the room .", "Later they left the room .", 1, WORDING),
    ),
    (  # a name inside a sentence, a common noun in lower case
        ("The board met Reed on Monday .", "The board met Lowe on Monday .", 3, NAME),
        ("The board met reed on Monday .", "The board met lowe on Monday .", 3, WORDING),
    ),
]  # fmt: skip


@pytest.mark.parametrize("pair", _CONTEXTS)
@pytest.mark.parametrize("first", [0, 1])
def test_one_edits_words_in_two_contexts_keep_their_own_classes(
    pair: tuple[tuple[str, str, int, str], ...], first: int
) -> None:
    # the second classified finds the first's words in the memo (a hit), and still gets
    # its own class: the memo holds only what the words alone decide
    risk.forget_edits()
    for src_text, copy_text, i, expected in (pair[first], pair[1 - first]):
        src, copy = normalize(src_text), normalize(copy_text)
        edit = Edit(SUBSTITUTION, (i, i + 1), (i, i + 1))
        assert risk.classify(src, copy, edit) == expected
        assert _reference_classify(src, copy, edit, False, False) == expected
    assert risk._by_words.cache_info().hits == 1
    risk.forget_edits()


@pytest.mark.parametrize(
    ("kind", "sw", "cw", "decided", "tails"),
    [
        (SUBSTITUTION, ("per", "cent"), ("percent",), WORDING, ("", "")),  # spelling
        (SUBSTITUTION, ("rose",), ("fell",), POLARITY, ("", "")),
        (SUBSTITUTION, ("binding",), ("non", "binding"), POLARITY, ("", "")),
        (SUBSTITUTION, ("said",), ("admitted",), ATTRIBUTION, ("", "")),
        (INSERTION, (), ("officials", "said"), ATTRIBUTION, ("", "")),
        (DELETION, ("reportedly",), (), None, ("", "")),  # a qualifier: the text decides
        (SUBSTITUTION, ("police",), ("witnesses",), None, ("", "")),  # after "according to"?
        (SUBSTITUTION, ("it", "seems"), ("it", "is"), None, ("seems", "")),  # "to" after?
        (SUBSTITUTION, ("so",), ("very",), None, ("so", "")),  # "called" after?
    ],
)
def test_the_memo_of_edits_words_gives_what_the_words_give(
    kind: str,
    sw: tuple[str, ...],
    cw: tuple[str, ...],
    decided: str | None,
    tails: tuple[str, str],
) -> None:
    risk.forget_edits()
    words = risk._by_words.__wrapped__(kind, sw, cw)
    assert (words.decided, (words.tail_s, words.tail_c)) == (decided, tails)
    assert risk._by_words(kind, sw, cw) == words
    assert risk._by_words(kind, sw, cw) == words
    info = risk._by_words.cache_info()
    assert (info.hits, info.misses, info.currsize, info.maxsize) == (1, 1, 1, risk.EDIT_MEMO)
    risk.forget_edits()
    assert risk._by_words.cache_info().currsize == 0
