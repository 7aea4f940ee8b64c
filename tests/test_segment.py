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
    """The kind of a line in a page that has a body (see the fallback below for
    documents that have none)."""
    blocks = segment(normalize(f"{line}\n\n{ARTICLE}")).blocks
    assert blocks[0].kind == kind
    assert blocks[-1].kind == BODY


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


# -- lists, tables and documents with no paragraphs -----------------------------------

TIMELINE = """Greyhaven: key dates

1852 – Stone pier built by valley fishermen
1861 – Storm wrecks the wooden warehouses
1874 – Railway from Millbridge reaches Greyhaven
1889 – Lighthouse opens on Gull Point
1902 – Herring catch collapses, canneries close
1915 – Navy takes the inner basin
1968 – Ferry to Saint Brannock begins
"""
STEPS = """Restoring an old rowing boat

1. Scrape loose paint from the hull
2. Wash the planks with fresh water
3. Let the wood dry for two weeks
4. Replace any soft or cracked ribs
5. Fill small gaps with marine epoxy
6. Apply two coats of primer
"""
PIPE_TABLE = """Lighthouses of the north coast

| Name | Built | Height | Keeper until |
|---|---|---|---|
| Gull Point light | 1889 | 31 metres | automated 1978 |
| Fenwick Head beacon | 1901 | 18 metres | automated 1965 |
| Saint Brannock tower | 1856 | 42 metres | keeper until 1991 |
| Black Rock light | 1923 | 12 metres | never had keepers |
"""
TAB_TABLE = """Ferry timetable, winter

Greyhaven quay\tSaint Brannock pier\tdeparts daily 07:40
Saint Brannock pier\tFenwick harbour steps\tdeparts daily 09:15
Fenwick harbour steps\tGreyhaven quay\tdeparts weekdays 11:30
Greyhaven quay\tBlack Rock landing\tdeparts Sundays 14:00
"""
BULLETS = """Quay Walk Checklist

• Sturdy shoes for the uneven old stones
• A waterproof jacket in case of rain
• Binoculars to watch the seals near Gull Point
• A flask of tea for the long pier
"""


@pytest.mark.parametrize(
    "text",
    [TIMELINE, STEPS, PIPE_TABLE, TAB_TABLE, BULLETS],
    ids=["timeline", "numbered", "pipe-table", "tab-table", "bullets"],
)
def test_a_list_is_body(text: str) -> None:
    """One item per line (short lines that each would read as a heading or a menu
    entry): the list is one body block, and every word of its items is indexed."""
    seg = segment(normalize(text))
    title, items = text.split("\n\n", 1)
    item_words = len(normalize(items).words)
    assert seg.body_words() == item_words
    body = [b for b in seg.blocks if b.kind == BODY]
    assert len(body) == 1
    assert seg.norm.text[body[0].start : body[0].end] == items.strip()
    assert sum(p.size for p in seg.body_passages()) == item_words
    assert all(p.size >= MIN_PASSAGE_WORDS for p in seg.body_passages())
    assert seg.blocks[0].kind != BODY  # the title stays what it was


@pytest.mark.parametrize(
    "text",
    [
        # masthead, navigation bar, headline and byline: lines in a row, no list marks
        "THE VALLEY HERALD\n\nNews | Local | World | Health | Science | Money | Sport\n\n"
        "Millbrook Council Approves Budget With Deep Cuts\n\nBy Jordan Ellis\n\n" + ARTICLE,
        # a menu: marked, but one or two words an entry
        "- Home\n- World news\n- Sport\n- Contact us\n- About\n\n" + ARTICLE,
        # site furniture in a list
        "• Privacy policy and cookie settings\n• Terms of use for all readers\n"
        "• Subscribe to the newsletter today\n\n" + ARTICLE,
    ],
    ids=["masthead", "menu", "furniture"],
)
def test_navigation_is_not_a_list(text: str) -> None:
    seg = segment(normalize(text))
    assert seg.body_words() == len(normalize(ARTICLE).words)


def test_a_document_with_no_body_takes_its_lines_as_body() -> None:
    """No paragraph at all (title-case lines, verse): its lines are its body; a text of
    navigation and links alone still has none."""
    text = "Harbour Lights Of The North\n\nGull Point Light\nFenwick Head Beacon\nOld Saint Brannock Tower\n"
    seg = segment(normalize(text))
    assert seg.body_words() == len(seg.norm.words)
    menu = "Home | News | Sport\n\nShare on Facebook\n\nwww.example.com/contact-us/\n"
    assert segment(normalize(menu)).body_words() == 0


@pytest.mark.parametrize(
    "line",
    [
        "Che Guevara's son Camilo dies in Caracas",  # "che", "in": Italian words
        "Maria da Silva e Costa wins the race in Porto",
        "Il Divo sing at La Scala in Milan",
    ],
)
def test_a_short_block_with_foreign_looking_names_keeps_its_document_language(
    line: str,
) -> None:
    seg = segment(normalize(f"{ARTICLE}\n\n{line}"))
    assert seg.lang == "en"
    assert seg.blocks[-1].lang in ("en", "und")
    assert seg.aligned_passages()[-1].block == len(seg.blocks) - 1  # compared in English


@pytest.mark.parametrize(
    ("line", "lang"),
    [
        ("Il presidente della Repubblica ha firmato il decreto ieri sera", "it"),
        ("Der Bundestag hat die Reform mit großer Mehrheit beschlossen", "de"),
        (SENTENCES[0].replace("The council", "Le conseil"), "en"),
    ],
)
def test_a_short_block_in_another_language_keeps_its_language(line: str, lang: str) -> None:
    seg = segment(normalize(f"{ARTICLE}\n\n{line}"))
    assert seg.blocks[-1].lang == lang


#: The site-furniture phrases as written before their pattern gained a lookahead (speed):
#: the test holds the two to the same answers.
_STOCK_PLAIN = (
    r"\bcookies?\b|privacy (?:policy|settings)|terms of (?:use|service)|all rights reserved"
    r"|\bsubscribe\b|\bnewsletter\b|\bsign (?:up|in)\b|\blog ?in\b|\bfollow us\b"
    r"|\bshare (?:this|on)\b|\badvertisement\b|\brelated (?:news|articles|posts)\b"
    r"|\bmust read\b|\bread more\b|\bstay connected\b|\bskip to (?:main )?content\b"
)


@pytest.mark.parametrize(
    "text",
    [
        "This site uses COOKIES.",
        "Read our Privacy Policy and Terms of Service",
        "\u017fubscribe to our \u017fhare this",  # long s: a case form of "s"
        "SKIP TO MAIN CONTENT",
        "Log in · Sign up · Follow us",
        "All Rights Reserved 2024",
        "Related articles: the harbour vote",
        "The council's newsletter-style report",
        "A cookie jar, a subscriber, a login page",
        "loginform subscribed relatedness",
        "Ça ne change rien: Ölpreise, İstanbul, \u212a\u212a",
        "",
        "x" * 300 + " read more",
        "The mayor said the vote was a good day for the town.",
    ],
)
def test_stock_phrases_pattern_answers_as_written_without_lookahead(text: str) -> None:
    import re

    from provenance.text.segment import _STOCK_RE

    plain = re.compile(_STOCK_PLAIN, re.IGNORECASE)
    ours, theirs = _STOCK_RE.search(text), plain.search(text)
    assert (ours and ours.span()) == (theirs and theirs.span())


def test_sentence_boundaries_are_the_patterns_matches() -> None:
    """Boundaries found where their first characters are equal the pattern's own
    matches (``finditer``) on random texts of terminals, closers, spaces and line
    breaks, whatever the span searched."""
    import random

    from provenance.text.segment import _BOUNDARY_RE, _boundaries

    rng = random.Random(3)  # noqa: S311 - test data
    alphabet = [
        "a",
        "B",
        " ",
        "  ",
        "\n",
        ".",
        "!",
        "?",
        "…",
        "。",
        "？",
        '"',
        "”",
        ")",
        "]",
        "’",
        "\t",
    ]
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        lo = rng.randrange(0, len(text) + 1)
        hi = rng.randrange(lo, len(text) + 1)
        want = [m.end() for m in _BOUNDARY_RE.finditer(text, lo, hi)]
        assert list(_boundaries(text, lo, hi)) == want, (text, lo, hi)
