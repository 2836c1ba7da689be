"""`matcher demo`: the bundled snapshot through the real scrapers, ranked, in its own database."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from matcher import config, jobs
from matcher.cli.calls import print_summary
from matcher.cli.common import print_calls_table, print_shortlist
from matcher.cli.ranking import run_rank
from matcher.models import STATUSES
from matcher.ranking.themes import load_themes
from matcher.records import call_to_json
from matcher.store import ShortlistFilters, fresh_db, load_calls, shortlist_rows


@click.command()
@click.option(
    "--db",
    "demo_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Demo database (default: MATCHER_HOME/demo.db; never the deployment's).",
)
@click.option("--limit", default=40, show_default=True, help="Calls to list.")
def demo(demo_path: Path | None, limit: int) -> None:
    """Offline demo: load the bundled snapshot into the demo database and list open calls."""
    path = demo_path or config.demo_db()
    deployment = os.environ.get("MATCHER_DB") or str(config.default_db())
    if Path(path).resolve() == Path(deployment).expanduser().resolve():
        raise click.UsageError(f"{path} is the deployment's database: the demo rebuilds its own")
    db = fresh_db(path)
    scrapers_log = logging.getLogger("scrapers")
    level = scrapers_log.level
    if not logging.getLogger().isEnabledFor(logging.INFO):
        # The recordings are known to be trimmed (cut strings upstream): their warnings are
        # expected in the demo and shown with -v.
        scrapers_log.setLevel(logging.ERROR)
    try:
        as_of, report = jobs.load_snapshot(db, config.snapshot_dir())
    finally:
        scrapers_log.setLevel(level)
    print_summary(report.summaries)
    rows = [call_to_json(call, history, as_of) for call, history in load_calls(db)]
    counts = {status: sum(r["status"] == status for r in rows) for status in STATUSES}
    click.echo(
        f"Dati al {as_of:%d/%m/%Y} (data as of {as_of.date().isoformat()}): {len(rows)} calls, "
        + ", ".join(f"{n} {status}" for status, n in counts.items() if n)
        + f"\nDemo database: {path}"
    )
    live = [r for r in rows if r["status"] in ("open", "forthcoming", "open_ended")]
    live.sort(key=lambda r: (r["next_deadline"] or "9999", r["id"]))
    print_calls_table(live[:limit])
    click.echo(f"Showing {min(limit, len(live))} of {len(live)} open or forthcoming calls.")
    themes = load_themes()
    ranking = config.ranking_config()
    ranked = run_rank(db, themes, ranking, as_of)
    click.echo(f"Ranked with {ranked.ranking_key} in {ranked.seconds:.0f} s.")
    for key, theme in themes.themes.items():
        print_shortlist(theme.label, shortlist_rows(db, key, ranking.key, as_of,
                                                    ShortlistFilters(limit=5)))  # fmt: skip
    click.echo(
        f"Dati al {as_of:%d/%m/%Y}. Explore: matcher --db {path} shortlist --theme energy "
        f"--now {as_of.isoformat()}"
    )
