from __future__ import annotations

from datetime import date

import pytest

from provenance.text.dates import (
    Direction,
    DocumentDate,
    bounded,
    dateline_spans,
    direction,
    document_date,
    parse_date,
)

BODY = "The council met on Tuesday and approved the plan by seven votes to two."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Published: 4 June 2020\n\n{BODY}", DocumentDate(date(2020, 6, 4), "published line")),
        (
            f"Council backs plan\nPosted on March 3, 2021 by staff\n{BODY}",
            DocumentDate(date(2021, 3, 3), "published line"),
        ),
        (f"Last updated 2022-01-09\n{BODY}", DocumentDate(date(2022, 1, 9), "published line")),
        (
            f"June 28, 2021 : Ottawa, Ontario – Global Affairs Canada\n{BODY}",
            DocumentDate(date(2021, 6, 28), "dateline"),
        ),
        (f"ROME, 28 June 2021 – {BODY}", DocumentDate(date(2021, 6, 28), "dateline")),
        (
            f"Council backs plan\n\nJune 4, 2020\n\n{BODY}",
            DocumentDate(date(2020, 6, 4), "date line"),
        ),
        (
            f"Joint statement of the ministers June 4, 2020\n\n{BODY}",
            DocumentDate(date(2020, 6, 4), "heading"),
        ),
        (f"{BODY} The plan was first drafted on February 6, 2019, and revised.", None),
        (f"Published: February 30, 2021\n{BODY}", None),
        (BODY, None),
    ],
)
def test_document_date(text: str, expected: DocumentDate | None) -> None:
    assert document_date(text) == expected


def test_a_dateline_inside_a_paragraph_is_found_with_its_place_and_issuer() -> None:
    text = "under Resolution 2254. June 28, 2021 : Ottawa, Ontario – Global Affairs Canada Recognizing the"
    ((a, b),) = dateline_spans(text)
    assert text[a:b].startswith("June 28, 2021 : Ottawa, Ontario – Global Affairs Canada")
    assert dateline_spans(BODY + " On June 28, 2021 the council met.") == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-06-28", date(2021, 6, 28)),
        ("June 28, 2021", date(2021, 6, 28)),
        ("28 Sept 2021", date(2021, 9, 28)),
    ],
)
def test_parse_date(value: str, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2021-13-01", "yesterday", "", "June 2021"])
def test_parse_date_refuses_what_is_not_a_date(value: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(value)


def test_direction() -> None:
    old, new = f"Published: 4 June 2020\n{BODY}", f"Published: 9 June 2020\n{BODY}"
    assert direction(old, new).older == "source"
    assert direction(new, old).older == "copy"
    assert "the copy may be the original" in direction(new, old).describe().lower()
    assert direction(old, old).older == "same"
    assert direction(BODY, new).older is None
    assert direction(BODY, new).describe() == ""
    given = direction(BODY, new, source_date=date(2020, 6, 10))
    assert given == Direction(
        DocumentDate(date(2020, 6, 10), "given"), DocumentDate(date(2020, 6, 9), "published line")
    )
    assert given.older == "copy"


def _d(when: str | None, how: str = "published line") -> DocumentDate | None:
    return DocumentDate(date.fromisoformat(when), how) if when else None


@pytest.mark.parametrize(
    ("source", "copy", "existed_by", "older"),
    [
        # the copy's text carries a date: compared both ways, the record date unused
        ("2021-06-04", "2021-03-01", date(2030, 1, 1), "copy"),
        ("2021-06-04", "2021-07-09", date(2000, 1, 1), "source"),
        ("2021-06-04", "2021-06-04", None, "same"),
        # only the record's date: the copy existed by then
        ("2021-06-04", None, date(2021, 5, 1), "copy"),
        ("2021-06-04", None, date(2021, 6, 4), None),  # the same day: either may be first
        ("2021-06-04", None, date(2021, 8, 1), None),  # it may have been published before
        ("2021-06-04", None, None, None),
        (None, "2021-03-01", date(2021, 1, 1), None),
        (None, None, date(2021, 1, 1), None),
    ],
)
def test_a_record_date_bounds_the_copy(
    source: str | None, copy: str | None, existed_by: date | None, older: str | None
) -> None:
    assert bounded(Direction(_d(source), _d(copy)), existed_by) == older
