"""The jobs the CLI runs: scrape portals into the store, load the bundled demo snapshot."""

from __future__ import annotations

import logging
import tomllib
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import sqlite_utils
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from matcher import config
from matcher.dedupe import apply_dedupe
from matcher.errors import ConfigError
from matcher.importer import read_import_file
from matcher.ranking.vectors import import_vectors
from matcher.sources import load_sources
from matcher.status import parse_now
from matcher.store import (
    RunSummary,
    open_db,
    repair_interrupted_runs,
    save_result,
    set_meta,
    start_run,
    upsert_calls,
)
from scrapers import PORTALS
from scrapers.base import run_portal
from scrapers.http import RecordingTransport, make_client, replay_client

log = logging.getLogger(__name__)


def scrape_into(
    db: sqlite_utils.Database,
    names: list[str],
    now: datetime,
    *,
    base_url: str | None = None,
    replay: Path | None = None,
    record: Path | None = None,
    sources: dict[str, dict[str, Any]] | None = None,
    quiet: bool = False,
) -> list[RunSummary]:
    """Scrape the named portals into `db`, one transaction per portal, with a progress display.

    `sources` holds each portal's section of sources.toml (the sites it reads).
    """
    sources = load_sources() if sources is None else sources
    repair_interrupted_runs(db, now)
    # A replayed snapshot is the recorded portals: environment overrides do not apply to it.
    urls = {
        name: base_url or (None if replay else config.portal_url_from_env(name)) for name in names
    }
    for name, url in urls.items():
        if url and not url.startswith(("http://", "https://")):
            raise ConfigError(f"the URL for {name} must start with http:// or https://: {url!r}")
    run_id = uuid.uuid4().hex[:12]
    summaries = []
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed} items"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=quiet,
    )
    if replay:
        client = replay_client(replay)
    elif record:  # a maintainer capturing a new snapshot: real requests, responses saved
        recorder = RecordingTransport(httpx.HTTPTransport(), record)
        client = make_client(transport=recorder, **config.http_settings())
    else:
        client = make_client(**config.http_settings())
    with client, progress:
        for name in names:
            task = progress.add_task(name, total=None)
            row = start_run(db, run_id, name, now)
            result = run_portal(
                PORTALS[name],
                client,
                base_url=None if getattr(PORTALS[name], "SITES_CONFIGURED", False) else urls[name],
                progress=lambda n, task=task: progress.update(task, advance=n),
                config=sources.get(name),
            )
            allow_empty = bool((sources.get(name) or {}).get("allow_empty", False))
            summaries.append(
                save_result(
                    db, name, result, now, run_row=row, run_id=run_id, allow_empty=allow_empty
                )
            )
    apply_dedupe(db)
    return summaries


def load_snapshot(db: sqlite_utils.Database, snapshot: Path) -> tuple[datetime, list[RunSummary]]:
    """Load the recorded snapshot through the real scrapers, as of its capture date.

    Portals listed in snapshot.toml are replayed from their recorded responses; the import
    files (real listings converted to the import format) then add the calls the recordings
    lack, without overwriting what a scraper read.
    """
    meta = _read_snapshot_meta(snapshot)
    as_of = parse_now(meta["as_of"])
    sources = load_sources(snapshot / "sources.toml")
    summaries = scrape_into(
        db, list(meta["portals"]), as_of, replay=snapshot, sources=sources, quiet=True
    )
    have = {row[0] for row in db.execute("SELECT id FROM calls").fetchall()}
    for name in meta.get("imports", []):
        parsed = read_import_file(snapshot / name)
        upsert_calls(db, [c for c in parsed.calls if c.id not in have], as_of)
    apply_dedupe(db)
    for cache in sorted(snapshot.glob("vectors-*.npz")):
        # Vectors of the snapshot's texts, computed once by tools/build_snapshot_vectors.py:
        # ranking the demo then embeds only what changed since.
        import_vectors(db, cache)
    set_meta(db, "as_of", as_of.isoformat())
    return as_of, summaries


def _read_snapshot_meta(snapshot: Path) -> dict:
    path = snapshot / "snapshot.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def fresh_db(path: Path) -> sqlite_utils.Database:
    """An empty store at `path`, removing a previous one (the demo rebuilds its own each time)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return open_db(path)
