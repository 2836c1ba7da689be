"""What portals send: JSON answers, downloaded files (CSV, JSON lists), rows with known columns."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from matcher.errors import ScrapeError
from matcher.normalize.itdates import ParsedDate, parse_it_date
from matcher.normalize.plausible import unreadable
from matcher.normalize.timezones import IT_TZ
from scrapers.base import Report
from scrapers.shapes import keep_valid

log = logging.getLogger(__name__)

WEB_PAGE = "it is a web page (HTML); the portal may be down for maintenance, or the URL is wrong"
_HTML = re.compile(rb"\s*(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)


def response_json(response: httpx.Response) -> object:
    """The response body as JSON, or a ScrapeError that names the URL and what came instead."""
    response.raise_for_status()
    url = response.request.url
    if _HTML.match(response.content):
        raise ScrapeError(f"invalid JSON from {url}: {WEB_PAGE}")
    # JSON is UTF-8 whatever the header says
    return _loads(decode_utf8(response.content, str(url)), str(url))


def _loads(text: str, url: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScrapeError(f"invalid JSON from {url}: {exc}") from exc


def response_object(response: httpx.Response) -> dict:
    """The response body as a JSON object, or a ScrapeError that names the URL."""
    payload = response_json(response)
    if not isinstance(payload, dict):
        raise ScrapeError(f"unexpected answer from {response.request.url}: not a JSON object")
    return payload


def fetch_bytes(client: httpx.Client, url: str) -> bytes:
    """The file's bytes; HTTP errors propagate for the runner to report."""
    response = client.get(url)
    response.raise_for_status()
    return response.content


def decode_utf8(body: bytes, url: str) -> str:
    """Text of a downloaded file, UTF-8 with or without BOM; ScrapeError naming the URL if not.

    Never guessed from another charset: a wrong guess would store every accented title garbled
    over the right one.
    """
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScrapeError(f"{url} is not UTF-8 text: {exc}") from exc


def refuse_web_page(body: bytes, url: str, expected: str) -> None:
    """ScrapeError when a data download turns out to be a web page (HTML)."""
    if _HTML.match(body):
        raise ScrapeError(f"{url} is not {expected}: {WEB_PAGE}")


def json_rows(text: str, url: str) -> list[dict[str, Any]]:
    """The objects of a file holding a JSON list of objects; ScrapeError naming the URL if not."""
    data = _loads(text, url)
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise ScrapeError(f"unexpected shape of {url}: not a JSON list of objects")
    return data


def read_csv(
    text: str,
    url: str,
    required: Sequence[str],
    column: Callable[[str], str] = str.strip,
    report: Report | None = None,
) -> list[dict[str, str]]:
    """Non-empty rows of a CSV whose separator (`;` or `,`) is sniffed from the header line.

    Column names pass through `column`; a header lacking any `required` column means the layout
    changed: ScrapeError naming the URL, the missing columns and the header found. A record with
    fewer or more cells than the header (a file cut mid-row, a stray separator) would put values
    under the wrong columns, and a last record without its line end may be cut: they are skipped
    and reported (on `report`, else only logged).
    """
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [column(name) for name in reader.fieldnames or []]
    require_columns(header, required, url)
    reader.fieldnames = header
    records = [row for row in reader if any(isinstance(v, str) and v.strip() for v in row.values())]
    # Every file the portals publish ends its last line; one that does not was cut off, and its
    # last record may have lost the end of its last cell.
    cut = records[-1] if records and not text.endswith(("\n", "\r")) else None

    def problem(row: dict[str | None, Any]) -> str | None:
        return "ends the file mid-line (cut off)" if row is cut else _cells_problem(row)

    records = keep_valid(records, problem, report or Report(), url)
    return [{k: (v or "").strip() for k, v in row.items() if isinstance(k, str)} for row in records]


def _cells_problem(row: dict[str | None, Any]) -> str | None:
    if None in row:  # DictReader files the cells beyond the header under None
        return f"has {len(row[None])} cells more than the header"
    missing = [name for name, value in row.items() if value is None]
    return f"lacks the cells from '{missing[0]}' on" if missing else None


def require_columns(header: Sequence[str], required: Sequence[str], url: str) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise ScrapeError(
            f"the layout of {url} changed: missing columns {', '.join(missing)} "
            f"(header: {', '.join(header) or 'none'})"
        )


def cell_date(
    row: dict[str, str],
    column: str,
    where: str | None,
    issues: list[str] | None = None,
    label: str = "",
) -> ParsedDate | None:
    """The Italian date of a cell (Rome time); None when empty, or when unreadable: then
    logged, naming `where` and the column, unless `where` is None, and with `issues` (a call's
    date issues) and `label` (plausible.DEADLINE or OPENING) noted there."""
    value = row[column]
    if not value:
        return None
    parsed = parse_it_date(value, tz=IT_TZ)
    if parsed is None and where is not None:
        log.warning("%s: unreadable %s %r; left empty", where, column, value)
    if parsed is None and issues is not None:
        issues.append(unreadable(label or column, value))
    return parsed
