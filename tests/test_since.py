"""``prov results --since``: what a person types, as the stored UTC time."""

from __future__ import annotations

import datetime

import pytest

from provenance.crawl.since import parse_since

NOW = datetime.datetime(2026, 11, 24, 15, 30, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-23", "2026-11-23T00:00:00Z"),
        ("2026-11-23T08:00", "2026-11-23T08:00:00Z"),
        ("2026-11-23T10:30+02:00", "2026-11-23T08:30:00Z"),
        ("2026-11-23T08:00:00Z", "2026-11-23T08:00:00Z"),
        ("12h", "2026-11-24T03:30:05Z"),
        ("7d", "2026-11-17T15:30:05Z"),
        ("2 days", "2026-11-22T15:30:05Z"),
        ("90m", "2026-11-24T14:00:05Z"),
        ("1w", "2026-11-17T15:30:05Z"),
    ],
)
def test_parse_since(value: str, expected: str) -> None:
    assert parse_since(value, NOW) == expected


def test_today_and_yesterday_start_at_local_midnight() -> None:
    midnight = NOW.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    utc = midnight.astimezone(datetime.UTC)
    assert parse_since("today", NOW) == utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    day_before = (midnight - datetime.timedelta(days=1)).astimezone(datetime.UTC)
    assert parse_since("Yesterday", NOW) == day_before.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("value", ["spun", "last week", "", "2026-13-01", "7 fortnights", "-1d"])
def test_parse_since_refuses_the_rest(value: str) -> None:
    with pytest.raises(ValueError, match="is not a date or time"):
        parse_since(value, NOW)
