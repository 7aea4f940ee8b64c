"""Names that differ between a translated passage and its source (pure functions).

A person's or a place's name survives translation ("Velmora" stays "Velmora" in
French, German or Spanish, give or take an ending: "Velmoras"), so a name of the source
passage that its translation lacks, or one the translation brings, was most likely
changed. What is a name: a word written with a capital inside a sentence (or at its
start, when the text writes it so elsewhere too; after an elided article, "d'Aarvik",
the capital after the apostrophe) and never in lower case in its text, without digits
(numbers are compared on their own), and not a word that languages capitalise by their
own rules:

- days, months and compass points ("Tuesday", "Freitag", "du Sud"), titles ("Minister",
  "Herr") and the pronoun "I";
- institutions ("Authority", "Ministero", "Comisión": :mod:`.namewords`) and the words
  that complete one ("Ministry of Health", "ministère de la Santé"), unless the text also
  writes that word outside such a name ("the Authority of Velmora ... the mayor of
  Velmora"): a department is an ordinary word, translated ("Gesundheitsministerium").

German (and Luxembourgish) capitalise every noun: their capitals say nothing, so a
capitalised word of theirs is taken for a name only with evidence from the other text
(:func:`changed_names`).

A name matches a word of the other text when they are equal or share a stem, accents
aside (a common prefix of 4 letters, or of 3 with at most 2 letters left on the shorter
word: "Velmora"/"Velmoras", "Roma"/"Rome", "Frankfurt"/"Fráncfort"), or, failing that,
when the encoder puts it close to a word or two of the other passage
(:data:`TRANSLATED_NAME`: "Syria"/"Siria", "UN"/"ONU"), or it is an acronym of the other
passage's words ("UN"/"Nazioni Unite").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from provenance.semantic.namewords import (
    Survey,
    candidate,
    first_of_name,
    fold,
    names,
    per_text,
    survey,
    written,
)
from provenance.text.normalize import Normalized
from provenance.text.segment import is_sentence_start

#: Languages whose writing capitalises every noun (their capitals say nothing of names).
NOUN_CAPITALISING = frozenset({"de", "lb"})


def _stem_match(a: str, b: str) -> bool:
    """Equal, or a common prefix of 4 letters, or of 3 with at most 2 letters left on
    the shorter word (folded words)."""
    if a == b:
        return True
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= 4 or (n >= 3 and n >= min(len(a), len(b)) - 2)


def _matches(name: str, words: _Words) -> bool:
    return name in words.all or any(_stem_match(name, w) for w in words.by_prefix.get(name[:3], ()))


@dataclass(frozen=True, slots=True)
class _Words:
    """Folded words, and by their first 3 letters (a stem match shares them)."""

    all: frozenset[str]
    by_prefix: dict[str, list[str]]


def _words(words: Sequence[str]) -> _Words:
    folded = frozenset(fold(w) for w in words)
    by_prefix: dict[str, list[str]] = {}
    for w in folded:
        by_prefix.setdefault(w[:3], []).append(w)
    return _Words(folded, by_prefix)


@per_text
def _vocabulary(norm: Normalized) -> _Words:
    """A whole text's words (a name brought in is in none of them)."""
    return _words(norm.words)


#: Max similarity of each name to any of some phrases (the encoder's, on single words).
Similarity = Callable[[Sequence[str], Sequence[str]], list[float]]
#: A name whose vector is this close to a word (or two) of the other passage was
#: translated, not changed: measured on single words with the multilingual USE v3,
#: translations of names score 0.69-0.92 (Council/Consiglio 0.69, Syria/Siria 0.92,
#: Tuesday/martedì 0.86, UN/ONU 0.76), different names of one kind 0.32-0.63
#: (Obama/Bush 0.63, Germany/Francia 0.59, Velmora/Castrano 0.32).
TRANSLATED_NAME = 0.66


def _phrases(norm: Normalized, first: int, last: int) -> list[str]:
    """A passage's words and pairs of words, as written ("UN" is "Nazioni Unite")."""
    words = [norm.text[norm.starts[i] : norm.ends[i]] for i in range(first, last)]
    return list(
        dict.fromkeys([*words, *(f"{a} {b}" for a, b in zip(words[:-1], words[1:], strict=True))])
    )


def _initials(norm: Normalized, first: int, last: int) -> set[str]:
    """The initials of 2-5 consecutive words, in either order (an acronym translated
    as its words: "Nazioni Unite" for "UN", adjective after the noun)."""
    heads = [written(norm, i)[:1].upper() for i in range(first, last)]  # ("l'ONU": O)
    out: set[str] = set()
    for n in range(2, 6):
        for i in range(len(heads) - n + 1):
            run = "".join(heads[i : i + n])
            out.update((run, run[::-1]))
    return out


@dataclass(frozen=True, slots=True)
class _Side:
    """One passage: its text, word range, language and name candidates."""

    norm: Normalized
    first: int
    last: int
    capitalising: bool  # a noun-capitalising language: its candidates are not names yet
    survey: Survey
    candidates: tuple[int, ...]  # word indices, in order

    @property
    def folded(self) -> _Words:
        return _words(self.norm.words[self.first : self.last])


def _side(norm: Normalized, words: tuple[int, int], lang: str) -> _Side:
    seen = survey(norm)
    cands = tuple(
        i for i in range(*words) if candidate(norm, seen, i) or first_of_name(norm, seen, i)
    )
    return _Side(norm, words[0], words[1], lang in NOUN_CAPITALISING, seen, cands)


def _unexplained(
    side: _Side, other: _Side, similarity: Similarity | None, named_in: Normalized | None = None
) -> list[int]:
    """``side``'s candidates that ``other`` has no word for: none of the same stem, no
    acronym's words, none the encoder puts within :data:`TRANSLATED_NAME`. With
    ``named_in``, only those that text writes as names (the encoder is asked of fewer)."""
    words = other.folded
    out = [i for i in side.candidates if not _matches(fold(side.norm.words[i]), words)]
    if named_in is not None:
        out = [i for i in out if _matches(fold(side.norm.words[i]), _names_of(named_in))]
    if out:  # "UN" is "Nazioni Unite" (NU), "EU" "Unione europea" (UE)
        initials = _initials(other.norm, other.first, other.last)
        out = [
            i
            for i in out
            if not (written(side.norm, i).isupper() and written(side.norm, i) in initials)
        ]
    if out and similarity is not None:
        spelled = list(dict.fromkeys(written(side.norm, i) for i in out))
        phrases = _phrases(other.norm, other.first, other.last)
        sims = dict(zip(spelled, similarity(spelled, phrases), strict=True))
        out = [i for i in out if sims[written(side.norm, i)] < TRANSLATED_NAME]
    return out


def _runs(side: _Side) -> list[list[int]]:
    """Runs of two or more candidates next to each other, one space apart (one name)."""
    out: list[list[int]] = []
    for i in side.candidates:
        gap = side.norm.text[side.norm.ends[i - 1] : side.norm.starts[i]] if i else ""
        if out and out[-1][-1] == i - 1 and gap == " ":
            out[-1].append(i)
        else:
            out.append([i])
    return [r for r in out if len(r) > 1]


def _swaps(a: _Side, a_gone: set[int], b: _Side, b_gone: set[int]) -> list[tuple[int, int]]:
    """A word of a name of several words replaced by another beside a kept word:
    "Maria Keller" -> "Maria Berger", "Viktor Orsan" -> "Pavel Orsan". Pairs of word
    indices ``(in a, in b)``: both unexplained, at the same offset from a pair of kept
    words that match, not both a sentence's first word ("Selon Anna" is "Secondo Anna")."""
    out: list[tuple[int, int]] = []
    for ra in _runs(a):
        for rb in _runs(b):
            for ka, ia in enumerate(ra):
                if ia in a_gone:
                    continue
                for kb, ib in enumerate(rb):
                    if ib in b_gone or not _stem_match(
                        fold(a.norm.words[ia]), fold(b.norm.words[ib])
                    ):
                        continue
                    for d in (-1, 1):
                        if 0 <= ka + d < len(ra) and 0 <= kb + d < len(rb):
                            pa, pb = ra[ka + d], rb[kb + d]
                            if (
                                pa in a_gone
                                and pb in b_gone
                                and _strict(a, {pa}) | _strict(b, {pb})
                            ):
                                out.append((pa, pb))
    return out


def _whole_runs(a: _Side, a_gone: set[int], b: _Side, b_gone: set[int]) -> list[tuple[int, int]]:
    """A name of several words replaced whole by one of as many ("Anna Lindqvist" ->
    "Karin Holm"): when each side has exactly one run of unexplained words, of one length."""
    ra = [r for r in _runs(a) if all(i in a_gone for i in r)]
    rb = [r for r in _runs(b) if all(i in b_gone for i in r)]
    if len(ra) == 1 and len(rb) == 1 and len(ra[0]) == len(rb[0]):
        return list(zip(ra[0], rb[0], strict=True))
    return []


def changed_names(
    source: Normalized,
    src_words: tuple[int, int],
    src_lang: str,
    copy: Normalized,
    copy_words: tuple[int, int],
    copy_lang: str,
    similarity: Similarity | None = None,
) -> tuple[list[str], list[str]]:
    """``(lost, new)``: the source passage's names that its translation lacks, and the
    names the translation brings, as written.

    - A name of the source that the translation has no word for (module docstring) is
      lost, unless it belongs to a name of several words of which a word is kept
      ("Harbour Authority" is "Autorité portuaire"), or that word was replaced beside
      a kept one ("Maria Keller" -> "Maria Berger": :func:`_swaps`).
    - The translation's names that the source passage has no word for are new when
      something was lost; when nothing was, only those the whole source text has no word
      of the same stem for are (a name brought in, not moved from another passage).
    - A noun-capitalising side's capitals are names only with evidence: the other text
      writes the word as a name (elsewhere), a swap within a name of several words
      beside a kept word, one name of several words replaced whole by another, or the
      one word of a sentence facing the one new name of its sentence (:func:`_lone_swaps`).
      When both sides capitalise their nouns, nothing is evidence: no name is listed.
    """
    s = _side(source, src_words, src_lang)
    c = _side(copy, copy_words, copy_lang)
    if s.capitalising and c.capitalising:  # (no evidence either way: a German rewrite)
        return [], []
    # a German side's words count only beside the other side's unexplained names, or
    # named by the other text: when the other side explains all its names, the
    # encoder is asked of those only
    if s.capitalising:
        c_gone = set(_unexplained(c, s, similarity))
        s_gone = set(_unexplained(s, c, similarity, None if _strict(c, c_gone) else copy))
    else:
        s_gone = set(_unexplained(s, c, similarity))
        named_in = source if c.capitalising and not _strict(s, s_gone) else None
        c_gone = set(_unexplained(c, s, similarity, named_in))
    if s.capitalising:  # "Nach Angaben von": a sentence's first word, unexplained
        s, s_gone = _without_loose(s, s_gone)
    if c.capitalising:
        c, c_gone = _without_loose(c, c_gone)
    swaps = _swaps(s, s_gone, c, c_gone) + [(b, a) for a, b in _swaps(c, c_gone, s, s_gone)]
    if s.capitalising or c.capitalising:
        swaps += _whole_runs(s, s_gone, c, c_gone)
    # (a sentence's first word before a name, "Secondo Anna Lindqvist", only in a swap)
    lost = {i for i in _strict(s, s_gone) if _is_name(s, i, copy)}
    new = {i for i in _strict(c, c_gone) if _is_name(c, i, source)}
    # a word of a name of several words counts only when none of them is kept, or it
    # was swapped beside a kept one
    # (a German run is often a noun and a name, "Stadt Aarvik": its names stand alone)
    if not s.capitalising:
        lost -= {i for r in _runs(s) if any(j not in s_gone for j in r) for i in r}
    if not c.capitalising:
        new -= {i for r in _runs(c) if any(j not in c_gone for j in r) for i in r}
    lost |= {a for a, _ in swaps}
    new |= {b for _, b in swaps}
    if not lost:  # a name brought in: the whole source has no word for it
        everywhere = _vocabulary(source)
        new = {i for i in new if not _matches(fold(copy.words[i]), everywhere)}
    if s.capitalising:  # "der Stadt Aarvik" -> "the town of Tessel"
        lost |= {a for a, _ in _lone_swaps(s, s_gone - lost, c, new - {b for _, b in swaps})}
    if c.capitalising:
        new |= {b for b, _ in _lone_swaps(c, c_gone - new, s, lost - {a for a, _ in swaps})}
    return _unique(s, sorted(lost)), _unique(c, sorted(new))


def _strict(side: _Side, gone: set[int]) -> set[int]:
    """``gone`` without the sentences' first words that are candidates only because a
    name follows them (:func:`namewords.first_of_name`)."""
    return {i for i in gone if candidate(side.norm, side.survey, i)}


def _sentences(side: _Side) -> list[range]:
    """The word ranges of a passage's sentences."""
    starts = [
        i
        for i in range(side.first, side.last)
        if i == side.first or is_sentence_start(side.norm, i)
    ]
    return [range(a, b) for a, b in zip(starts, [*starts[1:], side.last], strict=True)]


def _lone_swaps(a: _Side, a_open: set[int], b: _Side, b_names: set[int]) -> list[tuple[int, int]]:
    """A name of ``b`` that ``a`` (a noun-capitalising side) has no word for, and the
    capitalised word of ``a`` it replaced: when the passages have as many sentences, and
    a pair of sentences of one rank has one such name on ``b``'s side and one
    unexplained capitalised word, not yet taken for a name, on ``a``'s. Pairs of word
    indices ``(in a, in b)``."""
    sa, sb = _sentences(a), _sentences(b)
    if len(sa) != len(sb):
        return []
    out: list[tuple[int, int]] = []
    for ra, rb in zip(sa, sb, strict=True):
        wa = [i for i in ra if i in a_open]
        wb = [i for i in rb if i in b_names]
        if len(wa) == 1 and len(wb) == 1:
            out.append((wa[0], wb[0]))
    return out


def _without_loose(side: _Side, gone: set[int]) -> tuple[_Side, set[int]]:
    """A noun-capitalising side without the sentences' first words that begin a name
    only by their capital and that the other side has no word for: in German, a
    sentence's first two words are often capitalised ("Nach Angaben")."""
    loose = {i for i in gone if not candidate(side.norm, side.survey, i)}
    if not loose:
        return side, gone
    kept = tuple(i for i in side.candidates if i not in loose)
    return replace(side, candidates=kept), gone - loose


def _is_name(side: _Side, i: int, other: Normalized) -> bool:
    """Whether an unexplained candidate counts as a name on its own: always, unless its
    language capitalises every noun; then when the other text writes it as a name."""
    return not side.capitalising or _matches(fold(side.norm.words[i]), _names_of(other))


@per_text
def _names_of(norm: Normalized) -> _Words:
    return _words(list(names(norm, 0, len(norm))))


def _unique(side: _Side, indices: list[int]) -> list[str]:
    return list(dict.fromkeys(written(side.norm, i) for i in indices))
