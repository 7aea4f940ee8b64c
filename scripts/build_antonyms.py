"""Compile WordNet 3.0's antonym relation into provenance/match/antonyms.tsv.

The table ``risk.py`` reads to tell a word replaced by its opposite (``polarity``):

- ``wn``: every antonym pointer (``!``) of WordNet 3.0's adjectives, adverbs, nouns and
  verbs between two single-word lemmas (``able``/``unable``, ``increase``/``decrease``,
  ``rise``/``fall``, ``guilty``/``innocent``);
- ``neg``: prefix negation among WordNet's adjectives and adverbs: both ``w`` and
  ``un-``/``non-`` + ``w`` are lemmas of the same part of speech (``able``/``unable``);
  for ``in-``/``im-``/``il-``/``ir-``/``dis-``, which often mean something else
  (``formed``/``informed``, ``covered``/``discovered``), WordNet's definition of the
  prefixed word must also say so ("not", "lacking", "without" among its first four
  words: ``possible``/``impossible``); less a short list of pairs that only look
  opposite (``valuable``/``invaluable``);
- ``rel``: relational words WordNet lacks or does not link (prepositions, comparatives,
  time relations, a few verbs of permission and approval), listed below;
- ``inf``: WordNet's irregular inflections (``rose``/``risen`` -> ``rise``, ``worse`` ->
  ``bad``) of the lemmas above; regular ones (``increased``, ``increases``) are undone by
  rule at run time.

The source is Debian's ``wordnet-base`` package (WordNet 3.0, ``apt-get install
wordnet-base``), read from /usr/share/wordnet; its licence (permissive, notice kept on
all copies) is written at the top of the table.

Usage: ``python scripts/build_antonyms.py [--wordnet DIR] [--out FILE]``.
Deterministic: the same WordNet files give the same table.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POS_FILES = {"a": "adj", "r": "adv", "n": "noun", "v": "verb"}
_WORD_RE = re.compile(r"^[a-z]+$")
_MARKER_RE = re.compile(r"\([a-z]+\)$")  # adjective position markers: "galore(ip)"
NEGATING_PREFIXES = ("un", "in", "im", "il", "ir", "non", "dis")
#: Prefixes that negate whenever both words are lemmas; the others need the definition.
PLAIN_PREFIXES = ("un", "non")
_NEGATING_GLOSS = re.compile(
    r"\b(?:not|lacking|lack|without|no|never|incapable|unable|absence|opposite|contrary)\b"
)
#: Pairs that look like prefix negation but are not opposites.
NOT_OPPOSITE = frozenset(
    "valuable/invaluable flammable/inflammable habitable/inhabitable different/indifferent "
    "tense/intense interested/disinterested sociable/dissociable canny/uncanny "
    "side/inside famous/infamous pertinent/impertinent mural/immural "
    "ward/inward put/input come/income land/inland dent/indent mediate/immediate "
    "nocent/innocent corporate/discorporate sonant/dissonant canny/uncanny couth/uncouth "
    "ravel/unravel loosen/unloosen".split()
)
#: Relational words WordNet does not link: prepositions, comparatives, time relations,
#: permission and approval. Both directions are implied.
RELATIONAL = """
above below; above beneath; over under; for against; pro anti; pro against; up down;
upward downward; upwards downwards; inside outside; into out; onto off; ahead behind;
upstream downstream; uphill downhill; inbound outbound; inflow outflow; plus minus;
before after; earlier later; earliest latest; prior subsequent; previously subsequently;
beforehand afterwards; beforehand afterward; pre post; former current; former incumbent;
more less; more fewer; most least; most fewest; higher lower; highest lowest;
greater smaller; greater lesser; larger smaller; largest smallest; bigger smaller;
biggest smallest; better worse; best worst; older younger; oldest youngest;
longer shorter; longest shortest; stronger weaker; strongest weakest; faster slower;
richer poorer; wider narrower; above-average below-average; maximum minimum;
surplus deficit; profit loss; gain loss; gains losses; winner loser; victory defeat;
allow ban; allow forbid; allow prohibit; permit ban; permit forbid; permit prohibit;
legalize ban; legalise ban; approve reject; approve veto; approve disapprove;
approval rejection; support oppose; supporter opponent; supporters opponents;
accept reject; accept decline; acquit convict; acquittal conviction; confirm deny;
confirmed denied; admit deny; guilty innocent; guilty acquitted; safe dangerous;
safe unsafe; ally enemy; allies enemies; friend enemy; friend foe; success failure;
succeed fail; pass fail; win lose; won lost; hire fire; raise lower; raise cut;
strengthen weaken; expand shrink; expand contract; boost cut; increase cut;
increase reduce; rise decline; rose declined; rise drop; rose dropped; surge plunge;
surged plunged; soar plunge; soared plunged; gain lose; gained lost; import export;
imports exports; true false; yes no; always never; everyone nobody; everything nothing;
everybody nobody; everywhere nowhere; majority minority; overestimate underestimate;
overstate understate; overpaid underpaid; overvalued undervalued; inclusion exclusion;
legal illegal; lawful unlawful; constitutional unconstitutional; optimistic pessimistic;
optimism pessimism; positive negative; success defeat; open closed; opened closed;
on off; in out; east west; north south; eastern western; northern southern
"""


def read_synsets(
    wordnet: Path,
) -> tuple[dict[str, list[str]], dict[str, str], list[tuple[str, str, str]]]:
    """Each synset's words and definition (by ``pos:offset``) and every antonym pointer
    as ``(pos, word, antonym)``."""
    words: dict[str, list[str]] = {}
    glosses: dict[str, str] = {}
    pointers: list[tuple[str, str, int, str, int]] = []  # (pos, key, source n, target key, n)
    for pos, name in POS_FILES.items():
        for line in (wordnet / f"data.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue  # the licence header
            head, _, gloss = line.partition(" | ")
            fields = head.split()
            offset, ss_type, n = fields[0], fields[2], int(fields[3], 16)
            key = f"{'a' if ss_type == 's' else ss_type}:{offset}"
            words[key] = [
                _MARKER_RE.sub("", fields[4 + 2 * i]).lower().replace("_", " ") for i in range(n)
            ]
            glosses[key] = gloss
            at = 4 + 2 * n
            for p in range(int(fields[at])):
                sym, target, tpos, st = fields[at + 1 + 4 * p : at + 5 + 4 * p]
                if sym == "!":
                    tkey = f"{'a' if tpos == 's' else tpos}:{target}"
                    pointers.append((pos, key, int(st[:2], 16), tkey, int(st[2:], 16)))
    pairs = []
    for pos, key, s, tkey, t in pointers:
        a, b = words[key][s - 1], words[tkey][t - 1]
        pairs.append((pos, a, b))
    return words, glosses, pairs


def _negating(key: str, glosses: dict[str, str]) -> bool:
    """Whether a synset's definition negates: "not ...", "lacking ...", "without ..."
    among its first four words (a leading "(usually ...)" note aside)."""
    gloss = re.sub(r"^\([^)]*\)\s*", "", glosses.get(key, ""))
    return bool(_NEGATING_GLOSS.search(" ".join(gloss.split(";")[0].split()[:4])))


def prefix_pairs(words: dict[str, list[str]], glosses: dict[str, str]) -> set[tuple[str, str]]:
    """(word, negated word) among the adjectives and adverbs, both WordNet lemmas."""
    out: set[tuple[str, str]] = set()
    negating = {w for k, ws in words.items() if k[0] in "ar" and _negating(k, glosses) for w in ws}
    for pos in ("a", "r"):
        lemmas = {
            w for k, ws in words.items() if k.startswith(pos + ":") for w in ws if _WORD_RE.match(w)
        }
        for w in lemmas:
            if len(w) < 4:
                continue
            for p in NEGATING_PREFIXES:
                if (
                    p + w in lemmas
                    and f"{w}/{p}{w}" not in NOT_OPPOSITE
                    and (p in PLAIN_PREFIXES or p + w in negating)
                ):
                    out.add((w, p + w))
    return out


def irregular_forms(wordnet: Path, lemmas: set[str]) -> set[tuple[str, str]]:
    """(inflected form, lemma) from WordNet's exception lists, for lemmas in the table."""
    out: set[tuple[str, str]] = set()
    for name in ("adj", "adv", "noun", "verb"):
        for line in (wordnet / f"{name}.exc").read_text(encoding="latin-1").splitlines():
            form, *bases = line.split()
            if not _WORD_RE.match(form):
                continue
            for base in bases:
                if base in lemmas and base != form:
                    out.add((form, base))
    return out


LICENCE = """\
# prov: antonym table compiled by scripts/build_antonyms.py from WordNet 3.0 (Debian
# wordnet-base) and prov's own list of relational words. Columns: kind, word, word.
# kind: wn = WordNet antonym; neg = prefix negation among WordNet lemmas; rel = prov's
# list; inf = irregular form, lemma (WordNet's exception lists).
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


def build(wordnet: Path) -> str:
    words, glosses, pointers = read_synsets(wordnet)
    rows: set[tuple[str, str, str]] = set()
    for _pos, a, b in pointers:
        if a != b and _WORD_RE.match(a) and _WORD_RE.match(b):
            rows.add(("wn", *sorted((a, b))))
    known = {(a, b) for _, a, b in rows}
    for a, b in prefix_pairs(words, glosses):
        if tuple(sorted((a, b))) not in known:
            rows.add(("neg", *sorted((a, b))))
    known = {(a, b) for _, a, b in rows}
    for pair in RELATIONAL.replace("\n", " ").split(";"):
        a, b = pair.split()
        if tuple(sorted((a, b))) not in known:
            rows.add(("rel", *sorted((a, b))))
    lemmas = {w for _, a, b in rows for w in (a, b)}
    for form, base in irregular_forms(wordnet, lemmas):
        rows.add(("inf", form, base))
    order = {"wn": 0, "neg": 1, "rel": 2, "inf": 3}
    body = "".join(f"{k}\t{a}\t{b}\n" for k, a, b in sorted(rows, key=lambda r: (order[r[0]], r)))
    return LICENCE + body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--out", type=Path, default=ROOT / "provenance/match/antonyms.tsv")
    args = parser.parse_args()
    if not (args.wordnet / "data.adj").exists():
        raise SystemExit(
            f"no WordNet database in {args.wordnet}: apt-get install wordnet-base, "
            "or pass --wordnet DIR"
        )
    text = build(args.wordnet)
    args.out.write_text(text, encoding="utf-8")
    counts: dict[str, int] = defaultdict(int)
    for line in text.splitlines():
        if not line.startswith("#"):
            counts[line.split("\t")[0]] += 1
    print(f"{args.out}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))


if __name__ == "__main__":
    main()
