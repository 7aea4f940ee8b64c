"""``verify``: a check's candidates aligned, ranked and scored only as far as the answer
needs, with the answer of scoring every one; and alignment work shared by near-copies."""

from __future__ import annotations

import gc
import random
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from provenance import indexing, pipeline, verify
from provenance.index.records import StoredText
from provenance.index.store import Store
from provenance.match import align as align_module
from provenance.match import alignwork, claims, risk, votes
from provenance.match.align import Alignment
from provenance.match.coverage import rank, word_blocks
from provenance.match.score import fidelity, score
from provenance.params import DEFAULT_POLICY
from provenance.semantic import step as semantic_step
from provenance.text.segment import Segmented
from tests.conftest import ROOT, seed, seed_path, seed_text
from tests.test_crash import paragraphs

STORY_PARAGRAPHS = 9
SITES = 8


def _respun(rng: random.Random, paragraph: str, rate: float, pool: list[str]) -> str:
    """``paragraph`` with about ``rate`` of its words replaced by words of ``pool``."""
    words = paragraph.split()
    for i in range(len(words)):
        if rng.random() < rate:
            words[i] = rng.choice(pool)
    return " ".join(words)


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A small newsroom index: one story republished by eight sites (each its own header
    and footer, a few words changed, a paragraph dropped by every third), five releases
    of one template (names and figures changed), unrelated articles, and a page with
    its translation (seed 000, two languages); and suspects of each kind."""
    rng = random.Random(18)  # noqa: S311 - fixed test data
    pool = paragraphs()
    rng.shuffle(pool)
    story, template, rest = pool[:STORY_PARAGRAPHS], pool[9:13], pool[13:]
    vocabulary = sorted({w for p in rest for w in p.split() if w.isalpha()})
    root = tmp_path_factory.mktemp("newsroom")
    docs = root / "docs"
    docs.mkdir()
    for k in range(SITES):
        body = [_respun(rng, p, 0.02, vocabulary) for p in story]
        if k % 3 == 2:
            del body[rng.randrange(len(body))]
        head = f"Site {k} News. Read the latest from our newsroom, edition {k}."
        foot = f"Copyright Site {k}. All rights reserved."
        (docs / f"story-{k}.txt").write_text("\n\n".join([head, *body, foot]) + "\n", "utf-8")
    for r in range(5):
        body = [re.sub(r"\d+", str(10 * r + 7), p) for p in template]
        body = [p.replace(" the ", f" the {rng.choice(vocabulary)} ", 1) for p in body]
        (docs / f"release-{r}.txt").write_text("\n\n".join(body) + "\n", "utf-8")
    for a in range(10):
        (docs / f"article-{a}.txt").write_text("\n\n".join(rest[4 * a : 4 * a + 4]) + "\n", "utf-8")
    for prefix in ("000", "004"):
        (docs / seed_path(prefix).name).write_text(seed_text(prefix), "utf-8")
    db = root / "index.db"
    list(indexing.add([docs], db))
    unrelated = "\n\n".join(rest[-3:])
    suspects = {
        "whole story": "\n\n".join(_respun(rng, p, 0.05, vocabulary) for p in story),
        "part of one": "\n\n".join([rest[-1], *story[2:5], rest[-2]]),
        "release": (docs / "release-2.txt").read_text("utf-8"),
        "translated page's text": seed_text("001"),
        "spun copy": seed_text("003"),
        "none": unrelated,
    }
    return db, suspects


def _every_candidate_scored(
    store: Store, seg: Segmented, top: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[Any], int]:
    """``find_sources`` as it was: every candidate scored, unrelated ones dropped, the
    rest sorted (the path the semantic step takes, here with a step that changes
    nothing)."""
    with monkeypatch.context() as m:
        m.setattr(verify, "_meaning_on", lambda store: True)
        m.setattr(semantic_step, "by_meaning", lambda store, seg, found, *_: (found, 0))
        return verify.find_sources(store, seg, top)


class _Counting:
    """Counts the candidates ``verify`` scores in full and the alignments it makes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts: Counter[str] = Counter()
        for name in ("_scored", "align"):
            real = getattr(verify, name)

            def counted(*args: Any, _real: Any = real, _name: str = name) -> Any:
                self.counts[_name] += 1
                return _real(*args)

            monkeypatch.setattr(verify, name, counted)


@pytest.mark.parametrize("top", [1, 2, 5])
@pytest.mark.parametrize(
    "name",
    ["whole story", "part of one", "release", "translated page's text", "spun copy", "none"],
)
def test_the_answer_is_the_one_scoring_every_candidate_gives(
    newsroom: tuple[Path, dict[str, str]], name: str, top: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, suspects = newsroom
    seg = pipeline.prepare(suspects[name])
    with Store.open(db) as store:
        expected = _every_candidate_scored(store, seg, top, monkeypatch)
        counting = _Counting(monkeypatch)
        got = verify.find_sources(store, seg, top)
    assert got == expected  # every field of every score, in the same order
    if name == "none":
        assert got == ([], 0)
        return
    assert got[0]
    candidates = got[1]
    # every candidate aligned once (a page with its translation once per language)
    assert candidates <= counting.counts["align"] <= 2 * candidates
    if name in ("whole story", "part of one"):
        # the other candidates rank below the story's copies: they are aligned, never
        # scored in full (scoring every candidate did, once per language)
        assert candidates > SITES
        assert counting.counts["_scored"] <= SITES


def test_a_source_in_two_languages_is_ranked_by_its_score(
    newsroom: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, suspects = newsroom
    seg = pipeline.prepare(suspects["translated page's text"])
    with Store.open(db) as store:
        found, _ = verify.find_sources(store, seg, 5)
        sources = {t.id: pipeline.prepare(t.text) for t in store.texts(store.source_ids())}
    bilingual = [s for s in sources.values() if len(s.languages()) > 1]
    assert bilingual  # seed 000: Italian with its English translation
    assert any(Path(stored.path).name.startswith("000") for stored, _ in found)


def test_the_semantic_step_sees_every_copy_found(
    newsroom: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # with the step on (and usable vectors), what it is given is every copy, scored
    db, suspects = newsroom
    seg = pipeline.prepare(suspects["whole story"])
    given: list[int] = []

    def step(store: Store, seg: Segmented, found: list[Any], *_: Any) -> tuple[list[Any], int]:
        given.append(len(found))
        return found, 0

    monkeypatch.setattr(verify, "_meaning_on", lambda store: True)
    monkeypatch.setattr(semantic_step, "by_meaning", step)
    with Store.open(db) as store:
        _, candidates = verify.find_sources(store, seg, 2)
    assert given == [candidates] and candidates >= SITES  # all copies of the story


# -- rank: what the alignment alone says, as score() says it -------------------------

PAIRS = [
    ("001", "000"),
    ("000", "001"),
    ("004", "003"),
    ("001", "002"),
    ("004", "001"),
    ("002", "003"),
]


def _case_pairs() -> list[tuple[str, str]]:
    cases = ROOT / "tests" / "assets" / "cases"
    sources = sorted((cases / "sources").glob("*.txt"))
    copies = sorted((cases / "copies").glob("*.txt"))
    return [(str(s), str(c)) for s, c in zip(sources, copies, strict=False)][:12]


@pytest.mark.parametrize(("source", "copy"), PAIRS + _case_pairs())
def test_rank_is_what_score_gives_and_bounds_its_fidelity(source: str, copy: str) -> None:
    def text(name: str) -> Segmented:
        return seed(name) if len(name) == 3 else pipeline.prepare(Path(name).read_text("utf-8"))

    src, cp = text(source), text(copy)
    for lang in src.languages():
        alignment = verify._aligned(src, cp, DEFAULT_POLICY, lang, None)
        r = rank(src, cp, alignment, DEFAULT_POLICY, lang)
        assert rank(src, cp, alignment, DEFAULT_POLICY, lang, word_blocks(cp)) == r
        for fragments in ((), None):
            s = score(src, cp, alignment, DEFAULT_POLICY, lang, fragments)
            assert (r.copy_coverage, r.copy_words, r.source_coverage) == (
                s.copy_coverage,
                s.copy_words,
                s.source_coverage,
            )
            assert s.fidelity <= r.fidelity_bound
            assert fidelity(src, cp, alignment, DEFAULT_POLICY, lang) == s.fidelity
            assert fidelity(src, cp, alignment, DEFAULT_POLICY, lang, word_blocks(cp)) == s.fidelity


def test_a_tie_is_broken_by_fidelity_before_reworded_text_is_searched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # four candidates of equal coverages, taken by their fidelity bound; once one copy
    # is kept (need 1), a candidate is scored in full only when its fidelity, measured
    # first, outranks it; the walk ends at a bound that cannot
    bounds = [0.95, 0.94, 0.93, 0.5]
    exact = [0.90, 0.92, 0.80, 0.4]
    scored: list[int] = []
    measured: list[int] = []

    def candidate(n: int) -> verify._Ranked:
        stored = StoredText(n, f"site-{n}.txt", "", "", "utf-8")
        c = verify._Candidate(n, stored, pipeline.prepare(f"text {n}"), None)
        return verify._Ranked((-100.0, -1.0), bounds[n], c, (Alignment((), 0), "en"), None)

    def fake_scored(source: Segmented, *_: Any) -> Any:
        n = int(source.norm.words[1])
        scored.append(n)
        return SimpleNamespace(verdict="partial", fidelity=exact[n])

    def fake_fidelity(source: Segmented, *_: Any) -> float:
        n = int(source.norm.words[1])
        measured.append(n)
        return exact[n]

    monkeypatch.setattr(verify, "_scored", fake_scored)
    monkeypatch.setattr(verify, "fidelity", fake_fidelity)
    group = [candidate(n) for n in (2, 0, 3, 1)]
    got = verify._group(group, 1, pipeline.prepare("copy"), DEFAULT_POLICY, [])
    assert [stored.path for stored, _ in got] == ["site-1.txt"]
    assert scored == [0, 1]  # the first, and the one that outranks it
    assert measured == [1, 2]  # 2 ranks below site-1: never searched; 3 never measured
    # with room for every candidate, each is scored and none measured first
    scored.clear()
    measured.clear()
    got = verify._group(group, 4, pipeline.prepare("copy"), DEFAULT_POLICY, [])
    assert [stored.path for stored, _ in got] == [f"site-{n}.txt" for n in (1, 0, 2, 3)]
    assert (scored, measured) == ([0, 1, 2, 3], [])


# -- alignment work shared by near-copies --------------------------------------------


@pytest.mark.parametrize("kernel", [True, False])
def test_near_copies_share_their_passages_alignment_work(
    monkeypatch: pytest.MonkeyPatch, kernel: bool
) -> None:
    # one copy aligned with N sources that hold the same passages under other headers:
    # each passage is voted for once (and on the words path matched once: the kernel
    # searches a passage's windows in one call, cheaper than keeping them), and every
    # alignment is the one made from scratch
    if not kernel:
        monkeypatch.setattr(alignwork, "_KERNEL", None)
    elif alignwork._KERNEL is None:
        pytest.skip("the compiled kernel is not built here (PROV_KERNEL=numpy, no compiler)")
    pool = paragraphs()
    body = [p.replace(" the ", " a ", 1) for p in pool[:6]]  # none verbatim in the copy
    copy = pipeline.prepare("\n\n".join(pool[:6]))
    sources = [
        pipeline.prepare("\n\n".join([f"Edition {k} of the daily paper.", *body])) for k in range(6)
    ]
    calls: Counter[str] = Counter()
    # a passage's votes are searched by vote, or on ids by the kernel
    for owner, name, counter in (
        (votes, "vote", "_vote"),
        (alignwork.CopyIds, "vote", "_vote"),
        (claims, "_match", "_match"),
    ):
        real = getattr(owner, name)

        def counted(*args: Any, _real: Any = real, _name: str = counter) -> Any:
            calls[_name] += 1
            return _real(*args)

        monkeypatch.setattr(owner, name, counted)

    def aligned(src: Segmented) -> Any:
        spans = [(p.first, p.last) for p in src.aligned_passages()]
        return align_module.align(src.norm.words, spans, copy.norm.words, 0.75)

    def kernel_votes() -> int:  # the kernel votes inside _kernel.align: its memo's votes
        last = alignwork._last_grams
        ids = None if last is None else last[3]
        return 0 if ids is None else sum(k[:1] == b"v" for k in ids.memo)

    shared = [aligned(src) for src in sources]
    calls["_vote"] += kernel_votes()
    once = dict(calls)
    fresh = []
    for src in sources:
        monkeypatch.setattr(alignwork, "_last_grams", None)  # nothing kept
        fresh.append(aligned(src))
        calls["_vote"] += kernel_votes()
    assert shared == fresh
    assert all(len(a.matches) >= len(body) for a in shared)
    # the work of one source, not of six (each source's header is its own passage)
    # each distinct passage voted for once: the body's (shared) and each source's header
    per_source, rest = divmod(calls["_vote"] - once["_vote"], len(sources))
    assert rest == 0 and per_source >= 2  # a header and the body's passages
    # (on the kernel's ids the headers are one passage: "0" to "5" are not the copy's words)
    assert once["_vote"] == per_source + (0 if kernel else len(sources) - 1)
    if not kernel:
        assert calls["_match"] - once["_match"] >= (len(sources) - 1) * once["_match"] > 0


@pytest.mark.parametrize("enabled", [True, False])
def test_a_check_holds_off_cyclic_gc_and_restores_it(
    newsroom: tuple[Path, dict[str, str]], enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, suspects = newsroom
    seg = pipeline.prepare(suspects["whole story"])
    during: list[bool] = []
    real = verify._best

    def best(*args: Any) -> Any:
        during.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(verify, "_best", best)
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with Store.open(db) as store:
            assert verify.find_sources(store, seg, 2)[0]
            after = gc.isenabled()
            gc.collect()
            monkeypatch.setattr(verify, "_best", lambda *a: 1 / 0)
            with pytest.raises(ZeroDivisionError):
                verify.find_sources(store, seg, 2)
            after_error = gc.isenabled()
    finally:
        gc.enable() if was else gc.disable()
    assert during == [False]
    assert after is enabled  # as it was, also after an error
    assert after_error is enabled


@pytest.fixture
def gc_on() -> Iterator[None]:
    """The collector on for the test, then as it was."""
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        gc.enable() if was else gc.disable()


@contextmanager
def _paused_in_another_thread() -> Iterator[None]:
    """A check's GC pause held by another thread for the block's length (it is inside
    its pause when the block starts)."""
    entered, release = threading.Barrier(2, timeout=60), threading.Event()

    def hold() -> None:
        with verify._gc_paused():
            entered.wait()
            release.wait(60)

    other = threading.Thread(target=hold)
    other.start()
    try:
        entered.wait()
        yield
    finally:
        release.set()
        other.join(60)


@pytest.mark.usefixtures("gc_on")
def test_gc_pauses_nest_across_threads() -> None:
    with _paused_in_another_thread():
        with verify._gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the other thread's pause still holds
    assert gc.isenabled()  # the last pause ended: on again, as before the first


def test_a_check_leaves_no_cyclic_garbage(newsroom: tuple[Path, dict[str, str]]) -> None:
    # what the pause defers: reference counting frees everything a check allocates
    db, suspects = newsroom
    with Store.open(db) as store:
        for name in ("whole story", "part of one", "release"):
            seg = pipeline.prepare(suspects[name])
            verify.find_sources(store, seg, 5)
            gc.collect()
            verify.find_sources(store, seg, 5)
            assert gc.collect() == 0, name


def test_a_check_frees_its_alignment_memo(newsroom: tuple[Path, dict[str, str]]) -> None:
    # freed while the collector is off (by reference counting), not left to it
    db, suspects = newsroom
    seg = pipeline.prepare(suspects["whole story"])
    with Store.open(db) as store:
        assert verify.find_sources(store, seg, 2)[0]
    last = alignwork._last_grams
    assert last is None or last[0] is not seg.norm.words
    other = pipeline.prepare(suspects["release"])
    align_module.align(other.norm.words, [(0, 5)], other.norm.words, 0.5)
    alignwork.forget_copy(seg.norm.words)  # another copy's memo stays
    assert alignwork._last_grams is not None
    assert alignwork._last_grams[0] is other.norm.words
    alignwork.forget_copy(other.norm.words)
    assert alignwork._last_grams is None


def test_a_check_has_its_own_memo_of_edits(
    newsroom: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the near-copies' edits share the memo within a check (hits), it starts empty and
    # is emptied when the check ends, and the answers are those without it
    db, suspects = newsroom
    seg = pipeline.prepare(suspects["whole story"])
    seen: list[tuple[int, int]] = []
    memo = risk._by_words  # (the memo of what an edit's words decide of its class)
    forget = risk.forget_edits

    def spy() -> None:
        info = memo.cache_info()
        seen.append((info.hits, info.currsize))
        forget()

    monkeypatch.setattr(verify, "forget_edits", spy)
    risk._by_words("substitution", ("w0",), ("x",))  # left by earlier work: not this check's
    with Store.open(db) as store:
        memoised = verify.find_sources(store, seg, 5)
        assert seen[0][1] == 1  # emptied as the check started
        assert seen[1][0] > 0  # near-copies' identical edits met the memo
        assert memo.cache_info().currsize == 0
        assert risk._polarity.cache_info().currsize == 0
        # the same answers without the memos (forget_edits: this check has none to empty)
        monkeypatch.setattr(verify, "forget_edits", lambda: None)
        monkeypatch.setattr(risk, "_by_words", memo.__wrapped__)
        monkeypatch.setattr(risk, "_polarity", risk._polarity.__wrapped__)
        assert verify.find_sources(store, seg, 5) == memoised


@pytest.mark.usefixtures("gc_on")
def test_overlapping_pauses_do_not_starve_the_collector() -> None:
    # checks overlapping without end (a busy server): each pause that ends while another
    # holds runs the collection that is due
    with _paused_in_another_thread():
        with verify._gc_paused():
            cycles = []
            for _ in range(3 * gc.get_threshold()[0]):
                a: list[Any] = []
                a.append(a)  # a cycle: only the collector frees it
                cycles.append(a)
            del cycles, a
            assert gc.get_count()[0] > gc.get_threshold()[0]
        assert not gc.isenabled()  # still held by the other thread
        assert gc.get_count()[0] <= gc.get_threshold()[0]  # but collected


def test_a_check_reads_the_vectors_status_once(
    newsroom: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # with prov[semantic] on, a check asks whether the index's vectors are usable for its
    # warnings, before verifying and in the search: the database is read once (and again
    # once it changed)
    db, suspects = newsroom
    reads: list[int] = []

    def status(store: Store) -> str:
        reads.append(1)
        return ""

    monkeypatch.setattr(semantic_step, "_read_status", status)
    monkeypatch.setattr(semantic_step, "semantic", lambda: True)
    monkeypatch.setattr(semantic_step, "by_meaning", lambda st, seg, found, *_: (found, 0))
    suspect = tmp_path / "suspect.txt"
    suspect.write_text(suspects["release"], "utf-8")
    (result,) = pipeline.check([suspect], db)
    assert result.matches and len(reads) == 1
    with Store.open(db) as store:
        assert semantic_step.status(store) == semantic_step.status(store) == ""
        assert len(reads) == 2
        store.db.execute("CREATE TEMP TABLE written (x)")
        store.db.execute("INSERT INTO written VALUES (1)")
        assert semantic_step.status(store) == ""
        assert len(reads) == 3


def test_the_synonym_search_skips_the_copys_text_in_other_languages() -> None:
    # seed 000 is a page in English and Italian: compared in English, its Italian
    # blocks are skipped; compared in Italian, all of it (the table is English WordNet)
    page = pipeline.prepare(seed_text("000"))
    italian = [(b.first, b.last) for b in page.blocks if b.lang == "it"]
    assert italian and verify._foreign(page, "en") == italian
    assert verify._foreign(page, "it") == [(0, len(page.norm.words))]
    english = pipeline.prepare(
        "The harbour opened in spring after two years of work on its walls. "
        "Ships from the northern ports now call there every week in the season.\n\n"
        "The council expects the new quay to bring trade back to the old town."
    )
    assert verify._foreign(english, "en") == []
