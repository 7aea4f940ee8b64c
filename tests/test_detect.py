"""match/detect.py and the passages it adds: reworded reuse found inside long texts.

The texts are made here (a passage of our own inside generated filler), never PAN's.
"""

from __future__ import annotations

import random

import pytest

from provenance import compare_texts
from provenance.match import detect as detect_module
from provenance.match import sides
from provenance.match.bags import STOP, stems
from provenance.match.detect import Fragment, detect
from provenance.match.results import Score
from provenance.text.normalize import normalize

PASSAGE = (
    "The old lighthouse keeper climbed the spiral stairs every evening before sunset to light "
    "the great lamp above the cliffs. Fishermen returning from the northern banks relied on "
    "its beam to avoid the jagged rocks near the harbour entrance. During the winter storm of "
    "that year, the keeper kept the flame burning for three days and three nights without any "
    "sleep. When the relief boat finally arrived, the crew found him exhausted but proud beside "
    "the shining brass lens. The village later honoured his courage with a bronze plaque "
    "mounted on the granite wall of the tower."
)
SYNONYMS = {
    "old": "aged", "climbed": "ascended", "evening": "night", "great": "huge",
    "returning": "coming", "relied": "depended", "avoid": "escape", "jagged": "sharp",
    "storm": "tempest", "finally": "at last", "exhausted": "worn out", "shining": "gleaming",
    "honoured": "celebrated", "courage": "bravery", "mounted": "fixed",
}  # fmt: skip
REWORDED = (
    "Each evening before the sun went down the aged keeper of the lighthouse went up the "
    "spiral staircase to light the big lamp over the cliffs. Fishers coming back from the "
    "northern banks counted on his beam so as to avoid the sharp rocks close to the entrance "
    "of the harbour. In the winter storm that year the keeper kept his flame burning three "
    "days and three nights and did not sleep. When at last the relief boat arrived, its crew "
    "found him tired but proud next to the shining lens of brass. Later the village honoured "
    "his bravery with a plaque of bronze mounted on the tower's granite wall."
)
_VOCAB = (
    "market price farmer grain river bridge council tax road school teacher student book "
    "letter merchant ship cargo wheat cotton factory worker wage union strike railway station "
    "engine coal iron steel mill town mayor election vote law court judge church bell garden "
    "orchard apple harvest cattle horse cart wagon valley mountain forest hunter wolf snow "
    "summer autumn spring morning noon afternoon bread butter cheese milk kitchen table chair "
    "window door street lamp house family child mother father brother sister friend neighbour "
    "doctor medicine fever hospital soldier army war peace treaty king queen castle tower"
).split()
_GLUE = "the a of and to in was were with for on by at from that his her their it".split()


def filler(seed: int, words: int) -> list[str]:
    """Sentences of generated text (paragraphs of five), about ``words`` words."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    sentences = []
    n = 0
    while n < words:
        k = rng.randint(12, 22)
        ws = [rng.choice(_VOCAB) if rng.random() < 0.6 else rng.choice(_GLUE) for _ in range(k)]
        sentences.append(" ".join(ws).capitalize() + ".")
        n += k
    return [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]


def inside(text: str, seed: int, words: int = 5000) -> str:
    paras = filler(seed, words)
    return "\n\n".join([*paras[: len(paras) // 2], text, *paras[len(paras) // 2 :]])


def shuffled(text: str, seed: int = 3) -> str:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    out = []
    for sentence in text.split(". "):
        ws = sentence.rstrip(".").split()
        rng.shuffle(ws)
        out.append(" ".join(ws))
    return ". ".join(out) + "."


def synonyms(text: str) -> str:
    return " ".join(SYNONYMS.get(w, w) for w in text.split(" "))


def found(s: Score) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    return [(p.source_span, p.copy_span) for p in s.pairs if p.found]


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def test_synonym_copy_replaces_a_fifth_of_the_words() -> None:
    n = len(PASSAGE.split())
    changed = sum(1 for w in PASSAGE.split() if w in SYNONYMS)
    assert 0.15 * n <= changed <= 0.25 * n


def test_verbatim_passage_inside_long_texts_found_with_its_spans() -> None:
    source, copy = inside(PASSAGE, 1), inside(PASSAGE, 2)
    assert len(source.split()) > 5000 and len(copy.split()) > 5000
    s = compare_texts(source, copy)
    assert (s.verdict, s.extent, s.wording) == ("partial", "part", "verbatim")
    ((src_span, copy_span),) = found(s)
    assert normalize(source[slice(*src_span)]).words == normalize(PASSAGE).words
    assert normalize(copy[slice(*copy_span)]).words == normalize(PASSAGE).words
    assert s.copied_words == len(normalize(PASSAGE).words)


@pytest.mark.parametrize(
    "variant",
    [shuffled(PASSAGE), synonyms(PASSAGE), REWORDED],
    ids=["shuffled-in-sentences", "synonyms-20pc", "reworded"],
)
def test_reworded_passage_inside_long_texts_is_found(variant: str) -> None:
    source, copy = inside(PASSAGE, 1), inside(variant, 2)
    s = compare_texts(source, copy)
    assert s.verdict == "partial"
    assert s.extent == "part"
    at_src = source.index(PASSAGE)
    at_copy = copy.index(variant)
    src_case, copy_case = (at_src, at_src + len(PASSAGE)), (at_copy, at_copy + len(variant))
    hits = found(s)
    assert hits
    # the found passages cover most of the reused passage, and hardly anything else
    assert sum(overlap(a, src_case) for a, _ in hits) >= 0.8 * len(PASSAGE)
    assert sum(overlap(b, copy_case) for _, b in hits) >= 0.8 * len(variant)
    assert sum(b[1] - b[0] for _, b in hits) <= 1.2 * len(variant)


def test_unrelated_text_on_the_same_subject_is_unrelated() -> None:
    other = (
        "Lighthouses were built along the coast during the nineteenth century, most of them "
        "by engineers working for the government. Their towers were painted with stripes so "
        "that sailors could recognise each one during the day. Today most lights are automatic "
        "and the old keepers' cottages have become museums or holiday homes for visitors who "
        "enjoy the sea air and the view across the bay."
    )
    s = compare_texts(inside(PASSAGE, 1), inside(other, 2))
    assert (s.verdict, s.extent) == ("unrelated", "none")
    assert not found(s)


def test_generated_filler_alone_is_unrelated() -> None:
    s = compare_texts("\n\n".join(filler(1, 3000)), "\n\n".join(filler(2, 3000)))
    assert s.verdict == "unrelated"


def units(text: str) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
    """Words and sentence ranges of a text (sentences end with ". ")."""
    out: list[str] = []
    ranges = []
    for sentence in text.replace("\n\n", " ").split(". "):
        w = normalize(sentence).words
        ranges.append((len(out), len(out) + len(w)))
        out.extend(w)
    return tuple(out), ranges


def test_detect_finds_shuffled_sentences_among_others() -> None:
    src, su = units(inside(PASSAGE, 1, 800))
    cp, cu = units(inside(shuffled(PASSAGE), 2, 800))
    frags = [f for f in detect(src, su, cp, cu) if f.found]
    assert len(frags) == 1
    (frag,) = frags
    n = len(normalize(PASSAGE).words)

    def before(seed: int) -> int:  # words of the filler before the passage
        paras = filler(seed, 800)
        return len(normalize("\n\n".join(paras[: len(paras) // 2])).words)

    at_src, at_cp = before(1), before(2)
    assert src[at_src : at_src + 3] == ("the", "old", "lighthouse")
    # inside the passage, all of it but stop words at its ends (trimmed)
    assert at_src <= frag.src[0] and frag.src[1] <= at_src + n
    assert frag.src[1] - frag.src[0] >= n - 3
    assert at_cp <= frag.copy[0] and frag.copy[1] <= at_cp + n
    assert frag.copy[1] - frag.copy[0] >= n - 3
    assert frag.seeds == 5  # one a sentence
    assert frag.similarity > 0.99  # the same words, in another order


def test_detect_nothing_without_shared_content_words() -> None:
    a = normalize("The cat sat on the mat and it was happy there.").words
    b = normalize("A dog ran in the park and it was very happy.").words
    assert detect(a, [(0, len(a))], b, [(0, len(b))]) == ()


def test_stems_drop_function_words_and_cut_words() -> None:
    assert stems(("the", "destroyed", "towers", "of", "1871")) == ["destr", "tower"]


NOTICE = (
    "The {town} Town Council will hold a public meeting on {day}, {date} at {time} in "
    "{town} Town Hall. Residents of {town} are invited to comment on the proposed {year} "
    "budget of {amount} dollars at the {day} meeting. Copies of the {town} budget are "
    "available from {name} at the clerk's office until {date}. For more information about "
    "the {town} meeting, call {name} at {phone} before {day}."
)


def test_templated_notices_with_other_names_and_dates_are_unrelated() -> None:
    """Every sentence of the template carries names, dates or numbers: what two notices
    share is the template's stock phrasing, at low fidelity, not a copied text."""
    a = (
        NOTICE.format(
            town="Millbrook",
            day="Tuesday",
            date="March 3",
            time="7 p.m.",
            name="Ann Porter",
            phone="555-0134",
            year="2026",
            amount="4.2 million",
        )
        + " The council will also discuss repairs to the bridge on Mill Road after the flood."
    )
    b = (
        NOTICE.format(
            town="Stonefield",
            day="Thursday",
            date="May 14",
            time="6:30 p.m.",
            name="Raj Mehta",
            phone="555-0199",
            year="2027",
            amount="900,000",
        )
        + " A new playground for the park behind the library is also on the agenda this year."
    )
    s = compare_texts(a, b)
    assert (s.verdict, s.extent) == ("unrelated", "none"), s.reason
    assert "stock" in s.rule or "too little" in s.rule


BOILERPLATE = (
    "Home | News | Sport | Weather\nWe use cookies to improve your experience. Accept all\n\n"
    "{body}\n\nShare this article\nFacebook Twitter Email\n© 2026 Coast News. All rights "
    "reserved.\nSubscribe to our newsletter"
)


def test_reworded_passage_inside_boilerplate_is_found() -> None:
    source = inside(PASSAGE, 1, 2000)
    copy = BOILERPLATE.format(body=inside(REWORDED, 2, 2000))
    s = compare_texts(source, copy)
    assert (s.verdict, s.extent, s.wording) == ("partial", "part", "reworded")
    at = copy.index(REWORDED)
    hits = [b for _, b in found(s)]
    assert sum(overlap(b, (at, at + len(REWORDED))) for b in hits) >= 0.8 * len(REWORDED)
    assert all(not b.startswith("Home") for b in (copy[slice(*h)] for h in hits))


FRENCH = (
    "Le vieux gardien du phare montait chaque soir l'escalier en colimaçon pour allumer la "
    "grande lampe au-dessus des falaises. Les pêcheurs qui revenaient des bancs du nord "
    "comptaient sur son faisceau pour éviter les rochers pointus près de l'entrée du port. "
    "Pendant la tempête d'hiver de cette année-là, le gardien garda la flamme allumée trois "
    "jours et trois nuits sans dormir."
)
FRENCH_REWORDED = (
    "Chaque soir, le gardien âgé du phare montait l'escalier en colimaçon afin d'allumer la "
    "lampe immense au-dessus des falaises. Revenant des bancs du nord, les pêcheurs "
    "comptaient sur ce faisceau pour éviter les rochers pointus proches de l'entrée du port. "
    "Durant la tempête de cet hiver-là, le gardien maintint la flamme allumée trois jours et "
    "trois nuits, sans sommeil."
)
_FR = (
    "marché prix fermier grain rivière pont conseil route école maître élève livre lettre "
    "marchand navire blé coton usine ouvrier salaire grève gare moteur charbon fer acier "
    "moulin ville maire élection vote tribunal juge église cloche jardin verger pomme récolte"
).split()
_FR_GLUE = "le la les un une de des et à en dans pour sur avec par du au".split()


def french_inside(text: str, seed: int) -> str:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    paras = []
    for _ in range(40):
        sentences = []
        for _ in range(4):
            k = rng.randint(10, 18)
            ws = [rng.choice(_FR) if rng.random() < 0.6 else rng.choice(_FR_GLUE) for _ in range(k)]
            sentences.append(" ".join(ws).capitalize() + ".")
        paras.append(" ".join(sentences))
    return "\n\n".join([*paras[:20], text, *paras[20:]])


@pytest.mark.parametrize(
    ("variant", "wording"), [(FRENCH, "verbatim"), (FRENCH_REWORDED, "reworded")]
)
def test_french_passage_inside_french_text_is_found(variant: str, wording: str) -> None:
    source, copy = french_inside(FRENCH, 1), french_inside(variant, 2)
    s = compare_texts(source, copy)
    assert (s.verdict, s.wording) == ("partial", wording)
    at = copy.index(variant)
    hits = [b for _, b in found(s)]
    assert sum(overlap(b, (at, at + len(variant))) for b in hits) >= 0.8 * len(variant)
    assert sum(b[1] - b[0] for b in hits) <= 1.2 * len(variant)


def test_reworded_text_of_very_long_texts_is_not_searched_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from provenance import verify

    searched = compare_texts(inside(PASSAGE, 1, 2000), inside(REWORDED, 2, 2000))
    assert searched.warnings == ()
    monkeypatch.setattr(verify, "MAX_DETECT_WORDS", 1000)  # bounded work on huge pages
    s = compare_texts(inside(PASSAGE, 1, 2000), inside(REWORDED, 2, 2000))
    assert any("reworded text was not searched" in w for w in s.warnings)
    assert s.copied_words < searched.copied_words  # only what aligns word by word
    verbatim = compare_texts(inside(PASSAGE, 1, 2000), inside(PASSAGE, 2, 2000))
    assert (verbatim.verdict, verbatim.wording) == ("partial", "verbatim")


def test_seeding_work_grows_linearly_on_repetitive_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # sentences of a few words in random order: every source sentence shares every
    # stem with every copy sentence, and a naive seeding counts all those pairs
    import collections

    from provenance.match import seeds as module

    writes = [0]

    class Counting(collections.Counter[str]):
        def __setitem__(self, key, value):  # type: ignore[no-untyped-def]
            writes[0] += 1
            super().__setitem__(key, value)

    monkeypatch.setattr(module, "Counter", Counting)
    units_of = module.units_of

    def counted_units(bag, postings, start=None):  # type: ignore[no-untyped-def]
        # the candidate pairs counted (in C when the kernel is built): one a posting
        writes[0] += sum(len(postings.get(t) or ()) for t in bag)
        return units_of(bag, postings, start)

    monkeypatch.setattr(module, "units_of", counted_units)
    vocab = "alpha beta gamma delta echo foxtrot golf hotel india juliet kilo lima".split()

    def work(n: int) -> int:
        rng = random.Random(n)  # noqa: S311 - test data

        def word() -> str:
            # mostly the few common words; one in six a rarer word (in a few sentences
            # whatever the length, as a text's names are): the pairs the seeding counts
            if rng.random() < 5 / 6:
                return rng.choice(vocab)
            k = rng.randrange(n // 6)
            return "q" + "".join(chr(97 + (k // 26**d) % 26) for d in range(3))

        src = [word() for _ in range(n)]
        copy = [word() for _ in range(n)]
        units = [(i, min(n, i + 12)) for i in range(0, n, 12)]
        writes[0] = 0
        detect(src, units, copy, units)
        return writes[0]

    small, large = work(3000), work(6000)
    assert small > 200, small  # the candidate pairs counted are measured
    assert large <= 2.5 * small, (small, large)


def test_reworded_passage_with_two_sentences_kept_in_swapped_order_is_one_passage() -> None:
    # a rewording that kept two sentences word for word and swapped them: the aligned
    # sentences are a small part of a reworded passage, found whole and reworded (not two
    # verbatim sentences, one of them "moved", and the rest missed)
    p, r = PASSAGE.split(". "), REWORDED.split(". ")
    variant = ". ".join([r[0], p[4].rstrip("."), r[1], p[2], r[3]]) + "."
    source, copy = inside(PASSAGE, 1), inside(variant, 2)
    s = compare_texts(source, copy)
    assert (s.verdict, s.extent, s.wording) == ("partial", "part", "reworded")
    ((src_span, copy_span),) = found(s)
    at_src, at_copy = source.index(PASSAGE), copy.index(variant)
    assert overlap(src_span, (at_src, at_src + len(PASSAGE))) >= 0.9 * len(PASSAGE)
    assert overlap(copy_span, (at_copy, at_copy + len(variant))) >= 0.9 * len(variant)
    assert not any(p.moved for p in s.pairs if p.found)


ADVICE = (
    "Before the interview, read the company's annual report and note its main products. "
    "Prepare short answers about your last three jobs and what you learned in each. "
    "Practise the answers aloud with a friend until they sound natural. "
    "If the subject matter is new to you, take the time to research it."
)
ADVICE_REWORDED = (
    "Read the annual report of the company before your interview and note its main products. "
    "Prepare answers about your three last jobs and what each one taught you. "
    "Practise these answers aloud with a friend until they sound natural. "
    "If the precedent matter is new to you, give the case to investigation it."
)


def test_fragment_grows_over_a_last_sentence_reworded_too_far_to_be_a_seed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the last sentence kept its frame ("matter is new to you") and lost its content
    # words: no seed on its own, but the passage reaches into it (with synonyms,
    # "research" -> "investigation" makes it a seed: the growth is tested without them)
    monkeypatch.setattr(detect_module, "SYNONYMS", False)
    src, su = units(inside(ADVICE, 1, 800))
    cp, cu = units(inside(ADVICE_REWORDED, 2, 800))
    (frag,) = [f for f in detect(src, su, cp, cu) if f.found]
    assert frag.grown >= 1
    assert cp[frag.copy[1] - 3 : frag.copy[1]] == ("matter", "is", "new")
    assert src[frag.src[1] - 3 : frag.src[1]] == ("matter", "is", "new")
    # and no further: the filler after it is not taken
    assert cp[frag.copy[1] : frag.copy[1] + 5] == ("to", "you", "give", "the", "case")


def test_a_few_words_of_a_longer_source_line_are_not_a_found_passage() -> None:
    source = inside("A copy of your title policy", 1, 3000)
    copy = inside("Please keep a copy of your", 2, 3000)
    s = compare_texts(source, copy)
    assert not found(s)
    assert s.verdict == "unrelated"


def test_a_sentence_on_the_same_subject_before_a_reworded_passage_is_not_taken_in() -> None:
    # the copy tells of the storm once more, two sentences before its reworded passage:
    # that sentence pairs with the passage's storm sentence too, but the passage copies
    # that sentence once (in its place); the fragment does not stretch back over the
    # filler between them
    earlier = "The keeper kept the flame burning in the storm of that winter for three days."
    paras = filler(2, 800)
    before = "\n\n".join(paras[: len(paras) // 2])
    after = "\n\n".join(paras[len(paras) // 2 :])
    gap = "Cattle grazed in the orchard by the mill. The teacher read a letter to the council."
    copy_text = f"{before}\n\n{earlier} {gap}\n\n{REWORDED}\n\n{after}"
    src, su = units(inside(PASSAGE, 1, 800))
    cp, cu = units(copy_text)
    at = len(normalize(f"{before}\n\n{earlier} {gap}").words)
    frags = [f for f in detect(src, su, cp, cu) if f.found]
    assert frags
    assert all(f.copy[0] >= at - 2 for f in frags), [(f.copy, at) for f in frags]
    # and the passage itself is found
    assert any(f.copy[1] - f.copy[0] >= 0.8 * len(normalize(REWORDED).words) for f in frags)


def obfuscated(text: str, seed: int) -> str:
    """PAN-like random obfuscation of our own: in each sentence a quarter of the words
    deleted, a fifth replaced (by a synonym, else a random word of the filler's
    vocabulary), a random word inserted after about one in seven, and words swapped with
    a neighbour up to three places away."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    out = []
    for sentence in text.split(". "):
        words: list[str] = []
        for w in sentence.rstrip(".").split():
            r = rng.random()
            if r < 0.25:
                continue
            words.append(SYNONYMS.get(w, rng.choice(_VOCAB)) if r < 0.45 else w)
            if rng.random() < 0.15:
                words.append(rng.choice(_VOCAB + _GLUE))
        for _ in range(len(words) // 3):
            i = rng.randrange(len(words))
            j = min(len(words) - 1, i + rng.randint(1, 3))
            words[i], words[j] = words[j], words[i]
        out.append(" ".join(words))
    return ". ".join(out) + "."


def test_randomly_obfuscated_passages_are_found_with_their_spans() -> None:
    # twelve obfuscations of the passage, each inside 5,000 words of other text: most
    # are found over 70% of their characters on both sides, none stretched far past
    # the passage in the copy (a few are obfuscated past recognition: no sentence keeps
    # three of its content words)
    covered = 0
    for seed in range(12):
        variant = obfuscated(PASSAGE, seed)
        source, copy = inside(PASSAGE, 1), inside(variant, 2)
        hits = found(compare_texts(source, copy))
        at_src, at_copy = source.index(PASSAGE), copy.index(variant)
        src_case, copy_case = (at_src, at_src + len(PASSAGE)), (at_copy, at_copy + len(variant))
        in_src = sum(overlap(a, src_case) for a, _ in hits)
        in_copy = sum(overlap(b, copy_case) for _, b in hits)
        assert sum(b[1] - b[0] for _, b in hits) <= 1.2 * len(variant), seed
        covered += in_src >= 0.7 * len(PASSAGE) and in_copy >= 0.7 * len(variant)
    assert covered >= 9


def test_one_copy_sentence_is_not_a_summary_of_a_long_stretch_its_names_recur_in() -> None:
    # the copy's one sentence names six places; the source's twelve sentences name two
    # each: the sentence does not condense 160 words of source (its words recur there)
    places = ["Culpeper", "Brandy", "Cedar", "Kelly", "Rappahannock", "Stevensburg", "Fauquier"]
    passage = ". ".join(
        f"The cavalry rode past {places[k % 7]} and {places[(k * 3 + 1) % 7]} before the "
        "morning march across the fields"
        for k in range(12)
    )
    sentence = "Culpeper, Brandy, Cedar, Kelly, Rappahannock and Stevensburg saw the cavalry march."
    src, su = units(inside(passage + ".", 1, 800))
    cp, cu = units(inside(sentence, 2, 800))
    frags = detect(src, su, cp, cu)
    assert not any(f.summary for f in frags)
    assert all(f.src[1] - f.src[0] <= 4 * (f.copy[1] - f.copy[0]) for f in frags)


CARAVAN = (
    "The merchants travelled across the desert with a caravan of camels that carried silk and "
    "spices to distant cities. The journey lasted many weeks, and the guides knew every hidden "
    "well along the route. When storms buried the path, the traders paid the local tribes for "
    "the protection of their goods. Once the caravan arrived in the market town, crowds "
    "gathered to buy the rare cloth, and prices rose quickly. Wealthy families competed for "
    "the finest pieces, and the profits built large houses with high walls. The merchants "
    "returned home with stories of their adventures, and young men dreamed of joining the "
    "next journey."
)
#: What an article spinner makes of it: most content words replaced by a thesaurus
#: synonym (WordNet's, whatever the sense), and the words of two sentences shuffled.
SPUN = {
    "merchants": "merchandisers", "travelled": "journeyed", "caravan": "train",
    "carried": "transported", "spices": "spice", "cities": "metropolises",
    "journey": "travel", "lasted": "endured", "weeks": "workweeks", "guides": "ushers",
    "knew": "cognized", "hidden": "concealed", "well": "fountainhead", "route": "itinerary",
    "storms": "tempests", "buried": "interred", "path": "itinerary", "traders": "dealers",
    "tribes": "folk", "protection": "security", "arrived": "came", "market": "marketplace",
    "crowds": "crews", "gathered": "collected", "buy": "purchase", "cloth": "fabric",
    "prices": "costs", "rose": "arose", "quickly": "rapidly", "wealthy": "affluent",
    "families": "households", "competed": "vied", "pieces": "parts", "profits": "earnings",
    "built": "constructed", "houses": "firms", "walls": "palisades", "returned": "reverted",
    "home": "abode", "stories": "narratives", "adventures": "escapades", "young": "youthful",
    "men": "manpower", "dreamed": "dreamt", "joining": "join",
}  # fmt: skip


def spun(text: str, shuffle: tuple[int, ...] = (1, 4)) -> str:
    out = []
    for k, sentence in enumerate(text.split(". ")):
        words = [SPUN.get(w.strip(","), w.strip(",")) for w in sentence.rstrip(".").split()]
        if k in shuffle:
            random.Random(k).shuffle(words)  # noqa: S311 - test data
        out.append(" ".join(words))
    return ". ".join(out) + "."


def test_spun_passage_replaces_most_content_words_by_wordnet_synonyms() -> None:
    # the test below means what it says: most content words are WordNet synonyms now
    from provenance.match.synonyms import table

    content = [w.strip(",.") for w in CARAVAN.split() if w.strip(",.").lower() not in STOP]
    replaced = [w for w in content if w in SPUN]
    assert len(replaced) >= 0.6 * len(content)
    assert all(table().related(w, SPUN[w]) for w in replaced if SPUN[w] != w)


def test_spun_passage_inside_long_texts_is_found_over_most_of_it() -> None:
    variant = spun(CARAVAN)
    source, copy = inside(CARAVAN, 1), inside(variant, 2)
    s = compare_texts(source, copy)
    assert s.verdict == "partial"
    hits = found(s)
    at_src, at_copy = source.index(CARAVAN), copy.index(variant)
    src_case, copy_case = (at_src, at_src + len(CARAVAN)), (at_copy, at_copy + len(variant))
    assert sum(overlap(a, src_case) for a, _ in hits) >= 0.7 * len(CARAVAN)
    assert sum(overlap(b, copy_case) for _, b in hits) >= 0.7 * len(variant)
    assert sum(b[1] - b[0] for _, b in hits) <= 1.2 * len(variant)


def test_another_article_on_the_same_subject_in_synonyms_is_unrelated() -> None:
    # two articles on desert caravans, written apart: they share the subject's words
    # and each other's synonyms (merchants/traders, journey/travel, goods/wares), not
    # a passage
    other = (
        "Trade across the great desert depended on the camel, an animal that can travel for "
        "days without water. Traders formed long trains of animals and hired guides from the "
        "oasis towns, who led them from one well to the next. The wares they transported "
        "changed with the centuries: salt and gold in the south, cloth and glass in the "
        "north. Many travellers never came back, lost in tempests or robbed by raiders, and "
        "the dealers who survived charged high costs for what they sold in the markets. "
        "Historians still study the journals that some merchants kept of their journeys."
    )
    s = compare_texts(inside(CARAVAN, 1), inside(other, 2))
    assert (s.verdict, s.extent) == ("unrelated", "none")
    assert not found(s)
    # nor when it is spun the way the copy above is
    s = compare_texts(inside(CARAVAN, 1), inside(spun(other, ()), 2))
    assert (s.verdict, s.extent) == ("unrelated", "none")


def _sentences(text: str) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
    words: list[str] = []
    units = []
    for sentence in text.replace("\n", " ").split(". "):
        ws = normalize(sentence).words
        units.append((len(words), len(words) + len(ws)))
        words.extend(ws)
    return tuple(words), units


def test_copies_checked_in_turn_each_get_their_own_passages() -> None:
    """The copy side (its sentences, bags, unit counts) is kept from one call to the
    next: a different copy, even with sentences at the same word ranges, is its own."""
    src, s_units = _sentences(inside(PASSAGE, 7, 400))
    one, units = _sentences(REWORDED)
    other = tuple(reversed(one))  # the same words and sentence ranges, other sentences

    def fresh(copy: tuple[str, ...]) -> tuple[object, ...]:
        sides.forget()
        return detect(src, s_units, copy, units)

    expected = {id(one): fresh(one), id(other): fresh(other)}
    assert expected[id(one)] and expected[id(one)] != expected[id(other)]
    for copy in (one, other, one, other):
        assert detect(src, s_units, copy, units) == expected[id(copy)]


def test_a_copy_in_a_language_the_synonym_table_lacks_is_not_searched_by_synonyms() -> None:
    # the spun passage is found through synonyms; the same words in ranges of the copy
    # marked as another language (verify marks blocks not in English) are searched by
    # their own stems only: "synonyms" of words of another language are chance
    from provenance.text.prepare import prepare

    src, copy = prepare(inside(CARAVAN, 1)), prepare(inside(spun(CARAVAN), 2))
    args = (
        src.norm.words,
        [(p.first, p.last) for p in src.passages],
        copy.norm.words,
        [(p.first, p.last) for p in copy.passages],
    )

    def copied(fragments: tuple[Fragment, ...]) -> int:
        return sum(f.copy[1] - f.copy[0] for f in fragments if f.found)

    everywhere = copied(detect(*args))
    assert everywhere > 0
    assert copied(detect(*args, foreign=[(0, len(copy.norm.words))])) < everywhere / 2
    # a foreign range elsewhere in the copy changes nothing
    assert copied(detect(*args, foreign=[(0, 5)])) == everywhere


def test_the_kernel_s_tf_idf_loops_give_detect_the_same_passages_to_the_bit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # reworded, shuffled, spun and obfuscated passages inside other text, with the
    # compiled kernel's weigh/cosine/units (match/_kernel_bags.c) and with the Python
    # code: every fragment the same, its similarity to the bit (repr)
    from provenance import verify
    from provenance.match import bags

    if bags._KERNEL is None:
        pytest.skip("the compiled kernel is not in use: the Python path only")
    made: list[tuple[Fragment, ...]] = []

    def recorded(*args: object, **kwargs: object) -> tuple[Fragment, ...]:
        out = detect(*args, **kwargs)  # type: ignore[arg-type]
        made.append(out)
        return out

    monkeypatch.setattr(verify, "detect", recorded)
    cases = [
        (PASSAGE, REWORDED),
        (PASSAGE, shuffled(PASSAGE)),
        (PASSAGE, synonyms(PASSAGE)),
        (CARAVAN, spun(CARAVAN)),
        *((PASSAGE, obfuscated(PASSAGE, seed)) for seed in range(3)),
    ]
    runs = []
    for kernel in (bags._KERNEL, None):
        monkeypatch.setattr(bags, "_KERNEL", kernel)
        made.clear()
        for n, (a, b) in enumerate(cases):
            compare_texts(inside(a, n, 1500), inside(b, n + 7, 1500))
        runs.append(repr(made))
    assert runs[0] == runs[1]
    assert "Fragment(" in runs[0]
