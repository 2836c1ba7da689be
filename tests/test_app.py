"""The Streamlit app (AppTest) on a temporary store seeded through the store's functions."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from appstore import BOLD_TITLE, NOW, SCRIPT_TITLE, seed_store
from icalendar import Calendar
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from matcher.store import open_db, reviews_of, set_meta

ROME = ZoneInfo("Europe/Rome")
APP = str(Path(__file__).parent.parent / "app.py")


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("MATCHER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MATCHER_MODEL", "fake")
    monkeypatch.delenv("MATCHER_APP_PASSWORD", raising=False)
    path = tmp_path / "app.db"
    monkeypatch.setenv("MATCHER_DB", str(path))
    seed_store(path)
    return path


def app(**params: str | list[str]) -> AppTest:
    test = AppTest.from_file(APP, default_timeout=60)
    test.query_params["min"] = "0"  # every scored call: the fake model's scores are low
    for key, value in params.items():
        test.query_params[key] = value
    return test.run()


def listed_ids(test: AppTest) -> list[str]:
    table = test.dataframe(key="table_energy").value
    return [link.removeprefix("?call=").replace("%3A", ":") for link in table["Scheda"]]


@contextmanager
def job_holding_the_lock(store: Path) -> Iterator[int]:
    """Another process holding the store's writing lock (as a running scrape would) until the
    block ends; its pid."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store), NOW.isoformat()],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None and child.stdout.readline() == "held\n"
    try:
        yield child.pid
    finally:
        child.communicate("")  # closing its input lets it end


HOLDER = """
import sys
from datetime import datetime
from pathlib import Path
from matcher.store.lock import writer_lock
with writer_lock(Path(sys.argv[1]), "matcher scrape", datetime.fromisoformat(sys.argv[2])):
    print("held", flush=True)
    sys.stdin.read()
"""


def rendered(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


def test_the_first_view_is_the_energy_shortlist_in_italian(store):
    test = app()
    assert not test.exception
    assert set(listed_ids(test)) == {"import:led", "import:script", "import:bold",
                                     "eu_ftop:LIFE-ENERGY"}  # fmt: skip
    row = test.dataframe(key="table_energy").value.set_index("Scheda").loc["?call=import%3Aled"]
    assert (row["Stato"], row["Prossima scadenza"], row["Giorni"], row["Budget"]) == (
        "aperto", "21/09/2026 (ora non indicata)", "tra 30 giorni", "1.500.000 €")  # fmt: skip


def test_filters_change_the_rows_and_are_read_from_the_url(store):
    # (the browser test checks that a filter set on the page goes into the URL)
    assert listed_ids(app(portale="eu_ftop")) == ["eu_ftop:LIFE-ENERGY"]
    assert listed_ids(app(q="teleriscaldamento")) == ["import:bold"]
    assert listed_ids(app(stato="closed")) == ["import:closed"]
    test = app()
    test.multiselect(key="stato").set_value(["closed"]).run()
    assert listed_ids(test) == ["import:closed"]
    test.slider(key="min").set_value(100).run()
    assert test.caption[1].value == "0 bandi (punteggio ≥ 100)."


def test_the_interface_switches_to_english(store):
    test = app(lang="en")
    assert "Calls by theme" in [o for o in test.sidebar.radio(key="vista").options]
    assert "Next deadline" in test.dataframe(key="table_energy").value.columns


def test_a_call_link_opens_that_call_and_titles_stay_plain_text(store):
    test = app(call="import:bold")
    title = test.markdown[0].value
    assert title.startswith("### ")
    html = rendered(title.removeprefix("### "))
    assert html == "<p>**Teleriscaldamento** _urbano_ [clic](javascript:alert(1))</p>\n"
    test = app(call="import:script")
    html = rendered(test.markdown[0].value.removeprefix("### "))
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; Illuminazione pubblica</p>\n"


def test_a_review_is_recorded_with_reviewer_and_time_and_shown_after_a_restart(store):
    test = app(call="import:led")
    test.sidebar.text_input(key="reviewer_name").set_value("Giulia Rossi")
    test.radio(key="r_action").set_value("shortlist")
    test.text_area(key="r_note").set_value("con ART-ER")
    test.button(key="FormSubmitter:review-Registra").click().run()
    assert [s.value for s in test.success] == ["Registrato: in shortlist da Giulia Rossi."]
    db = open_db(store)
    recorded = [
        (r["decision"], r["reviewer"], r["note"], r["theme"]) for r in reviews_of(db, "import:led")
    ]
    assert recorded == [("shortlist", "Giulia Rossi", "con ART-ER", "energy")]
    assert reviews_of(db, "import:led")[0]["decided_at"] > "2026-11"  # the real clock
    again = app(call="import:led")  # a new session: the decision is read back from the store
    history = again.dataframe[0].value
    assert list(history[["Chi", "Tema", "Azione", "Nota"]].itertuples(index=False, name=None)) == [
        ("Giulia Rossi", "Efficienza energetica", "in shortlist", "con ART-ER")]  # fmt: skip
    assert "Giulia Rossi" in set(app(vista="decisions").dataframe[0].value["Chi"])
    # the decision feeds the ranking: the list says its scores predate it, and offers to rank
    listing = app()
    assert "decisioni più recenti non ancora considerate" in listing.warning[0].value
    listing.button(key="rank_energy").click().run()
    assert listing.success[0].value.startswith("Punteggi aggiornati")
    assert not app().warning


def test_no_decision_is_recorded_without_a_name_or_a_rejection_without_a_reason(store):
    test = app(call="import:led")
    test.radio(key="r_action").set_value("reject")
    test.button(key="FormSubmitter:review-Registra").click().run()
    assert [e.value for e in test.error] == [
        "Inserire il proprio nome nella barra laterale: nessuna decisione viene registrata senza."]  # fmt: skip
    test.sidebar.text_input(key="reviewer_name").set_value("Giulia Rossi")
    test.radio(key="r_action").set_value("reject")
    test.button(key="FormSubmitter:review-Registra").click().run()
    assert [e.value for e in test.error] == ["Per scartare un bando serve un motivo."]
    assert reviews_of(open_db(store), "import:led") == []


def test_exports_hold_exactly_the_rows_shown(store, monkeypatch):
    made: dict[str, bytes] = {}
    original = DeltaGenerator.download_button

    def capture(self, label, data, file_name=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        made[file_name.rsplit(".", 1)[1]] = data() if callable(data) else data
        return original(self, label, data, file_name, *args, **kwargs)

    # The app builds each file only when its button is clicked: build them here.
    monkeypatch.setattr(DeltaGenerator, "download_button", capture)
    test = app(lingua_bando="it")
    shown = listed_ids(test)
    assert set(shown) == {"import:led", "import:script", "import:bold"}
    assert made["csv"].startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(made["csv"].decode("utf-8-sig")), delimiter=";"))
    assert [r["Codice"] for r in rows] == shown
    assert (
        rows[[r["Codice"] for r in rows].index("import:led")]["Prossima scadenza"] == "21/09/2026"
    )
    sheet = load_workbook(io.BytesIO(made["xlsx"])).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    assert [r[header.index("Codice")] for r in values[1:]] == shown
    led = values[1:][shown.index("import:led")]
    assert (led[header.index("Prossima scadenza")], led[header.index("Budget (€)")]) == (
        datetime(2026, 9, 21), 1_500_000)  # fmt: skip
    events = Calendar.from_ical(made["ics"]).walk("VEVENT")
    rome_1700 = datetime(2026, 9, 15, 15, 0, tzinfo=UTC)  # the other calls' deadline
    assert sorted((str(e["summary"]), e.decoded("dtstart").isoformat()) for e in events) == [
        ("Scadenza: " + BOLD_TITLE, rome_1700.astimezone(ROME).isoformat()),
        ("Scadenza: " + SCRIPT_TITLE, rome_1700.astimezone(ROME).isoformat()),
        ("Scadenza: Illuminazione pubblica a LED", "2026-09-21"),  # a date only: all day
    ]
    assert {str(e["dtstart"].params.get("TZID", "")) for e in events} == {"Europe/Rome", ""}


def test_the_app_says_what_to_do_without_a_store_or_with_an_empty_one(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHER_HOME", str(tmp_path))
    monkeypatch.setenv("MATCHER_DB", str(tmp_path / "none.db"))
    test = AppTest.from_file(APP, default_timeout=60).run()
    assert test.info[0].value.startswith(f"Nessun database in `{tmp_path / 'none.db'}`.")
    assert "`matcher demo`" in test.info[0].value
    open_db(tmp_path / "none.db").conn.close()
    test = AppTest.from_file(APP, default_timeout=60).run()
    assert [i.value for i in test.info][-1].startswith("Il database ")
    assert "non contiene bandi" in test.info[-1].value


def test_a_call_added_by_hand_waits_to_be_ranked_and_rank_now_says_when_a_job_holds_the_lock(
    store,
):
    test = app(vista="entry")
    test.text_input(key="e_title").set_value("Bando regionale CER arrivato per e-mail")
    test.text_input(key="e_link").set_value("https://example.org/cer")
    test.text_area(key="e_text").set_value("Comunità energetiche rinnovabili dei comuni.")
    test.button(key="FormSubmitter:entry-Aggiungi").click().run()
    assert test.success[0].value.startswith("1 bandi salvati (1 nuovi, 0 modificati)")
    waiting = app().expander[0]
    assert waiting.label == "Da valutare (1)"
    with job_holding_the_lock(store) as pid:
        test = app()
        test.button(key="rank_energy").click().run()
        busy = [w.value for w in test.warning if w.value.startswith("Un'altra operazione")]
        assert busy == [
            "Un'altra operazione sta scrivendo nel database: another job holds the database's "
            f"writing lock: matcher scrape (pid {pid}) since 22/08/2026 08:00; try again when "
            f"it ends ({store}.lock)"
        ]
    test = app()
    test.button(key="rank_energy").click().run()
    assert test.success[0].value.startswith("Punteggi aggiornati")
    assert not app().expander


def test_a_stale_store_shows_since_when_it_was_not_refreshed(store):
    db = open_db(store)
    set_meta(db, "as_of", (NOW + timedelta(days=20)).isoformat())
    warnings = [w.value for w in app().warning]
    assert warnings[0].startswith("Dati non aggiornati dal 20/08/2026")


def test_with_a_password_set_nothing_shows_until_it_is_given(store, monkeypatch):
    monkeypatch.setenv("MATCHER_APP_PASSWORD", "segreta")
    test = app()
    assert [i.value for i in test.info] == ["Questa app è protetta: inserire la password."]
    assert not test.dataframe
    test.text_input(key="password_typed").set_value("segreta").run()
    assert listed_ids(test)


def test_the_overview_counts_calls_per_theme_and_status_and_shows_each_source(store):
    test = app(vista="overview")
    assert not test.exception
    counts = test.dataframe[0].value.set_index("Tema")
    assert counts.loc["Efficienza energetica", ["aperto", "chiuso"]].tolist() == [4, 1]
    health = test.dataframe[1].value
    assert health[["Portale", "Esito", "Letti"]].values.tolist() == [["import", "ok", 5]]
    assert health["Quando"].tolist() == ["20/08/2026 08:00"]
