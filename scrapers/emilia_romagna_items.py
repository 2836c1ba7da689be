"""Regione Emilia-Romagna: one full `Bando` object (redturtle.bandi fields) to a Call."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from matcher.models import Call
from matcher.normalize.amounts import find_budget
from matcher.normalize.eligibility import public_bodies_eligible
from matcher.normalize.itdates import mentions_open_ended
from matcher.normalize.kinds import classify_kind
from matcher.normalize.plausible import DEADLINE, OPENING
from matcher.normalize.timezones import IT_TZ, aware, instant, local_midnight
from scrapers.plone_text import attachment_urls, rich_text, term_title, term_titles
from scrapers.shapes import LIST, OBJECT, TERM, TERMS, TEXT, Shape, shape_problem

PORTAL = "emilia_romagna"
TERRITORY = "Emilia-Romagna"
LANGUAGE = "it"
# tipologia_bando values (redturtle.bandi vocabulary) that are not funding calls.
REGISTER_TYPES = frozenset({"Accreditamenti, albi, elenchi", "Autorizzazioni di attività"})
# bando_state tokens and titles. "In corso" (inProgress) means the application deadline has
# passed and the procedure is under way: applications are closed (redturtle.bandi getBandoState).
CLOSED_STATES = frozenset({"inprogress", "closed", "in corso", "chiuso"})
OPEN_STATES = frozenset({"open", "attivo", "aperto"})
_TZ = ZoneInfo(IT_TZ)


# The fields read from a `Bando`, with the types plone.restapi gives them (any may be null).
ITEM_SHAPE: Shape = {
    "UID": TEXT, "title": TEXT, "@id": TEXT, "@type": TEXT, "description": TEXT,
    "text": TEXT | OBJECT, "scadenza_bando": TEXT, "apertura_bando": TEXT, "modified": TEXT,
    "bando_state": TERM, "tipologia_bando": TERM, "destinatari": TERMS, "materie": TERMS,
    "approfondimento": LIST,
}  # fmt: skip


def item_problem(item: object) -> str | None:
    """What makes a listed item unusable (a title that is a list, a deadline that is a
    number…), or None."""
    return shape_problem(item, ITEM_SHAPE)


def tipologia(item: dict) -> str:
    return term_title(item.get("tipologia_bando"))


def is_register(item: dict) -> bool:
    """A register, list or authorisation (tipologia_bando), not a funding call."""
    return tipologia(item) in REGISTER_TYPES


def to_call(item: dict) -> Call | None:
    """A Call from one full `Bando` object, or None without UID or title."""
    uid = str(item.get("UID") or "").strip()
    title = " ".join(str(item.get("title") or "").split())
    if not uid or not title:
        return None
    url = str(item.get("@id") or "")
    ref = url or uid
    description = " ".join(str(item.get("description") or "").split())
    body = rich_text(item.get("text"))
    text = "\n\n".join(part for part in (description, body) if part)
    issues: list[str] = []  # dates given but unreadable: the store keeps what it had
    deadline, time_known = _deadline(item.get("scadenza_bando"), ref, issues)
    state = term_title(item.get("bando_state")).casefold()
    beneficiaries = term_titles(item.get("destinatari"))
    return Call(
        portal=PORTAL,
        native_id=uid,
        title=title,
        url=url,
        summary=description,
        text=text,
        language=LANGUAGE,
        territory=TERRITORY,
        opening=_local(item.get("apertura_bando"), "apertura_bando", ref, issues, OPENING),
        deadlines=[deadline] if deadline else [],
        deadline_time_known=time_known,
        tz=IT_TZ,
        status_hint=_status_hint(state, deadline is not None, text),
        budget_eur=find_budget(description) or find_budget(body),
        beneficiaries=beneficiaries,
        public_bodies_eligible=public_bodies_eligible(beneficiaries),
        topics=term_titles(item.get("materie")),
        links=[u for u in dict.fromkeys([url, *attachment_urls(item.get("approfondimento"))]) if u],
        kind="register" if is_register(item) else classify_kind(title, description),
        source_updated=_local(item.get("modified"), "modified", ref),
        date_issues=issues,
    )


def _status_hint(state: str, has_deadline: bool, text: str) -> str | None:
    if state in CLOSED_STATES:
        return "closed"
    if not has_deadline and (state in OPEN_STATES or (not state and mentions_open_ended(text))):
        return "open_ended"
    return None


def _deadline(value: object, ref: str, issues: list[str]) -> tuple[datetime | None, bool]:
    """scadenza_bando is stored with a zone and serialised in UTC. A deadline at local
    midnight is a date entered without a time: rer.bandi's catalog indexer then counts the
    whole day (it indexes 00:00 as the next day), and so do we (deadline_time_known False)."""
    local = _local(value, "scadenza_bando", ref, issues, DEADLINE)
    if local is None:
        return None, True
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return local_midnight(local.date(), IT_TZ), False
    return local, True


def _local(
    value: object, field: str, ref: str, issues: list[str] | None = None, label: str = ""
) -> datetime | None:
    """An instant in Rome time; naive values (apertura_bando) are Rome time already."""
    at = instant(value, _TZ, ref, field, issues, label)
    return aware(at, _TZ) if at else None
