"""Numbered schema migrations, applied in order when a store is opened."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from matcher.store.db import copy_store, transaction


def m001_initial(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE calls (
            id TEXT PRIMARY KEY, portal TEXT NOT NULL, native_id TEXT NOT NULL,
            title TEXT NOT NULL, url TEXT, links TEXT, aliases TEXT, language TEXT,
            territory TEXT, programme TEXT, opening TEXT, deadlines TEXT,
            deadline_time_known INTEGER, tz TEXT, status_hint TEXT, budget_eur REAL,
            beneficiaries TEXT, public_bodies_eligible INTEGER, topics TEXT, summary TEXT,
            text TEXT, kind TEXT, source_updated TEXT, content_hash TEXT,
            first_seen TEXT, last_seen TEXT, last_changed TEXT, vanished_at TEXT,
            merged_into TEXT
        )"""
    )
    db.execute("CREATE INDEX calls_portal ON calls(portal)")
    db.execute(
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, portal TEXT NOT NULL,
            started TEXT NOT NULL, finished TEXT, fetched INTEGER DEFAULT 0,
            new INTEGER DEFAULT 0, changed INTEGER DEFAULT 0, vanished INTEGER DEFAULT 0,
            errors TEXT DEFAULT '[]', status TEXT NOT NULL
        )"""
    )
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")


def m002_ranking(db: sqlite_utils.Database) -> None:
    # Passage vectors are keyed by the call's content hash and the embedder's name, so an
    # unchanged call is never embedded twice and switching model re-embeds lazily.
    db.execute(
        """CREATE TABLE vectors (
            content_hash TEXT NOT NULL, embedder TEXT NOT NULL, passage INTEGER NOT NULL,
            text TEXT NOT NULL, vector BLOB NOT NULL,
            PRIMARY KEY (content_hash, embedder, passage)
        )"""
    )
    db.execute(
        """CREATE TABLE scores (
            call_id TEXT NOT NULL, theme TEXT NOT NULL, method TEXT NOT NULL,
            score REAL NOT NULL, explanation TEXT NOT NULL, inputs_hash TEXT NOT NULL,
            computed_at TEXT NOT NULL,
            PRIMARY KEY (call_id, theme, method)
        )"""
    )
    db.execute(
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY, call_id TEXT NOT NULL, theme TEXT NOT NULL,
            decision TEXT NOT NULL, reviewer TEXT NOT NULL, note TEXT,
            decided_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX reviews_call_theme ON reviews(call_id, theme)")


def m003_features(db: sqlite_utils.Database) -> None:
    # What the ranking extracted from a call for a theme: recomputed only when the call, the
    # theme or the embedder changes (`key`), so a second `matcher rank` does almost nothing.
    db.execute(
        """CREATE TABLE features (
            call_id TEXT NOT NULL, theme TEXT NOT NULL, embedder TEXT NOT NULL,
            key TEXT NOT NULL, data TEXT NOT NULL, doc_vector BLOB,
            PRIMARY KEY (call_id, theme, embedder)
        )"""
    )


def m004_names_and_freshness(db: sqlite_utils.Database) -> None:
    # Vectors are keyed by the hash of the text they embed (not the call's content hash).
    db.execute("ALTER TABLE vectors RENAME COLUMN content_hash TO text_hash")
    # Scores are derived data: rebuilt by the next `matcher rank`. Each row remembers the call's
    # content hash it was computed from, so a read can tell which calls changed since; one
    # freshness record per (theme, ranking key) replaces inputs_hash and the meta entries.
    db.execute("DROP TABLE scores")
    db.execute(
        """CREATE TABLE scores (
            call_id TEXT NOT NULL, theme TEXT NOT NULL, ranking_key TEXT NOT NULL,
            score REAL NOT NULL, applicable INTEGER NOT NULL, explanation TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            PRIMARY KEY (theme, ranking_key, call_id)
        )"""
    )
    db.execute(
        """CREATE TABLE rankings (
            theme TEXT NOT NULL, ranking_key TEXT NOT NULL, fingerprint TEXT NOT NULL,
            computed_at TEXT NOT NULL, theme_digest TEXT NOT NULL, formula TEXT NOT NULL,
            last_review INTEGER NOT NULL,
            PRIMARY KEY (theme, ranking_key)
        )"""
    )
    db.execute("DELETE FROM meta WHERE key LIKE 'scores:%'")
    db.execute("CREATE INDEX calls_merged ON calls(merged_into)")


def m005_date_issues_and_missing_listings(db: sqlite_utils.Database) -> None:
    # Implausible dates a source gave (kept out of the status), and how many complete listings
    # in a row a call has been missing from: it vanishes at the second, not the first.
    db.execute("ALTER TABLE calls ADD COLUMN date_issues TEXT")
    db.execute("ALTER TABLE calls ADD COLUMN missing_listings INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE runs ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]'")


def m006_changes(db: sqlite_utils.Database) -> None:
    # The store keeps only a call's current row; digests must say what changed from what to
    # what, once per change, so each change of deadlines, budget or status is kept here (and
    # each call's first appearance, the version of its "new" item). Calls stored before this
    # migration get their first appearance now, at the time they were first seen.
    db.execute(
        """CREATE TABLE changes (
            id INTEGER PRIMARY KEY, call_id TEXT NOT NULL, kind TEXT NOT NULL,
            before TEXT, after TEXT, changed_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX changes_call ON changes(call_id, id)")
    db.execute("CREATE INDEX changes_when ON changes(changed_at)")
    db.execute(
        "INSERT INTO changes (call_id, kind, changed_at) SELECT id, 'new', COALESCE(first_seen, '')"
        " FROM calls ORDER BY first_seen, id"
    )


def m007_digest_ledger(db: sqlite_utils.Database) -> None:
    # What was sent to whom: one row per (partner, call, section, version), written pending
    # before the SMTP transaction and sent after it; one row per e-mail (its Message-ID);
    # opt-outs keep only a hash of the address.
    db.execute(
        """CREATE TABLE digest_messages (
            message_id TEXT PRIMARY KEY, partner TEXT NOT NULL, recipients TEXT NOT NULL,
            subject TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL, attempted_at TEXT, sent_at TEXT, error TEXT,
            refused TEXT NOT NULL DEFAULT '[]', possibly_repeated INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute("CREATE INDEX digest_messages_partner ON digest_messages(partner, state)")
    db.execute(
        """CREATE TABLE digest_ledger (
            partner TEXT NOT NULL, call_id TEXT NOT NULL, section TEXT NOT NULL,
            version INTEGER NOT NULL, theme TEXT NOT NULL, shown INTEGER NOT NULL,
            state TEXT NOT NULL, message_id TEXT, created_at TEXT NOT NULL, sent_at TEXT,
            PRIMARY KEY (partner, call_id, section, version)
        )"""
    )
    db.execute("CREATE INDEX digest_ledger_message ON digest_ledger(message_id)")
    db.execute(
        """CREATE TABLE optouts (
            email_hash TEXT PRIMARY KEY, recorded_at TEXT NOT NULL, how TEXT NOT NULL
        )"""
    )


def m008_explanations_with_features(db: sqlite_utils.Database) -> None:
    # Rescoring after a decision must take under a second on 10,000 calls: the part of a
    # score's explanation that depends on the call alone (its passage, keywords, who may apply)
    # moves to its features, written once, and each score keeps only what the score changes
    # (its level, reasons, components). Readers join the two through the ranking's embedder.
    # The learned ranking's evidence matrix of a theme is kept whole, so a rescoring reads one
    # row instead of every call's features. Existing features lack `shown` until recomputed
    # (their version changes), and old scores keep their whole explanation meanwhile.
    db.execute("ALTER TABLE features ADD COLUMN shown TEXT")
    db.execute("ALTER TABLE rankings ADD COLUMN embedder TEXT NOT NULL DEFAULT ''")
    db.execute(
        """CREATE TABLE evidence (
            theme TEXT NOT NULL, embedder TEXT NOT NULL, fingerprint TEXT NOT NULL,
            call_ids TEXT NOT NULL, matrix BLOB NOT NULL, columns INTEGER NOT NULL,
            listed BLOB NOT NULL, applicable BLOB NOT NULL,
            PRIMARY KEY (theme, embedder)
        )"""
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    m001_initial,
    m002_ranking,
    m003_features,
    m004_names_and_freshness,
    m005_date_issues_and_missing_listings,
    m006_changes,
    m007_digest_ledger,
    m008_explanations_with_features,
]


def migrate(db: sqlite_utils.Database, path: Path) -> None:
    """Apply the migrations not yet applied; a store that already holds data is first copied
    to `<path>.before-m<N>.bak`, so an upgrade can always be undone."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (number INTEGER PRIMARY KEY, name TEXT)")
    done = {row[0] for row in db.execute("SELECT number FROM _migrations").fetchall()}
    todo = [n for n in range(1, len(MIGRATIONS) + 1) if n not in done]
    if todo and done:
        copy_store(db, path.with_name(f"{path.name}.before-m{todo[0]:03d}.bak"))
    for number, migration in enumerate(MIGRATIONS, start=1):
        if number in done:
            continue
        with transaction(db):
            migration(db)
            db.execute(
                "INSERT INTO _migrations (number, name) VALUES (?, ?)",
                [number, migration.__name__],
            )
