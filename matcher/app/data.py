"""The app's reads of the store, cached by the store's data version: a rerun that changes
nothing reads nothing again, and any write (a decision, a run, a ranking) shows at once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils
import streamlit as st

from matcher.ranking.config import RankingConfig
from matcher.ranking.freshness import Freshness, freshness
from matcher.ranking.themes import ThemeConfig
from matcher.store import appdata, last_runs, open_db, shortlist_rows
from matcher.store.shortlist import ShortlistFilters

SIMILAR = 5


def connect(path: Path) -> sqlite_utils.Database:
    """A connection for this page view (SQLite connections stay in the thread that made them)."""
    return open_db(path)


def _read(path: str) -> sqlite_utils.Database:
    return open_db(Path(path))


@st.cache_data(max_entries=64, show_spinner=False)
def shortlist(
    path: str, version: str, theme: str, key: str, now: datetime, filters: ShortlistFilters
) -> list[dict[str, Any]]:
    """One theme's rows for the filters: the one query of the shortlist view."""
    db = _read(path)
    try:
        return shortlist_rows(db, theme, key, now, filters)
    finally:
        db.conn.close()


@st.cache_data(max_entries=16, show_spinner=False)
def theme_freshness(
    path: str, version: str, theme: str, digest: str, _themes: ThemeConfig, ranking: RankingConfig
) -> Freshness:
    db = _read(path)
    try:
        return freshness(db, _themes, theme, ranking)
    finally:
        db.conn.close()


@st.cache_data(max_entries=16, show_spinner=False)
def unscored(path: str, version: str, theme: str, key: str) -> list[dict[str, Any]]:
    db = _read(path)
    try:
        return appdata.unscored_calls(db, theme, key)
    finally:
        db.conn.close()


@st.cache_data(max_entries=4, show_spinner=False)
def options(path: str, version: str) -> dict[str, list[str]]:
    db = _read(path)
    try:
        return appdata.filter_options(db)
    finally:
        db.conn.close()


@st.cache_data(max_entries=4, show_spinner=False)
def runs(path: str, version: str) -> list[dict[str, Any]]:
    db = _read(path)
    try:
        return last_runs(db)
    finally:
        db.conn.close()


@st.cache_data(max_entries=64, show_spinner=False)
def similar(
    path: str, version: str, theme: str, call_id: str, model: str | None
) -> list[tuple[dict[str, Any], float]]:
    """The calls nearest to `call_id` by their document vectors for a theme, best first."""
    db = _read(path)
    try:
        vectors = appdata.doc_vectors(db, theme, call_id, model)
        if call_id not in vectors:
            return []
        ids = [i for i in vectors if i != call_id]
        if not ids:
            return []
        matrix = np.stack([np.frombuffer(vectors[i], dtype="<f4") for i in ids])
        target = np.frombuffer(vectors[call_id], dtype="<f4")
        sims = matrix @ target / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(target) + 1e-9)
        best = [ids[i] for i in np.argsort(-sims)[:SIMILAR]]
        found = appdata.call_summaries(db, best)
        by_id = dict(zip(ids, sims.tolist(), strict=True))
        return [(found[i], round(float(by_id[i]), 3)) for i in best if i in found]
    finally:
        db.conn.close()
