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

from provenance.match.score import PARTIAL, UNRELATED, Score
from provenance.params import DEFAULT_POLICY, Policy


def is_copy(score: Score, policy: Policy = DEFAULT_POLICY) -> bool:
    """Whether a match is a copy of its source, or of part of it (see the module)."""
    if score.verdict == UNRELATED:
        return False
    if score.verdict != PARTIAL:
        return True
    return score.fidelity >= policy.near_verbatim or score.copy_coverage >= policy.complete
