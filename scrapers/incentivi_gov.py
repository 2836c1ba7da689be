"""incentivi.gov.it (MIMIT): national and regional incentives from the Solr open-data export."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from matcher.errors import ConfigError, ScrapeError
from matcher.models import Call
from matcher.normalize.amounts import parse_amount
from matcher.normalize.eligibility import public_bodies_eligible
from matcher.normalize.itdates import (
    ParsedDate,
    find_deadline,
    mentions_open_ended,
    parse_it_period,
)
from matcher.normalize.kinds import classify_kind
from matcher.normalize.territory import territory_from_regions
from matcher.normalize.text import html_to_text
from matcher.normalize.timezones import IT_TZ, instant, local_midnight
from scrapers.base import Report, configured_url, read_pages, reason, response_json, shorten

log = logging.getLogger(__name__)

NAME = "incentivi_gov"
TITLE = "incentivi.gov.it (Ministero delle Imprese e del Made in Italy)"
SITES_CONFIGURED = False
DEDUPE_PRIORITY = 50  # an aggregator of measures other bodies own
DEFAULT_URL = "https://www.incentivi.gov.it/solr/coredrupal/select"
# IODL 2.0 requires attribution; it travels with every call as the last line of `text`.
ATTRIBUTION = "Fonte: incentivi.gov.it (Ministero delle Imprese e del Made in Italy), IODL 2.0"
SITE = "https://www.incentivi.gov.it"
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
# A close date this far past the opening is a "while funds last" placeholder, not a deadline.
PLACEHOLDER_SPAN = timedelta(days=730)


@dataclass
class Schedule:
    """When applications open and close, as read from the date fields and the free-text note."""

    opening: datetime | None = None
    deadlines: list[datetime] = field(default_factory=list)
    time_known: bool = False
    status_hint: str | None = None


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
    payload = response_json(response)  # decodes UTF-8 with or without a BOM
    where = str(response.request.url)
    if not isinstance(payload, dict):
        raise ScrapeError(f"unexpected answer from {where}: not a JSON object")
    return payload, where


def parse_page(payload: dict, where: str) -> tuple[list[dict], int]:
    """The documents of one Solr answer and its `numFound`."""
    response = payload.get("response")
    docs = response.get("docs") if isinstance(response, dict) else None
    total = response.get("numFound") if isinstance(response, dict) else None
    if not isinstance(docs, list) or not isinstance(total, int) or isinstance(total, bool):
        raise ScrapeError(f"unexpected answer from {where}: no 'response.docs' list or 'numFound'")
    if not all(isinstance(doc, dict) for doc in docs):
        raise ScrapeError(f"unexpected answer from {where}: a document is not a JSON object")
    wrong = {str(doc.get("index_id")) for doc in docs if doc.get("index_id", INDEX) != INDEX}
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
    for doc in read_listing(client, url, rows, report, max_pages):
        call = to_call(doc)
        if call is None:
            report.drop("document without id or title")
            continue
        yield call


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
    for start, (page_docs, page_total) in pages:
        where = f"start={start} of {url}"
        if total is not None and page_total != total:
            report.error(f"numFound changed from {total} to {page_total} at {where}")
        total = page_total
        repeated = 0
        for doc in page_docs:
            key = _text(doc, "zs_nid") or f"#{len(docs)}"
            if key in docs:
                repeated += 1
            else:
                docs[key] = doc
        report.advance(len(page_docs))
        if repeated:
            report.drop("duplicate document", repeated)
            # Without a sort Solr's order can shift between pages: a repeat means a skip.
            report.error(f"page {where} repeats {repeated} documents; others may be missed")
            if repeated == len(page_docs):  # `start` is ignored: every page would be the same
                break
        read = start + len(page_docs)
        if read >= total:
            break
        if not page_docs:
            report.error(f"page {where} is empty after {read} of {total} documents")
            break
    if not docs:
        raise ScrapeError(f"no incentives in {url} (numFound {total})")
    return list(docs.values())


def to_call(doc: dict) -> Call | None:
    """A Call from one Solr document, whatever its territory; None without id or title."""
    native_id = _text(doc, "zs_nid")
    title = " ".join(_text(doc, "zs_title").split())
    if not native_id or not title:
        return None
    path = _text(doc, "zs_url")
    link = _text(doc, "zs_field_link")
    url = SITE + path if path.startswith("/") else path or link
    body = html_to_text(_text(doc, "zs_body"))
    note = _text(doc, "zs_field_close_date_descriptor")
    text = "\n\n".join(
        part
        for part in (
            body,
            _labelled("Finalità", _values(doc, "zm_field_scopes_value")),
            _labelled("Costi ammessi", _values(doc, "zm_field_granted_costs_value")),
            f"Apertura e chiusura: {note}" if note else "",
            ATTRIBUTION,
        )
        if part
    )
    when = schedule(doc, native_id)
    subjects = _values(doc, "zm_field_subject_type_value")
    return Call(
        portal=NAME,
        native_id=native_id,
        title=title,
        url=url,
        summary=shorten(body or note),
        text=text,
        language="it",
        territory=territory_from_regions(regions(doc)),
        programme=_text(doc, "zs_field_subject_grant") or "incentivi.gov.it",
        opening=when.opening,
        deadlines=when.deadlines,
        deadline_time_known=when.time_known,
        tz=IT_TZ,
        status_hint=when.status_hint,
        budget_eur=budget(_text(doc, "zs_field_budget_allocation")),
        beneficiaries=subjects,
        public_bodies_eligible=public_bodies_eligible(subjects),
        topics=_unique(
            _values(doc, "zm_field_scopes_value") + _values(doc, "zm_field_activity_sector_value")
        ),
        links=_unique([url, link]),
        kind=classify_kind(title, text),
        source_updated=instant(_text(doc, "ds_last_update"), UTC, native_id, "ds_last_update"),
    )


def regions(doc: dict) -> list[str]:
    """The regions whose applicants the measure serves: the full `zm_` list, duplicates removed."""
    return _unique(_values(doc, "zm_field_regions_value"))


def schedule(doc: dict, native_id: str = "") -> Schedule:
    """Opening, deadline and hint. The free-text note is the truth and beats the date fields.

    The date fields are naive midnights that stand for a date in Europe/Rome. A close date
    the note does not restate, that looks like a placeholder (31 December, or two years or
    more after the opening) while the note says "fino a / salvo esaurimento", means open
    while funds last: no deadline. A closing stated in the note is kept as it is.
    """
    note = _text(doc, "zs_field_close_date_descriptor")
    note_open: ParsedDate | None = None
    note_close: ParsedDate | None = None
    if note:
        note_open, note_close = parse_it_period(note)
        note_close = note_close or find_deadline(note)
    open_day = _day(_text(doc, "zs_field_open_date"), native_id)
    close_day = _day(_text(doc, "zs_field_close_date"), native_id)
    result = Schedule()
    if note_open is not None:
        result.opening = note_open.at
    elif open_day is not None:
        result.opening = local_midnight(open_day, IT_TZ)
    open_ended = bool(note) and mentions_open_ended(note)
    if note_close is not None:
        result.deadlines, result.time_known = [note_close.at], note_close.time_known
    elif close_day is not None and not (open_ended and _placeholder(close_day, open_day)):
        result.deadlines = [local_midnight(close_day, IT_TZ)]
    elif open_ended:
        result.status_hint = "open_ended"
    return result


def budget(value: str) -> float | None:
    """The first amount of Stanziamento_incentivo, in euro.

    The field is free text: "15375383,50", "14270351.57", "163000000 (con dm 29/7),
    161800000 (con dm 09/08)". When it lists several amounts (successive decrees) the first is
    taken: the later ones are usually refinancings whose relation to the first is not stated.
    """
    return parse_amount(value)


def _placeholder(close: date, opening: date | None) -> bool:
    year_end = (close.month, close.day) == (12, 31)
    return year_end or (opening is not None and close - opening >= PLACEHOLDER_SPAN)


def _day(value: str, native_id: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        log.warning("%s: unreadable date %r; ignored", native_id, value)
        return None


def _labelled(label: str, values: list[str]) -> str:
    return f"{label}: {', '.join(_unique(values))}" if values else ""


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _values(doc: dict, name: str) -> list[str]:
    value = doc.get(name)
    values = value if isinstance(value, list) else [] if value is None else [value]
    return [" ".join(str(v).split()) for v in values if str(v).strip()]


def _text(doc: dict, name: str) -> str:
    value = doc.get(name)
    if isinstance(value, list):  # a single-valued field sent as a list by another Solr writer
        value = value[0] if value else None
    return "" if value is None else str(value).strip()
