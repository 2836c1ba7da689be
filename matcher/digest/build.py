"""What a partner's digest says, decided from the listing, the change history and the ledger.

Pure: the caller reads the shortlist rows of each theme (`store.shortlist_rows`: the one
listing rules, rejected calls left out), the calls' changes and the keys already sent, and
gets the items of each section with the ledger entries they account for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from matcher.partners import Partner
from matcher.store.changes import DEADLINE_KINDS, UPDATE_KINDS, Change
from matcher.store.ledger import LedgerEntry, LedgerKey

SECTIONS = ("closing", "new", "updated")
# A reminder when the next deadline is this many days away or fewer.
CLOSING_WINDOW_DAYS = 14


@dataclass(frozen=True)
class Item:
    """One call in a digest: its best-scoring row among the partner's themes."""

    section: str
    row: dict[str, Any]
    themes: tuple[str, ...]
    changes: tuple[Change, ...]  # what changed since the partner last heard of it
    entries: tuple[LedgerEntry, ...]


@dataclass
class PartnerDigest:
    """A partner's digest: items per section, and what a first digest only counts."""

    partner: Partner
    now: datetime
    since: datetime | None  # the partner's previous digest; None for the first
    sections: dict[str, list[Item]] = field(default_factory=dict)
    rest: dict[str, int] = field(default_factory=dict)  # theme -> new calls not shown
    covered: list[LedgerEntry] = field(default_factory=list)  # recorded, not shown

    @property
    def items(self) -> list[Item]:
        return [item for section in SECTIONS for item in self.sections.get(section, [])]

    @property
    def entries(self) -> list[LedgerEntry]:
        return [e for item in self.items for e in item.entries] + self.covered


def relevance_level(row: dict[str, Any]) -> str:
    """The ranking's calibrated level of a shortlist row: alta, media or bassa."""
    return str(row["explanation"].get("level", "bassa"))


def partner_listing(
    partner: Partner, listing: dict[str, list[dict[str, Any]]]
) -> dict[str, tuple[dict[str, Any], tuple[str, ...]]]:
    """The calls listed for the partner's themes at its minimum relevance or above: call id ->
    (its best-scoring row, the themes it is listed for), best first."""
    found: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {}
    for theme in partner.themes:
        for row in listing.get(theme, []):
            if not partner.wants(relevance_level(row)):
                continue
            best, themes = found.get(row["id"], (row, ()))
            found[row["id"]] = (row if row["score"] > best["score"] else best, (*themes, theme))
    return dict(sorted(found.items(), key=lambda kv: (-kv[1][0]["score"], kv[0])))


def build_digest(
    partner: Partner,
    listing: dict[str, list[dict[str, Any]]],
    history: dict[str, list[Change]],
    delivered: set[LedgerKey],
    now: datetime,
    since: datetime | None,
    first_per_theme: int,
    copies: dict[str, list[str]] | None = None,
) -> PartnerDigest:
    """The partner's items: a call closing within the window not yet reminded at its current
    deadline → "closing"; else a call never sent → "new"; else a call with unsent changes →
    "updated". A call shows once, in its first section, and its item accounts for every key
    it settles (a new call's earlier changes included: the partner sees it as it is now). A
    first digest (`since` is None) shows the best `first_per_theme` calls of each theme and
    only counts the rest, which the e-mail links to. A call whose merged copy (`copies`: other
    portals' ids of it) was sent before is not new."""
    digest = PartnerDigest(partner=partner, now=now, since=since)
    known = {call_id for call_id, section, _ in delivered if section == "new"}
    copies = copies or {}
    items = []
    for call_id, (row, themes) in partner_listing(partner, listing).items():
        was_sent = call_id in known or any(c in known for c in copies.get(call_id, []))
        item = _item(call_id, row, themes, history.get(call_id, []), delivered, was_sent)
        if item is not None:
            items.append(item)
    if since is None:
        items = _cap_first(digest, items, listing, first_per_theme)
    for item in items:
        digest.sections.setdefault(item.section, []).append(item)
    digest.sections.get("closing", []).sort(
        key=lambda i: (i.row["days_to_deadline"], -i.row["score"], i.row["id"])
    )
    return digest


def _item(
    call_id: str,
    row: dict[str, Any],
    themes: tuple[str, ...],
    changes: list[Change],
    delivered: set[LedgerKey],
    known: bool,
) -> Item | None:
    first = next((c.id for c in changes if c.kind == "new"), 0)
    deadline_version = max((c.id for c in changes if c.kind in DEADLINE_KINDS), default=first)
    updates = [c for c in changes if c.kind in UPDATE_KINDS
               and (call_id, "updated", c.id) not in delivered]  # fmt: skip
    days = row["days_to_deadline"]
    closing = (
        days is not None
        and days <= CLOSING_WINDOW_DAYS
        and (call_id, "closing", deadline_version) not in delivered
    )
    keys: list[LedgerKey] = []
    if closing:
        keys.append((call_id, "closing", deadline_version))
    if not known:
        keys.append((call_id, "new", first))
    keys += [(call_id, "updated", c.id) for c in updates]
    if not keys:
        return None
    section = "closing" if closing else "new" if not known else "updated"
    return Item(
        section=section,
        row=row,
        themes=themes,
        changes=tuple(updates) if known else (),
        entries=tuple(LedgerEntry(key, row["theme"], True) for key in keys),
    )


def _cap_first(
    digest: PartnerDigest, items: list[Item], listing: dict[str, list[dict[str, Any]]], cap: int
) -> list[Item]:
    """A first digest's items: each theme's best `cap`. The others are counted per theme and
    recorded as covered (the e-mail links to them in the app), so they are not "new" again
    next week."""
    by_id = {item.row["id"]: item for item in items}
    per_theme = {
        theme: [row["id"] for row in listing.get(theme, [])
                if row["id"] in by_id and theme in by_id[row["id"]].themes]
        for theme in digest.partner.themes
    }  # fmt: skip
    shown = {call_id for ids in per_theme.values() for call_id in ids[:cap]}
    rest = {theme: sum(i not in shown for i in ids) for theme, ids in per_theme.items()}
    digest.rest = {theme: n for theme, n in rest.items() if n}
    digest.covered = [
        LedgerEntry(entry.key, entry.theme, False)
        for item in items
        if item.row["id"] not in shown
        for entry in item.entries
    ]
    return [item for item in items if item.row["id"] in shown]
