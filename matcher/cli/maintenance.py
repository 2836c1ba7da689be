"""Keeping the store safe: `matcher backup` and `matcher restore`."""

from __future__ import annotations

from pathlib import Path

import click

from matcher.cli.common import now_option
from matcher.status import parse_now
from matcher.store.backup import backup, restore


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup_command(obj: dict, target: Path) -> None:
    """Write a consistent copy of the store to TARGET (safe while the app or a job runs)."""
    counts = backup(Path(obj["db_path"]), target)
    click.echo(f"Copia salvata in {target}: {counts['calls']} bandi, {counts['reviews']} "
               f"decisioni, {counts['runs']} esecuzioni.")  # fmt: skip


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@now_option
@click.pass_obj
def restore_command(obj: dict, source: Path, now_text: str | None) -> None:
    """Put the backup SOURCE in place of the store, after checking it (the store as it was is
    kept beside it as <db>.before-restore.bak)."""
    path = Path(obj["db_path"])
    counts = restore(path, source, parse_now(now_text))
    click.echo(f"Ripristinato {path} da {source}: {counts['calls']} bandi, "
               f"{counts['reviews']} decisioni.")  # fmt: skip
