"""`matcher demo`: the bundled snapshot through the real scrapers, ranked, in its own database,
then the app on it (`--no-app` for scripts and tests)."""

from __future__ import annotations

import logging
import os
import sys
from datetime import datetime
from pathlib import Path

import click
import sqlite_utils

from matcher import config, jobs
from matcher.cli.app import app_options, serve
from matcher.cli.calls import print_summary
from matcher.cli.common import print_calls_table, print_shortlist
from matcher.cli.ranking import run_rank
from matcher.errors import ConfigError
from matcher.models import STATUS_LABELS, STATUSES
from matcher.normalize.timezones import parse_iso
from matcher.ranking.config import RankingConfig
from matcher.ranking.model_files import level_bounds
from matcher.ranking.themes import ThemeConfig, load_themes
from matcher.records import call_to_json
from matcher.store import ShortlistFilters, fresh_db, get_meta, load_calls, shortlist_rows
from matcher.store.shortlist import RECENTLY_CLOSED_DAYS

PER_THEME = 5


@click.command()
@click.option(
    "--db",
    "demo_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Demo database (default: MATCHER_HOME/demo.db; never the deployment's).",
)
@click.option("--limit", default=0, show_default=True,
              help="Also list this many open calls, nearest deadline first.")  # fmt: skip
@click.option("--no-app", is_flag=True, help="Build and print only; do not start the app.")
@app_options
def demo(demo_path: Path | None, limit: int, no_app: bool, host: str, port: int) -> None:
    """Offline demo: load the bundled snapshot into the demo database, rank it, print each
    theme's best calls and its recently closed Italian calls, then open the app on it."""
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
        _, report = jobs.load_snapshot(db, config.snapshot_dir())
    finally:
        scrapers_log.setLevel(level)
    print_summary(report.summaries)
    # The store says which day the demo pretends it is: whoever builds the snapshot chooses it.
    as_of = parse_iso(get_meta(db, "as_of"))
    if as_of is None or as_of.tzinfo is None:
        raise ConfigError(f"{path}: the demo store has no data-as-of date")
    rows = [call_to_json(c, history, as_of, who_may_apply=False) for c, history in load_calls(db)]
    counts = {status: sum(r["status"] == status for r in rows) for status in STATUSES}
    click.echo(
        f"Dati al {as_of:%d/%m/%Y}: {len(rows)} bandi, "
        + ", ".join(f"{n} {STATUS_LABELS['it'][status]}" for status, n in counts.items() if n)
        + f"\nDatabase della demo: {path}"
    )
    if limit:
        live = [r for r in rows if r["status"] in ("open", "forthcoming", "open_ended")]
        live.sort(key=lambda r: (r["next_deadline"] or "9999", r["id"]))
        print_calls_table(live[:limit])
    themes = load_themes()
    ranking = config.ranking_config()
    ranked = run_rank(db, themes, ranking, as_of)
    click.echo(f"Punteggi calcolati con {ranked.ranking_key} in {ranked.seconds:.0f} s.")
    print_themes(db, themes, ranking, as_of)
    if no_app:
        click.echo(f"Dati al {as_of:%d/%m/%Y}. App: matcher --db {path} app")
        return
    sys.exit(serve(Path(path), host, port, open_browser=True))


def print_themes(
    db: sqlite_utils.Database, themes: ThemeConfig, ranking: RankingConfig, as_of: datetime
) -> None:
    """Each theme's best calls ("alta pertinenza"), then its Italian calls closed in the last
    year above the same score, as the app shows them (their next edition is likely), so that a
    newcomer sees Italian calls even when few are open."""
    high, _ = level_bounds(ranking)
    for name, theme in themes.themes.items():
        best = ShortlistFilters(min_score=high, limit=PER_THEME)
        print_shortlist(theme.label, shortlist_rows(db, name, ranking.key, as_of, best))
        closed = ShortlistFilters(
            min_score=high, languages=frozenset({"it"}),
            closed_within_days=RECENTLY_CLOSED_DAYS, limit=PER_THEME,
        )  # fmt: skip
        print_shortlist(f"{theme.label} — chiusi di recente: prossime edizioni",
                        shortlist_rows(db, name, ranking.key, as_of, closed))  # fmt: skip
