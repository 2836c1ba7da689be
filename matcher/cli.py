"""The `matcher` command: wires scrapers, store and output together; prints errors cleanly."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table

from matcher import config
from matcher.cli_rank import (
    eval_command,
    print_shortlist,
    rank_command,
    resolve,
    review_command,
    run_rank,
    shortlist_command,
)
from matcher.dedupe import apply_dedupe
from matcher.errors import MatcherError
from matcher.importer import read_import_file
from matcher.models import STATUSES
from matcher.pipeline import fresh_db, load_snapshot, scrape_into
from matcher.ranking.rank import shortlist
from matcher.ranking.themes import load_themes
from matcher.records import call_to_json
from matcher.sources import load_sources
from matcher.status import compute_status, parse_now
from matcher.store import RunSummary, get_call, load_calls, open_db, upsert_calls
from scrapers import PORTALS


class MatcherGroup(click.Group):
    """Turns MatcherError into a one-line message and exit code 1, without a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MatcherError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=MatcherGroup)
@click.option(
    "--db",
    "db_path",
    envvar="MATCHER_DB",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite database (env MATCHER_DB; default: MATCHER_HOME/matcher.db).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
@click.version_option(package_name="territorio-smart-matcher")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, verbose: bool) -> None:
    """Territorio Smart Matcher: funding calls for the Piacenza working group."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = {"db_path": db_path or config.default_db()}


def now_option(function):  # type: ignore[no-untyped-def]
    return click.option(
        "--now", "now_text", help="Pretend the current time is this ISO 8601 instant."
    )(function)


@cli.command()
@click.option("--portal", "portals", help="Comma-separated portal names (default: all).")
@click.option("--base-url", help="Replace the portal's endpoint (one portal only).")
@click.option(
    "--replay",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Serve recorded responses from this directory instead of the network.",
)
@click.option(
    "--record",
    type=click.Path(file_okay=False, path_type=Path),
    help="Save every response and an index.json here (a new snapshot to --replay later).",
)
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Sites each portal reads (default: MATCHER_HOME/sources.toml, else the bundled one).",
)
@now_option
@click.pass_obj
def scrape(
    obj: dict,
    portals: str | None,
    base_url: str | None,
    replay: Path | None,
    record: Path | None,
    sources_file: Path | None,
    now_text: str | None,
) -> None:
    """Read the portals into the store and print a per-portal summary."""
    now = parse_now(now_text)
    sources = load_sources(sources_file)
    names = _portal_names(portals)
    if not portals:
        names = configured_portals(names, sources)
    if base_url and len(names) != 1:
        raise click.UsageError("--base-url needs exactly one --portal")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise click.UsageError(f"--base-url must be an http(s) URL, got {base_url!r}")
    for name in names:
        if base_url and getattr(PORTALS[name], "SITES_CONFIGURED", False):
            raise click.UsageError(f"{name} reads its sites from sources.toml: no --base-url")
    db = open_db(obj["db_path"])
    if replay and record:
        raise click.UsageError("--record and --replay exclude each other")
    summaries = scrape_into(
        db, names, now, base_url=base_url, replay=replay, record=record, sources=sources
    )
    _print_summary(summaries)
    failed = [s for s in summaries if s.status != "ok"]
    for summary in failed:
        first = summary.errors[0] if summary.errors else summary.status
        click.echo(
            f"Error: {summary.portal}: {first.removeprefix(summary.portal + ': ')}", err=True
        )
    if failed:
        sys.exit(1)


def configured_portals(names: list[str], sources: dict) -> list[str]:
    """The portals a default run reads: list-of-sites portals only when sites are configured."""
    return [
        name
        for name in names
        if not getattr(PORTALS[name], "SITES_CONFIGURED", False)
        or (sources.get(name) or {}).get("sites")
    ]


def _portal_names(portals: str | None) -> list[str]:
    if not portals:
        return list(PORTALS)
    names = [name.strip() for name in portals.split(",") if name.strip()]
    unknown = [name for name in names if name not in PORTALS]
    if unknown:
        raise click.UsageError(f"unknown portal {', '.join(unknown)}; known: {', '.join(PORTALS)}")
    return names


def _print_summary(summaries: list[RunSummary]) -> None:
    table = Table(title="Scrape summary")
    for column in ("portal", "fetched", "new", "changed", "vanished", "errors", "status"):
        table.add_column(column, justify="right" if column not in ("portal", "status") else "left")
    for s in summaries:
        table.add_row(
            s.portal, str(s.fetched), str(s.new), str(s.changed), str(s.vanished),
            str(len(s.errors)), s.status,
        )  # fmt: skip
    Console().print(table)


@cli.command("calls")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--status", "statuses", help=f"Comma-separated, among {', '.join(STATUSES)}.")
@click.option("--portal", help="Only calls from this portal.")
@now_option
@click.pass_obj
def calls_command(
    obj: dict, as_json: bool, statuses: str | None, portal: str | None, now_text: str | None
) -> None:
    """List stored calls (every status unless --status is given)."""
    now = parse_now(now_text)
    wanted = _statuses(statuses)
    db = open_db(obj["db_path"])
    rows = []
    for call, history in load_calls(db):
        if portal and call.portal != portal:
            continue
        if wanted and compute_status(call, now) not in wanted:
            continue
        rows.append(call_to_json(call, history, now))
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    print_calls_table(rows)


def _statuses(statuses: str | None) -> set[str]:
    wanted = {s.strip() for s in (statuses or "").split(",") if s.strip()}
    unknown = wanted - set(STATUSES)
    if unknown:
        raise click.UsageError(f"unknown status {', '.join(sorted(unknown))}")
    return wanted


def print_calls_table(rows: list[dict]) -> None:
    table = Table(title=f"{len(rows)} calls")
    for column in ("status", "next deadline", "days", "title", "id"):
        table.add_column(column, overflow="fold")
    for row in rows:
        days = "" if row["days_to_deadline"] is None else str(row["days_to_deadline"])
        table.add_row(row["status"], deadline_label(row), days, row["title"][:90], row["id"])
    Console(width=max(Console().width, 140)).print(table)


def deadline_label(row: dict) -> str:
    """The next deadline in the source's zone: `31/12/2026 13:00`, or the date alone when the
    source gave no time."""
    if not row["next_deadline"]:
        return ""
    local = parse_now(row["next_deadline"]).astimezone(ZoneInfo(row["tz"]))
    return f"{local:%d/%m/%Y %H:%M}" if row["deadline_time_known"] else f"{local:%d/%m/%Y}"


@cli.command()
@click.argument("call_id")
@click.option("--json", "as_json", is_flag=True)
@now_option
@click.pass_obj
def show(obj: dict, call_id: str, as_json: bool, now_text: str | None) -> None:
    """Show one call in full."""
    db = open_db(obj["db_path"])
    found = get_call(db, call_id)
    if found is None:
        raise click.ClickException(f"no call with id {call_id!r}")
    row = call_to_json(*found, parse_now(now_text))
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False, indent=1))
        return
    for key, value in row.items():
        if key != "text":
            click.echo(f"{key:>22}: {value}")
    click.echo(f"\n{row['text']}")


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@now_option
@click.pass_obj
def import_command(obj: dict, file: Path, now_text: str | None) -> None:
    """Load calls from JSON Lines or CSV with the `calls --json` field names."""
    parsed = read_import_file(file)
    if parsed.unknown_columns:
        click.echo(
            f"Warning: ignored unknown columns: {', '.join(parsed.unknown_columns)}", err=True
        )
    for message in parsed.rejected:
        click.echo(f"Rejected: {message}", err=True)
    db = open_db(obj["db_path"])
    counts = upsert_calls(db, parsed.calls, parse_now(now_text))
    apply_dedupe(db)
    click.echo(
        f"{len(parsed.calls)} calls read: {counts['new']} new, {counts['changed']} changed, "
        f"{counts['same']} unchanged; {len(parsed.rejected)} rejected."
    )


@cli.command()
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
        as_of, summaries = load_snapshot(db, config.snapshot_dir())
    finally:
        scrapers_log.setLevel(level)
    _print_summary(summaries)
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
    method, embedder = resolve(None, None)
    report = run_rank(db, themes, method, embedder)
    click.echo(f"Ranked with {report.method} in {report.seconds:.0f} s.")
    for key, theme in themes.themes.items():
        print_shortlist(theme.label, shortlist(db, key, report.method, as_of, limit=5))
    click.echo(
        f"Dati al {as_of:%d/%m/%Y}. Explore: matcher --db {path} shortlist --theme energy "
        f"--now {as_of.isoformat()}"
    )


for _command in (rank_command, shortlist_command, review_command, eval_command):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="matcher")
