"""Calls added by hand: the app's form and uploaded CSV or Excel files, read by the same import
as `matcher import`; each bad row is rejected with its file and line, the rest is kept."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any

from matcher.errors import ImportFileError
from matcher.import_csv import column, csv_rows, decode
from matcher.importer import KNOWN_FIELDS, LIST_FIELDS, ParsedFile, parse_rows, row_to_import_call

# The portal name of calls typed into the app's form (ids "manuale:<hash of title and date>").
FORM_PORTAL = "manuale"


def form_row(
    title: str,
    link: str,
    deadline: date | None,
    deadline_time: str,
    text: str,
    programme: str,
    territory: str,
) -> dict[str, Any]:
    """The form's fields as an import row; a deadline without a time stays date-only."""
    row: dict[str, Any] = {
        "portal": FORM_PORTAL, "title": title, "url": link.strip(), "text": text,
        "programme": programme, "territory": territory, "tz": "Europe/Rome",
    }  # fmt: skip
    if deadline is not None:
        clock = _clock(deadline_time)
        row["deadlines"] = [
            datetime.combine(deadline, clock).isoformat() if clock else deadline.isoformat()
        ]
    return row


def _clock(value: str) -> time | None:
    text = value.strip().replace(".", ":")
    if not text:
        return None
    try:
        return time.fromisoformat(text if len(text) > 2 else f"{int(text):02d}:00")
    except ValueError as exc:
        raise ValueError(f"ora {value!r} non valida: scrivere ad esempio 12:00") from exc


def read_form(row: dict[str, Any]) -> ParsedFile:
    """The form's row as a call, or the reason it cannot be one."""
    parsed = ParsedFile()
    if row.get("url") and not str(row["url"]).startswith(("http://", "https://")):
        parsed.rejected.append("modulo: il link deve iniziare con http:// o https://")
        return parsed
    try:
        parsed.calls.append(row_to_import_call(row))
    except (ValueError, TypeError, KeyError) as exc:
        parsed.rejected.append(f"modulo: {exc}")
    return parsed


def read_upload(name: str, data: bytes) -> ParsedFile:
    """An uploaded .csv, .xlsx or .jsonl file: the calls it holds and its rejected lines."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == "csv":
        rows = csv_rows(decode(data), KNOWN_FIELDS, LIST_FIELDS)
    elif suffix in ("xlsx", "xlsm"):
        rows = _xlsx_rows(name, data)
    else:
        raise ImportFileError(f"{name}: use a .csv or .xlsx file (got {suffix or 'no extension'})")
    return parse_rows(name, rows)


def _xlsx_rows(name: str, data: bytes) -> list[tuple[int, dict[str, Any] | str]]:
    """(row number, row) of the first sheet; its first row holds the column names."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise ImportFileError(f"{name}: not a readable Excel file ({exc})") from exc
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = [column(str(h or ""), KNOWN_FIELDS) for h in next(lines, ())]
    rows: list[tuple[int, dict[str, Any] | str]] = []
    for number, values in enumerate(lines, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        row: dict[str, Any] = {}
        for key, value in zip(header, values, strict=False):
            if key and value not in (None, ""):
                row[key] = _cell(key, value)
        rows.append((number, row))
    book.close()
    return rows


def _cell(key: str, value: Any) -> Any:
    # Excel gives dates as datetimes: a date at midnight is a date-only deadline.
    if isinstance(value, datetime):
        value = value.date().isoformat() if value.time() == time(0) else value.isoformat()
    elif isinstance(value, date):
        value = value.isoformat()
    if key in LIST_FIELDS:
        return [item.strip() for item in str(value).split("|") if item.strip()]
    return value
