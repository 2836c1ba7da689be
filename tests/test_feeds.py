"""RSS/Atom feeds: three formats, deadlines only after a keyword, non-calls kept, site errors."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import httpx
import pytest

from matcher.errors import ScrapeError
from matcher.models import Call
from matcher.status import compute_status
from scrapers import feeds
from scrapers.base import Report, Site

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
RDF = "rdf_regione_er_constructed.xml"
RSS2 = "rss2_incentivi_latin1_constructed.xml"
ATOM = "atom_life_constructed.xml"
ER_URL = "https://politicheterritoriali.regione.emilia-romagna.it/RSS"
MIMIT_URL = "https://www.mimit.gov.it/it/incentivi?format=feed&type=rss"
CINEA_URL = "https://cinea.ec.europa.eu/node/161/rss_en"
ER = Site("er-territorio", ER_URL, "Emilia-Romagna", language="it")
MIMIT = Site("mimit", MIMIT_URL, "Italia", language="it")
CINEA = Site("cinea", CINEA_URL, "EU", language="en")
ROME, BRUSSELS = ZoneInfo("Europe/Rome"), ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
PLONE_BANDI = "https://politicheterritoriali.regione.emilia-romagna.it/leggi-atti-bandi/bandi/"
TOPIC = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
    "topic-details/"
)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def entries(name: str, url: str = ER_URL) -> list[dict]:
    return feeds.parse_feed(fixture(name), url, "application/rss+xml")


def config(*sites: Site) -> dict:
    return {
        "sites": [
            {"name": s.name, "url": s.url, "territory": s.territory, "language": s.language}
            | ({"allow_empty": True} if s.allow_empty else {})
            for s in sites
        ]
    }


def client(routes: dict[str, tuple[int, bytes]]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        status, body = routes.get(str(request.url), (404, b"not here"))
        return httpx.Response(status, content=body, headers={"content-type": "application/xml"})

    return httpx.Client(transport=httpx.MockTransport(handler))


def scrape(routes: dict[str, tuple[int, bytes]], *sites: Site) -> tuple[list[Call], Report]:
    report = Report()
    calls = list(feeds.scrape(client(routes), report=report, config=config(*sites)))
    return calls, report


def test_rss1_rdf_item_with_a_deadline_keyword_gets_that_deadline() -> None:
    url = (
        PLONE_BANDI + "cittadinanza-europea/bando-per-la-promozione-della-cittadinanza-europea-2026"
    )
    text = (
        "Contributi per iniziative promosse da enti locali e associazioni. Scadenza per la "
        "presentazione delle domande: 20/05/2026 ore 16:00."
    )
    call = feeds.to_call(entries(RDF)[0], ER)
    assert call == Call(
        portal="feeds",
        native_id=feeds.native_key("er-territorio", url),
        title="Bando per la promozione della cittadinanza europea 2026",
        url=url,
        summary=text,
        text=text,
        language="it",
        territory="Emilia-Romagna",
        deadlines=[datetime(2026, 5, 20, 16, 0, tzinfo=ROME)],
        deadline_time_known=True,
        tz="Europe/Rome",
        links=[url],
        kind="call",
        source_updated=datetime(2026, 3, 25, 9, 25, tzinfo=UTC),
    )


def test_iso_8859_1_rss2_feed_is_decoded_from_its_own_declaration() -> None:
    raw = fixture(RSS2)
    assert b"Cos'\xe8" in raw  # the fixture really is Latin-1 bytes
    url = (
        "https://www.incentivi.gov.it/it/catalogo/"
        "interventi-la-promozione-della-digitalizzazione-delle-microimprese-2024"
    )
    first = (
        "Cos'è Contributo a fondo perduto per l'acquisto di software e consulenze e formazione "
        "con l'obiettivo di digitalizzare i processi dell'impresa. A chi si rivolge Microimprese "
        "con max 5 addetti."
    )
    second = "Le domande possono essere presentate fino al 31 ottobre 2024"
    call = feeds.to_call(entries(RSS2, MIMIT_URL)[0], MIMIT)
    assert call == Call(
        portal="feeds",
        native_id="mimit:" + hashlib.sha256(url.encode()).hexdigest()[:16],
        title="Interventi per la promozione della digitalizzazione delle microimprese 2024",
        url=url,
        summary=f"{first} {second}",
        text=f"{first}\n\n{second}",
        language="it",
        territory="Italia",
        deadlines=[datetime(2024, 10, 31, tzinfo=ROME)],
        deadline_time_known=False,
        tz="Europe/Rome",
        links=[url],
        kind="call",
        source_updated=datetime(2024, 2, 22, 15, 39, 53, tzinfo=UTC),
    )


def test_atom_entry_gets_a_date_only_deadline_in_brussels_time() -> None:
    url = TOPIC + "LIFE-2026-CET-HEATCOOLPLAN"
    lead = "LIFE Clean Energy Transition call for proposals, topic LIFE-2026-CET-HEATCOOLPLAN."
    call = feeds.to_call(entries(ATOM, CINEA_URL)[0], CINEA)
    assert call == Call(
        portal="feeds",
        native_id=feeds.native_key("cinea", url),
        title=(
            "Supporting the delivery of actionable, integrated, and comprehensive local heating "
            "and cooling plans"
        ),
        url=url,
        summary=f"{lead} Deadline: 16 September 2026",
        text=f"{lead}\n\nDeadline: 16 September 2026",
        language="en",
        territory="EU",
        deadlines=[datetime(2026, 9, 16, tzinfo=BRUSSELS)],
        deadline_time_known=False,
        tz="Europe/Brussels",
        topics=["LIFE Clean Energy Transition"],
        links=[url],
        kind="call",
        source_updated=datetime(2026, 4, 21, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("name", "titles"),
    [
        (
            RDF,
            [
                "Bando per la promozione della cittadinanza europea 2026",
                "Bando per la cooperazione internazionale 2026",
                "Avviso per iscrizione all'elenco regionale delle cooperative di comunità",
            ],
        ),
        (
            RSS2,
            [
                "Interventi per la promozione della digitalizzazione delle microimprese 2024",
                "Sostegno per l'acquisto di servizi per l'innovazione tecnologica, strategica "
                "organizzativa e commerciale delle imprese - Regione Puglia",
                "Contributi allo spettacolo dal vivo – 2026",
                "AVVISO DI ASTA PUBBLICA PER VENDITA DI LEGNAME DA CIPPARE – PROGETTO DI "
                "FORESTAZIONE 2025 “AREE DEMANIALI DI COMPETENZA REGIONALE”",
            ],
        ),
        (
            ATOM,
            [
                "Supporting the delivery of actionable, integrated, and comprehensive local "
                "heating and cooling plans",
                "Nature & Biodiversity - Standard Action Projects (SAP)",
            ],
        ),
    ],
)
def test_rdf_rss2_and_atom_are_all_parsed(name: str, titles: list[str]) -> None:
    assert [e["title"] for e in entries(name)] == titles


def test_a_publication_date_in_the_text_is_not_a_deadline() -> None:
    call = feeds.to_call(entries(RSS2, MIMIT_URL)[2], MIMIT)
    assert call is not None
    assert "pubblicato sul BURL n. 63 del 6 agosto 2019" in call.text
    assert (call.deadlines, call.status_hint, compute_status(call, NOW)) == ([], None, "unknown")


def test_item_without_a_deadline_has_unknown_status() -> None:
    call = feeds.to_call(entries(RDF)[1], ER)
    assert call is not None
    assert (call.deadlines, call.status_hint, compute_status(call, NOW)) == ([], None, "unknown")


def test_sportello_until_funds_run_out_is_open_ended() -> None:
    call = feeds.to_call(entries(RSS2, MIMIT_URL)[1], MIMIT)
    assert call is not None
    assert (call.deadlines, compute_status(call, NOW)) == ([], "open_ended")


def test_items_that_are_not_calls_are_kept_with_their_kind() -> None:
    calls, report = scrape(
        {ER_URL: (200, fixture(RDF)), MIMIT_URL: (200, fixture(RSS2))}, ER, MIMIT
    )
    assert [(" ".join(c.title.split()[:3]), c.kind) for c in calls] == [
        ("Bando per la", "call"),
        ("Bando per la", "call"),
        ("Avviso per iscrizione", "register"),
        ("Interventi per la", "call"),
        ("Sostegno per l'acquisto", "call"),
        ("Contributi allo spettacolo", "call"),
        ("AVVISO DI ASTA", "procurement"),
    ]
    assert (report.errors, dict(report.dropped)) == ([], {})


def test_a_call_verdict_without_call_wording_counts_as_news() -> None:
    assert feeds.item_kind("Winners of the 2026 edition announced", "") == "news"
    assert feeds.item_kind("Bando per la cooperazione internazionale 2026", "") == "call"


def test_failing_site_is_reported_and_the_other_sites_items_kept() -> None:
    routes = {ER_URL: (503, b"Service Unavailable"), CINEA_URL: (200, fixture(ATOM))}
    calls, report = scrape(routes, ER, CINEA)
    assert [c.native_id.split(":")[0] for c in calls] == ["cinea", "cinea"]
    assert report.errors == [f"feeds: er-territorio: {ER_URL}: HTTP 503"]


def test_a_page_that_is_not_a_feed_is_reported() -> None:
    page = b"<!DOCTYPE html><html><head><title>Bandi</title></head><body><p>x</p></body></html>"
    calls, report = scrape({ER_URL: (200, page)}, ER)
    assert calls == []
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"feeds: er-territorio: {ER_URL}: {ER_URL} is not an RSS")


def test_an_empty_feed_is_an_error_unless_the_site_allows_it() -> None:
    empty = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<link>https://www.mimit.gov.it</link><description>d</description></channel></rss>"
    )
    _, report = scrape({MIMIT_URL: (200, empty)}, MIMIT)
    assert report.errors == [
        f"feeds: mimit: {MIMIT_URL} has no items (set allow_empty = true for this site if that "
        "is normal)"
    ]
    allowed = Site("mimit", MIMIT_URL, "Italia", language="it", allow_empty=True)
    assert scrape({MIMIT_URL: (200, empty)}, allowed)[1].errors == []


def test_feedparser_is_never_left_to_fetch_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fetch(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("feedparser tried to fetch by itself")

    monkeypatch.setattr(feedparser.http, "get", no_fetch)
    with pytest.raises(ScrapeError, match="is not an RSS or Atom feed"):
        feeds.parse_feed(CINEA_URL.encode(), CINEA_URL)


def test_short_guid_is_kept_and_long_one_hashed() -> None:
    ids = [feeds.to_call(e, MIMIT).native_id for e in entries(RSS2, MIMIT_URL)]  # type: ignore[union-attr]
    long_guid = "https://portalebandi.regione.basilicata.it/?post_type=avvisi-e-bandi&p=102348"
    assert ids[2:] == ["mimit:lazioinnova-55169", f"mimit:{long_guid}"]
    assert feeds.native_key("s", "x" * 81) == "s:" + hashlib.sha256(b"x" * 81).hexdigest()[:16]


def test_base_url_is_rejected_because_sites_come_from_sources_toml() -> None:
    assert feeds.SITES_CONFIGURED is True
    with pytest.raises(ScrapeError, match="--base-url"):
        list(feeds.scrape(client({}), base_url="https://x.example", report=Report(), config={}))


def test_invalid_site_entries_are_reported_and_valid_ones_read() -> None:
    cfg = config(CINEA)
    cfg["sites"] += [{"name": "nourl", "territory": "EU"}, {"name": "cinea", "url": CINEA_URL}]
    report = Report()
    calls = list(feeds.scrape(client({CINEA_URL: (200, fixture(ATOM))}), report=report, config=cfg))
    assert len(calls) == 2
    assert report.errors == [
        "feeds: [[feeds.sites]] entry 2 in sources.toml: nourl: 'url' must be an http(s) URL",
        "feeds: [[feeds.sites]] entry 3 in sources.toml: cinea: 'territory' is required "
        "(EU, Italia or a region)",
    ]


def test_no_configured_sites_fails_the_portal() -> None:
    with pytest.raises(ScrapeError, match=r"add \[\[feeds.sites\]\]"):
        list(feeds.scrape(client({}), report=Report(), config=None))


def test_a_feed_cut_off_keeps_the_items_read_and_is_incomplete() -> None:
    body = fixture(RDF)
    cut = body[: body.index(b"<title>Avviso per iscrizione")]  # inside the third item
    calls, report = scrape({ER_URL: (200, cut)}, ER)
    assert [c.title for c in calls] == [
        "Bando per la promozione della cittadinanza europea 2026",
        "Bando per la cooperazione internazionale 2026",
    ]
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"feeds: {ER_URL} did not parse whole (")
    assert report.errors[0].endswith("the 2 items before the break are kept, the listing is "
                                     "incomplete")  # fmt: skip


def test_a_wrong_charset_from_the_server_does_not_garble_a_utf8_feed() -> None:
    # The server's default charset on a UTF-8 feed: read as ISO-8859-1, "à" became "Ã ".
    proper = feeds.parse_feed(fixture(RDF), ER_URL, "application/rss+xml; charset=utf-8")
    mislabelled = feeds.parse_feed(fixture(RDF), ER_URL, "application/rss+xml; charset=iso-8859-1")
    assert [e["title"] for e in mislabelled] == [e["title"] for e in proper]
    assert proper[2]["title"].endswith("cooperative di comunità")


def test_an_iso_8859_1_feed_still_follows_the_servers_charset_when_it_names_none() -> None:
    body = fixture(RSS2).replace(b' encoding="ISO-8859-1"', b"")
    parsed = feeds.parse_feed(body, MIMIT_URL, "application/rss+xml; charset=iso-8859-1")
    assert parsed[0]["title"] == feeds.parse_feed(fixture(RSS2), MIMIT_URL)[0]["title"]


def test_a_whole_feed_parsed_leniently_is_complete() -> None:
    # An HTML entity XML does not define: feedparser reads on, and the document is all there.
    body = fixture(RDF).replace(b"Bando per la cooperazione", b"Bando&nbsp;per la cooperazione")
    calls, report = scrape({ER_URL: (200, body)}, ER)
    assert (len(calls), report.errors) == (3, [])
    assert calls[1].title == "Bando per la cooperazione internazionale 2026"
