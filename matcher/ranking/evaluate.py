"""Ranking quality on labelled judgments: nDCG@10, P@10 and Recall@50, per theme and language."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from matcher.errors import ConfigError
from matcher.store.ranking import ranked_ids

GRADES = (0, 1, 2)
RELEVANT = 1  # P@10 and Recall@50 count grade >= 1 as relevant; nDCG uses the grades as gains


def load_judgments(path: Path) -> dict[str, dict[str, int]]:
    """`{"energy": {"call-id": 2, …}, …}`; errors name the file and the bad entry."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected an object of themes")
    judgments: dict[str, dict[str, int]] = {}
    for theme, grades in data.items():
        if theme.startswith("_"):
            continue
        if not isinstance(grades, dict):
            raise ConfigError(f"{path}: theme {theme!r} must map call ids to grades")
        for call_id, grade in grades.items():
            if grade not in GRADES:
                raise ConfigError(f"{path}: {theme}/{call_id}: grade {grade!r} is not 0, 1 or 2")
        judgments[theme] = dict(grades)
    return judgments


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    gains = [(2 ** grades.get(call_id, 0) - 1) for call_id in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2**g - 1 for g in grades.values()), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def precision_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    top = ranked[:k]
    return sum(grades.get(c, 0) >= RELEVANT for c in top) / k if top else 0.0


def recall_at(ranked: list[str], grades: dict[str, int], k: int = 50) -> float:
    relevant = {c for c, g in grades.items() if g >= RELEVANT}
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:k])) / len(relevant)


@dataclass
class Metrics:
    ndcg10: float
    p10: float
    r50: float
    judged: int
    relevant: int
    judged10: float = 0.0  # share of the top ten that was judged: how far to trust P@10

    def row(self) -> list[str]:
        return [f"{self.ndcg10:.3f}", f"{self.p10:.3f}", f"{self.r50:.3f}",
                f"{self.judged10:.2f}", str(self.judged), str(self.relevant)]  # fmt: skip


def metrics(ranked: list[str], grades: dict[str, int]) -> Metrics:
    return Metrics(
        ndcg10=ndcg_at(ranked, grades),
        p10=precision_at(ranked, grades),
        r50=recall_at(ranked, grades),
        judged=len(grades),
        relevant=sum(g >= RELEVANT for g in grades.values()),
        judged10=sum(c in grades for c in ranked[:10]) / 10,
    )


@dataclass
class EvalReport:
    """Metrics per theme and language ('all', 'it', 'en'), and their means over themes."""

    configuration: str
    by_theme: dict[str, dict[str, Metrics]] = field(default_factory=dict)

    def mean(self, language: str = "all") -> Metrics:
        values = [m[language] for m in self.by_theme.values() if language in m]
        n = len(values) or 1
        return Metrics(
            ndcg10=sum(v.ndcg10 for v in values) / n,
            p10=sum(v.p10 for v in values) / n,
            r50=sum(v.r50 for v in values) / n,
            judged=sum(v.judged for v in values),
            relevant=sum(v.relevant for v in values),
            judged10=sum(v.judged10 for v in values) / n,
        )


def evaluate_stored(
    db: sqlite_utils.Database,
    judgments: dict[str, dict[str, int]],
    key: str,
    *,
    exclude: dict[str, dict[str, int]] | None = None,
    reviewed: dict[str, set[str]] | None = None,
) -> EvalReport:
    """Score the stored ranking `key` against the judgments.

    Calls judged only in `exclude` (the other part of a dev/test split) and calls the group has
    already decided on (`reviewed`) are taken out of the ranking: they are not held-out calls.
    """
    report = EvalReport(configuration=key)
    for theme, grades in judgments.items():
        excluded = set((exclude or {}).get(theme, {})) - set(grades)
        excluded |= (reviewed or {}).get(theme, set())
        ranking = [(c, lang) for c, lang in ranked_ids(db, theme, key) if c not in excluded]
        languages = {call_id: language for call_id, language in ranking}
        result = {"all": metrics([c for c, _ in ranking], grades)}
        for language in ("it", "en"):
            subset = [c for c, lang in ranking if lang == language]
            sub_grades = {c: g for c, g in grades.items() if languages.get(c) == language}
            if sub_grades:
                result[language] = metrics(subset, sub_grades)
        report.by_theme[theme] = result
    return report
