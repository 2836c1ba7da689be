from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from conftest import FIXTURES

from matcher.errors import ScrapeError
from matcher.models import Call
from matcher.normalize.ids import title_date_id
from matcher.status import compute_status
from scrapers import padigitale
from scrapers.base import Report, run_portal
from scrapers.recording import ReplayTransport

ROME = ZoneInfo("Europe/Rome")
CSV = FIXTURES / "padigitale" / "avvisi.csv"
JSON = FIXTURES / "padigitale" / "avvisi.json"
SNAPSHOT = FIXTURES.parent.parent / "data" / "snapshot" / "padigitale"
MEASURE = "1.2 Abilitazione e facilitazione migrazione al Cloud"


def rows() -> list[dict[str, str]]:
    return padigitale.parse_rows(CSV.read_bytes())


def serve(body: bytes, seen: list[str] | None = None) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(str(request.url))
        return httpx.Response(200, content=body)

    return httpx.Client(transport=httpx.MockTransport(handler))


def scrape_all(body: bytes, **kwargs: object) -> list[Call]:
    return list(padigitale.scrape(serve(body), report=Report(), **kwargs))  # type: ignore[arg-type]


def test_comuni_row_becomes_a_closed_date_only_call():
    call = padigitale.to_call(rows()[1])
    assert call == Call(
        portal="padigitale",
        native_id="3b8180f0b986",
        title="1.2 Abilitazione al Cloud - Comuni - luglio 2025",
        url="https://github.com/teamdigitale/padigitale2026-opendata",
        summary=f"{MEASURE}. Destinatari: Comuni",
        text=(
            f"Misura PNRR: {MEASURE}\nDestinatari: Comuni\n"
            "Ente promotore: Dipartimento per la trasformazione digitale\n"
            "Stato secondo la fonte: TERMINATO"
        ),
        language="it",
        territory="Italia",
        programme="PNRR – PA digitale 2026 (M1C1)",
        opening=datetime(2025, 7, 17, tzinfo=ROME),
        deadlines=[datetime(2025, 9, 12, tzinfo=ROME)],
        deadline_time_known=False,
        tz="Europe/Rome",
        status_hint="closed",
        budget_eur=11179383.0,
        beneficiaries=["Comuni"],
        public_bodies_eligible=True,
        links=["https://github.com/teamdigitale/padigitale2026-opendata"],
        kind="call",
    )
    assert call.native_id == title_date_id(call.title, call.opening)


def test_semicolon_separated_recipients_become_a_list():
    call = padigitale.to_call(rows()[2])
    assert call is not None
    assert (call.title, call.beneficiaries, call.budget_eur, call.opening, call.deadlines) == (
        "1.2 Abilitazione al Cloud - Province e città metropolitane - aprile 2025",
        ["Province", "Citta Metropolitane"],
        91293782.0,
        datetime(2025, 4, 15, tzinfo=ROME),
        [datetime(2025, 6, 13, tzinfo=ROME)],
    )


def test_every_row_of_the_file_has_a_distinct_stable_id():
    first = [call.native_id for call in scrape_all(CSV.read_bytes())]
    again = [call.native_id for call in scrape_all(CSV.read_bytes())]
    assert (len(first), len(set(first)), first == again) == (57, 57, True)


def test_yearly_edition_with_the_same_title_gets_another_id():
    row = rows()[1]
    next_year = {**row, "data_inizio_bando": "2026-07-17", "data_fine_bando": "2026-09-12"}
    respaced = {**row, "titolo": "  1.2 abilitazione al cloud – Comuni, luglio 2025 "}
    ids = [padigitale.to_call(r).native_id for r in (row, next_year, respaced)]  # type: ignore[union-attr]
    assert (ids[0] != ids[1], ids[0] == ids[2]) == (True, True)


def test_dates_decide_over_terminato_which_was_true_only_when_the_file_was_read():
    call = padigitale.to_call(rows()[1])
    assert call is not None and call.status_hint == "closed"
    assert compute_status(call, datetime(2025, 8, 1, tzinfo=UTC)) == "open"
    assert compute_status(call, datetime(2025, 9, 13, tzinfo=UTC)) == "closed"


def test_status_follows_the_dates_when_the_label_is_not_closed():
    call = padigitale.to_call({**rows()[1], "stato": "PUBBLICATO"})
    assert call is not None
    statuses = [
        compute_status(call, now)
        for now in (
            datetime(2025, 7, 16, 21, 59, tzinfo=UTC),  # 23:59 in Rome, the day before opening
            datetime(2025, 9, 12, 21, 59, tzinfo=UTC),  # last minute of the deadline day
            datetime(2025, 9, 12, 22, 0, tzinfo=UTC),
        )
    ]
    assert (call.status_hint, statuses) == (None, ["forthcoming", "open", "closed"])


def test_all_recorded_avvisi_are_closed_now():
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert {compute_status(call, now) for call in scrape_all(CSV.read_bytes())} == {"closed"}


def test_json_file_gives_the_same_calls_as_the_csv():
    assert scrape_all(JSON.read_bytes()) == scrape_all(CSV.read_bytes())


def test_bom_is_ignored():
    body = CSV.read_bytes()
    assert scrape_all(b"\xef\xbb\xbf" + body) == scrape_all(body)


def test_semicolon_separated_file_is_read_too():
    body = CSV.read_text(encoding="utf-8").splitlines()
    header = body[0].replace(",", ";")
    line = '"Avviso X";"Misura Y";"2026-01-05";"2026-02-06";"PUBBLICATO";"1000.0";"0";"Comuni"'
    parsed = padigitale.parse_rows(f"{header}\n{line}\n".encode())
    assert [(r["titolo"], r["totale_importo_stanziato"]) for r in parsed] == [
        ("Avviso X", "1000.0")
    ]


def test_header_without_expected_columns_names_url_and_columns():
    body = CSV.read_bytes().replace(b"data_fine_bando", b"data_scadenza", 1)
    with pytest.raises(ScrapeError) as caught:
        padigitale.parse_rows(body, "https://example.org/avvisi.csv")
    message = str(caught.value)
    assert ("https://example.org/avvisi.csv" in message, "data_fine_bando" in message) == (
        True,
        True,
    )


def test_header_only_file_is_an_error():
    header = CSV.read_bytes().split(b"\n", 1)[0] + b"\n"
    with pytest.raises(ScrapeError, match="no avvisi in"):
        scrape_all(header)


def test_malformed_date_is_left_empty_and_logged_with_the_row(caplog):
    call = padigitale.to_call({**rows()[1], "data_fine_bando": "2025-13-45"}, where="row 2")
    assert call is not None
    assert (call.deadlines, call.opening) == ([], datetime(2025, 7, 17, tzinfo=ROME))
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "row 2 (1.2 Abilitazione al Cloud - Comuni - luglio 2025): "
        "unreadable data_fine_bando '2025-13-45'; left empty"
    ]


def test_base_url_replaces_the_file_url():
    seen: list[str] = []
    client = serve(CSV.read_bytes(), seen)
    calls = list(padigitale.scrape(client, base_url="http://mirror.test/a.csv", report=Report()))
    assert (len(calls), seen) == (57, ["http://mirror.test/a.csv"])


def test_configured_url_is_used_without_base_url():
    seen: list[str] = []
    client = serve(CSV.read_bytes(), seen)
    config = {"url": "http://config.test/avvisi.csv"}
    list(padigitale.scrape(client, report=Report(), config=config))
    assert seen == ["http://config.test/avvisi.csv"]


def test_demo_snapshot_replays_through_the_default_url():
    client = httpx.Client(transport=ReplayTransport(SNAPSHOT))
    result = run_portal(padigitale, client)
    assert (len(result.calls), result.complete, result.errors) == (57, True, [])


def test_a_record_with_a_stray_separator_is_skipped_and_the_result_incomplete():
    lines = CSV.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b'"TERMINATO",', b'"TERMINATO",,', 1)  # one cell too many
    result = run_portal(padigitale, serve(b"\n".join(lines)))
    assert (len(result.calls), result.complete) == (56, False)
    assert result.errors == [
        f"{padigitale.DEFAULT_URL}: skipped 1 of 57 rows not of the shape the portal promises "
        "(row 2 has 1 cells more than the header); stored versions are kept"
    ]


def test_a_json_row_with_an_object_for_a_title_is_skipped():
    import json

    data = json.loads(JSON.read_bytes())
    data[0]["titolo"] = {"it": "x"}
    result = run_portal(padigitale, serve(json.dumps(data).encode()))
    assert (len(result.calls), result.complete) == (56, False)
    assert "(row 1 'titolo' is an object, expected text or a number)" in result.errors[0]
