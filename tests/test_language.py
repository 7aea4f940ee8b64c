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
