from __future__ import annotations

import pytest

from provenance.normalize import normalize, normalize_word


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
