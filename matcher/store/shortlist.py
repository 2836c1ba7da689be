"""The shortlist as read: one join of a theme's stored scores with the calls, and its filters.

The rules of what may be listed live here, once, for the CLI, the app and the digests: only
funding calls (kind "call") that are still published, not merged into another portal's copy,
open to the applicant's territory, not rejected by the group for the theme, and whose status
(computed at `now`) is among the wanted ones, with at least the minimum score.

The minimum score readers apply by default is where the ranking's "alta pertinenza" starts
(matcher.ranking.model_files.default_min_score).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from matcher.models import Call
from matcher.normalize.plausible import plausible_dates
from matcher.normalize.timezones import parse_iso
from matcher.status import compute_status, days_to_deadline, next_deadline
from matcher.store.db import query
from matcher.store.ranking import whole_explanation
from matcher.store.reviews import DECISIONS

# Calls still worth applying for; closed and unknown (no usable dates) only when asked for.
LISTED_STATUSES = frozenset({"open", "forthcoming", "open_ended"})
# "Chiusi di recente: prossime edizioni": calls that closed this many days before `now` at most.
RECENTLY_CLOSED_DAYS = 365


@dataclass(frozen=True)
class ShortlistFilters:
    """What a reader narrows the list to; the defaults give the plain shortlist."""

    statuses: frozenset[str] = LISTED_STATUSES
    min_score: float = 0.0  # readers pass the ranking's default (ranking.model_files)
    portals: frozenset[str] = frozenset()
    programmes: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    territory: str = ""  # one of the call's territories (e.g. "Emilia-Romagna")
    public_bodies_only: bool = False  # only calls that say public bodies may apply
    deadline_from: date | None = None  # next deadline on or after this day
    deadline_to: date | None = None  # next deadline on or before this day
    text: str = ""  # words in the title, summary or programme
    include_rejected: bool = False
    sort: str = "score"  # score | deadline
    limit: int | None = None
    # > 0: only calls whose last deadline passed at most this many days before `now` (the
    # "chiusi di recente" section: a regular call's next edition is likely), whatever `statuses`.
    closed_within_days: int = 0


# The latest decision (notes and assignments are not decisions) and the latest assignment of
# each call for the theme; SQLite takes the bare column from the row of MAX(r.id).
_SQL = f"""
WITH decided AS (
    SELECT COALESCE(m.merged_into, r.call_id) AS call_id, r.decision AS decision, MAX(r.id)
    FROM reviews r LEFT JOIN calls m ON m.id = r.call_id
    WHERE r.theme = :theme AND r.decision IN ({", ".join(repr(d) for d in DECISIONS)})
    GROUP BY COALESCE(m.merged_into, r.call_id)
), assigned AS (
    SELECT COALESCE(m.merged_into, r.call_id) AS call_id, r.note AS partner, MAX(r.id)
    FROM reviews r LEFT JOIN calls m ON m.id = r.call_id
    WHERE r.theme = :theme AND r.decision = 'assign' GROUP BY COALESCE(m.merged_into, r.call_id)
)
SELECT c.id, c.portal, c.native_id, c.title, c.url, c.summary, c.programme, c.language,
       c.territory, c.opening, c.deadlines, c.deadline_time_known, c.tz, c.status_hint,
       c.budget_eur, c.beneficiaries, c.public_bodies_eligible, c.first_seen,
       s.score, s.explanation, f.shown, d.decision, a.partner
FROM scores s JOIN calls c ON c.id = s.call_id LEFT JOIN decided d ON d.call_id = c.id
     LEFT JOIN assigned a ON a.call_id = c.id
     LEFT JOIN rankings g ON g.theme = s.theme AND g.ranking_key = s.ranking_key
     LEFT JOIN features f ON f.call_id = s.call_id AND f.theme = s.theme
                          AND f.embedder = g.embedder
WHERE s.theme = :theme AND s.ranking_key = :key AND s.applicable = 1 AND s.score >= :min_score
  AND c.kind = 'call' AND c.vanished_at IS NULL AND c.merged_into IS NULL
"""


def shortlist_rows(
    db: sqlite_utils.Database,
    theme: str,
    ranking_key: str,
    now: datetime,
    filters: ShortlistFilters | None = None,
) -> list[dict[str, Any]]:
    """The listed calls of a theme, best first (or by deadline), numbered from 1.

    Each row has the `shortlist --json` fields first (id, theme, rank, score, title, url, status,
    next_deadline, days_to_deadline, language, territory, explanation), then what a reader
    shows besides: portal, programme, budget, beneficiaries, time zone, first seen, decision.
    """
    filters = filters or ShortlistFilters()
    params: dict[str, object] = {"theme": theme, "key": ranking_key, "min_score": filters.min_score}
    found = []
    for row in query(db, _SQL, params):
        if row["decision"] == "reject" and not filters.include_rejected:
            continue
        call = _dated_call(row)
        status = compute_status(call, now)
        upcoming = next_deadline(call, now)
        if filters.closed_within_days:
            if not _recently_closed(call, status, now, filters.closed_within_days):
                continue
        elif status not in filters.statuses:
            continue
        if not _wanted(row, upcoming, filters):
            continue
        found.append((row, call, status, upcoming))
    if filters.sort == "deadline":
        found.sort(key=lambda f: (f[3] is None, f[3] or now, -f[0]["score"], f[0]["id"]))
    else:
        found.sort(key=lambda f: (-f[0]["score"], f[3] is None, f[3] or now, f[0]["id"]))
    return [
        _output(theme, position, row, call, status, upcoming, now)
        for position, (row, call, status, upcoming) in enumerate(found[: filters.limit], 1)
    ]


def _dated_call(row: dict[str, Any]) -> Call:
    """Just what status and deadlines are computed from."""
    return plausible_dates(
        Call(
            portal=row["portal"],
            native_id=row["native_id"],
            title=row["title"],
            opening=parse_iso(row["opening"]),
            deadlines=[d for d in map(parse_iso, json.loads(row["deadlines"] or "[]")) if d],
            deadline_time_known=bool(row["deadline_time_known"]),
            tz=row["tz"] or "Europe/Brussels",
            status_hint=row["status_hint"],
        )
    )


def _recently_closed(call: Call, status: str, now: datetime, days: int) -> bool:
    return (
        status == "closed"
        and bool(call.deadlines)
        and max(call.deadlines) >= now - timedelta(days=days)
    )


def _wanted(row: dict[str, Any], upcoming: datetime | None, f: ShortlistFilters) -> bool:
    if f.portals and row["portal"] not in f.portals:
        return False
    if f.programmes and row["programme"] not in f.programmes:
        return False
    if f.languages and row["language"] not in f.languages:
        return False
    if f.territory and f.territory not in [p.strip() for p in (row["territory"] or "").split(",")]:
        return False
    if f.public_bodies_only and row["public_bodies_eligible"] != 1:
        return False
    if f.deadline_from or f.deadline_to:
        if upcoming is None:
            return False
        day = upcoming.astimezone(ZoneInfo(row["tz"] or "Europe/Brussels")).date()
        if (f.deadline_from and day < f.deadline_from) or (f.deadline_to and day > f.deadline_to):
            return False
    if f.text:
        haystack = " ".join((row["title"], row["summary"] or "", row["programme"] or ""))
        if not all(word in haystack.casefold() for word in f.text.casefold().split()):
            return False
    return True


def _output(
    theme: str,
    position: int,
    row: dict[str, Any],
    call: Call,
    status: str,
    upcoming: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    explanation = whole_explanation(row["explanation"], row["shown"])
    eligible = row["public_bodies_eligible"]
    return {
        "id": row["id"],
        "theme": theme,
        "rank": position,
        "score": row["score"],
        "title": row["title"],
        "url": row["url"],
        "status": status,
        "next_deadline": upcoming.isoformat() if upcoming else None,
        "days_to_deadline": days_to_deadline(call, now),
        "language": row["language"],
        "territory": row["territory"],
        "explanation": explanation,
        "portal": row["portal"],
        "programme": row["programme"],
        "budget_eur": row["budget_eur"],
        "beneficiaries": json.loads(row["beneficiaries"] or "[]"),
        "public_bodies_eligible": None if eligible is None else bool(eligible),
        "deadline_time_known": call.deadline_time_known,
        "tz": call.tz,
        "first_seen": row["first_seen"],
        "decision": row["decision"],
        "assigned_to": row["partner"],
        "deadlines": [d.isoformat() for d in call.deadlines],
    }
