"""`matcher import` is the inverse of `matcher calls --json`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from click.testing import CliRunner
from conftest import FIXTURES, make_call

from matcher.cli import cli
from matcher.config import data_dir
from matcher.importer import read_import_file
from matcher.normalize.timezones import local_midnight
from matcher.store import open_db, upsert_calls

NOW = "2026-08-22T06:00:00+00:00"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def exported(db) -> list[dict]:
    result = run("--db", str(db), "calls", "--json", "--now", NOW)
    return [json.loads(line) for line in result.output.splitlines()]


def test_export_then_import_gives_the_same_calls(tmp_path):
    source = tmp_path / "a.db"
    calls = [
        make_call("A", beneficiaries=["Enti pubblici", "PMI"], public_bodies_eligible=True,
                  budget_eur=2_500_000.0, language="it", territory="Emilia-Romagna",
                  tz="Europe/Rome", deadlines=[local_midnight(date(2026, 9, 30), "Europe/Rome")],
                  deadline_time_known=False, topics=["Energia"]),
        make_call("B", status_hint="open_ended", deadlines=[]),
    ]  # fmt: skip
    upsert_calls(open_db(source), calls, datetime(2026, 8, 1, tzinfo=UTC))
    jsonl = tmp_path / "calls.jsonl"
    jsonl.write_text("\n".join(json.dumps(row) for row in exported(source)) + "\n")
    target = tmp_path / "b.db"
    first = run("--db", str(target), "import", str(jsonl), "--now", NOW)
    again = run("--db", str(target), "import", str(jsonl), "--now", NOW)
    assert "2 new" in first.output and "0 new, 0 changed, 2 unchanged" in again.output

    def strip(rows: list[dict]) -> list[dict]:
        return [
            {k: v for k, v in r.items() if k not in ("first_seen", "last_changed")} for r in rows
        ]

    assert strip(exported(target)) == strip(exported(source))


def test_csv_with_bom_semicolons_and_pipe_lists_loads(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_bytes(
        "\ufeffid;title;language;deadlines;beneficiaries;public_bodies_eligible;budget_eur\n"
        "cciaa-2026-01;Contributi per l'efficienza energetica;it;2026-10-31;Imprese|Enti pubblici;"
        "true;500000\n".encode()
    )
    parsed = read_import_file(path)
    call = parsed.calls[0]
    assert (call.id, call.title, call.beneficiaries, call.public_bodies_eligible) == (
        "import:cciaa-2026-01", "Contributi per l'efficienza energetica",
        ["Imprese", "Enti pubblici"], True,
    )  # fmt: skip
    assert (call.deadlines, call.deadline_time_known, call.budget_eur) == (
        [local_midnight(date(2026, 10, 31), "Europe/Rome")], False, 500000.0,
    )  # fmt: skip


def test_bad_rows_are_rejected_with_line_numbers_and_the_rest_loads(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"id": "x1", "title": "Bando uno", "colour": "blue"}\n'
        '{"summary": "Senza titolo"}\n'
        "not json\n"
        '{"id": "x4", "title": "Bando quattro", "deadlines": ["31/12/2026"]}\n'
        '{"id": "x5", "title": "Bando cinque", "portal": "emilia_romagna"}\n'
        '{"title": "Senza id", "deadlines": ["2026-12-31"]}\n'
    )
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "m.db"), "import", str(path)])
    rejected = [line for line in result.output.splitlines() if line.startswith("Rejected:")]
    assert [line.split(":")[2] for line in rejected] == ["2", "3"]
    assert "ignored unknown columns: colour" in result.output
    assert "4 calls read: 4 new" in result.output
    rows = {row["id"]: row for row in exported(tmp_path / "m.db")}
    assert sorted(rows) == [
        "emilia_romagna:x5", "import:9b153e3f2987", "import:x1", "import:x4",
    ]  # fmt: skip
    # an Italian date is read as Italians write it; a row without id gets one from its title
    assert rows["import:x4"]["deadlines"] == ["2026-12-31T00:00:00+01:00"]
    assert rows["import:9b153e3f2987"]["title"] == "Senza id"


def test_rows_with_wrong_types_or_unknown_time_zone_are_rejected_not_fatal(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"id": "a", "title": "Bando A", "deadlines": 5}\n'
        '{"id": "b", "title": "Bando B", "tz": "Mars/Olympus", "deadlines": ["2026-10-01"]}\n'
        '{"id": "c", "title": "Bando C", "links": 7}\n'
        '{"id": "d", "title": "Bando D"}\n'
    )
    parsed = read_import_file(path)
    assert [c.id for c in parsed.calls] == ["import:d"]
    assert [r.split(":")[1] for r in parsed.rejected] == ["1", "2", "3"]
    assert "unknown time zone 'Mars/Olympus'" in parsed.rejected[1]


def test_reimporting_an_export_with_merged_copies_changes_nothing(tmp_path):
    from matcher.jobs import dedupe

    db_path = tmp_path / "m.db"
    db = open_db(db_path)
    twins = [
        make_call("pd", portal="padigitale", title="1.3.1 Piattaforma Digitale Nazionale Dati - Comuni Ottobre 2022", links=[]),
        make_call("id", portal="italiadomani", title='Avviso Misura 1.3.1 "Piattaforma Digitale Nazionale Dati" Comuni Ottobre 2022'),
    ]  # fmt: skip
    upsert_calls(db, twins, datetime(2026, 8, 1, tzinfo=UTC))
    dedupe(db)
    jsonl = tmp_path / "calls.jsonl"
    jsonl.write_text("\n".join(json.dumps(row) for row in exported(db_path)) + "\n")
    again = run("--db", str(db_path), "import", str(jsonl), "--now", NOW)
    assert "0 new, 0 changed, 1 unchanged" in again.output
    [row] = exported(db_path)
    assert (row["id"], row["aliases"]) == ("padigitale:pd", ["italiadomani:id"])


OFFICE = FIXTURES / "import"


def test_an_excel_csv_from_an_italian_office_loads_with_its_italian_columns(tmp_path):
    parsed = read_import_file(OFFICE / "bandi_ufficio_cp1252.csv")
    assert parsed.rejected == [] and parsed.unknown_columns == []
    energy, digital, events = parsed.calls
    assert (energy.portal, len(energy.native_id)) == ("import", 12)  # derived from title + date
    assert energy.title == "Bando per la riqualificazione energetica degli edifici pubblici – 2026"
    assert (energy.deadlines, energy.deadline_time_known) == (
        [local_midnight(date(2026, 11, 30), "Europe/Rome")], False,
    )  # fmt: skip
    assert (energy.budget_eur, digital.budget_eur, events.budget_eur) == (1_500_000.0, 2_000_000.0,
                                                                          250_000.0)  # fmt: skip
    assert (energy.programme, energy.territory, energy.language) == (
        "PR FESR 2021-2027", "Emilia-Romagna", "it",
    )  # fmt: skip
    assert (
        energy.url == "https://www.regione.emilia-romagna.it/bandi/riqualificazione-energetica-2026"
    )
    assert digital.title == 'Avviso 1.4.1 "Esperienza del cittadino nei servizi pubblici" Comuni'
    assert events.title == "Contributi per eventi culturali e turistici – €"
    assert (
        events.text
        == "Sostegno a festival, rassegne e valorizzazione del patrimonio;\nanche su più righe"
    )
    again = read_import_file(OFFICE / "bandi_ufficio_cp1252.csv")
    assert [c.id for c in again.calls] == [c.id for c in parsed.calls]  # the same ids every time


def test_an_unclosed_quote_rejects_its_line_and_swallows_nothing(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "o.db"), "import",
                                      str(OFFICE / "virgolette_non_chiuse_cp1252.csv")])  # fmt: skip
    assert result.exit_code == 0, result.output
    rejected = [line for line in result.output.splitlines() if line.startswith("Rejected:")]
    assert len(rejected) == 1 and ":3: virgolette non chiuse" in rejected[0]
    assert "3 calls read: 3 new" in result.output


def test_an_unclosed_quote_in_the_last_records_rejects_its_line_and_ends(tmp_path):
    from matcher.import_csv import csv_rows

    text = (
        'Titolo;Scadenza;Importo\n"Bando rotto;30/11/2026;1.500,00\nBando ok;31/12/2026;2.000,00\n'
    )
    assert csv_rows(text, set(), ()) == [
        (2, "virgolette non chiuse: la riga 2 si prende le righe fino alla 3; correggere e "
            "reimportare"),
        (3, {"title": "Bando ok", "deadlines": "31/12/2026", "budget_eur": "2.000,00"}),
    ]  # fmt: skip


def test_a_file_of_which_nothing_is_accepted_exits_non_zero(tmp_path):
    path = tmp_path / "vuoto.csv"
    path.write_text("Titolo;Scadenza\n;31/12/2026\n;15/01/2027\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "e.db"), "import", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: nessun bando importato da {path}: 2 righe rifiutate"
    )


def test_the_shipped_template_has_the_italian_columns_and_imports_once_filled(tmp_path):
    template = data_dir() / "modello-import.csv"
    header = template.read_text(encoding="utf-8-sig").splitlines()[0]
    assert (
        header
        == "Titolo;Link;Apertura;Scadenza;Importo;Programma;Territorio;Destinatari;Descrizione"
    )
    filled = tmp_path / "compilato.csv"
    filled.write_text(header + "\nBando di prova;https://example.org/b;;31/12/2026;10.000;;;"
                      "Comuni|Province;Testo\n", encoding="utf-8-sig")  # fmt: skip
    [call] = read_import_file(filled).calls
    assert (call.beneficiaries, call.budget_eur) == (["Comuni", "Province"], 10_000.0)
