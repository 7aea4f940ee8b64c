"""Stage 6: an alignment -> coverage, fidelity, verdict and classified alterations.

Definitions (the README's "How the scores are defined" says the same):

- A source passage is *found* when the copy span aligned to it has similarity
  ``2 * matched / (passage words + span words) >= Policy.found``.
- ``source_coverage``: words of the source body in found passages / words of the body.
- ``copy_coverage``: words of the copy body (in the source's language) inside aligned
  spans / words of that body.
- ``fidelity``: ``1 - cost / aligned source words`` (body and headings), where every substituted,
  inserted or deleted word costs 1 and ``Policy.risk_weight`` when the alteration is
  a qualifier, name or number; clamped to [0, 1]. Material the copy adds around the
  copied text (boilerplate, appended pages) is not inside an aligned span and costs
  nothing: it is listed under ``added``.
- ``verdict``: ``unrelated`` when neither coverage reaches ``Policy.related``, or
  fewer than ``Policy.min_shared_words`` words are found (unless that is the whole source);
  ``partial`` when source coverage is under ``Policy.complete``; otherwise
  ``verbatim`` (fidelity >= ``Policy.verbatim`` and no meaning change),
  ``near-verbatim`` (fidelity >= ``Policy.near_verbatim``) or ``paraphrased``.
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance.match.align import DELETION, INSERTION, Alignment
from provenance.match.risk import MEANING_RISKS, RISK_ORDER, classify
from provenance.params import Policy
from provenance.text.normalize import Normalized
from provenance.text.segment import (
    BODY,
    BOILERPLATE,
    HEADING,
    Passage,
    Segmented,
)

VERBATIM, NEAR_VERBATIM, PARAPHRASED, PARTIAL, UNRELATED = (
    "verbatim",
    "near-verbatim",
    "paraphrased",
    "partial",
    "unrelated",
)
CONTEXT_WORDS = 3


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
class AlignedPair:
    """A source passage and the copy text aligned to it (for side-by-side views)."""

    source_span: tuple[int, int]
    copy_span: tuple[int, int]
    similarity: float


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


def _context(norm: Normalized, lo: int, hi: int, bound: tuple[int, int]) -> str:
    """The changed words with up to three words either side, within ``bound`` (the
    aligned passage or span, so that context never mixes passages far apart)."""
    a = max(bound[0], min(lo, bound[1]) - CONTEXT_WORDS)
    b = min(bound[1], max(hi, bound[0]) + CONTEXT_WORDS)
    return norm.original(min(a, lo), max(b, hi))


def _span(norm: Normalized, lo: int, hi: int) -> tuple[int, int]:
    if lo < hi:
        return (norm.starts[lo], norm.ends[hi - 1])
    pos = norm.starts[lo] if lo < len(norm) else len(norm.text)
    if lo > 0 and lo < len(norm):
        pos = norm.ends[lo - 1] + (1 if norm.starts[lo] > norm.ends[lo - 1] else 0)
    return (pos, pos)


def _block_of(seg: Segmented) -> list[int]:
    owner = [-1] * len(seg.norm)
    for bi, b in enumerate(seg.blocks):
        for i in range(b.first, b.last):
            owner[i] = bi
    return owner


def score(
    source: Segmented,
    copy: Segmented,
    alignment: Alignment,
    policy: Policy,
    lang: str | None = None,
) -> Score:
    """Score an alignment of ``copy`` against ``source`` (see the module docstring).

    ``alignment`` is of ``source.aligned_passages(lang)``; ``lang`` (default: the
    source's main language) is the text of the source being compared.
    """
    src, cp = source.norm, copy.norm
    lang = source.lang if lang is None else lang
    src_passages = source.body_passages(lang)
    copy_owner = _block_of(copy)

    alterations: list[tuple[int, int, Alteration]] = []
    cost = 0.0
    found_words = 0
    aligned_words = 0
    covered = bytearray(len(cp))
    aligned = source.aligned_passages(lang)
    for m in alignment.matches:
        if source.blocks[aligned[m.passage].block].kind == BODY:
            found_words += m.src[1] - m.src[0]
        aligned_words += m.src[1] - m.src[0]
        for i in range(*m.copy):
            covered[i] = 1
        for e in m.edits:
            if e.kind == INSERTION and all(
                copy.blocks[copy_owner[i]].kind == BOILERPLATE for i in range(*e.copy)
            ):
                for i in range(*e.copy):
                    covered[i] = 0
                continue
            risk = classify(
                src,
                cp,
                e,
                source.blocks[aligned[m.passage].block].kind == HEADING,
                e.copy[0] < len(cp) and copy.blocks[copy_owner[e.copy[0]]].kind == HEADING,
            )
            words = max(e.src[1] - e.src[0], e.copy[1] - e.copy[0])
            cost += words * (policy.risk_weight if risk in MEANING_RISKS else 1.0)
            in_quote = any(src.quoted[i] for i in range(*e.src)) or any(
                cp.quoted[i] for i in range(*e.copy)
            )
            if e.kind == DELETION and not in_quote and e.copy[0] < len(cp):
                in_quote = cp.quoted[e.copy[0]] and (e.copy[0] == 0 or cp.quoted[e.copy[0] - 1])
            alt = Alteration(
                kind=e.kind,
                risk=risk,
                source=src.original(*e.src),
                copy=cp.original(*e.copy),
                source_context=_context(src, *e.src, m.src),
                copy_context=_context(cp, *e.copy, m.copy),
                source_span=_span(src, *e.src),
                copy_span=_span(cp, *e.copy),
                in_quote=in_quote,
            )
            alterations.append((RISK_ORDER[risk], 0 if in_quote else 1, alt))
    alterations.sort(key=lambda t: (t[0], t[1], t[2].copy_span[0]))

    body_total = sum(p.size for p in src_passages)
    source_coverage = found_words / body_total if body_total else 0.0
    copy_body = [i for b in copy.blocks if copy.in_body(b, lang) for i in range(b.first, b.last)]
    copy_coverage = sum(covered[i] for i in copy_body) / len(copy_body) if copy_body else 0.0
    fidelity = max(0.0, 1.0 - cost / aligned_words) if aligned_words else 0.0
    meaning_changed = any(a.risk in MEANING_RISKS for _, _, a in alterations)

    too_little = found_words < policy.min_shared_words and source_coverage < policy.complete
    if (source_coverage < policy.related and copy_coverage < policy.related) or too_little:
        verdict = UNRELATED
    elif source_coverage < policy.complete:
        verdict = PARTIAL
    elif fidelity >= policy.verbatim and not meaning_changed:
        verdict = VERBATIM
    elif fidelity >= policy.near_verbatim:
        verdict = NEAR_VERBATIM
    else:
        verdict = PARAPHRASED

    missing = _missing(source, aligned, alignment.found)
    return Score(
        verdict=verdict,
        fidelity=round(fidelity, 6),
        source_coverage=round(source_coverage, 6),
        copy_coverage=round(copy_coverage, 6),
        meaning_changed=meaning_changed,
        alterations=tuple(a for _, _, a in alterations),
        added=_added(copy, covered, copy_owner, lang),
        missing=missing,
        source_words=body_total,
        copy_words=len(copy_body),
        found_words=found_words,
        # passages counted are body passages (headings are aligned, not counted), as in
        # the index (``prov sources``) and in source_coverage
        passages_found=sum(
            1 for m in alignment.matches if source.blocks[aligned[m.passage].block].kind == BODY
        ),
        passages=len(src_passages),
        pairs=tuple(
            AlignedPair(_span(src, *m.src), _span(cp, *m.copy), round(m.similarity, 6))
            for m in alignment.matches
        ),
        warnings=tuple(
            f"only the first {len(seg.norm.text):,} of the {name}'s {seg.truncated_from:,} "
            "characters were compared"
            for name, seg in (("source", source), ("copy", copy))
            if seg.truncated_from
        ),
    )


def _missing(
    source: Segmented, aligned: tuple[Passage, ...], found: frozenset[int]
) -> tuple[Missing, ...]:
    """Source body passages not found, adjacent ones joined."""
    src = source.norm
    runs: list[list[int]] = []
    for pi, p in enumerate(aligned):
        if pi in found or source.blocks[p.block].kind != BODY:
            continue
        if runs and runs[-1][1] == p.first:
            runs[-1][1] = p.last
        else:
            runs.append([p.first, p.last])
    return tuple(Missing(src.original(a, b), _span(src, a, b)) for a, b in runs)


def _added(copy: Segmented, covered: bytearray, owner: list[int], lang: str) -> tuple[Added, ...]:
    cp = copy.norm
    out: list[Added] = []
    i = 0
    n = len(cp)
    while i < n:
        if covered[i]:
            i += 1
            continue
        j = i
        while j < n and not covered[j] and owner[j] == owner[i]:
            j += 1
        block = copy.blocks[owner[i]]
        if block.kind == BOILERPLATE:
            reason = f"boilerplate: {block.reason}"
        elif block.lang not in (lang, "und"):
            reason = f"other language ({block.lang})"
        elif block.kind == HEADING:
            reason = "heading not in the source"
        else:
            reason = "not in the source"
        out.append(Added(cp.original(i, j), _span(cp, i, j), reason))
        i = j
    return tuple(out)


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


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The sources a suspect copies, best first."""

    suspect: str
    suspect_sha256: str
    matches: tuple[CompareResult, ...]
    candidates: int
    error: str = ""
    warnings: tuple[str, ...] = ()  # how the suspect was read (stray control characters)
