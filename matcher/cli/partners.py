"""`matcher partners`: check partners.toml, list who gets digests, record opt-outs, and erase a
person from the store."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from matcher.cli.common import now_option, open_existing, themes_option
from matcher.cli.digest import partners_option
from matcher.partners import EMAIL, Partners, load_partners, partners_path
from matcher.ranking.themes import load_themes
from matcher.status import parse_now
from matcher.store.ledger import last_sent_at
from matcher.store.people import forget, opt_in, opt_out, opted_out


def _load(partners_file: Path | None, themes_file: Path | None) -> Partners:
    return load_partners(tuple(load_themes(themes_file).themes), partners_file)


@click.group("partners")
def partners_group() -> None:
    """The partner institutions of partners.toml, their digests and their personal data."""


@partners_group.command("check")
@partners_option
@themes_option
def check_command(partners_file: Path | None, themes_file: Path | None) -> None:
    """Check partners.toml: one line per rejected entry (file, line, reason); exit 1 if any."""
    partners = _load(partners_file, themes_file)
    for line in partners.rejected:
        click.echo(f"Rejected: {line}", err=True)
    counts = (len(partners.partners), len(partners.operators), len(partners.rejected))
    click.echo(f"{partners.path}: {counts[0]} partners, {counts[1]} operators, {counts[2]} "
               "rejected.")  # fmt: skip
    if partners.rejected:
        sys.exit(1)


@partners_group.command("list")
@partners_option
@themes_option
@click.pass_obj
def list_command(obj: dict, partners_file: Path | None, themes_file: Path | None) -> None:
    """Each partner: addresses (opted-out ones marked), themes, relevance, last digest sent."""
    partners = _load(partners_file, themes_file)
    db = open_existing(obj["db_path"])
    table = Table(title=f"Partners ({partners.path})")
    for column in ("key", "name", "addresses", "themes", "min relevance", "language", "last"):
        table.add_column(column, overflow="fold")
    for p in partners.partners.values():
        out = opted_out(db, list(p.emails))
        emails = [f"{e} (opt-out)" if e in out else e for e in p.emails]
        table.add_row(p.key, p.name, "\n".join(emails), ", ".join(p.themes), p.min_relevance,
                      p.language, (last_sent_at(db, p.key) or "never")[:16])  # fmt: skip
    Console(width=max(Console().width, 120)).print(table)
    for line in partners.rejected:
        click.echo(f"Rejected: {line}", err=True)


@partners_group.command("optout")
@click.argument("email")
@now_option
@click.pass_obj
def optout_command(obj: dict, email: str, now_text: str | None) -> None:
    """Send no more digests to EMAIL (kept as a hash of the address)."""
    _check_address(email)
    recorded = opt_out(open_existing(obj["db_path"]), email, parse_now(now_text))
    click.echo(f"{email}: {'opted out' if recorded else 'already opted out'}; no digest goes to "
               "it any more.")  # fmt: skip


@partners_group.command("optin")
@click.argument("email")
@click.pass_obj
def optin_command(obj: dict, email: str) -> None:
    """Undo an opt-out: EMAIL gets digests again (if partners.toml lists it)."""
    _check_address(email)
    removed = opt_in(open_existing(obj["db_path"]), email)
    click.echo(f"{email}: {'opt-out removed' if removed else 'had not opted out'}.")


@partners_group.command("forget")
@click.argument("who")
@partners_option
@now_option
@click.pass_obj
def forget_command(obj: dict, who: str, partners_file: Path | None, now_text: str | None) -> None:
    """Erase a person (e-mail address or reviewer name) from the store: past digests'
    recipients, decisions' reviewer and notes; an address is also opted out."""
    counts = forget(open_existing(obj["db_path"]), who, parse_now(now_text))
    click.echo(f"{who}: erased from {counts['digests']} digests' recipients, "
               f"{counts['reviews']} decisions (reviewer) and {counts['notes']} notes"
               f"{'; opted out' if counts['optout'] else ''}.")  # fmt: skip
    path = partners_path(partners_file)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if who.strip().casefold() in line.casefold():
            click.echo(f"Still in {path}:{number}: remove it there too (and from backups, "
                       "which keep the store as it was).", err=True)  # fmt: skip


def _check_address(email: str) -> None:
    if not EMAIL.match(email.strip()):
        raise click.UsageError(f"{email!r} is not an e-mail address")
