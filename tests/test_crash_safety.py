"""A job killed at any moment (SIGKILL) leaves a consistent store that the next run completes;
readers never see "database is locked" while a job writes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from matcher.config import data_dir, snapshot_dir
from matcher.status import parse_now
from matcher.store import ShortlistFilters, load_calls, open_db, recent_runs, shortlist_rows

NOW = "2026-08-22T06:00:00+00:00"
SNAPSHOT = snapshot_dir()


def matcher(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "matcher.cli", "--db", str(db), *args]


def environment(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "MATCHER_HOME": str(tmp_path / "home"), "MATCHER_HTTP_DELAY": "0"}


def replay_scrape(db: Path) -> list[str]:
    return matcher(db, "scrape", "--replay", str(SNAPSHOT), "--sources",
                   str(SNAPSHOT / "sources.toml"), "--now", NOW)  # fmt: skip


def kill_after(command: list[str], seconds: float, env: dict[str, str]) -> None:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    process.wait()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_a_scrape_killed_at_any_moment_leaves_the_store_sound_and_the_next_run_completes(
    tmp_path,
):
    env = environment(tmp_path)
    reference = tmp_path / "reference.db"
    subprocess.run(replay_scrape(reference), env=env, check=True, capture_output=True)
    expected = sorted(call.id for call, _ in load_calls(open_db(reference)))
    db = tmp_path / "killed.db"
    for delay in (0.5, 1.3, 1.45, 1.6, 1.75, 1.9):  # start-up, then fetches and writes
        kill_after(replay_scrape(db), delay, env)
        assert integrity(db) == "ok", delay
    finished = subprocess.run(replay_scrape(db), env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert sorted(call.id for call, _ in load_calls(open_db(db))) == expected
    assert "running" not in {run["status"] for run in recent_runs(open_db(db), limit=200)}


def test_a_ranking_killed_midway_leaves_the_store_sound_and_the_next_rank_completes(tmp_path):
    env = environment(tmp_path)
    db = tmp_path / "rank.db"
    corpus = data_dir() / "judgments" / "calls.jsonl"
    subprocess.run(matcher(db, "import", str(corpus)), env=env, check=True, capture_output=True)
    kill_after(matcher(db, "rank", "--model", "fake", "--now", NOW), 3.0, env)
    assert integrity(db) == "ok"
    ranked = subprocess.run(matcher(db, "rank", "--model", "fake", "--now", NOW), env=env,
                            capture_output=True, text=True)  # fmt: skip
    assert ranked.returncode == 0, ranked.stderr
    rows = shortlist_rows(open_db(db), "energy", "learned@fake", parse_now(NOW),
                          ShortlistFilters(limit=5))  # fmt: skip
    assert len(rows) == 5


def test_readers_never_see_a_locked_database_while_a_job_writes(tmp_path):
    env = environment(tmp_path)
    db = tmp_path / "busy.db"
    open_db(db)
    errors: list[BaseException] = []
    reads = 0
    done = threading.Event()

    def read() -> None:
        nonlocal reads
        reader = open_db(db)
        while not done.is_set():
            try:
                load_calls(reader)
                shortlist_rows(reader, "energy", "bm25", parse_now(NOW))
                reads += 1
            except sqlite3.OperationalError as exc:  # "database is locked" would land here
                errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(2):
            subprocess.run(replay_scrape(db), env=env, check=True, capture_output=True)
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert (errors, reads > 10) == ([], True)


@pytest.fixture(autouse=True)
def _no_stray_processes():
    yield  # every subprocess above is waited for; nothing outlives a test
