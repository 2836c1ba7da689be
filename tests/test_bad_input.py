"""Hostile text, broken configuration and mistyped paths: one clear line, nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from conftest import make_call

from matcher.cli import cli
from matcher.config import http_settings
from matcher.errors import ConfigError
from matcher.models import ScrapeResult
from matcher.ranking.themes import load_themes, themes_path
from matcher.store import get_call, open_db, save_result

NOW = "2026-08-22T06:00:00+00:00"
T0 = datetime(2026, 8, 1, tzinfo=UTC)
HOSTILE_TITLE = "Bando [/x] [link=javascript:alert(1)]clic[/link] \x1b[2J\x1b]8;;x\x07 fine"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def hostile_db(tmp_path):
    path = tmp_path / "hostile.db"
    hostile = make_call("H", title=HOSTILE_TITLE, url="javascript:alert(1)",
                        links=["javascript:alert(1)", "https://example.org/ok", "data:text/html,x"],
                        summary="riassunto\x1b[31m rosso", text="testo\u202eoverride")  # fmt: skip
    save_result(open_db(path), "eu_ftop", ScrapeResult([hostile]), T0)
    return path


def test_control_characters_and_non_web_links_never_reach_the_store(hostile_db):
    call, _ = get_call(open_db(hostile_db), "eu_ftop:H")
    assert call.title == "Bando [/x] [link=javascript:alert(1)]clic[/link] [2J]8;;x fine"
    assert (call.url, call.links) == ("", ["https://example.org/ok"])
    assert (call.summary, call.text) == ("riassunto[31m rosso", "testooverride")


def test_a_title_with_markup_lists_as_plain_text_in_calls_and_show(hostile_db):
    listed = run("--db", str(hostile_db), "calls", "--now", NOW)
    shown = run("--db", str(hostile_db), "show", "eu_ftop:H", "--now", NOW)
    assert (listed.exit_code, shown.exit_code) == (0, 0), listed.output + shown.output
    assert "[/x]" in listed.output and "[link=javascript" in listed.output
    assert "\x1b" not in listed.output + shown.output
    assert "[/x] [link=javascript:alert(1)]clic[/link]" in shown.output


def test_a_title_with_markup_lists_as_plain_text_in_a_shortlist(hostile_db):
    assert run("--db", str(hostile_db), "rank", "--model", "fake", "--now", NOW).exit_code == 0
    result = run("--db", str(hostile_db), "shortlist", "--theme", "energy", "--model", "fake",
                 "--now", NOW, "--include-closed", "--min-score", "0")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "[/x]" in result.output and "\x1b" not in result.output


@pytest.mark.parametrize("command", [["calls"], ["show", "eu_ftop:X"],
                                     ["shortlist", "--theme", "energy"], ["rank"]])  # fmt: skip
def test_a_mistyped_db_is_not_taken_for_an_empty_store(tmp_path, command):
    wrong = tmp_path / "wrong" / "path.db"
    result = run("--db", str(wrong), *command)
    assert result.exit_code == 1
    assert f"no database at {wrong}" in result.output
    assert not wrong.parent.exists()  # no folder, no empty database left behind


def test_an_unknown_portal_is_named(hostile_db):
    result = run("--db", str(hostile_db), "calls", "--portal", "eu_ftpo")
    assert result.exit_code == 2
    assert "unknown portal 'eu_ftpo'" in result.output and "eu_ftop" in result.output


@pytest.mark.parametrize(("variable", "value"), [
    ("MATCHER_HTTP_RETRIES", "-1"), ("MATCHER_HTTP_RETRIES", "1000000"),
    ("MATCHER_HTTP_DELAY", "inf"), ("MATCHER_HTTP_BACKOFF", "nan"), ("MATCHER_HTTP_DELAY", "due"),
])  # fmt: skip
def test_a_bad_environment_value_names_its_variable_before_any_portal_is_read(
    tmp_path, monkeypatch, variable, value
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=f"^{variable}="):
        http_settings()
    result = run("--db", str(tmp_path / "s.db"), "scrape", "--portal", "eu_ftop")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {variable}={value!r} is not valid")
    assert "layout" not in result.output
    assert not (tmp_path / "s.db").exists()  # checked before anything ran


@pytest.mark.parametrize("typo", ["Itaia", "Emilia Romagnia"])
def test_a_misspelt_territory_in_themes_toml_is_an_error_with_file_and_line(tmp_path, typo):
    text = themes_path().read_text(encoding="utf-8").replace('"Italia",', f'"{typo}",', 1)
    path = tmp_path / "themes.toml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("territories"))
    with pytest.raises(ConfigError) as caught:
        load_themes(path)
    assert str(caught.value).startswith(f"{path}:{line}: [applicant] field 'territories' has "
                                        f"{typo!r}")  # fmt: skip


def test_a_territory_written_without_its_hyphen_is_read_as_the_region(tmp_path):
    text = themes_path().read_text(encoding="utf-8").replace('"Emilia-Romagna"]',
                                                             '"Emilia Romagna"]', 1)  # fmt: skip
    path = tmp_path / "themes.toml"
    path.write_text(text, encoding="utf-8")
    assert load_themes(path).applicant.territories == ("EU", "Italia", "Emilia-Romagna")


def sources_file(tmp_path, text: str):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "message"), [
    ('[eu_ftop]\nurl = "https://x.example/search"\n\n[emilia_romagnaa]\nhosts = []\n',
     ":4: [emilia_romagnaa] is not a portal; did you mean 'emilia_romagna'?"),
    ('[emilia_romagna]\nhosts = ["https://a.example"]\npagesize = 50\n',
     ":3: [emilia_romagna] field 'pagesize' is not a setting of emilia_romagna; did you mean "
     "'page_size'?"),
    ('[incentivi_gov]\nrows = "200"\n',
     ":2: [incentivi_gov] field 'rows' must be a whole number, got '200'"),
    ('[eu_ftop]\nurl = "ftp://x.example/search"\n',
     ":2: [eu_ftop] field 'url' must be an http(s) URL, got 'ftp://x.example/search'"),
    ('[[feeds.sites]]\nname = "a"\nurl = "https://a.example/rss"\nterritory = "EU"\n\n'
     '[[feeds.sites]]\nname = "b"\nurl = "https://b.example/rss"\n',
     ":6: [[feeds.sites]] entry 2: b: 'territory' is required (EU, Italia or a region)"),
    ("[eu_ftop\n", ": Expected ']' at the end of a table declaration (at line 1, column 9)"),
])  # fmt: skip
def test_a_sources_toml_mistake_is_named_with_file_and_line_before_anything_runs(
    tmp_path, text, message
):
    path = sources_file(tmp_path, text)
    db = tmp_path / "s.db"
    result = run("--db", str(db), "scrape", "--sources", str(path))
    assert (result.exit_code, len(result.output.splitlines())) == (1, 1)
    assert result.output.startswith(f"Error: {path}{message}")
    assert not db.exists()  # nothing ran, no run row left 'running'


def test_the_configured_eu_ftop_url_is_the_one_read(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHER_HTTP_DELAY", "0")
    monkeypatch.setenv("MATCHER_HTTP_RETRIES", "0")
    path = sources_file(tmp_path, '[eu_ftop]\nurl = "http://127.0.0.1:9/mirror/search"\n')
    result = run("--db", str(tmp_path / "s.db"), "scrape", "--portal", "eu_ftop",
                 "--sources", str(path))  # fmt: skip
    assert result.exit_code == 1
    assert "127.0.0.1:9/mirror/search" in result.output  # the configured mirror, not the EU
