"""WordPress wp-json listings: paging both ways, post mapping, site errors, the unwrap step."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from matcher.errors import ScrapeError
from matcher.models import Call
from matcher.normalize.text import html_to_text
from matcher.status import compute_status
from scrapers import wordpress
from scrapers.base import Report, Site
from scrapers.recording import replay_client

FIXTURES = Path(__file__).parent / "fixtures" / "wordpress"
SNAPSHOT = Path(__file__).parent.parent / "data" / "snapshot" / "wordpress"
BASILICATA_URL = "https://portalebandi.regione.basilicata.it/wp-json/wp/v2/avvisi-e-bandi"
CALABRIA_URL = "https://calabriaeuropa.regione.calabria.it/wp-json/wp/v2/bando"
LAZIO_URL = "https://www.lazioinnova.it/wp-json/wp/v2/bandi"
SICILIA_URL = "https://www.euroinfosicilia.it/wp-json/wp/v2/posts"
BASILICATA = Site("basilicata", BASILICATA_URL, "Basilicata", language="it")
CALABRIA = Site("calabria", CALABRIA_URL, "Calabria", language="it")
LAZIO = Site("lazioinnova", LAZIO_URL, "Lazio", language="it")
SICILIA = Site(
    "euroinfosicilia",
    SICILIA_URL,
    "Sicilia",
    language="it",
    params={"categories": "321"},
    closed_classes=("category-bandi-e-avvisi-chiusi",),
)
ROME = ZoneInfo("Europe/Rome")
PAST_LAST_PAGE = {
    "code": "rest_post_invalid_page_number",
    "message": "The page number requested is larger than the number of pages available.",
    "data": {"status": 400},
}


def _load_unwrap() -> object:
    spec = importlib.util.spec_from_file_location("wp_unwrap", FIXTURES / "unwrap.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


unwrap = _load_unwrap()


def listing(name: str) -> list[dict]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data if isinstance(data, list) else unwrap.unwrap(data)  # type: ignore[attr-defined]


def post(name: str, post_id: int) -> dict:
    return next(p for p in listing(name) if p["id"] == post_id)


def config(*sites: Site) -> dict:
    return {
        "sites": [
            {"name": s.name, "url": s.url, "territory": s.territory, "language": "it"}
            | ({"params": s.params} if s.params else {})
            | ({"closed_classes": list(s.closed_classes)} if s.closed_classes else {})
            for s in sites
        ]
    }


Handler = Callable[[httpx.Request], httpx.Response]


def paged(posts: list[dict], per_page: int, *, header: bool, end: str) -> tuple[Handler, list]:
    """A site serving `posts` in pages; past the end: [] ("empty") or WordPress's 400 ("400")."""
    pages = [posts[i : i + per_page] for i in range(0, len(posts), per_page)]
    asked: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["per_page"] == str(per_page)
        page = int(request.url.params["page"])
        asked.append(page)
        headers = {"X-WP-Total": str(len(posts)), "X-WP-TotalPages": str(len(pages))}
        if page <= len(pages):
            return httpx.Response(200, json=pages[page - 1], headers=headers if header else {})
        if end == "empty":
            return httpx.Response(200, json=[])
        return httpx.Response(400, json=PAST_LAST_PAGE)

    return handler, asked


def scrape(
    handler: Handler, *sites: Site, max_pages: int | None = None
) -> tuple[list[Call], Report]:
    report = Report()
    http = httpx.Client(transport=httpx.MockTransport(handler))
    if max_pages is None:
        return list(wordpress.scrape(http, report=report, config=config(*sites))), report
    calls = wordpress.scrape(http, report=report, config=config(*sites), max_pages=max_pages)
    return list(calls), report


def small_pages(site: Site, per_page: int = 5) -> Site:
    return Site(site.name, site.url, site.territory, "it", params={"per_page": per_page})


def test_basilicata_post_maps_to_a_call() -> None:
    url = "https://portalebandi.regione.basilicata.it/avvisi-e-bandi/avviso-pubblico-fc-voucher-professionisti/"
    title = "Avviso Pubblico FC – Voucher Professionisti"
    assert wordpress.to_call(post("basilicata_wp_listing.json", 102230), BASILICATA) == Call(
        portal="wordpress",
        native_id="basilicata:102230",
        title=title,
        url=url,
        summary=title,
        text=title,
        language="it",
        territory="Basilicata",
        tz="Europe/Rome",
        links=[url],
        kind="call",
        source_updated=datetime(2026, 5, 25, 14, 26, 33, tzinfo=UTC),
    )


def test_calabria_post_with_empty_content_keeps_its_decoded_title() -> None:
    url = (
        "https://calabriaeuropa.regione.calabria.it/bando/avviso-pubblico-progetto-senza-barriere-"
        "abbattimento-delle-barriere-architettoniche-per-laccessibilita-al-mare/"
    )
    title = (
        "Avviso pubblico “Progetto senza barriere” – abbattimento delle barriere "
        "architettoniche per l’accessibilità al mare"
    )
    assert wordpress.to_call(post("calabria_wp_listing.json", 61781), CALABRIA) == Call(
        portal="wordpress",
        native_id="calabria:61781",
        title=title,
        url=url,
        language="it",
        territory="Calabria",
        tz="Europe/Rome",
        links=[url],
        kind="call",
        source_updated=datetime(2026, 5, 26, 7, 33, 40, tzinfo=UTC),
    )


def test_lazio_post_gets_deadline_beneficiaries_and_topics() -> None:
    raw = post("lazio_wp_bandi.json", 58887)
    call = wordpress.to_call(raw, LAZIO)
    assert call is not None
    assert call.text == html_to_text(raw["content"]["rendered"])
    assert (
        call.native_id,
        call.deadlines,
        call.deadline_time_known,
        call.beneficiaries,
        call.public_bodies_eligible,
        call.topics,
        call.source_updated,
        call.kind,
    ) == (
        "lazioinnova:58887",
        [datetime(2026, 6, 10, 17, 0, tzinfo=ROME)],
        True,
        ["donne", "medie imprese", "piccole imprese"],
        False,
        ["creazione di impresa", "digitalizzazione", "innovazione"],
        datetime(2026, 4, 7, 12, 5, 23, tzinfo=ROME),
        "call",
    )


def test_public_administration_beneficiary_makes_public_bodies_eligible() -> None:
    call = wordpress.to_call(post("lazio_wp_bandi.json", 55558), LAZIO)
    assert call is not None
    assert (call.beneficiaries, call.public_bodies_eligible) == (["pubblica amministrazione"], True)


def test_post_filed_among_closed_calls_is_closed_where_its_dates_do_not_say_otherwise() -> None:
    call = wordpress.to_call(post("sicilia_wp_posts.json", 145569), SICILIA)
    assert call is not None
    assert call.status_hint == "closed"
    # its deadline, 21/11/2025 23:59, decides: the category was true when the page was read
    assert compute_status(call, datetime(2025, 9, 1, tzinfo=UTC)) == "open"
    assert compute_status(call, datetime(2025, 11, 22, tzinfo=UTC)) == "closed"
    assert compute_status(replace(call, deadlines=[]), datetime(2025, 9, 1, tzinfo=UTC)) == "closed"


def test_paging_follows_x_wp_totalpages_when_the_site_sends_it() -> None:
    handler, asked = paged(listing("basilicata_wp_listing.json"), 5, header=True, end="400")
    calls, report = scrape(handler, small_pages(BASILICATA))
    assert (asked, len(calls), report.errors) == ([1, 2, 3], 15, [])


def test_paging_without_header_reads_until_an_empty_page() -> None:
    handler, asked = paged(listing("basilicata_wp_listing.json"), 5, header=False, end="empty")
    calls, report = scrape(handler, small_pages(BASILICATA))
    assert (asked, len(calls), report.errors) == ([1, 2, 3, 4], 15, [])


def test_paging_without_header_ends_at_wordpress_past_last_page_400() -> None:
    handler, asked = paged(listing("calabria_wp_listing.json"), 100, header=False, end="400")
    calls, report = scrape(handler, CALABRIA)
    assert (asked, [c.native_id for c in calls], report.errors) == (
        [1, 2],
        ["calabria:61483", "calabria:61239", "calabria:56779", "calabria:61050", "calabria:61781"],
        [],
    )


def test_another_error_on_a_later_page_is_reported_and_earlier_posts_kept() -> None:
    posts = listing("basilicata_wp_listing.json")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["page"] == "1":
            return httpx.Response(200, json=posts[:5])
        return httpx.Response(400, json={"code": "rest_invalid_param", "data": {"status": 400}})

    calls, report = scrape(handler, small_pages(BASILICATA))
    assert len(calls) == 5
    assert report.errors == [f"wordpress: basilicata: page 2 of {BASILICATA_URL}: HTTP 400"]


def test_a_site_that_ignores_the_page_parameter_is_stopped() -> None:
    posts = listing("calabria_wp_listing.json")
    calls, report = scrape(lambda request: httpx.Response(200, json=posts), CALABRIA)
    assert len(calls) == 5
    assert report.errors == [f"wordpress: calabria: page 2 of {CALABRIA_URL} repeats earlier posts"]


def test_page_cap_stops_an_endless_listing() -> None:
    template = post("calabria_wp_listing.json", 61781)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[{**template, "id": int(request.url.params["page"])}])

    calls, report = scrape(handler, CALABRIA, max_pages=3)
    assert len(calls) == 3
    assert report.errors == [f"wordpress: calabria: stopped after 3 pages of {CALABRIA_URL}"]


def test_failing_site_is_reported_and_the_other_sites_posts_kept() -> None:
    calabria = listing("calabria_wp_listing.json")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "www.lazioinnova.it":
            return httpx.Response(503, text="Service Unavailable")
        if request.url.params["page"] == "1":
            return httpx.Response(200, json=calabria, headers={"X-WP-TotalPages": "1"})
        return httpx.Response(400, json=PAST_LAST_PAGE)

    calls, report = scrape(handler, LAZIO, CALABRIA)
    assert [c.native_id.split(":")[0] for c in calls] == ["calabria"] * 5
    assert report.errors == [f"wordpress: lazioinnova: {LAZIO_URL}: HTTP 503"]


def test_an_answer_that_is_not_a_list_of_posts_is_reported() -> None:
    calls, report = scrape(lambda request: httpx.Response(200, json={"posts": []}), CALABRIA)
    assert calls == []
    assert report.errors[0].startswith(f"wordpress: calabria: {CALABRIA_URL}: unexpected answer")


def test_base_url_is_rejected_because_sites_come_from_sources_toml() -> None:
    assert wordpress.SITES_CONFIGURED is True
    with pytest.raises(ScrapeError, match="--base-url"):
        list(wordpress.scrape(httpx.Client(), base_url="https://x.example", report=Report()))


def test_unwrap_returns_the_recorded_posts_unchanged() -> None:
    wrapped = json.loads((FIXTURES / "lazio_wp_bandi.json").read_text(encoding="utf-8"))
    posts = unwrap.unwrap(wrapped)  # type: ignore[attr-defined]
    assert posts is wrapped["posts"]
    assert [p["id"] for p in posts][:3] == [59390, 59119, 58887]
    with pytest.raises(ValueError, match="exactly"):
        unwrap.unwrap(listing("basilicata_wp_listing.json"))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("snapshot", "fixture"),
    [
        ("lazio.json", "lazio_wp_bandi.json"),
        ("sicilia.json", "sicilia_wp_posts.json"),
        ("basilicata.json", "basilicata_wp_listing.json"),
        ("calabria.json", "calabria_wp_listing.json"),
    ],
)
def test_snapshot_files_are_the_recordings_or_their_unwrapped_posts(
    snapshot: str, fixture: str
) -> None:
    recorded = (FIXTURES / fixture).read_bytes()
    if recorded.lstrip().startswith(b"{"):
        recorded = unwrap.unwrap_bytes(recorded)  # type: ignore[attr-defined]
    assert (SNAPSHOT / snapshot).read_bytes() == recorded


def test_demo_snapshot_replays_every_recorded_site() -> None:
    report = Report()
    with replay_client(SNAPSHOT) as http:
        calls = list(
            wordpress.scrape(
                http, report=report, config=config(BASILICATA, CALABRIA, LAZIO, SICILIA)
            )
        )
    counts = {
        name: sum(c.native_id.startswith(name + ":") for c in calls)
        for name in ("basilicata", "calabria", "lazioinnova", "euroinfosicilia")
    }
    assert (counts, report.errors) == (
        {"basilicata": 15, "calabria": 5, "lazioinnova": 15, "euroinfosicilia": 15},
        [],
    )


def test_a_listing_that_ends_short_of_x_wp_total_is_incomplete() -> None:
    posts = listing("basilicata_wp_listing.json")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["page"] == "1":  # 10 posts, while the headers announce 15
            return httpx.Response(200, json=posts[:10], headers={"X-WP-Total": "15"})
        return httpx.Response(400, json=PAST_LAST_PAGE)

    calls, report = scrape(handler, BASILICATA)
    assert len(calls) == 10
    assert report.errors == [
        "wordpress: basilicata: listed 10 of the 15 posts its X-WP-Total announces; the listing "
        "is incomplete"
    ]


def test_posts_of_the_wrong_shape_are_skipped_and_reported() -> None:
    posts = listing("calabria_wp_listing.json")
    posts[1]["title"] = ["list", "title"]
    posts[3]["id"] = "61050"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["page"] == "1":
            return httpx.Response(200, json=posts)
        return httpx.Response(400, json=PAST_LAST_PAGE)

    calls, report = scrape(handler, CALABRIA)
    assert [c.native_id for c in calls] == ["calabria:61483", "calabria:56779", "calabria:61781"]
    assert report.errors == [
        f"wordpress: calabria: page 1 of {CALABRIA_URL}: skipped 2 of 5 rows not of the shape the "
        "portal promises (row 2 (61239) 'title' is a list, expected text or an "
        "object with 'rendered' text and 1 more); stored versions are kept"
    ]
