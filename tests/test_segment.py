from __future__ import annotations

import pytest

from provenance.text.normalize import normalize
from provenance.text.segment import (
    BODY,
    BOILERPLATE,
    HEADING,
    MAX_PASSAGE_WORDS,
    MIN_PASSAGE_WORDS,
    detect_language,
    segment,
)
from tests.conftest import seed

SENTENCES = [
    "The council approved the budget on Monday after a long debate about the harbour.",
    "Members of the opposition said the plan would raise local taxes for most families.",
    "The mayor, Ms. Jane O. Whitfield, said the vote was a good day for the town.",
]
ARTICLE = " ".join(SENTENCES)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Stay Connected", BOILERPLATE),
        ("255FansLike", BOILERPLATE),
        ("+32 (0) 460 79 52 44", BOILERPLATE),
        ("[Nabila MASSRALI \\(link sends e-mail\\)](#)", BOILERPLATE),
        ("This site uses technical (necessary) and analytics cookies.", BOILERPLATE),
        ("Home | News | Politics | Contact", BOILERPLATE),
        ("Joint Communique by Ministers of the Global Coalition to Defeat ISIS", HEADING),
        (ARTICLE, BODY),
    ],
)
def test_block_kinds(line: str, kind: str) -> None:
    (block,) = segment(normalize(line)).blocks
    assert block.kind == kind


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (ARTICLE, "en"),
        (
            "I Ministri hanno ribadito la loro determinazione a continuare la lotta contro il terrorismo e per la pace.",
            "it",
        ),
        (
            "Die Minister bekräftigten ihre Entschlossenheit, den Kampf gegen den Terrorismus fortzusetzen, und das ist gut.",
            "de",
        ),
        (
            "Les ministres ont réaffirmé leur détermination à poursuivre la lutte contre le terrorisme dans la région.",
            "fr",
        ),
        ("لقد حققنا تقدماً هائلاً. فقدت داعش سيطرتها على الأراضي التي كانت تسيطر عليها", "arabic"),
        ("Министры подтвердили свою решимость продолжать борьбу", "cyrillic"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text, normalize(text).words) == lang


def test_sentences_do_not_split_at_initials_or_abbreviations() -> None:
    seg = segment(normalize(ARTICLE))
    texts = [seg.norm.original(p.first, p.last) for p in seg.passages]
    assert texts[-1].startswith("The mayor, Ms. Jane O. Whitfield")
    assert len(texts) == 3


def test_passages_do_not_depend_on_line_breaks() -> None:
    paragraphs = "\n\n".join(SENTENCES)
    merged = segment(normalize(ARTICLE))
    split = segment(normalize(paragraphs))
    assert [merged.norm.words[p.first : p.last] for p in merged.passages] == [
        split.norm.words[p.first : p.last] for p in split.passages
    ]


def test_short_sentences_merge_and_long_ones_are_cut() -> None:
    text = "Yes. " + " ".join(["word"] * (MAX_PASSAGE_WORDS * 2 + 10)) + "."
    seg = segment(normalize(text))
    sizes = [p.size for p in seg.passages]
    assert all(MIN_PASSAGE_WORDS <= s <= MAX_PASSAGE_WORDS for s in sizes)
    assert sum(sizes) == len(seg.norm.words)


def test_a_paragraph_broken_across_lines_is_one_block() -> None:
    text = (
        "Appropriate measures to enhance the operational efficiency of the coalition and its many partners and\n\n"
        "coordination of our collective efforts remain essential."
    )
    assert len(segment(normalize(text)).blocks) == 1


@pytest.mark.parametrize(
    ("prefix", "lang", "body_min", "body_max"),
    [
        ("000", "it", 850, 1000),
        ("001", "en", 800, 900),
        ("003", "en", 1100, 1250),
        ("004", "en", 1100, 1200),
    ],
)
def test_seed_bodies(prefix: str, lang: str, body_min: int, body_max: int) -> None:
    seg = seed(prefix)
    assert seg.lang == lang
    assert body_min <= seg.body_words() <= body_max


def test_seed_001_arabic_is_not_body() -> None:
    seg = seed("001")
    body_text = " ".join(seg.norm.original(p.first, p.last) for p in seg.body_passages())
    assert "بومبيو" not in body_text
    assert "At the invitation of Italian Minister" in body_text


def test_seed_000_english_body_when_asked_for_english() -> None:
    seg = seed("000")
    english = seg.body_passages("en")
    assert 800 <= sum(p.size for p in english) <= 950
    assert seg.norm.original(english[0].first, english[0].last).startswith("At the invitation")
