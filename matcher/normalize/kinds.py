"""What a listed item is: a funding call, a tender, a job, a register, or news (KINDS)."""

from __future__ import annotations

import re

__all__ = ["classify_kind"]

# Strong procurement evidence: the vocabulary of the public-contracts code and of TED notices.
_PROCUREMENT_STRONG = re.compile(
    r"\bgar[ae]\b|\bCIG\b|\bprocedur[ae]\s+(?:\w+\s+)?(?:aperta|negoziata|ristretta|competitiva)"
    r"|\bappalt\w*|\bsubappalt\w*|\baffidament\w*|\bRDO\b|\bRDA\b|\btender\w*|\baccordo\s+quadro"
    r"|\bS\.?U\.?A\.?\b|\bstazione\s+unica\s+appaltante|\bcentrale\s+unica\s+di\s+committenza"
    r"|\basta\s+pubblica|\bofferta\s+economicamente|\bCPV\b|^\s*AQ\s+\d",
    re.IGNORECASE,
)
# TED notice titles: "Italia – <CPV label> – <title>".
_TED_TITLE = re.compile(r"^\s*Italia\s+[–-]\s+[^–]+\s+[–-]\s")
# Weak evidence: what tenders buy. Counts only when nothing in the title speaks of a grant.
_PROCUREMENT_WEAK = re.compile(
    r"\bfornitur[ae]\b|\blavori\b|^\s*(?:servizi[oi]\s+(?:\w+\s+){0,2}?(?:di|per)|opere\s+di|manutenzion\w*"
    r"|adeguamento|riqualificazione|acquisto|acquisizione|noleggio|progettazione)\b"
    r"|\bintervent[oi]\s+(?:\w+\s+)?(?:di\s+)?(?:manutenzion|riqualificazion|adeguament|sistemazion"
    r"|rifaciment|ristrutturazion|messa\s+in\s+sicurezza|completament)|\bmanutenzione\b"
    r"|\bconcession[ei]\s+(?:demanial\w*|mista|del\s+servizio)|\blott[oi]\b|\bstralcio\b"
    r"|\bcapitolato\b|\boperatori\s+economici\b",
    re.IGNORECASE | re.MULTILINE,
)
# Words of a grant, subsidy or call for proposals ("bando di gara" and "avviso di gara" excluded).
_CALL = re.compile(
    r"\bbando\b(?!\s+(?:di\s+)?gara)|\bbandi\b|\bavvis[oi]\b(?!\s+di\s+(?:gara|asta|aggiudicazione|"
    r"appalto|pubblicazione))|\bcontribut\w*|\bfinanziament\w*|\bfinanziat\w*|\bagevolazion\w*"
    r"|\bincentiv\w*|\bvoucher\b|\bsostegno\s+(?:a|al|alla|alle|agli|ai|all['’]|per|dell\w*|del)\b"
    r"|\ba\s+sostegno\b|\bsovvenzion\w*|\bfondo\s+perduto|\bbonus\b"
    r"|\bcredito\s+d['’]imposta|\bmanifestazion\w*\s+(?:d['’]|di\s+)interesse|\bcall\b|\bcall\s*for"
    r"|\bpremi[oi]?\b|\bborse?\s+di\s+studio|\bproposte\s+progettuali|\bgrant\w*|\bfunding\b"
    r"|\bbeneficiari\b|\bdotazione\s+finanziaria",
    re.IGNORECASE,
)
_RECRUITMENT = re.compile(
    r"\bconcors[oi]\b|\bselezion\w*\s+pubblic\w*\s+(?:\w+\s+){0,6}?(?:n\.\s*\d+\s+)?posti\b"
    r"|\bassunzion\w*\s+(?:a\s+tempo\s+\w+\s+)?di\s+n\.?\s*\d+|\b\d+\s+posti\s+di\b"
    r"|\bincaric\w*\s+(?:\w+\s+){0,3}?(?:di|per|a)\s+(?:n\.\s*\d+\s+)?espert\w*|\bavvis\w*\s+(?:\w+\s+){0,4}?"
    r"espert[io]\b|\bgraduatori\w*\s+di\s+merito|\bmobilità\s+(?:esterna|volontaria)"
    r"|\bconferimento\s+(?:di\s+|dell['’]\s*|degli\s+)?incarich?\w*|\bselezione\s+comparativa"
    r"|\breclutament\w*|\bvacanc(?:y|ies)\b|\bjob\s+offer",
    re.IGNORECASE,
)
# A grant to employers for hiring is a call, not a job ("Bonus alle imprese per l'assunzione").
_HIRING_GRANT = re.compile(r"\b(?:incentiv|bonus|contribut|voucher|agevolazion|sostegno)\w*", re.I)
_REGISTER = re.compile(
    r"\biscrizion\w*\s+(?:\w+\s+){0,2}?(?:all['’]\s*|nell['’]\s*|al\s+|nel\s+)?(?:elenc|alb|registr)\w*"
    r"|\baccreditament\w*|\belenc\w*\s+(?:\w+\s+){0,3}?(?:fornitor|operator|professionist|esper)\w*"
    r"|\balbo\s+(?:dei\s+|degli\s+)?(?:fornitor|operator|professionist)\w*|\bshort\s*list\b",
    re.IGNORECASE,
)
_NEWS = re.compile(
    r"^\s*(?:comunicat\w*|news|notizi\w*|newsletter|evento|webinar|convegno|seminario|workshop"
    r"|info\s*day|incontro|presentazione\s+(?:del|dei|della)|save\s+the\s+date)\b"
    r"|\bwebinar\b|\binfo\s*day\b|\bcomunicato\s+stampa\b",
    re.IGNORECASE,
)


def classify_kind(title: str, text: str = "") -> str:
    """One of matcher.models.KINDS for a listed item, from its title and (weaker) its body.

    The title decides when it can: a tender title names its procedure or what is bought, a grant
    title names the grant. Body text only tips an item whose title says neither, because calls
    routinely mention a CIG, a 'gara' or 'lavori' in passing. When unsure: "call".
    """
    title = title or ""
    text = text or ""
    call_title = len(_CALL.findall(title))
    if _REGISTER.search(title):
        return "register"
    if _RECRUITMENT.search(title) and not _HIRING_GRANT.search(title):
        return "recruitment"
    if _TED_TITLE.match(title):
        return "procurement"
    strong_title = len(_PROCUREMENT_STRONG.findall(title))
    if strong_title and strong_title > call_title:
        return "procurement"
    if call_title == 0 and _NEWS.search(title):
        return "news"
    if call_title:
        return "call"
    weak_title = len(_PROCUREMENT_WEAK.findall(title))
    call_body = len(_CALL.findall(text))
    strong_body = len(_PROCUREMENT_STRONG.findall(text))
    weak_body = len(_PROCUREMENT_WEAK.findall(text))
    if (
        call_body == 0
        and (weak_title or strong_body)
        and 2 * strong_body + weak_title + weak_body >= 2
    ):
        return "procurement"
    if call_body == 0 and weak_title:
        return "procurement"
    if strong_body >= 2 and strong_body > 2 * call_body:
        return "procurement"
    if not call_body and _RECRUITMENT.search(text) and not _HIRING_GRANT.search(text):
        return "recruitment"
    return "call"
