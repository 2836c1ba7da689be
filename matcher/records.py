"""A Call in the `calls --json` shape, with its status and next deadline computed at `now`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from matcher.models import Call, iso_or_none
from matcher.normalize.applicants import applicants
from matcher.status import compute_status, days_to_deadline, next_deadline


def call_to_json(
    call: Call, history: dict[str, Any], now: datetime, *, who_may_apply: bool = True
) -> dict[str, Any]:
    """The `matcher calls --json` object (field names and order as in DESIGN). Reading who may
    apply is the costly part (~0.5 ms a call): tables that do not show it pass
    `who_may_apply=False` and get the row without the applicant fields."""
    upcoming = next_deadline(call, now)
    row = {
        "id": call.id,
        "portal": call.portal,
        "native_id": call.native_id,
        "title": call.title,
        "url": call.url,
        "links": call.links or ([call.url] if call.url else []),
        "aliases": call.aliases,
        "language": call.language,
        "territory": call.territory,
        "programme": call.programme,
        "status": compute_status(call, now),
        "opening": iso_or_none(call.opening),
        "deadlines": [d.isoformat() for d in call.deadlines],
        "deadline_time_known": call.deadline_time_known,
        "next_deadline": iso_or_none(upcoming),
        "days_to_deadline": days_to_deadline(call, now),
        "budget_eur": call.budget_eur,
        "beneficiaries": call.beneficiaries,
        "public_bodies_eligible": call.public_bodies_eligible,
        "summary": call.summary,
        "text": call.text,
        "first_seen": history.get("first_seen"),
        "last_changed": history.get("last_changed"),
        "vanished_at": history.get("vanished_at"),
        # beyond DESIGN's list: what `import` needs to give back the same call
        "kind": call.kind,
        "status_hint": call.status_hint,
        "tz": call.tz,
        "topics": call.topics,
        "source_updated": iso_or_none(call.source_updated),
        "date_issues": call.date_issues,
    }
    if who_may_apply:  # read from the call when it is listed (matcher.normalize.applicants)
        who = applicants(call)
        row.update(applicant_types=list(who.types), applicant_role=who.role,
                   applicant_evidence=list(who.evidence))  # fmt: skip
    return row
