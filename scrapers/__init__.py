"""Portal modules, one per source. PORTALS is the explicit list the CLI and the tests use."""

from __future__ import annotations

from types import ModuleType

from scrapers import (
    emilia_romagna,
    eu_ftop,
    feeds,
    incentivi_gov,
    italiadomani,
    padigitale,
    wordpress,
)

PORTALS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (
        eu_ftop, emilia_romagna, incentivi_gov, padigitale, italiadomani, feeds, wordpress,
    )
}  # fmt: skip

_SURVIVOR_ORDER = ("emilia_romagna", "eu_ftop", "padigitale", "italiadomani", "incentivi_gov",
                   "feeds", "wordpress")  # fmt: skip


def dedupe_priority() -> dict[str, int]:
    """Portal name -> priority of its record when two portals publish the same call."""
    return {name: 10 * (i + 1) for i, name in enumerate(_SURVIVOR_ORDER)}
