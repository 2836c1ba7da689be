"""Opening a store: the SQLite file in WAL mode, its migrations, and write transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from matcher.errors import StoreError


class transaction:  # noqa: N801 - used as `with transaction(db):`
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.conn = db.conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) a store, in WAL mode, with every migration applied."""
    from matcher.store.migrations import migrate

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        migrate(db, path)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a usable database: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"cannot open the database {path}: {exc.strerror or exc}") from exc
    return db


def fresh_db(path: Path) -> sqlite_utils.Database:
    """An empty store at `path`, removing a previous one (the demo rebuilds its own each time)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return open_db(path)


def query(
    db: sqlite_utils.Database, sql: str, params: Sequence[object] | dict[str, object] = ()
) -> list[dict[str, Any]]:
    """Rows of a SELECT as dicts keyed by column name (params by position or by name)."""
    cursor = db.conn.execute(sql, params if isinstance(params, dict) else list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def chunks(values: list, size: int = 500) -> list[list]:
    """Slices for `IN (...)` queries: well under SQLite's default limit of bound parameters."""
    return [values[i : i + size] for i in range(0, len(values), size)]


def marks(values: list) -> str:
    return ", ".join("?" * len(values))


def copy_store(db: sqlite_utils.Database, target: Path) -> Path:
    """A consistent copy of the store at `target`, taken with SQLite's online backup API, so
    readers and a writer may go on meanwhile (the copy holds the last committed state)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    destination = sqlite3.connect(partial)
    try:
        db.conn.backup(destination)
    finally:
        destination.close()
    partial.replace(target)  # never a half-written file under the final name
    return target


def db_path(db: sqlite_utils.Database) -> Path | None:
    """The file of an open store (None for an in-memory one)."""
    row = db.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else None
