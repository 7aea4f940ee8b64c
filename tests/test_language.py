"""text/language.py: the function-word evidence for a block's language."""

from __future__ import annotations

from provenance.text.language import _STOP_WEIGHTS, language_scores
from tests.conftest import outputs_by_hash_seed

#: Words that several languages share (weights 1/2, 1/3, ...: sums whose last bits
#: depend on the order they are added in).
SHARED = sorted(w for w, v in _STOP_WEIGHTS.items() if v < 1)

_SCORES = (
    "from provenance.text.language import language_scores; import sys; "
    "print(repr(language_scores(sys.argv[1].split())))"
)


def test_scores_are_the_same_in_every_process() -> None:
    """A block's scores do not depend on the process's string hashing (a set's order):
    a block at the threshold between two languages gets the same one in every run."""
    outs = outputs_by_hash_seed(_SCORES, " ".join(SHARED), seeds=("0", "1", "2", "3", "4", "5"))
    assert outs == {repr(language_scores(SHARED)) + "\n"}


def test_scores_count_a_word_at_most_three_times() -> None:
    one = {k: v for v, k in language_scores(["de"] * 3)}
    many = {k: v for v, k in language_scores(["de"] * 50)}
    assert one == many and one["fr"] > 0


def _scores_by_every_word(words: list[str]) -> list[tuple[float, str]]:
    """The rule as first written: every word of the first 400 counted, then each
    function word's weight (at most three times) added in the order the text first
    has it."""
    from collections import Counter

    from provenance.text.language import _STOP_SETS, _WORD_LANGS

    seen = Counter(words[:400])
    scores = dict.fromkeys(_STOP_SETS, 0.0)
    for w in [w for w in seen if w in _STOP_WEIGHTS]:
        for lang in _WORD_LANGS[w]:
            scores[lang] += min(seen[w], 3) * _STOP_WEIGHTS[w]
    return sorted(((v, k) for k, v in scores.items()), reverse=True)


def test_scores_are_the_sums_of_the_text_order_bit_for_bit() -> None:
    """Only function words are counted, but the sums are the same to the last bit:
    made in the order the text first has each word (random blocks of shared function
    words, others, and more than 400 words)."""
    import random

    assert {v for v, _ in language_scores(["x"] * 400 + ["the"] * 3)} == {0.0}
    rng = random.Random(5)  # noqa: S311 - test data
    others = ["harbour", "council", "1999", "déjà", "x", ""]
    for n in (0, 1, 7, 60, 399, 400, 401, 900):
        for _ in range(20):
            words = [rng.choice(SHARED + others) for _ in range(n)]
            got = language_scores(words)
            assert got == _scores_by_every_word(words)
            assert [v.hex() for v, _ in got] == [v.hex() for v, _ in _scores_by_every_word(words)]
