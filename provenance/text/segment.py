"""Stage 2: a normalised document -> blocks and passages.

A web page is several texts at once: the article, a cookie banner, navigation, a
translation, unrelated appended material, press contacts. The document is cut into
*blocks* (lines; a paragraph broken across lines is joined again), each block gets a
language and a kind (``body``, ``heading`` or ``boilerplate``, with the reason), and
the document's *body* is its body blocks in its main language.

A list (one event or step per line, a table written as text) is short lines that
would each read as a heading or navigation; a run of such lines shaped as a list is
one body block (see :func:`_lists`), and a document with no body at all takes its
lines as its body (:func:`_fallback`), so that no text is left with nothing to index.

Blocks are cut into *passages*: sentences, short ones merged with their neighbour and
long ones cut into even pieces, so that passages never depend on line breaks (a copy
that merges every paragraph into one line still yields the same sentences).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from provenance.text.language import (
    SHORT_BLOCK_WORDS,
    UNDETERMINED,
    detect_language,
    weak_evidence,
)
from provenance.text.normalize import Normalized

#: A sentence shorter than this is merged with the next one (or the previous one).
MIN_PASSAGE_WORDS = 8
#: A sentence longer than this is cut into even pieces of at most this many words.
MAX_PASSAGE_WORDS = 60

#: A language with at least this share of a document's body words is one of its texts.
MAJOR_LANGUAGE_SHARE = 0.25

#: Lines in a row that make a list, at least (two lines are a title and a subtitle).
MIN_LIST_LINES = 3
#: Words a list line has on average, at least: menus have one to three per entry.
MIN_LIST_WORDS = 4
#: Longest line that is a list item rather than a paragraph, in words.
MAX_LIST_ITEM_WORDS = 40

BODY, HEADING, BOILERPLATE = "body", "heading", "boilerplate"
#: Reasons for boilerplate that are never body, even in a list: what sites repeat.
_FURNITURE = frozenset(
    {"links or contact details", "site furniture (cookies, sharing, subscriptions)"}
)
_NUMBER_WORD_RE = re.compile(r"(?<!\w)\d")
_TERMINALS = frozenset(".!?。！？…")
_CLOSERS = "\"'”’»)]"
_BOUNDARY_RE = re.compile(r"(?:[.!?。！？…][\"'”’»)\]]*\s*|\n\s*)(?=\S)")
#: The characters a :data:`_BOUNDARY_RE` match begins with: searched for alone (~3x
#: faster than searching for the pattern), the pattern is tried where they are.
_BOUNDARY_START_RE = re.compile(r"[.!?。！？…\n]")
_SENTENCE_GAP_RE = re.compile(r"[.!?。！？…][\"'”’»)\]]*(?:\s|$)")
_LINK_RE = re.compile(
    r"https?://|www\.|\]\(|\[[^\]]*\]\(|\S+@\S+\.\w|\b[\w-]+\.(?:com|org|net|eu|gov|de|it|fr|uk|ca)\b/"
)
_LIST_RE = re.compile(r"^\s*(?:[•·▪►*\-–]|\d{1,3}[.)])\s")
#: The mark of a list item or a table row: a bullet, a number or a year first
#: ("3.", "(b)", "1852 –"), or cells (two bars, or a tab).
_ITEM_RE = re.compile(
    r"^\s*(?:[•·▪►◦‣○●■□*\-–—+]|\(?\d{1,4}[.):]?\)?|\(?[a-z][.)])\s|\|.*\||\S\t+\S"
)
_ALPHA_RE = re.compile(r"[^\W\d_]{2,}")
#: (The lookahead names the letters the phrases begin with: the same matches, found
#: about twice as fast, since most places of a line fail on their first character.)
_STOCK_RE = re.compile(
    r"(?=[acflmnprst])(?:"
    r"\bcookies?\b|privacy (?:policy|settings)|terms of (?:use|service)|all rights reserved"
    r"|\bsubscribe\b|\bnewsletter\b|\bsign (?:up|in)\b|\blog ?in\b|\bfollow us\b"
    r"|\bshare (?:this|on)\b|\badvertisement\b|\brelated (?:news|articles|posts)\b"
    r"|\bmust read\b|\bread more\b|\bstay connected\b|\bskip to (?:main )?content\b)",
    re.IGNORECASE,
)
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st no nos gen sen rep gov lt col capt sgt jr sr inc ltd co corp vs "
    "etc e g i al fig approx dept est jan feb mar apr jun jul aug sep sept oct nov dec".split()
)


@dataclass(frozen=True, slots=True)
class Block:
    """A line or paragraph of the document.

    Attributes:
        start, end: character span in the original text.
        first, last: word range ``[first, last)`` in the document's words.
        lang: language code (``en``, ``it``, ...), a script (``arabic``) or ``und``.
        kind: ``body``, ``heading`` or ``boilerplate``.
        reason: why the block is not body ("" for body blocks).
    """

    start: int
    end: int
    first: int
    last: int
    lang: str
    kind: str
    reason: str


@dataclass(frozen=True, slots=True)
class Passage:
    """A sentence-sized piece of a block: words ``[first, last)`` of the document."""

    block: int
    first: int
    last: int

    @property
    def size(self) -> int:
        return self.last - self.first


@dataclass(frozen=True, slots=True)
class Segmented:
    """A document cut into blocks and passages.

    Attributes:
        norm: the normalised document.
        blocks: every block with words, in order.
        passages: the passages of every block that is not boilerplate, in order.
        lang: the main language: the one most body words are in.
        truncated_from: the original text's length in characters when only its first
            ``len(norm.text)`` characters were read (0 when all of it was).
    """

    norm: Normalized
    blocks: tuple[Block, ...]
    passages: tuple[Passage, ...]
    lang: str
    truncated_from: int = 0

    def in_body(self, block: Block, lang: str | None = None) -> bool:
        """Whether ``block`` is body text in ``lang`` (default: the main language); in
        any language when that is undetermined (a table, a list of names)."""
        want = self.lang if lang is None else lang
        return block.kind == BODY and (want == UNDETERMINED or block.lang in (want, UNDETERMINED))

    def body_passages(self, lang: str | None = None) -> tuple[Passage, ...]:
        """The passages of the body in ``lang`` (default: the main language)."""
        return tuple(p for p in self.passages if self.in_body(self.blocks[p.block], lang))

    def aligned_passages(self, lang: str | None = None) -> tuple[Passage, ...]:
        """What is looked for in a copy: the body and the headings in ``lang`` (default:
        the main language)."""
        want = self.lang if lang is None else lang
        return tuple(
            p
            for p in self.passages
            if self.blocks[p.block].kind in (BODY, HEADING)
            and (want == UNDETERMINED or self.blocks[p.block].lang in (want, UNDETERMINED))
        )

    def languages(self) -> tuple[str, ...]:
        """The languages of the body that hold at least :data:`MAJOR_LANGUAGE_SHARE` of
        its words, most words first: a page with its translation has two."""
        counts: Counter[str] = Counter()
        for b in self.blocks:
            if b.kind == BODY and b.lang != UNDETERMINED:
                counts[b.lang] += b.last - b.first
        total = sum(counts.values())
        major = tuple(lang for lang, n in counts.most_common() if n >= MAJOR_LANGUAGE_SHARE * total)
        return major or (self.lang,)

    def has_body(self) -> bool:
        """Whether any block is body text (in any language)."""
        return any(b.kind == BODY for b in self.blocks)

    def no_body(self) -> str:
        """What a document with no body holds instead: "only navigation or short line,
        ..." (its blocks' reasons), for the message that says it has nothing to index."""
        reasons = sorted({b.reason for b in self.blocks if b.kind != BODY})
        return "only " + ", ".join(reasons) if reasons else "no words"

    def body_words(self, lang: str | None = None) -> int:
        return sum(b.last - b.first for b in self.blocks if self.in_body(b, lang))


def _short_blocks_in(norm: Normalized, blocks: list[Block], main: str) -> list[Block]:
    """Short blocks tagged with another function-word language than ``main`` on weak
    evidence, undetermined (so compared in any language): "Che Guevara's son Camilo
    dies in Caracas" is English with two Italian-looking words, not Italian."""
    out = []
    for b in blocks:
        short = b.last - b.first < SHORT_BLOCK_WORDS and b.lang != main
        if short and weak_evidence(norm.words[b.first : b.last], b.lang, main):
            b = replace(b, lang=UNDETERMINED)
        out.append(b)
    return out


def _classify(text: str, norm: Normalized, first: int, last: int) -> tuple[str, str]:
    n = last - first
    terminal = text.rstrip().rstrip(_CLOSERS)[-1:] in _TERMINALS
    if n < 4 or (n < 6 and not terminal):
        return BOILERPLATE, "navigation or short line"
    if _LIST_RE.match(text) and n < 12 and not terminal:
        return BOILERPLATE, "navigation list"
    if n <= 60 and len(_NUMBER_WORD_RE.findall(text)) / n >= 0.4:
        return BOILERPLATE, "numbers or contact details"
    if n <= 40 and _LINK_RE.search(text):
        return BOILERPLATE, "links or contact details"
    if n <= 50 and _STOCK_RE.search(text):
        return BOILERPLATE, "site furniture (cookies, sharing, subscriptions)"
    if text.count("|") >= 2 and n <= 40:
        return BOILERPLATE, "navigation"
    if not terminal and n <= 25:
        caps = sum(
            1
            for i in range(first, last)
            if len(norm.words[i]) > 3 and not norm.text[norm.starts[i]].islower()
        )
        long_words = sum(1 for i in range(first, last) if len(norm.words[i]) > 3)
        if long_words and caps / long_words >= 0.5:
            return HEADING, "heading"
    return BODY, ""


def _lines(text: str) -> list[tuple[int, int]]:
    """Character spans of the non-blank lines, with broken paragraphs joined."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]
    joined: list[tuple[int, int]] = []
    for s, e in spans:
        if joined:
            ps, pe = joined[-1]
            prev = text[ps:pe].rstrip()
            nxt = text[s:e].lstrip()
            last_word = prev.rsplit(None, 1)[-1] if prev else ""
            if (
                nxt[:1].islower()
                and (last_word.islower() or last_word.endswith(","))
                and len(prev.split()) >= 15
                and not _LIST_RE.match(nxt)
            ):
                joined[-1] = (ps, e)
                continue
        joined.append((s, e))
    return joined


def is_sentence_start(norm: Normalized, i: int) -> bool:
    """Whether word ``i`` begins a sentence: the first word, or after a line break or
    sentence punctuation that does not close an initial ("J.") or an abbreviation
    ("Mr.", "No.")."""
    if i == 0:
        return True
    text = norm.text
    gap = text[norm.ends[i - 1] : norm.starts[i]]
    if "\n" in gap:
        return True
    if not _SENTENCE_GAP_RE.search(gap):
        return False
    prev = norm.words[i - 1]
    return not (prev in _ABBREVIATIONS or (len(prev) == 1 and prev.isalpha()))


def _sentences(norm: Normalized, first: int, last: int) -> list[tuple[int, int]]:
    """Sentence word ranges of a block: candidate ends are found by one regex over the
    block's text, then checked for initials and abbreviations."""
    if last - first < 2:
        return [(first, last)]
    out: list[tuple[int, int]] = []
    start = first
    text = norm.text
    lo, hi = norm.ends[first], norm.starts[last - 1]
    for end in _boundaries(text, lo, hi + 1):
        i = bisect.bisect_left(norm.starts, end, first, last)
        if i <= start or i >= last:
            continue
        if is_sentence_start(norm, i) and not text[norm.starts[i]].islower():
            out.append((start, i))
            start = i
    out.append((start, last))
    return out


def _boundaries(text: str, lo: int, hi: int) -> Iterator[int]:
    """The ends of the matches of :data:`_BOUNDARY_RE` in ``text[lo:hi]``, as
    ``finditer`` finds them: tried where one of their first characters is, past the
    previous match."""
    done = lo
    for c in _BOUNDARY_START_RE.finditer(text, lo, hi):
        if c.start() < done:
            continue
        m = _BOUNDARY_RE.match(text, c.start(), hi)
        if m is not None:
            done = m.end()
            yield done


def _passages(sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    pending: list[int] | None = None
    for s, e in sentences:
        if pending is not None:
            s = pending[0]
            pending = None
        if e - s < MIN_PASSAGE_WORDS:
            pending = [s, e]
            continue
        merged.append([s, e])
    if pending is not None:
        if merged:
            merged[-1][1] = pending[1]
        else:
            merged.append(pending)
    out: list[tuple[int, int]] = []
    for s, e in merged:
        n = e - s
        pieces = -(-n // MAX_PASSAGE_WORDS)
        for k in range(pieces):
            out.append((s + n * k // pieces, s + n * (k + 1) // pieces))
    return out


def _list_item(norm: Normalized, block: Block) -> bool:
    """Whether a line can be an item of a list: three words or more, most of them
    words of letters (not a phone number), no site furniture; and a line that is not
    body already, or one marked as an item (bullet, number, table cells)."""
    n = block.last - block.first
    if n < 3 or n > MAX_LIST_ITEM_WORDS or block.reason in _FURNITURE:
        return False
    if block.kind == BODY and not _marked(norm, block):
        return False
    text = norm.text[block.start : block.end]
    if _STOCK_RE.search(text) or _LINK_RE.search(text):
        return False
    alpha = sum(1 for w in norm.words[block.first : block.last] if _ALPHA_RE.match(w))
    return alpha >= 2 and 2 * alpha >= n


def _marked(norm: Normalized, block: Block) -> bool:
    """Whether a line begins with a list mark or holds table cells."""
    return _ITEM_RE.search(norm.text[block.start : block.end]) is not None


def _joined(norm: Normalized, run: Sequence[Block]) -> Block:
    """Lines read as one body block (a list, or a text of short lines)."""
    s, e, first, last = run[0].start, run[-1].end, run[0].first, run[-1].last
    lang = detect_language(norm.text[s:e], norm.words[first:last])
    return Block(s, e, first, last, lang, BODY, "")


def _lists(norm: Normalized, blocks: list[Block]) -> list[Block]:
    """Each run of list items with :data:`MIN_LIST_LINES` marked ones or more, of
    :data:`MIN_LIST_WORDS` words a line on average, as one body block (from its first
    marked line to its last): a timeline, the steps of a recipe, a table written as
    text. Lines that would each read as headings or navigation are a list's body when
    they come marked and in a run; menus have shorter entries, and a page's masthead,
    navigation bar, headline and byline no marks."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and _list_item(norm, blocks[j]):
            j += 1
        marked = [k for k in range(i, j) if _marked(norm, blocks[k])]
        if len(marked) >= MIN_LIST_LINES:  # the list: its first to its last marked line
            run = blocks[marked[0] : marked[-1] + 1]
            words = sum(b.last - b.first for b in run)
            if words >= MIN_LIST_WORDS * len(run) and any(b.kind != BODY for b in run):
                out.extend(blocks[i : marked[0]])
                out.append(_joined(norm, run))
                out.extend(blocks[marked[-1] + 1 : j])
                i = j
                continue
        out.extend(blocks[i : max(j, i + 1)])
        i = max(j, i + 1)
    return out


def _fallback(norm: Normalized, blocks: list[Block]) -> list[Block]:
    """A document with no body at all (a short list, a few lines of verse, a title
    and a line): its headings and its lines that could be list items are its body,
    runs of them joined; navigation and site furniture stay boilerplate."""
    if any(b.kind == BODY for b in blocks):
        return blocks
    out: list[Block] = []
    run: list[Block] = []
    for b in [*blocks, None]:
        if b is not None and (
            b.kind == HEADING or (_list_item(norm, b) and norm.text.count("|", b.start, b.end) < 2)
        ):
            run.append(b)
            continue
        if run:
            out.append(_joined(norm, run))
            run = []
        if b is not None:
            out.append(b)
    return out


def _main_language(blocks: Sequence[Block]) -> str:
    """The language most body words are in."""
    counts: Counter[str] = Counter()
    for b in blocks:
        if b.kind == BODY and b.lang != UNDETERMINED:
            counts[b.lang] += b.last - b.first
    return counts.most_common(1)[0][0] if counts else UNDETERMINED


def segment(norm: Normalized) -> Segmented:
    """Cut a normalised document into blocks and passages."""
    blocks: list[Block] = []
    for s, e in _lines(norm.text):
        first = bisect.bisect_left(norm.starts, s)
        last = bisect.bisect_left(norm.starts, e)
        if first >= last:
            continue
        text = norm.text[s:e]
        kind, reason = _classify(text, norm, first, last)
        lang = detect_language(text, norm.words[first:last])
        blocks.append(Block(s, e, first, last, lang, kind, reason))
    blocks = _fallback(norm, _lists(norm, blocks))
    main = _main_language(blocks)
    if main != UNDETERMINED:
        blocks = _short_blocks_in(norm, blocks, main)
        main = _main_language(blocks)
    passages: list[Passage] = []
    for bi, b in enumerate(blocks):
        if b.kind == BOILERPLATE:
            continue
        for s, e in _passages(_sentences(norm, b.first, b.last)):
            passages.append(Passage(bi, s, e))
    return Segmented(norm, tuple(blocks), tuple(passages), main)
