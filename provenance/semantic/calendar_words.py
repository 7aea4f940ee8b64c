"""Months and weekdays named in a passage, whatever its language (pure functions).

A date survives translation: "closed in March" is "chiuso a marzo", "geschlossen im
März", "fermé en mars". The digits of a date are compared as numbers
(:mod:`provenance.semantic.crosslang`); this module gives the words: the months and
weekdays a passage names, by their number (1-12 for months, 101-107 for Monday to
Sunday), so that a translation that moves a date ("in March" -> "ad aprile", "on
Tuesday" -> "le jeudi") can be listed as an alteration.

Only languages whose calendar words are listed here are read (others name nothing, so
nothing is compared); a word is read in the passage's own language only (Italian "mai"
is "never", not May). Words that are also ordinary words are left out or constrained:

- English and German write months and weekdays with a capital: there, a lower-case
  "may" or "march" is not a month;
- in the languages that write them in lower case, a capitalised word is taken only at
  the start of a sentence ("Mardi, l'autorité...") or next to a number ("Mars" is a
  planet, "Domingo" a name; "5 Mars" is a date);
- Portuguese weekdays ("segunda-feira": "segunda" is also "second") and Russian "среда"
  ("environment"; its accusative "среду", as in "в среду", is kept) are left out.
"""

from __future__ import annotations

import re

_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"),
    "de": ("januar|jänner", "februar", "märz", "april", "mai", "juni", "juli", "august",
           "september", "oktober", "november", "dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre|setiembre", "octubre", "noviembre", "diciembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
           "setembro", "outubro", "novembro", "dezembro"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "pl": ("styczeń|stycznia", "luty|lutego", "marzec|marca", "kwiecień|kwietnia",
           "maj|maja", "czerwiec|czerwca", "lipiec|lipca", "sierpień|sierpnia",
           "wrzesień|września", "październik|października", "listopad|listopada",
           "grudzień|grudnia"),
    "ru": ("январь|января", "февраль|февраля", "март|марта", "апрель|апреля", "май|мая",
           "июнь|июня", "июль|июля", "август|августа", "сентябрь|сентября",
           "октябрь|октября", "ноябрь|ноября", "декабрь|декабря"),
}  # fmt: skip
_WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "de": ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag|sonnabend",
           "sonntag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "it": ("lunedì|lunedi", "martedì|martedi", "mercoledì|mercoledi", "giovedì|giovedi",
           "venerdì|venerdi", "sabato", "domenica"),
    "es": ("lunes", "martes", "miércoles|miercoles", "jueves", "viernes", "sábado|sabado",
           "domingo"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "pl": ("poniedziałek", "wtorek", "środa|środę", "czwartek", "piątek", "sobota|sobotę",
           "niedziela|niedzielę"),
    "ru": ("понедельник", "вторник", "среду", "четверг", "пятница|пятницу",
           "суббота|субботу", "воскресенье"),
}  # fmt: skip
#: Languages that write their months and weekdays with a capital.
_CAPITALISED = frozenset({"en", "de"})


def _table(lang: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for n, forms in enumerate(_MONTHS.get(lang, ()), start=1):
        out.update(dict.fromkeys(forms.split("|"), n))
    for n, forms in enumerate(_WEEKDAYS.get(lang, ()), start=101):
        out.update(dict.fromkeys(forms.split("|"), n))
    return out


_TABLES = {lang: _table(lang) for lang in _MONTHS.keys() | _WEEKDAYS.keys()}
LANGUAGES = frozenset(_TABLES)
_WORD = re.compile(r"\w+")


def _starts_sentence(text: str, pos: int) -> bool:
    """Whether the word at ``pos`` opens a sentence, a line or the text."""
    before = text[max(0, pos - 200) : pos]
    stripped = before.rstrip()
    return not stripped or stripped[-1] in ".!?:;" or "\n" in before[len(stripped) :]


def calendar_words(text: str, lang: str) -> dict[int, str]:
    """The months and weekdays ``text`` (in ``lang``) names: number -> the word as first
    written; empty for a language this module does not read."""
    table = _TABLES.get(lang)
    if not table:
        return {}
    words = list(_WORD.finditer(text))
    out: dict[int, str] = {}
    for i, m in enumerate(words):
        w = m.group()
        n = table.get(w.lower())
        if n is None:
            continue
        capital = w[:1].isupper()
        if lang in _CAPITALISED and not capital:
            continue
        if lang not in _CAPITALISED and capital and not _starts_sentence(text, m.start()):
            near = words[max(0, i - 1) : i] + words[i + 1 : i + 2]
            if not any(x.group()[:1].isdigit() for x in near):
                continue
        out.setdefault(n, w)
    return out


def moved(
    src_text: str, src_lang: str, copy_text: str, copy_lang: str
) -> tuple[list[str], list[str]]:
    """The months and weekdays a translated passage lost from its source and those it
    brought, as written (both empty when either language is not read here)."""
    if src_lang not in LANGUAGES or copy_lang not in LANGUAGES:
        return [], []
    a, b = calendar_words(src_text, src_lang), calendar_words(copy_text, copy_lang)
    return [w for n, w in a.items() if n not in b], [w for n, w in b.items() if n not in a]
