"""`matcher export`: a shortlist view as CSV, Excel or iCalendar: the same files as the app's."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from matcher import config
from matcher.app.context import app_url_from_env
from matcher.cli.common import open_existing, reading_time, themes_option, wanted_statuses
from matcher.exports import FORMATS, ExportContext, export_bytes, file_name
from matcher.models import STATUSES
from matcher.ranking.model_files import default_min_score
from matcher.ranking.themes import load_themes
from matcher.store import shortlist_rows
from matcher.store.shortlist import LISTED_STATUSES, ShortlistFilters

DAY = click.DateTime(["%d/%m/%Y", "%Y-%m-%d"])


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--theme", help="Theme key (default: every theme, one after the other).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: bandi-<theme>-<date>.<format> here).")  # fmt: skip
@click.option("--min-score", type=float, help="Minimum score (default: where the ranking's "
              "'alta pertinenza' starts, as in the app).")  # fmt: skip
@click.option("--status", "statuses", help=f"Comma-separated among {', '.join(STATUSES)} "
              "(default: open, forthcoming, open_ended).")  # fmt: skip
@click.option("--portal", "portals", multiple=True, help="Only this portal (repeatable).")
@click.option("--programme", "programmes", multiple=True, help="Only this programme.")
@click.option("--language", "languages", multiple=True, help="Only calls in it or en.")
@click.option("--territory", default="", help="e.g. Emilia-Romagna, Italia, EU.")
@click.option("--public-bodies", is_flag=True, help="Only calls a public body may apply to.")
@click.option("--deadline-from", type=DAY, help="Next deadline on or after (30/11/2026).")
@click.option("--deadline-to", type=DAY, help="Next deadline on or before.")
@click.option("--text", default="", help="Words in the title, summary or programme.")
@click.option("--sort", type=click.Choice(["score", "deadline"]), default="score")
@click.option("--lang", type=click.Choice(["it", "en"]), default="it", help="Column headers.")
@click.option("--now", "now_text", help="Read as of this ISO 8601 instant (default: the "
              "store's data-as-of date for the demo, else now).")  # fmt: skip
@themes_option
@click.pass_obj
def export_command(
    obj: dict, fmt: str, theme: str | None, output: Path | None, min_score: float | None,
    statuses: str | None, portals: tuple[str, ...], programmes: tuple[str, ...],
    languages: tuple[str, ...], territory: str, public_bodies: bool,
    deadline_from: datetime | None, deadline_to: datetime | None, text: str, sort: str,
    lang: str, now_text: str | None, themes_file: Path | None,
) -> None:  # fmt: skip
    """Write the shortlist of a theme (or of all themes), filtered as in the app."""
    themes = load_themes(themes_file)
    if theme and theme not in themes.themes:
        raise click.UsageError(f"unknown theme {theme!r}; themes: {', '.join(themes.themes)}")
    wanted = wanted_statuses(statuses) or LISTED_STATUSES
    db = open_existing(obj["db_path"])
    ranking = config.ranking_config()
    now = reading_time(db, now_text)
    filters = ShortlistFilters(
        statuses=frozenset(wanted), portals=frozenset(portals),
        min_score=default_min_score(ranking) if min_score is None else min_score,
        programmes=frozenset(programmes), languages=frozenset(languages), territory=territory,
        public_bodies_only=public_bodies,
        deadline_from=deadline_from.date() if deadline_from else None,
        deadline_to=deadline_to.date() if deadline_to else None, text=text, sort=sort,
    )  # fmt: skip
    key = ranking.key
    rows = [row for t in ([theme] if theme else list(themes.themes))
            for row in shortlist_rows(db, t, key, now, filters)]  # fmt: skip
    labels = {k: v.label for k, v in themes.themes.items()}
    ctx = ExportContext(labels, lang, app_url_from_env())
    target = output or Path(file_name(fmt, theme, now))
    target.write_bytes(export_bytes(fmt, rows, ctx, now))
    click.echo(f"{len(rows)} bandi scritti in {target}.")
