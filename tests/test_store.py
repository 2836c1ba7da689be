from datetime import UTC, datetime, timedelta

import pytest
from conftest import make_call

from matcher.errors import StoreError
from matcher.models import ScrapeResult
from matcher.store import (
    get_call,
    load_calls,
    open_db,
    recent_runs,
    repair_interrupted_runs,
    save_result,
    start_run,
    upsert_calls,
)
from matcher.store.ranking import whole_explanation

T0 = datetime(2026, 8, 1, 6, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=7)


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "store.db")


def ids(db):
    return [call.id for call, _ in load_calls(db)]


def test_store_is_created_in_wal_mode_with_migrations_applied(tmp_path):
    db = open_db(tmp_path / "new.db")
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    applied = db.execute("SELECT number, name FROM _migrations").fetchall()
    assert (mode, [name for _, name in applied]) == (
        "wal", ["m001_initial", "m002_ranking", "m003_features", "m004_names_and_freshness",
               "m005_date_issues_and_missing_listings", "m006_changes", "m007_digest_ledger",
               "m008_explanations_with_features"],
    )  # fmt: skip
    open_db(tmp_path / "new.db")  # reopening applies nothing twice


def test_not_a_database_gives_a_store_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_text("this is not sqlite" * 100)
    with pytest.raises(StoreError, match="junk.db"):
        open_db(path)


def test_first_run_counts_new_calls_and_records_history(db):
    summary = save_result(db, "eu_ftop", ScrapeResult([make_call("A"), make_call("B")]), T0)
    assert (summary.fetched, summary.new, summary.changed, summary.status) == (2, 2, 0, "ok")
    _, history = get_call(db, "eu_ftop:A")
    assert history["first_seen"] == history["last_changed"] == T0.isoformat()


def test_changed_call_is_updated_and_unchanged_call_only_seen(db):
    save_result(db, "eu_ftop", ScrapeResult([make_call("A"), make_call("B")]), T0)
    result = ScrapeResult([make_call("A", title="New title"), make_call("B")])
    summary = save_result(db, "eu_ftop", result, T1)
    assert (summary.new, summary.changed) == (0, 1)
    call, history = get_call(db, "eu_ftop:A")
    assert (call.title, history["last_changed"]) == ("New title", T1.isoformat())
    _, history_b = get_call(db, "eu_ftop:B")
    assert (history_b["last_seen"], history_b["last_changed"]) == (T1.isoformat(), T0.isoformat())


def test_call_missing_from_complete_listing_is_marked_vanished_not_deleted(db):
    save_result(db, "eu_ftop", ScrapeResult([make_call("A"), make_call("B")]), T0)
    save_result(db, "eu_ftop", ScrapeResult([make_call("A")]), T0)  # missing once: kept
    summary = save_result(db, "eu_ftop", ScrapeResult([make_call("A")]), T1)
    _, history = get_call(db, "eu_ftop:B")
    assert (summary.vanished, history["vanished_at"], ids(db)) == (
        1, T1.isoformat(), ["eu_ftop:A", "eu_ftop:B"],
    )  # fmt: skip


def test_nothing_vanishes_when_the_portal_failed_or_was_incomplete(db):
    save_result(db, "eu_ftop", ScrapeResult([make_call("A"), make_call("B")]), T0)
    failed = save_result(db, "eu_ftop", ScrapeResult([], False, ["eu_ftop: HTTP 500 from x"]), T1)
    partial = save_result(db, "eu_ftop", ScrapeResult([make_call("A")], complete=False), T1)
    vanished = [h["vanished_at"] for _, h in load_calls(db)]
    assert (failed.status, partial.status, vanished) == ("failed", "incomplete", [None, None])


def test_empty_listing_after_a_full_one_is_suspect_and_changes_nothing(db):
    save_result(db, "eu_ftop", ScrapeResult([make_call("A")]), T0)
    summary = save_result(db, "eu_ftop", ScrapeResult([]), T1)
    assert summary.status == "suspect"
    assert "0 items where 1 calls are stored" in summary.errors[0]
    assert [h["vanished_at"] for _, h in load_calls(db)] == [None]


def test_much_smaller_listing_is_suspect(db):
    save_result(db, "eu_ftop", ScrapeResult([make_call(str(i)) for i in range(40)]), T0)
    summary = save_result(db, "eu_ftop", ScrapeResult([make_call("1")]), T1)
    assert (summary.status, summary.vanished) == ("suspect", 0)


def test_portal_allowed_to_be_empty_may_empty_out(db):
    save_result(db, "feeds", ScrapeResult([make_call("A", portal="feeds")]), T0)
    save_result(db, "feeds", ScrapeResult([]), T0, allow_empty=True)
    summary = save_result(db, "feeds", ScrapeResult([]), T1, allow_empty=True)
    assert (summary.status, summary.vanished) == ("ok", 1)


def test_vanished_call_that_reappears_is_active_again(db):
    save_result(db, "eu_ftop", ScrapeResult([make_call("A"), make_call("B")]), T0)
    save_result(db, "eu_ftop", ScrapeResult([make_call("A")]), T1)
    save_result(db, "eu_ftop", ScrapeResult([make_call("A"), make_call("B")]), T1)
    assert [h["vanished_at"] for _, h in load_calls(db)] == [None, None]


def test_other_portals_calls_are_never_marked_by_a_run(db):
    save_result(db, "eu_ftop", ScrapeResult([make_call("A")]), T0)
    save_result(db, "feeds", ScrapeResult([make_call("F", portal="feeds")]), T1)
    assert [h["vanished_at"] for _, h in load_calls(db)] == [None, None]


def test_crash_mid_run_leaves_store_consistent_and_next_run_repairs(db, monkeypatch):
    save_result(db, "eu_ftop", ScrapeResult([make_call("A")]), T0)
    row = start_run(db, "run-2", "eu_ftop", T1)
    import matcher.store.calls as store

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "finish_run", explode)
    with pytest.raises(RuntimeError):
        save_result(db, "eu_ftop", ScrapeResult([make_call("A", title="X"), make_call("B")]), T1,
                    run_row=row)  # fmt: skip
    monkeypatch.undo()
    assert ids(db) == ["eu_ftop:A"] and get_call(db, "eu_ftop:A")[0].title == "Call A"
    assert repair_interrupted_runs(db, T1) == 1
    assert recent_runs(db)[0]["status"] == "interrupted"


def test_import_upsert_never_marks_vanished_and_is_idempotent(db):
    save_result(db, "eu_ftop", ScrapeResult([make_call("A")]), T0)
    first = upsert_calls(db, [make_call("X", portal="import")], T1)
    again = upsert_calls(db, [make_call("X", portal="import")], T1)
    assert (first, again) == (
        {"new": 1, "changed": 0, "same": 0},
        {"new": 0, "changed": 0, "same": 1},
    )
    assert [h["vanished_at"] for _, h in load_calls(db)] == [None, None]


def test_stored_call_reads_back_equal(db):
    call = make_call("A", beneficiaries=["Enti pubblici"], public_bodies_eligible=True,
                     topics=["Energia"], budget_eur=1_000_000.0, links=["https://x"])  # fmt: skip
    upsert_calls(db, [call], T0)
    assert get_call(db, "eu_ftop:A")[0] == call


def test_a_score_explained_before_the_split_reads_whole_until_it_is_recomputed():
    """Scores stored before m008 hold their whole explanation and their features no `shown`
    part: they read as they were; a new score's parts are joined, components merged."""
    old = '{"level": "alta", "passage": "p", "components": {"probability": 0.9, "kind": "call"}}'
    assert whole_explanation(old, None) == {
        "level": "alta", "passage": "p", "components": {"probability": 0.9, "kind": "call"},
    }  # fmt: skip
    scored = '{"level": "media", "reasons": ["+ x"], "components": {"probability": 0.4}}'
    shown = '{"passage": "q", "keywords": ["LED"], "components": {"kind": "call"}}'
    assert whole_explanation(scored, shown) == {
        "level": "media", "reasons": ["+ x"], "passage": "q", "keywords": ["LED"],
        "components": {"probability": 0.4, "kind": "call"},
    }  # fmt: skip
