"""Italia Domani: the PNRR "Bandi e Avvisi" open-data CSV of the administrations in charge."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx

from matcher.errors import ScrapeError
from matcher.models import Call
from matcher.normalize.amounts import parse_amount
from matcher.normalize.eligibility import public_bodies_eligible
from matcher.normalize.ids import title_date_id
from matcher.normalize.kinds import classify_kind
from matcher.normalize.plausible import DEADLINE
from matcher.normalize.plausible import OPENING as OPENS
from matcher.normalize.timezones import IT_TZ
from scrapers.base import Report, configured_url
from scrapers.files import cell_date, decode_utf8, fetch_bytes, read_csv, refuse_web_page

log = logging.getLogger(__name__)

NAME = "italiadomani"
TITLE = "Italia Domani – PNRR Bandi e Avvisi"
SITES_CONFIGURED = False
DEDUPE_PRIORITY = 40  # PNRR calls as the administrations in charge report them
SETTINGS = {"url": str}  # its keys in sources.toml (allow_empty too)
# UNCONFIRMED: the download link the Italia Domani open-data catalogue listed in 2023, as read by
# aborruso/dati_pnrr script/italia_domani/italia_domani.sh ("/content/dam/sogei-ng/open-data/"
# + file name, spaces as %20). Not checked live; the corpus copy is that repo's mirror.
DEFAULT_URL = (
    "https://www.italiadomani.gov.it/content/dam/sogei-ng/open-data/PNRR_Bandi%20e%20Avvisi.csv"
)
# UNCONFIRMED: the catalogue page whose AEM search fragment the same script reads.
DATASET_PAGE = "https://www.italiadomani.gov.it/content/sogei-ng/it/it/catalogo-open-data.html"
ATTRIBUTION = (
    "Italia Domani open data (PNRR Bandi e Avvisi), Presidenza del Consiglio dei Ministri – "
    "Governo italiano, CC BY 4.0 (licence as stated for Italia Domani open data; UNCONFIRMED "
    "for this file)"
)

SERIAL, SUBMEASURE, SUBMEASURE_NAME = (
    "Numero seriale",
    "Codice Univoco Submisura",
    "Descrizione Submisura",
)
TITLE_COL, CIG, ISSUER = "Titolo Bando o Avviso", "CIG", "Soggetto emanante"
PNRR_AMOUNT, OTHER_AMOUNT = "Importo previsto PNRR", "Importo previsto altri fondi"
TENDER_AMOUNT = "Importo complessivo gara"
OPENING, CLOSING, UNTIL_FUNDS_LAST = (
    "Data apertura bando", "Data chiusura effettiva bando", "Fino ad esaurimento risorse",
)  # fmt: skip
STATE, LINK, RECIPIENTS = "Stato del Bando", "Link al bando", "Destinatari del Bando o dell'Avviso"
OBSERVED = "Data aggiornamento-osservazione bandi"
# Header names are compared after stripping spaces ("Numero seriale " has a trailing one) and
# straightening the apostrophe ("dell’Avviso").
COLUMNS = (
    SUBMEASURE, SUBMEASURE_NAME, SERIAL, TITLE_COL, CIG, ISSUER, TENDER_AMOUNT, PNRR_AMOUNT,
    OTHER_AMOUNT, OPENING, CLOSING, UNTIL_FUNDS_LAST, STATE, LINK, RECIPIENTS, OBSERVED,
)  # fmt: skip

# "Stato del Bando" values that say applications are closed: Chiuso, Aggiudicato (awarded),
# Gara deserta (tender with no bids), Annullato… "In corso" is not trusted either way.
_CLOSED_STATE = re.compile(
    r"^(chius|aggiudicat|gara deserta|annullat|revocat|terminat|conclus|scadut)", re.IGNORECASE
)
# Links come one or several per cell, split by spaces, newlines or ";", some without a scheme.
_URL = re.compile(r"(?:https?://|www\.)[^\s;]+")
# Below one euro an amount is a placeholder ("0", "0,01"), not a budget.
_MIN_AMOUNT = 1.0


def parse_rows(
    body: bytes, url: str = DEFAULT_URL, report: Report | None = None
) -> list[dict[str, str]]:
    """The data rows, keyed by the normalised column names, values stripped.

    UTF-8 with or without BOM; the separator (`;` upstream) is sniffed from the header line. A
    header that lacks any of COLUMNS means the layout changed: ScrapeError naming the columns.
    A record whose cells do not match the header is skipped and reported on `report`.
    """
    refuse_web_page(body, url, "the CSV file")
    return read_csv(decode_utf8(body, url), url, COLUMNS, column=_column, report=report)


def native_id(row: dict[str, str]) -> str:
    """The row's "Numero seriale"; the title-and-opening hash for a row without one.

    The serial is unique over all 245 rows of the 2023 file, also where title and opening repeat
    (the 8 lots of one tender). The sub-measure code is left out so that a call moved to another
    sub-measure keeps its id.
    """
    serial = row[SERIAL]
    if serial:
        return serial
    opening = cell_date(row, OPENING, None)
    return title_date_id(row[TITLE_COL], opening.at if opening else None)


def to_call(row: dict[str, str], where: str = "row") -> Call | None:
    """A Call from one row, or None without a title. Bad dates are left empty and logged."""
    title = " ".join(row[TITLE_COL].split())
    if not title:
        return None
    code, measure = row[SUBMEASURE], " ".join(row[SUBMEASURE_NAME].split())
    recipients = [" ".join(r.split()) for r in row[RECIPIENTS].split(";")]
    recipients = [r for r in dict.fromkeys(recipients) if r]
    issues: list[str] = []  # dates given but unreadable: the store keeps what it had
    opening = cell_date(row, OPENING, where, issues, OPENS)
    closing = cell_date(row, CLOSING, where, issues, DEADLINE)
    observed = cell_date(row, OBSERVED, where)
    links = source_links(row[LINK])
    url = links[0] if links else DATASET_PAGE
    until_funds_last = row[UNTIL_FUNDS_LAST].casefold() in ("si", "sì", "yes", "true", "1")
    lines = [
        f"Misura PNRR: {code} – {measure}".strip(" –") if code or measure else "",
        f"Soggetto emanante: {row[ISSUER]}" if row[ISSUER] else "",
        f"Destinatari: {'; '.join(recipients)}" if recipients else "",
        f"CIG: {row[CIG]}" if row[CIG] else "",
        "Fino ad esaurimento risorse" if until_funds_last else "",
        f"Stato secondo la fonte: {' '.join(row[STATE].split())}" if row[STATE] else "",
        # Some rows name the page instead of linking it: keep the words for the reader.
        f"Riferimento: {' '.join(row[LINK].split())}" if row[LINK] and not links else "",
    ]
    text = "\n".join(line for line in lines if line)
    if _CLOSED_STATE.match(row[STATE]):
        hint: str | None = "closed"
    elif until_funds_last and closing is None:
        hint = "open_ended"
    else:
        hint = None
    summary = measure
    if recipients:
        summary = f"{measure}. Destinatari: {'; '.join(recipients)}".lstrip(". ")
    return Call(
        portal=NAME,
        native_id=native_id(row),
        title=title,
        url=url,
        summary=summary,
        text=text,
        language="it",
        territory="Italia",
        programme=f"PNRR – {code}" if code else "PNRR",
        opening=opening.at if opening else None,
        deadlines=[closing.at] if closing else [],
        deadline_time_known=closing.time_known if closing else False,
        tz=IT_TZ,
        status_hint=hint,
        budget_eur=budget(row, where),
        beneficiaries=recipients,
        public_bodies_eligible=public_bodies_eligible(recipients),
        links=links or [DATASET_PAGE],
        # A CIG (the national tender code) is only issued for a procurement procedure.
        kind="procurement" if row[CIG] else classify_kind(title, text),
        source_updated=observed.at if observed else None,
        date_issues=issues,
    )


def budget(row: dict[str, str], where: str = "row") -> float | None:
    """PNRR plus other planned funds; else the tender's total; None for placeholders."""
    planned = [_amount(row, column, where) for column in (PNRR_AMOUNT, OTHER_AMOUNT)]
    known = [amount for amount in planned if amount is not None]
    if known:
        return sum(known)
    return _amount(row, TENDER_AMOUNT, where)


def source_links(value: str) -> list[str]:
    """The URLs in a "Link al bando" cell, in order, without duplicates."""
    links = []
    for found in _URL.findall(value):
        link = found.rstrip(".,)")
        links.append(f"https://{link}" if link.startswith("www.") else link)
    return list(dict.fromkeys(links))


def scrape(
    client: httpx.Client,
    *,
    base_url: str | None = None,
    report: Report,
    config: dict[str, Any] | None = None,
) -> Iterator[Call]:
    """Read the whole file and yield one Call per row (calls and tenders alike, by `kind`).

    The file is ~130 kB: read whole, it lets the store mark vanished calls.
    `base_url` replaces the file URL; else `config["url"]` (data/sources.toml), else DEFAULT_URL.
    """
    url = base_url or configured_url(config, NAME) or DEFAULT_URL
    rows = parse_rows(fetch_bytes(client, url), url, report)
    if not rows and not report.errors:
        raise ScrapeError(f"no bandi in {url}: the file has a header but no rows")
    report.advance(len(rows))
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        where = f"{url} row {n} (Numero seriale {row[SERIAL] or '-'})"
        call = to_call(row, where)
        if call is None:
            report.drop("row without title")
            continue
        if call.native_id in seen:
            log.warning("%s: repeats the id %s of an earlier row; skipped", where, call.native_id)
            report.drop("duplicate Numero seriale")
            continue
        seen.add(call.native_id)
        yield call


def _column(name: str | None) -> str:
    return " ".join((name or "").replace("\ufeff", "").replace("’", "'").split())


def _amount(row: dict[str, str], column: str, where: str) -> float | None:
    value = row[column]
    if not value or value.upper() == "N/A":
        return None
    amount = parse_amount(value)
    if amount is None:
        log.warning("%s: unreadable %s %r; left empty", where, column, value)
        return None
    return amount if amount >= _MIN_AMOUNT else None
