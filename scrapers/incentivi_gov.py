"""incentivi.gov.it (MIMIT): national and regional incentives from the Solr open-data export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from matcher.errors import ConfigError, ScrapeError
from matcher.models import Call
from scrapers.base import Report, configured_url, distinct, read_pages, reason
from scrapers.files import response_object
from scrapers.incentivi_gov_docs import (  # noqa: F401 - re-exported: the parsing API
    ATTRIBUTION,
    Schedule,
    budget,
    doc_problem,
    field_text,
    regions,
    schedule,
    to_call,
)
from scrapers.shapes import keep_valid, text_label

NAME = "incentivi_gov"
TITLE = "incentivi.gov.it (Ministero delle Imprese e del Made in Italy)"
SITES_CONFIGURED = False
DEDUPE_PRIORITY = 50  # an aggregator of measures other bodies own
SETTINGS = {"url": str, "rows": int}  # its keys in sources.toml (allow_empty too)
DEFAULT_URL = "https://www.incentivi.gov.it/solr/coredrupal/select"
INDEX = "incentivi"
ROWS = 200
MAX_PAGES = 200
# The catalogue holds ~6k measures; far more means the `fq` filter was ignored and we are
# paging through the whole Drupal core.
MAX_TOTAL = 40_000
# `zs_*` hold only the first value of a multi-valued field: lists come from `zm_*`. Asking
# for these fields only (the site's own export does the same with aliases) cuts each page
# to about a fifth: the rendered teaser and `tum_*` copies are most of a full document.
FIELDS = (
    "index_id", "zs_nid", "zs_title", "zs_url", "zs_body", "zs_field_link",
    "zs_field_open_date", "zs_field_close_date", "zs_field_close_date_descriptor",
    "zm_field_regions_value", "zm_field_subject_type_value", "zm_field_scopes_value",
    "zm_field_granted_costs_value", "zm_field_activity_sector_value",
    "zs_field_subject_grant", "zs_field_budget_allocation", "ds_last_update",
)  # fmt: skip


def fetch_page(client: httpx.Client, url: str, start: int, rows: int) -> tuple[dict, str]:
    """GET one page of the listing; returns the JSON object and the URL that was read.

    No `sort`: no project is known to sort this core and whether it sorts on `zs_nid` is
    untested, so the listing is read in Solr's order and pages are checked for repeats.
    """
    params = {
        "q": "*:*",
        "fq": f"index_id:{INDEX}",
        "fl": ",".join(FIELDS),
        "wt": "json",
        "rows": str(rows),
        "start": str(start),
    }
    response = client.get(url, params=params)
    return response_object(response), str(response.request.url)  # UTF-8 with or without BOM


def parse_page(payload: dict, where: str) -> tuple[list[dict], int]:
    """The documents of one Solr answer and its `numFound`."""
    response = payload.get("response")
    docs = response.get("docs") if isinstance(response, dict) else None
    total = response.get("numFound") if isinstance(response, dict) else None
    if not isinstance(docs, list) or not isinstance(total, int) or isinstance(total, bool):
        raise ScrapeError(f"unexpected answer from {where}: no 'response.docs' list or 'numFound'")
    wrong = {
        str(d.get("index_id"))
        for d in docs
        if isinstance(d, dict) and d.get("index_id", INDEX) != INDEX
    }
    if total > MAX_TOTAL or wrong:
        found = f"index_id {', '.join(sorted(wrong))}" if wrong else f"numFound {total:,}"
        raise ScrapeError(f"the portal ignored fq=index_id:{INDEX} ({found}) at {where}")
    return docs, total


def scrape(
    client: httpx.Client,
    *,
    base_url: str | None = None,
    report: Report,
    config: dict[str, Any] | None = None,
    max_pages: int = MAX_PAGES,
) -> Iterator[Call]:
    """Read the whole catalogue and yield every measure with the territory it serves.

    No measure is left out for its regions: whether a call applies to the applicant is the
    ranking's decision. A full read (~30 pages) is what lets the store mark vanished calls.
    `config` is the [incentivi_gov] section of sources.toml (`url`, `rows`); `base_url`
    replaces the Solr `select` URL.
    """
    url = base_url or configured_url(config, NAME) or DEFAULT_URL
    rows = (config or {}).get("rows", ROWS)
    if not isinstance(rows, int) or isinstance(rows, bool) or not 1 <= rows <= 1000:
        raise ConfigError(f"[{NAME}] rows must be a whole number from 1 to 1000, not {rows!r}")
    docs = read_listing(client, url, rows, report, max_pages)
    yield from distinct(map(to_call, docs), report, "document without id or title")


def read_listing(
    client: httpx.Client, url: str, rows: int, report: Report, max_pages: int = MAX_PAGES
) -> list[dict]:
    """Every document, paging with start/rows up to numFound; each `zs_nid` once.

    A failing first page raises. A later page that fails, is empty, repeats earlier documents
    or reports another numFound, and the page cap, are reported with report.error; the
    documents read are kept.
    """
    docs: dict[str, dict] = {}
    total: int | None = None
    read = 0

    def page(start: int) -> tuple[tuple[list[dict], int], int]:
        found = parse_page(*fetch_page(client, url, start, rows))
        return found, start + len(found[0])

    pages = read_pages(
        page,
        0,
        report=report,
        max_pages=max_pages,
        failed=lambda start, exc: (
            f"{reason(exc)} at start={start} of {url}; the listing is incomplete"
        ),
        capped=lambda: f"stopped after {max_pages} pages of {url} at {read} of {total} documents",
    )
    for start, (listed, page_total) in pages:
        where = f"start={start} of {url}"
        if total is not None and page_total != total:
            report.error(f"numFound changed from {total} to {page_total} at {where}")
        total = page_total
        repeated = 0
        page_docs = keep_valid(listed, doc_problem, report, where, text_label("zs_nid"))
        for doc in page_docs:
            key = field_text(doc, "zs_nid") or f"#{len(docs)}"
            if key in docs:
                repeated += 1
            else:
                docs[key] = doc
        report.advance(len(listed))
        if repeated:
            report.drop("duplicate document", repeated)
            # Without a sort Solr's order can shift between pages: a repeat means a skip.
            report.error(f"page {where} repeats {repeated} documents; others may be missed")
            if repeated == len(page_docs):  # `start` is ignored: every page would be the same
                break
        read = start + len(listed)
        if read >= total:
            break
        if not listed:
            report.error(f"page {where} is empty after {read} of {total} documents")
            break
    if not read:
        raise ScrapeError(f"no incentives in {url} (numFound {total})")
    return list(docs.values())
