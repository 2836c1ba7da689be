"""`matcher scrape --portal eu_ftop --base-url` against a real local server, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from localserver import serve

from matcher.cli import cli

PAGE = Path(__file__).parent / "fixtures" / "eu_ftop" / "sedia_search_response_9results.json"
SEARCH_PATH = "/search-api/prod/rest/search"
NOW = "2026-08-22T06:00:00+00:00"


@pytest.fixture(autouse=True)
def quick_http(monkeypatch, tmp_path):
    monkeypatch.setenv("MATCHER_HTTP_DELAY", "0")
    monkeypatch.setenv("MATCHER_HTTP_BACKOFF", "0")
    monkeypatch.setenv("MATCHER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MATCHER_EU_FTOP_URL", raising=False)
    monkeypatch.delenv("MATCHER_DB", raising=False)


def recorded_page(method, path, headers, body):
    if method != "POST" or not path.startswith(SEARCH_PATH):
        return 405, "text/plain", b"Method Not Allowed"
    return 200, "application/json", PAGE.read_bytes()


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def stored(db: Path, now: str = NOW) -> dict[str, dict]:
    result = run("--db", str(db), "calls", "--json", "--now", now)
    return {row["id"]: row for row in map(json.loads, result.output.splitlines())}


def test_scrape_from_local_server_stores_right_calls_deadlines_and_statuses(tmp_path):
    db = tmp_path / "m.db"
    with serve(recorded_page) as (base, received):
        result = run("--db", str(db), "scrape", "--portal", "eu_ftop",
                     "--base-url", base + SEARCH_PATH, "--now", NOW)  # fmt: skip
    assert result.exit_code == 0, result.output
    request = received[0]
    assert request["method"] == "POST"
    assert "pageNumber=1" in request["path"] and "apiKey=SEDIA" in request["path"]
    assert request["headers"]["content-type"].startswith("multipart/form-data")
    calls = stored(db)
    assert sorted(calls) == sorted(
        f"eu_ftop:{i}"
        for i in (
            "HORIZON-MISS-2027-05-SOIL-01-two-stage", "HORIZON-CL4-2027-04-DIGITAL-EMERGING-10",
            "HORIZON-CL5-2027-03-D5-05", "HORIZON-CL6-2026-04-GOVERNANCE-01",
            "HORIZON-CL3-2026-02-CS-ECCC-01", "HORIZON-JU-CBE-2026-IAFlag-02",
        )
    )  # fmt: skip
    two_stage = calls["eu_ftop:HORIZON-MISS-2027-05-SOIL-01-two-stage"]
    assert (two_stage["deadlines"], two_stage["deadline_time_known"], two_stage["status"]) == (
        ["2027-04-08T00:00:00+02:00", "2027-09-14T00:00:00+02:00"], False, "forthcoming",
    )  # fmt: skip
    statuses = {i.removeprefix("eu_ftop:"): row["status"] for i, row in calls.items()}
    assert statuses["HORIZON-CL3-2026-02-CS-ECCC-01"] == "open"
    assert statuses["HORIZON-CL6-2026-04-GOVERNANCE-01"] == "forthcoming"
    later = stored(db, now="2026-09-16T06:00:00+00:00")
    assert later["eu_ftop:HORIZON-CL3-2026-02-CS-ECCC-01"]["status"] == "closed"
    assert later["eu_ftop:HORIZON-CL3-2026-02-CS-ECCC-01"]["days_to_deadline"] is None


def test_env_variable_points_the_portal_at_a_mirror(tmp_path, monkeypatch):
    with serve(recorded_page) as (base, received):
        monkeypatch.setenv("MATCHER_EU_FTOP_URL", base + SEARCH_PATH)
        result = run("--db", str(tmp_path / "m.db"), "scrape", "--portal", "eu_ftop")
    assert (result.exit_code, len(received)) == (0, 1)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((500, "application/json", b'{"type":"throwable"}'), "HTTP 500 from http://127.0.0.1"),
        ((200, "application/json", b"<html>maintenance</html>"), "invalid JSON"),
        ((200, "application/json", b'{"unexpected": true}'), "eu_ftop"),
    ],
)
def test_failing_portal_exits_non_zero_with_one_line_and_keeps_stored_calls(
    tmp_path, answer, expected
):
    db = tmp_path / "m.db"
    with serve(recorded_page) as (base, _):
        run("--db", str(db), "scrape", "--portal", "eu_ftop", "--base-url", base + SEARCH_PATH)
    with serve(lambda *request: answer) as (base, _):
        result = CliRunner().invoke(
            cli,
            ["--db", str(db), "scrape", "--portal", "eu_ftop", "--base-url", base + SEARCH_PATH],
        )
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert result.exit_code == 1
    assert len(errors) == 1 and expected in errors[0], result.output
    assert "Traceback" not in result.output
    assert len(stored(db)) == 6
    assert all(row["vanished_at"] is None for row in stored(db).values())


def test_base_url_must_be_an_http_url(tmp_path):
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "m.db"), "scrape", "--portal", "eu_ftop", "--base-url", "x"]
    )
    assert result.exit_code == 2 and "must be an http(s) URL" in result.output


def test_show_prints_one_call_and_unknown_id_is_a_clean_error(tmp_path):
    db = tmp_path / "m.db"
    with serve(recorded_page) as (base, _):
        run("--db", str(db), "scrape", "--portal", "eu_ftop", "--base-url", base + SEARCH_PATH)
    shown = run("--db", str(db), "show", "eu_ftop:HORIZON-CL5-2027-03-D5-05", "--json")
    missing = CliRunner().invoke(cli, ["--db", str(db), "show", "eu_ftop:nope"])
    assert json.loads(shown.output)["title"].startswith("Higher Voltage, Megawatt Charging")
    assert missing.exit_code == 1 and "no call with id 'eu_ftop:nope'" in missing.output


def test_a_malformed_now_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "m.db"), "calls", "--now", "ieri"])
    assert result.exit_code == 1 and "--now 'ieri' is not an ISO 8601" in result.output
    assert "Traceback" not in result.output


def test_an_unexpected_error_inside_a_portal_is_recorded_not_raised():
    from types import SimpleNamespace

    from scrapers.base import run_portal

    def scrape(client, since=None, *, base_url=None, report, config=None):
        raise KeyError("items")
        yield

    result = run_portal(SimpleNamespace(NAME="broken", scrape=scrape), client=None)
    assert (result.complete, result.errors) == (
        False, ["broken: unexpected KeyError (the portal's layout may have changed): 'items'"],
    )  # fmt: skip


def test_default_scrape_skips_site_list_portals_without_sites():
    from matcher.cli.calls import configured_portals

    sources = {"feeds": {"sites": [{"name": "cinea", "url": "https://x/rss"}]}, "wordpress": {}}
    assert configured_portals(["eu_ftop", "feeds", "wordpress"], sources) == ["eu_ftop", "feeds"]


def test_asking_for_a_portal_without_sites_says_why(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text("[eu_ftop]\n")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "m.db"), "scrape", "--portal",
                                      "wordpress", "--sources", str(sources)])  # fmt: skip
    assert result.exit_code == 1 and "wordpress: no sites configured" in result.output


def test_default_scrape_of_a_recorded_snapshot_reads_every_configured_portal(tmp_path):
    from matcher.config import snapshot_dir

    snapshot = snapshot_dir()
    result = CliRunner().invoke(cli, [
        "--db", str(tmp_path / "m.db"), "scrape", "--replay", str(snapshot),
        "--sources", str(snapshot / "sources.toml"), "--now", NOW,
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    for portal in ("eu_ftop", "emilia_romagna", "incentivi_gov", "padigitale", "italiadomani",
                   "wordpress"):  # fmt: skip
        assert f"│ {portal}" in result.output
    assert "│ feeds" not in result.output  # no feed site in the snapshot


def test_a_recorded_scrape_replays_to_the_same_calls(tmp_path):
    snapshot = tmp_path / "snapshot"
    with serve(recorded_page) as (base, _):
        recorded = run("--db", str(tmp_path / "a.db"), "scrape", "--portal", "eu_ftop",
                       "--base-url", base + SEARCH_PATH, "--record", str(snapshot))  # fmt: skip
        url = base + SEARCH_PATH
    replayed = run("--db", str(tmp_path / "b.db"), "scrape", "--portal", "eu_ftop",
                   "--base-url", url, "--replay", str(snapshot))  # fmt: skip
    assert (recorded.exit_code, replayed.exit_code) == (0, 0)
    assert sorted(stored(tmp_path / "a.db")) == sorted(stored(tmp_path / "b.db"))
    assert len(stored(tmp_path / "b.db")) == 6
