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


def dedupe_priority() -> dict[str, int]:
    """Each portal's DEDUPE_PRIORITY by NAME: lower wins when two portals hold the same call."""
    return {name: module.DEDUPE_PRIORITY for name, module in PORTALS.items()}


def portal_settings() -> dict[str, dict[str, type]]:
    """Each portal's keys in sources.toml and their types, by NAME (for checking the file)."""
    return {name: module.SETTINGS for name, module in PORTALS.items()}
