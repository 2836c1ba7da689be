"""Live portals: run with `python -m pytest -m network` (excluded by default; needs internet)."""

from __future__ import annotations

import pytest

from matcher.sources import load_sources
from scrapers import PORTALS
from scrapers.base import run_portal
from scrapers.http import make_client

pytestmark = pytest.mark.network


@pytest.mark.parametrize("portal", ["eu_ftop", "emilia_romagna", "incentivi_gov", "padigitale"])
def test_live_portal_answers_in_the_recorded_format(portal):
    with make_client() as client:
        result = run_portal(PORTALS[portal], client, config=load_sources().get(portal))
    assert result.errors == [] and result.calls, result.errors
