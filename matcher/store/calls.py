"""Calls in the store: saving a portal's run, imports, reading calls back, duplicate links."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlite_utils

from matcher.models import Call, ScrapeResult
from matcher.normalize.plausible import keep_readable_dates, plausible_dates
from matcher.normalize.safety import safe_call
from matcher.normalize.timezones import parse_iso
from matcher.store.changes import diff, record_changes
from matcher.store.db import chunks, marks, query, transaction
from matcher.store.rows import CALL_COLUMNS, call_to_row, row_to_call
from matcher.store.runs import RunSummary, finish_run

# A listing this much smaller than the calls we hold for the portal is suspect, whatever the
# portal's size: a layout change or a half-served page is likelier than half the calls closing.
SUSPECT_RATIO = 0.5
# Complete listings in a row a call must be missing from before it is marked vanished.
MISSING_LISTINGS_TO_VANISH = 2

History = dict[str, str | None]


def save_result(
    db: sqlite_utils.Database,
    portal: str,
    result: ScrapeResult,
    now: datetime,
    *,
    run_row: int | None = None,
    run_id: str = "",
    allow_empty: bool = False,
) -> RunSummary:
    """Write one portal's result in one transaction and return its summary.

    Nothing is ever deleted. A call missing from a complete, error-free, non-suspect listing
    is counted missing; missing from two such listings in a row, it is marked vanished (a
    portal that drops an item for one day, as they do while editing it, loses nothing).
    """
    summary = RunSummary(portal=portal, errors=list(result.errors))
    calls = {call.id: checked(call) for call in result.calls}
    summary.fetched = len(calls)
    flagged = sorted(i for i, call in calls.items() if call.date_issues)
    if flagged:
        summary.date_issues = len(flagged)
        summary.warnings.append(
            f"{portal}: {len(flagged)} calls with implausible or unreadable dates, kept out of"
            f" the status: {', '.join(flagged[:10])}"
        )
    stamp = now.isoformat()
    with transaction(db):
        active = _active_ids(db, portal)
        for call in calls.values():
            outcome = _upsert(db, call, now)
            if outcome == "new":
                summary.new += 1
            elif outcome == "changed":
                summary.changed += 1
        suspect = _suspect_reason(len(calls), len(active), allow_empty)
        if result.errors:
            summary.status = "failed" if not calls else "incomplete"
        elif not result.complete:
            summary.status = "incomplete"
        elif suspect:
            summary.errors.append(f"{portal}: {suspect}; nothing marked vanished")
            summary.status = "suspect"
        else:
            summary.vanished = _count_missing(db, sorted(active - calls.keys()), stamp)
        finish_run(db, summary, run_row, run_id, stamp)
    return summary


def _count_missing(db: sqlite_utils.Database, missing: list[str], stamp: str) -> int:
    """One more complete listing without these calls; those missing twice in a row vanish."""
    gone = 0
    for chunk in chunks(missing):
        db.execute(f"UPDATE calls SET missing_listings = missing_listings + 1 WHERE id IN"
                   f" ({marks(chunk)})", chunk)  # fmt: skip
        cursor = db.execute(
            f"UPDATE calls SET vanished_at = ? WHERE id IN ({marks(chunk)})"
            " AND missing_listings >= ?",
            [stamp, *chunk, MISSING_LISTINGS_TO_VANISH],
        )
        gone += cursor.rowcount
    return gone


def _active_ids(db: sqlite_utils.Database, portal: str) -> set[str]:
    rows = db.execute(
        "SELECT id FROM calls WHERE portal = ? AND vanished_at IS NULL", [portal]
    ).fetchall()
    return {row[0] for row in rows}


def _suspect_reason(fetched: int, active: int, allow_empty: bool) -> str | None:
    if fetched == 0 and active > 0 and not allow_empty:
        return f"suspect listing: 0 items where {active} calls are stored"
    if fetched and fetched < active * SUSPECT_RATIO:
        return f"suspect listing: {fetched} items where {active} calls are stored"
    return None


def checked(call: Call) -> Call:
    """What is stored of a call, whichever way it came (scrape, import, the app): its text free
    of control characters, its links web links, its implausible dates kept aside. (What is read
    from the call's text, normalize.enrich, is added before: the store parses no text.)"""
    return plausible_dates(safe_call(call))


def _stored(db: sqlite_utils.Database, call_id: str) -> Call:
    return row_to_call(query(db, "SELECT * FROM calls WHERE id = ?", [call_id])[0])


def _upsert(db: sqlite_utils.Database, call: Call, now: datetime) -> str:
    """Insert or update one call, recording its first appearance or what changed (deadlines,
    budget, status) in the change history the digests report from. `call` is checked()."""
    row = call_to_row(call)
    stamp = now.isoformat()
    existing = db.execute(
        "SELECT content_hash, vanished_at, last_seen FROM calls WHERE id = ?", [call.id]
    ).fetchone()
    old: Call | None = None
    if existing is not None and call.date_issues:
        # A date the source gave unreadably leaves the stored one in place (flagged).
        old = _stored(db, call.id)
        call = keep_readable_dates(call, old)
        row = call_to_row(call)
    if existing is None:
        row.update(first_seen=stamp, last_seen=stamp, last_changed=stamp, vanished_at=None)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        db.execute(f"INSERT INTO calls ({columns}) VALUES ({marks})", list(row.values()))
        record_changes(db, call.id, [("new", None, None)], stamp)
        return "new"
    if existing[0] == row["content_hash"]:
        db.execute(
            "UPDATE calls SET last_seen = ?, vanished_at = NULL, missing_listings = 0, links = ?,"
            " aliases = ? WHERE id = ?",
            [stamp, row["links"], row["aliases"], call.id],
        )
        return "same"
    old = old or _stored(db, call.id)
    row.update(last_seen=stamp, last_changed=stamp, vanished_at=None, missing_listings=0)
    assignments = ", ".join(f"{column} = ?" for column in row)
    db.execute(f"UPDATE calls SET {assignments} WHERE id = ?", [*row.values(), call.id])
    record_changes(db, call.id, diff(old, parse_iso(existing[2]), call, now), stamp)
    return "changed"


def upsert_calls(db: sqlite_utils.Database, calls: Iterable[Call], now: datetime) -> dict[str, int]:
    """Insert or update calls outside any portal run (imports): never marks anything vanished."""
    counts = {"new": 0, "changed": 0, "same": 0}
    with transaction(db):
        for call in calls:
            counts[_upsert(db, checked(call), now)] += 1
    return counts


def load_calls(
    db: sqlite_utils.Database,
    *,
    include_vanished: bool = True,
    include_merged: bool = False,
    with_copies: bool = True,
) -> list[tuple[Call, History]]:
    """Every stored call with its history columns (first_seen, last_changed, vanished_at…).

    A call that other portals also published carries their ids as aliases and their links;
    the merged copies themselves are left out unless `include_merged`.
    """
    where = []
    if not include_vanished:
        where.append("vanished_at IS NULL")
    if not include_merged:
        where.append("merged_into IS NULL")
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = query(db, f"SELECT * FROM calls {clause} ORDER BY id")
    merged = _merged_copies(db) if with_copies else {}
    return [(_with_copies(row_to_call(row), merged), _history(row)) for row in rows]


def active_hashes(db: sqlite_utils.Database) -> dict[str, str]:
    """id -> content hash of every call still published and not merged into another portal's
    copy: what a ranking run checks its stored features against, without loading calls."""
    rows = db.execute(
        "SELECT id, content_hash FROM calls WHERE vanished_at IS NULL AND merged_into IS NULL"
    ).fetchall()
    return dict(rows)


def calls_by_id(db: sqlite_utils.Database, ids: list[str]) -> list[Call]:
    """The calls with these ids (as stored, without their merged copies), in id order."""
    found: list[Call] = []
    for chunk in chunks(sorted(ids)):
        rows = query(db, f"SELECT * FROM calls WHERE id IN ({marks(chunk)}) ORDER BY id", chunk)
        found.extend(row_to_call(row) for row in rows)
    return found


def active_texts(db: sqlite_utils.Database) -> list[tuple[str, str, str]]:
    """(title, summary, text) of every active call: what its vectors were computed from."""
    return db.execute(
        "SELECT title, summary, text FROM calls WHERE vanished_at IS NULL AND merged_into IS NULL"
    ).fetchall()


def call_ids(db: sqlite_utils.Database) -> set[str]:
    """The id of every stored call, merged copies and vanished calls included."""
    return {row[0] for row in db.execute("SELECT id FROM calls").fetchall()}


def get_call(db: sqlite_utils.Database, call_id: str) -> tuple[Call, History] | None:
    """One call by id or by one of its aliases (a merged copy leads to the surviving call)."""
    rows = query(db, "SELECT * FROM calls WHERE id = ?", [call_id])
    if rows and rows[0]["merged_into"]:
        rows = query(db, "SELECT * FROM calls WHERE id = ?", [rows[0]["merged_into"]])
    if not rows:
        pattern = call_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = query(
            db,
            "SELECT * FROM calls WHERE aliases LIKE ? ESCAPE '\\' AND merged_into IS NULL",
            [f'%"{pattern}"%'],
        )
    if not rows:
        return None
    return _with_copies(row_to_call(rows[0]), _merged_copies(db)), _history(rows[0])


def set_merged(db: sqlite_utils.Database, merged: dict[str, str]) -> None:
    """Record which calls are copies of which survivor (duplicate id -> surviving id), replacing
    the previous answer in one transaction."""
    with transaction(db):
        db.execute("UPDATE calls SET merged_into = NULL WHERE merged_into IS NOT NULL")
        db.conn.executemany(
            "UPDATE calls SET merged_into = ? WHERE id = ?",
            [(survivor, dup) for dup, survivor in merged.items()],
        )


def _history(row: dict[str, Any]) -> History:
    return {k: row[k] for k in row if k not in CALL_COLUMNS}


def _merged_copies(db: sqlite_utils.Database) -> dict[str, list[tuple[str, list[str]]]]:
    copies: dict[str, list[tuple[str, list[str]]]] = {}
    for call_id, url, links, survivor in db.execute(
        "SELECT id, url, links, merged_into FROM calls WHERE merged_into IS NOT NULL ORDER BY id"
    ).fetchall():
        copies.setdefault(survivor, []).append((call_id, json.loads(links or "[]") or [url]))
    return copies


def _with_copies(call: Call, merged: dict[str, list[tuple[str, list[str]]]]) -> Call:
    for copy_id, links in merged.get(call.id, []):
        if copy_id not in call.aliases:
            call.aliases.append(copy_id)
        if not call.links and call.url:
            call.links.append(call.url)
        call.links.extend(link for link in links if link and link not in call.links)
    return call
