"""Compile WordNet 3.0's synonym sets into provenance/match/synonyms.dat.

The table ``match/synonyms.py`` reads to see a word replaced by a synonym (what an
article spinner does) in the reworded-passage search (``match/detect.py``). It holds,
for each WordNet synset, its single-word lemmas, kept small:

- only the first :data:`SENSES` senses of each word (WordNet lists a word's senses most
  frequent first, from its sense-tagged corpus): a word stands in a synset's row only
  if the synset is one of its common senses ("date" and "day", not "date" and "palm");
- a synset's row is kept when at least two of its words remain in it;
- each lemma also brings its irregular inflections (WordNet's exception lists: "wrote"
  with "write"); the regular ones ("carried", "transported") are undone when a word is
  looked up (``match/synonyms.lemmas``);
- function words (``bags.STOP``, which the search drops), words of fewer than three
  letters and names (capitalised lemmas: "Aarhus", "Arhus") are left out.

The source is Debian's ``wordnet-base`` package (WordNet 3.0, ``apt-get install
wordnet-base``), read from /usr/share/wordnet; its licence (permissive, notice kept on
all copies) is written at the top of the table, as text; the rest is what
``match/synonyms.dump`` writes: one row a synset (its words' numbers), the words (sorted),
each word's rows and a hash table of the words, as arrays of 32-bit numbers that load
with no decompression and nothing to parse (``match/synonyms.load``).

Usage: ``python scripts/build_synonyms.py [--wordnet DIR] [--out FILE] [--senses N]``.
Deterministic: the same WordNet files give the same table, byte for byte.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.match.bags import STOP  # noqa: E402
from provenance.match.synonyms import dump  # noqa: E402

POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
_WORD_RE = re.compile(r"^[a-z]+$")
_MARKER_RE = re.compile(r"\([a-z]+\)$")  # adjective position markers: "galore(ip)"
#: Senses of each word kept (its most frequent ones).
SENSES = 3
LICENCE = """\
# prov: synonym table compiled by scripts/build_synonyms.py from WordNet 3.0 (Debian
# wordnet-base): one row a synset, its single-word lemmas and their irregular forms, for
# the first {senses} senses of each word; after this head, arrays of 32-bit numbers and
# the words (provenance/match/synonyms.py says how they are laid out).
#
# WordNet Release 3.0. This software and database is being provided to you, the
# LICENSEE, by Princeton University under the following license. By obtaining, using
# and/or copying this software and database, you agree that you have read, understood,
# and will comply with these terms and conditions.: Permission to use, copy, modify and
# distribute this software and database and its documentation for any purpose and
# without fee or royalty is hereby granted, provided that you agree to comply with the
# following copyright notice and statements, including the disclaimer, and that the
# same appear on ALL copies of the software, database and documentation, including
# modifications that you make for internal use or for distribution. WordNet 3.0
# Copyright 2006 by Princeton University. All rights reserved. THIS SOFTWARE AND
# DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR
# WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF EXAMPLE, BUT NOT LIMITATION, PRINCETON
# UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES OF MERCHANTABILITY OR FITNESS FOR ANY
# PARTICULAR PURPOSE OR THAT THE USE OF THE LICENSED SOFTWARE, DATABASE OR DOCUMENTATION
# WILL NOT INFRINGE ANY THIRD PARTY PATENTS, COPYRIGHTS, TRADEMARKS OR OTHER RIGHTS. The
# name of Princeton University or Princeton may not be used in advertising or publicity
# pertaining to distribution of the software and/or database. Title to copyright in
# this software, database and any associated documentation shall at all times remain
# with Princeton University and LICENSEE agrees to preserve same.
"""


def read_synsets(wordnet: Path) -> dict[str, list[str]]:
    """Each synset's single-word lemmas in lower case (names, "Aarhus", are left out),
    by ``pos:offset`` (satellite adjectives as adjectives)."""
    out: dict[str, list[str]] = {}
    for pos, name in POS_FILES.items():
        for line in (wordnet / f"data.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue  # the licence header
            fields = line.split(" | ")[0].split()
            n = int(fields[3], 16)
            lemmas = [_MARKER_RE.sub("", fields[4 + 2 * i]) for i in range(n)]
            out[f"{pos}:{fields[0]}"] = [w for w in lemmas if _WORD_RE.match(w)]
    return out


def read_senses(wordnet: Path, senses: int) -> dict[str, list[tuple[str, str]]]:
    """The words of each synset that have it among their first ``senses`` senses, with
    their part of speech (WordNet's index files list a word's synsets most frequent
    first)."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for pos, name in POS_FILES.items():
        for line in (wordnet / f"index.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue
            fields = line.split()
            word = fields[0]
            if not _WORD_RE.match(word):
                continue
            n_synsets, n_pointers = int(fields[2]), int(fields[3])
            offsets = fields[6 + n_pointers : 6 + n_pointers + n_synsets]
            for offset in offsets[:senses]:
                out[f"{pos}:{offset}"].append((word, pos))
    return out


def irregular_forms(wordnet: Path) -> dict[str, set[str]]:
    """The irregular forms of each lemma (WordNet's exception lists)."""
    out: dict[str, set[str]] = defaultdict(set)
    for pos, name in POS_FILES.items():
        for line in (wordnet / f"{name}.exc").read_text(encoding="latin-1").splitlines():
            form, *bases = line.split()
            if _WORD_RE.match(form):
                for base in bases:
                    out[f"{pos}:{base}"].add(form)
    return out


def forms_of(word: str, pos: str, irregular: dict[str, set[str]]) -> set[str]:
    """A lemma and its irregular inflections (the regular ones are undone when the
    table is read: ``synonyms.lemmas``)."""
    return {word} | irregular.get(f"{pos}:{word}", set())


def build(wordnet: Path, senses: int) -> tuple[list[tuple[str, ...]], bytes]:
    """The table's rows (sorted) and the file's bytes."""
    synsets = read_synsets(wordnet)
    common = read_senses(wordnet, senses)
    irregular = irregular_forms(wordnet)
    rows: set[tuple[str, ...]] = set()
    for key, members in common.items():
        lemmas = set(synsets.get(key, ()))
        forms: set[str] = set()
        words = 0
        for word, pos in members:
            if word in lemmas and word not in STOP and len(word) >= 3:
                forms |= forms_of(word, pos, irregular)
                words += 1
        if words >= 2:
            rows.add(tuple(sorted(forms)))
    kept = sorted(rows)
    return kept, dump(kept, LICENCE.format(senses=senses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--out", type=Path, default=ROOT / "provenance/match/synonyms.dat")
    parser.add_argument("--senses", type=int, default=SENSES)
    args = parser.parse_args()
    if not (args.wordnet / "data.noun").exists():
        raise SystemExit(
            f"no WordNet database in {args.wordnet}: apt-get install wordnet-base, "
            "or pass --wordnet DIR"
        )
    rows, data = build(args.wordnet, args.senses)
    args.out.write_bytes(data)
    words = len({w for row in rows for w in row})
    print(f"{args.out}: {len(rows)} synsets, {words} words, {len(data)} bytes")


if __name__ == "__main__":
    main()
