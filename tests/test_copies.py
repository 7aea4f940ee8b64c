"""Which matches are copies (match/copies.py): the overlap itself, not only the verdict."""

from __future__ import annotations

import pytest

from provenance.match.copies import is_copy
from provenance.match.results import Score


def _score(verdict: str, fidelity: float, copy_coverage: float) -> Score:
    return Score(verdict, fidelity, 0.3, copy_coverage, True, (), (), (), 100, 100, 30, 3, 10)


@pytest.mark.parametrize(
    ("verdict", "fidelity", "copy_coverage", "expected"),
    [
        ("verbatim", 1.0, 0.2, True),
        ("near-verbatim", 0.97, 0.9, True),
        ("paraphrased", 0.7, 0.9, True),
        ("unrelated", 1.0, 0.05, False),
        # a later text that reused and edited some sentences (seeds 000/003 against 004/001)
        ("partial", 0.76, 0.45, False),
        ("partial", 0.69, 0.29, False),
        # an excerpt: the text is the source's text
        ("partial", 0.89, 0.95, True),
        # a quotation reproduced word for word amid other text
        ("partial", 1.0, 0.3, True),
        ("partial", 0.95, 0.3, True),
        ("partial", 0.94, 0.79, False),
    ],
)
def test_is_copy(verdict: str, fidelity: float, copy_coverage: float, expected: bool) -> None:
    assert is_copy(_score(verdict, fidelity, copy_coverage)) is expected
