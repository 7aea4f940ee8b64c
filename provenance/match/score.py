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

What the alignment alone gives (covered copy words, both coverages, an edit's cost in
words, a candidate's :class:`Rank`) is in :mod:`provenance.match.coverage`; the result
types (:class:`~provenance.match.results.Score` and the rest) are in
:mod:`provenance.match.results`.
"""

from __future__ import annotations

from bisect import bisect_right

from provenance.match.align import DELETION, INSERTION, Alignment, Edit, PassageMatch
from provenance.match.coverage import (
    body_coverage,
    boilerplate_insertion,
    covered_words,
    edit_words,
    matched_words,
    word_blocks,
)
from provenance.match.detect import MAX_DETECT_WORDS, Fragment
from provenance.match.evidence import AlignedPair, judge, passages
from provenance.match.results import Added, Alteration, Missing, Score
from provenance.match.risk import (
    CLAIM,
    MEANING_RISKS,
    RISK_ORDER,
    WORDING,
    classify,
    inserted_claim,
)
from provenance.params import Policy
from provenance.text.normalize import Normalized
from provenance.text.segment import (
    BODY,
    BOILERPLATE,
    HEADING,
    Passage,
    Segmented,
)

CONTEXT_WORDS = 3
#: A run of copy words added inside copied text is read as an inserted claim up to this
#: length (a sentence or two); a longer one is added material (an appended article).
INSERT_WORDS = 60


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


_OPENING, _CLOSING = "\"'“‘«(", "\"'”’».,;:!?…)"


def _texts(
    norm: Normalized, lo: int, hi: int, bound: tuple[int, int]
) -> tuple[str, str, tuple[int, int]]:
    """Words ``lo`` to ``hi - 1``: their original text, :func:`_context` and
    :func:`_span` (the same values, in one call: this runs for every alteration)."""
    starts, ends, text = norm.starts, norm.ends, norm.text
    b0, b1 = bound
    a = (lo if lo < b1 else b1) - CONTEXT_WORDS
    b = (hi if hi > b0 else b0) + CONTEXT_WORDS
    a = b0 if a < b0 else a
    b = b1 if b > b1 else b
    a = lo if lo < a else a
    b = hi if hi > b else b
    context = text[starts[a] : ends[b - 1]] if a < b else ""
    if lo < hi:
        start, end = starts[lo], ends[hi - 1]
        return text[start:end], context, (start, end)
    return "", context, _span(norm, lo, hi)


def _whole(norm: Normalized, lo: int, hi: int) -> tuple[int, int]:
    """The span of words ``lo`` to ``hi - 1`` with the punctuation that opens and
    closes it (a sentence's final stop, its quotation marks)."""
    a, b = _span(norm, lo, hi)
    if a == b:
        return a, b
    text = norm.text
    while a > 0 and text[a - 1] in _OPENING:
        a -= 1
    while b < len(text) and text[b] in _CLOSING:
        b += 1
    return a, b


def _both(a: bytearray, b: bytearray) -> int:
    """How many positions two 0/1 byte arrays of one length both hold 1 at."""
    return (int.from_bytes(a, "little") & int.from_bytes(b, "little")).bit_count()


def score(
    source: Segmented,
    copy: Segmented,
    alignment: Alignment,
    policy: Policy,
    lang: str | None = None,
    fragments: tuple[Fragment, ...] | None = (),
) -> Score:
    """Score an alignment of ``copy`` against ``source`` (see the module docstring).

    ``alignment`` is of ``source.aligned_passages(lang)``; ``lang`` (default: the
    source's main language) is the text of the source being compared; ``fragments``
    are the reworded passages ``detect`` found (``None``: not searched, the texts being
    too long; a warning says so).
    """
    src, cp = source.norm, copy.norm
    lang = source.lang if lang is None else lang
    src_passages = source.body_passages(lang)
    copy_owner = word_blocks(copy)

    alterations: list[tuple[int, int, Alteration]] = []
    covered = covered_words(copy, alignment, copy_owner)
    aligned = source.aligned_passages(lang)
    found_words, aligned_words = matched_words(source, aligned, alignment)
    costed, cost = _costed(source, copy, alignment, policy, aligned, copy_owner)
    src_quoted, cp_quoted, n_cp = src.quoted, cp.quoted, len(cp.words)
    for m, e, risk in costed:
        (s0, s1), (c0, c1) = e.src, e.copy
        in_quote = (s0 < s1 and True in src_quoted[s0:s1]) or (c0 < c1 and True in cp_quoted[c0:c1])
        if e.kind == DELETION and not in_quote and c0 < n_cp:
            in_quote = cp_quoted[c0] and (c0 == 0 or cp_quoted[c0 - 1])
        src_text, source_context, source_span = _texts(src, s0, s1, m.src)
        copy_text, copy_context, copy_span = _texts(cp, c0, c1, m.copy)
        alt = Alteration(
            e.kind, risk, src_text, copy_text, source_context, copy_context, source_span,
            copy_span, in_quote,
        )  # fmt: skip
        alterations.append((RISK_ORDER[risk], 0 if in_quote else 1, alt))

    body_total = sum(p.size for p in src_passages)
    source_coverage = found_words / body_total if body_total else 0.0
    copy_coverage, copy_words = body_coverage(copy, covered, lang)

    found = passages(alignment.matches, fragments or (), src.words, cp.words)
    text = bytearray(len(src))  # the source's text in this language: body and headings
    for p in aligned:
        text[p.first : p.last] = b"\x01" * p.size
    in_source = bytearray(len(src))
    for wp in found:
        if wp.found:
            in_source[wp.src[0] : wp.src[1]] = b"\x01" * (wp.src[1] - wp.src[0])
            if not wp.in_order:  # reworded text is copied, not added, text
                for i in range(*wp.copy):
                    covered[i] = covered[i] or copy.blocks[copy_owner[i]].kind != BOILERPLATE
    copied_words = max(found_words, _both(in_source, text))
    for alt in _inserted_claims(source, copy, alignment, covered, copy_owner, lang):
        alterations.append((RISK_ORDER[CLAIM], 0 if alt.in_quote else 1, alt))
    alterations.sort(key=lambda t: (t[0], t[1], t[2].copy_span[0]))
    fidelity = max(0.0, 1.0 - cost / aligned_words) if aligned_words else 0.0
    meaning_changed = any(a.risk in MEANING_RISKS for _, _, a in alterations)
    judgement = judge(
        copied_words=copied_words,
        in_order_words=min(found_words, copied_words),
        source_coverage=source_coverage,
        copied_share=copied_words / body_total if body_total else 0.0,
        fidelity=fidelity,
        meaning_changed=meaning_changed,
        longest_close=max((wp.close for wp in found), default=0),
        longest_found=max(
            (min(wp.src[1] - wp.src[0], wp.copy[1] - wp.copy[0]) for wp in found if wp.found),
            default=0,
        ),
        found_passages=sum(1 for wp in found if wp.found),
        policy=policy,
    )

    missing = _missing(source, aligned, alignment.found, in_source)
    return Score(
        verdict=judgement.verdict,
        fidelity=round(fidelity, 6),
        source_coverage=round(source_coverage, 6),
        copy_coverage=round(copy_coverage, 6),
        meaning_changed=meaning_changed,
        alterations=tuple(a for _, _, a in alterations),
        added=_added(copy, covered, copy_owner, lang),
        missing=missing,
        source_words=body_total,
        copy_words=copy_words,
        found_words=found_words,
        # passages counted are body passages (headings are aligned, not counted), as in
        # the index (``prov sources``) and in source_coverage
        passages_found=sum(
            1 for m in alignment.matches if source.blocks[aligned[m.passage].block].kind == BODY
        ),
        passages=len(src_passages),
        pairs=tuple(
            AlignedPair(_whole(src, *p.src), _whole(cp, *p.copy), p.similarity, p.found, p.moved)
            for p in found
        ),
        warnings=tuple(
            f"only the first {len(seg.norm.text):,} of the {name}'s {seg.truncated_from:,} "
            "characters were compared"
            for name, seg in (("source", source), ("copy", copy))
            if seg.truncated_from
        )
        + (
            ()
            if fragments is not None
            else (
                f"reworded text was not searched (a text of more than {MAX_DETECT_WORDS:,} "
                "words): only passages reproduced word by word were looked for",
            )
        ),
        extent=judgement.extent,
        wording=judgement.wording,
        copied_words=copied_words,
        reason=judgement.reason,
        rule=judgement.rule,
    )


def fidelity(
    source: Segmented,
    copy: Segmented,
    alignment: Alignment,
    policy: Policy,
    lang: str | None = None,
    owner: list[int] | None = None,
) -> float:
    """The fidelity :func:`score` gives this alignment (to the bit), without its other
    work: the alterations classified and weighed, no reworded text searched, nothing
    else measured. ``owner``: the block of each copy word (:func:`word_blocks`), when
    the caller has it."""
    lang = source.lang if lang is None else lang
    aligned = source.aligned_passages(lang)
    _, aligned_words = matched_words(source, aligned, alignment)
    owner = word_blocks(copy) if owner is None else owner
    _, cost = _costed(source, copy, alignment, policy, aligned, owner)
    return round(max(0.0, 1.0 - cost / aligned_words), 6) if aligned_words else 0.0


def _costed(
    source: Segmented,
    copy: Segmented,
    alignment: Alignment,
    policy: Policy,
    aligned: tuple[Passage, ...],
    copy_owner: list[int],
) -> tuple[list[tuple[PassageMatch, Edit, str]], float]:
    """Each alteration of an alignment (its match, edit and risk) with what they cost
    together (``1 - cost / aligned words`` is the fidelity), summed in the alignment's
    order; boilerplate the copy inserts is no alteration."""
    src, cp = source.norm, copy.norm
    src_blocks, copy_blocks, n_cp = source.blocks, copy.blocks, len(cp.words)
    weight = policy.risk_weight
    out: list[tuple[PassageMatch, Edit, str]] = []
    cost = 0.0
    for m in alignment.matches:
        src_heading = src_blocks[aligned[m.passage].block].kind == HEADING
        for e in m.edits:
            if e.kind == INSERTION and boilerplate_insertion(copy, copy_owner, e):
                continue
            c0 = e.copy[0]
            risk = classify(
                src,
                cp,
                e,
                src_heading,
                c0 < n_cp and copy_blocks[copy_owner[c0]].kind == HEADING,
            )
            words, list_markers = edit_words(src, cp, e)
            if list_markers:
                risk = WORDING
            cost += words * (weight if risk in MEANING_RISKS else 1.0)
            out.append((m, e, risk))
    return out, cost


def _missing(
    source: Segmented, aligned: tuple[Passage, ...], found: frozenset[int], in_source: bytearray
) -> tuple[Missing, ...]:
    """Source body passages not found (aligned, or inside a reworded passage for the
    most part), adjacent ones joined."""
    src = source.norm
    runs: list[list[int]] = []
    for pi, p in enumerate(aligned):
        if pi in found or source.blocks[p.block].kind != BODY:
            continue
        if 2 * sum(in_source[p.first : p.last]) >= p.size:
            continue
        if runs and runs[-1][1] == p.first:
            runs[-1][1] = p.last
        else:
            runs.append([p.first, p.last])
    return tuple(Missing(src.original(a, b), _span(src, a, b)) for a, b in runs)


def _inserted_claims(
    source: Segmented,
    copy: Segmented,
    alignment: Alignment,
    covered: bytearray,
    owner: list[int],
    lang: str,
) -> list[Alteration]:
    """Sentences or clauses the copy inserts between copied words that assert something
    about a named entity (``risk.inserted_claim``): alterations of class ``claim``, and
    taken out of ``added`` (marked covered). A run in the copy's body, in the source's
    language, of at most :data:`INSERT_WORDS` words, with copied body words right before
    and after it (a new sentence in a copied paragraph, or a new paragraph between two
    copied ones)."""
    src, cp = source.norm, copy.norm
    n = len(cp)

    def body(i: int) -> bool:
        return 0 <= i < n and bool(covered[i]) and copy.in_body(copy.blocks[owner[i]], lang)

    ends = sorted((m.copy[1], m.src) for m in alignment.matches)
    out: list[Alteration] = []
    for i, j in _uncovered_runs(copy, covered, owner):
        block = copy.blocks[owner[i]]
        if (
            block.kind == BODY
            and copy.in_body(block, lang)
            and j - i <= INSERT_WORDS
            and body(i - 1)
            and body(j)
            and inserted_claim(cp, i, j)
        ):
            before = [e for e in ends if e[0] <= i]
            at, passage = (before[-1][1][1], before[-1][1]) if before else (0, (0, 0))
            in_quote = any(cp.quoted[k] for k in range(i, j))
            out.append(
                Alteration(
                    kind=INSERTION,
                    risk=CLAIM,
                    source="",
                    copy=cp.original(i, j),
                    source_context=_context(src, at, at, passage),
                    copy_context=_context(cp, i, j, (max(0, i - CONTEXT_WORDS), j)),
                    source_span=_span(src, at, at),
                    copy_span=_span(cp, i, j),
                    in_quote=in_quote,
                )
            )
            covered[i:j] = b"\x01" * (j - i)
    return out


#: Any nonzero byte made 1 (``bytes.translate``): covered or not.
_FLAGS = bytes([0] + [1] * 255)


def _uncovered_runs(copy: Segmented, covered: bytearray, owner: list[int]) -> list[tuple[int, int]]:
    """The runs ``[i, j)`` of copy words outside aligned spans, each within one block
    (``owner``: each word's block, which changes only where a block starts or ends: the
    runs are cut there, not found word by word)."""
    flags = covered.translate(_FLAGS)
    n = len(flags)
    ends = sorted({k for b in copy.blocks for k in (b.first, b.last) if 0 < k < n})
    cuts = [k for k in ends if owner[k] != owner[k - 1]]
    runs = []
    i = flags.find(0)
    while i >= 0:
        end = flags.find(1, i)
        if end < 0:
            end = n
        k = bisect_right(cuts, i)
        while k < len(cuts) and cuts[k] < end:
            runs.append((i, cuts[k]))
            i = cuts[k]
            k += 1
        runs.append((i, end))
        i = flags.find(0, end) if end < n else -1
    return runs


def _added(copy: Segmented, covered: bytearray, owner: list[int], lang: str) -> tuple[Added, ...]:
    cp = copy.norm
    out: list[Added] = []
    for i, j in _uncovered_runs(copy, covered, owner):
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
    return tuple(out)
