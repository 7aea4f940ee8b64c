"""Which alterations may change what a text says: the risk class of an edit.

Classes, checked in this order (the README's "Alteration classes" says the same, with
the sources of the words):

- ``polarity``: a word replaced by its opposite (WordNet's antonyms, prefix negation,
  prov's relational words: see :mod:`provenance.match.antonyms`), or "non"/"anti"
  added or removed before a word.
- ``attribution``: the reporting verb changed to one of another kind ("said" ->
  "admitted", "claimed", "denied"); the speaker changed ("according to police" ->
  "according to witnesses", "he said" -> "they said"; a name changed there is a
  ``name``); a statement's source added or removed ("officials said", "according to
  police").
- ``qualifier``: a word of one qualifier family exchanged for another family's or none:
  negation, hedges and hearsay ("may", "appears to", "reportedly", "allegedly"), modal
  strength ("may" -> "will", "should" -> "must"), quantifiers ("all", "some", "most",
  "few"), degree ("only", "almost"), falsity ("falsely").
- ``claim``: material added or dropped that says something about a named entity: an
  appositive (", a former police chief,"), a relative clause (", who ..."), a whole
  sentence with a name or a number.
- ``number``: a figure, a number word, a date word.
- ``name``: a proper noun replaced by another, or one added or dropped that the other
  text never mentions. Capitals that start a sentence or a quotation, a heading's title
  case and a dateline's words are not names, unless the document writes the word with a
  capital inside sentences and never in lower case ("Okafor said ...").
- Spelling variants of one word ("U.S." -> "US", "per cent" -> "percent") are wording.
- ``wording``: anything else (the meaning is probably the same).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from provenance.match.align import DELETION, INSERTION, Edit
from provenance.match.antonyms import NEGATING_PREFIX_WORDS, opposite
from provenance.match.lexicon import (
    AMBIGUOUS_REPORTING,
    ARTICLES,
    HEDGE_VERBS,
    NUMBER_WORDS,
    PRONOUNS,
    QUALIFIERS,
    RELATIVES,
    REPORTING_KIND,
    SOURCE_KIND,
    TITLES,
)
from provenance.match.names import has_capital, name_changed, names_in
from provenance.text.normalize import Normalized
from provenance.text.segment import is_sentence_start

QUALIFIER, NAME, NUMBER, WORDING = "qualifier", "name", "number", "wording"
POLARITY, ATTRIBUTION, CLAIM = "polarity", "attribution", "claim"
#: Riskiest first: the order alterations are listed in.
RISK_ORDER = {
    POLARITY: 0,
    QUALIFIER: 1,
    ATTRIBUTION: 2,
    CLAIM: 3,
    NAME: 4,
    NUMBER: 5,
    WORDING: 6,
}
MEANING_RISKS = frozenset({POLARITY, QUALIFIER, ATTRIBUTION, CLAIM, NAME, NUMBER})

_CLAIM_MIN_WORDS = 2
_SENTENCE_CLAIM_MIN_WORDS = 4


def qualifier_families(words: tuple[str, ...] | list[str]) -> set[str]:
    fams = set()
    for w in words:
        fam = QUALIFIERS.get(w) or ("negation" if w.endswith("n't") else None)
        if fam:
            fams.add(fam)
    return fams


#: Edits' word pairs whose :func:`_polarity` is kept (a check scores near-copies of one
#: text, their edits alike: the same words, the same answer, from the tables alone).
POLARITY_MEMO = 4096


def forget_edits() -> None:
    """Empty the memos of edits' words (a check starts or ends: each check's edits are
    classified from scratch, its memo holding only what its own candidates share)."""
    _polarity.cache_clear()
    _by_words.cache_clear()


@lru_cache(maxsize=POLARITY_MEMO)
def _polarity(sw: tuple[str, ...], cw: tuple[str, ...]) -> tuple[str, str] | None:
    """A word of each side that are opposites (neither on the other side): a function of
    the words alone (and the antonym tables, fixed), memoised."""
    for a in sw:
        if a in cw:
            continue
        for b in cw:
            if b not in sw and opposite(a, b):
                return a, b
    return None


def _reporting_kinds(words: tuple[str, ...]) -> set[str]:
    return {REPORTING_KIND[w] for w in words if w in REPORTING_KIND}


def _near_reporting(norm: Normalized, lo: int, hi: int) -> bool:
    """Words ``[lo, hi)`` stand right before or after a reporting verb (in lower case:
    "State" in "Secretary of State" is no verb)."""
    return any(
        0 <= i < len(norm)
        and norm.words[i] in REPORTING_KIND
        and norm.text[norm.starts[i]].islower()
        for i in (lo - 1, hi)
    )


def _after_according(norm: Normalized, lo: int) -> bool:
    """Word ``lo`` is in the phrase after "according to" (within four words, no
    punctuation between)."""
    if "according" not in norm.words[lo - 5 if lo > 5 else 0 : lo - 1 if lo > 1 else 0]:
        return False  # (the four words before, at one look: this runs for most edits)
    for i in range(lo, max(1, lo - 4), -1):
        if norm.words[i - 2 : i] == ("according", "to"):
            gap = norm.text[norm.ends[i - 1] : norm.starts[lo]] if lo < len(norm) else ""
            return not any(c in gap for c in ",.;:!?")
    return False


def _claim(norm: Normalized, lo: int, hi: int) -> bool:
    """Words ``[lo, hi)`` (added or dropped) say something about a named entity: an
    appositive after a name, a relative clause, or a whole sentence with a name or a
    number."""
    n = hi - lo
    if n < _CLAIM_MIN_WORDS or lo == 0:
        return False
    text = norm.text
    before = text[norm.ends[lo - 1] : norm.starts[lo]]
    after = (
        text[norm.ends[hi - 1] : norm.starts[hi]] if hi < len(norm) else text[norm.ends[hi - 1] :]
    )
    opened = any(c in before for c in ",(–—")
    closed = any(c in after[:3] for c in ",)–—.;")
    first = norm.words[lo]
    if opened and closed and first in RELATIVES:
        return True  # ", who was arrested in 2019,"
    if opened and closed and (first in ARTICLES or first in TITLES or first.endswith("'s")):
        return bool(names_in(norm, lo - 1, lo)) or norm.text[norm.starts[lo - 1]].isupper()
    if (
        is_sentence_start(norm, lo)
        and n >= _SENTENCE_CLAIM_MIN_WORDS
        and any(c in after[:3] for c in ".!?")
    ):
        has_number = any(w[:1].isdigit() or w in NUMBER_WORDS for w in norm.words[lo:hi])
        return has_number or bool(names_in(norm, lo, hi))
    return False


def inserted_claim(norm: Normalized, lo: int, hi: int) -> bool:
    """Copy words ``[lo, hi)``, a run the copy adds *inside* copied text (copied words on
    both sides), assert something about a named entity: a whole sentence with a name or a
    number, an appositive or a relative clause (the ``claim`` rule, applied to text that
    no aligned passage took in)."""
    return _claim(norm, lo, hi)


@dataclass(frozen=True, slots=True)
class _Words:
    """What an edit's words alone (its kind, its two sides' words and the tables) decide
    of its class: :func:`classify` reads the text around them for the rest."""

    #: the class the rules before the first one that reads the text give, if any
    decided: str | None
    #: each side's qualifier families, but the one the word after the side may add
    fams_s: frozenset[str]
    fams_c: frozenset[str]
    #: each side's last word when the word after it may add a family ("seems to",
    #: "so called"), else ""
    tail_s: str
    tail_c: str
    #: the two sides hold opposites (polarity, after the qualifier rule)
    pair: bool
    #: a pronoun on one side only (the speaker changed, next to a reporting verb)
    speaker: bool
    #: after "according to": another kind of source, or another pronoun
    other_source: bool
    #: a figure, a number word or a date word
    number: bool


#: Edits' words whose :func:`_by_words` is kept (see :data:`POLARITY_MEMO`).
EDIT_MEMO = 4096
_REPORTING_WORDS = frozenset(REPORTING_KIND)
_SOURCE_WORDS = frozenset(SOURCE_KIND)


def _word_families(words: tuple[str, ...]) -> tuple[frozenset[str], str]:
    """:func:`_families` of words alone: the families and the last word when the word
    after it (outside ``words``) may add one."""
    fams = qualifier_families(words)
    for k in range(len(words) - 1):
        w, following = words[k], words[k + 1]
        if w in HEDGE_VERBS and following in ("to", "that"):
            fams.add("hedge")
        elif w == "so" and following == "called":
            fams.add("hearsay")
    tail = words[-1] if words and (words[-1] in HEDGE_VERBS or words[-1] == "so") else ""
    return frozenset(fams), tail


def _tail_family(norm: Normalized, hi: int, tail: str) -> frozenset[str]:
    """The family ``tail`` (the last word of ``[lo, hi)``) adds with the word after it."""
    following = norm.words[hi] if hi < len(norm.words) else ""
    if tail in HEDGE_VERBS and following in ("to", "that"):
        return frozenset({"hedge"})
    if tail == "so" and following == "called":
        return frozenset({"hearsay"})
    return frozenset()


@lru_cache(maxsize=EDIT_MEMO)
def _by_words(kind: str, sw: tuple[str, ...], cw: tuple[str, ...]) -> _Words:
    """The part of :func:`classify` that reads words alone (the rules' order kept:
    ``decided`` is only what comes before the first rule that reads the text), memoised:
    a check's candidates share most of their edits' words."""
    decided: str | None = None
    pair = _polarity(sw, cw)
    both = sw + cw
    # (most words are in none of the tables: a set test each rules those rules out)
    negating = not NEGATING_PREFIX_WORDS.isdisjoint(both)
    if sw and cw and "".join(sw) == "".join(cw):
        decided = WORDING  # spelling: "U.S." -> "US", "per cent" -> "percent"
    elif (
        pair
        and not (pair[0] in QUALIFIERS and pair[1] in QUALIFIERS)
        and not (pair[0] in NUMBER_WORDS and pair[1] in NUMBER_WORDS)
    ):
        decided = POLARITY
    elif (
        negating and kind != DELETION and any(w in NEGATING_PREFIX_WORDS for w in cw if w not in sw)
    ):
        decided = POLARITY  # "binding" -> "non-binding"
    elif (
        negating
        and kind != INSERTION
        and any(w in NEGATING_PREFIX_WORDS for w in sw if w not in cw)
    ):
        decided = POLARITY
    elif kind in (INSERTION, DELETION):
        side = cw if kind == INSERTION else sw
        if "according" in side or any(
            w in REPORTING_KIND and w not in AMBIGUOUS_REPORTING for w in side
        ):
            decided = ATTRIBUTION
    elif not _REPORTING_WORDS.isdisjoint(both):
        ks, kc = _reporting_kinds(sw), _reporting_kinds(cw)
        if ks and kc and ks != kc:
            decided = ATTRIBUTION  # "said" -> "admitted"
    fams_s, tail_s = _word_families(sw)
    fams_c, tail_c = _word_families(cw)
    pronouns = (
        {w for w in sw if w in PRONOUNS} ^ {w for w in cw if w in PRONOUNS}
        if not PRONOUNS.isdisjoint(both)
        else ()
    )
    other_source = bool(pronouns) or (
        not _SOURCE_WORDS.isdisjoint(both)
        and {SOURCE_KIND[w] for w in sw if w in SOURCE_KIND}
        != {SOURCE_KIND[w] for w in cw if w in SOURCE_KIND}
    )
    return _Words(
        decided=decided,
        fams_s=fams_s,
        fams_c=fams_c,
        tail_s=tail_s,
        tail_c=tail_c,
        pair=bool(pair),
        speaker=bool(pronouns),
        other_source=other_source,
        number=any(w[:1].isdigit() or w in NUMBER_WORDS for w in both),
    )


def classify(
    src: Normalized,
    copy: Normalized,
    edit: Edit,
    src_heading: bool = False,
    copy_heading: bool = False,
) -> str:
    """The risk class of an edit (see the module docstring).

    ``src_heading`` / ``copy_heading``: the edit stands in a heading (title case).
    The rules that read words alone are :func:`_by_words`'s (memoised); those that read
    the text around them (after "according to", next to a reporting verb, the word after
    a hedge, clauses, names) are applied here, in the same order.
    """
    (s0, s1), (c0, c1) = edit.src, edit.copy
    kind = edit.kind
    words = _by_words(kind, src.words[s0:s1], copy.words[c0:c1])
    if words.decided is not None:
        return words.decided
    # (no name without a capital: asked once, for the attribution and name rules)
    capital = has_capital(src, s0, s1) or has_capital(copy, c0, c1)
    if kind != INSERTION and kind != DELETION:
        # the attribution rules that read the text, for a substitution (after "according
        # to", only another source, pronoun or name makes one: not asked without them)
        if (words.other_source or capital) and _after_according(src, s0):
            if words.other_source or names_in(src, s0, s1) ^ names_in(copy, c0, c1):
                return ATTRIBUTION
        elif words.speaker and _near_reporting(src, s0, s1):
            return ATTRIBUTION  # the speaker: "he said" -> "they said"
    qs, qc = words.fams_s, words.fams_c
    if words.tail_s:
        qs = qs | _tail_family(src, s1, words.tail_s)
    if words.tail_c:
        qc = qc | _tail_family(copy, c1, words.tail_c)
    if qs != qc:
        return QUALIFIER
    if words.pair:
        return POLARITY
    if kind == INSERTION and _claim(copy, c0, c1):
        return CLAIM
    if kind == DELETION and _claim(src, s0, s1):
        return CLAIM
    if words.number:
        return NUMBER
    if capital and name_changed(src, copy, edit, src_heading, copy_heading):
        return NAME
    return WORDING
