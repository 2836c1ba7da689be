"""What the store does with absurd dates, shrinking listings, labels, two writers and backups."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from conftest import make_call

from matcher.cli import cli
from matcher.jobs import dedupe, import_calls
from matcher.models import ScrapeResult
from matcher.records import call_to_json
from matcher.status import compute_status
from matcher.store import get_call, load_calls, open_db, recent_runs, save_result
from matcher.store.lock import LockBusy, writer_lock

T0 = datetime(2026, 8, 1, 6, 0, tzinfo=UTC)
T1, T2 = T0 + timedelta(days=7), T0 + timedelta(days=14)


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "store.db")


def vanished(db) -> dict[str, str | None]:
    return {call.id: history["vanished_at"] for call, history in load_calls(db)}


def test_a_deadline_in_year_9999_is_flagged_kept_out_of_status_and_poisons_nothing(db):
    absurd = make_call("A", deadlines=[datetime(9999, 12, 31, 23, 0, tzinfo=UTC)])
    summary = save_result(db, "eu_ftop", ScrapeResult([absurd, make_call("B")]), T0)
    # every later write and read still works: another portal, an import, the duplicate check
    save_result(db, "feeds", ScrapeResult([make_call("F", portal="feeds")]), T1)
    import_calls(db, [make_call("I", portal="import")], T1)
    dedupe(db)
    call, history = get_call(db, "eu_ftop:A")
    assert (call.deadlines, compute_status(call, T1)) == ([], "unknown")
    assert call.date_issues == ["scadenza 9999-12-31 fuori dall'intervallo plausibile (1990-2100)"]
    assert call_to_json(call, history, T1)["date_issues"] == call.date_issues
    assert (summary.status, summary.date_issues) == ("ok", 1)
    assert summary.warnings == [
        "eu_ftop: 1 calls with implausible or unreadable dates, kept out of the status: eu_ftop:A"
    ]


def test_a_deadline_before_the_opening_is_flagged_not_shown_as_forthcoming(db):
    odd = make_call("A", opening=datetime(2026, 10, 1, tzinfo=UTC),
                    deadlines=[datetime(2026, 9, 1, tzinfo=UTC)])  # fmt: skip
    save_result(db, "eu_ftop", ScrapeResult([odd]), T0)
    call, _ = get_call(db, "eu_ftop:A")
    assert (call.opening, call.deadlines, compute_status(call, T0)) == (None, [], "unknown")
    assert call.date_issues == ["scadenza 2026-09-01 precedente all'apertura 2026-10-01"]


def test_a_store_already_holding_an_absurd_date_reads_and_dedupes(db, tmp_path):
    save_result(db, "eu_ftop", ScrapeResult([make_call("A")]), T0)
    raw = sqlite3.connect(tmp_path / "store.db")  # as written by an older version
    raw.execute("UPDATE calls SET deadlines = ? WHERE id = 'eu_ftop:A'",
                [json.dumps(["9999-12-31T23:00:00+00:00"])])  # fmt: skip
    raw.commit()
    raw.close()
    dedupe(db)
    assert get_call(db, "eu_ftop:A")[0].deadlines == []


def test_a_small_portal_dropping_from_16_calls_to_1_is_suspect(db):
    save_result(db, "emilia_romagna", ScrapeResult(
        [make_call(str(i), portal="emilia_romagna") for i in range(16)]), T0)  # fmt: skip
    summary = save_result(db, "emilia_romagna",
                          ScrapeResult([make_call("1", portal="emilia_romagna")]), T1)  # fmt: skip
    assert (summary.status, summary.vanished) == ("suspect", 0)
    assert set(vanished(db).values()) == {None}


def test_a_call_vanishes_only_when_missing_from_two_complete_listings_in_a_row(db):
    save_result(db, "eu_ftop", ScrapeResult([make_call("A"), make_call("B")]), T0)
    first = save_result(db, "eu_ftop", ScrapeResult([make_call("A")]), T1)
    assert (first.vanished, vanished(db)["eu_ftop:B"]) == (0, None)
    second = save_result(db, "eu_ftop", ScrapeResult([make_call("A")]), T2)
    assert (second.vanished, vanished(db)["eu_ftop:B"]) == (1, T2.isoformat())


def test_a_call_back_in_the_next_listing_starts_counting_again(db):
    save_result(db, "eu_ftop", ScrapeResult([make_call("A"), make_call("B")]), T0)
    save_result(db, "eu_ftop", ScrapeResult([make_call("A")]), T1)
    save_result(db, "eu_ftop", ScrapeResult([make_call("A"), make_call("B")]), T1)
    save_result(db, "eu_ftop", ScrapeResult([make_call("A")]), T2)
    assert vanished(db)["eu_ftop:B"] is None


def test_an_incomplete_listing_neither_vanishes_nor_counts_as_missing(db):
    save_result(db, "eu_ftop", ScrapeResult([make_call("A"), make_call("B")]), T0)
    save_result(db, "eu_ftop", ScrapeResult([make_call("A")]), T1)
    save_result(db, "eu_ftop", ScrapeResult([make_call("A")], complete=False), T1)
    save_result(db, "eu_ftop", ScrapeResult([make_call("A")], errors=["eu_ftop: HTTP 500"]), T1)
    assert vanished(db)["eu_ftop:B"] is None


def test_dates_decide_over_a_label_in_corso_with_a_deadline_still_ahead():
    call = make_call(portal="emilia_romagna", status_hint="closed", tz="Europe/Rome",
                     deadlines=[datetime(2026, 5, 20, 10, 0, tzinfo=UTC)])  # fmt: skip
    assert compute_status(call, datetime(2026, 5, 1, tzinfo=UTC)) == "open"
    assert compute_status(call, datetime(2026, 5, 21, tzinfo=UTC)) == "closed"
    undated = make_call(portal="emilia_romagna", status_hint="closed", deadlines=[])
    assert compute_status(undated, datetime(2026, 5, 1, tzinfo=UTC)) == "closed"


def test_a_second_writer_is_told_who_holds_the_lock_and_since_when(db, tmp_path):
    with writer_lock(tmp_path / "store.db", "matcher scrape", T0):
        with pytest.raises(LockBusy) as caught:
            with writer_lock(tmp_path / "store.db", "matcher rank", T1, reentrant=False):
                pass
    assert str(caught.value).startswith("another job holds the database's writing lock: ")
    assert "matcher scrape" in str(caught.value) and "01/08/2026 08:00" in str(caught.value)
    with writer_lock(tmp_path / "store.db", "matcher rank", T1):  # released: free again
        pass


HOLD_LOCK = """
import sys
from datetime import datetime
from pathlib import Path
from matcher.store.lock import writer_lock
with writer_lock(Path(sys.argv[1]), "matcher weekly", datetime.fromisoformat(sys.argv[2])):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_second_scrape_exits_non_zero_without_touching_the_running_one(tmp_path):
    path = tmp_path / "store.db"
    save_result(open_db(path), "eu_ftop", ScrapeResult([make_call("A")]), T0)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path), T0.isoformat()],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = CliRunner().invoke(cli, ["--db", str(path), "scrape", "--portal", "eu_ftop"])
    finally:
        holder.communicate("")
    assert result.exit_code == 1
    assert "another job holds the database's writing lock: matcher weekly" in result.output
    assert "since 01/08/2026 08:00" in result.output
    assert [r["status"] for r in recent_runs(open_db(path))] == ["ok"]  # no run started


def test_backup_then_restore_gives_back_every_call_and_decision(tmp_path):
    path, copy = tmp_path / "store.db", tmp_path / "backup.db"
    db = open_db(path)
    save_result(db, "eu_ftop", ScrapeResult([make_call("A"), make_call("B")]), T0)
    run = CliRunner().invoke
    assert run(cli, ["--db", str(path), "review", "eu_ftop:A", "--theme", "energy",
                     "--decision", "shortlist", "--reviewer", "Giulia"]).exit_code == 0  # fmt: skip
    backed = run(cli, ["--db", str(path), "backup", str(copy)])
    assert backed.exit_code == 0, backed.output
    save_result(db, "eu_ftop", ScrapeResult([make_call("C")], complete=False), T1)
    restored = run(cli, ["--db", str(path), "restore", str(copy)])
    assert restored.exit_code == 0, restored.output
    db = open_db(path)
    assert sorted(vanished(db)) == ["eu_ftop:A", "eu_ftop:B"]
    assert [r["reviewer"] for r in db.query("SELECT reviewer FROM reviews")] == ["Giulia"]


def test_restore_refuses_a_file_that_is_not_a_store_and_changes_nothing(tmp_path):
    path, junk = tmp_path / "store.db", tmp_path / "junk.db"
    save_result(open_db(path), "eu_ftop", ScrapeResult([make_call("A")]), T0)
    junk.write_bytes(b"not a database" * 100)
    result = CliRunner().invoke(cli, ["--db", str(path), "restore", str(junk)])
    assert result.exit_code == 1 and "junk.db" in result.output
    assert list(vanished(open_db(path))) == ["eu_ftop:A"]


def test_a_backup_copies_an_older_store_as_it_is_without_migrating_it(tmp_path, monkeypatch):
    from matcher.store import migrations
    from matcher.store.backup import backup

    path, copy = tmp_path / "store.db", tmp_path / "backup.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:-1])  # an older version
    open_db(path).conn.close()
    monkeypatch.undo()
    backup(path, copy)
    older = len(migrations.MIGRATIONS) - 1
    for store in (path, copy):
        with sqlite3.connect(store) as conn:
            assert conn.execute("SELECT MAX(number) FROM _migrations").fetchone() == (older,)
    assert list(tmp_path.glob("*.bak")) == []


def test_a_migration_first_copies_the_existing_store(tmp_path, monkeypatch):
    from matcher.store import migrations

    path = tmp_path / "store.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:-1])  # an older version
    old_db = open_db(path)
    old_db.execute("INSERT INTO calls (id, portal, native_id, title) VALUES (?, ?, ?, ?)",
                   ["eu_ftop:A", "eu_ftop", "A", "Call A"])  # fmt: skip
    old_db.conn.close()
    monkeypatch.undo()
    assert list(tmp_path.glob("*.bak")) == []
    open_db(path)  # the new version migrates it
    [copy] = tmp_path.glob("store.db.before-m*.bak")
    old = sqlite3.connect(copy)
    assert old.execute("SELECT id FROM calls").fetchall() == [("eu_ftop:A",)]
    assert old.execute("SELECT MAX(number) FROM _migrations").fetchone() == (
        len(migrations.MIGRATIONS) - 1,
    )
