"""A Call as a row of the `calls` table and back (history columns are the store's business)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from matcher.models import Call
from matcher.normalize.plausible import plausible_dates
from matcher.normalize.timezones import parse_iso

_JSON_LIST_FIELDS = ("links", "aliases", "beneficiaries", "topics", "date_issues")
CALL_COLUMNS = (
    "portal", "native_id", "title", "url", "links", "aliases", "language", "territory",
    "programme", "opening", "deadlines", "deadline_time_known", "tz", "status_hint",
    "budget_eur", "beneficiaries", "public_bodies_eligible", "topics", "summary", "text",
    "kind", "source_updated", "date_issues",
)  # fmt: skip


def call_to_row(call: Call) -> dict[str, Any]:
    """The `calls` table columns for a call (history columns are the store's business)."""
    row: dict[str, Any] = {"id": call.id}
    for name in CALL_COLUMNS:
        value = getattr(call, name)
        if name in _JSON_LIST_FIELDS:
            value = json.dumps(value, ensure_ascii=False)
        elif name == "deadlines":
            value = json.dumps([d.isoformat() for d in value])
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, bool):
            value = int(value)
        row[name] = value
    row["content_hash"] = call.content_hash
    return row


def row_to_call(row: dict[str, Any]) -> Call:
    """The inverse of call_to_row (a row written before dates were checked is checked now)."""
    eligible = row["public_bodies_eligible"]
    call = Call(
        portal=row["portal"],
        native_id=row["native_id"],
        title=row["title"],
        url=row["url"] or "",
        summary=row["summary"] or "",
        text=row["text"] or "",
        language=row["language"] or "",
        territory=row["territory"] or "",
        programme=row["programme"] or "",
        opening=parse_iso(row["opening"]),
        deadlines=[_aware(d) for d in json.loads(row["deadlines"] or "[]")],
        deadline_time_known=bool(row["deadline_time_known"]),
        tz=row["tz"] or "Europe/Brussels",
        status_hint=row["status_hint"],
        budget_eur=row["budget_eur"],
        beneficiaries=json.loads(row["beneficiaries"] or "[]"),
        public_bodies_eligible=None if eligible is None else bool(eligible),
        topics=json.loads(row["topics"] or "[]"),
        links=json.loads(row["links"] or "[]"),
        aliases=json.loads(row["aliases"] or "[]"),
        kind=row["kind"] or "call",
        source_updated=parse_iso(row["source_updated"]),
        date_issues=json.loads(row.get("date_issues") or "[]"),
    )
    return plausible_dates(call)


def _aware(value: str) -> datetime:
    parsed = parse_iso(value)
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"stored deadline without a time zone: {value!r}")
    return parsed
