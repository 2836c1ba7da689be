"""Shortlist rows as the table people read: Italian dates and amounts, words for statuses and
decisions, the "nuovo" marker and each call's own link."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from matcher.app.strings import Text
from matcher.italian import days_left_text, deadline_text, format_amount, format_date
from matcher.normalize.timezones import parse_iso

# Until a weekly job exists, "new" means first seen in the last 7 days.
NEW_DAYS = 7


def is_new(first_seen: str | None, now: datetime, first_run: str | None) -> bool:
    """First seen in the last NEW_DAYS, and after the store's first collection: the calls of a
    new deployment's (or the demo's) first load are not news."""
    seen = parse_iso(first_seen) if first_seen else None
    if seen is None or seen < now - timedelta(days=NEW_DAYS):
        return False
    started = parse_iso(first_run) if first_run else None
    return started is None or seen > started


def call_link(call_id: str) -> str:
    """The call's own page, relative to the app's address (shareable: ?call=<id>)."""
    return f"?call={quote(call_id, safe='')}"


def who_can_apply(row: dict[str, Any], t: Text) -> str:
    eligible = row["public_bodies_eligible"]
    flag = {True: t("pa_yes"), False: t("pa_no")}.get(eligible, "")
    named = ", ".join(row["beneficiaries"][:4])
    return " · ".join(part for part in (flag, named) if part)


def display_rows(
    rows: list[dict[str, Any]], t: Text, now: datetime, first_run: str | None
) -> list[dict[str, Any]]:
    """One dict per row, keyed by the column headers of the reader's language."""
    out = []
    for row in rows:
        out.append({
            t("c_new"): t("new_marker") if is_new(row["first_seen"], now, first_run) else "",
            t("c_rank"): row["rank"],
            t("c_score"): round(float(row["score"]), 1),
            t("c_title"): row["title"],
            t("c_link"): call_link(row["id"]),
            t("c_deadline"): deadline_text(row["next_deadline"], row["deadline_time_known"],
                                           row["tz"], t.lang),
            t("c_days"): days_left_text(row["days_to_deadline"], t.lang),
            t("c_status"): t(f"st_{row['status']}"),
            t("c_portal"): row["portal"],
            t("c_programme"): row["programme"] or "",
            t("c_budget"): format_amount(row["budget_eur"], t.lang),
            t("c_who"): who_can_apply(row, t),
            t("c_territory"): row["territory"] or "",
            t("c_language"): row["language"] or "",
            t("c_decision"): t(f"a_{row['decision']}") if row["decision"] else "",
            t("c_assigned"): row.get("assigned_to") or "",
        })  # fmt: skip
    return out


def closed_rows(rows: list[dict[str, Any]], t: Text) -> list[dict[str, Any]]:
    """The "chiusi di recente" table: when each closed, and its link."""
    return [
        {
            t("c_score"): round(float(row["score"]), 1),
            t("c_title"): row["title"],
            t("c_link"): call_link(row["id"]),
            t("c_portal"): row["portal"],
            t("c_programme"): row["programme"] or "",
            t("c_closed_on"): format_date(_last(row["deadlines"]), row["tz"]),
            t("c_territory"): row["territory"] or "",
        }
        for row in rows
    ]


def _last(deadlines: list[str]) -> datetime | None:
    parsed = [d for d in map(parse_iso, deadlines) if d is not None]
    return max(parsed) if parsed else None
