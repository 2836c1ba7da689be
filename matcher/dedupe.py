"""The same call seen by two portals: one id survives, the others become its aliases."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from matcher.models import Call
from matcher.normalize.ids import normalize_title
from matcher.store import load_calls, set_merged

MIN_TITLE_WORDS = 3
DAY = timedelta(days=1)
LAST = 1_000  # the priority of a source that is not a portal (imports)


def find_duplicates(calls: list[Call], priority: dict[str, int]) -> dict[str, str]:
    """Map each duplicate's id to the id of the call that survives.

    Two calls from different portals are the same when their normalised titles are equal and
    their dates do not disagree, or when their titles share nearly all their words and numbers
    and they close on the same day. Yearly editions share a title but not their dates or year,
    so they stay apart. A surviving call absorbs at most one copy per portal: lots of one call
    listed separately by a portal stay separate. `priority` says which portal's record
    survives (lower first: the body that owns the call before the aggregators).
    """
    candidates = [c for c in calls if c.kind == "call" and len(_words(c.title)) >= MIN_TITLE_WORDS]
    merged: dict[str, str] = {}
    # A call imported with aliases already holds those portals' copies (unless a copy is itself
    # among the calls, and so merges as usual).
    present = {call.id for call in calls}
    absorbed: dict[str, set[str]] = defaultdict(set)
    for call in candidates:
        absorbed[call.id] |= {a.split(":", 1)[0] for a in call.aliases if a not in present}
    by_title: dict[str, list[Call]] = defaultdict(list)
    by_day: dict[date, list[Call]] = defaultdict(list)
    order = sorted(candidates, key=lambda c: (priority.get(c.portal, LAST), -len(c.text), c.id))
    for call in order:
        twin = _find_twin(call, by_title, by_day, absorbed)
        if twin is None:
            by_title[normalize_title(call.title)].append(call)
            for day in _days(call.deadlines, call.tz):
                by_day[day].append(call)
        else:
            merged[call.id] = twin.id
            absorbed[twin.id].add(call.portal)
    return merged


def _find_twin(
    call: Call,
    by_title: dict[str, list[Call]],
    by_day: dict[date, list[Call]],
    absorbed: dict[str, set[str]],
) -> Call | None:
    def free(other: Call) -> bool:
        return other.portal != call.portal and call.portal not in absorbed[other.id]

    for other in by_title.get(normalize_title(call.title), []):
        if free(other) and _dates_agree(other, call):
            return other
    seen: set[str] = set()
    for day in _days(call.deadlines, call.tz):
        for other in by_day.get(day, []):
            if other.id not in seen and free(other) and _similar_titles(other.title, call.title):
                return other
            seen.add(other.id)
    return None


_GENERIC = frozenset(
    "avviso avvisi bando bandi misura adozione pubblico per del della delle dei degli alla "
    "alle and the for call open".split()
)  # words every call title may carry: no evidence of sameness
SIMILARITY = 0.8


def _words(title: str) -> set[str]:
    return {w for w in normalize_title(title).split() if w.isalpha() and len(w) > 2} - _GENERIC


def _numbers(title: str) -> set[str]:
    return {w for w in normalize_title(title).split() if w.isdigit()}


def _similar_titles(a: str, b: str) -> bool:
    words_a, words_b = _words(a), _words(b)
    smaller = min(len(words_a), len(words_b))
    if smaller < MIN_TITLE_WORDS or len(words_a & words_b) / smaller < SIMILARITY:
        return False
    numbers_a, numbers_b = _numbers(a), _numbers(b)
    return numbers_a <= numbers_b or numbers_b <= numbers_a


def _dates_agree(a: Call, b: Call) -> bool:
    for first, second in ((a, b), (b, a)):
        # an edition that opens after the other one closed is the next edition
        if first.opening and second.deadlines and first.opening > max(second.deadlines) + DAY:
            return False
    if a.deadlines and b.deadlines:
        return bool(_days(a.deadlines, a.tz) & _days(b.deadlines, b.tz))
    if a.opening and b.opening:
        return _near(_day(a.opening, a.tz), _day(b.opening, b.tz))
    return True


def _days(instants: list[datetime], tz: str) -> set[date]:
    days = set()
    for instant in instants:
        day = _day(instant, tz)
        days |= {day.fromordinal(day.toordinal() + delta) for delta in (-1, 0, 1)}
    return days


def _day(instant: datetime, tz: str) -> date:
    return instant.astimezone(ZoneInfo(tz)).date()


def _near(a: date, b: date) -> bool:
    return abs(a.toordinal() - b.toordinal()) <= 1


def apply_dedupe(db: sqlite_utils.Database, priority: dict[str, int]) -> int:
    """Recompute which stored calls are duplicates (one transaction); returns how many."""
    calls = [call for call, history in load_calls(db, include_merged=True, with_copies=False)
             if history["vanished_at"] is None]  # fmt: skip
    merged = find_duplicates(calls, priority)
    set_merged(db, merged)
    return len(merged)
