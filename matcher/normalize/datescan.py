"""Dates written in free text (Italian and English): each day, month and year, with its time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from matcher.normalize.timezones import local_midnight

__all__ = ["Found", "ParsedDate", "scan", "to_parsed"]


@dataclass(frozen=True)
class ParsedDate:
    """An instant read from text; `time_known` is False when only the day was given."""

    at: datetime
    time_known: bool


_MONTHS = {
    "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6,
    "luglio": 7, "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
# Abbreviations count only with a year after them: "3 mar" alone is too ambiguous.
_ABBREV = {
    "gen": 1, "feb": 2, "mar": 3, "apr": 4, "mag": 5, "giu": 6, "lug": 7, "ago": 8, "set": 9,
    "sett": 9, "ott": 10, "nov": 11, "dic": 12, "jan": 1, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "dec": 12,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ABBR_ALT = "|".join(sorted(_ABBREV, key=len, reverse=True))
_ORD = r"(?:\s*[°º]|(?:st|nd|rd|th)\b)?"

_ISO = re.compile(
    r"\b(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)
_NUMERIC = re.compile(r"(?<![\d/.,-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})(?!\d)")
_TEXTUAL = re.compile(
    rf"(?<!\d)(\d{{1,2}}){_ORD}\s+(?:({_MONTH_ALT})\b(?:\s+(\d{{4}})\b)?|({_ABBR_ALT})\.?\s+(\d{{4}})\b)",
    re.IGNORECASE,
)
# "September 15, 2026": any word then checked against the month names (faster than alternation).
_MONTH_FIRST = re.compile(rf"\b([A-Za-z]{{3,9}})\s+(\d{{1,2}}){_ORD},?\s+(\d{{4}})\b")
# "dal 10 al 12 febbraio 2026": the first day borrows month and year from the second.
_DAY_ONLY = re.compile(
    rf"(?<![\d/.,])(\d{{1,2}}){_ORD}(?=\s+(?:al|all['’]|to)\s+\d{{1,2}}{_ORD}\s+(?:{_MONTH_ALT})\b)",
    re.IGNORECASE,
)

_HHMM = r"(\d{1,2})(?:[:.,](\d{2}))?"
_AFTER_TIME = r"\s*(?:\([^)]{0,30}\)\s*)?(?:[ap]\.\s?m\.\s*)?"
# "ore 12.00 del", "alle 17.00 (ora italiana) del", "ore 12 dell'8 gennaio": a time written before
# the day it belongs to.
_TIME_BEFORE = re.compile(
    rf"(?:\b(?:ore|h)\.?\s*{_HHMM}|(?:(?<=\balle )|(?<=\bdalle ))(\d{{1,2}})[:.](\d{{2}}))"
    rf"{_AFTER_TIME}(?:del\s+giorno|dell['’]|del|di|,)?\s*$",
    re.IGNORECASE,
)
# "31/12/2025 ore 13:00", "20/09/2023 alle ore 18.00" - unless that time introduces the next date.
_TIME_AFTER = re.compile(
    rf"\s*,?\s*(?:(?:entro\s+)?(?:alle|le)\s+)?(?:(?:ore|h)\.?\s*{_HHMM}"
    r"|(?<=alle )(\d{1,2})[:.](\d{2})|(\d{1,2}):(\d{2}))"
    rf"(?![:.,]?\d)(?!{_AFTER_TIME}(?:del|dell|di)\b)",
    re.IGNORECASE,
)
# "dalle ore 12.00 alle ore 18.00 del giorno 10 dicembre": a one-day window.
_WINDOW = re.compile(
    rf"\bdalle\s+(?:ore\s+)?{_HHMM}\s+(?:alle|fino\s+alle|entro\s+le)\s*$", re.IGNORECASE
)


@dataclass
class Found:
    """One date phrase of a text, with where it stands; `role` is for the reader to fill in."""

    start: int  # where the date phrase begins, a time written before it included
    end: int
    day: int
    month: int | None
    year: int | None
    hour: int | None = None
    minute: int = 0
    second: int = 0
    tzinfo: tzinfo | None = None  # explicit offset of an ISO timestamp
    has_clock: bool = False  # an ISO timestamp: its time part is final
    window_start: tuple[int, int] | None = None  # (hour, minute) of "dalle ore X alle ore Y del"
    role: str | None = None  # open, close, deadline, pub (matcher.normalize.itdates)


def scan(text: str) -> list[Found]:
    """Every date in `text`, in order, with attached times; yearless ones completed or dropped."""
    found: list[Found] = []

    def add(m: re.Match[str], day: str, month: int | None, year: str | None) -> Found | None:
        if any(m.start() < f.end and f.start < m.end() for f in found):
            return None  # already read by an earlier, more specific pattern
        found.append(Found(m.start(), m.end(), int(day), month, int(year) if year else None))
        return found[-1]

    for m in _ISO.finditer(text):
        f = add(m, m[3], int(m[2]), m[1])
        if f is not None and m[4] is not None:
            f.has_clock = True  # a naive T00:00:00 is how portals write a bare date
            if m[7] or (m[4], m[5], m[6] or "00") != ("00", "00", "00"):
                f.hour, f.minute, f.second = int(m[4]), int(m[5]), int(m[6] or 0)
            if m[7]:
                offset = m[7].replace("Z", "+00:00")
                f.tzinfo = datetime.fromisoformat(f"2000-01-01T00:00:00{offset}").tzinfo
    for m in _NUMERIC.finditer(text):
        add(m, m[1], int(m[3]), m[4])
    for m in _TEXTUAL.finditer(text):
        month = _MONTHS[m[2].lower()] if m[2] else _ABBREV[m[4].lower()]
        add(m, m[1], month, m[3] or m[5])
    for m in _MONTH_FIRST.finditer(text):
        if m[1].lower() in _MONTHS:
            add(m, m[2], _MONTHS[m[1].lower()], m[3])
    for m in _DAY_ONLY.finditer(text):
        add(m, m[1], None, None)
    found.sort(key=lambda f: f.start)
    _complete(found)
    found = [f for f in found if f.year is not None and f.month is not None and _valid(f)]
    _attach_times(text, found)
    return found


def _complete(found: list[Found]) -> None:
    """'dal 1° marzo al 29 novembre 2024': a date without year (or month) takes the next one's."""
    for i in range(len(found) - 1, -1, -1):
        f = found[i]
        if f.year is not None or i + 1 >= len(found):
            continue
        nxt = found[i + 1]
        if nxt.year is None or nxt.month is None or nxt.start - f.end > 60:
            continue
        f.month = f.month or nxt.month
        f.year = nxt.year
        if (f.month, f.day) > (nxt.month, nxt.day):  # "dal 1 dicembre al 31 gennaio 2025"
            f.year -= 1


def _valid(f: Found) -> bool:
    try:
        date(f.year or 0, f.month or 0, f.day)
    except ValueError:
        return False
    return 1900 <= (f.year or 0) <= 2200


def _attach_times(text: str, found: list[Found]) -> None:
    prev_end = 0
    for i, f in enumerate(found):
        if not f.has_clock:
            head = text[max(prev_end, f.start - 60) : f.start]
            m = _TIME_BEFORE.search(head)
            if m and _hour_ok(m[1] or m[3], m[2] or m[4]):
                f.hour, f.minute = int(m[1] or m[3]), int(m[2] or m[4] or 0)
                f.start -= len(head) - m.start()
                lead = text[max(prev_end, f.start - 40) : f.start]
                w = _WINDOW.search(lead)
                if w and _hour_ok(w[1], w[2]):
                    f.window_start = (int(w[1]), int(w[2] or 0))
                    f.start -= len(lead) - w.start()
            else:
                limit = found[i + 1].start if i + 1 < len(found) else len(text)
                m = _TIME_AFTER.match(text, f.end, limit)
                hh, mm = (m[1] or m[3] or m[5], m[2] or m[4] or m[6]) if m else (None, None)
                if m and _hour_ok(hh, mm):
                    f.hour, f.minute = int(hh or 0), int(mm or 0)
                    f.end = m.end()
        prev_end = f.end


def _hour_ok(hour: str | None, minute: str | None) -> bool:
    if hour is None:
        return False
    h, mi = int(hour), int(minute or 0)
    return (h < 24 and mi < 60) or (h == 24 and mi == 0)


def to_parsed(f: Found, tz: str, hm: tuple[int, int] | None = None) -> ParsedDate:
    """The instant of `f` in zone `tz` (or at `hm` that day); local midnight without a time."""
    day = date(f.year or 0, f.month or 0, f.day)
    hour, minute, second = (*hm, 0) if hm else (f.hour, f.minute, f.second)
    if hour is None:
        return ParsedDate(local_midnight(day, tz), False)
    at = datetime.combine(day, time(hour % 24, minute, second), tzinfo=f.tzinfo or ZoneInfo(tz))
    # "entro le ore 24:00 del 15 marzo" is the first instant of the 16th
    return ParsedDate(at + timedelta(days=1) if hour == 24 else at, True)
