"""Time zones and instants: the sources' zones, date-only values as local midnight, ISO parsing."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from matcher.normalize.plausible import unreadable

log = logging.getLogger(__name__)

EU_TZ = "Europe/Brussels"
IT_TZ = "Europe/Rome"


def local_midnight(day: date, tz: str) -> datetime:
    """The start of `day` in zone `tz`: how a date-only deadline or opening is stored."""
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(tz))


def parse_iso(value: str | None, default_tz: tzinfo | None = None) -> datetime | None:
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


def instant(
    value: object,
    zone: tzinfo,
    where: str,
    field: str,
    issues: list[str] | None = None,
    label: str = "",
) -> datetime | None:
    """A portal's ISO 8601 value as an aware instant: naive (a bare date too) is local time in
    `zone`, an offset is kept. None when empty, or when unreadable: logged, naming the item
    (`where`) and the `field`, so one bad value never costs the call; with `issues` (a call's
    date issues) and `label` (plausible.DEADLINE or OPENING), noted there too."""
    try:
        return parse_iso(None if value is None else str(value), zone)
    except ValueError:
        log.warning("%s: unreadable %s %r; left empty", where, field, value)
        if issues is not None:
            issues.append(unreadable(label or field, value))
        return None


def aware(value: datetime, zone: tzinfo) -> datetime:
    """`value` placed in `zone` when naive, else converted to it."""
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)
