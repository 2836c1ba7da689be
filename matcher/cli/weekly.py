"""`matcher weekly`: the cron job. Scrape every portal, rank, send the due digests, print the run
report; the exit status tells cron what went wrong."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from matcher import config, jobs
from matcher.cli.calls import _portal_names, configured_portals, print_summary
from matcher.cli.common import client_factory, now_option, reading_time
from matcher.cli.digest import (
    ConfigProblem,
    digest_settings,
    partners_option,
    print_outcomes,
    smtp_from_env,
)
from matcher.cli.ranking import ranking_options
from matcher.digest.smtp import connect
from matcher.errors import ConfigError
from matcher.ranking.config import load_embedder
from matcher.ranking.themes import load_themes
from matcher.sources import load_sources
from matcher.status import parse_now
from matcher.store import open_db
from scrapers import PORTALS, portal_settings
from scrapers.base import check_site

EXIT_HELP = ("Exit status: 0 all well; 1 a portal failed; 4 a digest could not be sent; 3 a "
             "listing was suspect (the most serious, in that order); 2 a usage or configuration "
             "error.")  # fmt: skip


@click.command("weekly", epilog=EXIT_HELP)
@click.option("--portal", "portals", help="Comma-separated portal names (default: all).")
@click.option("--replay", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Serve recorded responses from this directory, not the network.")  # fmt: skip
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False, exists=True,
              path_type=Path), help="Sites each portal reads (default: MATCHER_HOME/"
              "sources.toml, else the bundled one).")  # fmt: skip
@partners_option
@ranking_options
@now_option
@click.pass_obj
def weekly_command(
    obj: dict, portals: str | None, replay: Path | None, sources_file: Path | None,
    partners_file: Path | None, themes_file: Path | None, method: str | None,
    model: str | None, now_text: str | None,
) -> None:  # fmt: skip
    """Scrape every portal, rank what changed, send the digests that are due, and print the run
    report (per portal, per theme, digests sent, pending and failed, then every problem)."""
    now = parse_now(now_text)
    try:  # every configuration file and setting, before anything is fetched or written
        themes = load_themes(themes_file)
        sources = load_sources(sources_file, portal_settings(), check_site)
        names = _portal_names(portals)
        if not portals:
            names = configured_portals(names, sources)
        ranking = config.ranking_config(method, model)
        settings = digest_settings(partners_file, themes, ranking.key)
        smtp = smtp_from_env()
        embedder = load_embedder(ranking)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from exc
    for line in settings.partners.rejected:  # said now; the report repeats it
        click.echo(f"Rejected, no digest will go to it: {line}", err=True)
    db = open_db(obj["db_path"])
    now = reading_time(db, now_text, now)  # `now` read before the setup: when the run began
    with Console(stderr=True).status("Weekly run: scraping, ranking, sending digests…"):
        report = jobs.weekly(db, [PORTALS[n] for n in names], client_factory(replay=replay),
                             sources, themes, ranking, settings, lambda: connect(smtp), now,
                             embedder=embedder)  # fmt: skip
    print_summary(report.scrape.summaries)
    print_themes(report.new_matches, {k: t.label for k, t in themes.themes.items()})
    print_outcomes(report.digests)
    digests = report.digests
    click.echo(f"Digests: {digests.count('sent')} sent, {digests.count('failed')} pending after a "
               f"failure, {digests.count('nothing')} with nothing new; operators: "
               f"{digests.operator}. Ranked {report.rank.calls} calls in "
               f"{report.rank.seconds:.1f} s.")  # fmt: skip
    for problem in problems(report):
        click.echo(f"Problem: {problem}", err=True)
    if not settings.mail.app_url:
        click.echo("Warning: MATCHER_APP_URL is not set: the digests carry no links to the app",
                   err=True)  # fmt: skip
    sys.exit(report.exit_status)


def print_themes(matches: dict[str, int], labels: dict[str, str]) -> None:
    table = Table(title="New matches (alta or media pertinenza)")
    table.add_column("theme")
    table.add_column("new matches", justify="right")
    for theme, n in matches.items():
        table.add_row(labels.get(theme, theme), str(n))
    Console().print(table)


def problems(report: jobs.WeeklyReport) -> list[str]:
    """Every problem of the run, whatever the exit status: portals, warnings, digests."""
    found = []
    for summary in report.scrape.summaries:
        if summary.status != "ok":
            errors = summary.errors or [summary.status]
            found += [f"{summary.portal} ({summary.status}): "
                      f"{e.removeprefix(summary.portal + ': ')}" for e in errors]  # fmt: skip
        found += [f"{summary.portal}: {warning}" for warning in summary.warnings]
    digests = report.digests
    found += [f"partners.toml entry rejected, its digest not sent: {r}" for r in digests.rejected]
    found += [f"digest to {o.name} not sent (kept pending): {o.error}"
              for o in digests.outcomes if o.state == "failed"]  # fmt: skip
    found += [f"digest to {o.name}: the server refused {', '.join(o.refused)}"
              for o in digests.outcomes if o.refused]  # fmt: skip
    found += [f"digest to {m['partner']} ({m['message_id']}) was cut off after the server may "
              "have accepted it: sent again with the same Message-ID"
              for m in digests.unknown]  # fmt: skip
    if digests.operator.startswith("failed"):
        found.append(f"operator digest {digests.operator}")
    return found
