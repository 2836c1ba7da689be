"""What a rescoring reads, kept so that it reads little: a theme's evidence matrix for the
learned ranking (computed from the calls' features once, then read whole), and the calls'
document vectors the group's decisions move similar calls by (read once per ranking run).

A rescoring after a decision on 10,000 calls × 3 themes then reads three matrices and one set
of vectors instead of 30,000 features (bench/rank.py).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import sqlite_utils

from matcher.ranking.features import FEATURES_VERSION, Features
from matcher.ranking.feedback import mapping_digest
from matcher.ranking.learned import design_matrix
from matcher.ranking.scoring import FORMULA_VERSION, listed_flags
from matcher.ranking.themes import ThemeConfig
from matcher.store import ranking as stored


def calls_digest(hashes: dict[str, str]) -> str:
    """Changes when any active call arrives, changes or goes: with a theme's and the model's
    settings, it says whether the theme's stored features are still the ones to score."""
    return mapping_digest(hashes)


def theme_features(
    db: sqlite_utils.Database, theme: str, name: str, hashes: dict[str, str]
) -> tuple[list[str], list[Features]]:
    """The stored features of a theme's active calls, by call id."""
    rows = stored.load_features(db, theme, name)
    kept = [(call_id, data) for call_id, data in rows if call_id in hashes]
    return [call_id for call_id, _ in kept], [Features.from_json(data) for _, data in kept]


def learned_evidence(
    db: sqlite_utils.Database,
    theme: str,
    name: str,
    hashes: dict[str, str],
    inputs: str,
    themes: ThemeConfig,
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(call ids, evidence matrix, listed, applicable) of a theme's active calls, rows by call
    id. `inputs` identifies the features they come from (calls_digest and the theme's settings):
    when it is the stored matrix's, the matrix is read whole; else it is computed and kept."""
    fingerprint = hashlib.sha256(
        json.dumps([FEATURES_VERSION, FORMULA_VERSION, name, inputs]).encode()
    ).hexdigest()[:16]
    kept = stored.load_evidence(db, theme, name)
    if kept is not None and kept.fingerprint == fingerprint:
        x = np.frombuffer(kept.matrix, dtype="<f8").reshape(-1, kept.columns)
        listed = np.frombuffer(kept.listed, dtype=bool)
        return kept.call_ids, x, listed, np.frombuffer(kept.applicable, dtype=bool)
    ids, features = theme_features(db, theme, name, hashes)
    x = design_matrix(features, themes.themes[theme], themes.applicant)
    listed, applicable = listed_flags(features)
    evidence = stored.StoredEvidence(fingerprint, ids, x.astype("<f8").tobytes(), x.shape[1],
                                     listed.tobytes(), applicable.tobytes())  # fmt: skip
    stored.save_evidence(db, theme, name, evidence)
    return ids, x, listed, applicable


class DocVectors:
    """The calls' document vectors, read on first use (only a theme with decisions needs them)
    and once per ranking run: they are the same for every theme, so one theme's are read."""

    def __init__(self, db: sqlite_utils.Database, theme: str, name: str) -> None:
        self.db, self.theme, self.name = db, theme, name
        self.rows: dict[str, int] | None = None
        self.matrix = np.zeros((0, 0), dtype="<f4")

    def of(self, ids: list[str]) -> tuple[list[str], np.ndarray]:
        """(the ids that have a vector, their vectors as rows)."""
        if self.rows is None:
            found = stored.doc_vectors(self.db, self.theme, self.name)
            self.rows = {call_id: i for i, call_id in enumerate(found)}
            if found:
                self.matrix = np.frombuffer(b"".join(found.values()), dtype="<f4").reshape(
                    len(found), -1
                )
        have = [call_id for call_id in ids if call_id in self.rows]
        return have, self.matrix[[self.rows[call_id] for call_id in have]]
