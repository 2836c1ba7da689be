"""The change history: each first appearance and each change of a call's deadlines, budget and
status, recorded by the scrape (and imports) once, from what to what."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from conftest import make_call

from matcher.models import ScrapeResult
from matcher.store import open_db, save_result, upsert_calls
from matcher.store.changes import changes_of, changes_since

MONDAY = datetime(2026, 8, 24, 6, 0, tzinfo=UTC)
NEXT_MONDAY = MONDAY + timedelta(days=7)
DEADLINE = datetime(2026, 10, 15, 15, 0, tzinfo=UTC)


def history(db, call_id="eu_ftop:T-1"):
    return [(c.kind, c.before, c.after, c.changed_at) for c in changes_of(db, [call_id])[call_id]]


def test_a_new_call_records_its_first_appearance_and_an_unchanged_one_nothing(tmp_path):
    db = open_db(tmp_path / "s.db")
    call = make_call(deadlines=[DEADLINE], budget_eur=1_000_000.0)
    save_result(db, "eu_ftop", ScrapeResult(calls=[call]), MONDAY)
    save_result(db, "eu_ftop", ScrapeResult(calls=[call]), NEXT_MONDAY)
    assert history(db) == [("new", None, None, MONDAY.isoformat())]


def test_a_moved_deadline_and_a_new_budget_are_recorded_from_what_to_what(tmp_path):
    db = open_db(tmp_path / "s.db")
    call = make_call(deadlines=[DEADLINE], budget_eur=1_000_000.0)
    save_result(db, "eu_ftop", ScrapeResult(calls=[call]), MONDAY)
    moved = replace(call, deadlines=[DEADLINE + timedelta(days=30)], budget_eur=1_500_000.0)
    save_result(db, "eu_ftop", ScrapeResult(calls=[moved]), NEXT_MONDAY)
    assert history(db)[1:] == [
        ("deadlines", ["2026-10-15T15:00:00+00:00"], ["2026-11-14T15:00:00+00:00"],
         NEXT_MONDAY.isoformat()),
        ("budget", 1_000_000.0, 1_500_000.0, NEXT_MONDAY.isoformat()),
    ]  # fmt: skip


def test_a_text_edit_or_a_rounding_of_the_budget_is_no_change_worth_telling(tmp_path):
    db = open_db(tmp_path / "s.db")
    call = make_call(deadlines=[DEADLINE], budget_eur=1_000_000.0)
    upsert_calls(db, [call], MONDAY)
    upsert_calls(db, [replace(call, text="Testo rivisto", budget_eur=1_000_000.4)], NEXT_MONDAY)
    assert [kind for kind, *_ in history(db)] == ["new"]


def test_a_source_that_closes_a_call_early_is_a_status_change(tmp_path):
    db = open_db(tmp_path / "s.db")
    call = make_call(deadlines=[], status_hint="open_ended")
    upsert_calls(db, [call], MONDAY)
    upsert_calls(db, [replace(call, status_hint="closed")], NEXT_MONDAY)
    assert history(db)[1:] == [("status", "open_ended", "closed", NEXT_MONDAY.isoformat())]


def test_a_deadline_passing_between_two_scrapes_is_not_a_status_change(tmp_path):
    db = open_db(tmp_path / "s.db")
    closing = MONDAY + timedelta(days=2)
    call = make_call(deadlines=[closing])
    upsert_calls(db, [call], MONDAY)
    upsert_calls(db, [replace(call, summary="Chiuso")], NEXT_MONDAY)
    assert [kind for kind, *_ in history(db)] == ["new"]


def test_a_closed_call_that_gets_a_new_future_deadline_is_recorded_as_reopened(tmp_path):
    db = open_db(tmp_path / "s.db")
    past = MONDAY - timedelta(days=10)
    call = make_call(deadlines=[past])
    upsert_calls(db, [call], MONDAY)
    upsert_calls(db, [replace(call, deadlines=[past, DEADLINE])], NEXT_MONDAY)
    assert history(db)[1:] == [
        ("reopened", [past.isoformat()], [past.isoformat(), DEADLINE.isoformat()],
         NEXT_MONDAY.isoformat()),
    ]  # fmt: skip


def test_an_extension_after_the_deadline_passed_unseen_is_a_moved_deadline_not_a_reopening(
    tmp_path,
):
    db = open_db(tmp_path / "s.db")
    closing = MONDAY + timedelta(days=2)  # open when read on Monday, closed by the next
    call = make_call(deadlines=[closing])
    upsert_calls(db, [call], MONDAY)
    upsert_calls(db, [replace(call, deadlines=[DEADLINE])], NEXT_MONDAY)
    assert [(kind, before, after) for kind, before, after, _ in history(db)[1:]] == [
        ("deadlines", [closing.isoformat()], [DEADLINE.isoformat()]),
        ("status", "closed", "open"),
    ]


def test_changes_since_lists_what_a_run_recorded(tmp_path):
    db = open_db(tmp_path / "s.db")
    upsert_calls(db, [make_call("A"), make_call("B")], MONDAY)
    upsert_calls(db, [make_call("C"), make_call("A", budget_eur=5.0)], NEXT_MONDAY)
    assert [(c.call_id, c.kind) for c in changes_since(db, NEXT_MONDAY.isoformat())] == [
        ("eu_ftop:C", "new"), ("eu_ftop:A", "budget")]  # fmt: skip
    assert [c.call_id for c in changes_since(db, MONDAY.isoformat(), ("new",))] == [
        "eu_ftop:A", "eu_ftop:B", "eu_ftop:C"]  # fmt: skip


def test_a_store_from_before_the_history_gets_each_calls_first_appearance(tmp_path, monkeypatch):
    from matcher.store import migrations

    path = tmp_path / "old.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:5])
    old = open_db(path)
    for native, seen in (("B", MONDAY), ("A", NEXT_MONDAY)):
        old.execute("INSERT INTO calls (id, portal, native_id, title, first_seen) VALUES"
                    " (?, 'eu_ftop', ?, 'x', ?)", [f"eu_ftop:{native}", native,
                                                   seen.isoformat()])  # fmt: skip
    old.conn.close()
    monkeypatch.undo()
    db = open_db(path)
    found = changes_of(db, ["eu_ftop:A", "eu_ftop:B"])
    assert [(c.id, c.call_id, c.kind) for cs in found.values() for c in cs] == [
        (1, "eu_ftop:B", "new"), (2, "eu_ftop:A", "new")]  # fmt: skip
