"""Generate a synthetic web crawl with known copies, for testing ``prov scan``.

Usage: ``python scripts/make_crawl.py OUT_DIR [--pages N] [--seed S] [--verify K]``

Writes, under ``OUT_DIR``:

- ``sources/``: the seven canonical texts (five original articles of
  ``tests/assets/cases/sources/`` and the two communiqués of ``samples/seeds/``), to be
  indexed with ``prov add``;
- ``crawl/site-<name>/<slug>.html``: ~40% of the pages, as files of six fake news sites,
  each with its own template (menu, cookie banner, share buttons, related articles,
  newsletter box, footer) and the article in ``<article>`` or ``<div class="content">``;
- ``crawl/warc/crawl-0N.warc[.gz]``: ~45% of the pages, as HTTP 200 ``text/html``
  responses, each after its request record, plus records a scan must ignore (warcinfo,
  a 404, a PNG image, a 301 redirect) and ~1% revisits (the same URL captured again in a
  later file, with one edit);
- ``crawl/jsonl/pages-0N.jsonl``: ~15% of the pages, ``{"url", "date", "text"}`` (some
  with ``"html"`` instead of ``"text"``);
- ``manifest.json``: every page with its location and what a scan must find in it (the
  source and verdict, the planted edits), the revisits, the non-page records, the counts.

Page mix: ~8% verbatim copies of a source, ~4% near-verbatim (one planted qualifier,
number or name edit, plus up to two synonym swaps), ~6% paraphrased (spun with
``make_cases.spin`` at 12% of the words, paragraphs often shuffled and merged), ~4%
partial (two or three consecutive paragraphs of a source inside an unrelated article),
the rest unrelated articles generated from sentence templates and word lists.

Deterministic: one ``random.Random(seed)``, fixed dates, record IDs derived from the
URLs (uuid5): the same arguments give byte-identical output. No network.
``--verify K`` checks K pages per class with ``provenance.compare_texts`` on the plain
article text (what the page body holds) and prints the verdicts.
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import importlib.util
import io
import json
import random
import re
import shutil
import sys
import textwrap
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = "scripts/make_crawl.py"


def _load_make_cases() -> ModuleType:
    """A private instance of scripts/make_cases.py: its synonym table gets extended below
    without touching the module that tests/test_cases.py may import."""
    name = "_make_cases_for_crawl"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "make_cases.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses look the module up while the class is built
    spec.loader.exec_module(mod)
    return mod


mc: Any = _load_make_cases()

# --------------------------------------------------------------------------------------
# Synonyms for the communiqués' vocabulary: make_cases' table was written for its five
# articles and covers 35-49 words of each communiqué, where a 12% spin needs ~150.
# Same rules: lower case, never a qualifier, number or name (checked below).
# --------------------------------------------------------------------------------------
_EXTRA = [
    (pair.split(":")[0], pair.split(":")[1])
    for pair in """
    efforts:endeavours continue:persist international:global including:comprising
    security:safety effort:endeavour committed:pledged people:persons threat:danger
    defeat:rout remains:stays comprehensive:thorough remain:stay full:total
    meeting:gathering enduring:lasting ensure:guarantee affiliates:offshoots
    respect:regard forces:troops stabilization:steadying areas:regions collective:joint
    coordination:cooperation political:governmental reaffirmed:restated countries:states
    fighters:combatants accountability:responsibility determination:resolve
    terrorist:extremist civilians:noncombatants circumstances:conditions
    interests:concerns global:worldwide coordinated:concerted liberated:freed
    request:appeal accordance:conformity concern:worry posed:presented
    capacity:capability existing:current enforcement:policing foreign:overseas
    family:household terrorists:extremists recognized:acknowledged counter:oppose
    fight:battle conditions:circumstances group:organisation protection:safeguarding
    cooperation:collaboration territorial:regional threaten:menace firmly:resolutely
    address:speech includes:encompasses sustain:maintain partner:allied
    working:operating further:additional achieved:attained threats:dangers
    exploit:abuse worldwide:globally consent:approval effective:efficient
    situation:circumstances grave:serious importance:significance necessary:needed
    networks:webs invitation:request reaffirm:restate shared:common create:establish
    sole:single purpose:aim multifaceted:diverse emphasized:stressed affirmed:confirmed
    relevant:pertinent resolutions:decisions upheld:maintained unable:incapable
    reconstitute:rebuild enclave:pocket homelands:countries united:unified
    outrage:indignation atrocities:brutalities controls:commands territory:land
    freed:released control:command vigilance:alertness action:activity
    allocating:assigning adequate:sufficient resources:assets legitimate:lawful
    safeguard:protect welcome:embrace maintain:preserve pressure:strain
    operates:functions sovereignty:autonomy strengthening:reinforcing measures:steps
    operational:working efficiency:effectiveness activities:operations stands:stays
    lasting:durable settlement:resolution vigilant:watchful forms:types build:construct
    success:achievement together:jointly avoid:prevent focused:concentrated
    building:constructing upon:on concerned:worried initiatives:schemes pursue:follow
    information:data sharing:exchange channels:networks particularly:especially
    challenge:test custody:detention mechanisms:tools origin:source violence:brutality
    promoting:encouraging accused:charged treated:handled appropriately:properly
    tried:prosecuted obligations:duties guarantees:assurances custodians:keepers
    detained:imprisoned treat:handle humanely:compassionately detainees:prisoners
    serious:grave belief:conviction achieve:accomplish proven:demonstrated
    cohesive:unified military:armed intent:intention next:following applicable:relevant
    ability:capacity recovery:restoration prevent:avert resurgence:revival combat:fight
    regions:areas affected:impacted virtually:remotely recalling:remembering
    strengthen:reinforce appreciate:value deeply:profoundly presented:delivered
    thank:credit acknowledge:recognise deepest:profound extraordinary:remarkable
    huge:enormous sacrifices:losses thus:therefore stronger:greater
    establishment:formation government:administration engaging:interacting
    fruitful:productive dialogue:conversation adapt:adjust regarding:concerning
    role:function crisis:emergency operations:missions mitigate:lessen
    pandemic:outbreak supporting:backing dismantle:disassemble emerging:developing
    urgent:pressing need:requirement known:recognised border:frontier
    increasing:growing strategic:tactical recognizing:acknowledging commit:pledge
    nationality:citizenship consistent:compatible urge:encourage sustained:continued
    confirmed:verified soon:shortly permit:allow reconvening:reassembling
    joining:entering priority:precedence perpetrated:committed families:relatives
    victims:casualties crimes:offences resumption:renewal rebuild:reconstruct
    capabilities:capacities target:aim active:present requires:demands strong:firm
    drivers:causes communities:neighbourhoods vulnerable:susceptible
    recruitment:enlistment violent:brutal provide:offer regard:respect means:method
    curbing:restraining raise:collect revenue:income enhancing:improving
    toxic:poisonous propaganda:messaging denying:refusing space:room
    acknowledged:recognised remnants:vestiges commended:praised enhance:improve
    unity:solidarity condemned:denounced personnel:staff convoys:columns
    diplomatic:consular emphasizing:stressing protecting:defending incremental:gradual
    expansion:growth advisory:consultative training:coaching mission:assignment
    requirements:needs complementing:supplementing continues:persists
    inclusive:comprehensive reconciliation:rapprochement foster:encourage
    conducive:favourable conflict:war session:sitting stability:steadiness
    notably:particularly presence:attendance discussed:debated reinforcing:bolstering
    civilian:nonmilitary institutions:establishments consolidating:strengthening
    component:element seek:pursue engagement:involvement tasked:charged
    assess:evaluate ways:methods contribute:add pursuing:chasing justice:fairness
    consistently:steadily urges:presses solution:answer tool:instrument
    notable:remarkable successes:victories pending:awaiting
    """.split()
]
EXTRA_SYNONYMS = {w: s for w, s in _EXTRA if w not in mc.SYNONYMS}
for _w, _s in EXTRA_SYNONYMS.items():
    assert _w not in mc.RISKY and _s not in mc.RISKY, (_w, _s)
    assert _w.islower() and _s.islower() and _w != _s, (_w, _s)
mc.SYNONYMS = {**mc.SYNONYMS, **EXTRA_SYNONYMS}

# --------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------
CASE_SOURCES = ROOT / "tests" / "assets" / "cases" / "sources"
SEEDS = ROOT / "samples" / "seeds"
C2020, C2021 = "001_5d78def7b98681ae.txt", "004_2dfa19232605a5b0.txt"


@dataclass(frozen=True)
class Source:
    """A canonical text: its file, headline, body paragraphs and the edits to plant."""

    name: str
    path: Path
    title: str
    paragraphs: tuple[str, ...]
    qualifiers: tuple[Any, ...]  # make_cases.Plant
    numbers: tuple[Any, ...]
    names: tuple[Any, ...]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _seed_paragraphs(path: Path) -> list[str]:
    """The English body lines of a seed page, with a paragraph broken across lines
    (the next line starts in lower case) joined again."""
    out: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if len(line) < 200 or sum(c.isascii() for c in line) < 0.9 * len(line):
            continue
        if out and line[0].islower():
            out[-1] += " " + line
        else:
            out.append(line)
    return out


def load_sources() -> list[Source]:
    out = []
    for spec in mc.SPECS:
        path = CASE_SOURCES / f"{spec.name}.txt"
        doc = mc.Doc.read(path)
        out.append(
            Source(
                path.name,
                path,
                doc.title,
                tuple(doc.paragraphs),
                (spec.qualifier,),
                (spec.number, spec.light_number),
                (spec.initial,),
            )
        )
    out.append(
        Source(
            C2020,
            SEEDS / C2020,
            "Joint Communiqué of the Global Coalition to Defeat ISIS Small Group",
            tuple(_seed_paragraphs(SEEDS / C2020)),
            (mc._q("the threat remains and thus", "the threat reportedly remains and thus", ""),),
            (
                mc._n("nearly eight million people", "nearly six million people", "", ""),
                mc._n("February 6, 2019", "February 9, 2019", "", ""),
            ),
            (mc._i("Michael R. Pompeo", "Michael P. Pompeo", "", ""),),
        )
    )
    doc_lines = [ln.strip() for ln in (SEEDS / C2021).read_text(encoding="utf-8").splitlines()]
    out.append(
        Source(
            C2021,
            SEEDS / C2021,
            next(ln for ln in doc_lines if ln),
            tuple(_seed_paragraphs(SEEDS / C2021)),
            (mc._q("but the threat remains.", "but the threat allegedly remains.", ""),),
            (
                mc._n("by June 2022", "by June 2023", "", ""),
                mc._n("nearly eight million people", "nearly five million people", "", ""),
            ),
            (mc._i("Antony J. Blinken", "Antony L. Blinken", "", ""),),
        )
    )
    for src in out:
        for p in (*src.qualifiers, *src.numbers, *src.names):
            assert src.body.count(p.old) == 1, (src.name, p.old)
    return out


# --------------------------------------------------------------------------------------
# Unrelated articles: sentence templates filled from per-subject word lists.
# --------------------------------------------------------------------------------------
FIRST = (
    "Amara Bilal Carmen Dmitri Elena Farid Greta Hugo Ines Jonas Keiko Lars Maren Nikhil "
    "Olga Pavel Quinn Rosa Samir Tamsin Uma Viktor Wen Yusuf Zora Anders Beatriz Callum "
    "Delphine Emeka Freya Gideon Hana Idris Juno Kasia Leon Mira Noor Oskar"
).split()
LAST = (
    "Achterberg Brannigan Castellanos Dunmore Eriksen Fairweather Goswami Halloran Iwasaki "
    "Jovanovic Kettering Lindqvist Moreau Nakamura Okafor Prentice Quarshie Rasmussen Szabo "
    "Thorne Ueda Vasquez Whitlock Xiong Yardley Zielinski Abernethy Bergstrom Calloway "
    "Drummond Ferreira Gallagher Holmberg Ivanova Jaramillo"
).split()
TOWN_A = "Ash Brack Cran Dun Elm Fair Glen Hart Ivy Kings Lark Marsh North Oak Pine Red Stan"
TOWN_B = "ford field bury stead haven mouth wick ton bridge worth dale port hollow moor"
TOWNS = [a + b for a in TOWN_A.split() for b in TOWN_B.split()]
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = "January February March April May June July August September October November".split()
VENUES = (
    "town hall",
    "community centre",
    "public library",
    "sports hall",
    "parish hall",
    "old corn exchange",
    "fire station meeting room",
)
GROUPS = (
    "The Residents' Forum",
    "Friends of the Riverside",
    "The Chamber of Commerce",
    "The Civic Society",
    "A neighbourhood action group",
    "The Older People's Network",
)
CONTRACTORS = (
    "Halden Construction",
    "Norvik Engineering",
    "Pellew and Sons",
    "Greystone Civils",
    "Marlowe Build",
    "Tarn Valley Contractors",
)
FUNDERS = (
    "the national infrastructure fund",
    "private donors",
    "a lottery grant",
    "the county's capital reserve",
    "a European development loan",
    "local business rates",
)
PERIODS = ("three months", "quarter", "six weeks", "year", "two months")

# Per subject, one alternative a line: things (subject noun phrases), organisations,
# roles, events (predicates after the subject), metrics (with {n} or {s}), worries,
# gains, quotes and headlines ({T}: the town).
_TOPICS = """
tram
thing: the tram extension
thing: the new light-rail line
thing: the eastern tram route
org: the regional transport authority
org: Metrolink Partners
org: the city's rail operator
role: transport planner
role: project engineer
role: head of passenger services
event: opened its first four stations to passengers
event: completed a final week of test runs without incident
event: was postponed again because signalling parts arrived late
event: carried more riders in its first month than planners had forecast
metric: {n} new stops
metric: {n} kilometres of fresh track
metric: a peak frequency of one tram every {s} minutes
worry: noise from overnight track work
worry: the loss of parking bays on the high street
worry: fares that rise faster than wages
gain: shorter commutes for shift workers
gain: cleaner air along the ring road
gain: a direct link to the teaching hospital
quote: We waited a long time for this, and the first rides have been smooth.
quote: Every late tram costs us passengers, so the timetable has to hold from day one.
quote: People judge a line by its first winter, not by the opening ceremony.
headline: {T} tram extension opens first stations
headline: Light-rail line in {T} hit by fresh delay
headline: Riders flock to new {T} tram route

school
thing: the rebuilt primary school
thing: the new science wing at {T} Academy
thing: the free school meals programme
org: the county education board
org: the academy trust
org: the parents' council
role: head teacher
role: school governor
role: education officer
event: welcomed its first pupils after an eighteen-month rebuild
event: received a top rating from inspectors
event: was expanded to cover every pupil in the district
event: ran short of qualified staff at the start of term
metric: {n} classrooms
metric: places for {n} pupils
metric: a waiting list of {n} families
worry: crowded corridors at the start of the day
worry: the distance some children now travel
worry: a shortage of maths teachers
gain: smaller class sizes
gain: a proper laboratory for older pupils
gain: hot lunches for children who would otherwise skip a meal
quote: The children noticed the daylight first, and then the quiet.
quote: We cannot run a timetable on goodwill alone.
quote: Parents have told us this is the best news the village has had in years.
headline: Pupils move into rebuilt {T} school
headline: {T} Academy opens new science wing
headline: Teacher shortage bites at {T} schools

storm
thing: the overnight storm
thing: the cold snap
thing: the heavy rain that fell across the valley
org: the national weather service
org: the county emergency team
org: the power distributor Gridline
role: duty forecaster
role: emergency coordinator
role: network manager
event: brought down power lines across three parishes
event: closed the coastal road for most of the day
event: left several hundred homes without heating
event: caused less damage than forecasters had feared
metric: gusts of {n} kilometres an hour
metric: {s} centimetres of rain in a single day
metric: {n} fallen trees on country lanes
worry: elderly residents cut off in outlying hamlets
worry: slow repairs to rural power lines
worry: flooded cellars along the riverside terraces
gain: faster warnings by text message
gain: a new network of sandbag stores
gain: emergency shelters that opened within hours
quote: The crews worked through the night and most lights were back by breakfast.
quote: We had three days' notice, and it still caught some people unprepared.
quote: This is the kind of weather our grandparents talked about.
headline: Storm cuts power to homes around {T}
headline: Cold snap closes lanes near {T}
headline: {T} counts cost of record rainfall

festival
thing: the summer arts festival
thing: the open-air theatre season
thing: the {T} film weekend
org: the festival trust
org: the {T} arts council
org: the organisers, Lantern Productions
role: artistic director
role: festival producer
role: volunteer coordinator
event: sold out its opening night within an hour
event: announced a programme of forty performances
event: moved to a larger venue by the harbour
event: lost its main sponsor weeks before the curtain went up
metric: {n} performances
metric: {n} volunteers
metric: audiences of about {n} people a night
worry: late-night noise in the old town
worry: ticket prices that exclude families
worry: a crowded calendar of rival events
gain: full hotels and busy cafés
gain: a stage for young local performers
gain: free workshops for schoolchildren
quote: We wanted a programme that surprises people who think they do not like theatre.
quote: The volunteers are the reason this festival exists at all.
quote: Rain or shine, the first night always feels like a small miracle.
headline: {T} arts festival sells out opening night
headline: Open-air theatre season returns to {T}
headline: {T} film weekend moves to the harbour

startup
thing: the software company Brightlane
thing: the start-up incubator on Dock Street
thing: the battery recycling venture Cellcircle
org: the regional development agency
org: its board of investors
org: the chamber of commerce
role: chief executive
role: founder
role: head of engineering
event: raised fresh capital from a group of investors
event: moved into a converted warehouse near the station
event: hired its hundredth employee
event: shelved plans for a second site
metric: {n} staff
metric: {n} customers abroad
metric: annual sales growth of {s} percent
worry: a shortage of affordable housing for young engineers
worry: dependence on a single large client
worry: competition from much larger rivals
gain: skilled jobs that keep graduates in the area
gain: contracts for local suppliers
gain: a training scheme for apprentices
quote: We could have gone to the capital, but the talent is here.
quote: Hardware is slow and expensive, and investors are learning to be patient.
quote: Our first office was a kitchen table, so this still feels unreal.
headline: {T} start-up Brightlane raises new funding
headline: Battery venture picks {T} for warehouse site
headline: Tech incubator in {T} hits hiring milestone

farming
thing: the weekly farmers' market
thing: this year's apple harvest
thing: the dairy cooperative
org: the growers' association
org: the market committee
org: the agricultural college
role: orchard manager
role: market organiser
role: cooperative chair
event: moved to the cathedral square for the summer
event: produced its largest crop in a decade
event: signed a supply deal with a supermarket chain
event: struggled after a late frost damaged the blossom
metric: {n} stalls
metric: {n} tonnes of fruit
metric: {s} member farms
worry: the rising cost of animal feed
worry: seasonal pickers who could not get visas
worry: low prices paid by wholesalers
gain: fresher produce for town-centre shoppers
gain: a fairer price for small growers
gain: new customers for local bakers
quote: You can taste the difference when the fruit has travelled ten miles, not a thousand.
quote: A single frosty night in April can undo a year of work.
quote: The market is as much about meeting neighbours as buying vegetables.
headline: Farmers' market moves to {T} cathedral square
headline: Bumper apple harvest for {T} growers
headline: Dairy cooperative near {T} signs supermarket deal

clinic
thing: the new walk-in clinic
thing: the community dental surgery
thing: the mobile screening unit
org: the regional health trust
org: the clinic's partners
org: the patients' panel
role: practice nurse
role: clinical lead
role: trust manager
event: opened its doors in the former post office
event: extended its hours to evenings and weekends
event: began visiting outlying villages once a week
event: was forced to turn patients away on its busiest days
metric: {n} appointments a week
metric: waiting times of about {s} days
metric: {n} patients registered in the first month
worry: long queues on Monday mornings
worry: a lack of parking for disabled visitors
worry: the turnover of locum doctors
gain: fewer trips to the emergency department
gain: check-ups close to home for older patients
gain: faster test results
quote: Most people we see would otherwise have waited in an emergency room for hours.
quote: We are busy because we are useful, and that is a good problem.
quote: Nobody should have to take a day off work to see a nurse.
headline: Walk-in clinic opens in {T}
headline: {T} dental surgery extends evening hours
headline: Screening unit begins village tour near {T}

housing
thing: the riverside housing development
thing: the plan for two hundred new homes
thing: the conversion of the old mill into flats
org: the planning committee
org: the developer Oakridge Homes
org: the housing association Keystone
role: planning officer
role: site manager
role: housing association director
event: won approval after a five-hour hearing
event: broke ground on its first phase
event: was sent back for redesign
event: sold its first units within a week of launch
metric: {n} homes
metric: {n} affordable flats
metric: a height of {s} storeys
worry: traffic on the narrow access lane
worry: the loss of a well-used green space
worry: pressure on the local surgery and school
gain: homes that young families can afford
gain: a new footbridge across the river
gain: the restoration of a listed building
quote: These are homes for nurses, bus drivers and teachers, not investors.
quote: We listened to the objections and changed the design twice.
quote: A town that does not build stops growing.
headline: {T} riverside homes win approval
headline: Work starts on {T} housing scheme
headline: Old mill in {T} to become flats

wildlife
thing: the wetland nature reserve
thing: the otter survey
thing: the tree-planting scheme in {T} Park
org: the wildlife trust
org: the park rangers
org: a group of volunteer naturalists
role: reserve warden
role: ecologist
role: ranger
event: recorded the return of breeding bitterns
event: counted more young animals than in any recent year
event: planted its ten thousandth sapling
event: closed a footpath to protect nesting birds
metric: {n} species of bird
metric: {n} volunteers
metric: an area of {n} hectares
worry: dogs off the lead near nesting sites
worry: litter left after summer weekends
worry: invasive plants spreading along the banks
gain: quiet places for residents to walk
gain: shade along the old railway path
gain: lessons outdoors for local schools
quote: When the birds come back, it tells you the water is clean again.
quote: We measure success in decades, not seasons.
quote: The volunteers have done in three years what we planned for ten.
headline: Bitterns return to wetland reserve near {T}
headline: Otter numbers rise around {T}
headline: {T} Park tree scheme reaches milestone

sport
thing: the amateur rugby club
thing: the town's new athletics track
thing: the annual half-marathon
org: the club committee
org: the county sports partnership
org: the race organisers
role: club captain
role: head coach
role: race director
event: won promotion on the final day of the season
event: reopened after a full resurfacing
event: drew a record field of runners
event: lost its clubhouse to a fire in the spring
metric: {n} registered players
metric: {n} runners
metric: a crowd of about {n} spectators
worry: a shortage of qualified referees
worry: the cost of floodlights
worry: closed lanes on race morning
gain: free coaching for teenagers
gain: a busier summer for pubs along the route
gain: money raised for the children's hospice
quote: The youngsters ran the last mile as if it were the first.
quote: We have built this club on Tuesday nights in the rain.
quote: Winning is nice, but the juniors section is what keeps us alive.
headline: {T} rugby club wins promotion
headline: Athletics track in {T} reopens
headline: Record field for {T} half-marathon

museum
thing: the town museum
thing: the maritime history exhibition
thing: the refurbished reading room
org: the museum trustees
org: the local history society
org: the library service
role: curator
role: archivist
role: library manager
event: reopened after a two-year refurbishment
event: put a rare ship's logbook on public display
event: doubled its visitor numbers over the summer
event: cut its opening hours to save money
metric: {n} objects on display
metric: {n} visitors in the first month
metric: a collection of {n} photographs
worry: the cost of heating an old building
worry: cuts to the acquisitions budget
worry: fragile items that cannot be shown for long
gain: a quiet place to study for students
gain: a record of the town's past for future generations
gain: free entry for schools
quote: Every object here was given by someone who lived in this town.
quote: A logbook like this tells you what the sailors ate, feared and hoped for.
quote: People come for the exhibition and stay for the café, and we are fine with that.
headline: {T} museum reopens after refurbishment
headline: Rare logbook goes on show in {T}
headline: {T} reading room draws summer crowds

energy
thing: the community solar farm
thing: the plan for three wind turbines
thing: the district heating network
org: the energy cooperative
org: the county climate panel
org: the operator Sunfield Energy
role: project director
role: cooperative treasurer
role: energy adviser
event: began feeding power into the grid
event: secured the last of its planning permits
event: connected its first hundred homes
event: paused construction while a survey of bats was completed
metric: {s} megawatts of capacity
metric: {n} panels
metric: savings of about {n} pounds a year per household
worry: the view from the ridge footpath
worry: heavy lorries on farm lanes during construction
worry: the loss of grazing land
gain: cheaper electricity for members
gain: income for the village hall
gain: fewer emissions from old oil boilers
quote: The sun does not send us a bill, and that is the whole point.
quote: Members own this, so every decision comes back to the village.
quote: We expected more objections, but people saw the numbers.
headline: Community solar farm near {T} switched on
headline: Wind turbine plan for {T} clears last hurdle
headline: {T} heating network connects first homes

tourism
thing: the cruise terminal
thing: the summer tourist season
thing: the new cycle trail along the coast
org: the tourist board
org: the harbour commissioners
org: the hoteliers' association
role: marketing manager
role: harbour master
role: hotel owner
event: welcomed its busiest month on record
event: opened a new visitor centre by the quay
event: was extended to the next headland
event: struggled with a shortage of seasonal staff
metric: {n} visitors a day
metric: hotel occupancy of {s} percent
metric: {s} kilometres of trail
worry: overcrowded beaches in August
worry: short-term lets pushing up rents
worry: coaches blocking narrow streets
gain: year-round jobs in hospitality
gain: more trade for independent shops
gain: a safer route for family cyclists
quote: The trick is to spread visitors across the year, not squeeze them into six weeks.
quote: A good trail sells itself once people post the photographs.
quote: We are full every weekend, and we still cannot find enough cooks.
headline: {T} enjoys record tourist season
headline: Coastal cycle trail extended beyond {T}
headline: Cruise terminal in {T} opens visitor centre

water
thing: the reservoir upgrade
thing: the new water treatment plant
thing: the replacement of old lead pipes
org: the water utility
org: the drinking water inspectorate
org: the county engineers
role: site engineer
role: water quality manager
role: utility press officer
event: passed its final safety inspection
event: came back online after six weeks of work
event: reached the halfway point ahead of schedule
event: was delayed by an unexpected archaeological find
metric: {s} million litres a day
metric: {n} metres of new pipe
metric: {n} homes connected
worry: temporary hosepipe restrictions
worry: roadworks on the main shopping street
worry: bills rising to pay for the work
gain: cleaner tap water
gain: fewer burst mains in winter
gain: a reliable supply during dry summers
quote: Most people never think about their water until it stops.
quote: We found a Roman well under the site, which was not in the plan.
quote: Old pipes do not fail politely; they fail at three in the morning.
headline: Reservoir upgrade near {T} passes inspection
headline: Water treatment plant in {T} back online
headline: {T} pipe replacement reaches halfway point

astronomy
thing: the university observatory
thing: the dark-sky park on the moor
thing: the planetarium's new projector
org: the astronomy department
org: the dark-sky trust
org: the planetarium team
role: lecturer in astrophysics
role: observatory technician
role: outreach officer
event: spotted a comet that had not been catalogued
event: won international dark-sky status
event: held its first public stargazing night of the year
event: had to close after a storm damaged its dome
metric: {n} public visitors a month
metric: a mirror {s} metres across
metric: {n} new street lamps fitted with shields
worry: light from new warehouses on the horizon
worry: the cost of replacing the old telescope
worry: cloudy winters that cancel half the events
gain: clearer views of the night sky
gain: visits from school groups
gain: winter trade for guest houses
quote: On a clear night you can see the Milky Way from the car park.
quote: Most of the discoveries here are made by amateurs with patience.
quote: Children ask better questions than most journalists.
headline: Observatory near {T} spots new comet
headline: {T} moor wins dark-sky status
headline: Planetarium in {T} unveils new projector
"""


@dataclass(frozen=True)
class Topic:
    name: str
    things: tuple[str, ...]
    orgs: tuple[str, ...]
    roles: tuple[str, ...]
    events: tuple[str, ...]
    metrics: tuple[str, ...]
    worries: tuple[str, ...]
    gains: tuple[str, ...]
    quotes: tuple[str, ...]
    headlines: tuple[str, ...]


def _topic(block: str) -> Topic:
    name, *lines = block.split("\n")
    fields: dict[str, list[str]] = {}
    for line in lines:
        key, value = line.split(": ", 1)
        fields.setdefault(key, []).append(value)
    return Topic(name, *(tuple(fields[k]) for k in _KEYS))


_KEYS = ("thing", "org", "role", "event", "metric", "worry", "gain", "quote", "headline")
TOPICS = [_topic(block) for block in _TOPICS.strip().split("\n\n")]

LEADS = (
    "{Thing} {event} on {weekday}, {org} said.",
    "{Org} confirmed on {weekday} that {thing} {event}.",
    "{Thing} {event} this week, ending months of uncertainty in {town}.",
    "Residents of {town} learned on {weekday} that {thing} {event}.",
    "After a long wait, {thing} {event}, according to {org}.",
)
NUMBERED = (
    "According to {org}, the project involves {metric} and a budget of {money}.",
    "{Org} puts the total cost at {money}, with {pct} percent coming from {funder}.",
)
SENTENCES = (
    "{Person}, {a_role} at {org}, said the main benefit would be {gain}.",
    "“{quote_c}” said {person}, {a_role}.",
    "Some residents have raised concerns about {worry}.",
    "A petition signed by {n} people asked {org} to deal with {worry} before the next phase.",
    "Figures released in {month} put the total at {metric}, compared with {n2} a year earlier.",
    "The next phase is expected to start in {month} {year}, subject to a final vote.",
    "At a public meeting in the {venue}, {surname} said {worry} was being taken seriously.",
    "Traders in the centre of {town} were divided, some welcoming {gain} and others"
    " worried about {worry}.",
    "The {venue} will host an open evening on {weekday} for anyone with questions.",
    "Similar schemes in {town2} and {town3} took between {s} and {s2} months longer than planned.",
    "{Org} has promised a progress report every {period}.",
    "In a written reply, {org} said {gain} would outweigh the short-term disruption.",
    "{group} will meet on {weekday} evening to discuss {worry}.",
    "The contract was awarded in {month} to {contractor}, a firm based in {town2}.",
    "{Surname} described {metric} as a realistic target for the first year.",
    "Opposition members of the {town} district board have called for an independent review.",
    "More information is available at the {venue} and on the organisers' website.",
    "“{quote_c}” {surname} added.",
    "{Person}, who has lived in {town} for {s} years, said {worry} was the main worry on"
    " her street.",
    "The idea was first put forward {s} years ago by a group of volunteers.",
    "A spokesperson for {org} declined to give a date for the next update.",
    "Visitors from {town2} are expected to make up about a third of the total.",
)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _fill(template: str, rng: random.Random, topic: Topic, town: str) -> str:
    """Fill one template's slots; each slot is drawn independently."""

    def person() -> str:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"

    def role() -> str:
        r = rng.choice(topic.roles)
        return ("an " if r[0] in "aeiou" else "a ") + r

    def towns() -> str:
        return rng.choice([t for t in TOWNS if t != town])

    money = rng.choice(("£{a}.{b} million", "${a}.{b} million", "€{a} million"))
    slots: dict[str, Callable[[], str]] = {
        "thing": lambda: rng.choice(topic.things),
        "Thing": lambda: _cap(rng.choice(topic.things)),
        "org": lambda: rng.choice(topic.orgs),
        "Org": lambda: _cap(rng.choice(topic.orgs)),
        "event": lambda: rng.choice(topic.events),
        "metric": lambda: rng.choice(topic.metrics),
        "worry": lambda: rng.choice(topic.worries),
        "gain": lambda: rng.choice(topic.gains),
        "quote": lambda: rng.choice(topic.quotes),
        "quote_c": lambda: rng.choice(topic.quotes)[:-1] + ",",
        "person": person,
        "Person": person,
        "surname": lambda: rng.choice(LAST),
        "Surname": lambda: rng.choice(LAST),
        "a_role": role,
        "town": lambda: town,
        "T": lambda: town,
        "town2": towns,
        "town3": towns,
        "weekday": lambda: rng.choice(WEEKDAYS),
        "month": lambda: rng.choice(MONTHS),
        "year": lambda: rng.choice(("2025", "2026")),
        "venue": lambda: rng.choice(VENUES),
        "group": lambda: rng.choice(GROUPS),
        "contractor": lambda: rng.choice(CONTRACTORS),
        "funder": lambda: rng.choice(FUNDERS),
        "period": lambda: rng.choice(PERIODS),
        "money": lambda: money.format(a=rng.randrange(2, 95), b=rng.randrange(1, 10)),
        "pct": lambda: str(rng.randrange(12, 88)),
        "n": lambda: str(rng.randrange(20, 980)),
        "n2": lambda: str(rng.randrange(20, 980)),
        "s": lambda: str(rng.randrange(3, 19)),
        "s2": lambda: str(rng.randrange(20, 40)),
    }
    text = re.sub(r"\{(\w+)\}", lambda m: slots[m.group(1)](), template)
    # the values filled in (metrics, things) may carry slots of their own
    return re.sub(r"\{(\w+)\}", lambda m: slots[m.group(1)](), text)


@dataclass
class Article:
    title: str
    paragraphs: list[str]


def make_article(rng: random.Random) -> Article:
    """An unrelated news article: a lead, then 5-8 paragraphs of 1-3 sentences."""
    topic = rng.choice(TOPICS)
    town = rng.choice(TOWNS)
    k = rng.randrange(len(topic.headlines))  # the headline's subject is the article's
    title = topic.headlines[k].replace("{T}", town)
    topic = dataclasses.replace(topic, things=(topic.things[k],))
    sentences = rng.sample(SENTENCES, rng.randrange(9, 15))
    sentences.insert(rng.randrange(0, 3), rng.choice(NUMBERED))
    paragraphs = [_fill(rng.choice(LEADS), rng, topic, town)]
    while sentences:
        k = min(len(sentences), rng.choice((1, 2, 2, 3)))
        paragraphs.append(" ".join(_fill(s, rng, topic, town) for s in sentences[:k]))
        del sentences[:k]
    return Article(title, paragraphs)


# --------------------------------------------------------------------------------------
# Sites and their page templates
# --------------------------------------------------------------------------------------
NEWSLETTER = "Subscribe to our newsletter for daily updates from the newsroom."
COOKIES = (
    "We use cookies to improve your experience on our site, to analyse traffic and to show"
    " personalised content. By continuing to browse, you agree to our use of cookies."
)


@dataclass(frozen=True)
class Site:
    name: str
    title: str
    domain: str
    sections: tuple[str, ...]
    cookie: str
    about: str
    wrap: int  # wrap paragraphs in the HTML source at this column (0: one line each)
    render: str  # name of the template function


SITES = (
    Site(
        "harbour-gazette",
        "The Harbour Gazette",
        "harbourgazette.example",
        ("news", "local", "business", "sport", "culture"),
        COOKIES,
        "The Harbour Gazette has reported on the coast and its towns since 1887. It is"
        " published by Harbour Media Ltd and regulated by the Independent Press Standards"
        " Organisation.",
        0,
        "gazette",
    ),
    Site(
        "metro-ledger",
        "Metro Ledger",
        "metroledger.example",
        ("city", "politics", "money", "life"),
        "This website uses cookies. Some are essential, others help us understand how the"
        " site is used. You can change your preferences at any time.",
        "Metro Ledger is an independent, reader-funded newsroom. Tips and corrections:"
        " newsdesk@metroledger.example.",
        76,
        "ledger",
    ),
    Site(
        "valley-tribune",
        "Valley Tribune",
        "valleytribune.example",
        ("news", "region", "environment", "health", "schools"),
        COOKIES,
        "Valley Tribune is part of the Tribune Regional Network. Our journalists follow the"
        " Editors' Code of Practice; complaints may be sent to the readers' editor.",
        0,
        "tribune",
    ),
    Site(
        "northern-wire",
        "Northern Wire",
        "northernwire.example",
        ("headlines", "regions", "features"),
        "Northern Wire stores small files called cookies on your device. Continue to use the"
        " site if you accept this.",
        "Northern Wire Agency supplies news to member papers across the north. Material may"
        " not be reproduced without a licence.",
        70,
        "wire",
    ),
    Site(
        "capital-observer",
        "The Capital Observer",
        "capitalobserver.example",
        ("national", "world", "analysis", "science", "arts"),
        COOKIES,
        "The Capital Observer is published by Observer Holdings plc, registered office 12"
        " Mercer Row. Registered in England and Wales.",
        0,
        "observer",
    ),
    Site(
        "coastal-post",
        "Coastal Post",
        "coastalpost.example",
        ("news", "weather", "community", "events"),
        "We and our partners use cookies and similar technologies to personalise content and"
        " ads and to measure audiences.",
        "Coastal Post is a community news site run by volunteers and supported by local"
        " advertisers. Letters to the editor are welcome.",
        88,
        "post",
    ),
)


def _e(s: str) -> str:
    return html.escape(s, quote=False)


def _a(s: str) -> str:
    return html.escape(s, quote=True)


def _slug(title: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-").split("-")[:7])


def _human(d: date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


@dataclass
class Page:
    """One crawled page and what a scan must find in it."""

    id: int
    site: Site
    kind: str  # html | warc | jsonl
    title: str
    paragraphs: list[str]
    author: str
    published: date
    url: str = ""
    source: str | None = None
    verdict: str | None = None
    planted: list[list[str]] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)  # risk class of each planted edit
    meaning_changed: bool | None = None
    related: list[str] = field(default_factory=list)
    location: str = ""
    date: str = ""  # the date a scan sees: WARC-Date, the JSONL date, or the HTML's
    warc_file: int = -1
    jsonl_file: int = -1
    jsonl_html: bool = False
    revisit_of: int | None = None

    @property
    def body(self) -> str:
        """The plain article text the page carries (headline, then paragraphs)."""
        return "\n\n".join([self.title, *self.paragraphs]) + "\n"

    @property
    def slug(self) -> str:
        return f"{_slug(self.title)}-{self.id:05d}"

    def html(self) -> str:
        return RENDERERS[self.site.render](self)

    def _paras(self) -> list[str]:
        if not self.site.wrap:
            return [_e(p) for p in self.paragraphs]
        return [
            _e("\n".join(textwrap.wrap(p, self.site.wrap, break_on_hyphens=False)))
            for p in self.paragraphs
        ]

    def _related(self, fmt: str) -> str:
        return "\n".join(
            fmt.format(href=_a(f"/{self.site.sections[0]}/{_slug(t)}"), t=_e(t))
            for t in self.related
        )


def _head(p: Page, extra: str = "") -> str:
    return (
        f'<meta charset="utf-8">\n<title>{_e(p.title)} | {_e(p.site.title)}</title>\n'
        f'<link rel="canonical" href="{_a(p.url)}">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{extra}\n'
    )


def render_gazette(p: Page) -> str:
    s = p.site
    nav = "".join(f'<li><a href="/{x}/">{x.title()}</a></li>' for x in s.sections)
    body = "\n".join(f"<p>{x}</p>" for x in p._paras())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
{_head(p)}</head>
<body>
<div class="cookie-banner" role="dialog"><p>{_e(s.cookie)}</p>
<button>Accept all</button> <button>Manage settings</button></div>
<header class="masthead"><a class="logo" href="/">{_e(s.title)}</a>
<nav class="main-nav"><ul>{nav}</ul></nav></header>
<main>
<article class="story">
<h1>{_e(p.title)}</h1>
<p class="byline">By {_e(p.author)} · {_human(p.published)}</p>
{body}
</article>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> \
<a href="#">Email</a></div>
<aside class="related"><h2>Related articles</h2>
<ul>
{p._related('<li><a href="{href}">{t}</a></li>')}
</ul></aside>
<div class="newsletter"><p>{NEWSLETTER}</p>
<form><input type="email" placeholder="Your email"> <button>Sign up</button></form></div>
</main>
<footer><p class="about">{_e(s.about)}</p>
<p>© 2025 {_e(s.title)}. All rights reserved.</p>
<p><a href="/privacy">Privacy</a> | <a href="/terms">Terms</a> | <a href="/contact">Contact</a></p>
</footer>
</body>
</html>
"""


def render_ledger(p: Page) -> str:
    s = p.site
    menu = " | ".join(f'<a href="/{x}">{x.title()}</a>' for x in ("home", *s.sections))
    parts = []
    for i, x in enumerate(p._paras()):
        parts.append(f"<p>\n{x}\n</p>")
        if i % 3 == 1:
            parts.append('<div class="ad-slot">Advertisement</div>')
    body = "\n".join(parts)
    return f"""<html>
<head>
{_head(p)}<style>.ad-slot{{color:#999}}</style>
</head>
<body>
<div id="cookie-notice" class="notice">{_e(s.cookie)} <a href="/privacy">Learn more</a> \
<a class="btn" href="#">OK</a></div>
<div class="top-bar"><span class="site-name">{_e(s.title)}</span></div>
<div class="menu">{menu}</div>
<div class="content">
<h1 class="headline">{_e(p.title)}</h1>
<div class="meta">{_e(p.author)} — {p.published.isoformat()}</div>
{body}
</div>
<div class="social">Share: <a href="#">Facebook</a> <a href="#">Twitter</a> \
<a href="#">LinkedIn</a></div>
<div class="more"><h3>More from {_e(s.title)}</h3>
<ol>
{p._related('<li><a href="{href}">{t}</a></li>')}
</ol></div>
<div class="signup">{NEWSLETTER} <a href="/newsletter">Join</a></div>
<div class="footer"><p>{_e(s.about)}</p><p>Copyright © 2025 {_e(s.title)}</p></div>
</body>
</html>
"""


def render_tribune(p: Page) -> str:
    s = p.site
    nav = "\n".join(f'<a href="/{x}/">{x.title()}</a>' for x in s.sections)
    body = "\n".join(f"<p>{x}</p>" for x in p._paras())
    return f"""<!doctype html>
<html lang="en-GB">
<head>
{_head(p)}</head>
<body class="article-page">
<header id="site-header"><div class="brand">{_e(s.title)}</div>
<nav aria-label="Sections">
{nav}
</nav>
<form role="search" action="/search"><input name="q" placeholder="Search"></form></header>
<section class="consent"><h2>Your privacy</h2><p>{_e(s.cookie)}</p><button>Agree</button></section>
<main id="main">
<article itemscope itemtype="https://schema.org/NewsArticle">
<header><h1 itemprop="headline">{_e(p.title)}</h1>
<p><time datetime="{p.published.isoformat()}">{_human(p.published)}</time> · \
<span class="author">{_e(p.author)}</span></p></header>
<div class="article-body" itemprop="articleBody">
{body}
</div>
<footer class="article-tools"><ul class="share"><li><button>Share</button></li>\
<li><button>Print</button></li><li><button>Save</button></li></ul></footer>
</article>
<aside><h2>Read next</h2>
<ul>
{p._related('<li><a href="{href}">{t}</a></li>')}
</ul></aside>
</main>
<aside class="newsletter-box"><p><strong>Get the briefing.</strong> {NEWSLETTER}</p></aside>
<footer id="site-footer"><nav><a href="/about">About</a> | <a href="/advertise">Advertise</a> \
| <a href="/careers">Careers</a></nav>
<p>{_e(s.about)}</p>
<small>© 2025 {_e(s.title)} Media. All rights reserved.</small></footer>
</body>
</html>
"""


def render_wire(p: Page) -> str:
    s = p.site
    nav = " &middot; ".join(f'<A HREF="/{x}">{x.upper()}</A>' for x in ("home", *s.sections))
    body = "\n".join(f"<P>\n{x}</P>" for x in p._paras())
    return f"""<HTML>
<HEAD>
{_head(p)}</HEAD>
<BODY BGCOLOR="#ffffff">
<TABLE WIDTH="100%"><TR><TD CLASS="logo">{_e(s.title.upper())}</TD>
<TD CLASS="nav">{nav}</TD></TR></TABLE>
<DIV CLASS="cookiebar">{_e(s.cookie)}</DIV>
<DIV CLASS="content">
<H2>{_e(p.title)}</H2>
<P><I>{_e(p.author)}, {_human(p.published)}</I></P>
{body}
</DIV>
<DIV CLASS="sharebar">Share this: <A HREF="#">Email</A> <A HREF="#">Facebook</A> \
<A HREF="#">X</A></DIV>
<DIV CLASS="related"><B>Related stories</B><BR>
{p._related('<A HREF="{href}">{t}</A><BR>')}
</DIV>
<P CLASS="promo">{NEWSLETTER}</P>
<DIV ID="footer">{_e(s.about)}<BR>Copyright 2025 {_e(s.title)}. All rights reserved.</DIV>
</BODY>
</HTML>
"""


def render_observer(p: Page) -> str:
    s = p.site
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": p.title,
            "datePublished": p.published.isoformat(),
            "author": {"@type": "Person", "name": p.author},
        },
        ensure_ascii=False,
    ).replace("</", "<\\/")
    nav = "".join(f'<li><a href="/{x}">{x.title()}</a></li>' for x in s.sections)
    body = "\n".join(f"<p>{x}</p>" for x in p._paras())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
{_head(p, chr(10) + '<script type="application/ld+json">' + ld + "</script>")}
<style>body{{font-family:Georgia,serif}} .cookie{{position:fixed;bottom:0}}</style>
</head>
<body>
<nav class="breadcrumb" aria-label="Breadcrumb"><a href="/">Home</a> › \
<a href="/{s.sections[0]}">{s.sections[0].title()}</a></nav>
<header><div class="logo">{_e(s.title)}</div><nav class="primary"><ul>{nav}</ul></nav></header>
<div class="cookie" id="consent"><p>{_e(s.cookie)}</p>\
<button>Accept</button> <button>Reject</button></div>
<article class="post">
<h1>{_e(p.title)}</h1>
<div class="post-meta">By <a rel="author" href="/staff">{_e(p.author)}</a> | \
{_human(p.published)}</div>
<div class="share-top"><button>Share</button> <button>Copy link</button></div>
{body}
</article>
<aside class="most-read"><h2>Most read</h2>
<ol>
{p._related('<li><a href="{href}">{t}</a></li>')}
</ol></aside>
<div class="subscribe-panel"><h3>Don't miss a story</h3><p>{NEWSLETTER}</p></div>
<footer class="site-footer"><p>{_e(s.about)}</p>
<p>© 2025 {_e(s.title)}. All rights reserved.</p></footer>
</body>
</html>
"""


def render_post(p: Page) -> str:
    s = p.site
    nav = " ".join(f'<a href="/{x}/">{x.title()}</a>' for x in s.sections)
    parts = [f"<p>{x}</p>" for x in p._paras()]
    parts.insert(min(2, len(parts)), '<div class="inline-ad"><span>Advertisement</span></div>')
    body = "\n".join(parts)
    return f"""<!DOCTYPE html>
<html>
<head>
{_head(p)}</head>
<body>
<header><nav class="top-nav"><a class="home" href="/">{_e(s.title)}</a> {nav}</nav></header>
<div class="gdpr-banner"><span>{_e(s.cookie)}</span> <a href="#">Accept</a> \
<a href="#">Options</a></div>
<div class="wrapper">
<div class="content">
<h1>{_e(p.title)}</h1>
<div class="dateline">{_human(p.published)} — {_e(p.author)}</div>
{body}
</div>
<div class="share-buttons"><a href="#">Facebook</a> · <a href="#">WhatsApp</a> · \
<a href="#">Email</a></div>
<section class="comments"><h3>Comments (0)</h3><p>Be the first to comment. \
<a href="/login">Log in</a> to join the conversation.</p></section>
<aside class="sidebar"><h4>You may also like</h4>
<ul>
{p._related('<li><a href="{href}">{t}</a></li>')}
</ul>
<p class="newsletter">{NEWSLETTER}</p></aside>
</div>
<footer><p>{_e(s.about)}</p><p>© 2025 {_e(s.title)} · All rights reserved</p></footer>
</body>
</html>
"""


RENDERERS: dict[str, Callable[[Page], str]] = {
    "gazette": render_gazette,
    "ledger": render_ledger,
    "tribune": render_tribune,
    "wire": render_wire,
    "observer": render_observer,
    "post": render_post,
}

# --------------------------------------------------------------------------------------
# The corpus: which page copies what
# --------------------------------------------------------------------------------------
VERBATIM, NEAR, SPUN, PARTIAL = "verbatim", "near-verbatim", "paraphrased", "partial"
CLASSES = (VERBATIM, NEAR, SPUN, PARTIAL, None)
SHARE = {VERBATIM: 0.08, NEAR: 0.04, SPUN: 0.06, PARTIAL: 0.04}
REVISIT_SHARE = 0.01
KIND_SHARE = {"warc": 0.45, "jsonl": 0.15}  # the rest: html
WARC_FILES = ("crawl-00.warc.gz", "crawl-01.warc.gz", "crawl-02.warc", "crawl-03.warc.gz")
JSONL_FILES = ("pages-00.jsonl", "pages-01.jsonl")
FIRST_PUBLISHED = date(2025, 1, 6)
CRAWL_START = datetime(2025, 3, 3, 6, 0, 0)
#: Share of the body's words an excerpt (a partial copy) may hold.
EXCERPT_SHARE = (0.15, 0.6)


@dataclass
class Revisit:
    url: str
    first: Page
    second: Page
    change: list[str]


@dataclass
class Corpus:
    seed: int
    pages: list[Page]
    sources: list[Source]
    revisits: list[Revisit]

    def source(self, name: str) -> Source:
        return next(s for s in self.sources if s.name == name)


def _copy_verbatim(src: Source, rng: random.Random) -> list[str]:
    """The body, paragraph for paragraph; sometimes two paragraphs run together."""
    paras = list(src.paragraphs)
    if rng.random() < 0.3:
        k = rng.randrange(len(paras) - 1)
        paras[k : k + 2] = [paras[k] + " " + paras[k + 1]]
    return paras


def _near(src: Source, rng: random.Random) -> tuple[list[str], list[list[str]], list[str]]:
    """One meaning-changing plant (qualifier 40%, number 35%, name 25%) and 0-2 swaps."""
    r = rng.random()
    pool = src.qualifiers if r < 0.4 else src.numbers if r < 0.75 else src.names
    plant = rng.choice(pool)
    risk = "qualifier" if pool is src.qualifiers else "number" if pool is src.numbers else "name"
    text, swaps = mc.spin(src.body, rng, rng.choice((0, 1, 2)), (plant,))
    planted = [[plant.old, plant.new]] + [[a, b] for a, b, _ in swaps]
    risks = [risk] + ["wording"] * len(swaps)
    return text.split("\n\n"), planted, risks


def _spun(src: Source, rng: random.Random) -> tuple[str, list[str], list[list[str]], list[str]]:
    """12% of the words swapped; a third get a planted qualifier too; half shuffled."""
    plants = (rng.choice(src.qualifiers),) if rng.random() < 0.33 else ()
    n = round(mc.SPIN_RATE * mc.words(src.body))
    text, swaps = mc.spin(src.body, rng, n, plants)
    paras = text.split("\n\n")
    title = src.title
    if rng.random() < 0.5:
        lines = mc.shuffled_copy(mc.Doc(title, paras), rng).strip().split("\n\n")
        title, paras = lines[0], lines[1:]
    planted = [[p.old, p.new] for p in plants] + [[a, b] for a, b, _ in swaps]
    risks = ["qualifier"] * len(plants) + ["wording"] * len(swaps)
    return title, paras, planted, risks


def _excerpt(src: Source, rng: random.Random) -> list[str]:
    total = mc.words(src.body)
    options = []
    for n in (2, 3):
        for first in range(len(src.paragraphs) - n + 1):
            share = sum(mc.words(p) for p in src.paragraphs[first : first + n]) / total
            if EXCERPT_SHARE[0] <= share <= EXCERPT_SHARE[1]:
                options.append((n, first))
    n, first = rng.choice(options)
    return list(src.paragraphs[first : first + n])


def _exact_counts(total: int, shares: dict[Any, float]) -> dict[Any, int]:
    return {k: round(v * total) for k, v in shares.items()}


def _change_number(paras: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    """Change one number of an article: returns the new paragraphs and [before, after]
    (the number with the word after it, unique in the article)."""
    text = "\n\n".join(paras)
    hits = [
        m for m in re.finditer(r"(?<![\w.,$£€])(\d+) (\w+)", text) if text.count(m.group(0)) == 1
    ]
    m = rng.choice(hits)
    new_num = str(int(m.group(1)) + rng.randrange(2, 9))
    after = f"{new_num} {m.group(2)}"
    text = text[: m.start()] + after + text[m.end() :]
    return text.split("\n\n"), [m.group(0), after]


def make_corpus(pages: int, seed: int) -> Corpus:
    """Decide every page's content, in memory (``write_crawl`` writes it)."""
    rng = random.Random(seed)
    sources = load_sources()
    n_rev = max(1, round(REVISIT_SHARE * pages))
    primary = pages - n_rev
    counts = _exact_counts(pages, SHARE)
    labels: list[str | None] = [c for c, k in counts.items() for _ in range(k)]
    labels += [None] * (primary - len(labels))
    rng.shuffle(labels)
    kinds_n = _exact_counts(pages, KIND_SHARE)
    kinds = ["warc"] * (kinds_n["warc"] - n_rev) + ["jsonl"] * kinds_n["jsonl"]
    kinds += ["html"] * (primary - len(kinds))
    rng.shuffle(kinds)
    # Each class cycles through the sources in its own order, so that all are used.
    order = {c: rng.sample(sources, len(sources)) for c in SHARE}
    used: Counter[str] = Counter()

    out: list[Page] = []
    for i, (label, kind) in enumerate(zip(labels, kinds, strict=True)):
        site = rng.choice(SITES)
        author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        published = FIRST_PUBLISHED + timedelta(days=rng.randrange(0, 50))
        page = Page(i, site, kind, "", [], author, published, verdict=label)
        if label is None:
            art = make_article(rng)
            page.title, page.paragraphs = art.title, art.paragraphs
        else:
            src = order[label][used[label] % len(sources)]
            used[label] += 1
            page.source, page.title = src.name, src.title
            page.meaning_changed = False
            if label == VERBATIM:
                page.paragraphs = _copy_verbatim(src, rng)
            elif label == NEAR:
                page.paragraphs, page.planted, page.risks = _near(src, rng)
                page.meaning_changed = True
            elif label == SPUN:
                page.title, page.paragraphs, page.planted, page.risks = _spun(src, rng)
                page.meaning_changed = "qualifier" in page.risks
            else:
                art = make_article(rng)
                at = rng.randrange(1, min(4, len(art.paragraphs)))
                page.title = art.title
                page.paragraphs = [*art.paragraphs[:at], *_excerpt(src, rng), *art.paragraphs[at:]]
        section = rng.choice(site.sections)
        page.url = f"https://www.{site.domain}/{section}/{published:%Y/%m}/{page.slug}"
        page.related = [make_article_title(rng) for _ in range(rng.randrange(3, 6))]
        if kind == "warc":
            page.warc_file = rng.randrange(len(WARC_FILES))
        elif kind == "jsonl":
            page.jsonl_file = rng.randrange(len(JSONL_FILES))
            page.jsonl_html = rng.random() < 0.25
        out.append(page)

    # Revisits: a page of an earlier WARC file captured again, edited, in a later file.
    revisits: list[Revisit] = []
    candidates = [
        p for p in out if p.kind == "warc" and p.warc_file < 3 and p.verdict in (VERBATIM, None)
    ]
    copies = [p for p in candidates if p.verdict == VERBATIM]
    others = [p for p in candidates if p.verdict is None]
    n_copies = min(len(copies), (n_rev + 1) // 2)
    chosen = rng.sample(copies, n_copies) + rng.sample(others, n_rev - n_copies)
    for first in sorted(chosen, key=lambda p: p.id):
        second = Page(
            len(out),
            first.site,
            "warc",
            first.title,
            [],
            first.author,
            first.published,
            url=first.url,
            source=first.source,
            related=first.related,
            warc_file=rng.randrange(first.warc_file + 1, len(WARC_FILES)),
            revisit_of=first.id,
        )
        if first.verdict == VERBATIM:
            src = next(s for s in sources if s.name == first.source)
            pool = src.qualifiers if rng.random() < 0.5 else src.numbers
            plant = rng.choice(pool)
            body = "\n\n".join(first.paragraphs)
            assert body.count(plant.old) == 1
            second.paragraphs = body.replace(plant.old, plant.new).split("\n\n")
            change = [plant.old, plant.new]
            second.verdict, second.meaning_changed = NEAR, True
            second.planted = [change]
            second.risks = ["qualifier" if pool is src.qualifiers else "number"]
        else:
            second.paragraphs, change = _change_number(first.paragraphs, rng)
        out.append(second)
        revisits.append(Revisit(first.url, first, second, change))
    return Corpus(seed, out, sources, revisits)


def make_article_title(rng: random.Random) -> str:
    return rng.choice(rng.choice(TOPICS).headlines).replace("{T}", rng.choice(TOWNS))


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a2a4e5d30000000049454e44ae426082"
)


def _record_id(*parts: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, '|'.join(parts))}>"


def _warc_date(file: int, index: int) -> str:
    t = CRAWL_START + timedelta(days=14 * file, seconds=7 * index)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _http_date(warc_date: str) -> str:
    t = datetime.strptime(warc_date, "%Y-%m-%dT%H:%M:%SZ")
    return t.strftime("%a, %d %b %Y %H:%M:%S GMT")


class _WarcOut:
    """One WARC file being written: counts its records for the manifest."""

    def __init__(self, path: Path, file_no: int) -> None:
        from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

        self.path, self.file_no, self.n = path, file_no, 0
        self.buf = io.BytesIO()
        self.writer = WARCWriter(self.buf, gzip=path.name.endswith(".gz"))
        info = (
            f"software: prov {GENERATOR}\r\nformat: WARC File Format 1.0\r\n"
            f"description: synthetic crawl for testing prov scan\r\n"
        ).encode()
        date_ = _warc_date(file_no, 0)
        rec = self.writer.create_warc_record(
            "",
            "warcinfo",
            payload=io.BytesIO(info),
            length=len(info),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                "WARC-Record-ID": _record_id("warcinfo", path.name),
                "WARC-Date": date_,
                "WARC-Filename": path.name,
            },
        )
        self.writer.write_record(rec)
        self.n = 1

    def exchange(
        self, url: str, status: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, str]:
        """A request and its response; returns the response's record number and date."""
        from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]

        date_ = _warc_date(self.file_no, self.n)
        resp_id = _record_id("response", url, date_)
        host = url.split("/")[2]
        path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        req = self.writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"GET {path} HTTP/1.1",
                [("Host", host), ("User-Agent", "prov-test-crawler/1.0"), ("Accept", "*/*")],
                is_http_request=True,
            ),
            warc_headers_dict={
                "WARC-Record-ID": _record_id("request", url, date_),
                "WARC-Date": date_,
                "WARC-Concurrent-To": resp_id,
            },
        )
        self.writer.write_record(req)
        all_headers = [
            ("Date", _http_date(date_)),
            ("Server", "nginx"),
            *headers,
            ("Content-Length", str(len(body))),
        ]
        resp = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=StatusAndHeaders(status, all_headers, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Record-ID": resp_id, "WARC-Date": date_},
        )
        self.writer.write_record(resp)
        self.n += 2
        return self.n - 1, date_

    def close(self) -> None:
        self.path.write_bytes(self.buf.getvalue())


HTML_TYPE = ("Content-Type", "text/html; charset=utf-8")


def _non_pages(w: _WarcOut, site: Site, k: int) -> list[dict[str, Any]]:
    """Records a scan must skip: a 404 page, an image, a redirect."""
    base = f"https://www.{site.domain}"
    rel = f"crawl/warc/{w.path.name}"
    out = []
    url = f"{base}/archive/missing-story-{w.file_no}{k}"
    nf = f"<html><head><title>Page not found</title></head><body><h1>404</h1><p>The page \
you asked for is not here. {_e(NEWSLETTER)}</p></body></html>\n".encode()
    n, _ = w.exchange(url, "404 Not Found", [HTML_TYPE], nf)
    out.append({"url": url, "location": f"{rel}#record {n}", "what": "404 Not Found"})
    url = f"{base}/static/img/logo-{w.file_no}{k}.png"
    n, _ = w.exchange(url, "200 OK", [("Content-Type", "image/png")], PNG_1X1)
    out.append({"url": url, "location": f"{rel}#record {n}", "what": "image/png"})
    url = f"http://{site.domain}/latest-{w.file_no}{k}"
    moved = b'<html><body>Moved to <a href="/">the home page</a></body></html>\n'
    n, _ = w.exchange(url, "301 Moved Permanently", [("Location", f"{base}/"), HTML_TYPE], moved)
    out.append({"url": url, "location": f"{rel}#record {n}", "what": "301 redirect"})
    return out


def write_crawl(corpus: Corpus, out: Path) -> dict[str, Any]:
    """Write sources, crawl and manifest under ``out``; returns the manifest."""
    _clear(out)
    (out / "sources").mkdir(parents=True)
    for src in corpus.sources:
        shutil.copyfile(src.path, out / "sources" / src.name)
    crawl = out / "crawl"
    for site in SITES:
        (crawl / f"site-{site.name}").mkdir(parents=True)
    (crawl / "warc").mkdir()
    (crawl / "jsonl").mkdir()

    for p in corpus.pages:
        if p.kind == "html":
            rel = f"crawl/site-{p.site.name}/{p.slug}.html"
            p.location, p.date = rel, p.published.isoformat()
            (out / rel).write_text(p.html(), encoding="utf-8")

    non_pages: list[dict[str, Any]] = []
    for f, name in enumerate(WARC_FILES):
        w = _WarcOut(crawl / "warc" / name, f)
        in_file = [p for p in corpus.pages if p.kind == "warc" and p.warc_file == f]
        at = {len(in_file) // 3: 0, 2 * len(in_file) // 3: 1}
        for j, p in enumerate(in_file):
            if j in at:
                non_pages += _non_pages(w, SITES[(f + at[j]) % len(SITES)], at[j])
            n, p.date = w.exchange(p.url, "200 OK", [HTML_TYPE], p.html().encode())
            p.location = f"crawl/warc/{name}#record {n}"
        w.close()

    for f, name in enumerate(JSONL_FILES):
        lines: list[str] = []
        for p in (p for p in corpus.pages if p.kind == "jsonl" and p.jsonl_file == f):
            p.date = p.published.isoformat()
            p.location = f"crawl/jsonl/{name}#record {len(lines)}"
            rec: dict[str, str] = {"url": p.url, "date": p.date}
            if p.jsonl_html:
                rec["html"] = p.html()
            else:
                by = f"By {p.author} | {_human(p.published)}"
                rec["text"] = "\n\n".join([p.title, by, *p.paragraphs, NEWSLETTER]) + "\n"
            lines.append(json.dumps(rec, ensure_ascii=False) + "\n")
        (crawl / "jsonl" / name).write_text("".join(lines), encoding="utf-8")

    manifest = _manifest(corpus, non_pages)
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest


def _clear(out: Path) -> None:
    """Remove an earlier run's output; refuse to touch folders this script did not write."""
    old = out / "manifest.json"
    ours = old.exists() and GENERATOR in old.read_text(encoding="utf-8")[:300]
    for sub in ("crawl", "sources"):
        d = out / sub
        if d.exists() and any(d.iterdir()):
            if not ours:
                raise SystemExit(f"{d} exists and was not written by {GENERATOR}: not touching it")
            shutil.rmtree(d)
    out.mkdir(parents=True, exist_ok=True)


def _manifest(corpus: Corpus, non_pages: list[dict[str, Any]]) -> dict[str, Any]:
    pages = [
        {
            "id": p.id,
            "url": p.url,
            "date": p.date,
            "location": p.location,
            "kind": p.kind,
            "site": p.site.name,
            "expect": {
                "source": p.source,
                "verdict": p.verdict,
                "planted": p.planted,
                "planted_risks": p.risks,
                "meaning_changed": p.meaning_changed,
            },
            **({"revisit_of": p.revisit_of} if p.revisit_of is not None else {}),
        }
        for p in corpus.pages
    ]
    verdicts = Counter(str(p.verdict) for p in corpus.pages)
    return {
        "generator": GENERATOR,
        "seed": corpus.seed,
        "notes": (
            "location: a path relative to this file; '#record N' is the record's 0-based"
            " index in the WARC file (warcio's ArchiveIterator order, warcinfo and request"
            " records counted) or the 0-based line of the JSONL file. expect.planted:"
            " [before, after] pairs; a planted qualifier, number or name edit is given as"
            " the unique source phrase and its edited form, a synonym swap as the two words"
            " (planted_risks: the risk class of each). date: WARC-Date for WARC records, the"
            " JSONL 'date', the HTML page's publication date. The two communiqués overlap"
            " (004 reuses sentences of 001): a page copying one may also match the other as"
            " partial."
        ),
        "sources": [
            {
                "name": s.name,
                "title": s.title,
                "words": mc.words(s.body),
                "paragraphs": len(s.paragraphs),
                "origin": str(s.path.relative_to(ROOT)),
            }
            for s in corpus.sources
        ],
        "counts": {
            "pages": len(corpus.pages),
            "verdicts": {k: verdicts.get(k, 0) for k in (VERBATIM, NEAR, SPUN, PARTIAL, "None")},
            "kinds": {k: sum(p.kind == k for p in corpus.pages) for k in ("html", "warc", "jsonl")},
            "sources": {
                s.name: sum(p.source == s.name for p in corpus.pages) for s in corpus.sources
            },
            "revisits": len(corpus.revisits),
            "non_page_records": len(non_pages),
        },
        "pages": pages,
        "revisits": [
            {
                "url": r.url,
                "first_date": r.first.date,
                "second_date": r.second.date,
                "first": r.first.location,
                "second": r.second.location,
                "change": r.change,
            }
            for r in corpus.revisits
        ],
        "non_pages": non_pages,
    }


# --------------------------------------------------------------------------------------
# Verification with prov itself
# --------------------------------------------------------------------------------------
@dataclass
class Check:
    page: Page
    source: str
    expected: str
    got: str
    meaning_changed: bool
    ok: bool


def verify(corpus: Corpus, per_class: int, seed: int = 0) -> list[Check]:
    """Compare up to ``per_class`` pages of each class with ``compare_texts`` on the page's
    plain article text: the labelled source must give the label (and a near-verbatim copy
    must have meaning_changed); an unrelated page must be unrelated to every source."""
    if str(ROOT) not in sys.path:  # the editable install's finder is not enough from scripts/
        sys.path.insert(0, str(ROOT))
    from provenance import compare_texts

    rng = random.Random(seed)
    texts = {s.name: s.text for s in corpus.sources}
    checks: list[Check] = []
    for label in CLASSES:
        pool = [p for p in corpus.pages if p.verdict == label]
        for p in rng.sample(pool, min(per_class, len(pool))):
            if label is None:
                for name, text in texts.items():
                    s = compare_texts(text, p.body)
                    ok = s.verdict == "unrelated"
                    checks.append(Check(p, name, "unrelated", s.verdict, s.meaning_changed, ok))
                continue
            assert p.source
            s = compare_texts(texts[p.source], p.body)
            ok = s.verdict == label and (label != NEAR or s.meaning_changed)
            checks.append(Check(p, p.source, label, s.verdict, s.meaning_changed, ok))
    return checks


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--pages", type=int, default=3000, help="number of pages (default 3000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument(
        "--verify",
        type=int,
        default=0,
        metavar="K",
        help="check K pages per class with provenance.compare_texts",
    )
    args = ap.parse_args(argv)
    if args.pages < 100:
        ap.error("--pages must be at least 100")
    t0 = time.perf_counter()
    corpus = make_corpus(args.pages, args.seed)
    manifest = write_crawl(corpus, args.out)
    took = time.perf_counter() - t0
    c = manifest["counts"]
    print(
        f"{c['pages']} pages written to {args.out} in {took:.1f} s: {c['verdicts']},"
        f" {c['kinds']}, {c['revisits']} revisits, {c['non_page_records']} non-page records"
    )
    if not args.verify:
        return 0
    checks = verify(corpus, args.verify)
    table: Counter[tuple[str, str]] = Counter((ck.expected, ck.got) for ck in checks)
    for (exp, got), n in sorted(table.items()):
        print(f"  expected {exp:<14} got {got:<14} {n}")
    bad = [ck for ck in checks if not ck.ok]
    for ck in bad:
        print(f"  MISMATCH page {ck.page.id} vs {ck.source}: {ck.expected} -> {ck.got}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
