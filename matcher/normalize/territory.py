"""Whose applicants a call serves: "EU", "Italia", or a list of Italian regions."""

from __future__ import annotations

import logging
import re
import unicodedata

__all__ = [
    "OUTSIDE_EU",
    "REGIONS",
    "external_territory",
    "territory_from_regions",
    "territory_includes",
]

log = logging.getLogger(__name__)

# Official spellings, as incentivi.gov.it writes them.
REGIONS = (
    "Abruzzo", "Basilicata", "Calabria", "Campania", "Emilia-Romagna", "Friuli-Venezia Giulia",
    "Lazio", "Liguria", "Lombardia", "Marche", "Molise", "Piemonte", "Puglia", "Sardegna",
    "Sicilia", "Toscana", "Trentino-Alto Adige/Südtirol", "Umbria", "Valle d'Aosta/Vallée d'Aoste",
    "Veneto",
)  # fmt: skip
NATIONAL_THRESHOLD = 15  # a measure open in this many regions is national in practice
_WIDE = {"eu": "EU", "ue": "EU", "europa": "EU", "italia": "Italia", "italy": "Italia"}
_NOT_A_REGION = {"estero"}  # applicants abroad: says nothing about which Italian regions


def _key(name: str) -> str:
    # "Valle d'Aosta/Vallée d'Aoste", "Valle D'Aosta", "SÃ¼dtirol" mojibake, "Emilia Romagna"...
    name = name.replace("Ã¼", "ü").replace("Ã©", "é")
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_name.lower())


_ALIASES = {_key(r): r for r in REGIONS}
_ALIASES.update({_key(r.split("/")[0]): r for r in REGIONS if "/" in r})
_ALIASES.update(
    {
        _key("Trentino"): "Trentino-Alto Adige/Südtirol",
        _key("Alto Adige"): "Trentino-Alto Adige/Südtirol",
        _key("Südtirol"): "Trentino-Alto Adige/Südtirol",
        _key("Provincia autonoma di Trento"): "Trentino-Alto Adige/Südtirol",
        _key("Provincia autonoma di Bolzano"): "Trentino-Alto Adige/Südtirol",
        _key("Friuli Venezia Giulia"): "Friuli-Venezia Giulia",
        _key("Valle d'Aosta"): "Valle d'Aosta/Vallée d'Aoste",
        _key("Vallée d'Aoste"): "Valle d'Aosta/Vallée d'Aoste",
    }
)


def canonical_region(name: str) -> str | None:
    """The official spelling of an Italian region name, or None when it is not one."""
    return _ALIASES.get(_key(name))


def territory_from_regions(regions: list[str]) -> str:
    """'Italia' for a national measure (no regions, or >= 15 distinct regions), else the regions.

    Regions are deduplicated, spelled officially and sorted: "Emilia-Romagna, Lombardia".
    "Estero" is ignored; an unknown name is kept as written so nothing is silently lost.
    """
    names: set[str] = set()
    for raw in regions:
        if not raw or not raw.strip() or _key(raw) in _NOT_A_REGION:
            continue
        region = canonical_region(raw)
        if region is None:
            log.debug("unknown region name %r kept as written", raw)
            region = raw.strip()
        names.add(region)
    italian = {n for n in names if n in REGIONS}
    if not names or len(italian) >= NATIONAL_THRESHOLD:
        return "Italia"
    return ", ".join(sorted(names))


def territory_includes(territory: str, region: str = "Emilia-Romagna") -> bool:
    """True when applicants from `region` are served: "EU", "Italia", or `region` listed."""
    if not territory:
        return False
    wide = _WIDE.get(_key(territory))
    if wide is not None:
        return True
    wanted = canonical_region(region) or region.strip()
    for part in territory.split(","):
        if (canonical_region(part) or part.strip()) == wanted:
            return True
    return False


# Calls of the EU's external action (EuropeAid, NDICI, IPA…) serve applicants of a partner
# country, not the Union: their territory says so, and they leave an Italian applicant's lists.
OUTSIDE_EU = "Extra-UE"
_EXTERNAL = re.compile(
    r"\bEuropeAid/|\bRELEX\b|\bExternal Action\b|\bNDICI\b|\bIPA III\b|\bNeighbourhood, "
    r"Development and International Cooperation"
)


def external_territory(native_id: str, programme: str, text: str) -> str | None:
    """OUTSIDE_EU for a call of the EU's external action, else None."""
    head = f"{native_id}\n{programme}\n{text[:3000]}"
    return OUTSIDE_EU if _EXTERNAL.search(head) else None
