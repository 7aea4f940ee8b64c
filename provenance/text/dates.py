"""Dates of a document: its datelines, its "Published" line, and which of two is older.

Pure functions over text. A *dateline* is the line that opens a news item with its date
and place ("June 28, 2021 : Ottawa, Ontario – Global Affairs Canada", "ROME, 28 June
2021 –"); the capitalised words in it are not names the story is about. A document's
date is, by preference, a "Published"/"Posted"/"Date" line, then a dateline, then a line
that is only a date or a heading that ends with one, near the top.

>>> document_date("Published: 4 June 2020\\n\\nThe Ministers met.")
DocumentDate(date=datetime.date(2020, 6, 4), how='published line')
>>> dateline_spans("Recalling 2254. June 28, 2021 : Ottawa – Global Affairs Canada Recognizing")
((16, 74),)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH}),?\s+(?P<y2>\d{{4}})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2}))"
)
DATE_RE = re.compile(_DATE, re.IGNORECASE)
# A date (after an optional capitalised place and comma) followed by a separator and a
# run of capitalised words, commas, dashes: "June 28, 2021 : Ottawa, Ontario – Global
# Affairs Canada"; or a capitalised place, a date and a dash: "ROME, June 28 (AP) –".
_DATELINE_RE = re.compile(
    rf"(?:^|(?<=[.!?]\s)|(?<=\n))"
    rf"(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){{0,3}},?\s+)?{_DATE}"
    r"(?:\s*\([^)\n]{1,30}\))?\s*[:–—-]\s*"
    r"(?:[A-Z][\w.'’-]*(?:(?:\s*[,–—-]\s*|\s+)[A-Z][\w.'’-]*){0,7})?"
)
_PUBLISHED_RE = re.compile(
    rf"(?im)^\s*(?:first\s+)?(?:published|posted|date[d]?|issued|released|last\s+updated|"
    rf"updated)\b[^\n]{{0,24}}?{_DATE}"
)
_DATE_LINE_RE = re.compile(rf"(?im)^[^\S\n]*(?:\w+day,?\s+)?{_DATE}[^\S\n]*$")
_HEADING_DATE_RE = re.compile(rf"(?m)^[^\n]{{8,200}}?\s{_DATE}[^\S\n]*$")
#: How far from the top a date line or a dated heading counts as the document's date.
TOP_CHARS = 3000


@dataclass(frozen=True, slots=True)
class DocumentDate:
    """A document's date and how it was found ("published line", "dateline", "date
    line", "heading", "given")."""

    date: date
    how: str


def _date_of(m: re.Match[str]) -> date | None:
    g = m.groupdict()
    try:
        if g.get("y1"):
            return date(int(g["y1"]), _MONTHS[g["m1"].lower()[:3]], int(g["d1"]))
        if g.get("y2"):
            return date(int(g["y2"]), _MONTHS[g["m2"].lower()[:3]], int(g["d2"]))
        if g.get("y3"):
            return date(int(g["y3"]), int(g["m3"]), int(g["d3"]))
    except (ValueError, KeyError):
        return None  # "February 30, 2021": not a date
    return None


@lru_cache(maxsize=16)
def dateline_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Character spans of the datelines in ``text``."""
    return tuple(m.span() for m in _DATELINE_RE.finditer(text) if _date_of(m))


@lru_cache(maxsize=16)
def document_date(text: str) -> DocumentDate | None:
    """The date the document gives itself, or None (see the module docstring)."""
    for pattern, how, limit in (
        (_PUBLISHED_RE, "published line", len(text)),
        (_DATELINE_RE, "dateline", len(text)),
        (_DATE_LINE_RE, "date line", TOP_CHARS),
        (_HEADING_DATE_RE, "heading", TOP_CHARS),
    ):
        for m in pattern.finditer(text, 0, limit):
            found = _date_of(m)
            if found:
                return DocumentDate(found, how)
    return None


def parse_date(value: str) -> date:
    """A date given by a user: ISO ``2021-06-28`` or ``June 28, 2021`` / ``28 June 2021``.

    Raises:
        ValueError: with a message saying the accepted forms.
    """
    m = DATE_RE.fullmatch(value.strip())
    found = _date_of(m) if m else None
    if found is None:
        raise ValueError(f"not a date: {value!r} (use 2021-06-28 or June 28, 2021)")
    return found


@dataclass(frozen=True, slots=True)
class Direction:
    """Which of two texts is older, by the dates they carry.

    ``older`` is ``source``, ``copy`` or ``same``; None when either has no date.
    """

    source: DocumentDate | None
    copy: DocumentDate | None

    @property
    def older(self) -> str | None:
        if self.source is None or self.copy is None:
            return None
        if self.source.date == self.copy.date:
            return "same"
        return "source" if self.source.date < self.copy.date else "copy"

    def describe(self, altered: bool = True) -> str:
        """One or two sentences for the reports ("" when the direction is unknown);
        ``altered``: the copy differs from the source."""
        if self.source is None or self.copy is None:
            return ""
        s, c = self.source, self.copy
        dates = (
            f"the source is dated {s.date.isoformat()} ({s.how}), "
            f"the copy {c.date.isoformat()} ({c.how})"
        )
        if self.older == "same":
            return f"Both texts carry the same date: {dates}."
        if self.older == "source":
            return f"The source is older: {dates}."
        then = " and the differences listed would be the source's changes to it" if altered else ""
        return f"The copy is older than the source: {dates}. The copy may be the original{then}."


def bounded(d: Direction, existed_by: date | None) -> str | None:
    """Which text is older (``Direction.older``) when the copy's text carries no date
    but its record does (a crawl's WARC-Date): the copy existed by ``existed_by``, so it
    is older when the source is dated after that; otherwise nothing is known."""
    if d.copy is not None or d.source is None or existed_by is None:
        return d.older
    return "copy" if d.source.date > existed_by else None


def direction(
    source_text: str,
    copy_text: str,
    source_date: date | None = None,
    copy_date: date | None = None,
) -> Direction:
    """The dates of both texts (given ones first, else found in the text)."""
    s = DocumentDate(source_date, "given") if source_date else document_date(source_text)
    c = DocumentDate(copy_date, "given") if copy_date else document_date(copy_text)
    return Direction(s, c)
