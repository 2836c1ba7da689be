"""Portal runs: a row written 'running' first, finished with its counts, repaired after a crash."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlite_utils

from matcher.store.db import query, transaction


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
    warnings: list[str] = field(default_factory=list)  # stored, yet worth a look
    date_issues: int = 0  # calls whose implausible dates were kept out of their status


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


def finish_run(
    db: sqlite_utils.Database, summary: RunSummary, run_row: int | None, run_id: str, stamp: str
) -> None:
    """Write a run's outcome (inside the caller's transaction)."""
    values = [
        stamp, summary.fetched, summary.new, summary.changed, summary.vanished,
        json.dumps(summary.errors, ensure_ascii=False), summary.status,
        json.dumps(summary.warnings, ensure_ascii=False),
    ]  # fmt: skip
    if run_row:
        db.execute(
            "UPDATE runs SET finished = ?, fetched = ?, new = ?, changed = ?, vanished = ?,"
            " errors = ?, status = ?, warnings = ? WHERE id = ?",
            [*values, run_row],
        )
    else:
        db.execute(
            "INSERT INTO runs (finished, fetched, new, changed, vanished, errors, status,"
            " warnings, run_id, portal, started) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*values, run_id, summary.portal, stamp],
        )


def recent_runs(db: sqlite_utils.Database, limit: int = 20) -> list[dict[str, Any]]:
    """The latest run rows, newest first, errors decoded."""
    rows = query(db, "SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit])
    for row in rows:
        row["errors"] = json.loads(row["errors"] or "[]")
        row["warnings"] = json.loads(row["warnings"] or "[]")
    return rows


def last_runs(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Each portal's most recent run (its health at a glance), by portal name."""
    rows = query(
        db,
        "SELECT * FROM runs WHERE id IN (SELECT MAX(id) FROM runs GROUP BY portal) ORDER BY portal",
    )
    for row in rows:
        row["errors"] = json.loads(row["errors"] or "[]")
        row["warnings"] = json.loads(row["warnings"] or "[]")
    return rows
