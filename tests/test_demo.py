"""`matcher demo`: the bundled snapshot through the real scrapers, ranked, in its own database."""

from __future__ import annotations

import json

from click.testing import CliRunner

from matcher.cli import cli

AS_OF = "2026-08-22T06:00:00+00:00"


def test_demo_loads_every_recorded_portal_ranks_and_never_touches_the_deployment_db(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("MATCHER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MATCHER_DB", str(tmp_path / "deployment.db"))
    monkeypatch.setenv("MATCHER_MODEL", "fake")  # the real model is exercised by the README run
    monkeypatch.setenv("MATCHER_EU_FTOP_URL", "http://127.0.0.1:9/unreachable")  # not for replays
    result = CliRunner().invoke(cli, ["demo", "--limit", "3", "--no-app"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for portal in ("eu_ftop", "emilia_romagna", "incentivi_gov", "padigitale", "italiadomani",
                   "wordpress"):  # fmt: skip
        assert f"│ {portal}" in result.output
    assert "Dati al 22/08/2026" in result.output
    assert "Efficienza energetica: 5 calls" in result.output
    assert not (tmp_path / "deployment.db").exists()
    assert "failed" not in result.output

    demo_db = str(tmp_path / "home" / "demo.db")
    listed = CliRunner().invoke(cli, ["--db", demo_db, "calls", "--json", "--now", AS_OF])
    calls = {row["id"]: row for row in map(json.loads, listed.output.splitlines())}
    territories = {row["territory"] for row in calls.values()}
    languages = {row["language"] for row in calls.values()}
    assert {"EU", "Italia", "Emilia-Romagna", "Lazio"} <= territories
    assert languages == {"en", "it"}
    # a real EU call with two deadlines, forthcoming on the snapshot date
    two_stage = calls["eu_ftop:HORIZON-MISS-2027-05-SOIL-01-two-stage"]
    assert (two_stage["status"], len(two_stage["deadlines"])) == ("forthcoming", 2)
    # a regional call whose applications closed ("In corso" on the Region's site)
    regional = [r for r in calls.values() if r["portal"] == "emilia_romagna"]
    assert regional and all(r["status"] == "closed" for r in regional)


def test_demo_refuses_to_rebuild_the_deployment_database(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHER_DB", str(tmp_path / "deployment.db"))
    result = CliRunner().invoke(cli, ["demo", "--db", str(tmp_path / "deployment.db")])
    assert result.exit_code == 2 and "is the deployment's database" in result.output
