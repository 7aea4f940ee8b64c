from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import compare_texts
from provenance.match import score as score_module
from provenance.match.risk import NAME, NUMBER, QUALIFIER, WORDING
from provenance.params import Policy
from provenance.text.normalize import normalize
from provenance.verify import compare_segmented
from tests.conftest import expectations, seed, seed_text

BASE = (
    "The minister said on Tuesday that the accused officials would face a trial in the capital. "
    "Secretary of State Antony J. Blinken met the delegation, which included 12 members. "
    "“We will not negotiate with them,” the spokesperson told the press after the meeting."
)


@pytest.mark.parametrize(
    ("before", "after", "risk", "in_quote"),
    [
        ("the accused officials", "the falsely accused officials", QUALIFIER, False),
        ("would face a trial", "would not face a trial", QUALIFIER, False),
        ("would face a trial", "might face a trial", QUALIFIER, False),
        ("We will not negotiate", "We will negotiate", QUALIFIER, True),
        ("Antony J. Blinken", "Antony L. Blinken", NAME, False),
        ("Secretary of State", "Admin of State", NAME, False),
        ("included 12 members", "included 21 members", NUMBER, False),
        ("on Tuesday that", "on Friday that", NUMBER, False),
        ("included 12 members", "included twelve members", NUMBER, False),
        ("face a trial in the capital", "face a trial in the city", WORDING, False),
        ("the spokesperson told the press", "the spokesperson told the media", WORDING, False),
    ],
)
def test_risk_classes(before: str, after: str, risk: str, in_quote: bool) -> None:
    assert before in BASE
    s = compare_texts(BASE, BASE.replace(before, after))
    (alt,) = s.alterations
    assert (alt.risk, alt.in_quote) == (risk, in_quote)
    assert s.meaning_changed == (risk != WORDING)


@pytest.mark.parametrize(
    "after",
    [
        BASE.replace("12", "12").replace("Blinken", "Blinken"),
        BASE.replace("’", "'").replace("“", '"').replace("”", '"'),
        BASE.replace("J. Blinken", "J.  Blinken").replace("Tuesday", "TUESDAY"),
        BASE.replace(" that the", "\u00a0that\u00a0the"),
    ],
)
def test_formatting_is_no_alteration(after: str) -> None:
    s = compare_texts(BASE, after)
    assert (s.verdict, s.fidelity, s.alterations) == ("verbatim", 1.0, ())


def test_risky_alterations_come_first_and_quotes_first_within_a_class() -> None:
    after = (
        BASE.replace("capital", "city")
        .replace("not negotiate", "negotiate")
        .replace("accused", "falsely accused")
        .replace("12", "21")
    )
    s = compare_texts(BASE, after)
    assert [(a.risk, a.in_quote) for a in s.alterations] == [
        (QUALIFIER, True),
        (QUALIFIER, False),
        (NUMBER, False),
        (WORDING, False),
    ]


def test_spans_and_contexts_point_into_the_originals() -> None:
    after = BASE.replace("accused", "falsely accused")
    s = compare_texts(BASE, after)
    (alt,) = s.alterations
    assert after[alt.copy_span[0] : alt.copy_span[1]] == "falsely"
    assert alt.source_span[0] == alt.source_span[1] == BASE.index("accused")
    assert alt.copy_context == "Tuesday that the falsely accused officials would"
    assert alt.source_context == "Tuesday that the accused officials would"


def test_boilerplate_around_a_copy_changes_nothing_but_added() -> None:
    wrapped = (
        "Home | World | Politics\nAccept cookies to continue.\n\n"
        + BASE
        + "\n\nShare this\n© 2026 Example News"
    )
    plain, boxed = compare_texts(BASE, BASE), compare_texts(BASE, wrapped)
    assert (boxed.verdict, boxed.fidelity, boxed.source_coverage) == (
        plain.verdict,
        plain.fidelity,
        plain.source_coverage,
    )
    assert boxed.copy_coverage == 1.0
    assert {a.reason.split(":")[0] for a in boxed.added} == {"boilerplate"}


def test_verdict_thresholds() -> None:
    policy = Policy()
    s = compare_texts(BASE, BASE)
    assert s.verdict == "verbatim"
    first = BASE.split(". ")[0] + "."
    one_sentence = compare_texts(BASE, first)
    assert one_sentence.found_words < policy.min_shared_words
    # a sentence of 16 words reproduced exactly is a quote, whatever the lengths
    assert (one_sentence.verdict, one_sentence.extent) == ("partial", "quote")
    assert one_sentence.reason == "one sentence (16 words) reproduced exactly: a quote"
    short = compare_texts(BASE, "The minister said on Tuesday that the officials would go.")
    assert (short.verdict, short.extent) == ("unrelated", "none")  # a few words in common
    source = seed_text("004")
    excerpt = "\n\n".join(source.split("\n\n")[3:6])
    partial = compare_texts(source, excerpt)
    assert partial.verdict == "partial"
    assert 0 < partial.source_coverage < policy.complete
    assert partial.extent == "part"
    unrelated = compare_texts(
        BASE, "Bread needs flour, water, salt and yeast, and an hour in a hot oven."
    )
    assert unrelated.verdict == "unrelated"
    assert unrelated.alterations == ()


# -- the seed documents --------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@pytest.mark.parametrize(
    "pair", expectations()["pairs"], ids=lambda p: f"{p['source'][:3]}-{p['copy'][:3]}"
)
def test_seed_pairs(pair: dict[str, object]) -> None:
    s = compare_segmented(seed(str(pair["source"])[:3]), seed(str(pair["copy"])[:3]))
    kind = {"verbatim": "verbatim", "paraphrased": "paraphrased"}.get(str(pair["kind"]), "partial")
    assert s.verdict == kind
    if "body_fidelity_min" in pair:
        assert s.fidelity >= pair["body_fidelity_min"]  # type: ignore[operator]
    if "source_coverage_min" in pair:
        assert s.source_coverage >= pair["source_coverage_min"]  # type: ignore[operator]
    if "source_coverage_max" in pair:
        assert s.source_coverage <= pair["source_coverage_max"]  # type: ignore[operator]


@pytest.mark.parametrize(
    ("before", "after", "risk"),
    [
        ("accused", "falsely accused", QUALIFIER),
        ("counter", "kitchen counter", WORDING),
        ("fall", "drop", WORDING),
        ("controls", "settings", WORDING),
        ("Secretary", "Admin", NAME),
        ("J", "L", NAME),
        ("Small Group", "Small Team", NAME),
        ("UN Security Council Resolution", "UN Security Authorities Resolution", NAME),
        ("security forces", "safety forces", WORDING),
        ("revenue", "income", WORDING),
    ],
)
def test_seed_003_alterations(before: str, after: str, risk: str) -> None:
    s = compare_segmented(seed("004"), seed("003"))
    hits = [
        a
        for a in s.alterations
        if " ".join(_tokens(before)) in " ".join(_tokens(a.source_context))
        and " ".join(_tokens(after)) in " ".join(_tokens(a.copy_context))
    ]
    assert any(a.risk == risk for a in hits), [(a.source, a.copy, a.risk) for a in hits]


def test_seed_003_dateline_and_furniture_are_added_not_altered() -> None:
    s = compare_segmented(seed("004"), seed("003"))
    added = " ".join(a.text for a in s.added)
    assert "Ottawa, Ontario" in added
    assert "Stay Connected" in added
    assert not any("Ottawa" in a.copy for a in s.alterations)
    assert 80 <= len(s.alterations) <= 100


def test_spun_copy_is_less_faithful_than_verbatim_ones() -> None:
    spun = compare_segmented(seed("004"), seed("003")).fidelity
    verbatim = min(compare_segmented(seed("001"), seed(c)).fidelity for c in ("000", "002"))
    assert spun <= verbatim - 0.05


def test_a_page_with_its_translation_is_compared_in_the_language_the_copy_shares() -> None:
    """000 has the English communiqué and its (longer) Italian translation: as a source,
    its English text is what 001 copies."""
    assert seed("000").lang == "it"
    assert seed("000").languages() == ("it", "en")
    s = compare_segmented(seed("000"), seed("001"))
    assert s.verdict == "verbatim"
    assert s.source_coverage >= 0.95


# -- passages and the two axes (issue 13) ------------------------------------------------

LONG = (
    "The harbour commission met on Monday to discuss the state of the northern pier. "
    "Engineers reported that the timber piles, which had been driven into the seabed in the "
    "spring of the previous year, were already showing signs of decay. The commission agreed "
    "to replace the worst of them before the autumn storms and to inspect the rest each month. "
    "Local fishermen welcomed the decision but asked for the work to be done at night so that "
    "their boats could still unload during the day. The chairman promised a full report at the "
    "next meeting."
)


def test_text_against_itself_is_verbatim_whole() -> None:
    s = compare_texts(LONG, LONG)
    assert (s.verdict, s.extent, s.wording, s.fidelity) == ("verbatim", "whole", "verbatim", 1.0)
    assert s.copied_words == s.source_words
    ((src_span, copy_span),) = [(p.source_span, p.copy_span) for p in s.pairs if p.found]
    assert src_span == copy_span == (0, len(LONG))  # with its final stop
    assert s.reason == "about 100% of the source reproduced word for word"


def test_deleted_clause_does_not_make_a_verbatim_copy_paraphrased() -> None:
    clause = ", which had been driven into the seabed in the spring of the previous year,"
    assert clause in LONG
    s = compare_texts(LONG, LONG.replace(clause, ""))
    assert s.verdict in ("verbatim", "near-verbatim")
    assert (s.extent, s.wording) == ("whole", s.verdict)
    assert any(a.kind == "deletion" for a in s.alterations)  # still listed


def test_dropped_list_numbers_are_not_number_alterations() -> None:
    steps = [
        "Fill the kettle with fresh cold water from the tap and switch it on.",
        "Warm the teapot with a little of the hot water and pour it away again.",
        "Put one spoonful of leaves for each person and one more for the pot.",
        "Pour on the boiling water and leave it to stand for four or five minutes.",
    ]
    numbered = "\n".join(f"{i}. {t}" for i, t in enumerate(steps, 1))
    s = compare_texts(numbered, "\n".join(steps))
    assert [a.risk for a in s.alterations if a.risk == NUMBER] == []
    assert not s.meaning_changed
    assert s.verdict == "verbatim"


def test_passage_spans_slice_both_texts_to_the_matched_words() -> None:
    source = "Notes from the archive.\n\n" + LONG + "\n\nEnd of the minutes."
    copy = "Our reporter writes:\n\n" + LONG.replace("Monday", "Tuesday") + "\n\nComments (3)"
    s = compare_texts(source, copy)
    found = [p for p in s.pairs if p.found]
    assert found
    for p in found:
        src_words = normalize(source[slice(*p.source_span)]).words
        copy_words = normalize(copy[slice(*p.copy_span)]).words
        assert src_words and copy_words
        assert src_words[0] == copy_words[0] and src_words[-1] == copy_words[-1]
    assert (
        normalize(copy[slice(*found[0].copy_span)]).words
        == normalize(LONG.replace("Monday", "Tuesday")).words
    )


def test_quoted_sentence_inside_a_long_article_is_a_quote() -> None:
    sentence = (
        "Engineers reported that the timber piles were already showing signs of decay "
        "after barely a year in the water."
    )
    article = " ".join(
        f"Paragraph {i} of the feature discusses the town's plans for tourism, parking and "
        f"the new library, with comments from residents of street number {i}."
        for i in range(60)
    )
    copy = article + f"\n\nAs the report put it, “{sentence}”\n\n" + article
    s = compare_texts(LONG + " " + sentence, copy)
    assert (s.verdict, s.extent, s.wording) == ("partial", "quote", "verbatim")
    assert s.reason.endswith("reproduced exactly: a quote")


def _runs_word_by_word(covered: bytearray, owner: list[int]) -> list[tuple[int, int]]:
    """The uncovered runs as first written: a pass over the words one by one."""
    runs = []
    i, n = 0, len(covered)
    while i < n:
        if covered[i]:
            i += 1
            continue
        j = i
        while j < n and not covered[j] and owner[j] == owner[i]:
            j += 1
        runs.append((i, j))
        i = j
    return runs


@settings(max_examples=300, deadline=None)
@given(
    cover=st.lists(st.integers(0, 2), min_size=0, max_size=60),
    sizes=st.lists(st.integers(0, 9), max_size=12),
    gaps=st.lists(st.integers(0, 3), max_size=12),
)
def test_uncovered_runs_are_the_word_by_word_runs(
    cover: list[int], sizes: list[int], gaps: list[int]
) -> None:
    """Runs cut where a block starts or ends (blocks of any size, empty ones, words in
    no block between them) are the runs a pass word by word finds."""
    from provenance.match import score as score_module
    from provenance.text.segment import BODY, Block

    n = len(cover)
    blocks, at = [], 0
    for size, gap in zip(sizes, gaps + [0] * len(sizes), strict=False):
        first = min(n, at + gap)
        last = min(n, first + size)
        blocks.append(Block(0, 0, first, last, "en", BODY, ""))
        at = last
    copy = type("Copy", (), {"blocks": blocks})()
    owner = [-1] * n
    for bi, b in enumerate(blocks):
        owner[b.first : b.last] = [bi] * (b.last - b.first)
    covered = bytearray(cover)
    assert score_module._uncovered_runs(copy, covered, owner) == _runs_word_by_word(covered, owner)


def test_an_alterations_texts_are_its_words_context_and_span() -> None:
    # _texts (one call for every alteration) gives what original, _context and _span
    # give, for every range of words and every bound, at the ends of the text too
    norm = normalize('He said: "the pipes, laid in 1986, leak." Then (at noon) it rained.')
    n = len(norm)
    for lo in range(n + 1):
        for hi in range(lo, n + 1):
            for b0 in range(n + 1):
                for b1 in range(b0, n + 1):
                    assert score_module._texts(norm, lo, hi, (b0, b1)) == (
                        norm.original(lo, hi),
                        score_module._context(norm, lo, hi, (b0, b1)),
                        score_module._span(norm, lo, hi),
                    )
