"""The jobs, the only writers of the store: scrape portals, rank, import, load the demo, send
the digests, and the weekly job that runs them all.

Everything a job needs is passed in: the database, the clients, the settings, `now`, and a
progress callback for the caller to draw with. Jobs read no environment and print nothing.
"""

from __future__ import annotations

import smtplib
import tomllib
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import sqlite_utils

from matcher.dedupe import apply_dedupe
from matcher.digest.run import DigestReport, DigestSettings, new_since, run_digests
from matcher.errors import ConfigError
from matcher.importer import read_import_file
from matcher.models import Call
from matcher.normalize.enrich import enriched
from matcher.normalize.timezones import parse_iso
from matcher.ranking.config import RankingConfig, load_embedder
from matcher.ranking.embed import Embedder
from matcher.ranking.rank import RankReport
from matcher.ranking.rank import rank as rank_calls
from matcher.ranking.themes import ThemeConfig
from matcher.ranking.vectors import import_vectors
from matcher.sources import load_sources
from matcher.store import (
    RunSummary,
    call_ids,
    repair_interrupted_runs,
    save_result,
    set_meta,
    start_run,
    upsert_calls,
)
from matcher.store.lock import writing
from scrapers import PORTALS, dedupe_priority, portal_settings
from scrapers.base import Portal, check_site, run_portal
from scrapers.recording import replay_client

# client_for(portal) -> the client to read that portal with (transport, endpoint, politeness)
ClientFor = Callable[[Portal], httpx.Client]
# progress(portal name, items read so far in this step)
ScrapeProgress = Callable[[str, int], None]


@dataclass
class ScrapeReport:
    """What one scrape did, portal by portal."""

    run_id: str
    summaries: list[RunSummary] = field(default_factory=list)

    @property
    def failed(self) -> list[RunSummary]:
        return [s for s in self.summaries if s.status != "ok"]


def scrape(
    db: sqlite_utils.Database,
    portals: Sequence[Portal],
    client_for: ClientFor,
    sources: dict[str, dict[str, Any]],
    now: datetime,
    progress: ScrapeProgress | None = None,
) -> ScrapeReport:
    """Read each portal into the store, one transaction per portal, then fold duplicates.

    `sources` holds each portal's section of sources.toml. A portal that fails is recorded
    in its run row and the others go on.
    """
    with writing(db, "matcher scrape", now):
        return _scrape(db, portals, client_for, sources, now, progress)


def _scrape(
    db: sqlite_utils.Database,
    portals: Sequence[Portal],
    client_for: ClientFor,
    sources: dict[str, dict[str, Any]],
    now: datetime,
    progress: ScrapeProgress | None,
) -> ScrapeReport:
    repair_interrupted_runs(db, now)
    report = ScrapeReport(run_id=uuid.uuid4().hex[:12])
    for portal in portals:
        row = start_run(db, report.run_id, portal.NAME, now)
        with client_for(portal) as client:
            result = run_portal(
                portal,
                client,
                base_url=getattr(client, "endpoint", None),
                progress=(lambda n, name=portal.NAME: progress(name, n)) if progress else None,
                config=sources.get(portal.NAME),
            )
        result.calls = [enriched(call) for call in result.calls]
        allow_empty = bool((sources.get(portal.NAME) or {}).get("allow_empty", False))
        summary = save_result(db, portal.NAME, result, now, run_row=row, run_id=report.run_id,
                              allow_empty=allow_empty)  # fmt: skip
        report.summaries.append(summary)
    dedupe(db)
    return report


def rank(
    db: sqlite_utils.Database,
    themes: ThemeConfig,
    config: RankingConfig,
    now: datetime,
    progress: Callable[[int], None] | None = None,
    embedder: Embedder | None = None,
) -> RankReport:
    """Bring the stored scores up to date (embedding only new or changed texts).

    `embedder` may be passed when the caller already loaded the configuration's model.
    """
    with writing(db, "matcher rank", now):
        embedder = embedder if embedder is not None else load_embedder(config)
        return rank_calls(db, themes, config, now, embedder=embedder, progress=progress)


def digests(
    db: sqlite_utils.Database,
    settings: DigestSettings,
    connect: Callable[[], smtplib.SMTP],
    now: datetime,
    *,
    operator: bool = True,
) -> DigestReport:
    """Send the partners' due digests (and the operators' one): never an item twice, never
    one lost (see matcher.digest.run). `connect` opens the SMTP connection when one is due."""
    with writing(db, "matcher digest", now):
        return run_digests(db, settings, connect, now, operator=operator)


@dataclass
class WeeklyReport:
    """What the weekly job did: the scrape, the ranking, the digests, new matches per theme."""

    scrape: ScrapeReport
    rank: RankReport
    digests: DigestReport
    new_matches: dict[str, int]

    @property
    def exit_status(self) -> int:
        """0 all well; 1 a portal failed; 4 a digest could not be sent; 3 a listing was
        suspect: the most serious in that order."""
        statuses = {summary.status for summary in self.scrape.summaries}
        if statuses & {"failed", "incomplete"}:
            return 1
        if self.digests.failed:
            return 4
        return 3 if "suspect" in statuses else 0


def weekly(
    db: sqlite_utils.Database,
    portals: Sequence[Portal],
    client_for: ClientFor,
    sources: dict[str, dict[str, Any]],
    themes: ThemeConfig,
    ranking: RankingConfig,
    settings: DigestSettings,
    connect: Callable[[], smtplib.SMTP],
    now: datetime,
    *,
    embedder: Embedder | None = None,
    progress: ScrapeProgress | None = None,
) -> WeeklyReport:
    """Scrape every portal, rank what changed, send the digests that are due, under one
    writing lock (a second weekly run gets LockBusy naming this one)."""
    with writing(db, "matcher weekly", now):
        scraped = scrape(db, portals, client_for, sources, now, progress)
        ranked = rank(db, themes, ranking, now, embedder=embedder)
        sent = run_digests(db, settings, connect, now)
    matches = {theme: len(rows) for theme, rows in new_since(db, sent.listing, now).items()}
    return WeeklyReport(scraped, ranked, sent, matches)


def import_calls(db: sqlite_utils.Database, calls: Iterable[Call], now: datetime) -> dict[str, int]:
    """Store calls from a file (never marks anything vanished), then fold duplicates."""
    with writing(db, "matcher import", now):
        counts = upsert_calls(db, calls, now)
        dedupe(db)
    return counts


def dedupe(db: sqlite_utils.Database) -> int:
    """Recompute which stored calls are copies of another portal's, by portal priority."""
    return apply_dedupe(db, dedupe_priority())


def load_snapshot(db: sqlite_utils.Database, snapshot: Path) -> tuple[datetime, ScrapeReport]:
    """Load a recorded snapshot through the real scrapers, as of its capture date.

    Portals listed in snapshot.toml are replayed from their recorded responses; the import
    files (real listings converted to the import format) then add the calls the recordings
    lack, without overwriting what a scraper read; shipped vectors spare the embedding.
    """
    meta = _read_snapshot_meta(snapshot)
    as_of = parse_iso(meta["as_of"])
    if as_of is None or as_of.tzinfo is None:
        raise ConfigError(f"{snapshot / 'snapshot.toml'}: as_of must be an ISO instant with offset")
    with writing(db, "matcher demo", as_of):
        return _load_snapshot(db, snapshot, meta, as_of)


def _load_snapshot(
    db: sqlite_utils.Database, snapshot: Path, meta: dict[str, Any], as_of: datetime
) -> tuple[datetime, ScrapeReport]:
    portals = [PORTALS[name] for name in meta["portals"]]
    report = scrape(db, portals, lambda _: replay_client(snapshot),
                    load_sources(snapshot / "sources.toml", portal_settings(), check_site),
                    as_of)  # fmt: skip
    have = call_ids(db)
    for name in meta.get("imports", []):
        parsed = read_import_file(snapshot / name)
        import_calls(db, [c for c in parsed.calls if c.id not in have], as_of)
    for cache in sorted(snapshot.glob("vectors-*.npz")):
        # Vectors of the snapshot's texts, computed once by tools/build_snapshot_vectors.py:
        # ranking the demo then embeds only what changed since.
        import_vectors(db, cache)
    set_meta(db, "as_of", as_of.isoformat())
    return as_of, report


def _read_snapshot_meta(snapshot: Path) -> dict[str, Any]:
    path = snapshot / "snapshot.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
