"""`matcher export` writes the app's files from the command line; `matcher app` starts Streamlit
on 127.0.0.1 unless told otherwise; the demo shows recently closed Italian calls."""

from __future__ import annotations

import csv
import io
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from appstore import ENERGY, NOW, seed_store
from click.testing import CliRunner
from conftest import make_call
from icalendar import Calendar
from openpyxl import load_workbook

from matcher import jobs
from matcher.app.table import is_new
from matcher.cli import cli
from matcher.cli.app import app_script, streamlit_command
from matcher.ranking.config import DEFAULT_METHOD, RankingConfig
from matcher.ranking.themes import load_themes
from matcher.store import ShortlistFilters, open_db, shortlist_rows


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("MATCHER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MATCHER_MODEL", "fake")
    path = tmp_path / "cli.db"
    seed_store(path)
    return path


def export(store: Path, out: Path, *options: str) -> str:
    result = CliRunner().invoke(cli, ["--db", str(store), "export", "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    return result.output


def test_export_writes_the_filtered_shortlist_as_csv_xlsx_and_ics(store, tmp_path):
    expected = [row["id"] for row in shortlist_rows(
        open_db(store), "energy", "learned@fake", NOW, ShortlistFilters(languages=frozenset({"it"})))]  # fmt: skip
    assert len(expected) == 3
    options = ("--theme", "energy", "--min-score", "0", "--language", "it")
    assert export(store, tmp_path / "v.csv", "--format", "csv", *options) == (
        f"3 bandi scritti in {tmp_path / 'v.csv'}.\n"
    )
    text = (tmp_path / "v.csv").read_bytes().decode("utf-8-sig")
    assert [r["Codice"] for r in csv.DictReader(io.StringIO(text), delimiter=";")] == expected
    export(store, tmp_path / "v.xlsx", "--format", "xlsx", *options)
    sheet = load_workbook(tmp_path / "v.xlsx").active
    assert sheet is not None
    assert [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)] == expected
    export(store, tmp_path / "v.ics", "--format", "ics", *options)
    events = Calendar.from_ical((tmp_path / "v.ics").read_bytes()).walk("VEVENT")
    assert sorted(str(e["uid"]).split("#")[0] for e in events) == sorted(expected)


def test_export_reads_the_demo_store_as_of_its_date_and_refuses_an_unknown_theme(store, tmp_path):
    # no --now: the store's as-of date (22/08/2026) decides what is open, not today's date
    assert export(store, tmp_path / "all.csv", "--format", "csv", "--min-score", "0") == (
        f"12 bandi scritti in {tmp_path / 'all.csv'}.\n"
    )
    result = CliRunner().invoke(cli, ["--db", str(store), "export", "--format", "csv",
                                      "--theme", "energia"])  # fmt: skip
    assert result.exit_code == 2 and "unknown theme 'energia'" in result.output


def test_an_english_export_shows_english_status_labels(store, tmp_path):
    db = open_db(store)
    rome = {"language": "it", "tz": "Europe/Rome", "territory": "Italia", "text": ENERGY}
    jobs.import_calls(db, [
        make_call("sempre", "import", title="Sportello energia", deadlines=[],
                  status_hint="open_ended", **rome),
        make_call("presto", "import", title="Bando energia 2027", opening=NOW + timedelta(days=9),
                  deadlines=[NOW + timedelta(days=90)], **rome),
    ], NOW)  # fmt: skip
    jobs.rank(db, load_themes(), RankingConfig(DEFAULT_METHOD, "fake"), NOW)
    export(store, tmp_path / "en.csv", "--format", "csv", "--theme", "energy", "--min-score", "0",
           "--status", "open,forthcoming,open_ended,closed", "--lang", "en")  # fmt: skip
    text = (tmp_path / "en.csv").read_bytes().decode("utf-8-sig")
    assert {r["Id"]: r["Status"] for r in csv.DictReader(io.StringIO(text), delimiter=";")} == {
        "eu_ftop:LIFE-ENERGY": "open", "import:led": "open", "import:script": "open",
        "import:bold": "open", "import:closed": "closed", "import:sempre": "open-ended",
        "import:presto": "forthcoming",
    }  # fmt: skip


def test_the_app_listens_on_127_0_0_1_unless_configured(monkeypatch):
    command = streamlit_command(app_script(), "127.0.0.1", 8501)
    assert command[:6] == [sys.executable, "-P", "-m", "matcher.app.serve", "run",
                           str(app_script())]  # fmt: skip
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert command[command.index("--server.headless") + 1] == "true"
    help_text = CliRunner().invoke(cli, ["app", "--help"]).output
    assert "default 127.0.0.1" in help_text
    assert app_script() == Path(__file__).parent.parent / "app.py"


def test_a_call_is_new_for_a_week_unless_it_came_with_the_first_collection():
    first_run = (NOW - timedelta(days=30)).isoformat()
    assert is_new((NOW - timedelta(days=2)).isoformat(), NOW, first_run) is True
    assert is_new((NOW - timedelta(days=8)).isoformat(), NOW, first_run) is False
    # the day after a new deployment's first collection, its calls are not news
    assert is_new(first_run, NOW - timedelta(days=29), first_run) is False


def test_the_demo_shows_recently_closed_italian_calls_per_theme(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MATCHER_MODEL", "fake")
    result = CliRunner().invoke(cli, ["demo", "--no-app"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for label in ("Efficienza energetica", "Comunicazione ai cittadini e servizi digitali",
                  "Promozione turistica e cultura"):  # fmt: skip
        assert f"{label} — chiusi di recente: prossime edizioni" in " ".join(result.output.split())
    assert f"App: matcher --db {tmp_path / 'home' / 'demo.db'} app" in result.output
