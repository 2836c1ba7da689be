"""Personal data in the store: digest opt-outs (kept as hashes), and erasing a person.

The store holds people's e-mail addresses (digest recipients) and reviewers' names or
addresses (decisions). An opt-out keeps only a one-way hash of the address: enough to never
write to it again, nothing to read it back from.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime

import sqlite_utils

from matcher.store.db import query, transaction

ERASED = "[cancellato]"


def email_hash(email: str) -> str:
    """The hash an opt-out is kept under (the address, trimmed and case-folded)."""
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()


def opt_out(db: sqlite_utils.Database, email: str, now: datetime, how: str = "optout") -> bool:
    """Record that no digest goes to `email` any more; False when it was already recorded."""
    with transaction(db):
        cursor = db.execute(
            "INSERT OR IGNORE INTO optouts (email_hash, recorded_at, how) VALUES (?, ?, ?)",
            [email_hash(email), now.isoformat(), how],
        )
    return cursor.rowcount == 1


def opt_in(db: sqlite_utils.Database, email: str) -> bool:
    """Undo an opt-out; False when there was none."""
    with transaction(db):
        cursor = db.execute("DELETE FROM optouts WHERE email_hash = ?", [email_hash(email)])
    return cursor.rowcount == 1


def opted_out(db: sqlite_utils.Database, emails: list[str]) -> set[str]:
    """Which of these addresses opted out."""
    hashes = {row[0] for row in db.execute("SELECT email_hash FROM optouts").fetchall()}
    return {email for email in emails if email_hash(email) in hashes}


def forget(db: sqlite_utils.Database, who: str, now: datetime) -> dict[str, int]:
    """Erase a person (an e-mail address or a reviewer's name) from the store, in one
    transaction: from the recipients of past digests, as the reviewer of decisions and from
    the decisions' notes. An address is also opted out, so no digest goes to it again.
    Returns how many rows of each kind were changed."""
    target = who.strip()
    pattern = re.compile(re.escape(target), re.IGNORECASE)
    counts = {"digests": 0, "reviews": 0, "notes": 0, "optout": 0}
    # Overwrite the old values on disk too, not only unlink them (the file is what is backed up).
    db.execute("PRAGMA secure_delete = ON")
    # Compared in Python, not with SQLite's lower(), which folds ASCII letters only.
    with transaction(db):
        for row in query(db, "SELECT message_id, recipients, refused FROM digest_messages"):
            recipients = _erased_list(row["recipients"], target)
            refused = _erased_list(row["refused"], target)
            if (recipients, refused) != (row["recipients"], row["refused"]):
                db.execute("UPDATE digest_messages SET recipients = ?, refused = ? WHERE"
                           " message_id = ?", [recipients, refused, row["message_id"]])  # fmt: skip
                counts["digests"] += 1
        for row in query(db, "SELECT id, reviewer, note FROM reviews"):
            if row["reviewer"].strip().casefold() == target.casefold():
                db.execute("UPDATE reviews SET reviewer = ? WHERE id = ?", [ERASED, row["id"]])
                counts["reviews"] += 1
            if row["note"] and pattern.search(row["note"]):
                db.execute("UPDATE reviews SET note = ? WHERE id = ?",
                           [pattern.sub(ERASED, row["note"]), row["id"]])  # fmt: skip
                counts["notes"] += 1
        if "@" in target:
            cursor = db.execute(
                "INSERT OR IGNORE INTO optouts (email_hash, recorded_at, how) VALUES (?, ?, ?)",
                [email_hash(target), now.isoformat(), "forget"],
            )
            counts["optout"] = cursor.rowcount
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the write-ahead log held the old pages
    return counts


def _erased_list(encoded: str, target: str) -> str:
    values = json.loads(encoded or "[]")
    erased = [ERASED if v.strip().casefold() == target.casefold() else v for v in values]
    return encoded if erased == values else json.dumps(erased)
