"""Which matches are copies: the rule the reports and the scan's counts share.

A match whose verdict is ``verbatim``, ``near-verbatim`` or ``paraphrased`` is a copy of
its source. A ``partial`` match is a copy of *part* of it (an excerpt, a quotation) when
the overlap itself is one: the shared passages are reproduced nearly word for word
(fidelity at least ``Policy.near_verbatim``), or the text consists of the source's text
(``copy_coverage`` at least ``Policy.complete``). Otherwise the text only *shares
passages* with the source: a later text that reused and edited some of its sentences
(the seeds' 2021 communiqué against the 2020 one: fidelity 0.69-0.76, under half of
either text). The differences in shared passages are not alterations of a copy, and
no report counts them as changes of meaning.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from provenance.match.evidence import PARTIAL, UNRELATED, AlignedPair
from provenance.match.results import Score
from provenance.params import DEFAULT_POLICY, Policy


def is_copy(score: Score, policy: Policy = DEFAULT_POLICY) -> bool:
    """Whether a match is a copy of its source, or of part of it (see the module)."""
    if score.verdict == UNRELATED:
        return False
    if score.verdict != PARTIAL:
        return True
    return score.fidelity >= policy.near_verbatim or score.copy_coverage >= policy.complete


def passage_dicts(pairs: Iterable[AlignedPair]) -> list[dict[str, Any]]:
    """The copied passages as JSON objects (``compare --json``'s ``passages``, a scan
    result's ``passages`` column): spans into both texts, similarity, found, moved, and
    for text matched by meaning its kind and language, and the paragraphs it joins
    (``parts``, each a passage object) when it joins several."""
    return [
        {
            "source_span": list(p.source_span),
            "copy_span": list(p.copy_span),
            "similarity": p.similarity,
            "found": p.found,
            "moved": p.moved,
            **({"kind": p.kind, "lang": p.lang} if p.kind else {}),
            **({"parts": passage_dicts(p.parts)} if p.parts else {}),
        }
        for p in pairs
    ]


def passages_of(dicts: Iterable[dict[str, Any]]) -> tuple[AlignedPair, ...]:
    """The passages :func:`passage_dicts` wrote, back."""
    return tuple(
        AlignedPair(
            (int(d["source_span"][0]), int(d["source_span"][1])),
            (int(d["copy_span"][0]), int(d["copy_span"][1])),
            float(d["similarity"]),
            bool(d.get("found", True)),
            bool(d.get("moved", False)),
            str(d.get("kind", "")),
            str(d.get("lang", "")),
            passages_of(d.get("parts") or ()),
        )
        for d in dicts
    )
