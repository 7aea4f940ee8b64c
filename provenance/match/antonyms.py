"""Opposite words: WordNet 3.0's antonyms and prov's relational words, with inflections.

The table (``antonyms.tsv`` beside this module, compiled by
``scripts/build_antonyms.py``; WordNet's licence is at its top) is read once, on the
first question: about 5,800 rows, a few milliseconds.

>>> opposite("increased", "decreases"), opposite("rose", "fell"), opposite("said", "told")
(True, True, False)
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

#: Prefixes written as a word of their own ("non-binding", "anti-war"): adding or
#: removing one negates the next word.
NEGATING_PREFIX_WORDS = frozenset({"non", "anti"})


@cache
def table() -> tuple[dict[str, frozenset[str]], dict[str, tuple[str, ...]]]:
    """``(opposites of each lemma, lemmas of each irregular form)``."""
    pairs: dict[str, set[str]] = {}
    irregular: dict[str, list[str]] = {}
    # (beside this module; importlib.resources would import tempfile, random and
    # zipfile on a cold check)
    text = (Path(__file__).parent / "antonyms.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        kind, a, b = line.split("\t")
        if kind == "inf":
            irregular.setdefault(a, []).append(b)
        else:
            pairs.setdefault(a, set()).add(b)
            pairs.setdefault(b, set()).add(a)
    return (
        {w: frozenset(v) for w, v in pairs.items()},
        {w: tuple(v) for w, v in irregular.items()},
    )


@lru_cache(maxsize=1 << 14)
def lemmas(word: str) -> frozenset[str]:
    """The word and the forms it may be an inflection of, by WordNet's irregular forms
    and the regular English endings (-s, -es, -ies, -ed, -ied, -ing, -er, -est, -ly, -men)."""
    word = word.removesuffix("'s")
    out = {word}
    out.update(table()[1].get(word, ()))
    n = len(word)
    for suffix, repl in (
        ("men", "man"),
        ("ies", "y"),
        ("ied", "y"),
        ("ier", "y"),
        ("iest", "y"),
        ("ily", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("er", ""),
        ("er", "e"),
        ("est", ""),
        ("est", "e"),
        ("ly", ""),
        ("ly", "le"),
    ):
        if n - len(suffix) >= 2 and word.endswith(suffix):
            stem = word[: n - len(suffix)] + repl
            out.add(stem)
            if not repl and len(stem) >= 3 and stem[-1] == stem[-2]:
                out.add(stem[:-1])  # stopped -> stop, bigger -> big
    return frozenset(out)


def opposite(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` (matching forms) are opposites: antonyms in the table,
    in any inflection, or one is the other with "non"/"anti" before it."""
    if a == b:
        return False
    for x, y in ((a, b), (b, a)):
        for p in NEGATING_PREFIX_WORDS:
            if y == p + x and len(x) >= 3:
                return True
    pairs = table()[0]
    la, lb = lemmas(a), lemmas(b)
    if la & lb:
        return False  # two forms of one word ("rise", "rises")
    return any(pairs.get(x, frozenset()) & lb for x in la)
