from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from conftest import FIXTURES

from matcher.errors import ScrapeError
from matcher.models import Call
from matcher.normalize.ids import title_date_id
from matcher.status import compute_status
from scrapers import italiadomani
from scrapers.base import Report, run_portal
from scrapers.recording import ReplayTransport

ROME = ZoneInfo("Europe/Rome")
CSV = FIXTURES / "italiadomani" / "PNRR_Bandi_e_Avvisi.csv"
SNAPSHOT = FIXTURES.parent.parent / "data" / "snapshot" / "italiadomani"
BOM = b"\xef\xbb\xbf"


def rows() -> list[dict[str, str]]:
    return italiadomani.parse_rows(CSV.read_bytes())


def row(serial: str) -> dict[str, str]:
    return next(r for r in rows() if r["Numero seriale"] == serial)


def call(serial: str, **changes: str) -> Call:
    made = italiadomani.to_call({**row(serial), **changes})
    assert made is not None
    return made


def serve(body: bytes, seen: list[str] | None = None) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(str(request.url))
        return httpx.Response(200, content=body)

    return httpx.Client(transport=httpx.MockTransport(handler))


def scrape_all(body: bytes) -> list[Call]:
    return list(italiadomani.scrape(serve(body), report=Report()))


def test_awarded_call_for_comuni_maps_every_field():
    assert call("118") == Call(
        portal="italiadomani",
        native_id="118",
        title="Abilitazione al cloud per le PA Locali” Comuni Aprile 2022",
        url=(
            "https://areariservata.padigitale2026.gov.it/Pa_digitale2026_dettagli_avviso"
            "?id=a017Q00000c8mFyQAI"
        ),
        summary="Abilitazione al cloud per le PA locali. Destinatari: Comuni",
        text=(
            "Misura PNRR: M1C1I1.02.00 – Abilitazione al cloud per le PA locali\n"
            "Soggetto emanante: PCM - DIPARTIM. TRASFORMAZIONE DIGITALE\n"
            "Destinatari: Comuni\n"
            "Stato secondo la fonte: Aggiudicato"
        ),
        language="it",
        territory="Italia",
        programme="PNRR – M1C1I1.02.00",
        opening=datetime(2022, 4, 19, tzinfo=ROME),
        deadlines=[datetime(2022, 7, 22, tzinfo=ROME)],
        deadline_time_known=False,
        tz="Europe/Rome",
        status_hint="closed",
        budget_eur=500000000.0,
        beneficiaries=["Comuni"],
        public_bodies_eligible=True,
        links=[
            "https://areariservata.padigitale2026.gov.it/Pa_digitale2026_dettagli_avviso"
            "?id=a017Q00000c8mFyQAI"
        ],
        kind="call",
        source_updated=datetime(2022, 10, 19, tzinfo=ROME),
    )


def test_row_with_a_cig_is_a_procurement_for_economic_operators():
    tender = call("67")
    assert (
        tender.kind,
        tender.status_hint,
        tender.budget_eur,
        tender.beneficiaries,
        tender.public_bodies_eligible,
        tender.programme,
        tender.url,
        tender.text.splitlines()[3],
    ) == (
        "procurement",
        "closed",
        16323836.0,
        ["operatore economico"],
        False,
        "PNRR – M1C2I3.01.03",
        "https://www.infratelitalia.it/archivio-documenti/documenti/gara-scuole-2022",
        "CIG: 90711662FE",
    )


def test_numero_seriale_is_unique_and_tells_apart_lots_with_one_title_and_opening():
    calls = scrape_all(CSV.read_bytes())
    ids = [c.native_id for c in calls]
    by_title = Counter((c.title, c.opening) for c in calls)
    assert (len(calls), len(set(ids)), max(by_title.values())) == (245, 245, 8)


def test_row_without_serial_gets_the_title_and_opening_hash_per_edition():
    first = call("118", **{"Numero seriale": ""})
    again = call("118", **{"Numero seriale": ""})
    later = call("118", **{"Numero seriale": "", "Data apertura bando": "19/04/2023"})
    assert (first.native_id, again.native_id == first.native_id, later.native_id) == (
        title_date_id(first.title, datetime(2022, 4, 19, tzinfo=ROME)),
        True,
        title_date_id(first.title, datetime(2023, 4, 19, tzinfo=ROME)),
    )
    assert later.native_id != first.native_id


def test_in_corso_is_not_trusted_the_dates_decide():
    running = call("246")
    statuses = [
        compute_status(running, now)
        for now in (
            datetime(2023, 2, 9, 12, 0, tzinfo=UTC),
            datetime(2023, 4, 28, 21, 59, tzinfo=UTC),  # 23:59 in Rome on the closing day
            datetime(2023, 4, 28, 22, 0, tzinfo=UTC),
        )
    ]
    assert (running.status_hint, statuses) == (None, ["forthcoming", "open", "closed"])


def test_closed_labels_are_hints_and_the_dates_decide():
    now = datetime(2022, 5, 1, tzinfo=UTC)
    labels = ["Chiuso", "Aggiudicato", "Gara deserta", "Annullato dopo sospensione TAR"]
    calls = [call("118", **{"Stato del Bando": label}) for label in labels]
    assert [c.status_hint for c in calls] == ["closed"] * 4
    assert [compute_status(c, now) for c in calls] == ["open"] * 4  # the deadline is ahead


def test_until_funds_last_without_closing_date_is_open_ended():
    brevetti, hydrogen = call("198"), call("213")
    now = datetime(2023, 1, 1, tzinfo=UTC)
    assert (brevetti.status_hint, brevetti.deadlines, compute_status(brevetti, now)) == (
        "open_ended",
        [],
        "open_ended",
    )
    # Also "fino ad esaurimento risorse", but with a closing date and labelled Chiuso.
    assert (hydrogen.status_hint, hydrogen.deadlines) == (
        "closed",
        [datetime(2022, 12, 30, tzinfo=ROME)],
    )


def test_budget_adds_other_funds_and_ignores_placeholders():
    assert [
        call("118", **{"Importo previsto altri fondi": "108496490,5"}).budget_eur,
        call("118", **{"Importo previsto PNRR": "0,01"}).budget_eur,
        call("87").budget_eur,
        call("118", **{"Importo previsto PNRR": "0", "Importo complessivo gara": "N/A"}).budget_eur,
    ] == [608496490.5, None, 68196721.31, None]


def test_link_cells_with_several_or_schemeless_urls():
    assert [
        italiadomani.source_links("www.mur.gov.it/it/atti-e-normativa/dm-934"),
        italiadomani.source_links("https://a.test/x.pdf;\n\naggiudicazione:\nhttps://b.test/y "),
        italiadomani.source_links("Portale Trasparenza MIT (mit.gov.it)"),
    ] == [
        ["https://www.mur.gov.it/it/atti-e-normativa/dm-934"],
        ["https://a.test/x.pdf", "https://b.test/y"],
        [],
    ]
    named = call("213")
    assert (named.url, named.text.splitlines()[-1]) == (
        italiadomani.DATASET_PAGE,
        "Riferimento: Portale Trasparenza Ministero delle Infrastrutture e dei Trasporti - "
        "Realizzazione di stazioni di rifornimento a base di idrogeno rinnovabile per il "
        "trasporto stradale (D.D. n. 113 del 10/11/2022) (mit.gov.it)",
    )


def test_single_digit_month_is_read():
    assert call("140").opening == datetime(2022, 6, 20, tzinfo=ROME)


def test_malformed_date_is_left_empty_and_logged_with_the_row(caplog):
    made = italiadomani.to_call(
        {**row("118"), "Data chiusura effettiva bando": "31/02/2022"}, where="file row 2"
    )
    assert made is not None
    assert (made.deadlines, made.opening) == ([], datetime(2022, 4, 19, tzinfo=ROME))
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "file row 2: unreadable Data chiusura effettiva bando '31/02/2022'; left empty"
    ]


def test_file_without_bom_reads_the_same():
    body = CSV.read_bytes()
    assert body.startswith(BOM)
    assert scrape_all(body[len(BOM) :]) == scrape_all(body)


def test_header_without_expected_columns_names_url_and_columns():
    body = CSV.read_bytes().replace(b"Data chiusura effettiva bando", b"Data scadenza", 1)
    with pytest.raises(ScrapeError) as caught:
        italiadomani.parse_rows(body, "https://example.org/bandi.csv")
    message = str(caught.value)
    assert message.startswith("the layout of https://example.org/bandi.csv changed: ")
    assert "missing columns Data chiusura effettiva bando (" in message


def test_duplicate_serial_is_dropped_and_counted():
    lines = CSV.read_bytes().split(b"\n")
    body = b"\n".join([lines[0], lines[1], lines[1], b""])
    report = Report()
    calls = list(italiadomani.scrape(serve(body), report=report))
    assert ([c.native_id for c in calls], dict(report.dropped)) == (
        ["246"],
        {"duplicate Numero seriale": 1},
    )


def test_base_url_replaces_the_file_url():
    seen: list[str] = []
    client = serve(CSV.read_bytes(), seen)
    calls = list(italiadomani.scrape(client, base_url="http://mirror.test/b.csv", report=Report()))
    assert (len(calls), seen) == (245, ["http://mirror.test/b.csv"])


def test_demo_snapshot_replays_through_the_default_url():
    client = httpx.Client(transport=ReplayTransport(SNAPSHOT))
    result = run_portal(italiadomani, client)
    assert (len(result.calls), result.complete, result.errors) == (245, True, [])


def test_a_file_cut_mid_record_skips_that_record_and_is_incomplete():
    body = CSV.read_bytes()
    last = body.rstrip(b"\n").rsplit(b"\n", 1)[1]
    cut = body[: len(body.rstrip(b"\n")) - len(last) // 2]  # half the last record is missing
    result = run_portal(italiadomani, serve(cut))
    assert (len(result.calls), result.complete) == (244, False)
    assert result.errors == [
        f"{italiadomani.DEFAULT_URL}: skipped 1 of 245 rows not of the shape the portal "
        "promises (row 245 ends the file mid-line (cut off)); stored versions are kept"
    ]


def test_a_web_page_instead_of_the_file_says_so():
    result = run_portal(italiadomani, serve(b"<!DOCTYPE html><html><body>Manutenzione</body>"))
    assert result.errors == [
        f"italiadomani: {italiadomani.DEFAULT_URL} is not the CSV file: it is a web page (HTML); "
        "the portal may be down for maintenance, or the URL is wrong"
    ]
