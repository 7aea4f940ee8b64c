"""match/summary.py: a short copy passage that condenses a long stretch of the source.

The texts are made here (articles of our own), never PAN's.
"""

from __future__ import annotations

from collections import Counter

from provenance.match.summary import _compact


def test_a_summary_needs_its_whole_source_side_and_a_short_stretch_is_not_one() -> None:
    # twenty source sentences of ten words each; the copy's two sentences (20 words)
    def bag(words: str) -> Counter[str]:
        return Counter(words.split())

    copy_bags = [bag("alpha bravo charlie delta echo"), bag("foxtrot golf hotel india juliet")]
    units = [(10 * k, 10 * k + 10) for k in range(20)]
    idf = {t: 1.0 for b in copy_bags for t in b} | {"other": 1.0}
    # a same-length rewording: two source sentences hold all of the copy's content, the
    # same words recurring further on (names repeated through a text)
    same = [bag("other")] * 20
    same[3], same[4] = copy_bags[0], copy_bags[1]
    same[15] = bag("alpha bravo")
    seeds = [(3, 0, 0.9), (4, 1, 0.9), (15, 0, 0.4)]
    assert _compact(seeds, 1.0, 20, units, same, copy_bags, idf)
    # a summary: each source sentence gives one of the copy's words, over 10 sentences
    spread = [bag("other")] * 20
    for k, t in enumerate("alpha bravo charlie delta echo foxtrot golf hotel india juliet".split()):
        spread[2 * k] = bag(f"{t} other")
    seeds = [(2 * k, k // 5, 0.3) for k in range(10)]
    assert not _compact(seeds, 1.0, 20, units, spread, copy_bags, idf)
