from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import provenance.text.normalize as normalize_module
from provenance.text.normalize import normalize, normalize_regex, normalize_word


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("Coalition", "coalition"),
        ("Coalition’s", "coalition's"),
        ("Ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
        ("Dae\u00adsh", "daesh"),
        ("Dae\u200bsh", "daesh"),
        ("1,000", "1000"),
        ("1,000,000.5", "1000000.5"),
        ("2.5", "2.5"),
        ("12,34", "12,34"),
        ("STRASSE", "strasse"),
        ("ﬁnance", "finance"),
    ],
)
def test_normalize_word(token: str, expected: str) -> None:
    assert normalize_word(token) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("U.S. Secretary", "U. S. Secretary"),
        ("1,000 people", "1000 people"),
        ("the Coalition’s “sole” purpose", 'the Coalition\'s "sole" purpose'),
        ("non\u00a0breaking space", "non breaking space"),
        ("counter-terrorism – forum", "counter terrorism - forum"),
        ("CAPITALS", "capitals"),
    ],
)
def test_formatting_is_not_a_difference(a: str, b: str) -> None:
    assert normalize(a).words == normalize(b).words


@pytest.mark.parametrize(
    ("a", "b"),
    [("5% growth", "50% growth"), ("accused", "falsely accused"), ("J. Blinken", "L. Blinken")],
)
def test_real_differences_stay(a: str, b: str) -> None:
    assert normalize(a).words != normalize(b).words


def test_offsets_point_into_the_original() -> None:
    text = "At\u00a0the invitation of Luigi Di Maio’s “office”, 1,000 people met."
    n = normalize(text)
    assert len(n.words) == len(n.starts) == len(n.ends) == len(n.quoted)
    for w, s, e in zip(n.words, n.starts, n.ends, strict=True):
        assert normalize_word(text[s:e]) == w
    assert n.original(4, 7) == "Luigi Di Maio’s"


def test_quotes_mark_words_inside() -> None:
    n = normalize('He said “we will not retreat” and left. Then "yes" she said.')
    quoted = [w for w, q in zip(n.words, n.quoted, strict=True) if q]
    assert quoted == ["we", "will", "not", "retreat", "yes"]


def test_a_line_break_closes_an_unbalanced_quote() -> None:
    n = normalize("“Unclosed quote here\nnext line")
    assert n.quoted == (True, True, True, False, False)


def test_cjk_is_one_word_per_character() -> None:
    assert normalize("東京都 abc").words == ("東", "京", "都", "abc")


# -- the vectorised tokeniser equals the pattern ------------------------------------


# Pieces that exercise every rule: apostrophe runs, numbers with marks, digits before
# letters, non-ASCII letters and marks, joiners, quotes, characters that lower-case to two.
_PIECES = list("ab Z'.,09 _-\n\"\t") + [
    "xy", "12", "''", "1,000", "3.5", "1990's", "don't", " 'q' ", "rock''n", "a1,000b",
    "1.5.6x", "’", "“", "”", "é", "中", "İ", "\u00ad", "\u200b", "\u00a0", "Ａ", "ß", "٣", "\ud800",
]  # fmt: skip


def _same(text: str) -> None:
    b = normalize_regex(text)
    saved = normalize_module.MOSTLY_HARD
    try:
        for mostly_hard in (saved, 0):  # 0: the vectorised path whatever the text
            normalize_module.MOSTLY_HARD = mostly_hard
            a = normalize(text)
            assert (a.words, a.starts, a.ends, a.quoted) == (b.words, b.starts, b.ends, b.quoted)
    finally:
        normalize_module.MOSTLY_HARD = saved


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_vectorised_tokens_equal_the_pattern(text: str) -> None:
    _same(text)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(max_size=60))
def test_vectorised_tokens_equal_the_pattern_on_any_text(text: str) -> None:
    _same(text)


@pytest.mark.parametrize("mostly_hard", [0, 4, 10**9])
def test_hard_chunks_split_by_the_pattern_inside_simple_text(
    mostly_hard: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 0: every text takes the vectorised path, however many hard chunks; 10**9: every
    # text is split by the pattern whole.
    monkeypatch.setattr(normalize_module, "MOSTLY_HARD", mostly_hard)
    text = "In 2020, 1,000 people (3.5%) met in Rome’s “Piazza”; the 1990's rock''n roll é 中文 ok."
    _same(text)
    assert normalize(text).words[:6] == ("in", "2020", "1000", "people", "3.5", "met")
