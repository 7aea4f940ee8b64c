"""Which passages of a long candidate source a check aligns: the regions its evidence
points at.

``check`` verifies a candidate source by aligning it with the suspect. A long source
(a report, a book, a live blog) that a suspect quotes a few paragraphs of is mostly
text the suspect does not hold: aligning all of it costs time in proportion to the
source, not to the evidence. The LSH says which of the source's passages the suspect
shares (its *hits*); a copied section runs on around them, so the regions aligned are
the hits and :data:`MARGIN_PASSAGES` passages on either side, and a region whose edge
passage is found in the copy grows past it (by twice as many passages each round) until
its edges are passages the copy does not hold. Regions that would cover
:data:`MAX_REGION_SHARE` of the source or more are not worth it: the whole source is
aligned then, as for a source shorter than :data:`LONG_SOURCE_WORDS`.

Pure functions over passage indexes and word ranges; ``pipeline`` calls them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

#: Sources with fewer aligned words than this are aligned whole.
LONG_SOURCE_WORDS = 4000
#: Passages aligned on either side of a hit (and the first growth of a region's edge).
MARGIN_PASSAGES = 3
#: Regions covering this share of the source's words or more: align it whole.
MAX_REGION_SHARE = 0.5


def near_hits(
    spans: Sequence[tuple[int, int]], hits: Iterable[tuple[int, int]], margin: int
) -> list[int]:
    """The indexes of ``spans`` (sorted word ranges) within ``margin`` passages of one
    that overlaps a hit (a word range), in order."""
    starts = [s for s, _ in spans]
    keep: set[int] = set()
    for first, last in hits:
        i = max(0, bisect_left(starts, first) - 1)
        while i < len(spans) and spans[i][0] < last:
            if spans[i][1] > first:  # overlaps the hit
                keep.update(range(max(0, i - margin), min(len(spans), i + margin + 1)))
            i += 1
    return sorted(keep)


def grow(keep: Sequence[int], found: Iterable[int], n: int, margin: int) -> list[int] | None:
    """``keep`` (sorted passage indexes) with each region's edge grown by ``margin``
    passages where the edge passage is ``found`` and the source goes on; None when no
    edge grows."""
    found = set(found)
    out = set(keep)
    grown = False
    for k, i in enumerate(keep):
        starts_region = k == 0 or keep[k - 1] != i - 1
        ends_region = k == len(keep) - 1 or keep[k + 1] != i + 1
        if i not in found:
            continue
        if starts_region and i > 0:
            out.update(range(max(0, i - margin), i))
            grown = True
        if ends_region and i < n - 1:
            out.update(range(i + 1, min(n, i + margin + 1)))
            grown = True
    return sorted(out) if grown else None


def words_in(spans: Sequence[tuple[int, int]], keep: Iterable[int]) -> int:
    """Words of the passages ``keep`` of ``spans``."""
    return sum(spans[i][1] - spans[i][0] for i in keep)
