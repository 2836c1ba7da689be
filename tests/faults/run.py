"""Running `matcher scrape` against the recorded portals and reading what it left in the store."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from matcher.cli import cli

NOW = "2026-08-22T06:00:00+00:00"  # one instant for every run: last_seen stays as it was
# Short limits through the settings, never sleeps: no delay or backoff, a 1 s request deadline.
QUICK = {
    "MATCHER_HTTP_DELAY": "0",
    "MATCHER_HTTP_BACKOFF": "0",
    "MATCHER_HTTP_RETRIES": "2",
    "MATCHER_HTTP_REQUEST_DEADLINE": "1",
    "MATCHER_HTTP_PORTAL_DEADLINE": "20",
    "MATCHER_HTTP_MAX_BYTES": "2000000",
}


def scrape(db: Path, sources: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """`matcher scrape` in process, as of NOW, with `env` over the environment."""
    return CliRunner().invoke(
        cli, ["--db", str(db), "scrape", "--sources", str(sources), "--now", NOW, *args], env=env
    )


def rows(db: Path) -> dict[str, tuple[Any, ...]]:
    """Every stored call's whole row, by id."""
    with sqlite3.connect(db) as conn:
        return {row[0]: row for row in conn.execute("SELECT * FROM calls ORDER BY id")}


def calls(db: Path, portal: str) -> dict[str, dict[str, Any]]:
    """A portal's stored calls as column -> value, by id."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        found = conn.execute("SELECT * FROM calls WHERE portal = ?", [portal]).fetchall()
    return {row["id"]: dict(row) for row in found}


def last_run(db: Path, portal: str) -> dict[str, Any]:
    """A portal's latest run row."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute(
            "SELECT * FROM runs WHERE portal = ? ORDER BY id DESC LIMIT 1", [portal]
        ).fetchone()
    return dict(row)


def error_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]
