"""Proper nouns in a text: which words of an edit are names, and whether an edit
changes one (the ``name`` rule of :mod:`provenance.match.risk`, which the attribution and
claim rules read too).

Capitals that start a sentence or a quotation, a heading's title case and a dateline's
words are not names, unless the document writes the word with a capital inside
sentences and never in lower case ("Okafor said ..."): what a whole document says is
cached for the last few documents.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from provenance.match.align import Edit
from provenance.match.lexicon import NOT_NAMES, TITLES
from provenance.text.dates import dateline_spans
from provenance.text.normalize import Normalized
from provenance.text.segment import is_sentence_start

_CACHED_DOCUMENTS = 8


def _starts_clause(norm: Normalized, i: int) -> bool:
    """A sentence start, or the first word after a colon, an opening quotation mark or
    a dash (where a capital does not make a name)."""
    if is_sentence_start(norm, i):
        return True
    gap = norm.text[norm.ends[i - 1] : norm.starts[i]]
    return any(c in gap for c in ':“«„"‘(–—') or gap.strip() == "-"


def _in_dateline(norm: Normalized, i: int) -> bool:
    pos = norm.starts[i]
    return any(a <= pos < b for a, b in dateline_spans(norm.text))


def names_in(norm: Normalized, lo: int, hi: int, title_case: bool = False) -> set[str]:
    """The proper nouns among words ``[lo, hi)``: capitalised titles and initials
    anywhere; other capitalised words unless they start a sentence or clause, stand in
    a heading (``title_case``) or a dateline. Possessive "'s" is dropped."""
    out: set[str] = set()
    for i in range(lo, hi):
        if not norm.text[norm.starts[i]].isupper():
            continue
        w = norm.words[i].removesuffix("'s")
        if w in NOT_NAMES:
            continue
        initial = (
            norm.ends[i] - norm.starts[i] == 1 and norm.text[norm.ends[i] : norm.ends[i] + 1] == "."
        )
        if w in TITLES or initial:
            out.add(w)  # an office or an initial ("J. Blinken") even where a sentence starts
        elif title_case or _in_dateline(norm, i):
            continue
        elif not _starts_clause(norm, i) or w in _proper_nouns(norm):
            out.add(w)  # "Okafor said" starts a sentence, but is a name elsewhere too
    return out


_T = TypeVar("_T")


class _ByText:
    """A document as a cache key: by its text (whose hash Python keeps; the same text
    always has the same words)."""

    __slots__ = ("norm",)

    def __init__(self, norm: Normalized) -> None:
        self.norm = norm

    def __hash__(self) -> int:
        return hash(self.norm.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByText) and other.norm.text == self.norm.text


def _per_text(fn: Callable[[Normalized], _T]) -> Callable[[Normalized], _T]:
    """Cache ``fn(norm)`` for the last few documents (thread-safe: ``lru_cache``)."""

    @lru_cache(maxsize=_CACHED_DOCUMENTS)
    def by_text(key: _ByText) -> _T:
        return fn(key.norm)

    return lambda norm: by_text(_ByText(norm))


@_per_text
def _proper_nouns(norm: Normalized) -> frozenset[str]:
    """Words a document writes with a capital inside sentences and never in lower case:
    its proper nouns, which stay names where they start a sentence."""
    lower: set[str] = set()
    capital: set[str] = set()
    for i, w in enumerate(norm.words):
        if not norm.text[norm.starts[i]].isupper():
            lower.add(w)
        elif not _starts_clause(norm, i):
            capital.add(w.removesuffix("'s"))
    return frozenset(capital - lower - NOT_NAMES)


@_per_text
def _known(norm: Normalized) -> frozenset[str]:
    """Every word of a document (to tell a name it mentions elsewhere from a new one)."""
    return frozenset(w.removesuffix("'s") for w in norm.words)


def name_changed(
    src: Normalized, cp: Normalized, edit: Edit, src_heading: bool, copy_heading: bool
) -> bool:
    """A proper noun replaced by another; or one added or dropped that the other text
    never mentions (not "The Ministers" added where the source speaks of them)."""
    (s0, s1), (c0, c1) = edit.src, edit.copy
    ns, nc = names_in(src, s0, s1, src_heading), names_in(cp, c0, c1, copy_heading)
    only_s, only_c = ns - nc, nc - ns
    if only_s and only_c:
        return True
    if only_s:
        return bool(only_s - _known(cp))
    if only_c:
        return bool(only_c - _known(src))
    return False


def has_capital(norm: Normalized, lo: int, hi: int) -> bool:
    """One of words ``[lo, hi)`` starts with a capital (as :func:`names_in` reads it)."""
    text, starts = norm.text, norm.starts
    for i in range(lo, hi):  # noqa: SIM110 (a loop: most edits are a word or two)
        if text[starts[i]].isupper():
            return True
    return False
