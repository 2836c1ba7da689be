"""Ranking on real calls with the deterministic fake embedder: order, explanations, caching."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import cli
from matcher.errors import ReviewError
from matcher.importer import read_import_file
from matcher.ranking.config import RankingConfig
from matcher.ranking.embed import FakeEmbedder
from matcher.ranking.rank import rank
from matcher.ranking.themes import load_themes
from matcher.store import ShortlistFilters, open_db, record_review, shortlist_rows, upsert_calls

CALLS = Path(__file__).parent / "fixtures" / "ranking" / "calls.jsonl"
NOW = datetime(2026, 8, 22, 6, 0, tzinfo=UTC)
LAZIO = {"bandiradar:lazio:49062", "bandiradar:lazio:40990", "bandiradar:lazio:46318"}


@pytest.fixture
def db(tmp_path):
    store = open_db(tmp_path / "rank.db")
    upsert_calls(store, read_import_file(CALLS).calls, NOW)
    return store


@pytest.fixture(scope="module")
def themes():
    return load_themes()


HYBRID, BM25 = RankingConfig("hybrid", "fake"), RankingConfig("bm25", None)


def ids(rows: list[dict]) -> list[str]:
    return [row["id"] for row in rows]


def shortlist(db, theme, key, now, *, limit=20, include_closed=False):
    statuses = ShortlistFilters().statuses | ({"closed"} if include_closed else set())
    return shortlist_rows(db, theme, key, now, ShortlistFilters(limit=limit, statuses=statuses))


def test_hybrid_ranking_puts_on_theme_calls_first(db, themes):
    rank(db, themes, HYBRID, NOW, embedder=FakeEmbedder())
    key = HYBRID.key
    energy = ids(shortlist(db, "energy", key, NOW, limit=3))
    tourism = ids(shortlist(db, "tourism", key, NOW, limit=2))
    assert set(energy) == {
        "eu_ftop:HORIZON-MISS-2026-04-CIT-02", "eu_ftop:LIFE-2026-CET-ENERCOM", "incentivi_gov:1426",
    }  # fmt: skip
    # the national measure funds energy efficiency of theatres and cinemas: partly tourism too
    assert set(tourism) == {"incentivi_gov:1426", "eu_ftop:HORIZON-CL2-2027-01-HERITAGE-06"}


def test_shortlist_rows_have_the_design_fields_and_a_checkable_explanation(db, themes):
    rank(db, themes, HYBRID, NOW, embedder=FakeEmbedder())
    [top] = shortlist(db, "energy", "hybrid@fake", NOW, limit=1)
    assert list(top)[:12] == [
        "id",
        "theme",
        "rank",
        "score",
        "title",
        "url",
        "status",
        "next_deadline",
        "days_to_deadline",
        "language",
        "territory",
        "explanation",
    ]
    assert (top["rank"], top["theme"], top["status"]) == (1, "energy", "open")
    assert 0 <= top["score"] <= 100
    explanation = top["explanation"]
    assert explanation["keywords"] and explanation["passage"]
    assert explanation["eligibility"]["applicable"] is True
    assert explanation["eligibility"]["territory"] == top["territory"]
    assert explanation["eligibility"]["note"]


def test_calls_for_other_regions_procurement_and_closed_calls_stay_out(db, themes):
    rank(db, themes, BM25, NOW)
    everything = [
        r
        for theme in themes.themes
        for r in shortlist(db, theme, "bm25", NOW, limit=None, include_closed=True)
    ]
    open_only = ids(shortlist(db, "communication", "bm25", NOW, limit=None))
    assert not LAZIO & set(ids(everything))
    assert "italiadomani:152" not in ids(everything)
    assert "padigitale:0aad5f774824" in ids(everything)  # closed in 2022: only when asked
    assert "padigitale:0aad5f774824" not in open_only


def test_second_rank_with_nothing_changed_embeds_nothing_and_is_fast(db, themes):
    embedder = FakeEmbedder()
    first = rank(db, themes, HYBRID, NOW, embedder=embedder)
    started = time.perf_counter()
    second = rank(db, themes, HYBRID, NOW, embedder=embedder)
    assert (first.embedded > 0, first.scored_themes) == (True, 3)
    assert (second.embedded, second.features, second.scored_themes) == (0, 0, 0)
    assert time.perf_counter() - started < 2


def test_a_changed_call_is_recomputed_alone(db, themes):
    embedder = FakeEmbedder()
    rank(db, themes, HYBRID, NOW, embedder=embedder)
    [call] = [c for c in read_import_file(CALLS).calls if c.id == "incentivi_gov:1426"]
    call.text += "\nComunità energetiche rinnovabili e illuminazione pubblica."
    upsert_calls(db, [call], NOW)
    report = rank(db, themes, HYBRID, NOW, embedder=embedder)
    assert (report.features, report.scored_themes) == (3, 3)


def test_editing_the_themes_file_rescores(db, themes, tmp_path):
    rank(db, themes, BM25, NOW)
    edited = tmp_path / "themes.toml"
    original = themes.path.read_text(encoding="utf-8")
    edited.write_text(
        original.replace('"teleriscaldamento",', '"teleriscaldamento", "microgrid*",')
    )
    report = rank(db, load_themes(edited), BM25, NOW)
    assert (report.features, report.scored_themes) == (11, 1)


def test_rejected_call_leaves_the_shortlist_and_decisions_need_a_reviewer(db, themes):
    rank(db, themes, BM25, NOW)
    record_review(db, "eu_ftop:LIFE-2026-CET-ENERCOM", "energy", "reject", "Giulia Rossi", NOW)
    report = rank(db, themes, BM25, NOW)
    assert report.scored_themes == 1  # only the theme with a new decision
    assert "eu_ftop:LIFE-2026-CET-ENERCOM" not in ids(shortlist(db, "energy", "bm25", NOW))
    with pytest.raises(ReviewError, match="needs a reviewer"):
        record_review(db, "eu_ftop:LIFE-2026-CET-ENERCOM", "energy", "shortlist", " ", NOW)


def test_cli_review_shortlist_json_and_reviewer_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MATCHER_REVIEWER", "Marco Bianchi")
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "import", str(CALLS)]).exit_code == 0
    ranked = runner.invoke(cli, ["--db", db, "rank", "--model", "fake", "--now", NOW.isoformat()])
    assert ranked.exit_code == 0, ranked.output
    reviewed = runner.invoke(
        cli,
        [
            "--db",
            db,
            "review",
            "incentivi_gov:1426",
            "--theme",
            "energy",
            "--decision",
            "shortlist",
            "--note",
            "teatro comunale",
        ],
    )
    listed = runner.invoke(
        cli,
        [
            "--db",
            db,
            "shortlist",
            "--theme",
            "energy",
            "--json",
            "--model",
            "fake",
            "--now",
            NOW.isoformat(),
            "--limit",
            "2",
        ],
    )
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert "by Marco Bianchi" in reviewed.output
    # the decision came after the scores: the list says so instead of recomputing them
    assert listed.stderr == (
        "Attenzione: punteggi del 22/08/2026, decisioni più recenti non ancora considerate: "
        "esegui `matcher rank`\n"
    )
    assert [row["rank"] for row in rows] == [1, 2]
    unknown = runner.invoke(cli, ["--db", db, "shortlist", "--theme", "sport", "--model", "fake"])
    assert unknown.exit_code == 2 and "unknown theme 'sport'" in unknown.output
