"""Italian date phrases: a date, an opening/closing period, the deadline in prose, "a sportello"."""

from __future__ import annotations

import re

from matcher.normalize.datescan import Found, ParsedDate, scan, to_parsed

__all__ = ["ParsedDate", "find_deadline", "mentions_open_ended", "parse_it_date", "parse_it_period"]


_ACT_NUMBER = re.compile(
    r"\bn\.?\s*[°º^]?\s*[\w/.\-]+\s+(?:del|dell['’]|in data)\s*$", re.IGNORECASE
)

_OPEN, _CLOSE, _DEADLINE, _PUB = "open", "close", "deadline", "pub"
_DEADLINE_RX = (
    r"\bscadenz\w*|\bscad[eo]\w*|\bentro\b|\btermin[ei]\b|\b(?:fino|sino)\s+(?:al|all['’]|alle|a)\b"
    r"|\bchiusur\w*|\bchiud\w*|\bprorog\w*|\bnon\s+oltre\b|\bdeadline\w*|\bclos(?:ing|es?)\b"
    r"|\b(?:presentazione|invio)\s+(?:delle\s+|della\s+)?(?:domand|candidatur|istanz|propost|offert)\w*"
)
_MARKERS = re.compile(
    rf"(?P<deadline>{_DEADLINE_RX})"
    r"|(?P<open>\ba\s+(?:partire|decorrere)\s+da\w*|\bdal(?:l['’]|le|la|lo)?\b|\bapert\w*|\bapre\b"
    r"|\bopens?\b|\bopening\b|\bfrom\b|\bstart\w*)"
    r"|(?P<close>\bal(?:l['’]|le|la|lo)?\b|\bto\b|\buntil\b|\btill\b)"
    r"|(?P<pub>\bpubblicat\w*|\bpubblicazion\w*|\bapprovat\w*|\badottat\w*|\bemanat\w*|\bBUR\w*\b"
    r"|\bGURS?\b|\bGazzetta\b|\bG\.U\.|\bD\.?G\.?R\.?(?=\s|$)|\bD\.?D\.?G\.?(?=\s|$)|\bDPCM\b"
    r"|\bdetermin\w*|\bdecret\w*|\bdeliber\w*|\bprot(?:ocollo|\.)|\bin\s+data\b|\baggiornat\w*"
    r"|\bpublished\b|\bcomunicat\w*)",
    re.IGNORECASE,
)
# Keywords that make a closing date an application deadline (find_deadline).
_DEADLINE_WORDS = re.compile(
    _DEADLINE_RX + r"|\b(?:presentat|inviat|trasmess|candidars|presentars)\w*",
    re.IGNORECASE,
)
_EXECUTION = re.compile(
    r"\b(?:conclu[sd]\w*|complet\w*|rendicont\w*|ultimat\w*|realizzat\w*|sostenut\w*|avvia(?:re|t\w*)"
    r"|erogazion\w*|liquidazion\w*|lavori|svolg\w*|terr(?:à|anno)|verificat\w*|investire)\b",
    re.IGNORECASE,
)
_APPLICATION = re.compile(
    r"\b(?:domand|candidatur|istanz|presentazion|offert|propost|iscrizion|partecipazion|invio"
    r"|application|submission)\w*",
    re.IGNORECASE,
)
_OPEN_ENDED = re.compile(
    r"\b(?:fino|sino)\s+(?:ad?\s+|all['’]\s*)esauriment|\bsalvo\s+(?:l['’]\s*)?esauriment"
    r"|\besauriment\w*\s+(?:(?:dei|delle|del|della)\s+)?(?:fondi|risorse|stanziament|dotazion|plafond)"
    r"|\bsportello\b(?!\s+(?:unico|informativ\w*|telematico|digitale|energia|SUAP|web))"
    r"|\buntil\s+(?:the\s+)?(?:funds|budget|resources)\s+(?:run\s+out|are\s+exhausted|is\s+exhausted)"
    r"|\bwhile\s+funds\s+last\b|\bfirst[- ]come,?\s+first[- ]served\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.;!?](?=\s)|\n")
_WINDOW_CHARS = 70


def _classify(text: str, found: list[Found]) -> None:
    """Role of each date from the nearest marker before it (since the previous date)."""
    prev_end = 0
    for f in found:
        context = text[max(prev_end, f.start - _WINDOW_CHARS) : f.start]
        last = None
        for m in _MARKERS.finditer(context):
            last = m
        f.role = last.lastgroup if last else None
        if _ACT_NUMBER.search(context):
            f.role = _PUB
        elif f.role in (_CLOSE, _DEADLINE):
            sentence = text[max(0, f.start - 120) : f.start]
            sentence = sentence[max([m.end() for m in _SENTENCE_END.finditer(sentence)] or [0]) :]
            if _EXECUTION.search(sentence) and not _APPLICATION.search(sentence):
                f.role = None
        prev_end = f.end


def parse_it_date(text: str, tz: str = "Europe/Rome") -> ParsedDate | None:
    """The first complete date (with its time, if written) in a short phrase.

    A date without time is local midnight in `tz` with time_known False; a naive ISO timestamp is
    local time in `tz`, except a naive `T00:00:00`, which portals use for date-only values.
    """
    if not text:
        return None
    found = scan(text)
    return to_parsed(found[0], tz) if found else None


def parse_it_period(
    text: str, tz: str = "Europe/Rome"
) -> tuple[ParsedDate | None, ParsedDate | None]:
    """(opening, closing) from a phrase such as 'dalle ore 12.00 del 21/04/2026 fino alle ...'.

    The opening is the first date introduced by dal/dalle/a partire da/apertura; the closing the
    first date introduced by al/fino al/entro/scadenza... not before the opening. Publication and
    act dates ("DGR n. 12 del ...") are ignored. A one-day window ("dalle ore 12 alle ore 18 del
    giorno 10 dicembre") gives both; when the text says the call stays open while funds last, only
    its opening counts.
    """
    if not text:
        return None, None
    found = scan(text)
    _classify(text, found)
    open_ended = mentions_open_ended(text)
    opening: ParsedDate | None = None
    closing: ParsedDate | None = None
    for f in found:
        if f.window_start is not None:
            if opening is None:
                opening = to_parsed(f, tz, f.window_start)
            if closing is None and not open_ended:
                closing = to_parsed(f, tz)
        elif f.role == _OPEN and opening is None and closing is None:
            opening = to_parsed(f, tz)
        elif f.role in (_CLOSE, _DEADLINE) and closing is None:
            candidate = to_parsed(f, tz)
            if opening is None or candidate.at >= opening.at:
                closing = candidate
    return opening, closing


def find_deadline(text: str, tz: str = "Europe/Rome") -> ParsedDate | None:
    """The first application deadline in free text, or None.

    A date counts only when a deadline keyword (scadenza, entro, termine, fino al, chiusura,
    presentazione delle domande, deadline...) precedes it within ~70 characters (for the end of a
    'dal ... al ...' range, within ~70 characters of the range's start) and no publication or act
    reference ('pubblicato sul BUR del', 'DGR n. ... del') or project-execution milestone
    ('completati entro il') sits closer. The first such date in reading order wins, not the latest:
    later ones are usually extensions or execution dates the caller can find in context.
    """
    if not text:
        return None
    found = scan(text)
    _classify(text, found)
    open_ended = mentions_open_ended(text)
    prev_end = 0
    for i, f in enumerate(found):
        window_from = max(prev_end, f.start - _WINDOW_CHARS)
        if f.role == _CLOSE and i > 0 and found[i - 1].role == _OPEN:
            opener = found[i - 1]
            if f.start - opener.end <= 80:
                window_from = max(0, opener.start - _WINDOW_CHARS)
        prev_end = f.end
        if f.role not in (_CLOSE, _DEADLINE) and f.window_start is None:
            continue
        if f.window_start is not None and open_ended:
            continue
        if _DEADLINE_WORDS.search(text, window_from, f.start):
            return to_parsed(f, tz)
    return None


def mentions_open_ended(text: str) -> bool:
    """True when the text says applications stay open while funds last ('a sportello')."""
    return bool(text) and _OPEN_ENDED.search(text) is not None
