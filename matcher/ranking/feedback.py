"""How the working group's review decisions move similar calls up or down."""

from __future__ import annotations

import hashlib

import numpy as np

POSITIVE = frozenset({"shortlist", "applied"})
# A call much closer to the group's shortlisted calls than the collection's typical call gains
# up to this many points (and loses as many when close to rejected ones).
MAX_POINTS = 15.0
# Closeness percentiles over the collection: below CLOSE_FROM a call is not moved at all; from
# CLOSE_AT on it gets MAX_POINTS. So a decision reaches at most the closest tenth of the calls.
CLOSE_FROM, CLOSE_AT = 90.0, 99.5
# Decisions of one kind (shortlist or reject) on a theme needed for their full effect.
FULL_EFFECT_DECISIONS = 3


def mapping_digest(values: dict[str, str]) -> str:
    """A short digest of a str -> str mapping, whatever its order."""
    blob = "\n".join(f"{k}={v}" for k, v in sorted(values.items()))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def decisions_fingerprint(decisions: dict[str, str]) -> str:
    """Changes with the decisions (how they become points is part of the scoring formula)."""
    return mapping_digest(decisions)


def adjustments(
    decisions: dict[str, str], vectors: dict[str, np.ndarray], *, max_points: float = MAX_POINTS
) -> dict[str, float]:
    """Points added to each call for its closeness to shortlisted calls, minus rejected ones.

    Closeness is the best cosine to any decided call, scaled over the collection (CLOSE_FROM
    percentile = 0, CLOSE_AT = 1), so only calls that stand out as close move, and one odd
    decision can move at most the few calls that resemble it, by at most `max_points`.
    """
    ids = list(vectors)
    if not ids or not decisions:
        return {}
    matrix = np.stack([vectors[i] for i in ids])
    return adjustments_of(decisions, ids, matrix, max_points=max_points)


def adjustments_of(
    decisions: dict[str, str], ids: list[str], matrix: np.ndarray, *,
    max_points: float = MAX_POINTS,
) -> dict[str, float]:  # fmt: skip
    """adjustments, for the calls `ids` whose vectors are the rows of `matrix`."""
    if not ids or not decisions:
        return {}
    row = {call_id: i for i, call_id in enumerate(ids)}
    points = np.zeros(len(ids))
    for sign, wanted in ((1.0, True), (-1.0, False)):
        decided = [row[c] for c, d in decisions.items() if (d in POSITIVE) == wanted and c in row]
        if decided:
            closeness = (matrix @ matrix[decided].T).max(axis=1)
            # Few decisions weigh less: one decision alone moves calls by a third at most.
            confidence = min(1.0, len(decided) / FULL_EFFECT_DECISIONS)
            points += sign * _scaled(closeness) * max_points * confidence
    return {call_id: round(float(p), 2) for call_id, p in zip(ids, points, strict=True) if p}


def _scaled(values: np.ndarray) -> np.ndarray:
    low = float(np.percentile(values, CLOSE_FROM))
    high = float(np.percentile(values, CLOSE_AT))
    if high <= low:
        return np.zeros_like(values)
    return np.clip((values - low) / (high - low), 0.0, 1.0)
