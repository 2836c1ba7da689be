"""incentivi.gov.it: one Solr document (`zs_*` single and `zm_*` list fields) to a Call."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

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
from matcher.normalize.plausible import DEADLINE, OPENING, unreadable
from matcher.normalize.territory import territory_from_regions
from matcher.normalize.text import html_to_text
from matcher.normalize.timezones import IT_TZ, instant, local_midnight
from scrapers.base import shorten
from scrapers.shapes import TEXT, TEXTS, Shape, shape_problem

log = logging.getLogger(__name__)

PORTAL = "incentivi_gov"
# IODL 2.0 requires attribution; it travels with every call as the last line of `text`.
ATTRIBUTION = "Fonte: incentivi.gov.it (Ministero delle Imprese e del Made in Italy), IODL 2.0"
SITE = "https://www.incentivi.gov.it"
# A close date this far past the opening is a "while funds last" placeholder, not a deadline.
PLACEHOLDER_SPAN = timedelta(days=730)


# Solr's naming promises the type: zs_* one string (some writers send it as a one-item list),
# zm_* a list of strings, ds_* a date string. A number or an object there is not this core.
_SINGLE = TEXT | TEXTS
DOC_SHAPE: Shape = {
    "zs_nid": _SINGLE, "zs_title": _SINGLE, "zs_url": _SINGLE, "zs_body": _SINGLE,
    "zs_field_link": _SINGLE, "zs_field_open_date": _SINGLE, "zs_field_close_date": _SINGLE,
    "zs_field_close_date_descriptor": _SINGLE, "zs_field_subject_grant": _SINGLE,
    "zs_field_budget_allocation": _SINGLE, "zm_field_regions_value": TEXTS | TEXT,
    "zm_field_subject_type_value": TEXTS | TEXT, "zm_field_scopes_value": TEXTS | TEXT,
    "zm_field_granted_costs_value": TEXTS | TEXT, "zm_field_activity_sector_value": TEXTS | TEXT,
    "ds_last_update": TEXT, "index_id": TEXT,
}  # fmt: skip


def doc_problem(doc: object) -> str | None:
    """What makes a Solr document unusable (see DOC_SHAPE), or None."""
    return shape_problem(doc, DOC_SHAPE)


@dataclass
class Schedule:
    """When applications open and close, as read from the date fields and the free-text note."""

    opening: datetime | None = None
    deadlines: list[datetime] = field(default_factory=list)
    time_known: bool = False
    status_hint: str | None = None
    issues: list[str] = field(default_factory=list)  # dates given but unreadable


def to_call(doc: dict) -> Call | None:
    """A Call from one Solr document, whatever its territory; None without id or title."""
    native_id = field_text(doc, "zs_nid")
    title = " ".join(field_text(doc, "zs_title").split())
    if not native_id or not title:
        return None
    path = field_text(doc, "zs_url")
    link = field_text(doc, "zs_field_link")
    url = SITE + path if path.startswith("/") else path or link
    body = html_to_text(field_text(doc, "zs_body"))
    note = field_text(doc, "zs_field_close_date_descriptor")
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
        portal=PORTAL,
        native_id=native_id,
        title=title,
        url=url,
        summary=shorten(body or note),
        text=text,
        language="it",
        territory=territory_from_regions(regions(doc)),
        programme=field_text(doc, "zs_field_subject_grant") or "incentivi.gov.it",
        opening=when.opening,
        deadlines=when.deadlines,
        deadline_time_known=when.time_known,
        tz=IT_TZ,
        status_hint=when.status_hint,
        budget_eur=budget(field_text(doc, "zs_field_budget_allocation")),
        beneficiaries=subjects,
        public_bodies_eligible=public_bodies_eligible(subjects),
        topics=_unique(
            _values(doc, "zm_field_scopes_value") + _values(doc, "zm_field_activity_sector_value")
        ),
        links=_unique([url, link]),
        kind=classify_kind(title, text),
        source_updated=instant(field_text(doc, "ds_last_update"), UTC, native_id, "ds_last_update"),
        date_issues=when.issues,
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
    note = field_text(doc, "zs_field_close_date_descriptor")
    note_open: ParsedDate | None = None
    note_close: ParsedDate | None = None
    if note:
        note_open, note_close = parse_it_period(note)
        note_close = note_close or find_deadline(note)
    open_text, close_text = (
        field_text(doc, "zs_field_open_date"),
        field_text(doc, "zs_field_close_date"),
    )
    open_day, close_day = _day(open_text, native_id), _day(close_text, native_id)
    result = Schedule()
    # A date field that cannot be read, where the note says nothing instead: the store keeps
    # the date it had.
    if open_text and open_day is None and note_open is None:
        result.issues.append(unreadable(OPENING, open_text))
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
    elif close_text and close_day is None:
        result.issues.append(unreadable(DEADLINE, close_text))
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


def field_text(doc: dict, name: str) -> str:
    """A single-valued field as stripped text; "" when absent."""
    value = doc.get(name)
    if isinstance(value, list):  # a single-valued field sent as a list by another Solr writer
        value = value[0] if value else None
    return "" if value is None else str(value).strip()
