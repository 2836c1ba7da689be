"""Regione Emilia-Romagna: `Bando` objects from the plone.restapi `@search` of each site."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from matcher.errors import ConfigError, ScrapeError
from matcher.models import Call
from scrapers.base import Report, distinct, read_pages, reason, report_short
from scrapers.emilia_romagna_items import is_register, item_problem, to_call
from scrapers.files import response_object
from scrapers.shapes import keep_valid, text_label

NAME = "emilia_romagna"
TITLE = "Regione Emilia-Romagna (bandi)"
SITES_CONFIGURED = False
DEDUPE_PRIORITY = 10  # the Region's own calls: its record beats an aggregator's copy
SETTINGS = {"hosts": list, "page_size": int}  # its keys in sources.toml (allow_empty too)
DEFAULT_HOSTS = [
    "https://www.regione.emilia-romagna.it",
    "https://imprese.regione.emilia-romagna.it",
    "https://fesr.regione.emilia-romagna.it",
    "https://politicheterritoriali.regione.emilia-romagna.it",
    "https://sociale.regione.emilia-romagna.it",
    "https://formazionelavoro.regione.emilia-romagna.it",
    "https://partecipazione.regione.emilia-romagna.it",
]
PAGE_SIZE = 50
MAX_PAGES = 100  # 5,000 items at the default page size; the largest site holds ~100 Bando


def search_params(page_size: int = PAGE_SIZE) -> dict[str, str | int]:
    """The query of the first page. Later pages follow `batching.next`, which carries it."""
    return {
        "portal_type": "Bando",
        "fullobjects": 1,
        "b_size": page_size,
        "sort_on": "modified",
        "sort_order": "descending",
    }


def search_url(host: str, base_url: str | None = None) -> str:
    """`<host>/++api++<path>/@search`; with `base_url`, its scheme and host replace the host's."""
    url = httpx.URL(host)
    if base_url:
        url = httpx.URL(rebase(str(url), base_url))
    path = url.path.rstrip("/")
    return str(url.copy_with(path=f"/++api++{path}/@search", query=None, fragment=None))


def rebase(url: str, base_url: str) -> str:
    """`url` with the scheme, host and port of `base_url`; path and query are kept."""
    base = httpx.URL(base_url)
    if base.path not in ("", "/"):
        raise ConfigError(
            f"--base-url {base_url}: for {NAME} give only scheme and host (it stands in for "
            "every configured site, whose paths are kept)"
        )
    return str(httpx.URL(url).copy_with(scheme=base.scheme, host=base.host, port=base.port))


def fetch_json(client: httpx.Client, url: str) -> dict:
    """GET a plone.restapi resource as JSON."""
    return response_object(client.get(url, headers={"Accept": "application/json"}))


def parse_page(payload: dict, where: str) -> tuple[list[dict], int, str | None]:
    """The items of one `@search` page, its `items_total` and the `batching.next` link."""
    items = payload.get("items")
    total = payload.get("items_total")
    if not isinstance(items, list):
        raise ScrapeError(f"unexpected layout of {where}: no 'items' list; has the site changed?")
    if not isinstance(total, int) or isinstance(total, bool):
        raise ScrapeError(f"unexpected layout of {where}: no 'items_total'; has the site changed?")
    batching = payload.get("batching")
    link = batching.get("next") if isinstance(batching, dict) else None
    return items, total, link if isinstance(link, str) and link else None


def read_host(
    client: httpx.Client,
    host: str,
    *,
    report: Report,
    base_url: str | None = None,
    page_size: int = PAGE_SIZE,
    max_pages: int = MAX_PAGES,
) -> list[dict]:
    """Every item of one site's listing, following `batching.next` as given.

    The first page failing, or listing no items of a non-zero items_total, raises. A later page
    that fails or is empty, a next link already read and the page cap are reported and end the
    listing (the items read are kept). So does a listing that ends, without any of these, short
    of its items_total, or whose items_total changes; items not of the promised shape
    (item_problem) are skipped and reported.
    """
    first = str(httpx.URL(search_url(host, base_url), params=search_params(page_size)))
    collected: list[dict] = []
    seen: set[str] = set()
    listed, announced, errors_before = 0, None, len(report.errors)

    def read(page_url: str) -> tuple[tuple[list[dict], int, str | None], str | None]:
        items, total, link = parse_page(fetch_json(client, page_url), page_url)
        # Followed as given (only rebased): rebuilding the query from our params has looped
        # forever elsewhere.
        following = rebase(link, base_url) if link and base_url else link
        return (items, total, following), following

    pages = read_pages(
        read,
        first,
        report=report,
        max_pages=max_pages,
        failed=lambda page_url, exc: (
            f"{page_url}: {reason(exc, url=True)}; the listing of {host} is incomplete"
        ),
        capped=lambda: f"{host}: stopped after {max_pages} pages with {len(collected)} items",
    )
    for page_url, (items, total, following) in pages:
        seen.add(page_url)
        if not items and page_url == first and total > 0:
            raise ScrapeError(f"{page_url} reports items_total {total} but lists no items")
        if not items and page_url != first:
            report.error(f"{page_url} is empty after {listed} of {total} items")
            break
        if announced is not None and total != announced:
            report.error(f"{host}: items_total changed from {announced} to {total} at {page_url}")
        announced, listed = total, listed + len(items)
        collected.extend(keep_valid(items, item_problem, report, page_url, text_label("UID")))
        report.advance(len(items))
        if following in seen:
            report.error(f"{host}: batching.next repeats {following}; stopped at {listed}")
            break
    # The fault-injection run saw 50 of items_total 72 taken as the whole listing.
    report_short(report, errors_before, listed, announced,
                 f"{host}: listed {listed} of its items_total {announced} and gave no "
                 "batching.next to the rest; the listing is incomplete")  # fmt: skip
    return collected


def read_bandi(
    client: httpx.Client,
    hosts: list[str],
    *,
    report: Report,
    base_url: str | None = None,
    page_size: int = PAGE_SIZE,
    max_pages: int = MAX_PAGES,
) -> Iterator[dict]:
    """The funding calls (`Bando` items, registers left out) of every site, with their text.

    A site that fails is reported and the others go on; ScrapeError when none could be read.
    """
    urls: dict[str, str] = {}
    for host in hosts:  # with base_url several sites may collapse onto one address
        urls.setdefault(search_url(host, base_url), host)
    read = 0
    for url, host in urls.items():
        try:
            items = read_host(
                client, host, report=report, base_url=base_url, page_size=page_size,
                max_pages=max_pages,
            )  # fmt: skip
        except (httpx.HTTPError, ScrapeError) as exc:
            report.error(f"{url}: {reason(exc, url=True)}; calls of {host} were not read")
            continue
        read += 1
        for item in items:
            if item.get("@type", "Bando") != "Bando":
                report.drop("not a Bando")
            elif is_register(item):
                report.drop("register or authorisation")
            elif "text" not in item:  # a metadata-only listing: the body is on the item itself
                full = _with_detail(client, item, base_url, report)
                if full is not None:
                    yield full
            else:
                yield item
    if urls and not read:
        raise ScrapeError(f"none of the {len(urls)} Emilia-Romagna sites could be read")


def scrape(
    client: httpx.Client,
    *,
    base_url: str | None = None,
    report: Report,
    config: dict[str, Any] | None = None,
    max_pages: int = MAX_PAGES,
) -> Iterator[Call]:
    """Read every configured site; a site that fails is reported and the others go on.

    Each site lists ~100 Bando: read whole, they let the store mark vanished calls. With
    `base_url` every site is fetched through that scheme and host (a local stand-in); the
    calls keep the public `@id` the portal gives as their url.
    """
    hosts, page_size = settings(config)
    bandi = read_bandi(
        client, hosts, report=report, base_url=base_url, page_size=page_size, max_pages=max_pages
    )
    yield from distinct(map(to_call, bandi), report, "item without UID or title")


def settings(config: dict[str, Any] | None) -> tuple[list[str], int]:
    """Hosts and page size from the [emilia_romagna] section of sources.toml."""
    config = config or {}
    hosts = config.get("hosts", DEFAULT_HOSTS)
    if not isinstance(hosts, list) or not hosts:
        raise ConfigError(f"[{NAME}] hosts must be a non-empty list of site URLs, got {hosts!r}")
    for host in hosts:
        if not isinstance(host, str) or not host.startswith(("https://", "http://")):
            raise ConfigError(f"[{NAME}] hosts: {host!r} is not an http(s) URL")
    page_size = config.get("page_size", PAGE_SIZE)
    if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1:
        raise ConfigError(f"[{NAME}] page_size must be a positive integer, got {page_size!r}")
    return list(hosts), page_size


def _with_detail(
    client: httpx.Client, item: dict, base_url: str | None, report: Report
) -> dict | None:
    """The listed item with its full object; None when that cannot be read or is not of the
    promised shape: a call stored without its text would replace the stored one's."""
    url = str(item.get("@id") or "")
    if not url:  # Plone always gives one: without it the item's text cannot be fetched
        report.error(f"{item.get('UID')}: listed without @id; the call is not updated")
        return None
    try:
        full = {**item, **fetch_json(client, rebase(url, base_url) if base_url else url)}
    except (httpx.HTTPError, ScrapeError) as exc:
        report.error(f"{url}: {reason(exc, url=True)}; the call is not updated")
        return None
    problem = item_problem(full)
    if problem:
        report.error(f"{url}: the item {problem}; the call is not updated")
        return None
    return full
