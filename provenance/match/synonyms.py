"""Synonyms: WordNet 3.0's synonym sets, as stems, for the reworded-passage search.

An article spinner replaces words by thesaurus synonyms ("range" -> "extent", "restrict"
-> "curtail"), which the search's 5-character stems (:mod:`provenance.match.bags`) cannot
see. The table (``synonyms.tsv.gz`` beside this module, compiled by
``scripts/build_synonyms.py``; WordNet's licence is at its top) holds one row a synset:
the stems of its single-word lemmas and their inflections, for the first three senses
of each word. It is read once, on the first question (only when the search compares two
texts), in about 30 ms.

>>> "curta" in synonyms("restr"), "exten" in synonyms("range"), synonyms("zzzzz")
(True, True, frozenset())
"""

from __future__ import annotations

import gzip
import zlib
from functools import cache
from importlib.resources import files
from pathlib import Path

from provenance.errors import DataFileError
from provenance.match.bags import STEM

#: The table's file, inside the package.
TABLE = "synonyms.tsv.gz"
_EMPTY: frozenset[str] = frozenset()


def load(path: Path) -> Table:
    """Each stem's synonyms (other stems) in the table at ``path``.

    Raises:
        DataFileError: the file is missing, not gzip'd UTF-8 text, or built for
            another stem length than :data:`provenance.match.bags.STEM`.
    """
    fix = "reinstall prov, or rebuild it with scripts/build_synonyms.py"
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    except FileNotFoundError:
        raise DataFileError(f"{path}: the synonym table is missing; {fix}") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as e:
        raise DataFileError(f"{path}: the synonym table is damaged ({e}); {fix}") from None
    if f"# stem: {STEM}\n" not in text:
        raise DataFileError(
            f"{path}: not a synonym table of {STEM}-character stems (no '# stem: {STEM}' "
            f"line); {fix}"
        )
    return Table([line.split() for line in text.splitlines() if line and line[0] != "#"])


class Table:
    """Rows of synonymous stems, indexed by stem; each stem's synonyms are gathered
    from its rows when first asked for."""

    def __init__(self, rows: list[list[str]]) -> None:
        self.rows = rows
        self.index: dict[str, list[int]] = {}
        for k, row in enumerate(rows):
            for s in row:
                self.index.setdefault(s, []).append(k)
        self.made: dict[str, frozenset[str]] = {}

    def __len__(self) -> int:
        return len(self.index)

    def __call__(self, stem: str) -> frozenset[str]:
        """The synonyms of ``stem`` (other stems; empty if none)."""
        got = self.made.get(stem)
        if got is None:
            out: set[str] = set()
            for k in self.index.get(stem, ()):
                out.update(self.rows[k])
            out.discard(stem)
            got = self.made[stem] = frozenset(out) if out else _EMPTY
        return got


@cache
def table() -> Table:
    """The table that ships with prov (read once)."""
    return load(Path(str(files("provenance.match").joinpath(TABLE))))


def synonyms(stem: str) -> frozenset[str]:
    """The stems that are synonyms of ``stem`` in some common sense (empty if none)."""
    return table()(stem)
