"""Tests for scrapers/eu_ftop.py: request encoding, paging, filters, parsing of real SEDIA rows."""

from __future__ import annotations

import copy
import email
import email.policy
import json
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from matcher.errors import ScrapeError
from matcher.status import compute_status
from scrapers import eu_ftop
from scrapers.base import SUMMARY_CHARS, Report, run_portal
from scrapers.eu_programmes import programme_name

FIXTURES = Path(__file__).parent / "fixtures" / "eu_ftop"
BRUSSELS = ZoneInfo("Europe/Brussels")
CURRENT_TOPICS = [
    "HORIZON-MISS-2027-05-SOIL-01-two-stage",
    "HORIZON-CL4-2027-04-DIGITAL-EMERGING-10",
    "HORIZON-CL5-2027-03-D5-05",
    "HORIZON-CL6-2026-04-GOVERNANCE-01",
    "HORIZON-CL3-2026-02-CS-ECCC-01",
    "HORIZON-JU-CBE-2026-IAFlag-02",
]
Answer = dict | bytes | httpx.Response


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded_page() -> dict:
    return load("sedia_search_response_9results.json")


def row_of(payload: dict, identifier: str, datasource: str = "SEDIA") -> dict:
    rows = payload["results"]
    return next(
        r
        for r in rows
        if r["metadata"]["identifier"] == [identifier]
        and r["metadata"]["DATASOURCE"] == [datasource]
    )


def multipart_parts(request: httpx.Request) -> dict[str, tuple[str, object]]:
    """name -> (content type, decoded JSON) of each part of a multipart/form-data body."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.read(), policy=email.policy.HTTP)
    assert message.get_content_type() == "multipart/form-data"
    parts: dict[str, tuple[str, object]] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        parts[name] = (part.get_content_type(), json.loads(payload))
    return parts


def sedia(pages: dict[int, Answer], seen: list[int], endpoint: str = eu_ftop.DEFAULT_URL):
    """A MockTransport handler that checks every request is the SEDIA search POST."""

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert str(request.url.copy_with(query=None)) == endpoint
        params = dict(request.url.params)
        assert {k: v for k, v in params.items() if k != "pageNumber"} == {
            "apiKey": "SEDIA",
            "text": "***",
            "pageSize": "100",
        }
        assert multipart_parts(request) == {
            "query": ("application/json", eu_ftop.build_query()),
            "languages": ("application/json", ["en"]),
            "sort": ("application/json", eu_ftop.SORT),
        }
        page = int(params["pageNumber"])
        seen.append(page)
        answer = pages[page]
        if isinstance(answer, httpx.Response):
            return answer
        if isinstance(answer, bytes):
            return httpx.Response(200, content=answer)
        return httpx.Response(200, json=answer)

    return handler


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def scrape_all(pages: dict[int, Answer], **kwargs: Any) -> tuple[list, Report, list[int]]:
    seen: list[int] = []
    report = Report()
    with client_for(sedia(pages, seen)) as client:
        calls = list(eu_ftop.scrape(client, report=report, **kwargs))
    return calls, report, seen


def test_query_asks_for_open_and_forthcoming_english_grants_of_the_current_index():
    assert eu_ftop.build_query() == {
        "bool": {
            "must": [
                {"terms": {"type": ["1", "2", "8"]}},
                {"terms": {"status": ["31094501", "31094502"]}},
                {"terms": {"DATASOURCE": ["SEDIA"]}},
                {"terms": {"language": ["en"]}},
            ]
        }
    }


def test_recorded_page_yields_current_topics_and_counts_dropped_legacy_rows():
    seen: list[int] = []
    progress: list[int] = []
    with client_for(sedia({1: recorded_page()}, seen)) as client:
        result = run_portal(eu_ftop, client, progress=progress.append)
    assert [c.native_id for c in result.calls] == CURRENT_TOPICS
    assert [c.id for c in result.calls][0] == "eu_ftop:HORIZON-MISS-2027-05-SOIL-01-two-stage"
    # 3 legacy rows: HORIZON-CL2-2024-TRANSFORMATIONS-01-08 and HORIZON-INFRA-2024-EOSC-01-03 twice
    assert result.dropped == {"legacy index row": 3}
    assert (result.complete, result.errors, seen, progress) == (True, [], [1], [9])


def test_call_fields_from_a_recorded_row():
    call = eu_ftop.to_call(row_of(recorded_page(), "HORIZON-CL6-2026-04-GOVERNANCE-01"))
    url = (
        "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
        "topic-details/HORIZON-CL6-2026-04-GOVERNANCE-01"
    )
    assert call.title == "Additional activities for the European Partnership of Agriculture of Data"
    assert (call.url, call.links, call.language, call.territory) == (url, [url], "en", "EU")
    assert (call.programme, call.tz, call.status_hint) == (
        "Horizon Europe (HORIZON)",
        "Europe/Brussels",
        None,
    )
    assert (call.beneficiaries, call.public_bodies_eligible, call.kind) == ([], None, "call")
    assert call.opening == datetime(2026, 8, 25, tzinfo=BRUSSELS)
    assert call.deadlines == [datetime(2026, 11, 26, tzinfo=BRUSSELS)]
    assert call.summary.startswith("Expected Outcome: The successful proposal is expected")
    assert len(call.summary) <= SUMMARY_CHARS + 1 and call.summary.endswith("…")
    # destinationDetails follows the (upstream-truncated) description, as clean text
    assert call.text.startswith("Expected Outcome:\n\nThe successful proposal")
    assert "<" not in call.text and len(call.text) > 5000
    assert call.topics[:3] == ["Data protection and privacy", "Data value chains", "Digital data"]


def test_two_stage_call_keeps_both_deadlines():
    call = eu_ftop.to_call(row_of(recorded_page(), "HORIZON-MISS-2027-05-SOIL-01-two-stage"))
    assert call.deadlines == [
        datetime(2027, 4, 8, tzinfo=BRUSSELS),
        datetime(2027, 9, 14, tzinfo=BRUSSELS),
    ]
    assert call.deadline_time_known is False
    assert call.opening == datetime(2027, 2, 4, tzinfo=BRUSSELS)


def test_legacy_row_with_a_real_time_keeps_its_instant_and_gets_the_portal_page_url():
    row = row_of(recorded_page(), "HORIZON-INFRA-2024-EOSC-01-03", "SEDIA_PRD_CENTRICITY")
    call = eu_ftop.to_call(row)
    assert call.deadlines == [datetime(2024, 3, 12, 18, 0, tzinfo=BRUSSELS)]  # 17:00 UTC
    assert call.deadline_time_known is True
    assert call.url == eu_ftop.TOPIC_URL.format("HORIZON-INFRA-2024-EOSC-01-03")


@pytest.mark.parametrize(
    ("identifier", "now", "status"),
    [
        ("HORIZON-CL3-2026-02-CS-ECCC-01", "2026-03-02T12:00:00+00:00", "forthcoming"),
        ("HORIZON-CL3-2026-02-CS-ECCC-01", "2026-06-01T12:00:00+00:00", "open"),
        # date-only deadline 2026-09-15: open until the end of that day in Brussels (CEST)
        ("HORIZON-CL3-2026-02-CS-ECCC-01", "2026-09-15T21:00:00+00:00", "open"),
        ("HORIZON-CL3-2026-02-CS-ECCC-01", "2026-09-15T22:30:00+00:00", "closed"),
        ("HORIZON-CL6-2026-04-GOVERNANCE-01", "2026-08-01T00:00:00+00:00", "forthcoming"),
        # two-stage: open between the stages, closed after the second
        ("HORIZON-MISS-2027-05-SOIL-01-two-stage", "2027-05-01T00:00:00+00:00", "open"),
        ("HORIZON-MISS-2027-05-SOIL-01-two-stage", "2027-09-15T00:00:00+00:00", "closed"),
    ],
)
def test_status_is_computed_from_the_dates_at_a_given_now(identifier, now, status):
    call = eu_ftop.to_call(row_of(recorded_page(), identifier))
    assert compute_status(call, datetime.fromisoformat(now)) == status


def test_keywords_in_both_shapes():
    assert eu_ftop.parse_keywords(['["Digital services","open science"]']) == [
        "Digital services",
        "open science",
    ]
    assert eu_ftop.parse_keywords(["Soil chemistry", "Agriculture"]) == [
        "Soil chemistry",
        "Agriculture",
    ]
    legacy = row_of(recorded_page(), "HORIZON-INFRA-2024-EOSC-01-03", "SEDIA_PRD_CENTRICITY")
    assert eu_ftop.to_call(legacy).topics == [
        "Co-programmed European Partnerships",
        "eInfrastructure",
        "EOSC and FAIR data",
        "Digital services",
        "Digital Agenda",
        "open science",
        "FAIR data",
    ]


def test_topics_merge_keywords_and_tags_without_identifiers():
    call = eu_ftop.to_call(row_of(recorded_page(), "HORIZON-MISS-2027-05-SOIL-01-two-stage"))
    assert call.topics == [
        "Agriculture",  # a keyword and a tag: kept once
        "Agriculture related to crop production, soil biology and cultivation, applied plant "
        "biology",
        "Ecosystem services provided by soils",
        "Soil biodiversity",
        "Soil chemistry",
        "Soil conservation",
        "Biogeographical region",
        "Black Sea",
        "Bottom Up",
        "Co-creation",
        "Continental",
        "Integrated sciences",
        "Interdisciplinary",
    ]


def test_budget_is_the_topics_share_of_the_call_budget():
    call = eu_ftop.to_call(row_of(recorded_page(), "HORIZON-CL6-2026-04-GOVERNANCE-01"))
    assert call.budget_eur == 60_000_000  # budgetYearMap {"2026": "23000000", "2027": "37000000"}
    # a full-length budgetOverview lists the seven sibling topics of the call
    rows = load("api-debug-full.json")["results"]
    english = next(r for r in rows if r["reference"] == "48400948TOPICSen")
    assert eu_ftop.topic_budget(english, "HORIZON-CL4-2025-04-DATA-03") == 15_000_000


def test_truncated_budget_overview_leaves_budget_empty_and_warns(caplog):
    row = row_of(recorded_page(), "HORIZON-MISS-2027-05-SOIL-01-two-stage")
    with caplog.at_level(logging.WARNING, logger="scrapers.eu_ftop"):
        call = eu_ftop.to_call(row)
    assert call.budget_eur is None
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "HORIZON-MISS-2027-05-SOIL-01-two-stage: budgetOverview is not valid JSON" in caplog.text


def test_full_description_becomes_clean_text():
    payload = load("api-debug-full.json")
    english = next(r for r in payload["results"] if r["reference"] == "48400948TOPICSen")
    call = eu_ftop.to_call(english)
    assert call.text.startswith(
        "Expected Outcome:\n\nImproved methods and tools to optimally develop and deliver "
        "bias-free AI algorithms and generative AI."
    )
    assert "<" not in call.text and "&amp;" not in call.text
    assert call.source_updated == datetime.fromisoformat("2025-10-03T18:04:40.851+02:00")
    assert call.deadlines == [datetime(2025, 10, 2, tzinfo=BRUSSELS)]


def test_pagination_stops_at_total_results():
    # No recorded multi-page answer exists: the recorded 9 results are split into a page of 5
    # and a page of 4, both saying totalResults 9, as the API would with pageSize 5.
    whole = recorded_page()
    first, second = copy.deepcopy(whole), copy.deepcopy(whole)
    first["results"], second["results"] = whole["results"][:5], whole["results"][5:]
    second["pageNumber"] = 2
    calls, report, seen = scrape_all({1: first, 2: second})
    assert seen == [1, 2]
    assert [c.native_id for c in calls] == CURRENT_TOPICS
    assert (report.errors, dict(report.dropped)) == ([], {"legacy index row": 3})


def test_total_changing_mid_scan_makes_the_result_incomplete():
    whole = recorded_page()
    first, second = copy.deepcopy(whole), copy.deepcopy(whole)
    first["results"], second["results"] = whole["results"][:5], whole["results"][5:]
    second["totalResults"] = 8
    seen: list[int] = []
    with client_for(sedia({1: first, 2: second}, seen)) as client:
        result = run_portal(eu_ftop, client)
    assert result.complete is False
    assert result.errors == [f"totalResults changed from 9 to 8 at page 2 of {eu_ftop.DEFAULT_URL}"]
    assert len(result.calls) == 6


def test_pages_that_overlap_make_the_result_incomplete():
    # Page 2 starts one row early (the order shifted between requests), so with 9 rows read
    # one document of the listing was never seen.
    whole = recorded_page()
    first, second = copy.deepcopy(whole), copy.deepcopy(whole)
    first["results"], second["results"] = whole["results"][:5], whole["results"][4:8]
    calls, report, seen = scrape_all({1: first, 2: second})
    assert seen == [1, 2]
    assert report.errors == [
        f"page 2 of {eu_ftop.DEFAULT_URL} repeats 1 documents of earlier pages; rows may be lost"
    ]
    assert [c.native_id for c in calls] == CURRENT_TOPICS


def test_runaway_listing_stops_at_max_pages():
    real = row_of(recorded_page(), "HORIZON-CL3-2026-02-CS-ECCC-01")

    def page(n: int) -> dict:
        metadata = {**real["metadata"], "identifier": [f"TOPIC-{n:03d}"]}
        row = {**real, "reference": f"{n}TOPICSen", "metadata": metadata}
        return {"totalResults": eu_ftop.MAX_TOTAL, "results": [row]}

    calls, report, seen = scrape_all({n: page(n) for n in range(1, eu_ftop.MAX_PAGES + 2)})
    assert seen == list(range(1, eu_ftop.MAX_PAGES + 1))
    assert report.errors == [
        f"stopped after 200 pages of {eu_ftop.DEFAULT_URL} with 200 of 20000 rows"
    ]
    assert len(calls) == 200


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(500, json={"type": "throwable"}), "eu_ftop: HTTP 500 from {url}?"),
        (b"<html>maintenance</html>", "eu_ftop: invalid JSON from {url}?"),
        ({"totalResults": 3}, "eu_ftop: unexpected shape of page 1 of {url}: no 'results'"),
        ([1, 2], "eu_ftop: unexpected answer from {url}?"),
    ],
)
def test_failed_first_page_gives_an_incomplete_result_naming_the_url(answer, error):
    with client_for(sedia({1: answer}, [])) as client:
        result = run_portal(eu_ftop, client)
    assert (result.calls, result.complete) == ([], False)
    assert [e.startswith(error.format(url=eu_ftop.DEFAULT_URL)) for e in result.errors] == [True]


def test_failed_later_page_keeps_the_calls_read_and_reports_the_page():
    whole = recorded_page()
    first = copy.deepcopy(whole)
    first["results"] = whole["results"][:5]
    calls, report, _ = scrape_all({1: first, 2: httpx.Response(503)})
    assert [c.native_id for c in calls] == CURRENT_TOPICS[:4]
    assert report.errors == [
        f"page 2 of {eu_ftop.DEFAULT_URL}: HTTP 503; the listing is incomplete"
    ]


def test_page_that_ignores_the_filters_is_refused():
    payload = load("api-debug-full.json")  # text=AI without filters: sv/cs rows, type 6, closed
    rows, total = eu_ftop.parse_page(payload)
    with pytest.raises(ScrapeError) as caught:
        eu_ftop.check_filters(rows, total, "page 1")
    assert str(caught.value) == (
        "the portal ignored the query filters: totalResults 21,030 (open and forthcoming grants "
        "are ~1-2k); type 6 in 2 rows; status (missing), 31094503 in 5 rows; language cs, sv in "
        "2 rows in page 1"
    )
    with client_for(sedia({1: payload}, [])) as client:
        result = run_portal(eu_ftop, client)
    assert result.calls == []
    assert result.errors[0].startswith("eu_ftop: the portal ignored the query filters: ")


def test_base_url_replaces_the_search_endpoint():
    endpoint = "http://127.0.0.1:8765/replay/search"
    seen: list[int] = []
    with client_for(sedia({1: recorded_page()}, seen, endpoint=endpoint)) as client:
        result = run_portal(eu_ftop, client, base_url=endpoint)
    assert (len(result.calls), result.errors, seen) == (6, [], [1])


def test_configured_url_is_used_without_base_url_and_base_url_wins_over_it():
    mirror = "https://mirror.example/search-api/prod/rest/search"
    local = "http://127.0.0.1:8765/replay/search"
    seen: list[int] = []
    with client_for(sedia({1: recorded_page()}, seen, endpoint=mirror)) as client:
        configured = run_portal(eu_ftop, client, config={"url": mirror})
    with client_for(sedia({1: recorded_page()}, seen, endpoint=local)) as client:
        overridden = run_portal(eu_ftop, client, base_url=local, config={"url": mirror})
    assert (len(configured.calls), configured.errors) == (6, [])
    assert (len(overridden.calls), overridden.errors, seen) == (6, [], [1, 1])


def test_duplicates_keep_the_current_row_with_a_description():
    full = row_of(recorded_page(), "HORIZON-CL3-2026-02-CS-ECCC-01")
    stub = copy.deepcopy(full)
    del stub["metadata"]["descriptionByte"]
    report = Report()
    assert eu_ftop.dedupe_rows([stub, full, stub], report) == [full]
    assert dict(report.dropped) == {"duplicate row": 2}


def test_cascade_call_has_its_own_title_and_id():
    # No recorded type-8 SEDIA row exists: this one is a real topic row given type 8, a
    # callTitle and a reference of the form the eu-grants-feed snapshots carry.
    row = copy.deepcopy(row_of(recorded_page(), "HORIZON-CL3-2026-02-CS-ECCC-01"))
    row["reference"] = "15342COMPETITIVE_CALLen"
    row["metadata"]["type"] = ["8"]
    row["metadata"]["callTitle"] = ["Open call for SMEs"]
    call = eu_ftop.to_call(row)
    assert call.native_id == "HORIZON-CL3-2026-02-CS-ECCC-01#15342COMPETITIVE_CALLen"
    assert call.title == "Open call for SMEs"
    assert call.budget_eur is None
    assert call.text.endswith(
        "Parent topic: Approaches and tools for security in software and hardware development "
        "and assessment"
    )


def test_dates_without_a_time_are_local_midnight_in_brussels():
    assert eu_ftop.when("2026-09-15T00:00:00.000+0000") == (
        datetime(2026, 9, 15, tzinfo=BRUSSELS),
        False,
    )
    assert eu_ftop.when("2026-09-15") == (datetime(2026, 9, 15, tzinfo=BRUSSELS), False)
    assert eu_ftop.when("2024-04-18T19:00:00.000+0200") == (
        datetime(2024, 4, 18, 19, 0, tzinfo=BRUSSELS),
        True,
    )


def test_programme_names_come_from_the_recorded_facets():
    assert programme_name("43252405") == "Programme for the Environment and Climate Action (LIFE)"
    assert programme_name("43252449") == "Research Fund for Coal & Steel (RFCS)"
    assert programme_name("99999999") == "99999999"


def test_empty_listing_is_an_error_not_an_empty_portal():
    empty = recorded_page()
    empty["totalResults"], empty["results"] = 0, []
    with client_for(sedia({1: empty}, [])) as client:
        result = run_portal(eu_ftop, client)
    assert (result.calls, result.complete) == ([], False)
    assert result.errors == [
        f"eu_ftop: no open or forthcoming grants in {eu_ftop.DEFAULT_URL} (totalResults 0)"
    ]


def test_a_row_of_the_wrong_shape_is_skipped_and_makes_the_result_incomplete():
    # The fault-injection run stored this as eu_ftop:12345 titled {'en': 'x'}.
    page = recorded_page()
    bad = row_of(page, "HORIZON-CL5-2027-03-D5-05")
    bad["metadata"] = {**bad["metadata"], "identifier": 12345, "title": {"en": "x"}}
    with client_for(sedia({1: page}, [])) as client:
        result = run_portal(eu_ftop, client)
    assert [c.native_id for c in result.calls] == [
        t for t in CURRENT_TOPICS if t != "HORIZON-CL5-2027-03-D5-05"
    ]
    assert (result.complete, result.dropped["row not of the promised shape"]) == (False, 1)
    assert result.errors == [
        f"page 1 of {eu_ftop.DEFAULT_URL}: skipped 1 of 9 rows not of the shape the portal "
        "promises (row 4 'identifier' is the number 12345, expected a list of texts); stored "
        "versions are kept"
    ]
