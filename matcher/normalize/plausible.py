"""Dates that cannot be right are kept out of a call's status and said out loud instead."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from matcher.models import Call

# A funding call opens or closes in this window; anything else is a typo or a placeholder
# (9999-12-31), and such a date would also break date arithmetic (year 10000).
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2101, 1, 1, tzinfo=UTC)
OUTSIDE = "fuori dall'intervallo plausibile (1990-2100)"
UNREADABLE = "non leggibile"
DEADLINE, OPENING = "scadenza", "apertura"


def unreadable(label: str, value: object) -> str:
    """The date issue of a value the source gave for a date that cannot be read as one
    (`label`: DEADLINE or OPENING)."""
    shown = " ".join(str(value).split())
    return f"{label} «{shown[:40]}» {UNREADABLE}"


def keep_readable_dates(call: Call, stored: Call) -> Call:
    """The call with the stored deadlines (or opening) in place of the ones its source gave
    unreadably: a value that cannot be read never erases one that could."""
    changes: dict[str, object] = {}
    if not call.deadlines and stored.deadlines and _has_unreadable(call, DEADLINE):
        changes.update(deadlines=stored.deadlines, deadline_time_known=stored.deadline_time_known)
    if call.opening is None and stored.opening is not None and _has_unreadable(call, OPENING):
        changes["opening"] = stored.opening
    return replace(call, **changes) if changes else call  # type: ignore[arg-type]


def _has_unreadable(call: Call, label: str) -> bool:
    return any(i.startswith(f"{label} «") and i.endswith(UNREADABLE) for i in call.date_issues)


def plausible_dates(call: Call) -> Call:
    """The call with implausible opening and deadlines moved to `date_issues` (Italian lines).

    Out of the window: that date alone. A deadline before the opening: both, since which one is
    wrong cannot be told; the call then reads "unknown" until the source is corrected.
    """
    issues = list(call.date_issues)
    opening = call.opening
    if opening is not None and not _in_window(opening):
        issues.append(f"{OPENING} {_day(opening, call.tz)} {OUTSIDE}")
        opening = None
    deadlines = []
    for deadline in call.deadlines:
        if not _in_window(deadline):
            issues.append(f"{DEADLINE} {_day(deadline, call.tz)} {OUTSIDE}")
        else:
            deadlines.append(deadline)
    early = [d for d in deadlines if opening is not None and d < opening]
    if early and opening is not None:
        for deadline in early:
            issues.append(f"{DEADLINE} {_day(deadline, call.tz)} precedente all'{OPENING} "
                          f"{_day(opening, call.tz)}")  # fmt: skip
        deadlines = [d for d in deadlines if d not in early]
        opening = None
    if issues == call.date_issues:
        return call
    return replace(
        call, opening=opening, deadlines=deadlines, date_issues=list(dict.fromkeys(issues))
    )


def _in_window(value: datetime) -> bool:
    return EARLIEST <= value < LATEST


def _day(value: datetime, tz: str) -> str:
    try:
        return value.astimezone(ZoneInfo(tz)).date().isoformat()
    except (OverflowError, ValueError):  # at the ends of the calendar a zone shift overflows
        return value.date().isoformat()
