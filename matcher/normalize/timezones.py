"""Time zones and instants: the sources' zones, date-only values as local midnight, ISO parsing."""

from __future__ import annotations

from datetime import date, datetime, time, timezone, tzinfo
from zoneinfo import ZoneInfo

EU_TZ = "Europe/Brussels"
IT_TZ = "Europe/Rome"


def local_midnight(day: date, tz: str) -> datetime:
    """The start of `day` in zone `tz`: how a date-only deadline or opening is stored."""
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(tz))


def parse_iso(value: str | None, default_tz: timezone | None = None) -> datetime | None:
    """Parse ISO 8601 as portals write it (`+0000`, `Z`, `.000`); None for empty input.

    A naive value gets `default_tz` when given, else stays naive for the caller to place.
    """
    if not value or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None and default_tz is not None:
        parsed = parsed.replace(tzinfo=default_tz)
    return parsed


def aware(value: datetime, zone: tzinfo) -> datetime:
    """`value` placed in `zone` when naive, else converted to it."""
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)
