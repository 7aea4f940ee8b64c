"""Synonyms: WordNet 3.0's synonym sets, for the reworded-passage search.

An article spinner replaces words by thesaurus synonyms ("range" -> "extent", "restrict"
-> "curtail"), which the search's 5-character stems (:mod:`provenance.match.bags`) cannot
see. The table (``synonyms.tsv.gz`` beside this module, compiled by
``scripts/build_synonyms.py``; WordNet's licence is at its top) holds one row a synset:
its single-word lemmas (and their irregular forms), for the first three senses of each
word. It is read once, on the first question (only when the search compares two texts),
in about 40 ms.

Two words are synonyms when a row holds both (a word in no row is looked up as the
lemmas it may be a regular inflection of: :func:`lemmas`). The search compares stems, so
:class:`Relation` lifts this to the stems of two given texts: two stems are synonyms
when some word of the texts with one and some word with the other are. Deciding it on
the texts' own words keeps two words that merely share a stem apart ("discover" is not
"disconnected", a synonym of "abrupt").

>>> table().related("restrict", "curtailed"), table().related("range", "stove")
(True, False)
"""

from __future__ import annotations

import gzip
import zlib
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path

from provenance.errors import DataFileError
from provenance.match.bags import STEM, STOP

#: The table's file, inside the package.
TABLE = "synonyms.tsv.gz"
#: The line that says a file is such a table (and of which format).
FORMAT = "# format: prov-synonyms 2"
_EMPTY: frozenset[int] = frozenset()
_NONE: frozenset[str] = frozenset()


class Table:
    """Rows of synonymous words, and each word's rows (lines ``word<TAB>k,k``, sorted by
    word, found by bisection: nothing is indexed at load)."""

    def __init__(self, rows: list[str], words: list[str]) -> None:
        self.rows, self.words = rows, words
        self._made: dict[str, frozenset[int]] = {}
        self._near: dict[str, frozenset[str]] = {}

    @classmethod
    def of(cls, rows: list[list[str]]) -> Table:
        """A table of these rows (for tests and small tables)."""
        index: dict[str, list[int]] = {}
        for k, row in enumerate(rows):
            for w in row:
                index.setdefault(w, []).append(k)
        words = [f"{w}\t{','.join(map(str, ks))}" for w, ks in sorted(index.items())]
        return cls([" ".join(r) for r in rows], words)

    def __len__(self) -> int:
        return len(self.words)

    def _index(self, word: str) -> list[int]:
        key = word + "\t"
        at = bisect_left(self.words, key)
        if at < len(self.words) and self.words[at].startswith(key):
            return [int(k) for k in self.words[at][len(key) :].split(",")]
        return []

    def rows_of(self, word: str) -> frozenset[int]:
        """The rows that hold the word, or (when it is in none) the lemmas it may be an
        inflection of (:func:`lemmas`)."""
        got = self._made.get(word)
        if got is None:
            found = self._index(word) or [k for w in lemmas(word) for k in self._index(w)]
            got = self._made[word] = frozenset(found) if found else _EMPTY
        return got

    def near(self, word: str) -> frozenset[str]:
        """The stems of the word's synonyms, in their regular inflections."""
        got = self._near.get(word)
        if got is None:
            out: set[str] = set()
            for k in self.rows_of(word):
                for w in self.rows[k].split():
                    if w != word:
                        if len(w) > STEM:
                            out.add(w[:STEM])
                        else:
                            out.update(_stems(w))
            got = self._near[word] = frozenset(out)
        return got

    def related(self, a: str, b: str) -> bool:
        """Whether two words are synonyms (or two forms of one word in the table)."""
        return bool(self.rows_of(a) & self.rows_of(b))


#: Regular English inflections: (ending, what replaces it in the lemma). Derivational
#: endings (-er, -ly) are not undone: "corner" is not "corn", "early" is not "ear".
INFLECTIONS = (
    ("ies", "y"),
    ("ied", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
)


def lemmas(word: str) -> list[str]:
    """The lemmas a word may be a regular inflection of ("parked" -> "park", "carried"
    -> "carry", "stopped" -> "stop"), of at least three letters."""
    out = []
    for ending, lemma in INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) + len(lemma) >= 3:
            stem = word[: len(word) - len(ending)]
            out.append(stem + lemma)
            if not lemma and len(stem) >= 4 and stem[-1] == stem[-2] and ending != "s":
                out.append(stem[:-1])
    return out


def load(path: Path) -> Table:
    """The table at ``path``.

    Raises:
        DataFileError: the file is missing, or not a gzip'd synonym table.
    """
    fix = "reinstall prov, or rebuild it with scripts/build_synonyms.py"
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    except FileNotFoundError:
        raise DataFileError(f"{path}: the synonym table is missing; {fix}") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as e:
        raise DataFileError(f"{path}: the synonym table is damaged ({e}); {fix}") from None
    lines = text.split("\n")
    at = next((k for k, line in enumerate(lines) if line.startswith("# rows: ")), -1)
    if FORMAT not in lines[:at] or not lines[at][8:].isdigit():
        raise DataFileError(f"{path}: not a synonym table (no '{FORMAT}' line); {fix}")
    n = int(lines[at][8:])
    rows, words = lines[at + 1 : at + 1 + n], [w for w in lines[at + 1 + n :] if w]
    if len(rows) < n or any("\t" not in w for w in words[:1] + words[-1:]):
        raise DataFileError(f"{path}: the synonym table is cut short; {fix}")
    return Table(rows, words)


@cache
def table() -> Table:
    """The table that ships with prov (read once)."""
    return load(Path(str(files("provenance.match").joinpath(TABLE))))


def _stems(word: str) -> tuple[str, ...]:
    """The stems of a lemma's regular inflections (what :func:`lemmas` undoes): one
    stem for a word longer than a stem, whose endings fall past it."""
    if len(word) > STEM:
        return (word[:STEM],)
    forms = {word, word + "s", word + "es", word + "ed", word + "ing", word + word[-1] + "ed"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if word.endswith("y"):
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    return tuple({f[:STEM] for f in forms})


def by_stem(words: Iterable[str]) -> dict[str, Sequence[str]]:
    """A text's distinct words that synonyms are looked up for (of three letters or
    more, not function words), by stem: what :class:`Relation` takes as ``known``."""
    out: dict[str, list[str]] = {}
    for w in set(words):
        if len(w) >= 3 and w not in STOP and w.isalpha():
            out.setdefault(w[:STEM], []).append(w)
    return dict(out)


class Relation:
    """Synonymy between the stems of two texts: two stems are synonyms when a word of
    the texts with one and a word with the other are (see the module docstring).

    Called with a stem, it gives the stems of the texts that are its synonyms. Built
    from the texts' words; each word is looked up in the table once, when first needed,
    and a stem's synonyms are found from its own words' rows (never by a pass over the
    texts).
    """

    def __init__(
        self,
        *texts: Iterable[str],
        synonyms: Table | None = None,
        known: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """``known``: one more text's words, as :func:`by_stem` gives them (made once
        for a text compared with many)."""
        self._table = synonyms
        self.words: dict[str, Sequence[str]] = dict(known) if known else {}
        distinct: set[str] = set()
        for words in texts:
            distinct.update(words)
        for w in distinct:
            if len(w) >= 3 and w not in STOP and w.isalpha():
                stem = w[:STEM]
                got = self.words.get(stem)
                if got is None:
                    self.words[stem] = [w]
                elif w not in got:
                    self.words[stem] = [*got, w]  # a new list: ``known``'s stay as they are
        self._rows: dict[str, frozenset[int]] = {}
        self._made: dict[str, frozenset[str]] = {}

    @property
    def table(self) -> Table:
        """The table (the one that ships with prov is read on the first question)."""
        if self._table is None:
            self._table = table()
        return self._table

    def rows(self, stem: str) -> frozenset[int]:
        """The table rows of the texts' words with this stem."""
        got = self._rows.get(stem)
        if got is None:
            out: set[int] = set()
            for w in self.words.get(stem, ()):
                out |= self.table.rows_of(w)
            got = self._rows[stem] = frozenset(out) if out else _EMPTY
        return got

    def __call__(self, stem: str) -> frozenset[str]:
        got = self._made.get(stem)
        if got is None:
            out: set[str] = set()
            for w in self.words.get(stem, ()):
                out.update(self.table.near(w))
            out.discard(stem)
            if out:
                rows = self.rows(stem)
                out = {s for s in out if s in self.words and rows & self.rows(s)}
            got = self._made[stem] = frozenset(out) if out else _NONE
        return got
