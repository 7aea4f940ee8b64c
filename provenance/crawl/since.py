"""``prov results --since WHEN``: a point in time, from what a person types.

Scan times are stored as ``2026-11-24T08:00:00Z`` (UTC); :func:`parse_since` turns an
ISO date or time, ``today``, ``yesterday`` or an age (``12h``, ``7d``) into that form, so
that comparing the strings compares the times.
"""

from __future__ import annotations

import datetime
import re

_AGE = re.compile(r"(\d+)\s*(m|min|minutes?|h|hours?|d|days?|w|weeks?)", re.I)
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
VALID = "a date or time (2026-11-23, 2026-11-23T08:00), today, yesterday, or an age (12h, 7d)"


def parse_since(value: str, now: datetime.datetime | None = None) -> str:
    """The UTC time ``value`` names, as scan times are stored.

    A date or time without a zone is UTC; ``today`` and ``yesterday`` start at local
    midnight; an age counts back from ``now``.

    Raises:
        ValueError: ``value`` is none of these (the message lists what is accepted).

    >>> parse_since("2026-11-23")
    '2026-11-23T00:00:00Z'
    >>> parse_since("2026-11-23T10:30+02:00")
    '2026-11-23T08:30:00Z'
    """
    now = now or datetime.datetime.now(datetime.UTC)
    text = value.strip().lower()
    when: datetime.datetime
    if text in ("today", "yesterday"):
        local = now.astimezone()
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        when = midnight - datetime.timedelta(days=1 if text == "yesterday" else 0)
    elif m := _AGE.fullmatch(text):
        unit = _UNIT[m.group(2)[0].lower()]
        when = now - datetime.timedelta(**{unit: int(m.group(1))})
    else:
        try:
            when = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is not {VALID}") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.UTC)
    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
