"""Tests for scrapers/incentivi_gov.py on the recorded incentivi.gov.it Solr documents."""

from __future__ import annotations

import copy
import json
import runpy
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from matcher.models import Call, ScrapeResult
from matcher.normalize.text import html_to_text
from scrapers import incentivi_gov
from scrapers.base import Report, run_portal
from scrapers.incentivi_gov import Schedule
from scrapers.recording import ReplayTransport

FIXTURES = Path(__file__).parent / "fixtures" / "incentivi_gov"
SNAPSHOT = Path(__file__).parents[1] / "data" / "snapshot" / "incentivi_gov"
UNWRAP = runpy.run_path(str(FIXTURES / "unwrap.py"))
ROME = ZoneInfo("Europe/Rome")
# The recorded documents in their recorded order: two national measures, eleven regional ones.
RECORDED = ["3400", "3265", "7828", "5525", "8141", "2748", "1053", "1071", "1133", "1155", "1304",
            "1305", "1341"]  # fmt: skip
Answer = bytes | dict | httpx.Response


def docs() -> list[dict]:
    return UNWRAP["load_docs"](FIXTURES / "incentivi.json")


def doc(nid: str) -> dict:
    return copy.deepcopy(next(d for d in docs() if d["zs_nid"] == nid))


def answer(page_docs: list[dict], total: int | None = None, start: int = 0) -> dict:
    return UNWRAP["envelope"](page_docs, len(page_docs) if total is None else total, start, 200)


def solr(
    pages: Mapping[str, Answer] | Callable[[httpx.Request], Answer],
    seen: list[httpx.URL] | None = None,
) -> httpx.Client:
    """A client whose MockTransport answers by the `start` parameter."""
    requests = [] if seen is None else seen

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request.url)
        found = pages(request) if callable(pages) else pages[request.url.params["start"]]
        if isinstance(found, httpx.Response):
            return found
        body = found if isinstance(found, bytes) else json.dumps(found).encode()
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return httpx.Client(transport=httpx.MockTransport(handler))


def scrape(
    pages: Mapping[str, Answer] | Callable[[httpx.Request], Answer],
    seen: list[httpx.URL] | None = None,
    **options: object,
) -> ScrapeResult:
    """run_portal over solr(pages, seen)."""
    with solr(pages, seen) as client:
        return run_portal(incentivi_gov, client, **options)  # type: ignore[arg-type]


def rome(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ROME)


def test_recorded_listing_keeps_every_measure_whatever_its_regions() -> None:
    result = scrape({"0": (FIXTURES / "select_all.json").read_bytes()})

    assert [c.native_id for c in result.calls] == RECORDED
    assert [c.territory for c in result.calls][:3] == [
        "Campania, Puglia",
        "Italia",
        "Basilicata, Calabria, Campania, Molise, Puglia, Sardegna, Sicilia",
    ]
    assert (result.complete, result.errors, result.dropped) == (True, [], {})


def test_national_measure_with_a_stated_closing_time() -> None:
    source = doc("1071")

    call = incentivi_gov.to_call(source)

    note = (
        "La documentazione potrà essere trasmessa a mezzo Posta Elettronica Certificata "
        "(raise@pec.iit.it) a partire dal giorno 05/07/2023 ed entro e non oltre il giorno "
        "20/09/2023 alle ore 18.00."
    )
    link = (
        "https://www.raiseliguria.it/bandi/bando-per-progetti-di-ricerca-industriale-e-sviluppo-"
        "sperimentale-nei-domini-dellintelligenza-artificiale-e-della-robotica/"
    )
    url = (
        "https://www.incentivi.gov.it/it/catalogo/progetti-di-ricerca-industriale-e-sviluppo-"
        "sperimentale-intelligenza-artificiale-e"
    )
    assert call == Call(
        portal="incentivi_gov",
        native_id="1071",
        title=(
            "Progetti di Ricerca Industriale e Sviluppo Sperimentale Intelligenza Artificiale e "
            "Robotica - Fondazione Istituto Italiano di Tecnologia"
        ),
        url=url,
        summary=(
            "Cos'è Bando per progetti di Ricerca Industriale e Sviluppo Sperimentale nei domini "
            "dell’Intelligenza Artificiale e della Robotica. Il bando vuole favorire:- "
            "l’identificazione (discovery) di prodotti, servizi e processi innovativi;- l’aumento "
            "di maturità delle relative tecnologie sottostanti (TRL…"
        ),
        text=(
            html_to_text(source["zs_body"])
            + "\n\nFinalità: Innovazione e ricerca, Start up/Sviluppo d'impresa"
            + "\n\nCosti ammessi: Costo del personale, Impianti/Macchinari/Attrezzature, "
            "Servizi, brevetti e licenze, Spese generali/altri oneri"
            + f"\n\nApertura e chiusura: {note}"
            + "\n\nFonte: incentivi.gov.it (Ministero delle Imprese e del Made in Italy), IODL 2.0"
        ),
        language="it",
        territory="Italia",
        programme="FONDAZIONE ISTITUTO ITALIANO DI TECNOLOGIA",
        opening=rome(2023, 7, 5),
        deadlines=[rome(2023, 9, 20, 18, 0)],
        deadline_time_known=True,
        tz="Europe/Rome",
        status_hint=None,
        budget_eur=14270351.57,
        beneficiaries=["Università/Ente di Ricerca"],
        public_bodies_eligible=True,  # universities are public bodies
        topics=["Innovazione e ricerca", "Start up/Sviluppo d'impresa", "ICT"],
        links=[url, link],
        kind="call",
        source_updated=datetime.fromisoformat("2024-02-13T18:27:08+00:00"),
    )


def test_far_future_close_date_with_fino_a_esaurimento_is_open_ended() -> None:
    source = doc("3265")

    call = incentivi_gov.to_call(source)

    assert call is not None
    # 2027-12-31 is three years after the opening and the note says "fino a esaurimento":
    # no deadline; the note's 12:00 on the first day is the opening.
    assert (call.opening, call.deadlines, call.status_hint) == (
        rome(2024, 12, 10, 12, 0),
        [],
        "open_ended",
    )
    assert call.territory == "Italia"  # 21 entries, one region listed twice
    assert call.summary == (
        "Cos'è Il “Voucher 3I – Investire in innovazione” sostiene l’innovazione incentivando "
        "l’acquisto di servizi professionali, resi esclusivamente da avvocati e consulenti in "
        "proprietà industriale, per la brevettazione delle invenzioni industriali. A chi si "
        "rivolge La misura si rivolge a startup e…"
    )
    assert (call.budget_eur, call.beneficiaries, call.public_bodies_eligible, call.programme) == (
        9000000.0,
        ["Impresa"],
        False,
        "Ministero delle Imprese e del Made in Italy",
    )
    assert call.links == [
        "https://www.incentivi.gov.it/it/catalogo/voucher-3i-investire-innovazione",
        "https://www.mimit.gov.it/it/incentivi/voucher-3i-investire-in-innovazione",
    ]
    assert call.text.endswith("\n\n" + incentivi_gov.ATTRIBUTION)


def test_closing_note_beats_the_close_date_field() -> None:
    # Close date 2024-12-31, note "Le domande possono essere presentate fino al 31 ottobre 2024".
    assert incentivi_gov.schedule(doc("1155")) == Schedule(
        opening=rome(2024, 2, 2), deadlines=[rome(2024, 10, 31)], time_known=False
    )


def test_note_times_give_known_opening_and_deadline_in_rome() -> None:
    # "a partire dalle ore 12.00 del 21/04/2026 fino alle ore 12.00 del 23/06/2026"
    assert incentivi_gov.schedule(doc("7828")) == Schedule(
        opening=rome(2026, 4, 21, 12, 0), deadlines=[rome(2026, 6, 23, 12, 0)], time_known=True
    )


def test_closing_stated_in_the_note_survives_salvo_esaurimento() -> None:
    # "sino alle ore 14:00 del 31/12/2026, salvo esaurimento dei fondi": a real, timed deadline.
    assert incentivi_gov.schedule(doc("2748")) == Schedule(
        opening=rome(2024, 7, 10, 14, 0), deadlines=[rome(2026, 12, 31, 14, 0)], time_known=True
    )


def test_date_fields_alone_are_date_only_in_rome() -> None:
    assert incentivi_gov.schedule(doc("1053")) == Schedule(
        opening=rome(2024, 1, 8), deadlines=[rome(2024, 5, 10)], time_known=False
    )


def test_far_future_close_date_without_funds_wording_stays_a_deadline() -> None:
    source = doc("1341")  # 2023-06-22 … 2025-12-31, no note

    assert incentivi_gov.schedule(source).deadlines == [rome(2025, 12, 31)]


def test_regions_come_from_the_multivalued_field() -> None:
    source = doc("3400")  # zs_field_regions_value "Campania", zm_… ["Campania", "Puglia"]

    assert incentivi_gov.regions(source) == ["Campania", "Puglia"]
    assert incentivi_gov.to_call(source).territory == "Campania, Puglia"  # type: ignore[union-attr]


def test_territory_comes_from_the_full_region_list_not_the_first_value() -> None:
    # Adapted: the first value (zs_) says Campania, the full list (zm_) adds Emilia-Romagna;
    # and the reverse, Emilia-Romagna as first value only.
    later = doc("3400")
    later["zm_field_regions_value"] = ["Campania", "Emilia-Romagna"]
    misleading = doc("1053")
    misleading["zs_field_regions_value"] = "Emilia-Romagna"

    result = scrape({"0": answer([later, misleading])})

    assert [(c.native_id, c.territory) for c in result.calls] == [
        ("3400", "Campania, Emilia-Romagna"),
        ("1053", "Marche"),
    ]
    assert result.dropped == {}


@pytest.mark.parametrize(
    ("raw", "euro"),
    [
        ("15375383,50", 15375383.5),
        ("14270351.57", 14270351.57),
        ("70047.34", 70047.34),
        ("2066866", 2066866.0),
        ("163000000 (con dm 29/7), 161800000 (con dm 09/08)", 163000000.0),
        ("", None),
    ],
)
def test_budget_takes_the_first_amount(raw: str, euro: float | None) -> None:
    assert incentivi_gov.budget(raw) == euro


def test_byte_order_mark_is_ignored() -> None:
    plain = (FIXTURES / "select_all.json").read_bytes()

    with_bom = scrape({"0": b"\xef\xbb\xbf" + plain})

    assert with_bom == scrape({"0": plain})
    assert "dell’Intelligenza Artificiale" in with_bom.calls[7].text  # nid 1071


def test_pages_are_read_with_start_and_rows_up_to_num_found() -> None:
    seen: list[httpx.URL] = []
    pages = {
        "0": (FIXTURES / "select_page1.json").read_bytes(),
        "7": (FIXTURES / "select_page2.json").read_bytes(),
    }

    result = scrape(pages, seen, config={"rows": 7})

    assert [(u.params["start"], u.params["rows"]) for u in seen] == [("0", "7"), ("7", "7")]
    assert {k: seen[0].params[k] for k in ("q", "fq", "wt")} == {
        "q": "*:*",
        "fq": "index_id:incentivi",
        "wt": "json",
    }
    assert "zm_field_regions_value" in seen[0].params["fl"].split(",")
    assert result == scrape({"0": (FIXTURES / "select_all.json").read_bytes()})


def test_documents_repeated_on_a_later_page_are_reported() -> None:
    everything = docs()
    pages = {"0": answer(everything[:7], 13), "7": answer(everything[6:], 13, 7)}

    result = scrape(pages, config={"rows": 7})

    assert [c.native_id for c in result.calls] == RECORDED
    assert result.errors == [
        "page start=7 of https://www.incentivi.gov.it/solr/coredrupal/select repeats 1 "
        "documents; others may be missed"
    ]
    assert result.dropped == {"duplicate document": 1}


def test_a_server_ignoring_start_stops_after_one_repeated_page() -> None:
    seen: list[httpx.URL] = []

    result = scrape(lambda request: answer(docs()[:7], 13), seen, config={"rows": 7})

    assert len(seen) == 2
    assert result.complete is False


def test_runaway_paging_is_cut_at_max_pages() -> None:
    template = doc("1071")

    def endless(request: httpx.Request) -> dict:
        start = int(request.url.params["start"])
        return answer([{**template, "zs_nid": str(start)}], 30_000, start)

    report = Report()
    with solr(endless) as client:
        calls = list(incentivi_gov.scrape(client, report=report, config={"rows": 1}, max_pages=3))

    assert len(calls) == 3
    assert report.errors == [
        "stopped after 3 pages of https://www.incentivi.gov.it/solr/coredrupal/select "
        "at 3 of 30000 documents"
    ]


def test_an_empty_page_before_num_found_is_reported() -> None:
    pages = {"0": answer(docs()[:7], 20), "7": answer(docs()[7:], 20, 7), "13": answer([], 20, 13)}

    result = scrape(pages, config={"rows": 7})

    assert [c.native_id for c in result.calls] == RECORDED
    assert result.errors == [
        "page start=13 of https://www.incentivi.gov.it/solr/coredrupal/select is empty after "
        "13 of 20 documents"
    ]


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (httpx.Response(500, text="Internal Server Error"), "HTTP 500 from {url}"),
        (b'{"response": {"numFound": 3, "docs": [', "invalid JSON from {url}: "),
        (
            {"responseHeader": {"status": 0}, "response": {"numFound": 3, "start": 0}},
            "unexpected answer from {url}: no 'response.docs' list or 'numFound'",
        ),
        ({"error": {"msg": "undefined field"}}, "unexpected answer from {url}: no 'response.docs'"),
    ],
)
def test_unreadable_first_page_fails_the_portal_naming_the_url(reply: Answer, message: str) -> None:
    seen: list[httpx.URL] = []

    result = scrape({"0": reply}, seen)

    assert (result.calls, result.complete, len(result.errors)) == ([], False, 1)
    assert result.errors[0].startswith("incentivi_gov: " + message.format(url=seen[0]))
    assert str(seen[0]).startswith(incentivi_gov.DEFAULT_URL + "?q=")


def test_a_failed_later_page_keeps_what_was_read() -> None:
    pages: dict[str, Answer] = {"0": answer(docs()[:7], 13), "7": httpx.Response(503)}

    result = scrape(pages, config={"rows": 7})

    assert [c.native_id for c in result.calls] == RECORDED[:7]  # the failed page held the rest
    assert result.errors == [
        "HTTP 503 at start=7 of https://www.incentivi.gov.it/solr/coredrupal/select; "
        "the listing is incomplete"
    ]


def test_an_empty_catalogue_is_an_error() -> None:
    result = scrape({"0": answer([], 0)})

    assert result.errors == [
        "incentivi_gov: no incentives in https://www.incentivi.gov.it/solr/coredrupal/select "
        "(numFound 0)"
    ]


def test_documents_of_another_index_mean_the_filter_was_ignored() -> None:
    stray = {**doc("1071"), "index_id": "news"}

    result = scrape({"0": answer([stray])})

    assert result.errors[0].startswith(
        "incentivi_gov: the portal ignored fq=index_id:incentivi (index_id news) at "
    )


def test_base_url_replaces_the_select_endpoint() -> None:
    seen: list[httpx.URL] = []
    config = {"url": "https://elsewhere.example/solr/select", "rows": 200}

    result = scrape(
        {"0": (FIXTURES / "select_all.json").read_bytes()},
        seen,
        base_url="http://127.0.0.1:8983/solr/coredrupal/select",
        config=config,
    )

    assert [str(u.copy_with(query=None)) for u in seen] == [
        "http://127.0.0.1:8983/solr/coredrupal/select"
    ]
    assert len(result.calls) == 13


def test_configured_url_is_used_without_base_url() -> None:
    seen: list[httpx.URL] = []

    scrape({"0": answer(docs())}, seen, config={"url": "https://mirror.example/select"})

    assert str(seen[0].copy_with(query=None)) == "https://mirror.example/select"


def test_an_invalid_rows_setting_fails_this_portal_only_with_a_config_error() -> None:
    result = scrape({}, config={"rows": 5000})
    assert (result.calls, result.complete) == ([], False)
    assert result.errors[0].startswith("incentivi_gov: configuration: [incentivi_gov] rows")


def test_demo_snapshot_replays_through_the_scraper() -> None:
    with httpx.Client(transport=ReplayTransport(SNAPSHOT)) as client:
        result = run_portal(incentivi_gov, client, config={"rows": 200})

    assert [c.native_id for c in result.calls] == RECORDED
    assert (result.complete, result.errors) == (True, [])


def test_fixtures_are_rebuilt_byte_for_byte_from_the_recording() -> None:
    for path, content in UNWRAP["build"]().items():
        assert path.read_bytes() == content, path


def test_documents_of_the_wrong_shape_are_skipped_and_the_listing_incomplete() -> None:
    listed = docs()
    listed[2]["zs_title"] = {"it": "x"}
    listed[5]["zs_nid"] = 2748
    result = scrape({"0": answer(listed)})

    assert [c.native_id for c in result.calls] == [n for n in RECORDED if n not in ("7828", "2748")]
    assert result.complete is False
    assert result.errors == [
        "start=0 of https://www.incentivi.gov.it/solr/coredrupal/select: skipped 2 of 13 rows not "
        "of the shape the portal promises (row 3 (7828) 'zs_title' is an object, expected text or "
        "a list of texts and 1 more); stored versions are kept"
    ]
