"""Passage vectors, keyed by (text hash, embedder, passage number), as float32 blobs."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import sqlite_utils

from matcher.store.db import chunks, marks, transaction

# (text hash, embedder name, passage number, passage text, float32 vector bytes)
VectorRow = tuple[str, str, int, str, bytes]


def present_text_hashes(
    db: sqlite_utils.Database, embedder: str, text_hashes: list[str]
) -> set[str]:
    """Which of `text_hashes` already have vectors of this embedder."""
    present: set[str] = set()
    for chunk in chunks(text_hashes):
        cursor = db.execute(
            f"SELECT DISTINCT text_hash FROM vectors WHERE embedder = ? AND text_hash IN"
            f" ({marks(chunk)})",
            [embedder, *chunk],
        )
        present.update(row[0] for row in cursor.fetchall())
    return present


def save_vectors(db: sqlite_utils.Database, rows: list[VectorRow], *, replace: bool = True) -> None:
    """Store passage vectors in one transaction; with `replace=False` existing rows are kept."""
    verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
    with transaction(db):
        db.conn.executemany(
            f"{verb} INTO vectors (text_hash, embedder, passage, text, vector)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )


def load_vectors(
    db: sqlite_utils.Database, embedder: str, text_hashes: Iterable[str]
) -> dict[str, tuple[list[str], np.ndarray]]:
    """Passage texts and their (n, dim) float32 matrix per text hash; absent hashes omitted.

    The matrices are read-only views of the stored bytes (no copy): fine for `matrix @ query`.
    """
    found: dict[str, tuple[list[str], list[bytes]]] = {}
    for chunk in chunks(list(dict.fromkeys(text_hashes))):
        cursor = db.execute(
            f"SELECT text_hash, text, vector FROM vectors WHERE embedder = ? AND text_hash IN"
            f" ({marks(chunk)}) ORDER BY text_hash, passage",
            [embedder, *chunk],
        )
        for text_hash, text, blob in cursor.fetchall():
            texts, blobs = found.setdefault(text_hash, ([], []))
            texts.append(text)
            blobs.append(blob)
    return {
        text_hash: (texts, np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(texts), -1))
        for text_hash, (texts, blobs) in found.items()
    }


def all_vectors(db: sqlite_utils.Database, embedder: str) -> list[VectorRow]:
    """Every stored vector of one embedder, in key and passage order (for export)."""
    return db.execute(
        "SELECT text_hash, embedder, passage, text, vector FROM vectors WHERE embedder = ?"
        " ORDER BY text_hash, passage",
        [embedder],
    ).fetchall()


def prune_vectors(db: sqlite_utils.Database, keep: set[str]) -> int:
    """Delete the vectors of texts not in `keep` (old versions of changed calls)."""
    stored = {row[0] for row in db.execute("SELECT DISTINCT text_hash FROM vectors")}
    gone = sorted(stored - keep)
    with transaction(db):
        for chunk in chunks(gone):
            db.execute(f"DELETE FROM vectors WHERE text_hash IN ({marks(chunk)})", chunk)
    return len(gone)
