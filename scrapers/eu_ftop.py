"""EU Funding & Tenders Portal: open and forthcoming grants from the SEDIA search API."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from matcher.errors import ScrapeError
from matcher.models import Call
from matcher.normalize import html_to_text, parse_iso
from matcher.status import EU_TZ, local_midnight
from scrapers.base import Report, response_json, shorten
from scrapers.eu_programmes import programme_name

log = logging.getLogger(__name__)

NAME = "eu_ftop"
TITLE = "EU Funding & Tenders Portal"
DEFAULT_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"
TOPIC_URL = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
    "topic-details/{}"
)

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
_TZ = ZoneInfo(EU_TZ)
# Keywords that are topic or call identifiers ("HORIZON-CL5-2027-03"), not subjects.
_ID_LIKE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Za-z0-9]+){2,}$")


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
    response = client.post(url, params=params, files=files)
    payload = response_json(response)
    if not isinstance(payload, dict):
        raise ScrapeError(f"unexpected answer from {response.request.url}: not a JSON object")
    return payload


def parse_page(payload: dict, where: str = "the SEDIA answer") -> tuple[list[dict], int]:
    """The result rows of one page (raw, with their `metadata`) and the reported total."""
    results = payload.get("results")
    total = payload.get("totalResults")
    if not isinstance(results, list) or not isinstance(total, int) or isinstance(total, bool):
        raise ScrapeError(f"unexpected shape of {where}: no 'results' list or 'totalResults'")
    for row in results:
        if not isinstance(row, dict) or not isinstance(row.get("metadata"), dict):
            raise ScrapeError(f"unexpected shape of {where}: a result without 'metadata'")
    return results, total


def check_filters(rows: list[dict], total: int | None = None, where: str = "the answer") -> None:
    """Raise ScrapeError when the rows show that the API ignored the query filters."""
    problems = []
    if total is not None and total > MAX_TOTAL:
        problems.append(f"totalResults {total:,} (open and forthcoming grants are ~1-2k)")
    for field, allowed in (("type", GRANT_TYPES), ("status", OPEN_STATUSES)):
        bad = [_values(row, field) for row in rows]
        _describe_bad(problems, field, [v for v in bad if not v or set(v) - set(allowed)])
    languages = [_values(row, "language") or [row.get("language") or ""] for row in rows]
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


def native_id(row: dict) -> str:
    """The topic identifier; a cascade call (type 8) shares its parent's, so add its reference."""
    identifier = _first(row, "identifier")
    if _first(row, "type") == "8":
        # `reference` first: it is also the id of the eu-grants-feed snapshot records.
        ref = row.get("reference") or _first(row, "REFERENCE") or _first(row, "ccm2Id")
        return f"{identifier}#{ref}"
    return identifier


def to_call(row: dict) -> Call | None:
    """A Call from one result row, or None when the row has no identifier or title."""
    identifier = _first(row, "identifier")
    cascade = _first(row, "type") == "8"
    parent = ""
    if cascade:  # `title` is the parent topic; the cascade call's own name is callTitle
        title = _first(row, "callTitle") or _first(row, "caName") or _first(row, "title")
        parent = f"Parent topic: {_first(row, 'title')}" if _first(row, "title") else ""
    else:
        title = _first(row, "title") or str(row.get("summary") or "").strip()
    if not identifier or not title:
        return None
    description = html_to_text(_first(row, "descriptionByte") or _first(row, "description"))
    destination = html_to_text(_first(row, "destinationDetails"))
    actions = _json_field(row, "actions", identifier)
    actions = [a for a in actions if isinstance(a, dict)] if isinstance(actions, list) else []
    deadlines, time_known = _deadlines(row, actions, identifier)
    url = page_url(str(row.get("url") or _first(row, "url")), identifier)
    programme_id = _first(row, "frameworkProgramme")
    return Call(
        portal=NAME,
        native_id=native_id(row),
        title=title,
        url=url,
        summary=shorten(description or destination or _first(row, "destinationDescription")),
        text="\n\n".join(part for part in (description, destination, parent) if part),
        language=LANGUAGE,
        territory="EU",
        programme=programme_name(programme_id) if programme_id else "",
        opening=_opening(row, actions, identifier),
        deadlines=deadlines,
        deadline_time_known=time_known,
        tz=EU_TZ,
        # A cascade row's budgetOverview, if any, is its parent call's, not its own.
        budget_eur=None if cascade else topic_budget(row, identifier),
        beneficiaries=[],
        public_bodies_eligible=None,
        topics=_topics(row, identifier),
        links=[url],
        source_updated=_instant(_first(row, "esDA_IngestDate"), identifier),
    )


def scrape(
    client: httpx.Client,
    since: object = None,
    *,
    base_url: str | None = None,
    report: Report,
    config: dict[str, Any] | None = None,
) -> Iterator[Call]:
    """Read the whole filtered listing, then yield one Call per topic.

    `since` and `config` are ignored: the listing is ~12 pages, and a full read is what lets the
    store mark vanished calls. A totalResults that changes between pages, a page repeating
    documents of earlier ones (the order shifted, so others were skipped), a failed later page,
    an empty page before the total and the MAX_PAGES guard are reported with report.error: the
    calls read are kept, but the result is incomplete, so nothing is marked vanished.
    """
    url = base_url or DEFAULT_URL
    rows: list[dict] = []
    first_page: dict[tuple[str, str, str], int] = {}
    total: int | None = None
    for page in range(1, MAX_PAGES + 1):
        where = f"page {page} of {url}"
        try:
            page_rows, page_total = parse_page(fetch_page(client, url, page), where)
        except (httpx.HTTPError, ScrapeError) as exc:
            if page == 1:
                raise
            report.error(f"{where}: {_reason(exc)}; the listing is incomplete")
            break
        check_filters(page_rows, page_total, where)
        if total is not None and page_total != total:
            report.error(f"totalResults changed from {total} to {page_total} at {where}")
        total = page_total
        repeated = _repeats(page_rows, page, first_page)
        if repeated:
            report.error(f"{where} repeats {repeated} documents of earlier pages; rows may be lost")
        rows.extend(page_rows)
        report.advance(len(page_rows))
        if len(rows) >= total:
            break
        if not page_rows:
            report.error(f"{where} is empty after {len(rows)} of {total} results")
            break
    else:
        report.error(f"stopped after {MAX_PAGES} pages of {url} with {len(rows)} of {total} rows")
    if not rows:
        raise ScrapeError(f"no open or forthcoming grants in {url} (totalResults {total})")
    for row in dedupe_rows(rows, report):
        call = to_call(row)
        if call is None:
            report.drop("row without identifier or title")
            continue
        yield call


def page_url(url: str, identifier: str) -> str:
    """The portal page for people: legacy rows link the topicDetails data file instead."""
    if not url:
        return TOPIC_URL.format(identifier)
    if "/opportunities/data/topicDetails/" in url or url.endswith(".json"):
        # .../data/topicDetails/<KEY>.json is the data behind .../topic-details/<KEY>
        return TOPIC_URL.format(url.rstrip("/").rsplit("/", 1)[1].removesuffix(".json"))
    return url


def topic_budget(row: dict, identifier: str) -> float | None:
    """The topic's own budget: budgetOverview covers the whole call, so pick the topic's actions."""
    overview = _json_field(row, "budgetOverview", identifier)
    action_map = overview.get("budgetTopicActionMap") if isinstance(overview, dict) else None
    if not isinstance(action_map, dict):
        return None
    total, found = 0.0, False
    for entries in action_map.values():
        for entry in entries if isinstance(entries, list) else []:
            action = str(entry.get("action", "")) if isinstance(entry, dict) else ""
            if action != identifier and not action.startswith(identifier + " "):
                continue
            years = entry.get("budgetYearMap") or {}
            try:  # amounts come as ints or strings
                total += sum(float(value) for value in years.values())
            except (TypeError, ValueError, AttributeError):
                log.warning("%s: unreadable budgetYearMap %r; budget left empty", identifier, years)
                return None
            found = True
    return total if found else None


def parse_keywords(values: list[str]) -> list[str]:
    """`keywords` comes as a list of strings or as one string holding a JSON array."""
    if len(values) == 1 and values[0].lstrip().startswith("["):
        try:
            parsed = json.loads(values[0])
        except ValueError:
            log.warning("unreadable keywords %.60r; ignored", values[0])
            return []
        return [str(v) for v in parsed] if isinstance(parsed, list) else []
    return list(values)


def when(value: str) -> tuple[datetime, bool]:
    """An instant and whether its time is known. SEDIA writes date-only values as T00:00."""
    value = value.strip()
    if len(value) == 10:  # YYYY-MM-DD, as inside `actions`
        return local_midnight(date.fromisoformat(value), EU_TZ), False
    parsed = parse_iso(value)
    if parsed is None:
        raise ValueError("empty date")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_TZ)
    if (parsed.hour, parsed.minute, parsed.second, parsed.microsecond) == (0, 0, 0, 0):
        return local_midnight(parsed.date(), EU_TZ), False
    return parsed.astimezone(_TZ), True


def _deadlines(row: dict, actions: list[dict], identifier: str) -> tuple[list[datetime], bool]:
    raw = _values(row, "deadlineDate")
    for action in actions:
        raw += [str(d) for d in action.get("deadlineDates") or []]
    by_day: dict[date, tuple[datetime, bool]] = {}
    for value in raw:
        try:
            instant, known = when(value)
        except ValueError:
            log.warning("%s: unreadable deadline %r; ignored", identifier, value)
            continue
        day = instant.astimezone(_TZ).date()
        if day not in by_day or (known and not by_day[day][1]):  # a real time beats a date
            by_day[day] = (instant, known)
    deadlines = sorted(instant for instant, _ in by_day.values())
    # One flag per call: with any date-only deadline, every deadline counts to the end of its day.
    return deadlines, all(known for _, known in by_day.values())


def _opening(row: dict, actions: list[dict], identifier: str) -> datetime | None:
    planned = sorted(str(a["plannedOpeningDate"]) for a in actions if a.get("plannedOpeningDate"))
    for value in _values(row, "startDate")[:1] + planned[:1]:
        try:
            return when(value)[0]
        except ValueError:
            log.warning("%s: unreadable opening date %r; ignored", identifier, value)
    return None


def _topics(row: dict, identifier: str) -> list[str]:
    ids = {identifier, _first(row, "callIdentifier")}
    topics: dict[str, str] = {}
    for value in parse_keywords(_values(row, "keywords")) + _values(row, "tags"):
        value = " ".join(value.split())
        if value and value not in ids and not _ID_LIKE.match(value):
            topics.setdefault(value.casefold(), value)
    return list(topics.values())


def _json_field(row: dict, field: str, identifier: str) -> object:
    raw = _first(row, field)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:  # upstream captures cut long strings mid-way
        log.warning("%s: %s is not valid JSON (%s); left empty", identifier, field, exc)
        return None


def _instant(value: str, identifier: str) -> datetime | None:
    try:
        return parse_iso(value, UTC)
    except ValueError:
        log.warning("%s: unreadable timestamp %r; ignored", identifier, value)
        return None


def _preference(row: dict) -> tuple[bool, bool, datetime]:
    ingested = _instant(_first(row, "esDA_IngestDate"), _first(row, "identifier"))
    return (
        _datasource(row) == DATASOURCE,
        bool(_first(row, "descriptionByte")),
        ingested or datetime.min.replace(tzinfo=UTC),
    )


def _repeats(rows: list[dict], page: int, first_page: dict[tuple[str, str, str], int]) -> int:
    """Documents already met on an earlier page (a repeat within one page is harmless)."""
    repeated = 0
    for row in rows:
        key = (_datasource(row), str(row.get("reference", "")), _first(row, "language"))
        if first_page.setdefault(key, page) != page:
            repeated += 1
    return repeated


def _reason(exc: Exception) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    return str(exc) or type(exc).__name__


def _describe_bad(problems: list[str], field: str, bad: list[list[str]]) -> None:
    if bad:
        values = sorted({v or "(missing)" for values in bad for v in values or [""]})
        problems.append(f"{field} {', '.join(values)} in {len(bad)} rows")


def _datasource(row: dict) -> str:
    return _first(row, "DATASOURCE") or _first(row, "datasource")


def _values(row: dict, field: str) -> list[str]:
    values = row["metadata"].get(field) or []
    return [str(v) for v in values] if isinstance(values, list) else [str(values)]


def _first(row: dict, field: str) -> str:
    values = _values(row, field)
    return values[0].strip() if values else ""
