"""`matcher import`: JSON Lines or CSV with the `calls --json` field names, back into Calls."""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from matcher.errors import ImportFileError
from matcher.models import Call
from matcher.normalize.timezones import local_midnight, parse_iso

log = logging.getLogger(__name__)

LIST_FIELDS = ("deadlines", "links", "aliases", "beneficiaries", "topics", "date_issues")
# Fields of `calls --json` that are computed on read: accepted, never stored.
COMPUTED_FIELDS = (
    "status", "next_deadline", "days_to_deadline", "first_seen", "last_changed", "vanished_at",
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
        raw = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"cannot read {path}: {exc}") from exc
    rows = _csv_rows(raw) if path.suffix.lower() == ".csv" else _jsonl_rows(raw, path)
    parsed = ParsedFile()
    unknown: set[str] = set()
    for line, row in rows:
        if isinstance(row, str):
            parsed.rejected.append(f"{path}:{line}: {row}")
            continue
        unknown |= set(row) - KNOWN_FIELDS
        try:
            parsed.calls.append(row_to_import_call(row))
        except (ValueError, TypeError, KeyError) as exc:
            parsed.rejected.append(f"{path}:{line}: {exc}")
    parsed.unknown_columns = sorted(unknown)
    if unknown:
        log.info("%s: ignored unknown columns: %s", path, ", ".join(parsed.unknown_columns))
    return parsed


def _jsonl_rows(raw: str, path: Path) -> list[tuple[int, dict[str, Any] | str]]:
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


def _csv_rows(raw: str) -> list[tuple[int, dict[str, Any] | str]]:
    first_line = raw.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(raw), delimiter=delimiter)
    rows: list[tuple[int, dict[str, Any] | str]] = []
    for record in reader:
        row: dict[str, Any] = {}
        for key, value in record.items():
            if key is None:
                continue
            key = key.strip()
            if key in LIST_FIELDS:
                row[key] = [item.strip() for item in (value or "").split("|") if item.strip()]
            else:
                row[key] = value if value != "" else None
        rows.append((reader.line_num, row))
    return rows


def row_to_import_call(row: dict[str, Any]) -> Call:
    """One import row as a Call; ValueError names what is missing or malformed."""
    raw_id = str(row.get("id") or "").strip()
    title = str(row.get("title") or "").strip()
    if not raw_id:
        raise ValueError("row has no id")
    if not title:
        raise ValueError(f"row {raw_id!r} has no title")
    portal = str(row.get("portal") or "import").strip()
    native = str(row.get("native_id") or "").strip()
    if not native:
        native = raw_id.removeprefix(f"{portal}:")
    tz = str(row.get("tz") or "").strip() or (
        "Europe/Rome" if row.get("language") == "it" else "Europe/Brussels"
    )
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"call {raw_id!r}: unknown time zone {tz!r}") from exc
    for name in LIST_FIELDS:
        if row.get(name) not in (None, "") and not isinstance(row[name], str | list):
            raise ValueError(f"call {raw_id!r}: {name} must be a list")
    deadlines, time_known = _deadlines(row.get("deadlines") or [], tz, raw_id)
    if row.get("deadline_time_known") not in (None, ""):
        time_known = _bool(row["deadline_time_known"], "deadline_time_known", raw_id) is True
    hint = row.get("status_hint") or None
    if hint is None and not deadlines and row.get("status") in ("closed", "open_ended"):
        hint = row["status"]
    return Call(
        portal=portal,
        native_id=native,
        title=title,
        url=str(row.get("url") or ""),
        summary=str(row.get("summary") or ""),
        text=str(row.get("text") or ""),
        language=str(row.get("language") or "it"),
        territory=str(row.get("territory") or ""),
        programme=str(row.get("programme") or ""),
        opening=_date_value(row.get("opening"), tz, raw_id)[0],
        deadlines=deadlines,
        deadline_time_known=time_known,
        tz=tz,
        status_hint=hint,
        budget_eur=_float(row.get("budget_eur"), raw_id),
        beneficiaries=_list(row.get("beneficiaries")),
        public_bodies_eligible=_bool(row.get("public_bodies_eligible"), "eligible", raw_id),
        topics=_list(row.get("topics")),
        links=_list(row.get("links")),
        aliases=_list(row.get("aliases")),
        kind=str(row.get("kind") or "call"),
        source_updated=_date_value(row.get("source_updated"), tz, raw_id)[0],
        date_issues=_list(row.get("date_issues")),
    )


def _deadlines(values: Any, tz: str, call_id: str) -> tuple[list[datetime], bool]:
    if isinstance(values, str):
        values = [v for v in values.split("|") if v.strip()]
    parsed = [_date_value(v, tz, call_id) for v in values]
    instants = sorted({at for at, _ in parsed if at is not None})
    return instants, all(known for _, known in parsed)


def _date_value(value: Any, tz: str, call_id: str) -> tuple[datetime | None, bool]:
    if value in (None, ""):
        return None, True
    text = str(value).strip()
    try:
        if len(text) == 10:
            return local_midnight(date.fromisoformat(text), tz), False
        parsed = parse_iso(text, default_tz=None)
    except ValueError as exc:
        raise ValueError(f"call {call_id!r}: bad date {text!r}") from exc
    if parsed is None:
        return None, True
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed, True


def _float(value: Any, call_id: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"call {call_id!r}: budget_eur {value!r} is not a number") from exc


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
