"""Stage 5b, step 0: each text's part of the reworded-passage search, made once a text.

A check compares one copy with many candidate sources, and a server or a scan compares
the same popular sources with one copy after another. What :mod:`provenance.match.detect`
needs of one text alone (its sentences, their bags of stems, how many sentences hold each
stem, the sentences of each stem, its words by stem for the synonym relation, which of
its sentences hold a word of each synonym-table row, and which sentences each stem's
synonyms among its own words reach) does not depend on the other text, so it is made once
and kept: the copy's for the next call, a source's for the next
:data:`MAX_SOURCE_WORDS` words of sources (least recently used goes first).

A text is known by its words tuple itself (kept with what was made of it, so that no
other text can take its place) and by its sentences.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from provenance.match.bags import Flat, bags, flat
from provenance.match.texts import units_holding

if TYPE_CHECKING:
    from provenance.match.synonyms import Table

#: Units (sentences, lines) shorter than this are joined to the next.
MIN_UNIT_WORDS = 10
#: Words of sources whose sides are kept between calls: ~245 bytes a word with all its
#: parts made (bags and unit counts 91, postings 42, row indexes 64, words 28, the rest
#: 20; measured with tracemalloc on a 1,176-word news story), so ~50 MB; a newsroom
#: check's candidates are ~25,000 words.
MAX_SOURCE_WORDS = 200_000
#: A stem in more of a source's sentences than this does not propose pairs (it still
#: counts in the pairs other stems propose): a text of few words repeated would
#: otherwise pair every sentence with every other one.
MAX_STEM_UNITS = 64


def joined(units: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Units of fewer than :data:`MIN_UNIT_WORDS` words joined to the next one they
    touch: a text cut into short lines (verse, a table, a list) still has sentences."""
    out: list[tuple[int, int]] = []
    for s, e in units:
        if out and out[-1][1] == s and out[-1][1] - out[-1][0] < MIN_UNIT_WORDS:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


class Side:
    """One text's part of the search (see the module docstring); nothing in it changes
    once made, but for what is made on first use (the postings, which only a source's
    side is asked for, and the row indexes).

    Attributes:
        units: its sentences (short ones joined), ``[start, end)`` word ranges.
        bags: each sentence's bag of content-word stems.
        holding: how many sentences hold each stem.
        by_stem: its words that synonyms are looked up for, by stem
            (:func:`provenance.match.synonyms.by_stem`).
    """

    __slots__ = (
        "_anchors",
        "_flat",
        "_near",
        "_postings",
        "_row_stems",
        "_rows",
        "_stem_rows",
        "_words",
        "bags",
        "by_stem",
        "holding",
        "units",
    )

    def __init__(self, words: Sequence[str], units: Sequence[tuple[int, int]]) -> None:
        from provenance.match.synonyms import by_stem

        self.units = joined(units)
        self.bags = bags(words, self.units)
        self.holding = units_holding(self.bags)
        self.by_stem: Mapping[str, Sequence[str]] = by_stem(words)
        self._postings: dict[str, list[int]] | None = None
        self._rows: tuple[Table, dict[int, frozenset[int]]] | None = None
        self._stem_rows: tuple[Table, dict[str, frozenset[int]]] | None = None
        self._row_stems: tuple[Table, dict[int, list[str]]] | None = None
        self._near: tuple[Table, dict[str, frozenset[int]]] | None = None
        self._words: frozenset[str] | None = None
        self._flat: Flat | None = None
        self._anchors: tuple[dict[str, list[int]], frozenset[str]] | None = None

    @property
    def flat(self) -> Flat:
        """Its bags end to end (:func:`provenance.match.bags.flat`)."""
        got = self._flat
        if got is None:
            got = self._flat = flat(self.bags)
        return got

    @property
    def postings(self) -> dict[str, list[int]]:
        """The sentences of each stem, in order."""
        got = self._postings
        if got is None:
            got = {}
            for i, b in enumerate(self.bags):
                for t in b:
                    units = got.get(t)
                    if units is None:
                        got[t] = [i]
                    else:
                        units.append(i)
            self._postings = got
        return got

    @property
    def anchors(self) -> tuple[dict[str, list[int]], frozenset[str]]:
        """The sentences of each stem in at most :data:`MAX_STEM_UNITS` of them (which
        propose the pairs of a seed search), and the stems in more."""
        got = self._anchors
        if got is None:
            few = {s: u for s, u in self.postings.items() if len(u) <= MAX_STEM_UNITS}
            got = self._anchors = (few, frozenset(self.postings.keys() - few.keys()))
        return got

    def stem_rows(self, table: Table) -> dict[str, frozenset[int]]:
        """The rows of ``table`` that hold a word of the text with each stem (stems of
        words in no row left out)."""
        made = self._stem_rows
        if made is not None and made[0] is table:
            return made[1]
        from provenance.match.synonyms import stem_rows

        out = stem_rows(table, self.by_stem)
        self._stem_rows = (table, out)
        return out

    def row_units(self, table: Table) -> dict[int, frozenset[int]]:
        """The sentences that hold a word of each row of ``table``, by the stems in at
        most :data:`MAX_STEM_UNITS` sentences (a stem's sentences all hold it, whichever
        of its words they have, as the search compares stems)."""
        made = self._rows
        if made is not None and made[0] is table:
            return made[1]
        by_row: dict[int, set[int]] = {}
        for s, units in self.postings.items():
            if len(units) <= MAX_STEM_UNITS:
                file_under_rows(by_row, table, self.by_stem.get(s, ()), units)
        index = {k: frozenset(v) for k, v in by_row.items()}
        self._rows = (table, index)
        return index

    @property
    def words(self) -> frozenset[str]:
        """Its words that synonyms are looked up for (those of :attr:`by_stem`)."""
        got = self._words
        if got is None:
            got = self._words = frozenset(w for ws in self.by_stem.values() for w in ws)
        return got

    def row_stems(self, table: Table) -> dict[int, list[str]]:
        """The stems of the text with a word in each row of ``table`` (:meth:`stem_rows`
        turned round)."""
        made = self._row_stems
        if made is not None and made[0] is table:
            return made[1]
        out: dict[int, list[str]] = {}
        for s, rows in self.stem_rows(table).items():
            for k in rows:
                got = out.get(k)
                if got is None:
                    out[k] = [s]
                else:
                    got.append(s)
        self._row_stems = (table, out)
        return out

    def near_units(self, table: Table) -> dict[str, frozenset[int]]:
        """The sentences that hold a word sharing a row of ``table`` with a word of each
        stem of the text (:meth:`row_units` of the stem's rows), but for the stem's own
        sentences; stems with none left out."""
        made = self._near
        if made is not None and made[0] is table:
            return made[1]
        of_row, postings = self.row_units(table), self.postings
        out: dict[str, frozenset[int]] = {}
        for s, rows in self.stem_rows(table).items():
            near: set[int] = set()
            for k in rows:
                near.update(of_row.get(k, ()))
            near.difference_update(postings.get(s, ()))
            if near:
                out[s] = frozenset(near)
        self._near = (table, out)
        return out


def file_under_rows(
    by_row: dict[int, set[int]], table: Table, words: Iterable[str], units: Sequence[int]
) -> None:
    """Add ``units`` to ``by_row``'s set of every row of ``table`` that holds one of
    ``words``."""
    rows_of = table.rows_of
    for w in words:
        for k in rows_of(w):
            got = by_row.get(k)
            if got is None:
                by_row[k] = set(units)
            else:
                got.update(units)


_last_copy: tuple[Sequence[str], tuple[tuple[int, int], ...], Side] | None = None
_sources: dict[int, tuple[Sequence[str], tuple[tuple[int, int], ...], Side]] = {}
_source_words = 0
_lock = threading.Lock()


def copy_side(words: Sequence[str], units: Sequence[tuple[int, int]]) -> Side:
    """The copy's side, kept for the next call (a check compares one copy with many
    candidate sources)."""
    global _last_copy  # noqa: PLW0603 - a one-entry memo, replaced whole (thread-safe)
    key = tuple(units)
    last = _last_copy
    if last is not None and last[0] is words and isinstance(words, tuple) and last[1] == key:
        return last[2]
    side = Side(words, units)
    _last_copy = (words, key, side)
    return side


def source_side(words: Sequence[str], units: Sequence[tuple[int, int]]) -> Side:
    """A source's side, kept while the sources kept hold at most
    :data:`MAX_SOURCE_WORDS` words (only a words tuple is kept: a list may change)."""
    global _source_words  # noqa: PLW0603 - a process-wide memo, under its lock
    key = tuple(units)
    with _lock:
        got = _sources.pop(id(words), None)
        if got is not None:
            _sources[id(words)] = got  # now the most recently used
    if got is not None and got[0] is words and got[1] == key:
        return got[2]
    side = Side(words, units)
    if isinstance(words, tuple) and len(words) <= MAX_SOURCE_WORDS // 4:
        with _lock:
            old = _sources.pop(id(words), None)
            if old is not None:
                _source_words -= len(old[0])
            _sources[id(words)] = (words, key, side)
            _source_words += len(words)
            while _source_words > MAX_SOURCE_WORDS:
                gone = _sources.pop(next(iter(_sources)))
                _source_words -= len(gone[0])
    return side


def forget() -> None:
    """Drop every side kept (tests; a process that is done with its sources)."""
    global _last_copy, _source_words  # noqa: PLW0603 - the memos, under their lock
    with _lock:
        _last_copy = None
        _sources.clear()
        _source_words = 0
