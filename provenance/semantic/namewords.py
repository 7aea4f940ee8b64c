"""What a text writes as a name (pure functions; :mod:`provenance.semantic.names`
compares them between a translation and its source): the words that languages
capitalise by their own rules, not as names (prov's own lists, for en fr de it es), the
folded form names are matched in, and which capitalised words of a text are names."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from provenance.match.lexicon import NOT_NAMES, TITLES
from provenance.text.normalize import Normalized
from provenance.text.segment import is_sentence_start

#: Days and months, capitalised by English and German (and Dutch days), not names.
CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march "
    "april may june july august september october november december "
    "montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag januar februar "
    "märz april mai juni juli august september oktober november dezember".split()
)
#: Compass points: "du Sud", "del Nord", "im Süden" are directions, translated.
COMPASS = frozenset(
    "north south east west nord sud est ouest ovest norte sur este oeste süd ost "
    "norden süden osten westen".split()
)
#: Courtesy titles of the languages compared (English ones are in ``lexicon``).
COURTESY = frozenset("herr frau monsieur madame signor signora señor señora don doña".split())
#: Heads of an institution's name: capitalised in one language, not in another
#: ("l'Autorité portuaire", "das Gesundheitsministerium"); never a name of their own.
INSTITUTIONS = frozenset(
    "authority authorities autorité autorità autoridad behörde ministry ministère ministero "
    "ministerio ministerium department département dipartimento departamento office "
    "bureau ufficio oficina agency agence agenzia agencia council conseil consiglio consejo "
    "commission commissione comisión kommission committee comité comitato court cour corte "
    "tribunal tribunale gericht bank banque banca banco university université università "
    "universidad universität institute institut istituto instituto group groupe gruppo "
    "grupo gruppe union unione unión party parti partito partido association associazione "
    "asociación federation fédération federazione federación service servizio servicio "
    "board police polizia policía polizei government gouvernement governo gobierno "
    "regierung state état stato estado staat assembly assemblée assemblea asamblea "
    "parliament parlement parlamento senate sénat senato senado republic république "
    "repubblica república republik".split()
)
#: Offices, in the languages compared and in the plural (English ones are also in
#: ``lexicon.TITLES``): never a name, nor the words before one ("Foreign Minister").
OFFICES = frozenset(
    "minister ministers ministre ministres ministro ministri ministros ministerin "
    "secretary secretaries secrétaire segretario segretari secretario secretarios "
    "president presidents président presidente presidenti presidentes präsident "
    "chancellor chancelier cancelliere canciller kanzler kanzlerin governor gouverneur "
    "governatore gobernador mayor maire sindaco alcalde bürgermeister director directors "
    "directeur directrice direttore direttrice directora commissioner commissaire "
    "commissario comisario kommissar ambassador ambassadeur ambasciatore embajador "
    "botschafter spokesperson spokesman spokeswoman".split()
)
#: Offices held for a portfolio: the words after one and a connector name it ("Minister
#: of Health", "Ministri degli Esteri", "Secretary of State"); after another office, a
#: place ("the mayor of Velmora").
PORTFOLIOS = frozenset(
    "minister ministers ministre ministres ministro ministri ministros secretary "
    "secretaries secrétaire segretario segretari secretario secretarios commissioner "
    "commissaire commissario comisario kommissar".split()
)
#: Words between an institution and the rest of its name ("Ministry of Health").
CONNECTORS = frozenset(
    "of for the and de la le les des du d di del della dello dei degli delle da dal dalla "
    "los las y e et und von der des für".split()
)
#: An elided article or preposition before a word: "d'Aarvik", "dell'Unione".
ELISION = re.compile(r"^[^\W\d_]{1,5}['’](?=\w)")


@lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """A word's form for matching names: no elided article, no "'s", no accents."""
    word = ELISION.sub("", word).removesuffix("'s").removesuffix("’s")
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Folded, as :func:`fold` gives them:
#: words never a name of their own;
LEFT_OUT = frozenset(
    fold(w) for w in NOT_NAMES | TITLES | OFFICES | CALENDAR | COMPASS | COURTESY | INSTITUTIONS
)
#: heads of an institution's name; offices; offices held for a portfolio.
HEADS = frozenset(fold(w) for w in INSTITUTIONS)
OFFICE_WORDS = frozenset(fold(w) for w in OFFICES | TITLES)
PORTFOLIO_WORDS = frozenset(fold(w) for w in PORTFOLIOS)


_T = TypeVar("_T")


def per_text(fn: Callable[[Normalized], _T]) -> Callable[[Normalized], _T]:
    """Memoise ``fn`` for the last few texts, by identity: a text's passages are
    compared one by one, and hashing a long text by value would cost as much as
    ``fn``."""
    cache: dict[int, tuple[Normalized, _T]] = {}
    lock = threading.Lock()  # (the server compares in threads)

    def wrapper(norm: Normalized) -> _T:
        with lock:
            hit = cache.get(id(norm))
        if hit is not None and hit[0] is norm:
            return hit[1]
        value = fn(norm)
        with lock:
            while len(cache) >= 8:
                cache.pop(next(iter(cache)))
            cache[id(norm)] = (norm, value)
        return value

    return wrapper


def written(norm: Normalized, i: int) -> str:
    """Word ``i`` as written, without an elided article before it or "'s" after it."""
    text = norm.text[norm.starts[i] : norm.ends[i]]
    return ELISION.sub("", text).removesuffix("'s").removesuffix("’s")


def capital(norm: Normalized, i: int) -> bool:
    w = written(norm, i)
    return bool(w) and w[0].isupper()


def apart(norm: Normalized, i: int) -> bool:
    """Whether punctuation stands between words ``i`` and ``i + 1`` ("Congo, Mauritania")."""
    return bool(norm.text[norm.ends[i] : norm.starts[i + 1]].strip(" \u00a0\u202f-"))


def in_institution(norm: Normalized, i: int) -> bool:
    """Whether word ``i`` is part of an institution's name: an institution word follows
    it, with only capitalised words between ("Harbour Authority"), or comes before it,
    with only capitalised words and connectors between ("Ministry of Health", "ministère
    de la Santé", "Authority of Velmora")."""
    for j in range(i + 1, min(i + 4, len(norm))):  # "Harbour Authority", "Foreign Minister"
        if not capital(norm, j) or apart(norm, j - 1):
            break
        if fold(norm.words[j]) in HEADS | OFFICE_WORDS:
            return True
    connected = False
    for j in range(i - 1, max(i - 5, -1), -1):  # "Ministry of Health", "Minister of State"
        if apart(norm, j):
            return False
        head = fold(norm.words[j])
        if head in HEADS or (connected and head in PORTFOLIO_WORDS):
            return True
        if norm.words[j] in CONNECTORS:
            connected = True
        elif not capital(norm, j):
            return False
    return False


@dataclass(frozen=True, slots=True)
class Survey:
    """What one text says of its words' capitals, computed once."""

    lower: frozenset[str]  # folded words written in lower case somewhere
    inside: frozenset[str]  # ... capitalised inside a sentence somewhere
    free: frozenset[str]  # ... capitalised outside an institution's name somewhere


@per_text
def survey(norm: Normalized) -> Survey:
    lower, inside, free = set(), set(), set()
    for i, w in enumerate(norm.words):
        f = fold(w)
        if not capital(norm, i):
            lower.add(f)
            continue
        if not is_sentence_start(norm, i):
            inside.add(f)
        if not in_institution(norm, i):
            free.add(f)
    return Survey(frozenset(lower), frozenset(inside), frozenset(free))


def candidate(norm: Normalized, text: Survey, i: int, start: bool = False) -> bool:
    """Whether word ``i`` is written as a name (module docstring). A sentence's first
    word is one when ``start`` says so (the first word of a name of several words)."""
    if not capital(norm, i):
        return False
    f = fold(norm.words[i])
    if len(f) < 2 or any(c.isdigit() for c in f) or f in LEFT_OUT or f in text.lower:
        return False
    if not start and is_sentence_start(norm, i) and f not in text.inside:
        return False
    return f in text.free or not in_institution(norm, i)


def first_of_name(norm: Normalized, text: Survey, i: int) -> bool:
    """Word ``i`` begins a sentence and a name of several words ("Maria Keller, the
    head of ..."): the next word, one space on, is a name."""
    return (
        i + 1 < len(norm)
        and norm.text[norm.ends[i] : norm.starts[i + 1]] == " "
        and candidate(norm, text, i + 1)
        and candidate(norm, text, i, start=True)
    )


def names(norm: Normalized, first: int, last: int) -> dict[str, str]:
    """The names among words ``[first, last)`` of a text: folded -> as written."""
    text = survey(norm)
    out: dict[str, str] = {}
    for i in range(first, last):
        if candidate(norm, text, i):
            out.setdefault(fold(norm.words[i]), written(norm, i))
    return out
