"""The learned combination: the evidence of a call for a theme as numbers, and a logistic model
trained on judged calls (and the working group's decisions) that weighs it.

Each number is something a person can name ("parole del tema nel titolo", "il comune può essere
capofila"), so a score says why: its largest contributions are its explanation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from matcher.errors import ConfigError
from matcher.ranking.features import Features
from matcher.ranking.lexical import bm25_matrix, scale
from matcher.ranking.themes import Applicant, Theme

# name, the Italian words an explanation uses for it
FEATURES = (
    ("lexical", "parole chiave del tema nel testo"),
    ("lexical_it", "parole chiave italiane del tema"),
    ("lexical_en", "parole chiave inglesi del tema"),
    ("title", "parole del tema nel titolo"),
    ("semantic", "testo simile alla descrizione del tema"),
    ("semantic_lang", "più simile al tema degli altri bandi nella stessa lingua"),
    ("facet", "testo vicino a una voce precisa del tema"),
    ("facet_max", "un passo molto vicino a una voce del tema"),
    ("negatives", "parole che il tema esclude"),
    ("lead", "il comune può presentare domanda come capofila"),
    ("partner", "il comune può partecipare come partner"),
    ("no_municipality", "il comune non può presentare domanda"),
    ("public", "destinatari: enti pubblici"),
    ("research", "destinatari: ricerca e università"),
    ("business", "destinatari: imprese"),
    ("nonprofit", "destinatari: enti non profit"),
    ("individual", "destinatari: persone"),
    ("eligible", "la fonte ammette gli enti pubblici"),
    ("not_eligible", "la fonte esclude gli enti pubblici"),
    ("region", "bando della regione del richiedente"),
    ("national", "bando nazionale"),
    ("italian", "bando in italiano"),
    ("cities", "Missione Città (Horizon)"),
    ("life", "programma LIFE"),
    ("cerv", "programma CERV"),
    ("crea", "Europa Creativa"),
    ("digital", "programma Europa digitale"),
    ("horizon", "Horizon Europe (ricerca)"),
    ("pnrr", "avviso PNRR"),
    ("incentivi", "incentivo nazionale (incentivi.gov.it)"),
    # how well the call matches the theme, together with who may apply: relevance needs both
    ("topic", "bando sul tema"),
    ("topic_squared", "bando pienamente sul tema"),
    ("topic_lead", "sul tema, e il comune può essere capofila"),
    ("topic_partner", "sul tema, e il comune può essere partner"),
    ("topic_no_municipality", "sul tema, ma il comune non può presentare domanda"),
    ("topic_italian", "sul tema, bando italiano"),
    ("topic_public", "sul tema, per enti pubblici"),
    ("topic_business", "sul tema, per imprese"),
    ("topic_research", "sul tema, per la ricerca"),
    ("topic_horizon", "sul tema, ricerca Horizon"),
    ("topic_pnrr", "sul tema, avviso PNRR"),
    ("topic_region", "sul tema, bando regionale"),
    ("facet_lead", "vicino a una voce del tema, e il comune può essere capofila"),
)
NAMES = tuple(name for name, _ in FEATURES)
WORDS = dict(FEATURES)


def design_matrix(features: list[Features], theme: Theme, applicant: Applicant) -> np.ndarray:
    """One row per call of a theme: the evidence above, each scaled over the collection."""
    n = len(features)
    if n == 0:
        return np.zeros((0, len(NAMES)))
    columns: dict[str, np.ndarray] = {}
    keywords = list(dict.fromkeys(theme.keywords))
    terms = bm25_matrix([f.keywords for f in features], [f.length for f in features], keywords)
    for name, subset in (("lexical", theme.keywords), ("lexical_it", theme.keywords_it),
                         ("lexical_en", theme.keywords_en)):  # fmt: skip
        chosen = [keywords.index(k) for k in dict.fromkeys(subset)]
        columns[name] = _scaled(terms[:, chosen].sum(axis=1))
    columns["title"] = np.log1p([f.title_hits for f in features])
    semantic = np.array([sum(f.sims[:2]) / len(f.sims[:2]) if f.sims else 0.0 for f in features])
    columns["semantic"] = _scaled(semantic, zero_floor=False)
    # Similarity to the description in the call's own language, standardised within each
    # language: an Italian and an English call on the same subject then weigh alike.
    own = np.array([f.sim_it if f.language == "it" else f.sim_en for f in features])
    columns["semantic_lang"] = _within_groups(own, [f.language for f in features])
    columns["negatives"] = np.minimum([len(f.negatives) for f in features], 3)
    # The call's facts as arrays, read once: each flag below is then one comparison.
    role = np.array([f.role or "" for f in features])
    family = np.array([f.family for f in features])
    language = np.array([f.language for f in features])
    eligible = np.array([{True: 1, False: -1, None: 0}[f.eligible] for f in features])
    served = [_parts(f.territory) for f in features]
    columns["lead"] = (role == "lead").astype(float)
    columns["partner"] = (role == "partner").astype(float)
    columns["no_municipality"] = (role == "none").astype(float)
    for kind in ("public", "research", "business", "nonprofit", "individual"):
        columns[kind] = np.array([kind in f.types for f in features], dtype=float)
    columns["eligible"] = (eligible == 1).astype(float)
    columns["not_eligible"] = (eligible == -1).astype(float)
    columns["region"] = np.array([applicant.region in parts for parts in served], dtype=float)
    columns["national"] = np.array(["Italia" in parts for parts in served], dtype=float)
    columns["italian"] = (language == "it").astype(float)
    for name in ("cities", "life", "cerv", "crea", "digital", "horizon", "pnrr", "incentivi"):
        columns[name] = (family == name).astype(float)
    columns["facet"] = _scaled(np.array([f.facet_top for f in features]), zero_floor=False)
    columns["facet_max"] = _scaled(np.array([f.facet_max for f in features]), zero_floor=False)
    topic = (columns["lexical"] + columns["semantic"]) / 2
    columns["topic"] = topic
    columns["topic_squared"] = topic**2
    for name in ("lead", "partner", "no_municipality", "italian", "public", "business",
                 "research", "horizon", "pnrr", "region"):  # fmt: skip
        columns[f"topic_{name}"] = topic * columns[name]
    columns["facet_lead"] = columns["facet"] * columns["lead"]
    return np.column_stack([columns[name] for name in NAMES]).astype(float)


@dataclass
class LearnedModel:
    """A logistic model over NAMES, with what it was trained on (so decisions can refit it)."""

    coef: np.ndarray
    intercept: float
    mean: np.ndarray
    scale: np.ndarray
    high: float  # probability from which a call is "alta pertinenza"
    medium: float  # … "media pertinenza"
    x: np.ndarray  # training rows (raw features)
    y: np.ndarray
    weight: np.ndarray
    c: float = 0.3

    @property
    def fingerprint(self) -> str:
        """Changes whenever the model does (stored scores are then recomputed)."""
        blob = json.dumps([self.coef.round(6).tolist(), round(self.intercept, 6), self.high,
                           self.medium, self.mean.round(6).tolist()])  # fmt: skip
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return 0.5 * (1.0 + np.tanh(0.5 * (self._z(x) @ self.coef + self.intercept)))

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Each feature's share of each row's log-odds (relative to an average call)."""
        return self._z(x) * self.coef

    def refit(self, x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> LearnedModel:
        """The model trained again on its own rows plus these (the group's decisions)."""
        return fit(np.vstack([self.x, x]), np.concatenate([self.y, y]),
                   np.concatenate([self.weight, weight]), c=self.c, high=self.high,
                   medium=self.medium, start=self)  # fmt: skip

    def _z(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.scale

    def save(self, path: Path) -> None:
        data = {
            "features": list(NAMES), "coef": self.coef.tolist(), "intercept": self.intercept,
            "mean": self.mean.tolist(), "scale": self.scale.tolist(), "high": self.high,
            "medium": self.medium, "c": self.c, "x": np.round(self.x, 5).tolist(),
            "y": self.y.tolist(), "weight": self.weight.tolist(),
        }  # fmt: skip
        path.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LearnedModel:
        try:
            data = orjson.loads(path.read_bytes())  # a rescoring reads it: orjson is quicker
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the ranking model {path}: {exc}") from exc
        if data.get("features") != list(NAMES):
            raise ConfigError(f"{path} was trained on other features: retrain it with "
                              "tools/train_ranking.py")  # fmt: skip
        return cls(
            coef=np.array(data["coef"]), intercept=float(data["intercept"]),
            mean=np.array(data["mean"]), scale=np.array(data["scale"]), high=data["high"],
            medium=data["medium"], x=np.array(data["x"]), y=np.array(data["y"]),
            weight=np.array(data["weight"]), c=data["c"],
        )  # fmt: skip


def fit(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray, *, c: float = 0.3, high: float = 0.5,
    medium: float = 0.2, start: LearnedModel | None = None,
) -> LearnedModel:  # fmt: skip
    """L2-regularised logistic regression on standardised features, the objective of
    scikit-learn's LogisticRegression(C=c): c × Σ weight × log-loss + ½‖coef‖², the intercept
    unpenalised. Solved by Newton's method in numpy, from `start`'s coefficients when given (a
    refit after a decision then converges in a step or two) and with `start`'s standardisation,
    so the refit model reads features exactly as the shipped one."""
    if start is not None:
        mean, scale = start.mean, start.scale
    else:
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale == 0] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    if start is not None:
        beta = np.append(start.coef, start.intercept)
    penalty = np.ones(z.shape[1]) / c
    penalty[-1] = 0.0  # the intercept

    def objective(b: np.ndarray) -> float:
        margin = z @ b
        return float(weight @ (np.logaddexp(0.0, margin) - y * margin) + 0.5 * penalty @ b**2)

    current = objective(beta)
    for _ in range(50):
        p = 0.5 * (1.0 + np.tanh(0.5 * (z @ beta)))  # the logistic function, without overflow
        gradient = z.T @ (weight * (p - y)) + penalty * beta
        hessian = (z * (weight * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while size > 1e-4 and objective(beta - size * step) > current:  # never uphill
            size /= 2
        beta = beta - size * step
        current = objective(beta)
        if np.max(np.abs(size * step)) < 1e-6:
            break
    return LearnedModel(
        coef=beta[:-1], intercept=float(beta[-1]), mean=mean, scale=scale,
        high=high, medium=medium, x=x, y=y, weight=weight, c=c,
    )  # fmt: skip


def _scaled(values: np.ndarray, *, zero_floor: bool = True) -> np.ndarray:
    return scale(values.astype(float), zero_floor=zero_floor)


def _within_groups(values: np.ndarray, groups: list[str]) -> np.ndarray:
    out = np.zeros_like(values, dtype=float)
    labels = np.array(groups)
    for group in set(groups):
        mask = labels == group
        chosen = values[mask]
        spread = float(chosen.std()) or 1.0
        out[mask] = (chosen - float(chosen.mean())) / spread
    return out


def _parts(territory: str) -> set[str]:
    return {part.strip() for part in territory.split(",")}
