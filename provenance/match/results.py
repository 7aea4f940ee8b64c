"""The results of comparing texts: one (source, copy) pair's :class:`Score` (its
:class:`Alteration`, :class:`Added` and :class:`Missing` text), a pair with both texts
(:class:`CompareResult`) and a check's answer (:class:`CheckResult`), the one type both
report formats render.

:func:`provenance.match.score.score` builds a :class:`Score` (see that module for how
each field is defined); ``pipeline`` and ``verify`` build the other two.
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance.match.evidence import AlignedPair
from provenance.text.dates import Direction


@dataclass(frozen=True, slots=True)
class Alteration:
    """A difference inside copied text, with where it is in both originals."""

    kind: str
    risk: str
    source: str
    copy: str
    source_context: str
    copy_context: str
    source_span: tuple[int, int]
    copy_span: tuple[int, int]
    in_quote: bool


@dataclass(frozen=True, slots=True)
class Added:
    """Copy text that does not come from the source, and why it is there."""

    text: str
    copy_span: tuple[int, int]
    reason: str


@dataclass(frozen=True, slots=True)
class Missing:
    """Source body text that the copy does not reproduce."""

    text: str
    source_span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Score:
    """Everything measured about one (source, copy) pair."""

    verdict: str
    fidelity: float
    source_coverage: float
    copy_coverage: float
    meaning_changed: bool
    alterations: tuple[Alteration, ...]
    added: tuple[Added, ...]
    missing: tuple[Missing, ...]
    source_words: int
    copy_words: int
    found_words: int
    passages_found: int
    passages: int
    pairs: tuple[AlignedPair, ...] = ()
    warnings: tuple[str, ...] = ()
    extent: str = "none"
    wording: str = ""
    copied_words: int = 0
    reason: str = ""
    rule: str = ""


@dataclass(frozen=True, slots=True)
class CompareResult:
    """One (source, copy) pair, scored, with both texts (for the reports)."""

    source: str
    copy: str
    source_sha256: str
    copy_sha256: str
    score: Score
    source_text: str
    copy_text: str
    #: the two texts' dates when known otherwise than from the texts (``check --date``,
    #: a source's ``add --date``); None: found in the texts when reported
    dates: Direction | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The sources a suspect copies, best first."""

    suspect: str
    suspect_sha256: str
    matches: tuple[CompareResult, ...]
    candidates: int
    error: str = ""
    warnings: tuple[str, ...] = ()  # how the suspect was read (stray control characters)
