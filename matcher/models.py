"""Plain records that flow from the scrapers to the store: Call and ScrapeResult."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

# What a listed item is. Only "call" items may reach a shortlist; the rest are kept so that a
# user can see why something was left out.
KINDS = ("call", "procurement", "recruitment", "news", "register")

# Source hints about the state of applications, used when dates alone cannot tell.
# "closed": the source says applications are closed (Plone "In corso", "Chiuso").
# "open_ended": rolling or "fino a esaurimento fondi": open while funds last, no deadline.
STATUS_HINTS = ("closed", "open_ended")

STATUSES = ("forthcoming", "open", "open_ended", "closed", "unknown")
# What a reader sees for each status, by language: the app, the digests and the terminal.
STATUS_LABELS: dict[str, dict[str, str]] = {
    "it": {"open": "aperto", "forthcoming": "in arrivo", "open_ended": "sempre aperto",
           "closed": "chiuso", "unknown": "date non note"},
    "en": {"open": "open", "forthcoming": "forthcoming", "open_ended": "open-ended",
           "closed": "closed", "unknown": "dates unknown"},
}  # fmt: skip


@dataclass
class Call:
    """A funding call, normalised. Dates are timezone-aware; status is never stored here."""

    portal: str
    native_id: str
    title: str
    url: str = ""
    summary: str = ""
    text: str = ""
    language: str = "en"
    territory: str = "EU"
    programme: str = ""
    opening: datetime | None = None
    deadlines: list[datetime] = field(default_factory=list)
    # False when the source gave only dates: each deadline then holds local midnight of that day
    # in `tz`, and counts as open until the end of that day.
    deadline_time_known: bool = True
    tz: str = "Europe/Brussels"
    status_hint: str | None = None
    budget_eur: float | None = None
    beneficiaries: list[str] = field(default_factory=list)
    public_bodies_eligible: bool | None = None
    topics: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    kind: str = "call"
    source_updated: datetime | None = None
    # Dates the source gave that cannot be right (year 9999, a deadline before the opening): kept
    # out of `opening` and `deadlines`, so out of the status, and shown to readers as a warning.
    date_issues: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.portal}:{self.native_id}"

    @property
    def content_hash(self) -> str:
        """Hash of what a reader sees: changes when the call changes, not when we re-read it.

        Links and aliases are left out: they also gather the copies other portals publish, and
        a new source link is not a change of the call (the store still records them).
        """
        payload = {
            "title": self.title,
            "url": self.url,
            "summary": self.summary,
            "text": self.text,
            "language": self.language,
            "territory": self.territory,
            "programme": self.programme,
            "opening": iso_or_none(self.opening),
            "deadlines": [iso_or_none(d) for d in self.deadlines],
            "deadline_time_known": self.deadline_time_known,
            "status_hint": self.status_hint,
            "budget_eur": self.budget_eur,
            "beneficiaries": self.beneficiaries,
            "public_bodies_eligible": self.public_bodies_eligible,
            "topics": self.topics,
            "kind": self.kind,
        }
        if self.date_issues:  # only when present, so older hashes stay valid
            payload["date_issues"] = self.date_issues
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


@dataclass
class ScrapeResult:
    """What one portal returned in one run.

    `complete` is true only when the whole listing was read; `errors` are one-line messages that
    name the URL. Calls are marked vanished only after a complete, error-free, non-suspect result.
    """

    calls: list[Call] = field(default_factory=list)
    complete: bool = True
    errors: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)


def iso_or_none(value: datetime | None) -> str | None:
    """ISO 8601 with offset, or None."""
    return value.isoformat() if value else None
