"""The SQLite store: numbered migrations, saving a portal's run, reading calls back."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from matcher.errors import StoreError
from matcher.models import Call, ScrapeResult
from matcher.store.migrations import migrate, transaction
from matcher.store.rows import CALL_COLUMNS, call_to_row, row_to_call

# A listing this much smaller than the calls we hold for the portal is suspect: a layout change
# or a half-served page is more likely than half the calls closing at once.
SUSPECT_RATIO = 0.5
SUSPECT_MIN_ACTIVE = 20


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) a store, in WAL mode, with every migration applied."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        migrate(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a usable database: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"cannot open the database {path}: {exc.strerror or exc}") from exc
    return db


@dataclass
class RunSummary:
    """One portal's line in the scrape summary table."""

    portal: str
    fetched: int = 0
    new: int = 0
    changed: int = 0
    vanished: int = 0
    errors: list[str] = field(default_factory=list)
    status: str = "ok"  # ok | incomplete | failed | suspect


def start_run(db: sqlite_utils.Database, run_id: str, portal: str, now: datetime) -> int:
    """Record that a portal's run began, so a crash leaves a visible 'running' row."""
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO runs (run_id, portal, started, status) VALUES (?, ?, ?, 'running')",
            [run_id, portal, now.isoformat()],
        )
    return int(cursor.lastrowid or 0)


def repair_interrupted_runs(db: sqlite_utils.Database, now: datetime) -> int:
    """Mark runs left 'running' by a crash as interrupted; their writes were rolled back."""
    with transaction(db):
        cursor = db.execute(
            "UPDATE runs SET status = 'interrupted', finished = ? WHERE status = 'running'",
            [now.isoformat()],
        )
    return cursor.rowcount


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

    Calls missing from a complete, error-free, non-suspect listing are marked vanished; nothing
    is ever deleted.
    """
    summary = RunSummary(portal=portal, errors=list(result.errors))
    calls = {call.id: call for call in result.calls}
    summary.fetched = len(calls)
    stamp = now.isoformat()
    with transaction(db):
        active = _active_ids(db, portal)
        for call in calls.values():
            outcome = _upsert(db, call, stamp)
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
            gone = sorted(active - calls.keys())
            summary.vanished = len(gone)
            db.conn.executemany(
                "UPDATE calls SET vanished_at = ? WHERE id = ?", [(stamp, i) for i in gone]
            )
        _finish_run(db, summary, run_row, run_id, stamp)
    return summary


def _active_ids(db: sqlite_utils.Database, portal: str) -> set[str]:
    rows = db.execute(
        "SELECT id FROM calls WHERE portal = ? AND vanished_at IS NULL", [portal]
    ).fetchall()
    return {row[0] for row in rows}


def _suspect_reason(fetched: int, active: int, allow_empty: bool) -> str | None:
    if fetched == 0 and active > 0 and not allow_empty:
        return f"suspect listing: 0 items where {active} calls are stored"
    if active >= SUSPECT_MIN_ACTIVE and fetched < active * SUSPECT_RATIO:
        return f"suspect listing: {fetched} items where {active} calls are stored"
    return None


def _upsert(db: sqlite_utils.Database, call: Call, stamp: str) -> str:
    row = call_to_row(call)
    existing = db.execute(
        "SELECT content_hash, vanished_at FROM calls WHERE id = ?", [call.id]
    ).fetchone()
    if existing is None:
        row.update(first_seen=stamp, last_seen=stamp, last_changed=stamp, vanished_at=None)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        db.execute(f"INSERT INTO calls ({columns}) VALUES ({marks})", list(row.values()))
        return "new"
    if existing[0] == row["content_hash"]:
        db.execute(
            "UPDATE calls SET last_seen = ?, vanished_at = NULL, links = ?, aliases = ?"
            " WHERE id = ?",
            [stamp, row["links"], row["aliases"], call.id],
        )
        return "same"
    row.update(last_seen=stamp, last_changed=stamp, vanished_at=None)
    assignments = ", ".join(f"{column} = ?" for column in row)
    db.execute(f"UPDATE calls SET {assignments} WHERE id = ?", [*row.values(), call.id])
    return "changed"


def _finish_run(
    db: sqlite_utils.Database, summary: RunSummary, run_row: int | None, run_id: str, stamp: str
) -> None:
    values = [
        stamp, summary.fetched, summary.new, summary.changed, summary.vanished,
        json.dumps(summary.errors, ensure_ascii=False), summary.status,
    ]  # fmt: skip
    if run_row:
        db.execute(
            "UPDATE runs SET finished = ?, fetched = ?, new = ?, changed = ?, vanished = ?,"
            " errors = ?, status = ? WHERE id = ?",
            [*values, run_row],
        )
    else:
        db.execute(
            "INSERT INTO runs (finished, fetched, new, changed, vanished, errors, status,"
            " run_id, portal, started) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*values, run_id, summary.portal, stamp],
        )


def upsert_calls(db: sqlite_utils.Database, calls: Iterable[Call], now: datetime) -> dict[str, int]:
    """Insert or update calls outside any portal run (imports): never marks anything vanished."""
    counts = {"new": 0, "changed": 0, "same": 0}
    stamp = now.isoformat()
    with transaction(db):
        for call in calls:
            counts[_upsert(db, call, stamp)] += 1
    return counts


def load_calls(
    db: sqlite_utils.Database,
    *,
    include_vanished: bool = True,
    include_merged: bool = False,
    with_copies: bool = True,
) -> list[tuple[Call, dict[str, str | None]]]:
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
    rows = _rows(db, f"SELECT * FROM calls {clause} ORDER BY id", [])
    merged = _merged_copies(db) if with_copies else {}
    return [(_with_copies(row_to_call(row), merged), _history(row)) for row in rows]


def get_call(db: sqlite_utils.Database, call_id: str) -> tuple[Call, dict[str, str | None]] | None:
    """One call by id or by one of its aliases (a merged copy leads to the surviving call)."""
    rows = _rows(db, "SELECT * FROM calls WHERE id = ?", [call_id])
    if rows and rows[0]["merged_into"]:
        rows = _rows(db, "SELECT * FROM calls WHERE id = ?", [rows[0]["merged_into"]])
    if not rows:
        pattern = call_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = _rows(
            db,
            "SELECT * FROM calls WHERE aliases LIKE ? ESCAPE '\\' AND merged_into IS NULL",
            [f'%"{pattern}"%'],
        )
    if not rows:
        return None
    return _with_copies(row_to_call(rows[0]), _merged_copies(db)), _history(rows[0])


def _rows(db: sqlite_utils.Database, sql: str, params: list[object]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _history(row: dict[str, Any]) -> dict[str, str | None]:
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


def get_meta(db: sqlite_utils.Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(db: sqlite_utils.Database, key: str, value: str) -> None:
    with transaction(db):
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])


def recent_runs(db: sqlite_utils.Database, limit: int = 20) -> list[dict[str, object]]:
    cursor = db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
