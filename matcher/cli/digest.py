"""`matcher digest`: the partners' e-mail digests, previewed (--dry-run) or sent over SMTP; and
the settings every digest-sending command reads first."""

from __future__ import annotations

import os
import sys
from email.utils import parseaddr
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from matcher import config, jobs
from matcher.app.context import app_url_from_env
from matcher.cli.common import open_existing, plain, reading_time
from matcher.cli.ranking import ranking_options
from matcher.digest.render import MailContext
from matcher.digest.run import DigestReport, DigestSettings, Prepared, prepare, selected
from matcher.digest.smtp import SmtpSettings, connect, smtp_settings
from matcher.errors import ConfigError
from matcher.normalize.safety import web_link
from matcher.partners import check_sender, load_partners
from matcher.ranking.freshness import freshness
from matcher.ranking.themes import ThemeConfig, load_themes


class ConfigProblem(click.ClickException):
    """A setting the command cannot run without: exit 2, like a usage error, before anything."""

    exit_code = 2


def partners_option(function):  # type: ignore[no-untyped-def]
    kind = click.Path(dir_okay=False, exists=True, path_type=Path)
    return click.option("--partners", "partners_file", type=kind, help="Partners file (env "
                        "MATCHER_PARTNERS; default MATCHER_HOME/partners.toml, else the bundled "
                        "example).")(function)  # fmt: skip


def digest_settings(
    partners_file: Path | None, themes: ThemeConfig, ranking_key: str, only: str = ""
) -> DigestSettings:
    """The partners, the sender (MATCHER_MAIL_FROM, else [digest] sender) and the app's address
    (MATCHER_APP_URL), checked: a ConfigError before anything is read or sent."""
    partners = load_partners(tuple(themes.themes), partners_file)
    sender = os.environ.get("MATCHER_MAIL_FROM", "").strip()
    if sender:
        sender = check_sender(sender, "MATCHER_MAIL_FROM")
    sender = sender or partners.sender
    if not sender:
        raise ConfigError(f"no sender for the digests: set MATCHER_MAIL_FROM, or [digest] sender "
                          f"in {partners.path}")  # fmt: skip
    app_url = app_url_from_env()
    if app_url and not web_link(app_url):
        raise ConfigError(f"MATCHER_APP_URL={app_url!r} must be an http(s) address")
    contact = partners.operators[0] if partners.operators else parseaddr(sender)[1]
    labels = {key: theme.label for key, theme in themes.themes.items()}
    settings = DigestSettings(partners, ranking_key, MailContext(sender, app_url, labels, contact),
                              only)  # fmt: skip
    if only and not selected(partners, only):
        known = ", ".join(f"{p.key} ({p.name})" for p in partners.partners.values())
        raise click.UsageError(f"no partner {only!r} in {partners.path}; known: {known}")
    return settings


def smtp_from_env() -> SmtpSettings:
    return smtp_settings(os.environ)


@click.command("digest")
@click.option("--partner", "only", default="", help="Only this partner (key or name).")
@click.option("--dry-run", is_flag=True, help="Write the .eml files and print a preview; send "
              "nothing, record nothing.")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="With --dry-run: "
              "where the .eml files go (default: ./digest-<date>).")  # fmt: skip
@click.option("--now", "now_text", help="Read as of this ISO 8601 instant (default: the store's "
              "data-as-of date for the demo, else now).")  # fmt: skip
@partners_option
@ranking_options
@click.pass_obj
def digest_command(
    obj: dict, only: str, dry_run: bool, out: Path | None, now_text: str | None,
    partners_file: Path | None, themes_file: Path | None, method: str | None, model: str | None,
) -> None:  # fmt: skip
    """The partners' digests of what is due: closing soon, new, updated. Exit status 4 when one
    could not be sent (it stays pending for the next run)."""
    if out and not dry_run:
        raise click.UsageError("--out goes with --dry-run (what is sent is in the ledger)")
    try:
        themes = load_themes(themes_file)
        ranking = config.ranking_config(method, model)
        settings = digest_settings(partners_file, themes, ranking.key, only)
        smtp = None if dry_run else smtp_from_env()
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from exc
    db = open_existing(obj["db_path"])
    now = reading_time(db, now_text)
    for theme in sorted({t for p in selected(settings.partners, only) for t in p.themes}):
        state = freshness(db, themes, theme, ranking)
        if state.stale:
            click.echo(f"Attenzione ({theme}): {state.message()}", err=True)
    for line in settings.partners.rejected:
        click.echo(f"Rejected: {line}", err=True)
    if smtp is None:
        prepared, _ = prepare(db, settings, now)
        folder = out or Path(f"digest-{now:%Y-%m-%d}")
        print_preview(prepared, write_eml(prepared, folder))
        return
    report = jobs.digests(db, settings, lambda: connect(smtp), now, operator=not only)
    print_outcomes(report)
    if report.failed:
        sys.exit(4)


def write_eml(prepared: list[Prepared], folder: Path) -> dict[str, Path]:
    """One <partner>.eml per e-mail due: opens in any mail client."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for item in prepared:
        if item.message is not None:
            path = folder / f"{item.partner.key}.eml"
            path.write_bytes(bytes(item.message))
            written[item.partner.key] = path
    return written


def print_preview(prepared: list[Prepared], files: dict[str, Path]) -> None:
    for item in prepared:
        name = item.partner.name
        if not item.recipients:
            click.echo(f"{name}: every address opted out: nothing to send.")
            continue
        if item.message is None or item.digest is None:
            click.echo(f"{name}: nothing new: no e-mail.")
            continue
        click.echo(f"\n{name} → {', '.join(item.recipients)}  ({files[item.partner.key]})")
        click.echo(f"  Subject: {item.message['Subject']}")
        for section, items in item.digest.sections.items():
            click.echo(f"  {section}:")
            for entry in items:
                click.echo(f"    - {plain(entry.row['title'][:100])}")
        for theme, n in item.digest.rest.items():
            click.echo(f"    … {n} more for {theme}, linked to the app")
    click.echo("\nDry run: nothing sent, nothing recorded.")


def print_outcomes(report: DigestReport) -> None:
    table = Table(title="Digests")
    for column in ("partner", "outcome", "calls", "withdrawn", "note"):
        table.add_column(column)
    for o in report.outcomes:
        note = o.error or (f"refused: {', '.join(o.refused)}" if o.refused else o.message_id)
        table.add_row(o.name, o.state, str(o.items), str(o.withdrawn), plain(note))
    table.add_row("(operators)", report.operator, "", "", "")
    Console(width=max(Console().width, 120)).print(table)
    for message in report.unknown:
        click.echo(f"Warning: the digest {message['message_id']} to {message['partner']} was cut "
                   "off after the server may have accepted it: sent again with the same "
                   "Message-ID (it may arrive twice)", err=True)  # fmt: skip
    for line in report.rejected:
        click.echo(f"Error: not sent, partners.toml entry rejected: {line}", err=True)
    for o in report.outcomes:
        if o.state == "failed":
            click.echo(f"Error: digest to {o.name} not sent (kept pending): {o.error}", err=True)
