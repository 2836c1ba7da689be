"""Small facts about a store (the demo's data-as-of date, the judged corpus loaded)."""

from __future__ import annotations

import sqlite_utils

from matcher.store.db import transaction


def get_meta(db: sqlite_utils.Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(db: sqlite_utils.Database, key: str, value: str) -> None:
    with transaction(db):
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])
