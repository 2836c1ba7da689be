"""Passage vectors in SQLite, keyed by (call content hash, embedder name), embedded only once."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import sqlite_utils

from matcher.models import Call
from matcher.ranking.embed import Embedder
from matcher.ranking.passages import passages
from matcher.store.migrations import transaction

log = logging.getLogger(__name__)

# Rows per `IN (...)` query: well under SQLite's default limit of bound parameters.
_CHUNK = 500


# Bump when the passage rules change: every vector is then recomputed, lazily.
PASSAGES_VERSION = "1"


def call_passages(call: Call) -> list[str]:
    """The passages embedded for a call (title and summary first, then its text)."""
    return passages(call.title, call.summary, call.text)


def vector_key(call: Call) -> str:
    """What the vectors of a call depend on: its title, summary and text only.

    A call whose deadline, budget or links change keeps its vectors. (The column that holds
    this key is named `content_hash` in the schema.)
    """
    blob = "\x1f".join((PASSAGES_VERSION, call.title, call.summary, call.text))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def ensure_vectors(
    db: sqlite_utils.Database,
    embedder: Embedder,
    calls: Iterable[Call],
    *,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Embed the passages of calls that have no vectors for this embedder; return how many.

    A call is written whole, in the transaction of its batch, so an interrupted run leaves
    every call either fully embedded or not at all and the next run picks up the rest.
    `progress` is called with the number of passages embedded after each batch.
    """
    by_hash: dict[str, Call] = {}
    for call in calls:
        by_hash.setdefault(vector_key(call), call)
    present = _present(db, embedder.name, list(by_hash))
    missing = [(key, call) for key, call in by_hash.items() if key not in present]
    if not missing:
        return 0
    log.info("embedding %d calls with %s", len(missing), embedder.name)
    total = 0
    for batch in _batches(missing, batch_size):
        texts = [text for _, chunks in batch for text in chunks]
        matrix = np.asarray(embedder.embed(texts), dtype="<f4")
        if matrix.shape[0] != len(texts):
            raise ValueError(f"{embedder.name} returned {matrix.shape[0]} vectors for {len(texts)}")
        rows = []
        row = 0
        for content_hash, chunks in batch:
            for index, text in enumerate(chunks):
                rows.append((content_hash, embedder.name, index, text, matrix[row].tobytes()))
                row += 1
        with transaction(db):
            db.conn.executemany(
                "INSERT OR REPLACE INTO vectors (content_hash, embedder, passage, text, vector) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        total += len(rows)
        if progress is not None:
            progress(len(rows))
    return total


def load_vectors(
    db: sqlite_utils.Database, embedder_name: str, content_hashes: Iterable[str]
) -> dict[str, tuple[list[str], np.ndarray]]:
    """Passage texts and their (n, dim) float32 matrix per content hash; absent hashes omitted.

    The matrices are read-only views of the stored bytes (no copy): fine for `matrix @ query`.
    """
    found: dict[str, tuple[list[str], list[bytes]]] = {}
    for chunk in _chunks(list(dict.fromkeys(content_hashes))):
        marks = ", ".join("?" * len(chunk))
        cursor = db.execute(
            f"SELECT content_hash, text, vector FROM vectors "
            f"WHERE embedder = ? AND content_hash IN ({marks}) ORDER BY content_hash, passage",
            [embedder_name, *chunk],
        )
        for content_hash, text, blob in cursor.fetchall():
            texts, blobs = found.setdefault(content_hash, ([], []))
            texts.append(text)
            blobs.append(blob)
    return {
        content_hash: (texts, np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(texts), -1))
        for content_hash, (texts, blobs) in found.items()
    }


def prune_vectors(db: sqlite_utils.Database, calls: Iterable[Call]) -> int:
    """Delete vectors of texts none of `calls` has any more (an old version of a changed call)."""
    keep = {vector_key(call) for call in calls}
    stored = {row[0] for row in db.execute("SELECT DISTINCT content_hash FROM vectors")}
    gone = sorted(stored - keep)
    with transaction(db):
        for chunk in _chunks(gone):
            marks = ", ".join("?" * len(chunk))
            db.execute(f"DELETE FROM vectors WHERE content_hash IN ({marks})", list(chunk))
    return len(gone)


def _present(db: sqlite_utils.Database, embedder_name: str, content_hashes: list[str]) -> set[str]:
    present: set[str] = set()
    for chunk in _chunks(content_hashes):
        marks = ", ".join("?" * len(chunk))
        cursor = db.execute(
            f"SELECT DISTINCT content_hash FROM vectors "
            f"WHERE embedder = ? AND content_hash IN ({marks})",
            [embedder_name, *chunk],
        )
        present.update(row[0] for row in cursor.fetchall())
    return present


def _batches(
    calls: list[tuple[str, Call]], batch_size: int
) -> Iterator[list[tuple[str, list[str]]]]:
    """Whole calls grouped until a batch holds at least `batch_size` passages."""
    batch: list[tuple[str, list[str]]] = []
    size = 0
    for content_hash, call in calls:
        chunks = call_passages(call)
        if not chunks:
            continue
        batch.append((content_hash, chunks))
        size += len(chunks)
        if size >= batch_size:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def export_vectors(db: sqlite_utils.Database, embedder_name: str, path: Path) -> int:
    """Write every stored vector of a model to a compressed file (float16; no pickled objects),
    so a known collection such as the demo snapshot need not be embedded again elsewhere."""
    rows = db.execute(
        "SELECT content_hash, passage, text, vector FROM vectors WHERE embedder = ?"
        " ORDER BY content_hash, passage",
        [embedder_name],
    ).fetchall()
    meta = {"embedder": embedder_name, "keys": [r[0] for r in rows],
            "passages": [r[1] for r in rows], "texts": [r[2] for r in rows]}  # fmt: skip
    matrix = np.stack([np.frombuffer(r[3], dtype="<f4") for r in rows]) if rows else np.zeros(0)
    np.savez_compressed(
        path,
        meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
        vectors=matrix.astype("<f2"),
    )
    return len(rows)


def import_vectors(db: sqlite_utils.Database, path: Path) -> int:
    """Load vectors written by export_vectors; rows already present are left as they are."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(data["meta"].tobytes().decode())
        matrix = data["vectors"].astype("<f4")
    rows = [
        (key, meta["embedder"], passage, text, matrix[i].tobytes())
        for i, (key, passage, text) in enumerate(
            zip(meta["keys"], meta["passages"], meta["texts"], strict=True)
        )
    ]
    with transaction(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO vectors (content_hash, embedder, passage, text, vector)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)
