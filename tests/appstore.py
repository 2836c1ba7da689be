"""A small store for the app's tests, seeded through the store's functions and ranked with
the fake model: Italian and EU calls, hostile titles, one closed call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import make_call

from matcher import jobs
from matcher.models import Call, ScrapeResult
from matcher.ranking.config import DEFAULT_METHOD, RankingConfig
from matcher.ranking.themes import load_themes
from matcher.store import open_db, save_result, set_meta

NOW = datetime(2026, 8, 22, 6, 0, tzinfo=UTC)

ENERGY = "Efficienza energetica e illuminazione pubblica a LED negli edifici pubblici dei comuni."
SCRIPT_TITLE = "<script>alert(1)</script> Illuminazione pubblica"
BOLD_TITLE = "**Teleriscaldamento** _urbano_ [clic](javascript:alert(1))"


def seeded_calls() -> list[Call]:
    rome = {"language": "it", "tz": "Europe/Rome", "territory": "Italia"}
    return [
        make_call("led", "import", title="Illuminazione pubblica a LED", text=ENERGY,
                  budget_eur=1_500_000.0, deadlines=[NOW + timedelta(days=30)],
                  deadline_time_known=False, **rome),
        make_call("script", "import", title=SCRIPT_TITLE, text=ENERGY, **rome),
        make_call("bold", "import", title=BOLD_TITLE, text=ENERGY + " Teleriscaldamento.",
                  **rome),
        make_call("LIFE-ENERGY", "eu_ftop", title="Energy efficiency of public buildings",
                  text="Energy efficiency and renovation of public buildings of municipalities.",
                  deadlines=[NOW + timedelta(days=60, hours=3)]),
        make_call("closed", "import", title="Efficienza energetica 2026 (chiuso)", text=ENERGY,
                  deadlines=[NOW - timedelta(days=40)], **rome),
    ]  # fmt: skip


def seed_store(path: Path) -> None:
    """The calls, a complete run two days before NOW (fresh data), NOW as the data-as-of date,
    and scores of the fake model (MATCHER_MODEL=fake for the app to read them)."""
    db = open_db(path)
    save_result(db, "import", ScrapeResult(calls=seeded_calls()), NOW - timedelta(days=2))
    set_meta(db, "as_of", NOW.isoformat())
    jobs.rank(db, load_themes(), RankingConfig(DEFAULT_METHOD, "fake"), NOW)
    db.conn.close()
