"""Synonyms: WordNet 3.0's synonym sets, for the reworded-passage search.

An article spinner replaces words by thesaurus synonyms ("range" -> "extent", "restrict"
-> "curtail"), which the search's 5-character stems (:mod:`provenance.match.bags`) cannot
see. The table (``synonyms.dat`` beside this module, compiled by
``scripts/build_synonyms.py``; WordNet's licence is at its top) holds one row a synset:
its single-word lemmas (and their irregular forms), for the first three senses of each
word. It is read once, on the first question (only when the search compares two texts).

The file loads without work (:func:`dump` writes it, :func:`load` reads it): a text head
(WordNet's licence, the format, the sizes and a checksum), then arrays of little-endian
32-bit numbers and the words' bytes. Loading reads the bytes, checks the checksum and
copies the arrays (under 1 ms); a word is found through a hash table of the words
(xxh3 of its bytes, open addressing), and only the words a check asks about, and their
synonyms, are ever decoded into Python strings.

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

import sys
from array import array
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

import xxhash

from provenance.errors import DataFileError
from provenance.match.bags import STEM, STOP

#: The table's file, beside this module.
TABLE = "synonyms.dat"
#: The line that says a file is such a table (and of which format).
FORMAT = "# format: prov-synonyms 3"
#: The head's last line: the sizes of the arrays that follow, and their checksum.
SIZES = "# sizes: "
_EMPTY: frozenset[int] = frozenset()
_NONE: frozenset[str] = frozenset()
#: The ``array`` type code of an unsigned 32-bit number.
_U32 = next(code for code in "IL" if array(code).itemsize == 4)
#: After the head, arrays of little-endian unsigned 32-bit numbers, in this order (their
#: sizes from the sizes line ``R M W N S B``: rows, row entries, words, word entries, hash
#: slots, word bytes), then the words' bytes (UTF-8, sorted, end to end):
#: ``row_off`` (R + 1: row k's words are ``row_words[row_off[k]:row_off[k + 1]]``),
#: ``row_words`` (M word numbers), ``word_off`` (W + 1: word i's bytes), ``ref_off``
#: (W + 1: word i's rows are ``refs[ref_off[i]:ref_off[i + 1]]``), ``refs`` (N row
#: numbers) and ``slots`` (S, a power of two over W: word number + 1 at the xxh3 of its
#: bytes or the next free slot, 0 for none).
ARRAYS = ("row_off", "row_words", "word_off", "ref_off", "refs", "slots")


def _hash(key: bytes) -> int:
    return xxhash.xxh3_64_intdigest(key)


def _u32(numbers: Iterable[int]) -> bytes:
    out = array(_U32, numbers)
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def dump(rows: Sequence[Sequence[str]], head: str = "") -> bytes:
    """The table of these rows of synonymous words, as :func:`load` reads it.

    ``head``: lines that each start with ``#`` (the data's licence), written first.
    Deterministic: the same rows in the same order give the same bytes.
    """
    lines = head.splitlines()
    if any(not line.startswith("#") for line in lines):
        raise ValueError("every line of a synonym table's head starts with '#'")
    words = sorted({w for row in rows for w in row})
    number = {w: i for i, w in enumerate(words)}
    refs: list[list[int]] = [[] for _ in words]
    row_off, row_words = [0], []
    for k, row in enumerate(rows):
        for w in dict.fromkeys(row):
            row_words.append(number[w])
            refs[number[w]].append(k)
        row_off.append(len(row_words))
    encoded = [w.encode("utf-8", "surrogatepass") for w in words]
    word_off, ref_off, flat_refs = [0], [0], []
    for key, ks in zip(encoded, refs, strict=True):
        word_off.append(word_off[-1] + len(key))
        flat_refs += ks
        ref_off.append(len(flat_refs))
    size = 8
    while size < len(words) * 3 // 2 or size <= len(words):
        size *= 2
    slots = [0] * size
    for i, key in enumerate(encoded):
        h = _hash(key) & (size - 1)
        while slots[h]:
            h = (h + 1) & (size - 1)
        slots[h] = i + 1
    blob = b"".join(encoded)
    body = b"".join(
        [_u32(a) for a in (row_off, row_words, word_off, ref_off, flat_refs, slots)] + [blob]
    )
    sizes = (len(rows), len(row_words), len(words), len(flat_refs), size, len(blob))
    text = "".join(f"{line}\n" for line in lines)
    text += f"{FORMAT}\n{SIZES}{' '.join(map(str, sizes))} {xxhash.xxh3_64_hexdigest(body)}\n"
    return text.encode("utf-8") + body


class Table:
    """Rows of synonymous words (WordNet's synsets), and each word's rows: the arrays
    of a table file (:func:`dump`), of which only what a question asks is decoded."""

    def __init__(self, data: bytes, where: str = "synonym table") -> None:
        """A table from a file's bytes (:func:`load` says where it is in its errors).

        Raises:
            DataFileError: the bytes are not such a table, or are damaged.
        """
        fix = "reinstall prov, or rebuild it with scripts/build_synonyms.py"
        at = data.find(b"\n" + SIZES.encode("ascii"))
        end = data.find(b"\n", at + 1) if at >= 0 else -1
        head = data[: max(at, 0)].split(b"\n")
        if end < 0 or not data.startswith(b"#") or FORMAT.encode("ascii") not in head:
            raise DataFileError(f"{where}: not a synonym table (no '{FORMAT}' line); {fix}")
        fields = data[at + 1 + len(SIZES) : end].split()
        if len(fields) != 7 or not all(f.isdigit() and len(f) <= 12 for f in fields[:6]):
            raise DataFileError(f"{where}: the synonym table is damaged (its sizes); {fix}")
        r, m, w, n, s, b = map(int, fields[:6])
        counts = [r + 1, m, w + 1, w + 1, n, s]  # the ARRAYS
        body = memoryview(data)[end + 1 :]  # (no copy)
        want = 4 * sum(counts) + b
        if len(body) < want:
            raise DataFileError(f"{where}: the synonym table is cut short; {fix}")
        if len(body) > want or xxhash.xxh3_64_hexdigest(body).encode("ascii") != fields[6]:
            raise DataFileError(f"{where}: the synonym table is damaged (checksum); {fix}")
        arrays: list[array[int]] = []
        pos = 0
        for count in counts:
            got = array(_U32)
            got.frombytes(body[pos : pos + 4 * count])
            if sys.byteorder == "big":
                got.byteswap()
            arrays.append(got)
            pos += 4 * count
        self._row_off, self._row_words, self._word_off, self._ref_off, self._refs = arrays[:5]
        self._slots, self._words = arrays[5], bytes(body[pos:])
        ends = (self._row_off[-1], self._word_off[-1], self._ref_off[-1])
        if ends != (m, b, n) or s & (s - 1) or s <= w:
            raise DataFileError(f"{where}: the synonym table is damaged (its arrays); {fix}")
        self._mask = s - 1
        self._made: dict[str, frozenset[int]] = {}
        self._near: dict[str, frozenset[str]] = {}

    @classmethod
    def of(cls, rows: Sequence[Sequence[str]]) -> Table:
        """A table of these rows (for tests and small tables)."""
        return cls(dump(rows))

    def __len__(self) -> int:
        """How many words the table holds."""
        return len(self._word_off) - 1

    def _number(self, word: str) -> int:
        """The word's number in the table, or -1."""
        key = word.encode("utf-8", "surrogatepass")
        slots, off, words, mask = self._slots, self._word_off, self._words, self._mask
        h = _hash(key) & mask
        while i := slots[h]:
            if off[i] - off[i - 1] == len(key) and words[off[i - 1] : off[i]] == key:
                return i - 1
            h = (h + 1) & mask
        return -1

    def _index(self, word: str) -> list[int]:
        i = self._number(word)
        return [] if i < 0 else self._refs[self._ref_off[i] : self._ref_off[i + 1]].tolist()

    def row(self, k: int) -> list[str]:
        """The words of row ``k``."""
        off, words = self._word_off, self._words
        return [
            words[off[i] : off[i + 1]].decode("utf-8", "surrogatepass")
            for i in self._row_words[self._row_off[k] : self._row_off[k + 1]]
        ]

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
                for w in self.row(k):
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
        DataFileError: the file is missing or unreadable, not a synonym table, or damaged.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(
            f"{path}: the synonym table is missing; "
            "reinstall prov, or rebuild it with scripts/build_synonyms.py"
        ) from None
    except OSError as e:
        raise DataFileError(
            f"{path}: the synonym table cannot be read ({e.strerror or e}); "
            "reinstall prov, or rebuild it with scripts/build_synonyms.py"
        ) from None
    return Table(data, str(path))


@cache
def table() -> Table:
    """The table that ships with prov (read once)."""
    return load(Path(__file__).parent / TABLE)


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
    more, not function words), by stem: how :class:`Relation` holds a text."""
    out: dict[str, list[str]] = {}
    for w in set(words):
        if len(w) >= 3 and w not in STOP and w.isalpha():
            out.setdefault(w[:STEM], []).append(w)
    return dict(out)


def stem_rows(table: Table, words: Mapping[str, Sequence[str]]) -> dict[str, frozenset[int]]:
    """The rows of ``table`` that hold a word of a text (:func:`by_stem`) with each
    stem; stems of words in no row are left out."""
    rows_of = table.rows_of
    out: dict[str, frozenset[int]] = {}
    for stem, ws in words.items():
        rows = rows_of(ws[0])
        for w in ws[1:]:
            rows = rows | rows_of(w)
        if rows:
            out[stem] = rows
    return out


class Relation:
    """Synonymy between the stems of some texts (two, compared): two stems are
    synonyms when a word of the texts with one and a word with the other are (see the
    module docstring).

    Called with a stem, it gives the stems of the texts that are its synonyms: the
    stems of its words' synonyms that some word of the texts has, and whose rows meet
    its own. Each text is held by stem (:func:`by_stem`), never merged with the others;
    each word is looked up in the table once, when first needed (or a text's stems'
    rows come made, :meth:`of`, once a text compared with many).
    """

    def __init__(
        self,
        *texts: Iterable[str],
        synonyms: Table | None = None,
        known: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """``known``: one more text's words, as :func:`by_stem` gives them."""
        self._table = synonyms
        self._texts: list[Mapping[str, Sequence[str]]] = [by_stem(t) for t in texts]
        if known:
            self._texts.append(known)
        self._given: list[Mapping[str, frozenset[int]]] | None = None
        self._stems: frozenset[str] | None = None
        self._rows: dict[str, frozenset[int]] = {}
        self._made: dict[str, frozenset[str]] = {}

    @classmethod
    def of(
        cls,
        texts: Sequence[Mapping[str, Sequence[str]]],
        synonyms: Table,
        rows: Sequence[Mapping[str, frozenset[int]]],
    ) -> Relation:
        """The relation of texts given by stem, with their stems' rows
        (:func:`stem_rows`, made once a text)."""
        out = cls(synonyms=synonyms)
        out._texts, out._given = list(texts), list(rows)
        return out

    @property
    def stems(self) -> frozenset[str] | None:
        """The only stems that may have synonyms, when the texts' stems' rows come made
        (:meth:`of`): those of words in some row (the others have none). None when the
        rows are looked up on demand."""
        if self._given is None:
            return None
        if self._stems is None:
            self._stems = frozenset().union(*(rows.keys() for rows in self._given))
        return self._stems

    @property
    def table(self) -> Table:
        """The table (the one that ships with prov is read on the first question)."""
        if self._table is None:
            self._table = table()
        return self._table

    @property
    def words(self) -> dict[str, list[str]]:
        """The texts' words by stem, all texts together (made when asked)."""
        out: dict[str, list[str]] = {}
        for text in self._texts:
            for stem, ws in text.items():
                have = out.setdefault(stem, [])
                have.extend(w for w in ws if w not in have)
        return out

    def rows(self, stem: str) -> frozenset[int]:
        """The table rows of the texts' words with this stem."""
        if self._given is not None:  # each text's, made: no memo needed
            out = _EMPTY
            for rows in self._given:
                more = rows.get(stem)
                if more:
                    out = more if not out else out | more
            return out
        got = self._rows.get(stem)
        if got is None:
            got = _EMPTY
            rows_of = self.table.rows_of
            for text in self._texts:
                for w in text.get(stem, ()):
                    got = got | rows_of(w)
            self._rows[stem] = got
        return got

    def __call__(self, stem: str) -> frozenset[str]:
        got = self._made.get(stem)
        if got is None:
            out: set[str] = set()
            near = self.table.near
            for text in self._texts:
                for w in text.get(stem, ()):
                    out.update(near(w))
            out.discard(stem)
            if out:
                rows, of, texts = self.rows(stem), self.rows, self._texts
                out = {s for s in out if rows & of(s) and any(s in t for t in texts)}
            got = self._made[stem] = frozenset(out) if out else _NONE
        return got
