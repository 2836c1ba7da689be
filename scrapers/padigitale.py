"""PA digitale 2026: the PNRR M1C1 digital "avvisi" for public administrations (open data CSV)."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from typing import Any

import httpx

from matcher.errors import ScrapeError
from matcher.models import Call
from matcher.normalize.amounts import parse_amount
from matcher.normalize.eligibility import public_bodies_eligible
from matcher.normalize.ids import title_date_id
from matcher.normalize.plausible import DEADLINE, OPENING
from matcher.normalize.timezones import IT_TZ
from scrapers.base import Report, configured_url
from scrapers.files import (
    cell_date,
    decode_utf8,
    fetch_bytes,
    json_rows,
    read_csv,
    refuse_web_page,
    require_columns,
)
from scrapers.shapes import SCALAR, keep_valid, shape_problem

log = logging.getLogger(__name__)

NAME = "padigitale"
TITLE = "PA digitale 2026 – avvisi PNRR"
SITES_CONFIGURED = False
DEDUPE_PRIORITY = 30  # the Department's own avvisi
SETTINGS = {"url": str}  # its keys in sources.toml (allow_empty too)
# avvisi.csv is the dataset's "reference file" (format/format-pad26-avvisi.md); avvisi.json holds
# the same 57 rows with the same keys, and parse_rows reads it too, so --base-url may point at
# either. dati/avvisi.json (Salesforce ids) is a one-off export of 45 calls and is not used.
DEFAULT_URL = (
    "https://raw.githubusercontent.com/teamdigitale/padigitale2026-opendata/main/data/avvisi.csv"
)
DATASET_PAGE = "https://github.com/teamdigitale/padigitale2026-opendata"
ATTRIBUTION = (
    "PA digitale 2026 open data (avvisi), Dipartimento per la trasformazione digitale – "
    "Presidenza del Consiglio dei Ministri, CC BY 4.0"
)
PROGRAMME = "PNRR – PA digitale 2026 (M1C1)"
PUBLISHER = "Dipartimento per la trasformazione digitale"

# The header as published: snake_case (the format doc's Title-Case names are not the real ones).
COLUMNS = (
    "titolo", "misura", "data_inizio_bando", "data_fine_bando", "stato",
    "totale_importo_stanziato", "soggetti_destinatari",
)  # fmt: skip
# The source's own word that the application window is over (dati/avvisi.json also uses CHIUSO).
CLOSED_LABELS = frozenset({"terminato", "chiuso", "scaduto", "concluso"})


def parse_rows(
    body: bytes, url: str = DEFAULT_URL, report: Report | None = None
) -> list[dict[str, str]]:
    """The data rows of avvisi.csv (or avvisi.json), keys as in COLUMNS, values as strings.

    UTF-8 with or without BOM; the CSV separator is sniffed from the header line. A header that
    lacks any of COLUMNS means the layout changed: ScrapeError naming the URL and the columns.
    A CSV record whose cells do not match the header, or a JSON row whose values are not text
    or numbers, is skipped and reported on `report`.
    """
    refuse_web_page(body, url, "the avvisi file")
    text = decode_utf8(body, url)
    if not text.lstrip().startswith("["):
        return read_csv(text, url, COLUMNS, report=report)
    rows = json_rows(text, url)
    require_columns(list(dict.fromkeys(key for row in rows for key in row)), COLUMNS, url)
    shape = dict.fromkeys(COLUMNS, SCALAR)
    rows = keep_valid(rows, lambda row: shape_problem(row, shape), report or Report(), url)
    return [
        {key: ("" if value is None else str(value)).strip() for key, value in row.items()}
        for row in rows
        if any(str(value or "").strip() for value in row.values())
    ]


def to_call(row: dict[str, str], where: str = "row") -> Call | None:
    """A Call from one row, or None when the row has no title. Bad dates are left empty."""
    title = " ".join(row["titolo"].split())
    if not title:
        return None
    measure = " ".join(row["misura"].split())
    beneficiaries = list(dict.fromkeys(b.strip() for b in row["soggetti_destinatari"].split(";")))
    beneficiaries = [b for b in beneficiaries if b]
    label = row["stato"].strip()
    issues: list[str] = []  # dates given but unreadable: the store keeps what it had
    opening = cell_date(row, "data_inizio_bando", f"{where} ({title})", issues, OPENING)
    closing = cell_date(row, "data_fine_bando", f"{where} ({title})", issues, DEADLINE)
    lines = [
        f"Misura PNRR: {measure}" if measure else "",
        f"Destinatari: {', '.join(beneficiaries)}" if beneficiaries else "",
        f"Ente promotore: {PUBLISHER}",
        f"Stato secondo la fonte: {label}" if label else "",
    ]
    summary = measure
    if beneficiaries:
        summary = f"{measure}. Destinatari: {', '.join(beneficiaries)}".lstrip(". ")
    return Call(
        portal=NAME,
        native_id=title_date_id(title, opening.at if opening else None),
        title=title,
        url=DATASET_PAGE,
        summary=summary,
        text="\n".join(line for line in lines if line),
        language="it",
        territory="Italia",
        programme=PROGRAMME,
        opening=opening.at if opening else None,
        deadlines=[closing.at] if closing else [],
        deadline_time_known=closing.time_known if closing else False,
        tz=IT_TZ,
        status_hint="closed" if label.casefold() in CLOSED_LABELS else None,
        budget_eur=_amount(row["totale_importo_stanziato"], where),
        beneficiaries=beneficiaries,
        public_bodies_eligible=public_bodies_eligible(beneficiaries),
        links=[DATASET_PAGE],
        # Every row is a funding notice of the platform: no tenders or news to classify out.
        kind="call",
        date_issues=issues,
    )


def scrape(
    client: httpx.Client,
    *,
    base_url: str | None = None,
    report: Report,
    config: dict[str, Any] | None = None,
) -> Iterator[Call]:
    """Read the whole file and yield one Call per avviso.

    The file is small (~11 kB): read whole, it lets the store mark vanished calls. `base_url`
    replaces the file URL; else `config["url"]` (data/sources.toml), else DEFAULT_URL.
    """
    url = base_url or configured_url(config, NAME) or DEFAULT_URL
    rows = parse_rows(fetch_bytes(client, url), url, report)
    if not rows and not report.errors:
        raise ScrapeError(f"no avvisi in {url}: the file has a header but no rows")
    report.advance(len(rows))
    for n, row in enumerate(rows, start=1):
        call = to_call(row, where=f"{url} row {n}")
        if call is None:
            report.drop("row without title")
            continue
        yield call


def _amount(value: str, where: str) -> float | None:
    if not value:
        return None
    try:  # the file writes machine numbers ("1000000.0"), not Italian "1.000.000,00"
        amount: float | None = float(value)
    except ValueError:
        amount = parse_amount(value)
        if amount is None:
            log.warning("%s: unreadable totale_importo_stanziato %r; left empty", where, value)
    return amount if amount is not None and math.isfinite(amount) else None
