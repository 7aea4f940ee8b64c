"""Regions of a long candidate (``match/regions.py``): a check aligns a long source only
around the passages the LSH found, with the same answer as aligning all of it."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from provenance import indexing, pipeline, verify
from provenance.index.store import Store
from provenance.match import regions
from tests.test_crash import paragraphs

SPANS = [(0, 10), (10, 20), (20, 30), (30, 40), (40, 50), (50, 60), (60, 70), (70, 80)]


@pytest.mark.parametrize(
    ("hits", "margin", "expected"),
    [
        ([], 1, []),
        ([(30, 40)], 0, [3]),
        ([(30, 40)], 1, [2, 3, 4]),
        ([(35, 45)], 1, [2, 3, 4, 5]),  # a hit across two passages
        ([(0, 10), (70, 80)], 2, [0, 1, 2, 5, 6, 7]),
        ([(80, 90)], 3, []),  # outside the passages (another language's)
    ],
)
def test_near_hits(hits: list[tuple[int, int]], margin: int, expected: list[int]) -> None:
    assert regions.near_hits(SPANS, hits, margin) == expected


@pytest.mark.parametrize(
    ("keep", "found", "margin", "expected"),
    [
        ([2, 3, 4], [3], 2, None),  # the edges are not in the copy: done
        ([2, 3, 4], [2, 3], 2, [0, 1, 2, 3, 4]),
        ([2, 3, 4], [4], 2, [2, 3, 4, 5, 6]),
        ([0, 1, 6, 7], [0, 7], 3, None),  # at the source's ends: nothing to grow
        ([0, 1, 6, 7], [1, 6], 3, [0, 1, 2, 3, 4, 5, 6, 7]),
    ],
)
def test_grow(keep: list[int], found: list[int], margin: int, expected: list[int] | None) -> None:
    assert regions.grow(keep, found, 8, margin) == expected


# -- a check of a long source --------------------------------------------------------

OWN = (
    "The committee met again on Thursday and could not agree on a date for the vote.",
    "Residents of the valley were told to expect road works for the rest of the summer.",
    "A spokesman for the port declined to say how many ships had been turned away.",
)


@pytest.fixture(scope="module")
def long_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    pool = paragraphs()
    random.Random(18).shuffle(pool)  # noqa: S311 - one fixed order
    root = tmp_path_factory.mktemp("long")
    (root / "long.txt").write_text("\n\n".join(pool) + "\n", encoding="utf-8")
    db = root / "i.db"
    list(indexing.add([root / "long.txt"], db))
    return db, pool


def _suspects(pool: list[str]) -> dict[str, str]:
    mid = len(pool) // 2
    edited = pool[mid + 1].replace(" the ", " a ", 2)
    return {
        "three paragraphs": "\n\n".join((OWN[0], pool[mid], edited, pool[mid + 2], OWN[1])),
        "two places": "\n\n".join((pool[10], OWN[2], pool[len(pool) - 20])),
        "one sentence of each": "\n\n".join(
            OWN[k % 3] + " " + pool[k * 37].split(". ")[0] + "." for k in range(4)
        ),
    }


class _Counting:
    """``align`` wrapped to count the source words it was given to align."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.words = 0
        real_align = verify.align

        def align(src: Sequence[str], spans: Sequence[tuple[int, int]], *a: Any) -> Any:
            self.words += sum(e - s for s, e in spans)
            return real_align(src, spans, *a)

        monkeypatch.setattr(verify, "align", align)


@pytest.mark.parametrize("name", ["three paragraphs", "two places", "one sentence of each"])
def test_a_long_source_is_aligned_around_its_hits_with_the_same_answer(
    long_index: tuple[Path, list[str]], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, pool = long_index
    seg = pipeline.prepare(_suspects(pool)[name])
    with Store.open(db) as store:
        (stored,) = store.texts(store.source_ids())
        source = pipeline.prepare(stored.text)
        body = sum(p.size for p in source.aligned_passages())
        assert body >= 2 * regions.LONG_SOURCE_WORDS
        whole = verify.compare_segmented(source, seg)  # every passage aligned
        counting = _Counting(monkeypatch)
        found, candidates = verify.find_sources(store, seg, 5)
    assert candidates == 1
    assert [s for _, s in found] == ([whole] if whole.verdict != "unrelated" else [])
    assert found  # the suspect copies the source
    # alignment scales with the evidence: a fraction of the source aligned, all rounds
    # of growth together (the reworded-text search still reads the whole source)
    assert counting.words < regions.MAX_REGION_SHARE * body
