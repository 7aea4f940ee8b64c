"""Which language a block of text is in: its script, else its function words.

A block's language is a non-Latin script by its letters, else the Latin-script language
whose function words it holds most of, each weighted by how many of the profiled
languages share it: cheap, deterministic, and right on blocks of a dozen words or more.
Shorter blocks (titles, list items, captions) are mostly names and numbers, so
:func:`weak_evidence` tells whether such a block's evidence for another language than
its document's is enough to set it apart.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache

#: The language of a text too short or too mixed to tell (compared in any language).
UNDETERMINED = "und"

# Function words of the main Latin-script languages. A block's language is the one
# whose list covers most of its words: cheap, deterministic and right on blocks of a
# dozen words or more (shorter blocks are usually boilerplate).
_STOPWORDS = {
    "en": "the of and to in a is that for on with as by are was it be this from at which "
    "have has their its not or an will we our",
    "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als "
    "auch es an werden aus er hat dass sie nach wird bei",
    "fr": "le la les de des et en du un une est que pour dans qui au sur par pas plus ne se "
    "ce il sont avec aux nous",
    "it": "il di che la e in un per del della non una le da sono con si gli dei nel alla al "
    "come anche delle ha più",
    "es": "el la de que y en los del se las por un para con no una su al es lo como más pero "
    "sus le",
    "pt": "o a de que e do da em um para com não uma os no se na por mais as dos como mas ao "
    "ele das",
    "nl": "de het een en van in is dat op te zijn voor met die niet aan er maar om ook als bij",
}
_STOP_SETS = {lang: frozenset(ws.split()) for lang, ws in _STOPWORDS.items()}
#: Each function word's weight as evidence: 1 / the number of languages that have it
#: ("the" is English, 1; "in" is English, German, Italian or Dutch, 1/4).
_STOP_WEIGHTS = {
    w: 1 / sum(w in stops for stops in _STOP_SETS.values())
    for stops in _STOP_SETS.values()
    for w in stops
}
_WORD_LANGS = {
    w: tuple(lang for lang, stops in _STOP_SETS.items() if w in stops) for w in _STOP_WEIGHTS
}
#: A block's language needs at least this much evidence (weighted function words).
MIN_LANGUAGE_EVIDENCE = 2.0
#: A block of fewer words than this is in its document's language unless it holds
#: :data:`SHORT_BLOCK_EVIDENCE` of another's: a title, a list item or a caption is
#: often names and numbers with a function word or two that other languages share.
SHORT_BLOCK_WORDS = 20
SHORT_BLOCK_EVIDENCE = 3.0
_SCRIPT_RANGES = {
    "arabic": "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff",
    "cyrillic": "\u0400-\u052f",
    "greek": "\u0370-\u03ff",
    "hebrew": "\u0590-\u05ff",
    "devanagari": "\u0900-\u097f",
    "thai": "\u0e00-\u0e7f",
    "hangul": "\uac00-\ud7af",
    "cjk": "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff",
}
_LETTER_RE = re.compile(r"[^\W\d_]")


@cache
def _non_latin_re() -> re.Pattern[str]:
    """Any letter of a non-Latin script (compiled on first use, ~2 ms: an ASCII text
    never needs it)."""
    return re.compile("[" + "".join(_SCRIPT_RANGES.values()) + "]")


@cache
def _script_res() -> dict[str, re.Pattern[str]]:
    """Each script's letters (compiled on first use, ~2.5 ms: a Latin text never
    needs them)."""
    return {name: re.compile(f"[{ranges}]") for name, ranges in _SCRIPT_RANGES.items()}


def detect_language(text: str, words: Sequence[str]) -> str:
    """Language of a block: a non-Latin script by its letters, else by function words."""
    sample = text[:2000]
    if not sample.isascii() and _non_latin_re().search(sample):
        letters = len(_LETTER_RE.findall(sample))
        best, script = 0, ""
        for name, pattern in _script_res().items():
            n = len(pattern.findall(sample))
            if n > best:
                best, script = n, name
        if best > letters / 2:
            return script
    (best_score, lang), (second, _) = language_scores(words)[:2]
    if best_score >= MIN_LANGUAGE_EVIDENCE and best_score > second * 1.5:
        return lang
    return UNDETERMINED


def language_scores(words: Sequence[str]) -> list[tuple[float, str]]:
    """The function-word evidence for each language, best first: each occurrence of
    a function word among the first 400 words counts its weight (:data:`_STOP_WEIGHTS`),
    a word at most three times (a list that repeats "de" is not French)."""
    weights = _STOP_WEIGHTS
    # only the function words counted (most words are not), in the text's order: the
    # sums are made in it (a set's order changes from one process to the next with
    # string hashing, and with it the sums' last bits)
    seen = Counter(filter(weights.__contains__, words[:400]))
    scores = dict.fromkeys(_STOP_SETS, 0.0)
    for w, n in seen.items():
        weight = min(n, 3) * weights[w]
        for lang in _WORD_LANGS[w]:
            scores[lang] += weight
    return sorted(((v, k) for k, v in scores.items()), reverse=True)


def weak_evidence(words: Sequence[str], lang: str, main: str) -> bool:
    """Whether a short block tagged ``lang`` holds too little evidence of it to stand
    apart from its document's language ``main``: less than
    :data:`SHORT_BLOCK_EVIDENCE` more than ``main``'s. A script is evidence enough."""
    if lang not in _STOP_SETS:
        return False
    scores = {code: v for v, code in language_scores(words)}
    return scores[lang] - scores.get(main, 0.0) < SHORT_BLOCK_EVIDENCE
