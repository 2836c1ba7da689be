"""A store for the digests' tests: calls through the store's own functions and scores written
with the relevance levels each test needs (the ranking's calibration is not under test here),
and a partners file with three partners, one of them English."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import make_call

from matcher.models import Call
from matcher.store import upsert_calls
from matcher.store.ranking import Ranking, save_scores

KEY = "bm25"
MONDAY = datetime(2026, 9, 7, 6, 0, tzinfo=UTC)
SCORES = {"alta": 80.0, "media": 40.0, "bassa": 10.0}

PARTNERS = """
[digest]
sender = "Territorio Smart Matcher <bandi@comune.example.org>"
operators = ["ops@comune.example.org"]

[partners.comune]
name = "Comune di Piacenza"
type = "comune"
emails = ["bandi@comune.example.org"]
themes = ["energy", "tourism"]
language = "it"
min_relevance = "media"

[partners.provincia]
name = "Provincia di Piacenza"
type = "provincia"
emails = ["progetti@provincia.example.org"]
themes = ["energy"]
language = "it"
min_relevance = "alta"

[partners.art_er]
name = "ART-ER"
type = "agenzia regionale"
emails = ["europa@art-er.example.org"]
themes = ["tourism", "communication"]
language = "en"
min_relevance = "media"
"""


def calls(now: datetime = MONDAY) -> list[Call]:
    """E1 energy alta, E2 energy media, T1 tourism alta closing in 10 days (date only, Italian),
    C1 communication media, X energy bassa (nobody's)."""
    rome = {"language": "it", "tz": "Europe/Rome", "territory": "Italia"}
    return [
        make_call("E1", title="Illuminazione pubblica a LED", budget_eur=1_500_000.0,
                  deadlines=[now + timedelta(days=60)], programme="LIFE"),
        make_call("E2", title="Teleriscaldamento urbano", deadlines=[now + timedelta(days=40)]),
        make_call("T1", "incentivi_gov", title="Borghi e cammini", deadline_time_known=False,
                  deadlines=[datetime(2026, 9, 16, 22, 0, tzinfo=UTC)], **rome),
        make_call("C1", title="Servizi digitali ai cittadini", deadlines=[now + timedelta(days=90)]),
        make_call("X", title="Caldaie per imprese", deadlines=[now + timedelta(days=30)]),
    ]  # fmt: skip


LEVELS = {
    ("eu_ftop:E1", "energy"): "alta",
    ("eu_ftop:E2", "energy"): "media",
    ("incentivi_gov:T1", "tourism"): "alta",
    ("eu_ftop:C1", "communication"): "media",
    ("eu_ftop:X", "energy"): "bassa",
}


def score(db, levels: dict[tuple[str, str], str], now: datetime = MONDAY) -> None:
    """Write each theme's scores with these levels (every other call and theme: none)."""
    for theme in ("energy", "communication", "tourism"):
        rows = [
            (call_id, SCORES[level], True, explanation(level), "h")
            for (call_id, t), level in sorted(levels.items())
            if t == theme
        ]
        save_scores(db, Ranking(theme, KEY, "fp", now.isoformat(), "", "", 0), rows)


def explanation(level: str) -> str:
    return json.dumps({
        "level": level, "reasons": ["+ sul tema, e il comune può essere capofila"],
        "passage": "", "keywords": ["illuminazione pubblica"],
        "eligibility": {"note": "Aperto a enti pubblici"}, "components": {},
    })  # fmt: skip


def seed(db, now: datetime = MONDAY) -> None:
    upsert_calls(db, calls(now), now)
    score(db, LEVELS, now)


def partners_file(tmp_path: Path, text: str = PARTNERS) -> Path:
    path = tmp_path / "partners.toml"
    path.write_text(text, encoding="utf-8")
    return path
