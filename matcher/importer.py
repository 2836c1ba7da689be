"""`matcher import`: JSON Lines or CSV (the `calls --json` fields, or an office's Italian
columns) back into Calls; each bad row is rejected with its line, the rest loads."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from matcher.errors import ImportFileError
from matcher.import_csv import csv_rows, decode
from matcher.models import Call
from matcher.normalize.amounts import parse_amount
from matcher.normalize.enrich import enriched
from matcher.normalize.ids import title_date_id
from matcher.normalize.itdates import parse_it_date
from matcher.normalize.language import detect_language
from matcher.normalize.text import shorten
from matcher.normalize.timezones import local_midnight, parse_iso

log = logging.getLogger(__name__)

LIST_FIELDS = ("deadlines", "links", "aliases", "beneficiaries", "topics", "date_issues")
# Fields of `calls --json` that are computed on read: accepted, never stored.
COMPUTED_FIELDS = (
    "status", "next_deadline", "days_to_deadline", "first_seen", "last_changed", "vanished_at",
    "applicant_types", "applicant_role", "applicant_evidence",
)  # fmt: skip
KNOWN_FIELDS = {
    "id", "portal", "native_id", "title", "url", "language", "territory", "programme",
    "opening", "deadline_time_known", "budget_eur", "public_bodies_eligible", "summary",
    "text", "kind", "status_hint", "tz", "source_updated", *LIST_FIELDS, *COMPUTED_FIELDS,
}  # fmt: skip


@dataclass
class ParsedFile:
    """Calls read from a file, with the rows it had to reject and the columns it ignored."""

    calls: list[Call] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)


def read_import_file(path: Path) -> ParsedFile:
    """Parse a JSON Lines (.jsonl/.json) or CSV file; bad rows are rejected with their line."""
    try:
        raw = decode(path.read_bytes())
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if path.suffix.lower() == ".csv":
        rows = csv_rows(raw, KNOWN_FIELDS, LIST_FIELDS)
    else:
        rows = _jsonl_rows(raw)
    parsed = parse_rows(str(path), rows)
    if parsed.unknown_columns:
        log.info("%s: ignored unknown columns: %s", path, ", ".join(parsed.unknown_columns))
    return parsed


def parse_rows(label: str, rows: list[tuple[int, dict[str, Any] | str]]) -> ParsedFile:
    """(line, row or the reason it was rejected) as calls; each bad row is rejected as
    "<label>:<line>: <reason>", so the app's uploads and `matcher import` say the same."""
    parsed = ParsedFile()
    unknown: set[str] = set()
    for line, row in rows:
        if isinstance(row, str):
            parsed.rejected.append(f"{label}:{line}: {row}")
            continue
        unknown |= set(row) - KNOWN_FIELDS
        try:
            parsed.calls.append(row_to_import_call(row))
        except (ValueError, TypeError, KeyError) as exc:
            parsed.rejected.append(f"{label}:{line}: {exc}")
    parsed.unknown_columns = sorted(unknown)
    return parsed


def _jsonl_rows(raw: str) -> list[tuple[int, dict[str, Any] | str]]:
    rows: list[tuple[int, dict[str, Any] | str]] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append((number, f"not valid JSON ({exc.msg})"))
            continue
        rows.append((number, value if isinstance(value, dict) else "not a JSON object"))
    return rows


def row_to_import_call(row: dict[str, Any]) -> Call:
    """One import row as a Call (a file's row, an upload's or the app's form), with what is
    read from the call itself (normalize.enrich); ValueError names what is missing or
    malformed."""
    title = " ".join(str(row.get("title") or "").split())
    if not title:
        raise ValueError("row without a title")
    raw_id = str(row.get("id") or "").strip()
    portal = str(row.get("portal") or "import").strip()
    text = str(row.get("text") or "")
    language = str(row.get("language") or "") or detect_language(f"{title}\n{text}")
    tz = str(row.get("tz") or "").strip() or ("Europe/Rome" if language == "it" else
                                              "Europe/Brussels")  # fmt: skip
    name = raw_id or title
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"call {name!r}: unknown time zone {tz!r}") from exc
    for key in LIST_FIELDS:
        if row.get(key) not in (None, "") and not isinstance(row[key], str | list):
            raise ValueError(f"call {name!r}: {key} must be a list")
    deadlines, time_known = _deadlines(row.get("deadlines") or [], tz, name)
    if row.get("deadline_time_known") not in (None, ""):
        time_known = _bool(row["deadline_time_known"], "deadline_time_known", name) is True
    opening = _date_value(row.get("opening"), tz, name)[0]
    native = str(row.get("native_id") or "").strip() or raw_id.removeprefix(f"{portal}:")
    if not native:  # an office's list without ids: the same title and dates, the same id
        native = title_date_id(title, opening or (deadlines[0] if deadlines else None))
    hint = row.get("status_hint") or None
    if hint is None and not deadlines and row.get("status") in ("closed", "open_ended"):
        hint = row["status"]
    return enriched(Call(
        portal=portal,
        native_id=native,
        title=title,
        url=str(row.get("url") or ""),
        summary=str(row.get("summary") or "") or shorten(text),
        text=text,
        language=language,
        territory=str(row.get("territory") or ""),
        programme=str(row.get("programme") or ""),
        opening=opening,
        deadlines=deadlines,
        deadline_time_known=time_known,
        tz=tz,
        status_hint=hint,
        budget_eur=_amount(row.get("budget_eur"), name),
        beneficiaries=_list(row.get("beneficiaries")),
        public_bodies_eligible=_bool(row.get("public_bodies_eligible"), "eligible", name),
        topics=_list(row.get("topics")),
        links=_list(row.get("links")),
        aliases=_list(row.get("aliases")),
        kind=str(row.get("kind") or "call"),
        source_updated=_date_value(row.get("source_updated"), tz, name)[0],
        date_issues=_list(row.get("date_issues")),
    ))  # fmt: skip


def _deadlines(values: Any, tz: str, call_id: str) -> tuple[list[datetime], bool]:
    if isinstance(values, str):
        values = [v for v in values.split("|") if v.strip()]
    parsed = [_date_value(v, tz, call_id) for v in values]
    instants = sorted({at for at, _ in parsed if at is not None})
    return instants, all(known for _, known in parsed)


def _date_value(value: Any, tz: str, call_id: str) -> tuple[datetime | None, bool]:
    """An ISO date or instant, or an Italian date ("30/11/2026", "30 novembre 2026 ore 12")."""
    if value in (None, ""):
        return None, True
    text = str(value).strip()
    try:
        if len(text) == 10 and text[4] == "-":
            return local_midnight(date.fromisoformat(text), tz), False
        parsed = parse_iso(text, default_tz=None)
    except ValueError:
        italian = parse_it_date(text, tz)
        if italian is None:
            raise ValueError(f"call {call_id!r}: bad date {text!r}") from None
        return italian.at, italian.time_known
    if parsed is None:
        return None, True
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed, True


def _amount(value: Any, call_id: str) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    amount = parse_amount(str(value))  # "1.500.000,00", "1500000.0", "€ 2 milioni"
    if amount is None:
        raise ValueError(f"call {call_id!r}: budget_eur {value!r} is not an amount")
    return amount


def _bool(value: Any, name: str, call_id: str) -> bool | None:
    if value in (None, "", "null", "None"):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "si", "sì"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError(f"call {call_id!r}: {name} {value!r} is not true/false")


def _list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split("|") if item.strip()]
    return [str(item) for item in value]
