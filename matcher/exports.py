"""Exports of a shortlist view, the same from the app and `matcher export`: CSV that Excel in
Italian opens right, a real Excel workbook, and an iCalendar file of the deadlines."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from matcher.italian import format_date, format_number
from matcher.models import STATUS_LABELS
from matcher.normalize.safety import web_link, without_controls
from matcher.normalize.timezones import parse_iso
from matcher.status import deadline_end

ROME = ZoneInfo("Europe/Rome")
FORMATS = ("csv", "xlsx", "ics")
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ics": "text/calendar",
}
# (field, Italian header, English header, Excel column width): what people paste into reports.
COLUMNS = (
    ("theme", "Tema", "Theme", 22),
    ("rank", "Posizione", "Rank", 9),
    ("score", "Punteggio", "Score", 10),
    ("title", "Titolo", "Title", 60),
    ("portal", "Portale", "Portal", 14),
    ("programme", "Programma", "Programme", 24),
    ("status", "Stato", "Status", 12),
    ("deadline", "Prossima scadenza", "Next deadline", 16),
    ("time", "Ora", "Time", 16),
    ("days", "Giorni alla scadenza", "Days left", 10),
    ("budget", "Budget (€)", "Budget (€)", 16),
    ("who", "Chi può partecipare", "Who can apply", 40),
    ("territory", "Territorio", "Territory", 16),
    ("language", "Lingua", "Language", 8),
    ("decision", "Decisione", "Decision", 14),
    ("assigned", "Assegnato a", "Assigned to", 22),
    ("url", "Link ufficiale", "Official link", 50),
    ("app", "Scheda nell'app", "In the app", 50),
    ("id", "Codice", "Id", 36),
)
NO_TIME = {"it": "ora non indicata", "en": "time not given"}


@dataclass(frozen=True)
class ExportContext:
    """What an export needs beside the rows: theme labels, language (headers and status words),
    the app's address."""

    theme_labels: dict[str, str]
    lang: str = "it"
    app_url: str = ""  # MATCHER_APP_URL: links to each call's page in the app


def app_link(app_url: str, call_id: str) -> str:
    """The call's own page in the app (`?call=<id>`), '' when the app's address is not set."""
    base = web_link(app_url)
    return f"{base.rstrip('/')}/?call={quote(call_id, safe='')}" if base else ""


def record(row: dict[str, Any], ctx: ExportContext) -> dict[str, Any]:
    """One shortlist row as typed export values: deadline a date, budget and score numbers."""
    deadline = parse_iso(row["next_deadline"]) if row["next_deadline"] else None
    local = deadline.astimezone(ZoneInfo(row["tz"])) if deadline else None
    who = ", ".join(row["beneficiaries"][:6])
    return {
        "theme": ctx.theme_labels.get(row["theme"], row["theme"]),
        "rank": row["rank"],
        "score": round(float(row["score"]), 1),
        "title": without_controls(row["title"]),
        "portal": row["portal"],
        "programme": row["programme"] or "",
        "status": STATUS_LABELS[ctx.lang].get(row["status"], row["status"]),
        "deadline": local.date() if local else None,
        "time": (f"{local:%H:%M}" if row["deadline_time_known"] else NO_TIME[ctx.lang])
        if local
        else "",
        "days": row["days_to_deadline"],
        "budget": row["budget_eur"],
        "who": without_controls(who),
        "territory": row["territory"] or "",
        "language": row["language"] or "",
        "decision": row["decision"] or "",
        "assigned": row.get("assigned_to") or "",
        "url": web_link(row["url"] or ""),
        "app": app_link(ctx.app_url, row["id"]),
        "id": row["id"],
    }


def headers(lang: str) -> list[str]:
    return [c[2] if lang == "en" else c[1] for c in COLUMNS]


def to_csv(rows: list[dict[str, Any]], ctx: ExportContext) -> bytes:
    """`;`-separated UTF-8 with a BOM, dates 30/11/2026, decimal commas: Excel in Italian opens
    it in columns with the accents right."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers(ctx.lang))
    for row in rows:
        values = record(row, ctx)
        writer.writerow([_csv_cell(values[c[0]], ctx.lang) for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format_number(value, 0 if value.is_integer() else 2, lang).replace(
            "." if lang == "it" else ",", ""
        )
    if hasattr(value, "strftime"):
        return format_date(value)
    return _formula_safe(str(value))


def _formula_safe(text: str) -> str:
    # A scraped title starting with = + - @ would run as a formula when Excel opens the file.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_xlsx(rows: list[dict[str, Any]], ctx: ExportContext) -> bytes:
    """An Excel workbook: a bold frozen header row with filters, real dates and numbers,
    column widths, links clickable."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Bandi"
    sheet.append(headers(ctx.lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    formats = {"deadline": "DD/MM/YYYY", "budget": '#,##0 "€"', "score": "0.0"}
    for row in rows:
        values = record(row, ctx)
        sheet.append([values[c[0]] for c in COLUMNS])
        for index, (name, *_rest) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=sheet.max_row, column=index)
            if cell.data_type == "f":
                # openpyxl takes a text starting with "=" for a formula: scraped text is text.
                cell.data_type = "s"
            if name in formats:
                cell.number_format = formats[name]
            if name in ("url", "app") and values[name]:
                cell.hyperlink = values[name]
    for index, (_name, _it, _en, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_ics(rows: list[dict[str, Any]], ctx: ExportContext, now: datetime) -> bytes:
    """One event per deadline still ahead at `now`, in Europe/Rome, with the call's link; a
    deadline without a time is an all-day event. Outlook and Google Calendar import it."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Territorio Smart Matcher//scadenze//IT")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Scadenze bandi" if ctx.lang == "it" else "Call deadlines")
    label = "Scadenza" if ctx.lang == "it" else "Deadline"
    for row in rows:
        values = record(row, ctx)
        for number, text in enumerate(row["deadlines"]):
            deadline = parse_iso(text)
            if deadline is None or _passed(deadline, row, now):
                continue
            event = Event()
            event.add("uid", f"{row['id']}#{number}@{row['theme']}.territorio-smart-matcher")
            event.add("dtstamp", now)
            event.add("summary", f"{label}: {values['title']}")
            if row["deadline_time_known"]:
                local = deadline.astimezone(ROME)
                event.add("dtstart", local)
                event.add("dtend", local + timedelta(minutes=30))
            else:
                day = deadline.astimezone(ZoneInfo(row["tz"])).date()
                event.add("dtstart", day)
                event.add("dtend", day + timedelta(days=1))
            lines = [values["theme"], f"{values['portal']} · {values['programme']}".strip(" ·")]
            if not row["deadline_time_known"]:
                lines.append(NO_TIME[ctx.lang])
            lines += [v for v in (values["url"], values["app"]) if v]
            event.add("description", "\n".join(line for line in lines if line))
            if values["url"]:
                event.add("url", values["url"])
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _passed(deadline: datetime, row: dict[str, Any], now: datetime) -> bool:
    # The status's own rule: a date-only deadline is open until the end of its day.
    return deadline_end(deadline, bool(row["deadline_time_known"]), row["tz"]) <= now


def export_bytes(fmt: str, rows: list[dict[str, Any]], ctx: ExportContext, now: datetime) -> bytes:
    if fmt == "csv":
        return to_csv(rows, ctx)
    if fmt == "xlsx":
        return to_xlsx(rows, ctx)
    if fmt == "ics":
        return to_ics(rows, ctx, now)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def file_name(fmt: str, theme: str | None, now: datetime) -> str:
    """`bandi-energy-2026-08-22.xlsx`."""
    return f"bandi-{theme or 'tutti'}-{now.astimezone(ROME):%Y-%m-%d}.{fmt}"
