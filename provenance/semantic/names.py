"""Names that differ between a translated passage and its source (pure functions).

A person's or a place's name survives translation ("Velmora" stays "Velmora" in
French, German or Spanish, give or take an ending: "Velmoras"), so a name of the source
passage that its translation lacks, or one the translation brings, was most likely
changed. What is a name: a word written with a capital inside a sentence (or at its
start, when the text writes it so elsewhere too) and never in lower case in its text,
without digits (numbers are compared on their own), and not a word that one language
capitalises where others do not:

- German (and Luxembourgish) capitalise every noun: their capitalised words are not
  taken as names (a name of the other side is still looked for among their words);
- English capitalises days, months, titles ("Minister") and the pronoun "I": these
  are left out (other demonyms, "Italian" -> "italiano", share their stem and match).

A word of a name of several words ("Small Group", "Harbour Authority") counts only when
none of them survives: such names are translated word by word ("Gruppo ristretto"), and
their words are ordinary words. (A surname changed under the same first name is missed.)

Only names the translation *lacks* make an alteration (listed with the names it brings
instead): French, Italian and Spanish capitalise institutions that English writes in
lower case ("l'Autorité portuaire"), so a capitalised word the source lacks is not
evidence on its own.

A name matches a word of the other text when they are equal or share a stem (a common
prefix of 4 letters, or of 3 with at most 2 letters left on the shorter word:
"Velmora"/"Velmoras", "Roma"/"Rome", "Coalition"/"Coalizione"), or, failing that, when
the encoder puts it close to a word or two of the other passage (:data:`TRANSLATED_NAME`:
"Syria"/"Siria", "UN"/"ONU", "Tuesday"/"Dienstag").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from provenance.match.lexicon import NOT_NAMES, TITLES
from provenance.text.normalize import Normalized
from provenance.text.segment import is_sentence_start

#: Languages whose writing capitalises every noun (their capitals say nothing of names).
NOUN_CAPITALISING = frozenset({"de", "lb"})
#: English words capitalised by the rules of English, not names.
CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march "
    "april may june july august september october november december".split()
)
_LEFT_OUT = NOT_NAMES | TITLES | CALENDAR


def _lower_words(norm: Normalized) -> set[str]:
    return {w for i, w in enumerate(norm.words) if not norm.text[norm.starts[i]].isupper()}


def names(norm: Normalized, first: int, last: int) -> dict[str, str]:
    """The names among words ``[first, last)`` of a text: lower case -> as written."""
    lower = _lower_words(norm)
    inside = {
        w
        for i, w in enumerate(norm.words)
        if norm.text[norm.starts[i]].isupper() and not is_sentence_start(norm, i)
    }
    out: dict[str, str] = {}
    for i in range(first, last):
        if not norm.text[norm.starts[i]].isupper():
            continue
        w = norm.words[i].removesuffix("'s")
        if len(w) < 2 or any(c.isdigit() for c in w) or w in _LEFT_OUT or w in lower:
            continue
        if is_sentence_start(norm, i) and w not in inside:
            continue
        out.setdefault(w, norm.text[norm.starts[i] : norm.ends[i]].removesuffix("'s"))
    return out


def _matches(name: str, words: set[str]) -> bool:
    if name in words:
        return True
    for w in words:
        n = 0
        for a, b in zip(name, w, strict=False):
            if a != b:
                break
            n += 1
        if n >= 4 or (n >= 3 and n >= min(len(name), len(w)) - 2):
            return True
    return False


#: Max similarity of each name to any of some phrases (the encoder's, on single words).
Similarity = Callable[[Sequence[str], Sequence[str]], list[float]]
#: A name whose vector is this close to a word (or two) of the other passage was
#: translated, not changed: measured on single words with the multilingual USE v3,
#: translations of names score 0.69-0.92 (Council/Consiglio 0.69, Syria/Siria 0.92,
#: Tuesday/martedì 0.86, UN/ONU 0.76), different names of one kind 0.32-0.63
#: (Obama/Bush 0.63, Germany/Francia 0.59, Velmora/Castrano 0.32).
TRANSLATED_NAME = 0.66


def _phrases(norm: Normalized, first: int, last: int) -> list[str]:
    """A passage's words and pairs of words, as written ("UN" is "Nazioni Unite")."""
    words = [norm.text[norm.starts[i] : norm.ends[i]] for i in range(first, last)]
    return list(
        dict.fromkeys([*words, *(f"{a} {b}" for a, b in zip(words[:-1], words[1:], strict=True))])
    )


def _runs(norm: Normalized, first: int, last: int) -> list[list[str]]:
    """Runs of two or more capitalised words next to each other (one name)."""
    out: list[list[str]] = []
    run: list[str] = []
    for i in range(first, last + 1):
        cap = i < last and norm.text[norm.starts[i]].isupper()
        if cap and run and norm.text[norm.ends[i - 1] : norm.starts[i]] != " ":
            cap = False  # (a comma or a stop between them: two names)
        if cap:
            run.append(norm.words[i].removesuffix("'s"))
            continue
        if len(run) > 1:
            out.append(run)
        run = (
            [norm.words[i].removesuffix("'s")]
            if i < last and norm.text[norm.starts[i]].isupper()
            else []
        )
    return out


def _initials(norm: Normalized, first: int, last: int) -> set[str]:
    """The initials of 2-5 consecutive words, in either order (an acronym translated
    as its words: "Nazioni Unite" for "UN", adjective after the noun)."""
    heads = [norm.text[norm.starts[i]].upper() for i in range(first, last)]
    out: set[str] = set()
    for n in range(2, 6):
        for i in range(len(heads) - n + 1):
            run = "".join(heads[i : i + n])
            out.update((run, run[::-1]))
    return out


def changed_names(
    source: Normalized,
    src_words: tuple[int, int],
    src_lang: str,
    copy: Normalized,
    copy_words: tuple[int, int],
    copy_lang: str,
    similarity: Similarity | None = None,
) -> tuple[list[str], list[str]]:
    """``(lost, new)``: the source passage's names that its translation lacks, and the
    translation's names that the source passage lacks, as written (module docstring).

    A name with no word of the same stem on the other side is looked for by meaning
    (``similarity``, :data:`TRANSLATED_NAME`): "Syria" is "Siria" in Italian.
    """
    s_words = set(source.words[src_words[0] : src_words[1]])
    c_words = set(copy.words[copy_words[0] : copy_words[1]])
    lost: list[str] = []
    if src_lang not in NOUN_CAPITALISING:
        lost = [s for w, s in names(source, *src_words).items() if not _matches(w, c_words)]
    if lost:  # "UN" is "Nazioni Unite" (NU), "EU" "Unione europea" (UE)
        initials = _initials(copy, *copy_words)
        lost = [n for n in lost if not (n.isupper() and n in initials)]
    if lost and similarity is not None:
        sims = similarity(lost, _phrases(copy, *copy_words))
        lost = [n for n, v in zip(lost, sims, strict=True) if v < TRANSLATED_NAME]
    if lost:  # "Small Group" is "Gruppo ristretto": a run of which a word survives
        gone = {n.lower().removesuffix("'s") for n in lost}
        kept = {
            w for run in _runs(source, *src_words) if any(x not in gone for x in run) for w in run
        }
        lost = [n for n in lost if n.lower().removesuffix("'s") not in kept]
    new: list[str] = []
    if lost and copy_lang not in NOUN_CAPITALISING:
        new = [s for w, s in names(copy, *copy_words).items() if not _matches(w, s_words)]
    if new and similarity is not None:
        sims = similarity(new, _phrases(source, *src_words))
        new = [n for n, v in zip(new, sims, strict=True) if v < TRANSLATED_NAME]
    return lost, new
