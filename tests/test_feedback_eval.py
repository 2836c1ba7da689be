"""Review decisions moving similar calls, and the evaluation measures."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from matcher.cli import cli
from matcher.errors import ConfigError
from matcher.ranking.evaluate import load_judgments, metrics, ndcg_at, precision_at, recall_at
from matcher.ranking.feedback import MAX_POINTS, adjustments


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def collection(n: int = 200, dim: int = 16, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {f"c{i}": unit(*rng.normal(size=dim)) for i in range(n)}


def test_calls_like_shortlisted_ones_move_up_and_like_rejected_ones_move_down():
    vectors = collection()
    decisions = {"c1": "shortlist", "c2": "shortlist", "c3": "shortlist",
                 "c4": "reject", "c5": "reject", "c6": "reject"}  # fmt: skip
    vectors["near-liked"] = unit(*(vectors["c1"] + 0.1 * vectors["c9"]))
    vectors["near-disliked"] = unit(*(vectors["c4"] + 0.1 * vectors["c9"]))
    moved = adjustments(decisions, vectors)
    assert moved["near-liked"] > 10 and moved["near-disliked"] < -10
    assert max(abs(p) for p in moved.values()) <= MAX_POINTS


def test_one_odd_decision_moves_only_the_few_calls_that_resemble_it():
    vectors = collection()
    moved = adjustments({"c5": "shortlist"}, vectors)
    assert max(moved.values()) <= MAX_POINTS / 3 + 1e-6  # one decision alone weighs a third
    assert len(moved) <= len(vectors) * 0.1


def test_no_decisions_no_adjustment():
    assert adjustments({}, collection()) == {}


def test_ndcg_precision_and_recall_on_a_hand_checked_ranking():
    grades = {"a": 2, "b": 1, "c": 0, "d": 2}
    ranked = ["a", "c", "b", "x", "d"]
    dcg = 3 / math.log2(2) + 1 / math.log2(4) + 3 / math.log2(6)
    ideal = 3 / math.log2(2) + 3 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at(ranked, grades) == pytest.approx(dcg / ideal)
    assert (precision_at(ranked, grades), recall_at(ranked, grades, k=3)) == (0.3, 2 / 3)
    m = metrics(ranked, grades)
    assert (m.judged, m.relevant) == (4, 3)


def test_judgments_with_a_bad_grade_name_the_file_and_entry(tmp_path):
    path = tmp_path / "j.json"
    path.write_text(json.dumps({"energy": {"eu_ftop:X": 3}}))
    with pytest.raises(ConfigError, match=r"j.json: energy/eu_ftop:X: grade 3"):
        load_judgments(path)


def test_eval_command_prints_per_theme_and_language_tables(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHER_HOME", str(tmp_path))
    corpus = "tests/fixtures/ranking/calls.jsonl"
    judgments = tmp_path / "j.json"
    judgments.write_text(json.dumps({
        "energy": {"eu_ftop:LIFE-2026-CET-ENERCOM": 2, "incentivi_gov:1426": 2,
                   "bandiradar:lazio:49062": 0},
        "communication": {"padigitale:0aad5f774824": 2},
        "tourism": {"eu_ftop:HORIZON-CL2-2027-01-HERITAGE-06": 2, "bandiradar:lazio:46318": 0},
    }))  # fmt: skip
    result = CliRunner().invoke(
        cli, ["eval", str(judgments), "--corpus", corpus, "--model", "fake"]
    )
    assert result.exit_code == 0, result.output
    assert "Ranking quality: learned fake" in result.output
    assert "│ overall       │ it       │" in result.output
