"""Review actions (notes and assignments beside decisions) and the shortlist's sections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import make_call

from matcher.errors import ReviewError
from matcher.ranking.config import RankingConfig
from matcher.ranking.embed import FakeEmbedder
from matcher.ranking.rank import rank
from matcher.ranking.themes import load_themes
from matcher.store import ShortlistFilters, latest_decisions, open_db, record_review, upsert_calls
from matcher.store.reviews import reviews_since
from matcher.store.shortlist import shortlist_rows

NOW = datetime(2026, 8, 22, 6, 0, tzinfo=UTC)
KEY = RankingConfig("hybrid", "fake")
TEXT = "Efficienza energetica degli edifici pubblici e illuminazione pubblica dei comuni."


@pytest.fixture
def db(tmp_path):
    store = open_db(tmp_path / "r.db")
    upsert_calls(store, [
        make_call("open", "import", title="Illuminazione pubblica a LED", text=TEXT,
                  language="it", territory="Italia", tz="Europe/Rome"),
        make_call("closed-recently", "import", title="Efficienza energetica edifici 2026",
                  text=TEXT, language="it", territory="Emilia-Romagna", tz="Europe/Rome",
                  deadlines=[NOW - timedelta(days=60)]),
        make_call("closed-long-ago", "import", title="Efficienza energetica edifici 2023",
                  text=TEXT, language="it", territory="Italia", tz="Europe/Rome",
                  deadlines=[NOW - timedelta(days=700)]),
    ], NOW)  # fmt: skip
    rank(store, load_themes(), KEY, NOW, embedder=FakeEmbedder())
    return store


def listed(db, **filters) -> list[str]:
    rows = shortlist_rows(db, "energy", KEY.key, NOW, ShortlistFilters(**filters))
    return [row["id"] for row in rows]


def test_the_recently_closed_section_lists_only_calls_closed_within_the_window(db):
    assert listed(db) == ["import:open"]
    assert listed(db, closed_within_days=365) == ["import:closed-recently"]


def test_notes_and_assignments_are_kept_but_never_count_as_decisions(db):
    record_review(db, "import:open", "energy", "reject", "Giulia Rossi", NOW, "fuori tema")
    record_review(db, "import:open", "energy", "note", "Marco Bianchi", NOW, "chiedere ad ART-ER")
    record_review(db, "import:open", "energy", "assign", "Marco Bianchi", NOW, "ART-ER")
    # the rejection still holds: a note after it does not bring the call back
    assert latest_decisions(db, "energy") == {"import:open": "reject"}
    assert listed(db) == []
    row = shortlist_rows(db, "energy", KEY.key, NOW, ShortlistFilters(include_rejected=True))[0]
    assert (row["decision"], row["assigned_to"]) == ("reject", "ART-ER")
    assert [(r["decision"], r["reviewer"], r["note"]) for r in reviews_since(db, NOW)] == [
        ("assign", "Marco Bianchi", "ART-ER"),
        ("note", "Marco Bianchi", "chiedere ad ART-ER"),
        ("reject", "Giulia Rossi", "fuori tema"),
    ]


def test_a_note_without_text_is_refused(db):
    with pytest.raises(ReviewError, match="a note needs the note's text"):
        record_review(db, "import:open", "energy", "note", "Giulia Rossi", NOW, " ")
    assert reviews_since(db, NOW - timedelta(days=7)) == []
