"""Commands on calls: scrape the portals, list, show, import."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from matcher import jobs
from matcher.cli.common import (
    client_factory,
    now_option,
    open_existing,
    print_calls_table,
    wanted_statuses,
)
from matcher.importer import read_import_file
from matcher.models import STATUSES
from matcher.normalize.safety import without_controls
from matcher.records import call_to_json
from matcher.sources import load_sources
from matcher.status import compute_status, parse_now
from matcher.store import RunSummary, get_call, load_calls, open_db
from scrapers import PORTALS, portal_settings
from scrapers.base import check_site


@click.command()
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
    help="Save every response and an index.json per portal here (a snapshot to --replay).",
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
    sources = load_sources(sources_file, portal_settings(), check_site)
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
    if replay and record:
        raise click.UsageError("--record and --replay exclude each other")
    client_for = client_factory(base_url, replay, record)
    db = open_db(obj["db_path"])
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                        TextColumn("{task.completed} items"), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True)  # fmt: skip
    with progress:
        tasks: dict[str, TaskID] = {}

        def advance(portal: str, items: int) -> None:
            if portal not in tasks:
                tasks[portal] = progress.add_task(portal, total=None)
            progress.update(tasks[portal], advance=items)

        report = jobs.scrape(db, [PORTALS[n] for n in names], client_for, sources, now, advance)
    print_summary(report.summaries)
    for summary in report.summaries:
        for warning in summary.warnings:
            click.echo(f"Warning: {warning}", err=True)
    for summary in report.failed:
        first = summary.errors[0] if summary.errors else summary.status
        click.echo(
            f"Error: {summary.portal}: {first.removeprefix(summary.portal + ': ')}", err=True
        )
    if report.failed:
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


def print_summary(summaries: list[RunSummary]) -> None:
    table = Table(title="Scrape summary")
    for column in ("portal", "fetched", "new", "changed", "vanished", "errors", "status"):
        table.add_column(column, justify="right" if column not in ("portal", "status") else "left")
    for s in summaries:
        table.add_row(
            s.portal, str(s.fetched), str(s.new), str(s.changed), str(s.vanished),
            str(len(s.errors)), s.status,
        )  # fmt: skip
    Console().print(table)


@click.command("calls")
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
    wanted = wanted_statuses(statuses)
    db = open_existing(obj["db_path"])
    loaded = load_calls(db)
    if portal and portal not in PORTALS and portal not in {c.portal for c, _ in loaded}:
        known = sorted(set(PORTALS) | {c.portal for c, _ in loaded})
        raise click.UsageError(f"unknown portal {portal!r}; known: {', '.join(known)}")
    rows = []
    for call, history in loaded:
        if portal and call.portal != portal:
            continue
        if wanted and compute_status(call, now) not in wanted:
            continue
        rows.append(call_to_json(call, history, now, who_may_apply=as_json))
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    print_calls_table(rows)


@click.command()
@click.argument("call_id")
@click.option("--json", "as_json", is_flag=True)
@now_option
@click.pass_obj
def show(obj: dict, call_id: str, as_json: bool, now_text: str | None) -> None:
    """Show one call in full."""
    db = open_existing(obj["db_path"])
    found = get_call(db, call_id)
    if found is None:
        raise click.ClickException(f"no call with id {call_id!r}")
    row = call_to_json(*found, parse_now(now_text))
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False, indent=1))
        return
    for key, value in row.items():
        if key != "text":
            click.echo(f"{key:>22}: {without_controls(str(value))}")
    click.echo(f"\n{without_controls(row['text'])}")


@click.command("import")
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
    if not parsed.calls:
        raise click.ClickException(
            f"nessun bando importato da {file}: {len(parsed.rejected)} righe rifiutate"
        )
    db = open_db(obj["db_path"])
    counts = jobs.import_calls(db, parsed.calls, parse_now(now_text))
    click.echo(
        f"{len(parsed.calls)} calls read: {counts['new']} new, {counts['changed']} changed, "
        f"{counts['same']} unchanged; {len(parsed.rejected)} rejected."
    )
