"""Dates, amounts and deadlines as the working group reads them: Italian first, English on request.

Italian: 30/11/2026, 1.500.000 €, "ora non indicata". English: 30/11/2026 too (the group's
partners are European: day first is never ambiguous to them), €1,500,000, "time not given".
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from matcher.normalize.timezones import parse_iso

LANGUAGES = ("it", "en")


def format_date(value: date | datetime | str | None, tz: str = "Europe/Rome") -> str:
    """`30/11/2026` (an instant is read in `tz`); '' for none."""
    if isinstance(value, str):
        value = parse_iso(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(ZoneInfo(tz))
        value = value.date()
    return f"{value:%d/%m/%Y}"


def format_datetime(value: datetime | str | None, tz: str = "Europe/Rome") -> str:
    """`30/11/2026 17:00` in `tz`; '' for none."""
    if isinstance(value, str):
        value = parse_iso(value)
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(tz))
    return f"{value:%d/%m/%Y %H:%M}"


def format_amount(value: float | None, lang: str = "it") -> str:
    """`1.500.000 €` (Italian) or `€1,500,000` (English); cents only when there are some."""
    if value is None:
        return ""
    cents = round(value * 100) % 100 != 0
    grouped = f"{value:,.2f}" if cents else f"{round(value):,}"
    if lang == "en":
        return f"€{grouped}"
    italian = grouped.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return f"{italian} €"


def format_number(value: float, decimals: int = 0, lang: str = "it") -> str:
    """A score or a count: `72` or `72,5` (Italian decimal comma)."""
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def deadline_text(next_deadline: str | None, time_known: bool, tz: str, lang: str = "it") -> str:
    """The next deadline in the source's zone: `30/11/2026 12:00`, or `30/11/2026 (ora non
    indicata)` when the source gave only a date; '' when none is ahead."""
    if not next_deadline:
        return ""
    if time_known:
        return format_datetime(next_deadline, tz)
    missing = "ora non indicata" if lang == "it" else "time not given"
    return f"{format_date(next_deadline, tz)} ({missing})"


def days_left_text(days: int | None, lang: str = "it") -> str:
    """`oggi`, `domani`, `tra 12 giorni` (or English); '' when no deadline is ahead."""
    if days is None:
        return ""
    if lang == "en":
        return {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")
    return {0: "oggi", 1: "domani"}.get(days, f"tra {days} giorni")
