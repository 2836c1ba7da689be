"""EU Funding & Tenders Portal: open and forthcoming grants from the SEDIA search API."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx

from matcher.errors import ScrapeError
from matcher.models import Call
from scrapers.base import Report, configured_url, distinct, read_pages, reason
from scrapers.eu_ftop_rows import (  # noqa: F401 - re-exported: the module's parsing API
    TOPIC_URL,
    all_values,
    first_value,
    ingested,
    native_id,
    page_url,
    parse_keywords,
    to_call,
    topic_budget,
    when,
)
from scrapers.files import response_object
from scrapers.shapes import TEXT, TEXTS, Shape, keep_valid, shape_problem, text_label

log = logging.getLogger(__name__)

NAME = "eu_ftop"
TITLE = "EU Funding & Tenders Portal"
SITES_CONFIGURED = False
DEDUPE_PRIORITY = 20  # the Commission's own listing of its calls
SETTINGS = {"url": str}  # its keys in sources.toml (allow_empty too)
DEFAULT_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"
PAGE_SIZE = 100  # the API silently caps larger pages at 100
MAX_PAGES = 200
# Open + forthcoming grants are ~1-2k documents; a total beyond what MAX_PAGES can read means
# the filters were ignored (match-all returns millions).
MAX_TOTAL = PAGE_SIZE * MAX_PAGES
GRANT_TYPES = ("1", "2", "8")  # topic, call outside the topic model, cascade funding
OPEN_STATUSES = ("31094501", "31094502")  # forthcoming, open for submission
LANGUAGE = "en"
DATASOURCE = "SEDIA"  # the current index; SEDIA_PRD_CENTRICITY rows are stale legacy copies
# Sorting on a field some documents lack drops them from the result (REFERENCE did); this
# three-field order was checked to keep the unsorted totals (AlessandroPozzetti, 2026-10).
SORT = [
    {"field": "identifier", "order": "ASC"},
    {"field": "DATASOURCE", "order": "ASC"},
    {"field": "esDA_IngestDate", "order": "ASC"},
]


def build_query() -> dict:
    """The `query` part: grants, forthcoming or open, current index, English."""
    return {
        "bool": {
            "must": [
                {"terms": {"type": list(GRANT_TYPES)}},
                {"terms": {"status": list(OPEN_STATUSES)}},
                {"terms": {"DATASOURCE": [DATASOURCE]}},
                {"terms": {"language": [LANGUAGE]}},
            ]
        }
    }


def fetch_page(client: httpx.Client, url: str, page_number: int) -> dict:
    """POST one search page; each JSON parameter is its own application/json multipart part.

    Sent as plain form fields the API answers 500, and a query in the URL is silently ignored.
    """
    params: dict[str, str | int] = {
        "apiKey": "SEDIA",  # a public constant, not a secret
        "text": "***",  # match all; the filters are in the `query` part
        "pageSize": PAGE_SIZE,
        "pageNumber": page_number,
    }
    files = {
        "query": ("blob", json.dumps(build_query()).encode(), "application/json"),
        "languages": ("blob", json.dumps([LANGUAGE]).encode(), "application/json"),
        "sort": ("blob", json.dumps(SORT).encode(), "application/json"),
    }
    return response_object(client.post(url, params=params, files=files))


def parse_page(payload: dict, where: str = "the SEDIA answer") -> tuple[list[dict], int]:
    """The result rows of one page (raw: each is checked by row_problem) and the reported
    total."""
    results = payload.get("results")
    total = payload.get("totalResults")
    if not isinstance(results, list) or not isinstance(total, int) or isinstance(total, bool):
        raise ScrapeError(f"unexpected shape of {where}: no 'results' list or 'totalResults'")
    return results, total


# The fields read from a row and from its `metadata`, whose every value SEDIA sends as a list
# of strings ("even scalars"): anything else is not a row of this API.
ROW_SHAPE: Shape = {"reference": TEXT, "url": TEXT, "summary": TEXT, "language": TEXT}
METADATA_SHAPE: Shape = {
    name: TEXTS
    for name in (
        "identifier", "title", "callTitle", "caName", "type", "status", "language", "DATASOURCE",
        "datasource", "REFERENCE", "ccm2Id", "descriptionByte", "description",
        "destinationDetails", "destinationDescription", "actions", "budgetOverview", "url",
        "frameworkProgramme", "keywords", "tags", "callIdentifier", "deadlineDate", "startDate",
        "esDA_IngestDate",
    )
}  # fmt: skip


def row_problem(row: object) -> str | None:
    """What makes a result row unusable (see ROW_SHAPE), or None."""
    problem = shape_problem(row, ROW_SHAPE)
    if problem is None and isinstance(row, dict):
        if not isinstance(row.get("metadata"), dict):
            return "has no 'metadata'"
        return shape_problem(row["metadata"], METADATA_SHAPE)
    return problem


def check_filters(rows: list[dict], total: int | None = None, where: str = "the answer") -> None:
    """Raise ScrapeError when the rows show that the API ignored the query filters."""
    problems = []
    if total is not None and total > MAX_TOTAL:
        problems.append(f"totalResults {total:,} (open and forthcoming grants are ~1-2k)")
    for field, allowed in (("type", GRANT_TYPES), ("status", OPEN_STATUSES)):
        bad = [all_values(row, field) for row in rows]
        _describe_bad(problems, field, [v for v in bad if not v or set(v) - set(allowed)])
    languages = [all_values(row, "language") or [row.get("language") or ""] for row in rows]
    _describe_bad(problems, "language", [v for v in languages if v != [LANGUAGE]])
    if problems:
        raise ScrapeError(f"the portal ignored the query filters: {'; '.join(problems)} in {where}")


def dedupe_rows(rows: list[dict], report: Report) -> list[dict]:
    """One row per call: legacy-index rows and duplicates dropped (and counted)."""
    kept: dict[str, dict] = {}
    for row in rows:
        if _datasource(row) != DATASOURCE:
            report.drop("legacy index row")
            continue
        key = native_id(row)
        if key in kept:
            report.drop("duplicate row")
            if _preference(row) <= _preference(kept[key]):
                continue
        kept[key] = row
    return list(kept.values())


def read_listing(
    client: httpx.Client, url: str, report: Report, max_pages: int = MAX_PAGES
) -> list[dict]:
    """Every result row of the filtered listing, page by page up to its totalResults.

    A totalResults that changes between pages, a page repeating documents of earlier ones (the
    order shifted, so others were skipped), a failed later page, an empty page before the total
    and the page cap are reported with report.error: the rows read are kept, but the result is
    incomplete, so nothing is marked vanished. So are rows not of the promised shape, which are
    skipped (row_problem).
    """
    rows: list[dict] = []
    first_page: dict[tuple[str, str, str], int] = {}
    total: int | None = None
    counted = 0  # rows listed, usable or not: what totalResults counts

    def where(page: int) -> str:
        return f"page {page} of {url}"

    def read(page: int) -> tuple[tuple[list[dict], int], int]:
        return parse_page(fetch_page(client, url, page), where(page)), page + 1

    pages = read_pages(
        read,
        1,
        report=report,
        max_pages=max_pages,
        failed=lambda page, exc: f"{where(page)}: {reason(exc)}; the listing is incomplete",
        capped=lambda: f"stopped after {max_pages} pages of {url} with {counted} of {total} rows",
    )
    for page, (listed, page_total) in pages:
        counted += len(listed)
        page_rows = keep_valid(listed, row_problem, report, where(page), text_label("identifier"))
        check_filters(page_rows, page_total, where(page))
        if total is not None and page_total != total:
            report.error(f"totalResults changed from {total} to {page_total} at {where(page)}")
        total = page_total
        repeated = _repeats(page_rows, page, first_page)
        if repeated:
            report.error(
                f"{where(page)} repeats {repeated} documents of earlier pages; rows may be lost"
            )
        rows.extend(page_rows)
        report.advance(len(listed))
        if counted >= total:
            break
        if not listed:
            report.error(f"{where(page)} is empty after {counted} of {total} results")
            break
    if not counted:
        raise ScrapeError(f"no open or forthcoming grants in {url} (totalResults {total})")
    return rows


def scrape(
    client: httpx.Client,
    *,
    base_url: str | None = None,
    report: Report,
    config: dict[str, Any] | None = None,
    max_pages: int = MAX_PAGES,
) -> Iterator[Call]:
    """Read the whole filtered listing (see read_listing), then yield one Call per topic.

    The listing is ~12 pages, and a full read is what lets the store mark vanished calls.
    `base_url` replaces the search URL; else `config["url"]` (data/sources.toml), else
    DEFAULT_URL.
    """
    url = base_url or configured_url(config, NAME) or DEFAULT_URL
    rows = dedupe_rows(read_listing(client, url, report, max_pages), report)
    yield from distinct(map(to_call, rows), report, "row without identifier or title")


def _preference(row: dict) -> tuple[bool, bool, datetime]:
    return (
        _datasource(row) == DATASOURCE,
        bool(first_value(row, "descriptionByte")),
        ingested(row) or datetime.min.replace(tzinfo=UTC),
    )


def _repeats(rows: list[dict], page: int, first_page: dict[tuple[str, str, str], int]) -> int:
    """Documents already met on an earlier page (a repeat within one page is harmless)."""
    repeated = 0
    for row in rows:
        key = (_datasource(row), str(row.get("reference", "")), first_value(row, "language"))
        if first_page.setdefault(key, page) != page:
            repeated += 1
    return repeated


def _describe_bad(problems: list[str], field: str, bad: list[list[str]]) -> None:
    if bad:
        values = sorted({v or "(missing)" for values in bad for v in values or [""]})
        problems.append(f"{field} {', '.join(values)} in {len(bad)} rows")


def _datasource(row: dict) -> str:
    return first_value(row, "DATASOURCE") or first_value(row, "datasource")
