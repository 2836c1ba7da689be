"""The vector cache: calls are embedded once per (content hash, embedder) and loaded back."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import sqlite_utils
from conftest import make_call

from matcher.models import Call
from matcher.ranking.embed import FakeEmbedder
from matcher.ranking.vectors import (
    call_passages,
    ensure_vectors,
    export_vectors,
    import_vectors,
    prune_vectors,
    text_hash,
)
from matcher.store import open_db, upsert_calls
from matcher.store.vectors import load_vectors

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


class CountingEmbedder:
    """A FakeEmbedder that records every batch it is asked to embed."""

    def __init__(self, dim: int = 64, fail_on_call: int | None = None) -> None:
        self._inner = FakeEmbedder(dim)
        self.name = self._inner.name
        self.dim = dim
        self.batches: list[list[str]] = []
        self.fail_on_call = fail_on_call

    def embed(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        if self.fail_on_call == len(self.batches):
            raise RuntimeError("model crashed")
        return self._inner.embed(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._inner.embed_queries(texts)

    @property
    def texts(self) -> int:
        return sum(len(batch) for batch in self.batches)


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return open_db(tmp_path / "matcher.db")


def _calls() -> list[Call]:
    return [
        make_call("A", summary="Efficienza energetica degli edifici comunali."),
        make_call("B", summary="Servizi digitali per i cittadini.", text="Testo. " * 300),
        make_call("C", summary="Valorizzazione del patrimonio culturale."),
    ]


def _count(db: sqlite_utils.Database, embedder: str) -> int:
    return db.execute("SELECT count(*) FROM vectors WHERE embedder = ?", [embedder]).fetchone()[0]


def test_second_ensure_vectors_with_same_calls_embeds_nothing(db: sqlite_utils.Database) -> None:
    embedder = CountingEmbedder()
    first = ensure_vectors(db, embedder, _calls())
    expected = sum(len(call_passages(call)) for call in _calls())
    assert (first, embedder.texts) == (expected, expected)

    again = ensure_vectors(db, embedder, _calls())
    assert (again, embedder.texts) == (0, expected)


def test_changed_call_is_the_only_one_reembedded(db: sqlite_utils.Database) -> None:
    calls = _calls()
    ensure_vectors(db, FakeEmbedder(), calls)
    changed = replace(calls[0], summary="Efficienza energetica e fotovoltaico sugli edifici.")
    embedder = CountingEmbedder()

    embedded = ensure_vectors(db, embedder, [changed, calls[1], calls[2]])

    assert embedder.batches == [call_passages(changed)]
    assert embedded == len(call_passages(changed))


def test_switching_embedder_embeds_lazily_and_keeps_the_other_vectors(
    db: sqlite_utils.Database,
) -> None:
    calls = _calls()
    ensure_vectors(db, FakeEmbedder(64), calls)
    other = CountingEmbedder(dim=16)

    ensure_vectors(db, other, calls[:1])  # only what is being ranked now

    assert other.batches == [call_passages(calls[0])]
    assert _count(db, "fake-16") == len(call_passages(calls[0]))
    assert _count(db, "fake-64") == sum(len(call_passages(call)) for call in calls)


def test_calls_with_the_same_content_are_embedded_once(db: sqlite_utils.Database) -> None:
    call = make_call("A", summary="Turismo sostenibile.")
    embedder = CountingEmbedder()
    ensure_vectors(db, embedder, [call, replace(call)])
    assert embedder.batches == [call_passages(call)]


def test_load_vectors_returns_each_calls_passages_and_unit_matrix(
    db: sqlite_utils.Database,
) -> None:
    calls = _calls()
    embedder = FakeEmbedder()
    ensure_vectors(db, embedder, calls, batch_size=2)

    loaded = load_vectors(db, "fake-64", [text_hash(c) for c in calls] + ["unknown"])

    assert sorted(loaded) == sorted(text_hash(c) for c in calls)
    for call in calls:
        texts, matrix = loaded[text_hash(call)]
        assert texts == call_passages(call)
        assert matrix.dtype == np.float32
        np.testing.assert_array_equal(matrix, embedder.embed(texts))
    assert load_vectors(db, "usem3", [text_hash(calls[0])]) == {}


def test_interrupted_embedding_keeps_finished_batches_and_resumes(
    db: sqlite_utils.Database,
) -> None:
    calls = _calls()
    crashing = CountingEmbedder(fail_on_call=2)
    with pytest.raises(RuntimeError):
        ensure_vectors(db, crashing, calls, batch_size=1)  # one call per batch
    assert len(load_vectors(db, "fake-64", [text_hash(c) for c in calls])) == 1

    resumed = CountingEmbedder()
    ensure_vectors(db, resumed, calls, batch_size=1)

    assert resumed.batches == [call_passages(calls[1]), call_passages(calls[2])]


def test_prune_vectors_drops_vectors_of_content_no_call_has(db: sqlite_utils.Database) -> None:
    calls = _calls()
    upsert_calls(db, calls, NOW)
    ensure_vectors(db, FakeEmbedder(), calls)
    changed = replace(calls[0], summary="Nuovo testo del bando.")
    upsert_calls(db, [changed], NOW)
    ensure_vectors(db, FakeEmbedder(), [changed, *calls[1:]])

    removed = prune_vectors(db, [changed, *calls[1:]])

    assert removed == 1  # the old text's vectors
    stored = {row[0] for row in db.execute("SELECT DISTINCT text_hash FROM vectors")}
    assert stored == {text_hash(c) for c in [changed, *calls[1:]]}
    assert prune_vectors(db, [changed, *calls[1:]]) == 0


def test_a_deadline_change_keeps_the_vectors(db: sqlite_utils.Database) -> None:
    call = _calls()[0]
    embedder = CountingEmbedder()
    ensure_vectors(db, embedder, [call])
    moved = replace(call, deadlines=[datetime(2027, 1, 31, tzinfo=UTC)])
    assert (moved.content_hash != call.content_hash, ensure_vectors(db, embedder, [moved])) == (
        True, 0,
    )  # fmt: skip


def test_exported_vectors_load_into_another_store_and_spare_the_embedding(
    db: sqlite_utils.Database, tmp_path
) -> None:
    calls = _calls()
    ensure_vectors(db, FakeEmbedder(), calls)
    assert export_vectors(db, "fake-64", tmp_path / "v.npz") == sum(
        len(call_passages(c)) for c in calls
    )
    other = open_db(tmp_path / "other.db")
    import_vectors(other, tmp_path / "v.npz")
    counting = CountingEmbedder()
    assert ensure_vectors(other, counting, calls) == 0
    texts, matrix = load_vectors(other, "fake-64", [text_hash(calls[0])])[text_hash(calls[0])]
    assert texts == call_passages(calls[0])
    np.testing.assert_allclose(matrix, FakeEmbedder().embed(texts), atol=1e-3)
