"""Euro amounts as Italian and EU portals write them: '1.000.000,00 €', '€ 3,2 milioni', budgets."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["find_budget", "parse_amount", "parse_amount_range"]

_MULTIPLIERS = {
    "mila": 1e3, "k": 1e3, "milione": 1e6, "milioni": 1e6, "mln": 1e6, "m": 1e6,
    "million": 1e6, "millions": 1e6, "miliardo": 1e9, "miliardi": 1e9, "mld": 1e9, "mrd": 1e9,
    "billion": 1e9, "billions": 1e9, "bn": 1e9,
}  # fmt: skip
_CUR = r"(?:€|\bEUR\b|\beuro\b)"
# One number: space-grouped thousands ("5 000 000") or digits with . and , in any arrangement; the
# arrangement is interpreted afterwards. Never glued to a word, a decimal point or a slash.
_NUM = r"(?<![\w.,/])(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,]\d)|\d(?:[\d.,]*\d)?)(?![\d/])"
_MULT = (
    r"(?:milion[ei]|miliard[oi]|million|millions|billions?|mila|mln|mld|mrd|bn|k|M(?=\s*(?:€|EUR)))"
)
_EXPR = (
    rf"(?:{_CUR}\.?\s*)?(?P<num>{_NUM})(?:\s*(?P<mult>{_MULT})\b\.?)?"
    rf"(?:\s*(?:di\s+|of\s+)?(?P<cur>{_CUR}))?"
)
_AMOUNT = re.compile(_EXPR, re.IGNORECASE)
_CUR_BEFORE = re.compile(rf"{_CUR}\.?\s*$", re.IGNORECASE)
# A number followed by one of these measures something else: a share, a surface, a date...
_NOT_MONEY_AFTER = re.compile(
    r"\s*(?:%|per\s*cento|°|º|/|(?:mq|m2|km|kg|kw|kwh|mwh|gwh|tonnellat\w*|ettari|ha|posti|abitanti"
    r"|unità|ore|giorni|mesi|anni|punti|lotti|dipendenti|addetti|imprese|progetti|domande)\b"
    r"|(?:gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre"
    r"|dicembre)\b|di\s+(?!euro|€|EUR)\w)",
    re.IGNORECASE,
)
_NOT_MONEY_BEFORE = re.compile(
    r"(?:\bn\.?|\bart\.?|\bcomma|\blett\.?|\bpunto|\bore|\bh\.?|\bL\.?R\.?|\blegge|\bazione|\blinea"
    r"|\bmisura|\bpriorità|\bcodice|\bCIG:?|\bCUP:?|\bATECO|\bdel|\bdal|\bal|\balle|\bdalle|\ble"
    r"|\banno|\banni)\s*$",
    re.IGNORECASE,
)
_OTHER_UNIT = re.compile(r"\s*(?:di|of)\s+(?!euro|€|EUR)\w", re.IGNORECASE)
_IT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_EN_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_SPACE_THOUSANDS = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")
_DECIMAL_DOT = re.compile(r"\d+\.\d{1,2}")
_PLAIN = re.compile(r"\d+")


@dataclass
class _Amount:
    value: float
    start: int
    end: int
    money: bool  # a currency or a multiplier next to it, or written like money ("1.000,00")


def _number(token: str, scaled: bool) -> tuple[float, bool] | None:
    """(value, looks like money) for one numeric token, or None when it is not a number."""
    if _SPACE_THOUSANDS.fullmatch(token):
        return float(re.sub(r"\D", "", token)), False
    if scaled and token.count(",") + token.count(".") == 1:  # "3,2 milioni", "1.5 million"
        return float(token.replace(",", ".")), True
    if _IT_THOUSANDS.fullmatch(token):
        return float(token.replace(".", "").replace(",", ".")), True
    if _EN_THOUSANDS.fullmatch(token) and not token.startswith("0,"):
        return float(token.replace(",", "")), True
    if _DECIMAL_COMMA.fullmatch(token):
        return float(token.replace(",", ".")), len(token.split(",")[1]) == 2
    if _DECIMAL_DOT.fullmatch(token):
        return float(token), len(token.split(".")[1]) == 2
    if _PLAIN.fullmatch(token):
        return float(token), False
    return None  # "06.10.2025", "40.000.0000,00": not a number we can trust


def _read(m: re.Match[str], text: str) -> _Amount | None:
    """The amount in one _AMOUNT match, or None when that number is not an amount."""
    num, mult = m["num"], m["mult"]
    scale = _MULTIPLIERS[mult.lower()] if mult else 1.0
    parsed = _number(num, bool(mult))
    if parsed is None:
        return None
    value, formatted = parsed
    before = max(0, m.start("num") - 8)
    currency = bool(m["cur"]) or bool(_CUR_BEFORE.search(text, before, m.start("num")))
    if not currency and not mult and _NOT_MONEY_AFTER.match(text, m.end("num")):
        return None
    if (
        not currency
        and not mult
        and _NOT_MONEY_BEFORE.search(text, max(0, m.start() - 12), m.start())
    ):
        return None
    if mult and not currency and _OTHER_UNIT.match(text, m.end()):
        return None  # "3 milioni di abitanti"
    is_year = _PLAIN.fullmatch(num) is not None and 1900 <= value <= 2100
    if is_year and not currency and not mult:
        return None
    if not currency and _SPACE_THOUSANDS.fullmatch(num):
        return None
    return _Amount(value * scale, m.start(), m.end(), currency or bool(mult) or formatted)


def _amounts(text: str, start: int = 0, end: int | None = None) -> list[_Amount]:
    found = []
    for m in _AMOUNT.finditer(text, start, len(text) if end is None else end):
        amount = _read(m, text)
        if amount is not None:
            found.append(amount)
    return found


_FIELD_TAIL = re.compile(r"\s*(?:$|[(,;]|\s-\s)")


def parse_amount(text: str | None) -> float | None:
    """The first euro amount in `text`, or None.

    Reads '1.000.000,00 €', '€ 3,2 milioni', '2 mln', '1,5 miliardi', 'EUR 500.000', and bare
    field values ('15375383,50', '70047.34', '163000000 (con dm 29/7), ...'). In prose a number
    needs a currency, a multiplier or money formatting; a bare year (2026) is never an amount.
    """
    if not text or not text.strip():
        return None
    first = len(text) - len(text.lstrip())
    for amount in _amounts(text):
        if amount.money:
            return amount.value
        if amount.start == first and _FIELD_TAIL.match(text, amount.end):
            return amount.value  # a field holding just a number
    return None


_LOW = (
    r"(?:\b(?:da|tra|fra|from|between)\s+(?:un\s+)?(?:minimo\s+(?:di\s+)?)?"
    r"|\bminim[oa]\s+(?:di\s+)?)"
)
_HIGH = r"(?:a|e|ed|fino\s+ad?|to|and|-|–)\s+(?:(?:un\s+)?massimo\s+(?:di\s+)?)?"
_RANGE = re.compile(
    rf"{_LOW}(?P<lo>{_EXPR.replace('?P<', '?P<lo_')})\s*,?\s*{_HIGH}"
    rf"(?P<hi>{_EXPR.replace('?P<', '?P<hi_')})",
    re.IGNORECASE,
)
_MIN_ONLY = re.compile(
    r"\b(?:almeno|minim[oa](?:\s+\w+){0,4}?(?:\s+(?:di|pari\s+a))?|non\s+inferiore\s+a(?:d)?|at\s+least"
    r"|min\.?)\s*$",
    re.IGNORECASE,
)
_MAX_ONLY = re.compile(
    r"\b(?:fino\s+a(?:d)?(?:\s+un)?(?:\s+massimo(?:\s+di)?)?|massim[oa](?:\s+\w+){0,4}?(?:\s+(?:di|pari\s+a))?"
    r"|non\s+superiore\s+a(?:d)?|up\s+to|max\.?)\s*$",
    re.IGNORECASE,
)


def parse_amount_range(text: str | None) -> tuple[float | None, float | None]:
    """(minimum, maximum) from 'da 10.000 a 50.000 euro', 'minimo di € 5.000 e massimo di € 20.000'.

    A single bound ('fino a 50.000 euro', 'almeno 3.000.000,00 euro') fills one side; (None, None)
    when the text states no bound. A multiplier on the upper bound also scales a small lower one
    ('da 1 a 3 milioni').
    """
    if not text:
        return None, None
    for m in _RANGE.finditer(text):
        lo = _AMOUNT.fullmatch(m["lo"])
        hi = _AMOUNT.fullmatch(m["hi"])
        if lo is None or hi is None:
            continue
        lo_amount, hi_amount = _read(lo, m["lo"]), _read(hi, m["hi"])
        if lo_amount is None or hi_amount is None:
            continue
        tail_currency = re.match(rf"\s*(?:di\s+)?{_CUR}", text[m.end() : m.end() + 12], re.I)
        if not (lo_amount.money or hi_amount.money or tail_currency):
            continue
        low, high = lo_amount.value, hi_amount.value
        if hi["mult"] and not lo["mult"] and low < 1000:
            low *= _MULTIPLIERS[hi["mult"].lower()]
        return (low, high) if low <= high else (high, low)
    low_bound = high_bound = None
    for amount in _amounts(text):
        if not amount.money:
            continue
        before = text[max(0, amount.start - 40) : amount.start]
        if low_bound is None and _MIN_ONLY.search(before):
            low_bound = amount.value
        elif high_bound is None and _MAX_ONLY.search(before):
            high_bound = amount.value
    return low_bound, high_bound


_ANCHOR = re.compile(
    r"\bdotazion[ei](?:\s+finanziari[ae])?|\bammont(?:a|ano)\b|\bcomplessivamente\b"
    r"|\b(?:risorse|fondi|importo|somma)\s+(?:\w+\s+){0,2}?(?:complessiv|disponibil|stanziat|destinat"
    r"|assegnat|mess[ie]\s+a\s+disposizione)\w*|\bstanziament[oi]\b|\bstanziat[oiae]\b|\bbudget\b"
    r"|\bplafond\b|\btotal\s+(?:funding|amount|budget)\b",
    re.IGNORECASE,
)
# Per-project caps, minimums and reserved shares: not the call's total endowment.
_CAP = re.compile(
    r"\b(?:contributo\s+massimo|massim[oaie]|minim[oaie]|max\.?|per\s+(?:ciascun[oa]?|ogni|singol[oa])"
    r"|ciascun[oa]?|a\s+(?:soggetto|progetto|beneficiario|impresa|domanda)|non\s+(?:può|potrà|possono)"
    r"\s+superare|importo\s+unitario|riservat[oaie]|una\s+parte|quota|di\s+cui|maximum|per\s+(?:project"
    r"|applicant|beneficiary|grant)|tra|between|ammess\w*|ammissibil\w*|forfettari\w*"
    r"|del(?:l['’]|la)?\s*(?:progetto|proposta|investimento|intervento|domanda))\b",
    re.IGNORECASE,
)
_CAP_AFTER = re.compile(
    r"\s*(?:\([^)]*\)\s*)?(?:per|a|for)\s+(?:ciascun\w*|ogni|singol\w*|progetto|beneficiario|impresa"
    r"|domanda|intervento|soggetto|comune|richiedente|each|project|applicant)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.;!?](?=\s+[A-ZÀ-Ý«\"“])|\n\s*\n")


def find_budget(text: str | None) -> float | None:
    """The call's total endowment stated in prose, or None.

    Anchored on 'dotazione (finanziaria)', 'ammonta(no)', 'complessivamente', 'risorse disponibili
    / stanziate', 'stanziamento', 'budget'...: the first money amount after an anchor in the same
    sentence, unless that sentence frames it as a per-project cap, a minimum or a reserved share
    ('contributo massimo', 'fino a un massimo di ... per progetto', 'di cui', 'riservata').
    """
    if not text:
        return None
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    for anchor in _ANCHOR.finditer(text):
        stop = next((e for e in ends if e > anchor.end()), len(text))
        stop = min(stop, anchor.end() + 160)
        money = [a for a in _amounts(text, anchor.end(), stop) if a.money]
        if not money:
            continue
        amount = money[0]
        begin = max([e for e in ends if e <= anchor.start()] or [0])
        clause = text[max(begin, anchor.start() - 120) : amount.start]
        if _CAP.search(clause) or _CAP_AFTER.match(text, amount.end):
            continue
        return amount.value
    return None
