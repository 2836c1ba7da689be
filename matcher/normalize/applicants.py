"""Who may apply to a call, and what part a municipality can take: read from the structured
beneficiaries, the EU programme and type of action, and the call's own words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from matcher.models import Call
from matcher.normalize.eligibility import public_bodies_eligible
from matcher.normalize.text import plain

# Applicant types a call may admit.
TYPES = ("public", "research", "business", "nonprofit", "individual")

_TYPE_WORDS = {
    "public": r"\bcomun[ei]\b|\bent[ei] (?:local|pubblic|territorial)|\bpubblic[ah] amministrazion"
    r"|\bamministrazion[ei] (?:pubblic|local|comunal)|\bprovince\b|\bregion[ei]\b|\bcitta metropol"
    r"|\bunion[ei] (?:d[ei]i? )?comuni|\bcamer[ae] di commercio|\bpublic (?:authorit|bod|administr)"
    r"|\blocal (?:and regional )?(?:authorit|government|administration)|\bmunicipalit"
    r"|\bregional authorit|\bcit(?:y|ies) (?:administration|authorit|council)|\bpilot cities\b"
    r"|\blighthouse cities\b|\bpublic procurers\b|\btowns? twinning|\bnetworks? of towns",
    "research": r"\buniversit|\bresearch (?:organi[sz]ation|institut|performing)|\bhigher education"
    r"|\borganism[io] di ricerca|\benti? di ricerca|\bricercator|\bresearchers?\b|\bacademi",
    "business": r"\bimpres[ae]\b|\bpmi\b|\bsmes?\b|\bstart[ -]?ups?\b|\bcompan(?:y|ies)\b"
    r"|\benterprises?\b|\bindustr(?:y|ial) (?:partners|players)|\boperatori economici"
    r"|\bliberi professionisti|\bbusiness(?:es)?\b",
    "nonprofit": r"\bterzo settore|\bassociazion[ei]\b|\bonlus\b|\bnon[- ]?profit|\bngos?\b"
    r"|\bcivil society organi[sz]ations?\b|\bcultural (?:and creative )?organi[sz]ations?",
    "individual": r"\bpersone fisiche|\bcittadini\b(?! e)|\bindividual researchers|\bfellows?\b"
    r"|\bstudenti\b|\bprincipal investigator",
}
_TYPES = {name: re.compile(rx) for name, rx in _TYPE_WORDS.items()}
# Words that put a municipality inside a call: as the applicant, a consortium member, a pilot.
_LEADS = re.compile(
    r"\b(?:local|regional|public) authorities (?:can|may|should|must|are (?:eligible|invited))"
    r"|\bapplicants? (?:must|should|can) be (?:local|public|municipal|cities)"
    r"|\bpossono presentare (?:domanda|la domanda|progett\w*) (?:i |gli |le )?(?:comuni|enti)"
    r"|\bsoggetti (?:beneficiari|ammessi|proponenti)[^.]{0,80}\b(?:comuni|enti locali)"
    r"|\btown twinning|\bnetworks? of towns\b|\bcomuni (?:singoli|associati)\b"
)
_PARTNERS = re.compile(
    r"\bpilot (?:cities|sites|municipalit)|\blighthouse cities|\bfollower cities"
    r"|\bcities (?:should|must|are expected to) (?:be involved|participate|take part)"
    r"|\binvolv\w+ (?:of )?(?:local|regional|public) authorit|\blocal authorities as partners"
    r"|\bcoinvolgimento (?:dei|degli) (?:comuni|enti locali)"
)
# EU programmes whose identifier decides the municipality's part by itself.
_NO_MUNICIPALITY = re.compile(
    r"^(?:HORIZON-)?(?:ERC|MSCA|EIC|EURATOM|EUROHPC|JU-CBE|JU-IHI|JU-CHIPS)\b"
    r"|^(?:EDF|RFCS|AGRIP|INNOVFUND|EUAF|ISF|ERASMUS|SMP-COSME|ESC)-"
    r"|^LIFE-\d{4}-NGO-"  # LIFE operating grants: for environmental NGOs only
)
_MUNICIPALITY_LEADS = re.compile(
    r"^(?:LIFE|CERV|CREA|INTERREG|URBACT|EUI)-|-PCP-|^HORIZON-MISS-\d{4}-\d+-PCP"
)
# In a cascade call (third parties funded by a project) the municipality leads only when the
# call is for cities: the Cities Mission platform, local digital twins, town networks.
_FOR_CITIES = re.compile(r"\bcit(?:y|ies)\b|\bmunicipalit|\blocal digital twin|\btowns?\b"
                         r"|\bcomun[ei]\b|\blocal authorit")  # fmt: skip


@dataclass(frozen=True)
class Applicants:
    """Who may apply (types), what a municipality can be (role, None when unknown), and why."""

    types: tuple[str, ...] = ()
    role: str | None = None
    evidence: tuple[str, ...] = field(default=())


def applicants(call: Call) -> Applicants:
    """What the call says about its applicants; structured beneficiaries beat the text."""
    listed = [plain(b) for b in call.beneficiaries if b.strip()]
    native = call.native_id.upper()
    if listed:
        types = _types(" ; ".join(listed))
        # The municipality leads when local or regional authorities are among the applicants;
        # a list of only other bodies (firms, schools, health authorities, universities) leaves
        # it out even when those bodies are public.
        named = ", ".join(call.beneficiaries[:4])
        if "public" in types:
            return Applicants(types, "lead", (f"destinatari: {named}",))
        if public_bodies_eligible(call.beneficiaries) is not None or types:
            return Applicants(types, "none", (f"destinatari: {named}",))
    text = plain(" ".join((call.title, call.summary, call.text[:6000])))
    if not listed:
        types = _types(text)
    if call.portal == "eu_ftop":
        decided = _eu_programme(native, text, types)
        if decided is not None:
            return decided
    if lead := _LEADS.search(text):
        return Applicants(types or ("public",), "lead", (_quote(lead, text),))
    if partner := _PARTNERS.search(text):
        return Applicants(types or ("public",), "partner", (_quote(partner, text),))
    return Applicants(types, None, ())


def _eu_programme(native: str, text: str, types: tuple[str, ...]) -> Applicants | None:
    programme = native.removeprefix("HORIZON-").split("-")[0]
    if _NO_MUNICIPALITY.search(native):
        return Applicants(types or ("research",), "none",
                          (f"programma {programme}: per ricerca, imprese o persone",))  # fmt: skip
    public = tuple(dict.fromkeys(("public", *types)))
    if "#" in native:  # cascade funding: third parties apply to the project, mostly firms
        if _FOR_CITIES.search(text):
            return Applicants(public, "lead", ("finanziamento a cascata rivolto alle città",))
        return Applicants(types or ("business",), "none", ("finanziamento a cascata a terzi",))
    if _MUNICIPALITY_LEADS.search(native):
        return Applicants(public, "lead", (f"programma {programme}: enti pubblici capofila",))
    if native.startswith(("HORIZON-", "DIGITAL-", "CEF-")):
        evidence = _quote(_PARTNERS.search(text), text) or _quote(_LEADS.search(text), text)
        if evidence:
            return Applicants(public, "partner", (evidence,))
        return Applicants(types, "partner", (f"programma {programme}: progetto in consorzio",))
    return None


def _types(text: str) -> tuple[str, ...]:
    return tuple(name for name in TYPES if _TYPES[name].search(text))


def _quote(match: re.Match[str] | None, text: str) -> str:
    if not match:
        return ""
    start, end = max(0, match.start() - 40), min(len(text), match.end() + 40)
    return "«…" + text[start:end].strip() + "…»"
