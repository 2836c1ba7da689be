"""What the commands share: the --now option, settings turned into clients, tables."""

from __future__ import annotations

import functools
import ssl
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
import httpx
import sqlite_utils
from rich.console import Console
from rich.table import Table
from rich.text import Text

from matcher import config
from matcher.app.context import reading_now
from matcher.errors import ConfigError
from matcher.models import STATUS_LABELS, STATUSES
from matcher.normalize.safety import without_controls
from matcher.status import parse_now
from matcher.store import get_meta, open_db
from scrapers.base import Portal
from scrapers.http import PortalClient, make_client
from scrapers.recording import RecordingTransport, replay_client

THEMES_HELP = "Themes file (default: MATCHER_HOME/themes.toml, else the bundled one)."


def now_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--now", "now_text", help="Pretend the current time is this ISO 8601 instant."
    )(function)


def themes_option(function: Callable[..., Any]) -> Callable[..., Any]:
    themes = click.Path(dir_okay=False, exists=True, path_type=Path)
    return click.option("--themes", "themes_file", type=themes, help=THEMES_HELP)(function)


def client_factory(
    base_url: str | None = None, replay: Path | None = None, record: Path | None = None
) -> Callable[[Portal], PortalClient]:
    """How each portal is reached: replayed from a snapshot, or live with the deployment's
    politeness settings; the endpoint is --base-url, else MATCHER_<PORTAL>_URL (not for replays:
    a snapshot is the recorded portals), else the portal's own."""
    settings = {} if replay else config.http_settings()

    def client_for(portal: Portal) -> PortalClient:
        endpoint = None
        if not getattr(portal, "SITES_CONFIGURED", False):
            endpoint = base_url or (None if replay else config.portal_url_from_env(portal.NAME))
        if endpoint and not endpoint.startswith(("http://", "https://")):
            raise ConfigError(f"the URL for {portal.NAME} must start with http:// or https://: "
                              f"{endpoint!r}")  # fmt: skip
        if replay:
            return replay_client(replay, endpoint=endpoint)
        # One folder per portal, as a snapshot keeps them: --replay reads */index.json.
        inner = httpx.HTTPTransport(verify=_tls_context())
        transport = RecordingTransport(inner, record / portal.NAME) if record else inner
        return make_client(transport=transport, endpoint=endpoint, **settings)

    return client_for


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One certificate store for every portal's client: loading it takes a tenth of a second."""
    return httpx.create_ssl_context()


def open_existing(path: Path) -> sqlite_utils.Database:
    """The store at `path` for a command that reads it: a missing file is a mistyped path or a
    store never filled, not an empty store, and creating one would hide that."""
    if not Path(path).exists():
        raise click.ClickException(
            f"no database at {path}: check --db / MATCHER_DB, or make one with `matcher scrape` "
            "(or `matcher demo` to try the tool)"
        )
    return open_db(path)


def reading_time(
    db: sqlite_utils.Database, now_text: str | None, now: datetime | None = None
) -> datetime:
    """--now when given; else, as in the app, the store's data-as-of date (the demo store reads
    as of its data date), else `now` (default: the current time)."""
    if now_text:
        return parse_now(now_text)
    return reading_now(get_meta(db, "as_of"), now or parse_now(None))[0]


def wanted_statuses(statuses: str | None) -> set[str]:
    """The --status option's comma-separated statuses; empty when not given."""
    wanted = {s.strip() for s in (statuses or "").split(",") if s.strip()}
    unknown = wanted - set(STATUSES)
    if unknown:
        raise click.UsageError(f"unknown status {', '.join(sorted(unknown))}")
    return wanted


def deadline_label(row: dict) -> str:
    """The next deadline in the source's zone: `31/12/2026 13:00`, or the date alone when the
    source gave no time."""
    if not row["next_deadline"]:
        return ""
    local = parse_now(row["next_deadline"]).astimezone(ZoneInfo(row["tz"]))
    return f"{local:%d/%m/%Y %H:%M}" if row["deadline_time_known"] else f"{local:%d/%m/%Y}"


def plain(value: object) -> Text:
    """Scraped text for the terminal: never markup ([link=…], [/x]), never control sequences."""
    return Text(without_controls(str(value)))


def print_calls_table(rows: list[dict]) -> None:
    table = Table(title=f"{len(rows)} bandi")
    for column in ("stato", "prossima scadenza", "giorni", "titolo", "id"):
        table.add_column(column, overflow="fold")
    for row in rows:
        days = "" if row["days_to_deadline"] is None else str(row["days_to_deadline"])
        table.add_row(STATUS_LABELS["it"][row["status"]], deadline_label(row), days,
                      plain(row["title"][:90]), plain(row["id"]))  # fmt: skip
    Console(width=max(Console().width, 140)).print(table)


def print_shortlist(label: str, rows: list[dict]) -> None:
    table = Table(title=f"{label}: {len(rows)} bandi", show_lines=True)
    for column in ("#", "punteggio", "stato", "giorni", "bando", "perché"):
        table.add_column(column, overflow="fold")
    for row in rows:
        e = row["explanation"]
        days = "" if row["days_to_deadline"] is None else str(row["days_to_deadline"])
        why = (f"parole chiave: {', '.join(e['keywords'][:6]) or '—'}\n"
               f"{e['eligibility']['note']}\n«{e['passage'][:220]}»")  # fmt: skip
        call = plain(f"{row['title']}\n{row['id']} · {row['territory']}")
        table.add_row(str(row["rank"]), f"{row['score']:.0f}", STATUS_LABELS["it"][row["status"]],
                      days, call, plain(why))  # fmt: skip
    Console(width=max(Console().width, 150)).print(table)
