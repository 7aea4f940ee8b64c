"""Stage 6b (with ``prov[semantic]``): copy text the word path left unexplained, matched
to the source sentence by sentence by meaning: translations and rewrites.

:func:`rescore` takes the word path's :class:`Score`; the copy's sentences that it left
unexplained (listed under ``added`` as not in the source or in another language) are
embedded with the source's body sentences and aligned in order
(:func:`provenance.semantic.bitext.align_sentences`). Each found run becomes passages
(one per paragraph of the copy) of kind ``translation`` (with the copy's language) or
``reworded``; those that follow each other in both texts are joined into one passage
that keeps them as its ``parts`` (:mod:`provenance.semantic.passages`); their source
words count as copied, the verdict is judged again, and the numbers and names that
differ between a paragraph and its source are listed as alterations (and its months and
weekdays: :mod:`provenance.semantic.calendar_words`). Vectors are
computed through the process's cache (:mod:`provenance.semantic.cache`): a source
compared with many copies is embedded once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from provenance.match.evidence import AlignedPair, judge
from provenance.match.results import Added, Alteration, Missing, Score
from provenance.match.risk import NAME, NUMBER
from provenance.params import Policy
from provenance.semantic import bitext, cache, calendar_words, encoder, names
from provenance.semantic.passages import join
from provenance.text.language import UNDETERMINED
from provenance.text.segment import BODY, Passage, Segmented

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

TRANSLATION, REWORDED = "translation", "reworded"
#: Reasons of ``added`` text that may be a translation or a rewrite.
_OPEN_REASONS = ("not in the source", "other language")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_TRAILING = " \t\r\n\u00a0.,;:!?…)\"'”’»"
#: Characters of context either side of a changed number.
CONTEXT_CHARS = 40
#: Source text left uncovered by fewer words than this is not listed as missing.
MIN_MISSING_WORDS = 3


def _chars(seg: Segmented, p: Passage) -> tuple[int, int]:
    return seg.norm.starts[p.first], seg.norm.ends[p.last - 1]


def _unexplained(copy: Segmented, added: tuple[Added, ...]) -> list[Passage]:
    """The copy's body passages that lie for the most part in unexplained ``added`` text,
    in a language the encoder knows (or undetermined)."""
    open_ = bytearray(len(copy.norm.text))
    for a in added:
        if a.reason.startswith(_OPEN_REASONS):
            open_[a.copy_span[0] : a.copy_span[1]] = b"\x01" * (a.copy_span[1] - a.copy_span[0])
    out = []
    for p in copy.passages:
        b = copy.blocks[p.block]
        if b.kind != BODY or (b.lang not in encoder.LANGUAGES and b.lang != UNDETERMINED):
            continue
        lo, hi = _chars(copy, p)
        if 2 * sum(open_[lo:hi]) >= hi - lo:
            out.append(p)
    return out


def _numbers(text: str) -> dict[str, str]:
    """The numbers of a text by value ("3.2" and "3,2" are one), as written first."""
    out: dict[str, str] = {}
    for n in _NUMBER.findall(text):
        out.setdefault(re.sub(r"[.,]", "", n), n)
    return out


def _around(text: str, pos: int, end: int, offset: int) -> tuple[str, tuple[int, int]]:
    """Some words either side of ``text[pos:end]`` and its span in the whole text."""
    a = text.rfind(" ", 0, max(0, pos - CONTEXT_CHARS)) + 1
    b = text.find(" ", end + CONTEXT_CHARS)
    return text[a : b if b >= 0 else len(text)].strip(), (offset + pos, offset + end)


def _number_alterations(
    src_text: str, copy_text: str, src_start: int, copy_start: int
) -> list[Alteration]:
    """Numbers of a translated passage that are not in its source, and the reverse (a
    number survives translation: one that differs was changed), one alteration per
    passage, with the first such number's place in both texts."""
    a, b = _numbers(src_text), _numbers(copy_text)
    lost = [n for k, n in a.items() if k not in b]
    new = [n for k, n in b.items() if k not in a]
    return _alteration(NUMBER, lost, new, src_text, copy_text, src_start, copy_start)


def _alteration(
    risk: str,
    lost: list[str],
    new: list[str],
    src_text: str,
    copy_text: str,
    src_start: int,
    copy_start: int,
) -> list[Alteration]:
    """One alteration of ``risk`` for what a passage lost and brought (none if neither),
    placed at the first of each in both texts."""
    if not lost and not new:
        return []
    if lost:
        i = src_text.find(lost[0])
        src_ctx, src_span = _around(src_text, i, i + len(lost[0]), src_start)
    else:
        src_ctx, src_span = "", (src_start, src_start)
    if new:
        i = copy_text.find(new[0])
        copy_ctx, copy_span = _around(copy_text, i, i + len(new[0]), copy_start)
    else:
        copy_ctx, copy_span = "", (copy_start, copy_start)
    return [
        Alteration(
            kind="substitution" if lost and new else ("deletion" if lost else "insertion"),
            risk=risk,
            source=" ".join(lost),
            copy=" ".join(new),
            source_context=src_ctx,
            copy_context=copy_ctx,
            source_span=src_span,
            copy_span=copy_span,
            in_quote=False,
        )
    ]


def _closest(names_: Sequence[str], phrases: Sequence[str]) -> list[float]:
    """Each name's highest similarity to one of ``phrases`` (by the encoder)."""
    if not names_ or not phrases:
        return [0.0] * len(names_)
    v = encoder.embed([*names_, *phrases])
    sims = v[: len(names_)] @ v[len(names_) :].T
    return [float(x) for x in sims.max(axis=1)]


def _name_alterations(
    source: Segmented, copy: Segmented, s_units: tuple[Passage, Passage],
    c_units: tuple[Passage, Passage], sspan: tuple[int, int], cspan: tuple[int, int],
) -> list[Alteration]:  # fmt: skip
    """Names that differ between a translated passage and its source (:mod:`names`)."""
    lost, new = names.changed_names(
        source.norm, (s_units[0].first, s_units[1].last), source.lang,
        copy.norm, (c_units[0].first, c_units[1].last), copy.blocks[c_units[0].block].lang,
        _closest,
    )  # fmt: skip
    return _alteration(
        NAME, lost, new, source.norm.text[sspan[0] : sspan[1]],
        copy.norm.text[cspan[0] : cspan[1]], sspan[0], cspan[0],
    )  # fmt: skip


def _minus(span: tuple[int, int], cover: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``span`` without the ranges of ``cover``."""
    out = [span]
    for c0, c1 in cover:
        nxt = []
        for a, b in out:
            if c1 <= a or c0 >= b:
                nxt.append((a, b))
                continue
            if a < c0:
                nxt.append((a, c0))
            if c1 < b:
                nxt.append((c1, b))
        out = nxt
    return out


def _still_missing(
    source: Segmented, missing: tuple[Missing, ...], pairs: list[AlignedPair]
) -> tuple[Missing, ...]:
    """The missing source text without what the passages found by meaning cover."""
    cover = [p.source_span for p in pairs]
    text = source.norm.text
    out = []
    for m in missing:
        for a, b in _minus(m.source_span, cover):
            piece = text[a:b]
            # what a passage's span leaves out around it: its final stop, quotes, spaces
            lead = len(piece) - len(piece.lstrip(_TRAILING))
            piece = piece.strip(_TRAILING)
            if len(piece.split()) >= MIN_MISSING_WORDS:
                out.append(Missing(piece, (a + lead, a + lead + len(piece))))
    return tuple(out)


#: Embeds a text's passages (one row each, in order): the suspect's, kept across the
#: sources it is checked against (:class:`provenance.semantic.search.TextVectors`).
Embedder = Callable[[Sequence[Passage]], "npt.NDArray[np.float32]"]


def rescore(
    source: Segmented,
    copy: Segmented,
    s: Score,
    policy: Policy,
    copy_vectors: Embedder | None = None,
    source_vectors: npt.NDArray[np.float32] | None = None,
) -> Score:
    """``s`` with the translated and reworded passages found by meaning (module docstring).

    ``copy_vectors`` embeds the copy's passages (default: the encoder, now);
    ``source_vectors``: the source's body passages' vectors as the index stores them
    (default, or when they do not match the source's passages: embedded now).
    """
    # the aligner reads the first MAX_SENTENCES of each side: nothing past them is
    # embedded either (a hostile 50 MB copy would otherwise be embedded whole, ~10 min)
    cunits = _unexplained(copy, s.added)[: bitext.MAX_SENTENCES]
    sunits = list(source.body_passages())
    if source_vectors is not None and len(source_vectors) == len(sunits):
        source_vectors = source_vectors[: bitext.MAX_SENTENCES]
    else:
        source_vectors = None
    sunits = sunits[: bitext.MAX_SENTENCES]
    # a run needs RUN_PAIRS copy units at least: fewer are not worth embedding the source
    if len(cunits) < bitext.RUN_PAIRS or not sunits:
        return s
    if source.lang not in encoder.LANGUAGES | {UNDETERMINED}:
        return s
    if copy_vectors is None:
        cv = cache.embed([copy.norm.original(p.first, p.last) for p in cunits])
    else:
        cv = copy_vectors(cunits)
    if source_vectors is None:  # (kept by content: a source compared again is not embedded)
        source_vectors = cache.embed([source.norm.original(p.first, p.last) for p in sunits])
    runs = [r for r in bitext.align_sentences(cv, source_vectors) if r.found]
    if not runs:
        return s
    pairs: list[AlignedPair] = []
    alterations: list[Alteration] = []
    copied = bytearray(len(source.norm))
    for r in runs:
        pieces: list[list[bitext.SentencePair]] = []
        for sp in r.pairs:  # one passage per paragraph of the copy
            if pieces and cunits[pieces[-1][-1].copy[0]].block == cunits[sp.copy[0]].block:
                pieces[-1].append(sp)
            else:
                pieces.append([sp])
        for piece in pieces:
            c0, c1 = cunits[piece[0].copy[0]], cunits[piece[-1].copy[1] - 1]
            s0, s1 = sunits[piece[0].src[0]], sunits[piece[-1].src[1] - 1]
            cspan = (_chars(copy, c0)[0], _chars(copy, c1)[1])
            sspan = (_chars(source, s0)[0], _chars(source, s1)[1])
            lang = copy.blocks[c0.block].lang
            kind = TRANSLATION if lang not in (source.lang, UNDETERMINED) else REWORDED
            sim = sum(p.similarity for p in piece) / len(piece)
            pairs.append(AlignedPair(sspan, cspan, round(sim, 6), kind=kind, lang=lang))
            for sp in piece:
                for k in range(*sp.src):
                    copied[sunits[k].first : sunits[k].last] = b"\x01" * sunits[k].size
            if kind == TRANSLATION:  # a rewrite in the same language may round them
                src_text = source.norm.text[sspan[0] : sspan[1]]
                copy_text = copy.norm.text[cspan[0] : cspan[1]]
                alterations += _number_alterations(src_text, copy_text, sspan[0], cspan[0])
                src_lang = source.blocks[s0.block].lang
                lost, new = calendar_words.moved(
                    src_text, source.lang if src_lang == UNDETERMINED else src_lang,
                    copy_text, lang,
                )  # fmt: skip
                alterations += _alteration(
                    NUMBER, lost, new, src_text, copy_text, sspan[0], cspan[0]
                )
                alterations += _name_alterations(source, copy, (s0, s1), (c0, c1), sspan, cspan)
    already = bytearray(len(source.norm.text))
    for p in s.pairs:
        if p.found:
            already[p.source_span[0] : p.source_span[1]] = b"\x01" * (
                p.source_span[1] - p.source_span[0]
            )
    extra = sum(
        1 for i in range(len(source.norm)) if copied[i] and not already[source.norm.starts[i]]
    )
    covered = bytearray(len(copy.norm.text))
    for p in pairs:
        covered[p.copy_span[0] : p.copy_span[1]] = b"\x01" * (p.copy_span[1] - p.copy_span[0])
    added = tuple(
        a
        for a in s.added
        if 2 * sum(covered[a.copy_span[0] : a.copy_span[1]]) < a.copy_span[1] - a.copy_span[0]
    )
    n_tr = sum(1 for p in pairs if p.kind == TRANSLATION)
    what = ", ".join(
        part
        for part in (
            f"{n_tr} passage{'s' if n_tr != 1 else ''} translated" if n_tr else "",
            f"{len(pairs) - n_tr} reworded" if len(pairs) > n_tr else "",
        )
        if part
    )
    # copy words of the body (in the source's language) that were unexplained and are now
    # reworded text: the copy coverage counts them, as it counts ``detect``'s
    was_open = bytearray(len(copy.norm.text))
    for a in s.added:
        was_open[a.copy_span[0] : a.copy_span[1]] = b"\x01" * (a.copy_span[1] - a.copy_span[0])
    gained = sum(
        1
        for b in copy.blocks
        if copy.in_body(b, source.lang)
        for i in range(b.first, b.last)
        if covered[copy.norm.starts[i]] and was_open[copy.norm.starts[i]]
    )
    s = replace(
        s,
        pairs=join(s.pairs, pairs, source.norm, copy.norm),
        added=added,
        missing=_still_missing(source, s.missing, pairs),
        copy_coverage=round(min(1.0, s.copy_coverage + gained / max(1, s.copy_words)), 6),
        alterations=(*s.alterations, *alterations),
        meaning_changed=s.meaning_changed or bool(alterations),
    )
    if not extra:
        return replace(s, reason=f"{s.reason}; {what} (matched by meaning)")
    copied_words = s.copied_words + extra
    share = copied_words / s.source_words if s.source_words else 0.0
    j = judge(
        copied_words=copied_words,
        in_order_words=min(s.found_words, copied_words),
        source_coverage=max(s.source_coverage, share),
        copied_share=share,
        fidelity=s.fidelity,
        meaning_changed=s.meaning_changed,
        longest_close=0,
        longest_found=max(sum(sunits[k].size for k in range(*r.src)) for r in runs),
        found_passages=sum(1 for p in s.pairs if p.found),
        policy=policy,
    )
    return replace(
        s,
        verdict=j.verdict,
        extent=j.extent,
        wording=j.wording,
        copied_words=copied_words,
        reason=f"{j.reason}; {what} (matched by meaning, {encoder.encoder_name()})",
        rule=f"{j.rule}; translated and reworded sentences found by "
        f"{bitext.__name__}: runs of {bitext.RUN_PAIRS}+ sentence pairs, mean similarity "
        f">= {bitext.RUN_MIN}",
    )
