"""The word lists of the risk classes (``risk.py``): qualifier families, number words,
titles, reporting verbs and source nouns by kind. prov's own lists (the opposites come
from WordNet: ``antonyms.py``); the README's "Alteration classes" describes each.
"""

from __future__ import annotations

# Words whose insertion, deletion or exchange changes what a sentence claims, by
# family: exchanging two words of one family ("may" -> "might") is wording.
QUALIFIER_FAMILIES = {
    "negation": "not no never none nor neither without cannot n't nobody nothing nowhere longer",
    "hedge": "may might could can possibly perhaps maybe probably likely unlikely presumably",
    "hearsay": (
        "allegedly alleged reportedly purportedly purported supposedly supposed apparently "
        "seemingly suspected unconfirmed unverified"
    ),
    "certainty": "will would shall definitely certainly surely undoubtedly clearly",
    "advice": "should ought",
    "obligation": "must",
    "falsity": "falsely false wrongly wrongful mistakenly erroneously fake untrue baseless",
    "degree": (
        "only nearly almost barely hardly partly partially slightly entirely fully completely"
    ),
    "all": "all every each always entire whole everyone everybody everything",
    "some": "some sometimes any",
    "many": "many numerous countless multiple several various",
    "most": "most mostly largely mainly",
    "often": "usually often typically generally commonly normally frequently",
    "few": "few fewer rarely seldom",
}
QUALIFIERS = {w: fam for fam, ws in QUALIFIER_FAMILIES.items() for w in ws.split()}
#: "appears to", "seems that": a hedge when "to" or "that" follows.
HEDGE_VERBS = frozenset("appear appears appeared seem seems seemed".split())
NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred hundreds thousand thousands million millions billion billions "
    "trillion dozen dozens half quarter double triple first second third fourth fifth sixth "
    "seventh eighth ninth tenth percent per cent twice thrice "
    "january february april june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
# Capitalised titles name a person's office, even at the start of a sentence.
TITLES = frozenset(
    "president vice secretary minister senator governor mayor general admiral chancellor "
    "premier ambassador judge justice king queen prince princess pope bishop chairman "
    "chairwoman ceo director commissioner spokesperson spokesman spokeswoman sheriff "
    "prosecutor attorney congressman congresswoman".split()
)
#: Capitalised but never a name of their own.
NOT_NAMES = frozenset("i a mr mrs ms dr prof".split())
# Reporting verbs by kind: exchanging two of one kind ("said" -> "stated") is wording.
REPORTING = {
    "neutral": (
        "say says said saying tell tells told telling stated announce "
        "announces announced report reports reported add adds added note notes noted "
        "explain explains explained write writes wrote comment commented remark remarked "
        "describe described respond responded reply replied emphasize emphasizes "
        "emphasized emphasise emphasised"
    ),
    "concession": (
        "admit admits admitted admitting concede concedes conceded conceding acknowledge "
        "acknowledges acknowledged acknowledging confess confesses confessed"
    ),
    "assertion": (
        "claim claims claimed claiming allege alleges alleged alleging assert asserts "
        "asserted contend contends contended maintain maintains maintained insist insists "
        "insisted insisting argue argues argued"
    ),
    "denial": "deny denies denied denying dispute disputes disputed refute refuted rebut",
    "warning": "warn warns warned warning threaten threatens threatened",
    "disclosure": (
        "reveal reveals revealed disclose discloses disclosed confirm confirms confirmed "
        "affirm affirms affirmed reaffirm reaffirms reaffirmed"
    ),
    "suggestion": "suggest suggests suggested hint hinted imply implies implied speculated",
    "boast": "boast boasts boasted brag bragged",
}
REPORTING_KIND = {w: k for k, ws in REPORTING.items() for w in ws.split()}
#: Reporting verbs that are as often something else ("added value"): not a source on
#: their own when added or dropped.
AMBIGUOUS_REPORTING = frozenset(
    "add adds added note notes noted report reports reported write writes wrote maintain "
    "maintains maintained stated describe described reply respond responded dispute "
    "disputes disputed confirm confirms confirmed comment remark".split()
)
PRONOUNS = frozenset("he she they we i you it his her their our".split())
#: Who a statement is attributed to when it is not a name, by kind: "according to
#: police" -> "according to witnesses" changes the source; "the health office" -> "the
#: health department" (one kind) and "a report" -> "a document" (no source noun) do not.
SOURCES = {
    "administration": (
        "officials official authorities authority government ministry agency department "
        "office administration council"
    ),
    "law": "police officers officer investigators investigator prosecutors prosecutor court judge",
    "military": "military army troops soldiers",
    "public": (
        "witnesses witness residents resident neighbours neighbors relatives family staff "
        "employees workers insiders observers"
    ),
    "experts": (
        "experts expert doctors doctor scientists scientist researchers researcher analysts "
        "analyst lawyers lawyer"
    ),
    "representatives": "spokesperson spokesman spokeswoman aides aide sources source diplomats",
    "partisans": "critics critic supporters opponents activists union",
}
SOURCE_KIND = {w: k for k, ws in SOURCES.items() for w in ws.split()}
RELATIVES = frozenset("who whom whose which where".split())
ARTICLES = frozenset("a an the".split())
