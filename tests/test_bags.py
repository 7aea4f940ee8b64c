"""match/bags.py: sentences as bags of stems, and how two bags meet with synonyms."""

from __future__ import annotations

from collections import Counter

import pytest

from provenance.match.bags import SYNONYM_WEIGHT, matched, similarity

SYN = {"curta": frozenset({"restr"}), "restr": frozenset({"curta"}), "limit": frozenset({"restr"})}


def synonyms(stem: str) -> frozenset[str]:
    return SYN.get(stem, frozenset())


@pytest.mark.parametrize(
    ("src", "copy", "expected"),
    [
        # (shared, matched by a synonym)
        (["rules", "restr", "trade"], ["rules", "curta", "trade"], (2, 1)),
        (["rules", "trade"], ["rules", "curta"], (1, 0)),  # no synonym in the source
        # the same stem first: "restr" is in both, so "curta" has nothing left to match
        (["restr", "trade"], ["restr", "curta"], (1, 0)),
        # each source stem is matched once: two copy synonyms of one source stem count once
        (["restr", "trade"], ["curta", "limit"], (0, 1)),
    ],
)
def test_matched_counts_shared_stems_then_synonyms_once_each(
    src: list[str], copy: list[str], expected: tuple[int, int]
) -> None:
    n, m, _ = matched(Counter(src), Counter(copy), synonyms)
    assert (n, m) == expected


def test_a_synonym_weighs_less_than_the_word_itself() -> None:
    idf = {"rules": 1.0, "restr": 2.0, "curta": 2.0, "trade": 1.0}
    src = Counter(["rules", "restr", "trade"])
    same, by_synonym = Counter(["rules", "restr", "trade"]), Counter(["rules", "curta", "trade"])
    _, _, weights = matched(src, by_synonym, synonyms)
    assert weights == {"rules": 1.0, "restr": SYNONYM_WEIGHT, "trade": 1.0}
    plain = similarity(src, by_synonym, idf)
    with_synonyms = similarity(src, by_synonym, idf, synonyms)
    assert plain < with_synonyms < similarity(src, same, idf, synonyms) == pytest.approx(1.0)
