"""One writing job at a time: an advisory lock file beside the database."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from matcher.errors import MatcherError
from matcher.store.db import db_path

# Locks this process holds (a job that runs another, as the weekly job runs scrape and rank,
# takes the lock once): lock file -> depth.
_HELD: dict[str, int] = {}


class LockBusy(MatcherError):
    """Another job holds the store's writing lock."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def writer_lock(
    db_path: Path, job: str, now: datetime, *, reentrant: bool = True
) -> Iterator[None]:
    """Hold the writing lock of the store at `db_path` while the block runs.

    The kernel releases it when the process ends, however it ends (no stale locks after a
    crash). A second writer gets LockBusy naming the holder and since when.
    """
    path = lock_path(Path(db_path))
    key = str(path.resolve())
    if reentrant and key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockBusy(_busy_message(path)) from None
        holder = {"job": job, "pid": os.getpid(), "since": now.isoformat()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _busy_message(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8") or "{}")
        since = datetime.fromisoformat(holder["since"]).astimezone(ZoneInfo("Europe/Rome"))
        who = f"{holder['job']} (pid {holder['pid']}) since {since:%d/%m/%Y %H:%M}"
    except (OSError, ValueError, KeyError, TypeError):
        who = "an unknown job"
    return (f"another job holds the database's writing lock: {who}; try again when it ends "
            f"({path})")  # fmt: skip


@contextmanager
def writing(db: sqlite_utils.Database, job: str, now: datetime) -> Iterator[None]:
    """The writing lock of an open store (none needed for an in-memory one)."""
    path = db_path(db)
    if path is None:
        yield
        return
    with writer_lock(path, job, now):
        yield
