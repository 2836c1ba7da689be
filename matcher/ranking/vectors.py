"""Passage vectors of calls, keyed by the hash of the text they embed: embedded only once."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import sqlite_utils

from matcher.models import Call
from matcher.ranking.embed import Embedder
from matcher.ranking.passages import passages
from matcher.store import vectors as stored
from matcher.store.calls import active_texts

log = logging.getLogger(__name__)

# Bump when the passage rules change: every vector is then recomputed, lazily.
PASSAGES_VERSION = "1"


def call_passages(call: Call) -> list[str]:
    """The passages embedded for a call (title and summary first, then its text)."""
    return passages(call.title, call.summary, call.text)


def text_hash(call: Call) -> str:
    """What the vectors of a call depend on: its title, summary and text only.

    A call whose deadline, budget or links change keeps its vectors.
    """
    return text_hash_of(call.title, call.summary, call.text)


def text_hash_of(title: str, summary: str, text: str) -> str:
    blob = "\x1f".join((PASSAGES_VERSION, title, summary or "", text or ""))
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
        by_hash.setdefault(text_hash(call), call)
    present = stored.present_text_hashes(db, embedder.name, list(by_hash))
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
        for key, chunks in batch:
            for index, text in enumerate(chunks):
                rows.append((key, embedder.name, index, text, matrix[row].tobytes()))
                row += 1
        stored.save_vectors(db, rows)
        total += len(rows)
        if progress is not None:
            progress(len(rows))
    return total


def prune_vectors(db: sqlite_utils.Database, calls: Iterable[Call] | None = None) -> int:
    """Delete vectors of texts no call has any more (an old version of a changed call): of
    `calls`, or of every active call in the store."""
    if calls is None:
        keep = {text_hash_of(*parts) for parts in active_texts(db)}
    else:
        keep = {text_hash(call) for call in calls}
    return stored.prune_vectors(db, keep)


def _batches(
    calls: list[tuple[str, Call]], batch_size: int
) -> Iterator[list[tuple[str, list[str]]]]:
    """Whole calls grouped until a batch holds at least `batch_size` passages."""
    batch: list[tuple[str, list[str]]] = []
    size = 0
    for key, call in calls:
        chunks = call_passages(call)
        if not chunks:
            continue
        batch.append((key, chunks))
        size += len(chunks)
        if size >= batch_size:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def export_vectors(db: sqlite_utils.Database, embedder_name: str, path: Path) -> int:
    """Write every stored vector of a model to a compressed file (float16; no pickled objects),
    so a known collection such as the demo snapshot need not be embedded again elsewhere."""
    rows = stored.all_vectors(db, embedder_name)
    meta = {"embedder": embedder_name, "keys": [r[0] for r in rows],
            "passages": [r[2] for r in rows], "texts": [r[3] for r in rows]}  # fmt: skip
    matrix = np.stack([np.frombuffer(r[4], dtype="<f4") for r in rows]) if rows else np.zeros(0)
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
    stored.save_vectors(db, rows, replace=False)
    return len(rows)
