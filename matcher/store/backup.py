"""Backups: a consistent copy of a live store, and putting one back after checking it."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import sqlite_utils

from matcher.errors import StoreError
from matcher.store.db import copy_store, open_db
from matcher.store.lock import writer_lock

REQUIRED_TABLES = {"_migrations", "calls", "runs", "reviews"}


def backup(db_path: Path, target: Path) -> dict[str, int]:
    """Copy the store as it is to `target` (the app or a job may be running: it is only read,
    never migrated) and count what it holds."""
    if not db_path.exists():
        raise StoreError(f"there is no database at {db_path} to back up")
    _copy_as_it_is(db_path, target)
    return check_backup(target)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _copy_as_it_is(db_path: Path, target: Path) -> None:
    try:
        source = _read_only(db_path)
        try:
            copy_store(sqlite_utils.Database(source), target)
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{db_path} is not a usable database: {exc}") from exc


def check_backup(path: Path) -> dict[str, int]:
    """Counts of calls, reviews and runs in a backup file; StoreError when it is not a sound
    Territorio Smart Matcher store."""
    if not path.is_file():
        raise StoreError(f"{path} does not exist")
    try:
        conn = _read_only(path)
        try:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if integrity != "ok":
                raise StoreError(f"{path} is damaged (integrity check: {integrity})")
            if not REQUIRED_TABLES <= tables:
                raise StoreError(f"{path} is not a Territorio Smart Matcher database")
            return {
                name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                for name in ("calls", "reviews", "runs")
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a usable database: {exc}") from exc


def restore(db_path: Path, source: Path, now: datetime) -> dict[str, int]:
    """Put a checked backup in place of the store, under the writing lock; the store as it was
    is kept beside it as `<db>.before-restore.bak`."""
    counts = check_backup(source)
    with writer_lock(db_path, "matcher restore", now):
        if db_path.exists():
            _copy_as_it_is(db_path, db_path.with_name(db_path.name + ".before-restore.bak"))
        db_path.parent.mkdir(parents=True, exist_ok=True)
        live = sqlite3.connect(db_path)
        backup_conn = _read_only(source)
        try:
            backup_conn.backup(live)
        finally:
            backup_conn.close()
            live.close()
        open_db(db_path).conn.close()  # an older backup is migrated now
    return counts
