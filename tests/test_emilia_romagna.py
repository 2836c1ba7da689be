"""Tests for scrapers/emilia_romagna.py and scrapers/plone_text.py on the recorded Plone answers."""

from __future__ import annotations

import ast
import copy
import importlib.util
import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from matcher.errors import ConfigError, ScrapeError
from matcher.models import Call
from matcher.status import compute_status
from scrapers import emilia_romagna as er
from scrapers.base import Report, run_portal
from scrapers.plone_text import blocks_text, rich_text, slate_text
from scrapers.recording import ReplayTransport

FIXTURES = Path(__file__).parent / "fixtures" / "emilia_romagna"
SNAPSHOT = Path(__file__).parent.parent / "data" / "snapshot" / "emilia_romagna"
HOST = "https://politicheterritoriali.regione.emilia-romagna.it"
SOCIALE = "https://sociale.regione.emilia-romagna.it"
SEARCH = f"{HOST}/++api++/@search"
ROME = ZoneInfo("Europe/Rome")
CAPTURED = datetime(2026, 6, 12, 12, 0, tzinfo=ROME)
BANDI = f"{HOST}/leggi-atti-bandi/bandi"
Handler = Callable[[httpx.Request], httpx.Response]


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def item(uid: str) -> dict:
    return copy.deepcopy(next(i for i in load("search.json")["items"] if i["UID"] == uid))


def volto_home() -> dict:
    """The Slate blocks Plone 6 installs as its home page (see the fixture README)."""
    excerpt = (FIXTURES / "plone_volto_default_home_slate.py.txt").read_text(encoding="utf-8")
    return ast.literal_eval("{" + excerpt + "}")["slate"]


def answer(payload: dict | bytes, status: int = 200) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return httpx.Response(status, content=body, headers={"content-type": "application/json"})


def scrape(handler: Handler, **kwargs: object) -> tuple[list[Call], Report]:
    report = Report()
    client = httpx.Client(transport=httpx.MockTransport(handler))
    kwargs.setdefault("config", {"hosts": [HOST]})
    calls = list(er.scrape(client, report=report, **kwargs))  # type: ignore[arg-type]
    return calls, report


def serve(routes: dict[str, dict | bytes | httpx.Response], seen: list[str]) -> Handler:
    """Answer by URL without query (exact URL entries win); record every URL asked."""

    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        seen.append(url)
        assert request.headers["accept"] == "application/json"
        found = routes.get(url, routes.get(url.split("?")[0]))
        if found is None:
            return httpx.Response(404, text=f"nothing at {url}")
        return found if isinstance(found, httpx.Response) else answer(found)

    return handler


def test_unwrapped_fixtures_are_reproducible_from_the_recording():
    spec = importlib.util.spec_from_file_location("unwrap", FIXTURES / "unwrap.py")
    assert spec and spec.loader
    unwrap = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(unwrap)
    assert unwrap.main(["--check"]) == 0
    recording = load("emilia_romagna.json")
    pages = load("search-page1.json")["items"] + load("search-page2.json")["items"]
    assert load("search.json")["items"] == pages == recording["items"]
    assert (SNAPSHOT / "politicheterritoriali-search.json").read_text() == (
        FIXTURES / "search.json"
    ).read_text()


def test_first_request_asks_for_full_bando_objects_by_modification_date():
    seen: list[str] = []
    scrape(serve({SEARCH: load("search.json")}, seen))
    assert seen == [
        f"{SEARCH}?portal_type=Bando&fullobjects=1&b_size=50&sort_on=modified&sort_order=descending"
    ]


def test_funding_call_in_evaluation_is_mapped_whole():
    call = er.to_call(item("30334a5b3dac437d917a0ec73eb6e4a7"))
    url = f"{BANDI}/cittadinanza-europea/bando-per-la-promozione-della-cittadinanza-europea-2026"
    assert call == Call(
        portal="emilia_romagna",
        native_id="30334a5b3dac437d917a0ec73eb6e4a7",
        title="Bando per la promozione della cittadinanza europea 2026",
        url=url,
        summary="Contributi per iniziative promosse da enti locali e associazioni",
        text="Contributi per iniziative promosse da enti locali e associazioni",
        language="it",
        territory="Emilia-Romagna",
        # apertura_bando "2026-03-26T10:00:00" is naive local time (CET before 29 March)
        opening=datetime(2026, 3, 26, 10, 0, tzinfo=ROME),
        # scadenza_bando "2026-05-20T14:00:00+00:00" is UTC: 16:00 in Rome
        deadlines=[datetime(2026, 5, 20, 14, 0, tzinfo=UTC)],
        deadline_time_known=True,
        tz="Europe/Rome",
        status_hint="closed",  # bando_state ["inProgress", "In corso"]
        budget_eur=None,
        beneficiaries=["Enti del Terzo settore", "Enti pubblici"],
        public_bodies_eligible=True,
        topics=["Ambiente", "Cultura", "Diritti e sociale"],
        links=[url],
        kind="call",
    )
    assert call.opening.isoformat() == "2026-03-26T10:00:00+01:00"
    assert call.deadlines[0].isoformat() == "2026-05-20T16:00:00+02:00"


def test_expression_of_interest_is_kept_with_its_late_evening_deadline():
    call = er.to_call(item("54bf75fd28084c189c15a9ce9a121f4e"))
    assert call is not None
    assert (call.kind, call.status_hint, call.public_bodies_eligible) == ("call", "closed", True)
    assert call.opening.isoformat() == "2026-01-20T14:45:00+01:00"
    assert [d.isoformat() for d in call.deadlines] == ["2026-02-12T23:55:00+01:00"]
    assert call.topics == ["Diritti e sociale", "Innovazione e ICT", "Riordino istituzionale"]


def test_call_for_citizens_only_is_not_open_to_public_bodies():
    call = er.to_call(item("a25fe30f793b44eabf713aacd6d7ea0b"))
    assert call is not None
    assert (call.beneficiaries, call.public_bodies_eligible) == (["Cittadini"], False)
    assert (call.opening, call.status_hint) == (None, "closed")


def test_in_corso_is_closed_at_the_capture_date_before_the_procedure_ends():
    # Deadline 2026-05-20 passed, chiusura_procedimento_bando 2026-07-30 still ahead.
    call = er.to_call(item("30334a5b3dac437d917a0ec73eb6e4a7"))
    assert compute_status(call, CAPTURED) == "closed"
    # The hint only agrees with the dates: without it the status is the same.
    assert compute_status(replace(call, status_hint=None), CAPTURED) == "closed"
    # The procedure's end is not a deadline.
    assert call.deadlines == [datetime(2026, 5, 20, 16, 0, tzinfo=ROME)]


def test_open_item_without_deadline_is_open_ended():
    call = er.to_call(item("e4e2463776b54626bc0c4d5ef887103d"))  # an "elenco" (register)
    assert call is not None
    assert (call.kind, call.status_hint, call.deadlines) == ("register", "open_ended", [])
    assert compute_status(call, CAPTURED) == "open_ended"


def test_registers_are_dropped_and_counted():
    calls, report = scrape(serve({SEARCH: load("search.json")}, []))
    assert len(calls) == 15
    assert report.errors == []
    assert dict(report.dropped) == {"register or authorisation": 3}
    assert "e4e2463776b54626bc0c4d5ef887103d" not in {c.native_id for c in calls}


def test_pagination_follows_batching_next_exactly_as_given():
    page1, page2 = load("search-page1.json"), load("search-page2.json")
    seen: list[str] = []
    calls, report = scrape(
        serve({SEARCH: page1, page1["batching"]["next"]: page2}, seen),
        config={"hosts": [HOST], "page_size": 10},
    )
    assert seen[1] == page1["batching"]["next"]
    assert seen[1].endswith("?b_start=10&portal_type=Bando&fullobjects=true"
                            "&sort_on=scadenza_bando&sort_order=descending&b_size=10")  # fmt: skip
    assert len(seen) == 2
    assert (len(calls), report.errors) == (15, [])


def test_repeating_next_link_stops_the_listing_with_an_error():
    page1 = load("search-page1.json")  # a server ignoring b_start answers page 1 again
    seen: list[str] = []
    calls, report = scrape(serve({SEARCH: page1}, seen))
    assert len(seen) == 2
    assert report.errors == [f"{HOST}: batching.next repeats {page1['batching']['next']}; "
                             "stopped at 20"]  # fmt: skip
    assert len(calls) == 8  # page 1 holds 2 of the 3 registers
    assert report.dropped["duplicate item"] == 8


@pytest.mark.parametrize(
    "failure, reason",
    [
        (httpx.Response(503, text="busy"), f"HTTP 503 from {SEARCH}?portal_type=Bando"),
        (answer(b"<html>Volto</html>"), f"invalid JSON from {SEARCH}?portal_type=Bando"),
        (answer({"@id": SEARCH, "items_total": 3}), "unexpected layout of"),
        (answer({"@id": SEARCH, "items_total": 18, "items": []}), "items_total 18 but lists no"),
    ],
)
def test_failing_host_is_reported_and_the_other_hosts_are_kept(failure, reason):
    seen: list[str] = []
    routes = {SEARCH: failure, f"{SOCIALE}/++api++/@search": load("search.json")}
    calls, report = scrape(serve(routes, seen), config={"hosts": [HOST, SOCIALE]})
    assert len(calls) == 15
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"{SEARCH}: ")
    assert reason in report.errors[0]
    assert report.errors[0].endswith(f"calls of {HOST} were not read")


def test_no_readable_host_fails_the_portal():
    module = er
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    result = run_portal(module, client, config={"hosts": [HOST]})
    assert (result.calls, result.complete) == ([], False)
    assert result.errors[-1] == "emilia_romagna: none of the 1 Emilia-Romagna sites could be read"


def test_failed_later_page_keeps_the_calls_read():
    page1 = load("search-page1.json")
    failing = {SEARCH: page1, page1["batching"]["next"]: httpx.Response(502)}
    calls, report = scrape(serve(failing, []))
    assert len(calls) == 8
    assert report.errors == [
        f"{page1['batching']['next']}: HTTP 502 from {page1['batching']['next']}; "
        f"the listing of {HOST} is incomplete"
    ]


def test_base_url_stands_in_for_every_host_and_rewrites_the_next_link():
    page1, page2 = load("search-page1.json"), load("search-page2.json")
    base = "http://127.0.0.1:8765"
    local_next = page1["batching"]["next"].replace(HOST, base)
    routes = {
        f"{base}/++api++/@search": page1,
        local_next: page2,
        f"{base}/++api++/sport/@search": load("search.json"),
    }
    seen: list[str] = []
    hosts = [HOST, "https://www.regione.emilia-romagna.it/sport", f"{HOST}/"]
    calls, report = scrape(serve(routes, seen), base_url=base, config={"hosts": hosts})
    assert [url.split("?")[0] for url in seen] == [
        f"{base}/++api++/@search",
        f"{base}/++api++/@search",
        f"{base}/++api++/sport/@search",
    ]
    assert seen[1] == local_next
    assert report.errors == []
    # The second site answered the same Bando: counted once, public URLs kept.
    assert (len(calls), report.dropped["duplicate item"]) == (15, 15)
    assert all(c.url.startswith(f"{BANDI}/") for c in calls)


def test_base_url_with_a_path_is_refused():
    with pytest.raises(ConfigError, match="only scheme and host"):
        scrape(serve({}, []), base_url="http://127.0.0.1:8765/mirror")


@pytest.mark.parametrize(
    "config, message",
    [
        ({"hosts": "https://www.regione.emilia-romagna.it"}, "hosts must be a non-empty list"),
        ({"hosts": ["www.regione.emilia-romagna.it"]}, "is not an http(s) URL"),
        ({"hosts": [HOST], "page_size": 0}, "page_size must be a positive integer"),
    ],
)
def test_bad_configuration_names_the_section_and_field(config, message):
    with pytest.raises(ConfigError, match=r"\[emilia_romagna\]") as caught:
        scrape(serve({}, []), config=config)
    assert message in str(caught.value)


def test_without_configuration_every_default_host_is_read():
    seen: list[str] = []
    with pytest.raises(ScrapeError, match="none of the 7 Emilia-Romagna sites could be read"):
        scrape(serve({}, seen), config=None)
    assert [url.split("/++api++")[0] for url in seen] == er.DEFAULT_HOSTS


def test_malformed_date_leaves_the_field_empty_and_warns(caplog):
    bando = item("00c563a3849f4874bda6a8e52acd66cc")  # adapted: dates replaced
    bando["scadenza_bando"] = "26/03/2026 16:00"
    bando["apertura_bando"] = "2026-02-30T11:00:00"
    with caplog.at_level(logging.WARNING, logger="scrapers.emilia_romagna"):
        call = er.to_call(bando)
    assert call is not None
    assert (call.opening, call.deadlines, call.status_hint) == (None, [], "closed")
    assert f"{bando['@id']}: unreadable scadenza_bando '26/03/2026 16:00'" in caplog.text
    assert f"{bando['@id']}: unreadable apertura_bando '2026-02-30T11:00:00'" in caplog.text


def test_deadline_at_local_midnight_is_a_date_without_time():
    bando = item("30334a5b3dac437d917a0ec73eb6e4a7")  # adapted: 00:00 in Rome on 21 May
    bando["scadenza_bando"] = "2026-05-20T22:00:00+00:00"
    call = er.to_call(bando)
    assert call is not None
    assert (call.deadlines, call.deadline_time_known) == (
        [datetime(2026, 5, 21, 0, 0, tzinfo=ROME)],
        False,
    )
    assert compute_status(replace(call, status_hint=None), CAPTURED - timedelta(days=22)) == "open"


def test_full_object_terms_and_attachments():
    # Adapted: terms as {title, token} and approfondimento children with the keys
    # redturtle.bandi's BandoView.retrieveContentsOfFolderDeepening writes.
    bando = item("1898812e486d4f32b96142ef72f77e80")
    bando["destinatari"] = [{"title": t, "token": t} for t in bando["destinatari"]]
    bando["materie"] = [{"title": t, "token": t} for t in bando["materie"]]
    pdf = f"{bando['@id']}/documenti/bando.pdf/@@download/file/bando.pdf"
    bando["approfondimento"] = [
        {"title": "Documenti", "url": f"{bando['@id']}/documenti", "children": [
            {"title": "Bando", "url": pdf, "content-type": "application/pdf", "type": "File"},
            {"title": "Senza indirizzo"},
        ]},
    ]  # fmt: skip
    call = er.to_call(bando)
    assert call is not None
    assert call.beneficiaries == ["Enti del Terzo settore", "Enti pubblici"]
    assert call.topics == ["Diritti e sociale", "Estero", "Imprese e commercio"]
    assert call.links == [bando["@id"], pdf]


def test_volto_body_becomes_the_call_text():
    bando = item("30334a5b3dac437d917a0ec73eb6e4a7")  # adapted: real Plone 6 blocks as body
    home = volto_home()
    bando["text"] = {"blocks": home["blocks"], "blocks_layout": home["blocks_layout"]}
    call = er.to_call(bando)
    assert call is not None
    lines = call.text.split("\n")
    assert lines[:4] == [
        "Contributi per iniziative promosse da enti locali e associazioni",
        "",
        "Welcome",
        "Learn more about Plone",
    ]
    assert lines[-1] == "– The Plone Team"


def test_metadata_only_item_gets_its_text_from_the_item_endpoint():
    bando = item("30334a5b3dac437d917a0ec73eb6e4a7")
    listed = {k: v for k, v in bando.items() if k != "text"}
    full = {**bando, "text": {"data": "<p>Risorse: <b>500.000 euro</b>.</p>"}}
    seen: list[str] = []
    routes = {SEARCH: {"@id": SEARCH, "items_total": 1, "items": [listed]}, bando["@id"]: full}
    calls, report = scrape(serve(routes, seen))
    assert seen[1] == bando["@id"]
    assert calls[0].text.endswith("Risorse: 500.000 euro.")
    assert report.errors == []


def test_a_metadata_only_item_without_its_address_is_an_error_not_a_call_without_text():
    bando = item("30334a5b3dac437d917a0ec73eb6e4a7")
    listed = {k: v for k, v in bando.items() if k not in ("text", "@id")}
    calls, report = scrape(
        serve({SEARCH: {"@id": SEARCH, "items_total": 1, "items": [listed]}}, [])
    )
    assert (calls, report.errors) == (
        [],
        ["30334a5b3dac437d917a0ec73eb6e4a7: listed without @id; the call is not updated"],
    )


def test_demo_snapshot_replays_through_the_scraper():
    report = Report()
    client = httpx.Client(transport=ReplayTransport(SNAPSHOT))
    calls = list(er.scrape(client, report=report, config={"hosts": [HOST]}))
    assert (len(calls), report.errors) == (15, [])


def test_slate_walk_gives_the_words_of_plaintext_for_every_real_block():
    blocks = volto_home()["blocks"]
    slate = [b for b in blocks.values() if "value" in b]
    assert len(slate) == 20
    for block in slate:
        assert "".join(slate_text(block["value"]).split()) == "".join(block["plaintext"].split())


def test_slate_lists_and_paragraphs_become_lines():
    block = volto_home()["blocks"]["4d8a7881-111b-4d57-b2e6-788e8ede90a9"]
    assert slate_text(block["value"]).split("\n") == [
        "Make sure you are logged in as an admin/manager user. You should have a Site Setup "
        "entry in the user menu.",
        "Set up your mail server. Plone needs a valid SMTP server to verify users and send out "
        "password reminders.",
        "Decide what security level you want on your site. Allow self registration, password "
        "policies, and more.",
    ]


def test_blocks_follow_the_layout_and_skip_title_and_description():
    home = volto_home()
    text = blocks_text(home["blocks"], home["blocks_layout"])
    assert text.split("\n")[:3] == [
        "Welcome",
        "Learn more about Plone",
        "If you're seeing this text instead of the web site you were expecting, the owner of "
        "this web site has just installed Plone. Do not contact the Plone Team or the Plone "
        "support channels about this.",
    ]
    assert len(text.split("\n")) == 31


def test_slate_value_inside_a_block_of_unknown_type_is_found():
    # Not a portal layout: a block type this module does not know, holding a real Slate value
    # in a field of its own (as callouts and similar blocks do), must still give its text.
    value = volto_home()["blocks"]["78ff07d8-dc59-4af9-a669-1d551953ef34"]["value"]
    assert blocks_text({"b": {"@type": "unknownBlock", "content": value}}, {"items": ["b"]}) == (
        "Welcome"
    )


def test_classic_rich_text_is_html_to_text():
    rich = {"content-type": "text/html", "data": "<h2>Dotazione</h2><p>1.000.000 &euro;</p>"}
    assert rich_text(rich) == "Dotazione\n\n1.000.000 €"
    assert rich_text({"data": ""}) == ""  # the recording's emptied bodies
    assert rich_text(None) == ""


def test_a_listing_short_of_items_total_without_a_next_link_is_incomplete():
    # The fault-injection run: items_total 72, 50 items, no batching.next, taken as complete.
    page = load("search.json")
    page["items"] = page["items"][:12]  # items_total still says 18
    calls, report = scrape(serve({SEARCH: page}, []))
    assert len(calls) == 10  # 12 listed, 2 of them registers
    assert report.errors == [
        f"{HOST}: listed 12 of its items_total 18 and gave no batching.next to the rest; "
        "the listing is incomplete"
    ]


def test_items_total_changing_between_pages_is_reported():
    page1, page2 = load("search-page1.json"), load("search-page2.json")
    page2["items_total"] = 17
    calls, report = scrape(serve({SEARCH: page1, page1["batching"]["next"]: page2}, []))
    assert len(calls) == 15
    assert report.errors == [
        f"{HOST}: items_total changed from 18 to 17 at {page1['batching']['next']}"
    ]


def test_items_of_the_wrong_shape_are_skipped_and_keep_their_stored_version():
    # A title that is a list overwrote real titles with ['list', 'title'] and erased deadlines.
    page = load("search.json")
    page["items"][1]["title"] = ["list", "title"]
    page["items"][2]["scadenza_bando"] = 20260520
    calls, report = scrape(serve({SEARCH: page}, []))
    assert len(calls) == 13
    assert {page["items"][1]["UID"], page["items"][2]["UID"]} & {
        c.native_id for c in calls
    } == set()
    assert report.errors == [
        f"{SEARCH}?portal_type=Bando&fullobjects=1&b_size=50&sort_on=modified&sort_order=descending"
        f": skipped 2 of 18 rows not of the shape the portal promises (row 2 "
        f"({page['items'][1]['UID']}) 'title' is a list, expected text and 1 more); stored "
        "versions are kept"
    ]
    assert report.dropped["row not of the promised shape"] == 2


def test_an_answer_without_items_total_is_a_layout_change():
    page = load("search.json")
    del page["items_total"]
    client = httpx.Client(transport=httpx.MockTransport(serve({SEARCH: page}, [])))
    result = run_portal(er, client, config={"hosts": [HOST]})
    assert (result.calls, result.complete) == ([], False)
    assert "no 'items_total'; has the site changed?" in result.errors[0]


def test_an_item_whose_full_object_cannot_be_read_is_not_stored_without_its_text():
    bando = item("30334a5b3dac437d917a0ec73eb6e4a7")
    listed = {k: v for k, v in bando.items() if k != "text"}
    routes = {SEARCH: {"@id": SEARCH, "items_total": 1, "items": [listed]},
              bando["@id"]: httpx.Response(503)}  # fmt: skip
    calls, report = scrape(serve(routes, []))
    assert calls == []
    assert report.errors == [
        f"{bando['@id']}: HTTP 503 from {bando['@id']}; the call is not updated"
    ]
