"""Portal modules, one per source. PORTALS is the explicit list the CLI and the tests use."""

from __future__ import annotations

from types import ModuleType

from scrapers import eu_ftop

PORTALS: dict[str, ModuleType] = {module.NAME: module for module in (eu_ftop,)}
