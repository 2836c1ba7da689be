"""The digest ledger: what was sent to whom and when, so nothing is lost and nothing repeated.

One row per (partner, call, section, version), written `pending` with its e-mail before the
SMTP transaction and `sent` after it; one row per e-mail (its Message-ID) whose state says how
far it got: pending → sending → sent, or failed (its items stay pending for the next run).
An e-mail found `sending` when a run starts was cut off by a crash after the server may have
accepted it: it is marked `unknown`, and sending its items again may repeat it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from matcher.store.db import query, transaction

# (call id, section, version): with the partner, the ledger's key
LedgerKey = tuple[str, str, int]


@dataclass(frozen=True)
class LedgerEntry:
    """One item of an e-mail: shown in its body, or only counted (a first digest's rest)."""

    key: LedgerKey
    theme: str
    shown: bool


def delivered_keys(db: sqlite_utils.Database, partner: str) -> set[LedgerKey]:
    """The keys already sent to a partner."""
    rows = db.execute(
        "SELECT call_id, section, version FROM digest_ledger WHERE partner = ? AND state = 'sent'",
        [partner],
    ).fetchall()
    return {(call_id, section, int(version)) for call_id, section, version in rows}


def last_sent_at(db: sqlite_utils.Database, partner: str) -> str | None:
    """When the partner's latest digest was sent (ISO 8601), None before the first."""
    row = db.execute(
        "SELECT MAX(sent_at) FROM digest_messages WHERE partner = ? AND state = 'sent'", [partner]
    ).fetchone()
    return row[0] if row else None


def mark_unknown_outcomes(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """E-mails a crash left `sending`: marked `unknown` (the server may have accepted them) and
    returned, for the operator's report. Their items are still pending."""
    with transaction(db):
        rows = query(db, "SELECT * FROM digest_messages WHERE state = 'sending' ORDER BY rowid")
        db.execute("UPDATE digest_messages SET state = 'unknown' WHERE state = 'sending'")
    return [_decoded(row) for row in rows]


def record_pending(
    db: sqlite_utils.Database,
    partner: str,
    message_id: str,
    recipients: list[str],
    subject: str,
    entries: list[LedgerEntry],
    now: datetime,
) -> None:
    """Write an e-mail and its items as pending, in one transaction, before it is sent.

    Items still pending from an earlier e-mail move to this one (an e-mail left with none is
    `superseded`). An e-mail whose earlier attempt may have been delivered (`unknown`) and is
    built again with the same items keeps its Message-ID and is flagged as a possible repeat.
    """
    stamp = now.isoformat()
    with transaction(db):
        previous = db.execute(
            "SELECT state, possibly_repeated FROM digest_messages WHERE message_id = ?",
            [message_id],
        ).fetchone()
        if previous is None:
            db.execute(
                "INSERT INTO digest_messages (message_id, partner, recipients, subject, state,"
                " created_at) VALUES (?, ?, ?, ?, 'pending', ?)",
                [message_id, partner, json.dumps(recipients), subject, stamp],
            )
        else:
            repeated = int(previous[1] or previous[0] in ("sending", "unknown"))
            db.execute(
                "UPDATE digest_messages SET state = 'pending', recipients = ?, subject = ?,"
                " possibly_repeated = ?, error = NULL WHERE message_id = ?",
                [json.dumps(recipients), subject, repeated, message_id],
            )
        db.conn.executemany(
            "INSERT INTO digest_ledger (partner, call_id, section, version, theme, shown, state,"
            " message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)"
            " ON CONFLICT (partner, call_id, section, version) DO UPDATE SET"
            " theme = excluded.theme, shown = excluded.shown, state = 'pending',"
            " message_id = excluded.message_id WHERE digest_ledger.state <> 'sent'",
            [(partner, *e.key, e.theme, int(e.shown), message_id, stamp) for e in entries],
        )
        db.execute(
            "UPDATE digest_messages SET state = 'superseded' WHERE partner = ? AND message_id <> ?"
            " AND state IN ('pending', 'failed', 'unknown') AND NOT EXISTS (SELECT 1 FROM"
            " digest_ledger l WHERE l.message_id = digest_messages.message_id"
            " AND l.state = 'pending')",
            [partner, message_id],
        )


def withdraw_stale(db: sqlite_utils.Database, partner: str, due: set[LedgerKey]) -> int:
    """Items left pending that are no longer due (the call closed, was rejected, or fell below
    the partner's relevance) are withdrawn: kept, marked, and due again if they come back."""
    rows = db.execute(
        "SELECT call_id, section, version FROM digest_ledger WHERE partner = ?"
        " AND state = 'pending'",
        [partner],
    ).fetchall()
    stale = [(partner, c, s, v) for c, s, v in rows if (c, s, int(v)) not in due]
    with transaction(db):
        db.conn.executemany(
            "UPDATE digest_ledger SET state = 'withdrawn' WHERE partner = ? AND call_id = ?"
            " AND section = ? AND version = ?",
            stale,
        )
    return len(stale)


def start_attempt(db: sqlite_utils.Database, message_id: str, now: datetime) -> None:
    """Committed just before the SMTP transaction: a crash from here on leaves it `sending`."""
    with transaction(db):
        db.execute(
            "UPDATE digest_messages SET state = 'sending', attempts = attempts + 1,"
            " attempted_at = ? WHERE message_id = ?",
            [now.isoformat(), message_id],
        )


def mark_sent(
    db: sqlite_utils.Database, message_id: str, now: datetime, refused: list[str]
) -> None:
    """The server accepted the e-mail: it and its items are sent."""
    stamp = now.isoformat()
    with transaction(db):
        db.execute(
            "UPDATE digest_messages SET state = 'sent', sent_at = ?, refused = ?, error = NULL"
            " WHERE message_id = ?",
            [stamp, json.dumps(refused), message_id],
        )
        db.execute(
            "UPDATE digest_ledger SET state = 'sent', sent_at = ? WHERE message_id = ?"
            " AND state = 'pending'",
            [stamp, message_id],
        )


def mark_failed(db: sqlite_utils.Database, message_id: str, error: str) -> None:
    """The server did not take the e-mail: its items stay pending for the next run."""
    with transaction(db):
        db.execute(
            "UPDATE digest_messages SET state = 'failed', error = ? WHERE message_id = ?",
            [error, message_id],
        )


def messages(db: sqlite_utils.Database, since: str = "", partner: str = "") -> list[dict[str, Any]]:
    """E-mails created or attempted at or after the ISO instant `since` (all when ''), oldest
    first, recipients decoded."""
    rows = query(
        db,
        "SELECT * FROM digest_messages WHERE (created_at >= :since OR attempted_at >= :since)"
        " AND (:partner = '' OR partner = :partner) ORDER BY created_at, rowid",
        {"since": since, "partner": partner},
    )
    return [_decoded(row) for row in rows]


def ledger_rows(db: sqlite_utils.Database, partner: str = "") -> list[dict[str, Any]]:
    """The ledger, by partner, call, section and version."""
    return query(
        db,
        "SELECT * FROM digest_ledger WHERE (:partner = '' OR partner = :partner)"
        " ORDER BY partner, call_id, section, version",
        {"partner": partner},
    )


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    row["recipients"] = json.loads(row["recipients"] or "[]")
    row["refused"] = json.loads(row["refused"] or "[]")
    return row
