"""match/texts.py: the two texts compared, as the reworded-passage search sees them.
Small texts of our own."""

from __future__ import annotations

import math
from collections import Counter

from provenance.match.bags import plus
from tests.test_extend import COPY, SOURCE, texts


def test_texts_idf_is_log_of_units_over_the_units_holding_each_stem() -> None:
    t = texts(SOURCE, COPY)
    counts = plus(t.in_src, t.in_copy)
    n = len(t.src_bags) + len(t.copy_bags)
    assert list(t.idf.items()) == [(s, math.log(1 + n / k)) for s, k in counts.items()]
    # a run of units' bags, added at once: the bags added one by one
    for lo in range(len(t.copy_bags)):
        for hi in range(lo, len(t.copy_bags)):
            added: Counter[str] = Counter()
            for b in t.copy_bags[lo : hi + 1]:
                added.update(b)
            assert list(t.bag(lo, hi, True).items()) == list(added.items())
