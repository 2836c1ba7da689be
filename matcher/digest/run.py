"""Preparing the digests (read, build, render) and delivering them under the ledger's protocol.

Each e-mail and its items are written pending before its SMTP transaction, the e-mail marked
`sending` just before it and sent just after: a failure leaves the items pending for the next
run, and only a crash between the server's acceptance and that last write can repeat an e-mail
(with the same Message-ID), which the next run finds and reports to the operators.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

import sqlite_utils

from matcher.digest.build import PartnerDigest, build_digest
from matcher.digest.operator import (
    OperatorFacts,
    new_matches,
    operator_digest,
    operator_problems,
    problems_key,
)
from matcher.digest.render import MailContext, render_digest
from matcher.digest.smtp import describe, send
from matcher.errors import DigestError
from matcher.normalize.timezones import parse_iso
from matcher.partners import Partner, Partners
from matcher.store import get_meta, recent_runs, set_meta, shortlist_rows
from matcher.store import ledger as stored
from matcher.store.changes import changes_of, changes_since, merged_copies
from matcher.store.people import opted_out
from matcher.store.reviews import reviews_since

OPERATOR_SENT = "operator_digest_at"  # meta: when the last operator digest went out
OPERATOR_PROBLEMS = "operator_digest_problems"  # meta: the problems it reported (their key)


@dataclass(frozen=True)
class DigestSettings:
    """Who gets what: the partners file, the ranking read, the e-mails' context."""

    partners: Partners
    ranking_key: str
    mail: MailContext
    only: str = ""  # one partner (key or name); '' for every partner


@dataclass
class Prepared:
    """A partner's digest, ready to send (`message` is None when there is nothing to say)."""

    partner: Partner
    recipients: list[str]
    digest: PartnerDigest | None
    message: EmailMessage | None


@dataclass
class Outcome:
    """What happened to one partner's digest in this run."""

    key: str
    name: str
    state: str  # sent | failed | nothing | no recipients
    items: int = 0
    message_id: str = ""
    error: str = ""
    refused: list[str] = field(default_factory=list)
    withdrawn: int = 0


@dataclass
class DigestReport:
    """The run's digests: outcomes, e-mails a crash had cut off, rejected partners."""

    outcomes: list[Outcome] = field(default_factory=list)
    unknown: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    operator: str = "nothing to say"  # sent | nothing to say | no operators | failed: …
    listing: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """Something could not be sent: a partner's digest, a rejected entry's, the operators'."""
        return bool(
            self.rejected
            or any(o.state == "failed" for o in self.outcomes)
            or self.operator.startswith("failed")
        )

    def count(self, state: str) -> int:
        return sum(o.state == state for o in self.outcomes)


class Mailer:
    """One SMTP connection for the run, opened when the first e-mail is due. A refused login
    is not tried again for each e-mail (servers lock accounts that insist)."""

    def __init__(self, connect: Callable[[], smtplib.SMTP]) -> None:
        self._connect = connect
        self._smtp: smtplib.SMTP | None = None
        self._failure: DigestError | None = None

    def open(self) -> smtplib.SMTP:
        """The connection; DigestError when it cannot be opened (this run gives up on it)."""
        if self._failure is not None:
            raise self._failure
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except DigestError as exc:
                self._failure = exc
                raise
        return self._smtp

    def send(self, message: EmailMessage, recipients: list[str]) -> list[str]:
        """Raises smtplib.SMTPException or OSError when the server did not take it."""
        try:
            return send(message, self.open(), recipients)
        except (smtplib.SMTPServerDisconnected, OSError):
            self._smtp = None  # the next e-mail opens a new connection
            raise

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


def selected(partners: Partners, only: str) -> list[Partner]:
    """Every partner, or the one whose key or name is `only`."""
    wanted = only.strip().casefold()
    return [p for p in partners.partners.values()
            if not wanted or wanted in (p.key.casefold(), p.name.casefold())]  # fmt: skip


def prepare(
    db: sqlite_utils.Database, settings: DigestSettings, now: datetime
) -> tuple[list[Prepared], dict[str, list[dict[str, Any]]]]:
    """Every selected partner's digest, built and rendered, and the listing it came from:
    reads the store, writes nothing (a dry run is exactly this)."""
    partners = selected(settings.partners, settings.only)
    themes = sorted({t for p in settings.partners.partners.values() for t in p.themes})
    listing = {t: shortlist_rows(db, t, settings.ranking_key, now) for t in themes}
    listed = [row["id"] for rows in listing.values() for row in rows]
    history, copies = changes_of(db, listed), merged_copies(db, listed)
    prepared = []
    for partner in partners:
        out = opted_out(db, list(partner.emails))
        recipients = [e for e in partner.emails if e not in out]
        if not recipients:
            prepared.append(Prepared(partner, [], None, None))
            continue
        sent_at = stored.last_sent_at(db, partner.key)
        digest = build_digest(partner, listing, history, stored.delivered_keys(db, partner.key),
                              now, parse_iso(sent_at) if sent_at else None,
                              settings.partners.first_digest_per_theme, copies)  # fmt: skip
        message = render_digest(digest, recipients, settings.mail) if digest.items else None
        prepared.append(Prepared(partner, recipients, digest, message))
    return prepared, listing


def run_digests(
    db: sqlite_utils.Database,
    settings: DigestSettings,
    connect: Callable[[], smtplib.SMTP],
    now: datetime,
    *,
    operator: bool = True,
) -> DigestReport:
    """Send the due digests (the caller holds the writing lock), then the operator digest."""
    report = DigestReport(unknown=stored.mark_unknown_outcomes(db),
                          rejected=list(settings.partners.rejected))  # fmt: skip
    prepared, report.listing = prepare(db, settings, now)
    mailer = Mailer(connect)
    try:
        report.outcomes = [deliver(db, item, mailer, now) for item in prepared]
        if operator:
            report.operator = _send_operator(db, settings, mailer, report, now)
    finally:
        mailer.close()
    return report


def deliver(db: sqlite_utils.Database, item: Prepared, mailer: Mailer, now: datetime) -> Outcome:
    """One partner's digest under the ledger's protocol."""
    partner = item.partner
    due = {entry.key for entry in item.digest.entries} if item.digest else set()
    outcome = Outcome(partner.key, partner.name, "nothing",
                      withdrawn=stored.withdraw_stale(db, partner.key, due))  # fmt: skip
    if not item.recipients:
        outcome.state = "no recipients"
        return outcome
    if item.message is None or item.digest is None:
        return outcome
    message_id = str(item.message["Message-ID"])
    outcome.items, outcome.message_id = len(item.digest.items), message_id
    stored.record_pending(db, partner.key, message_id, item.recipients,
                          str(item.message["Subject"]), item.digest.entries, now)  # fmt: skip
    try:
        mailer.open()  # before the attempt: a login that fails has sent nothing
        stored.start_attempt(db, message_id, now)
        outcome.refused = mailer.send(item.message, item.recipients)
    except DigestError as exc:
        outcome.state, outcome.error = "failed", str(exc)
    except (smtplib.SMTPException, OSError) as exc:
        outcome.state, outcome.error = "failed", describe(exc)
    if outcome.state == "failed":
        stored.mark_failed(db, message_id, outcome.error)
        return outcome
    stored.mark_sent(db, message_id, now, outcome.refused)
    outcome.state = "sent"
    return outcome


def new_since(
    db: sqlite_utils.Database,
    listing: dict[str, list[dict[str, Any]]],
    since: datetime,
    *,
    inclusive: bool = True,
) -> dict[str, list[dict[str, Any]]]:
    """Per theme, the listed calls first stored at or after `since` (after it, when not
    `inclusive`) at a matching level: the operator digest's and the weekly report's news."""
    new = changes_since(db, since.isoformat(), ("new",), inclusive=inclusive)
    return new_matches(listing, {change.call_id for change in new})


def _send_operator(
    db: sqlite_utils.Database,
    settings: DigestSettings,
    mailer: Mailer,
    report: DigestReport,
    now: datetime,
) -> str:
    """The operator digest, about what happened since the last one; not sent when there is
    nothing to say."""
    operators = list(settings.partners.operators)
    if not operators:
        return "no operators"
    last = get_meta(db, OPERATOR_SENT)
    since = parse_iso(last) if last else now - timedelta(days=7)
    assert since is not None
    labels = settings.mail.theme_labels
    # What the last operator digest reported is not new: changes strictly after it.
    matches = new_since(db, report.listing, since, inclusive=last is None)
    names = {key: partner.name for key, partner in settings.partners.partners.items()}
    sent_since = stored.messages(db, since.isoformat())
    repeats = [{**m, "partner": names.get(m["partner"], m["partner"])}
               for m in sent_since if m["possibly_repeated"]]  # fmt: skip
    facts = OperatorFacts(
        now=now,
        since=since,
        runs=recent_runs(db, limit=200),
        new_per_theme={labels.get(t, t): [r["title"] for r in rows] for t, rows in matches.items()},
        decisions=reviews_since(db, since),
        outcomes=report.outcomes,
        repeats=repeats,
        rejected=report.rejected,
        new_calls=len({row["id"] for rows in matches.values() for row in rows}),
        last_problems=get_meta(db, OPERATOR_PROBLEMS) or "",
    )
    found = operator_digest(facts)
    if found is None:
        return "nothing to say"
    message = _plain_message(found, operators, settings.mail, now)
    try:
        refused = mailer.send(message, operators)
    except DigestError as exc:
        return f"failed: {exc}"
    except (smtplib.SMTPException, OSError) as exc:
        return f"failed: {describe(exc)}"
    set_meta(db, OPERATOR_SENT, now.isoformat())
    set_meta(db, OPERATOR_PROBLEMS, problems_key(operator_problems(facts)))
    return "sent" + (f" (refused: {', '.join(refused)})" if refused else "")


def _plain_message(
    found: tuple[str, str], operators: list[str], mail: MailContext, now: datetime
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = ", ".join(operators)
    message["Subject"] = found[0]
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("operator", parseaddr(mail.sender)[1].rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(found[1])
    return message
