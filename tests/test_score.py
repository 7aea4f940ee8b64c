from __future__ import annotations

import re

import pytest

from provenance import compare_texts
from provenance.match.score import NAME, NUMBER, QUALIFIER, WORDING
from provenance.params import Policy
from provenance.pipeline import compare_segmented
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
