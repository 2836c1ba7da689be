"""Status and deadlines computed when read, from `now`: never frozen at scrape time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from matcher.errors import MatcherError
from matcher.models import Call
from matcher.normalize.timezones import local_midnight


def deadline_end(deadline: datetime, time_known: bool, tz: str) -> datetime:
    """The instant after which applications are no longer accepted.

    A date-only deadline is open until the end of that day in the source's zone.
    """
    if time_known:
        return deadline
    day = deadline.astimezone(ZoneInfo(tz)).date()
    return local_midnight(day + timedelta(days=1), tz)


def future_deadlines(call: Call, now: datetime) -> list[datetime]:
    """Deadlines not yet passed at `now`, earliest first."""
    return sorted(
        d for d in call.deadlines if deadline_end(d, call.deadline_time_known, call.tz) > now
    )


def compute_status(call: Call, now: datetime) -> str:
    """One of forthcoming, open, open_ended, closed, unknown (see DESIGN: Status)."""
    _require_aware(now)
    # Dates decide: a source's label ("In corso", "Chiuso") was true when the page was read,
    # so it speaks only for a call without usable dates.
    if call.opening is not None and call.opening > now:
        return "forthcoming"
    if call.deadlines:
        return "open" if future_deadlines(call, now) else "closed"
    if call.status_hint in ("closed", "open_ended"):
        return call.status_hint
    return "unknown"


def next_deadline(call: Call, now: datetime) -> datetime | None:
    """The earliest deadline still ahead, or None."""
    upcoming = future_deadlines(call, now)
    return upcoming[0] if upcoming else None


def days_to_deadline(call: Call, now: datetime) -> int | None:
    """Calendar days, in the source's zone, from today to the day the next deadline closes
    (0 = closes today, 1 = tomorrow); None when no deadline is ahead."""
    upcoming = next_deadline(call, now)
    if upcoming is None:
        return None
    zone = ZoneInfo(call.tz)
    closing_day = upcoming.astimezone(zone).date()
    return max(0, (closing_day - now.astimezone(zone).date()).days)


def parse_now(value: str | None) -> datetime:
    """`--now` as given (ISO 8601; naive means UTC), or the current time."""
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MatcherError(f"--now {value!r} is not an ISO 8601 date or time") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
