"""EU Funding & Tenders Portal: one SEDIA search row (metadata lists of strings) to a Call."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from matcher.models import Call
from matcher.normalize.plausible import DEADLINE, OPENING, unreadable
from matcher.normalize.text import html_to_text
from matcher.normalize.timezones import EU_TZ, instant, local_midnight, parse_iso
from scrapers.base import shorten
from scrapers.eu_programmes import programme_name

log = logging.getLogger(__name__)

PORTAL = "eu_ftop"

TOPIC_URL = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
    "topic-details/{}"
)


_TZ = ZoneInfo(EU_TZ)
# Keywords that are topic or call identifiers ("HORIZON-CL5-2027-03"), not subjects.


_ID_LIKE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Za-z0-9]+){2,}$")


def native_id(row: dict) -> str:
    """The topic identifier; a cascade call (type 8) shares its parent's, so add its reference."""
    identifier = first_value(row, "identifier")
    if first_value(row, "type") == "8":
        # `reference` first: it is also the id of the eu-grants-feed snapshot records.
        ref = row.get("reference") or first_value(row, "REFERENCE") or first_value(row, "ccm2Id")
        return f"{identifier}#{ref}"
    return identifier


def to_call(row: dict) -> Call | None:
    """A Call from one result row, or None when the row has no identifier or title."""
    identifier = first_value(row, "identifier")
    cascade = first_value(row, "type") == "8"
    parent = ""
    if cascade:  # `title` is the parent topic; the cascade call's own name is callTitle
        title = (
            first_value(row, "callTitle") or first_value(row, "caName") or first_value(row, "title")
        )
        parent = f"Parent topic: {first_value(row, 'title')}" if first_value(row, "title") else ""
    else:
        title = first_value(row, "title") or str(row.get("summary") or "").strip()
    if not identifier or not title:
        return None
    description = html_to_text(
        first_value(row, "descriptionByte") or first_value(row, "description")
    )
    destination = html_to_text(first_value(row, "destinationDetails"))
    actions = _json_field(row, "actions", identifier)
    actions = [a for a in actions if isinstance(a, dict)] if isinstance(actions, list) else []
    issues: list[str] = []  # dates given but unreadable: the store keeps what it had
    deadlines, time_known = _deadlines(row, actions, identifier, issues)
    url = page_url(str(row.get("url") or first_value(row, "url")), identifier)
    programme_id = first_value(row, "frameworkProgramme")
    return Call(
        portal=PORTAL,
        native_id=native_id(row),
        title=title,
        url=url,
        summary=shorten(description or destination or first_value(row, "destinationDescription")),
        text="\n\n".join(part for part in (description, destination, parent) if part),
        language="en",  # the listing is filtered on English (scrapers.eu_ftop.LANGUAGE)
        territory="EU",
        programme=programme_name(programme_id) if programme_id else "",
        opening=_opening(row, actions, identifier, issues),
        deadlines=deadlines,
        deadline_time_known=time_known,
        tz=EU_TZ,
        # A cascade row's budgetOverview, if any, is its parent call's, not its own.
        budget_eur=None if cascade else topic_budget(row, identifier),
        beneficiaries=[],
        public_bodies_eligible=None,
        topics=_topics(row, identifier),
        links=[url],
        source_updated=ingested(row),
        date_issues=issues,
    )


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
    parsed = parse_iso(value, _TZ)  # naive, or a bare YYYY-MM-DD as inside `actions`: Brussels
    if parsed is None:
        raise ValueError("empty date")
    if (parsed.hour, parsed.minute, parsed.second, parsed.microsecond) == (0, 0, 0, 0):
        return local_midnight(parsed.date(), EU_TZ), False
    return parsed.astimezone(_TZ), True


def _deadlines(
    row: dict, actions: list[dict], identifier: str, issues: list[str]
) -> tuple[list[datetime], bool]:
    raw = all_values(row, "deadlineDate")
    for action in actions:
        raw += [str(d) for d in action.get("deadlineDates") or []]
    by_day: dict[date, tuple[datetime, bool]] = {}
    for value in raw:
        try:
            at, known = when(value)
        except ValueError:
            log.warning("%s: unreadable deadline %r; ignored", identifier, value)
            issues.append(unreadable(DEADLINE, value))
            continue
        day = at.astimezone(_TZ).date()
        if day not in by_day or (known and not by_day[day][1]):  # a real time beats a date
            by_day[day] = (at, known)
    deadlines = sorted(at for at, _ in by_day.values())
    # One flag per call: with any date-only deadline, every deadline counts to the end of its day.
    return deadlines, all(known for _, known in by_day.values())


def _opening(row: dict, actions: list[dict], identifier: str, issues: list[str]) -> datetime | None:
    planned = sorted(str(a["plannedOpeningDate"]) for a in actions if a.get("plannedOpeningDate"))
    for value in all_values(row, "startDate")[:1] + planned[:1]:
        try:
            return when(value)[0]
        except ValueError:
            log.warning("%s: unreadable opening date %r; ignored", identifier, value)
            issues.append(unreadable(OPENING, value))
    return None


def _topics(row: dict, identifier: str) -> list[str]:
    ids = {identifier, first_value(row, "callIdentifier")}
    topics: dict[str, str] = {}
    for value in parse_keywords(all_values(row, "keywords")) + all_values(row, "tags"):
        value = " ".join(value.split())
        if value and value not in ids and not _ID_LIKE.match(value):
            topics.setdefault(value.casefold(), value)
    return list(topics.values())


def _json_field(row: dict, field: str, identifier: str) -> object:
    raw = first_value(row, field)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:  # upstream captures cut long strings mid-way
        log.warning("%s: %s is not valid JSON (%s); left empty", identifier, field, exc)
        return None


def ingested(row: dict) -> datetime | None:
    """When SEDIA indexed the row (esDA_IngestDate, UTC): how recent a copy is."""
    return instant(
        first_value(row, "esDA_IngestDate"), UTC, first_value(row, "identifier"), "esDA_IngestDate"
    )


def all_values(row: dict, field: str) -> list[str]:
    values = row["metadata"].get(field) or []
    return [str(v) for v in values] if isinstance(values, list) else [str(values)]


def first_value(row: dict, field: str) -> str:
    values = all_values(row, field)
    return values[0].strip() if values else ""
