"""Stage 6a: the passages a copy reuses, and the verdict the evidence supports.

Two steps, both pure:

- :func:`passages` joins what ``align`` (passages reproduced word by word) and
  ``detect`` (reworded passages) found into one list of passages, in source order,
  adjacent ones merged where they are contiguous in both texts.
- :func:`judge` turns the evidence into the two axes of a verdict (how much: ``extent``;
  how closely: ``wording``), the verdict word, and one sentence saying why. The rules
  are in the README's "How the scores are defined"; the constants below are theirs.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from provenance.match.align import PassageMatch
from provenance.match.detect import Fragment
from provenance.params import Policy

VERBATIM, NEAR_VERBATIM, PARAPHRASED, PARTIAL, UNRELATED = (
    "verbatim", "near-verbatim", "paraphrased", "partial", "unrelated",
)  # fmt: skip
WHOLE, PART, QUOTE, NONE = "whole", "part", "quote", "none"
REWORDED = "reworded"
#: Words between two found passages that still make them one (a dropped lead-in).
MERGE_GAP = 3
#: Words of other text in both texts between two found passages that still make them
#: one passage (a sentence or two rewritten beyond recognition).
BRIDGE_WORDS = 40
#: Share of a reworded fragment's copy side aligned word by word from which the aligned
#: passages inside it, not the fragment, tell where its text comes from (see
#: :func:`_in_order`): when they are half of it, they are the copy, and their order shows
#: what moved.
ORDER_SHARE = 0.5
#: Aligned passages shorter than this (a sentence or two: as :data:`BRIDGE_WORDS`) may
#: stand in another order inside a reworded fragment; longer ones out of order are
#: moved paragraphs, shown each in its place.
MOVED_WORDS = 40
#: Share of a reworded fragment's copy side aligned word by word (in runs of
#: :data:`MOVED_WORDS` or more, for a summary) from which it is that text, not a
#: rewording (see :func:`_explained`, :func:`_summary`).
EXPLAINED = 0.8
#: Earlier passages (in source order) a passage is merged into when it overlaps one in
#: both texts: a bound on the work, far above the passages that overlap one stretch.
LOOKBACK = 8
#: Fewer source words than this in a passage on its own are not counted as copied: the
#: length of a quote (``Policy.quote_words``), the least run a verdict rests on. Shorter
#: lines on their own are what pages on one subject or from one site share without
#: copying each other (a site's standard lines, a title, the name of a law), and counted
#: they made a partial copy claim them (PAN 2013, no obfuscation: 12 of the 22
#: detections outside any case were such lines of 5-14 words).
MIN_FOUND_WORDS = 15
#: A passage at least this alike, word by word in order, is reproduced *closely*.
CLOSE = 0.9
#: Share of the copied words found only as reworded text that a near-verbatim copy may
#: hold (a verbatim one: a twentieth of it).
REWORDED_NEAR = 0.2
REWORDED_VERBATIM = 0.05
#: Below this fidelity, copied text with no close run is stock phrasing, not reuse.
STOCK_FIDELITY = 0.5


@dataclass(frozen=True, slots=True)
class AlignedPair:
    """A passage of the source and the copy text it became.

    Attributes:
        source_span, copy_span: ``[start, end)`` character offsets into the two texts
            as read (the offsets of alterations).
        similarity: how alike the two sides are: for text aligned word by word, the
            share of words reproduced in order (``2 * matched / (a + b)``); for
            reworded text, the cosine of the two sides' content words; a merged
            passage has the word-weighted mean.
        found: whether it counts as copied (a lone similar sentence does not).
        moved: whether it stands at another place in the copy than in the source
            (outside the longest run of passages in the same order in both).
        kind: ``""`` for text matched by its words; ``translation`` or ``reworded`` for
            text matched by meaning (``prov[semantic]``: the similarity is then the
            mean cosine of its sentence pairs' vectors).
        lang: the copy side's language, for a translation.
        parts: for a passage matched by meaning that joins several paragraphs of the
            copy (or text matched by its words and by meaning, one after the other in
            both texts), each paragraph's own passage, in order; empty otherwise.
    """

    source_span: tuple[int, int]
    copy_span: tuple[int, int]
    similarity: float
    found: bool = True
    moved: bool = False
    kind: str = ""
    lang: str = ""
    parts: tuple[AlignedPair, ...] = ()


@dataclass(frozen=True, slots=True)
class WordPassage:
    """A passage on word indexes (what :func:`passages` builds, before offsets)."""

    src: tuple[int, int]
    copy: tuple[int, int]
    similarity: float
    found: bool
    moved: bool
    close: int  # source words of the longest member reproduced closely (>= CLOSE)
    in_order: int  # source words of its members aligned word by word


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict and its two axes, with the reason in words."""

    verdict: str
    extent: str
    wording: str
    reason: str
    rule: str


def _near(a: tuple[int, int], b: tuple[int, int], gap: int) -> bool:
    return a[0] - gap <= b[1] and b[0] - gap <= a[1]


def _follows(
    g: list[int], s0: int, c0: int, src_words: Sequence[str], copy_words: Sequence[str]
) -> bool:
    """Whether a passage starting at ``(s0, c0)`` continues the group ``g`` (its source
    and copy ranges): it touches or overlaps it in both texts, or comes next in both
    after the same words (text the segmenter cut differently: a line break, a heading),
    or after at most :data:`BRIDGE_WORDS` other words in both (a sentence rewritten
    beyond recognition inside a reused passage)."""
    if _near((g[0], g[1]), (s0, s0 + 1), MERGE_GAP) and _near(
        (g[2], g[3]), (c0, c0 + 1), MERGE_GAP
    ):
        return True
    gs, gc = s0 - g[1], c0 - g[3]
    if gs >= 0 and gc < 0 <= c0 - g[2]:
        gc = 0  # it starts inside the group's copy side: it continues it there
    if gs < 0 or gc < 0:
        return False
    if gs == gc and src_words[g[1] : s0] == copy_words[g[3] : c0]:
        return True
    return gs <= BRIDGE_WORDS and gc <= BRIDGE_WORDS


def passages(
    matches: Sequence[PassageMatch],
    fragments: Sequence[Fragment],
    src_words: Sequence[str] = (),
    copy_words: Sequence[str] = (),
) -> tuple[WordPassage, ...]:
    """Found passages (aligned, or reworded) merged where one continues another in both
    texts (see :func:`_follows`), in source order; then the reworded sentences not
    counted as found."""
    items = sorted(
        [(m.src, m.copy, m.similarity, True) for m in matches]
        + [
            (f.src, f.copy, f.similarity, False)
            for f in fragments
            if f.found and (_summary(f, matches) or _reworded(f, matches))
        ],
        key=lambda t: (t[0][0], t[1][0]),
    )
    groups: list[list[tuple[tuple[int, int], tuple[int, int], float, bool]]] = []
    spans: list[list[int]] = []
    for it in items:
        (s0, s1), (c0, c1) = it[0], it[1]
        # the last group, or an earlier one it overlaps in both texts (a passage found
        # both as a whole and as a piece, with another between them in source order)
        for k in range(len(groups) - 1, max(-1, len(groups) - 1 - LOOKBACK), -1):
            g = spans[k]
            overlaps = _near((g[0], g[1]), (s0, s1), MERGE_GAP) and _near(
                (g[2], g[3]), (c0, c1), MERGE_GAP
            )
            if overlaps or (k == len(groups) - 1 and _follows(g, s0, c0, src_words, copy_words)):
                groups[k].append(it)
                g[0], g[1], g[2], g[3] = min(g[0], s0), max(g[1], s1), min(g[2], c0), max(g[3], c1)
                break
        else:
            groups.append([it])
            spans.append([s0, s1, c0, c1])
    found: list[tuple[tuple[int, int], tuple[int, int], float, int, int]] = []
    for members, (s0, s1, c0, c1) in zip(groups, spans, strict=True):
        aligned = [(it[0], it[2]) for it in members if it[3]]
        in_order = sum(b - a for (a, b), _ in aligned)
        reworded = max((it[2] for it in members if not it[3]), default=0.0)
        rest = max(0, (s1 - s0) - in_order)
        total = sum(sim * (b - a) for (a, b), sim in aligned) + rest * reworded
        close = max((b - a for (a, b), sim in aligned if sim >= CLOSE), default=0)
        found.append(((s0, s1), (c0, c1), total / max(1, s1 - s0), close, in_order))
    stable = _stable([c[0] for _, c, _, _, _ in found])
    out = [
        WordPassage(
            s,
            c,
            round(sim, 6),
            not _too_short(s, c, len(src_words)),
            i not in stable,
            close,
            in_order,
        )
        for i, (s, c, sim, close, in_order) in enumerate(found)
    ]
    for f in fragments:
        if not f.found and not any(_near(p.copy, f.copy, 0) for p in out if p.found):
            out.append(WordPassage(f.src, f.copy, round(f.similarity, 6), False, False, 0, 0))
    return tuple(sorted(out, key=lambda p: (p.src, p.copy)))


def _too_short(src: tuple[int, int], copy: tuple[int, int], source_words: int) -> bool:
    """A passage of a few words on its own ("end of the", a three-word heading) is not
    evidence of copying, unless it is the whole source; nor are a few words of a longer
    source line that the copy happens to hold ("a copy of your" of "A copy of your title
    policy"): it is the copy side that says what was taken."""
    size = min(src[1] - src[0], copy[1] - copy[0])
    return size < MIN_FOUND_WORDS and src[1] - src[0] < source_words


def _reworded(f: Fragment, matches: Sequence[PassageMatch]) -> bool:
    """Whether a reworded fragment (not a summary) counts: its aligned passages keep
    their order and do not already hold most of its copy side."""
    return not f.summary and _in_order(f, matches) and not _explained(f, matches)


def _summary(f: Fragment, matches: Sequence[PassageMatch]) -> bool:
    """Whether a summary counts: one passage, with the sentences it took word by word
    inside it (an extractive summary copies a sentence here and there and leaves the
    rest out). Not when its copy side is mostly passages aligned word by word over
    :data:`MOVED_WORDS` words or more: runs of source sentences copied whole are
    passages copied, each shown in its place, not a source condensed."""
    if not f.summary:
        return False
    runs: list[list[int]] = []  # aligned passages that continue each other in both texts
    for m in sorted(matches, key=lambda m: m.copy):
        r = runs[-1] if runs else None
        if r and 0 <= m.copy[0] - r[3] <= MERGE_GAP and 0 <= m.src[0] - r[1] <= MERGE_GAP:
            r[1], r[3] = max(r[1], m.src[1]), max(r[3], m.copy[1])
        else:
            runs.append([*m.src, *m.copy])
    long = [(r[2], r[3]) for r in runs if r[3] - r[2] >= MOVED_WORDS]
    inside = sum(max(0, min(b, f.copy[1]) - max(a, f.copy[0])) for a, b in long)
    return inside < EXPLAINED * (f.copy[1] - f.copy[0])


def _explained(f: Fragment, matches: Sequence[PassageMatch]) -> bool:
    """Whether the copy side of a reworded fragment is mostly text aligned word by word
    already (it would only stretch that text over source sentences it does not copy)."""
    inside = sum(max(0, min(m.copy[1], f.copy[1]) - max(m.copy[0], f.copy[0])) for m in matches)
    return inside >= EXPLAINED * (f.copy[1] - f.copy[0])


def _in_order(f: Fragment, matches: Sequence[PassageMatch]) -> bool:
    """Whether the aligned passages inside a reworded fragment keep their order: a
    fragment over paragraphs the copy reordered would hide that they moved (the aligned
    passages show the copy there, each in its place). A summary may reorder: it is
    kept whole. So may a fragment whose copy side is mostly reworded (less than
    :data:`ORDER_SHARE` of it aligned word by word): its aligned bits are phrases the
    rewording kept, and a rewording moves phrases about (clauses swapped, words
    shuffled); the passage as a whole is what was copied, in its place."""
    inside = sorted(
        (m.src[0], m.copy[0], m.copy[1])
        for m in matches
        if _near(m.src, f.src, 0) and _near(m.copy, f.copy, 0)
    )
    aligned = sum(max(0, min(c1, f.copy[1]) - max(c0, f.copy[0])) for _, c0, c1 in inside)
    if aligned < ORDER_SHARE * (f.copy[1] - f.copy[0]):
        return True
    # sentences swapped inside a paragraph are rewording too; paragraphs moved are not
    inside = [m for m in inside if m[2] - m[1] >= MOVED_WORDS]
    return all(a[1] <= b[1] for a, b in zip(inside, inside[1:], strict=False))


def _stable(seq: Sequence[int]) -> set[int]:
    """Indexes of one longest increasing subsequence of ``seq``."""
    tails: list[int] = []
    tail_idx: list[int] = []
    prev = [-1] * len(seq)
    for i, v in enumerate(seq):
        k = bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_idx.append(i)
        else:
            tails[k] = v
            tail_idx[k] = i
        prev[i] = tail_idx[k - 1] if k else -1
    out: set[int] = set()
    i = tail_idx[-1] if tail_idx else -1
    while i >= 0:
        out.add(i)
        i = prev[i]
    return out


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def _words(n: int) -> str:
    return f"{n:,} word{'s' if n != 1 else ''}"


def judge(
    *,
    copied_words: int,
    in_order_words: int,
    source_coverage: float,
    copied_share: float,
    fidelity: float,
    meaning_changed: bool,
    longest_close: int,
    longest_found: int = 0,
    found_passages: int,
    policy: Policy,
) -> Judgement:
    """The verdict from the evidence (README: "How the scores are defined").

    Args:
        copied_words: source body words inside found passages.
        in_order_words: of those, the words of passages aligned word by word.
        source_coverage: the share of the source body's words in passages reproduced
            word by word in order (``in_order_words`` / body words).
        copied_share: ``copied_words`` / the source body's words.
        fidelity: of the text aligned word by word.
        meaning_changed: an alteration may change what the copy claims.
        longest_close: source words of the longest passage reproduced closely
            (similarity >= :data:`CLOSE`).
        longest_found: words of the longest found passage (aligned, or reworded text
            ``detect`` validated), on its shorter side.
        found_passages: found passages, adjacent ones merged.
    """
    reworded_share = 1.0 - in_order_words / copied_words if copied_words else 1.0
    if fidelity >= policy.verbatim and not meaning_changed and reworded_share <= REWORDED_VERBATIM:
        wording, how = VERBATIM, "word for word"
    elif fidelity >= policy.near_verbatim and reworded_share <= REWORDED_NEAR:
        wording, how = NEAR_VERBATIM, "almost word for word"
    else:
        wording, how = REWORDED, "in other words"
    closely = wording != REWORDED or longest_close >= policy.quote_words
    if copied_words == 0:
        return Judgement(
            UNRELATED, NONE, "", "nothing of the source was found in the copy",
            "no passage of the source is found in the copy",
        )  # fmt: skip
    if source_coverage >= policy.complete and (copied_words >= policy.min_shared_words or closely):
        verdict = {VERBATIM: VERBATIM, NEAR_VERBATIM: NEAR_VERBATIM}.get(wording, PARAPHRASED)
        return Judgement(
            verdict, WHOLE, wording,
            f"about {_pct(source_coverage)} of the source reproduced {how}",
            f"whole: source coverage >= {policy.complete}; wording from fidelity "
            f"({policy.verbatim} verbatim, {policy.near_verbatim} near-verbatim) and the share "
            "of copied words found only as reworded text",
        )  # fmt: skip
    stock = (
        longest_close < policy.quote_words
        and fidelity < STOCK_FIDELITY
        and reworded_share < 0.5  # the evidence is mostly short aligned bits
    )
    if copied_words >= policy.min_shared_words and not stock:
        n = found_passages
        where = "one passage" if n == 1 else f"{n} passages"
        return Judgement(
            PARTIAL, PART, wording,
            f"{_words(copied_words)} of the source ({_pct(copied_share)}) reproduced "
            f"{how}, in {where}",
            f"part: at least {policy.min_shared_words} source words found, whatever the "
            "share of either text",
        )  # fmt: skip
    if longest_close >= policy.quote_words:
        what = "one sentence" if found_passages == 1 else f"{found_passages} short passages"
        exact = "exactly" if wording == VERBATIM else "closely"
        return Judgement(
            PARTIAL, QUOTE, wording,
            f"{what} ({_words(copied_words)}) reproduced {exact}: a quote",
            f"quote: a run of at least {policy.quote_words} words reproduced closely "
            f"(similarity >= {CLOSE}), fewer than {policy.min_shared_words} words in all",
        )  # fmt: skip
    if longest_found >= policy.quote_words and not stock:
        return Judgement(
            PARTIAL, PART, wording,
            f"a passage of {_words(longest_found)} reproduced {how}",
            f"passage: at least {policy.quote_words} source words in one found passage (three "
            "quarters of its words in order, or its sentences sharing far more content words "
            "with the copy's than chance)",
        )  # fmt: skip
    if stock:
        return Judgement(
            UNRELATED, NONE, wording,
            f"{_words(copied_words)} in common, only as short stock phrases with other "
            "names, numbers or words in them",
            f"stock phrasing: no run of {policy.quote_words} words reproduced closely and "
            f"fidelity under {STOCK_FIDELITY}",
        )  # fmt: skip
    return Judgement(
        UNRELATED, NONE, wording,
        f"only {_words(copied_words)} in common, in short runs: too little to call it reuse",
        f"too little: fewer than {policy.min_shared_words} words found and no run of "
        f"{policy.quote_words} words reproduced closely",
    )  # fmt: skip
