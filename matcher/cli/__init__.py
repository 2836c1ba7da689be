"""The `matcher` command: reads settings, wires jobs and readers together, prints cleanly."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from matcher import config
from matcher.cli.app import app_command
from matcher.cli.calls import calls_command, import_command, scrape, show
from matcher.cli.demo import demo
from matcher.cli.digest import digest_command
from matcher.cli.export import export_command
from matcher.cli.maintenance import backup_command, restore_command
from matcher.cli.partners import partners_group
from matcher.cli.ranking import eval_command, rank_command, review_command, shortlist_command
from matcher.cli.weekly import weekly_command
from matcher.errors import MatcherError


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
    """Territorio Smart Matcher: EU and Italian funding calls for the working group's themes."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = {"db_path": db_path or config.default_db()}


for _command in (
    scrape, calls_command, show, import_command, rank_command, shortlist_command,
    review_command, eval_command, demo, backup_command, restore_command, app_command,
    export_command, weekly_command, digest_command, partners_group,
):  # fmt: skip
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="matcher")
