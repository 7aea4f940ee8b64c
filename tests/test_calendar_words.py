"""Months and weekdays named in a passage, by language (semantic/calendar_words.py)."""

from __future__ import annotations

import pytest

from provenance.semantic.calendar_words import calendar_words, moved


@pytest.mark.parametrize(
    ("text", "lang", "named"),
    [
        ("The pier closes on Tuesday, 4 March.", "en", {102: "Tuesday", 3: "March"}),
        ("Le quai ferme le mardi 4 mars.", "fr", {102: "mardi", 3: "mars"}),
        ("Mardi, le port a fermé.", "fr", {102: "Mardi"}),  # a sentence's first word
        ("Il porto chiude martedì 4 marzo.", "it", {102: "martedì", 3: "marzo"}),
        ("Der Hafen schließt am Dienstag, dem 4. März.", "de", {102: "Dienstag", 3: "März"}),
        ("El puerto cierra el martes 4 de marzo.", "es", {102: "martes", 3: "marzo"}),
        ("Порт закроется во вторник, 4 марта.", "ru", {102: "вторник", 3: "марта"}),
        # words that are also ordinary words
        ("You may march on, they said.", "en", {}),  # lower case: not English months
        ("Non è mai successo.", "it", {}),  # Italian "mai" is "never"
        ("La sonde vole vers Mars depuis juin.", "fr", {6: "juin"}),  # a planet
        ("Le 5 Mars, la sonde partira.", "fr", {3: "Mars"}),  # next to a day: a date
        ("Habló con Plácido Domingo en mayo.", "es", {5: "mayo"}),  # a name
        ("The pier closes on Tuesday.", "ja", {}),  # a language not read here
    ],
)
def test_calendar_words(text: str, lang: str, named: dict[int, str]) -> None:
    assert calendar_words(text, lang) == named


def test_moved_lists_what_a_translation_lost_and_brought() -> None:
    src = "The pier will close on Tuesday for repairs in March."
    assert moved(src, "en", "Le quai fermera mardi pour travaux en mars.", "fr") == ([], [])
    assert moved(src, "en", "Le quai fermera jeudi pour travaux en avril.", "fr") == (
        ["Tuesday", "March"],
        ["jeudi", "avril"],
    )
    # a language whose words are not read compares nothing
    assert moved(src, "en", "桟橋は3月に閉鎖されます。", "ja") == ([], [])
