"""Where a passage lies in the copy (match/votes.py): its n-grams' diagonals clustered.
(The kernel's votes on word ids against these: tests/test_alignwork.py.)"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.match.votes import SMALL_DIAGONALS, best_diagonals


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(-40, 400), max_size=SMALL_DIAGONALS),
    st.integers(1, 20),
    st.integers(1, 5),
)
def test_small_diagonal_scan_finds_numpys_clusters(diags: list[int], width: int, most: int) -> None:
    # few votes are clustered by a plain scan, many with NumPy: the same clusters
    padded = diags + [10_000 * (k + 1) for k in range(SMALL_DIAGONALS + 1 - len(diags))]
    want = [c for c in best_diagonals(padded, width, len(padded)) if c[1] < 5_000][:most]
    assert best_diagonals(diags, width, most) == want
