"""The digest ledger's states (pending → sending → sent; failed; unknown after a crash), opt-outs
kept as hashes, and erasing a person from the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import make_call

from matcher.store import open_db, record_review, upsert_calls
from matcher.store.ledger import (
    LedgerEntry,
    delivered_keys,
    ledger_rows,
    mark_failed,
    mark_sent,
    mark_unknown_outcomes,
    messages,
    record_pending,
    start_attempt,
    withdraw_stale,
)
from matcher.store.people import email_hash, forget, opt_in, opt_out, opted_out

NOW = datetime(2026, 8, 24, 6, 0, tzinfo=UTC)
A = ("eu_ftop:A", "new", 1)
B = ("eu_ftop:B", "new", 2)


def entries(*keys):
    return [LedgerEntry(key, "energy", True) for key in keys]


def states(db):
    return [(r["call_id"], r["state"], r["message_id"]) for r in ledger_rows(db, "p")]


def message_states(db):
    return [(m["message_id"], m["state"], m["possibly_repeated"]) for m in messages(db)]


def test_items_are_pending_until_the_server_accepts_their_email_then_sent(tmp_path):
    db = open_db(tmp_path / "s.db")
    record_pending(db, "p", "<m1>", ["a@x.org"], "Bandi", entries(A, B), NOW)
    assert (states(db), delivered_keys(db, "p")) == (
        [("eu_ftop:A", "pending", "<m1>"), ("eu_ftop:B", "pending", "<m1>")],
        set(),
    )
    start_attempt(db, "<m1>", NOW)
    mark_sent(db, "<m1>", NOW, refused=[])
    assert (states(db), delivered_keys(db, "p")) == (
        [("eu_ftop:A", "sent", "<m1>"), ("eu_ftop:B", "sent", "<m1>")], {A, B})  # fmt: skip
    assert message_states(db) == [("<m1>", "sent", 0)]


def test_a_failed_email_leaves_its_items_pending_and_the_next_email_takes_them_over(tmp_path):
    db = open_db(tmp_path / "s.db")
    record_pending(db, "p", "<m1>", ["a@x.org"], "Bandi", entries(A), NOW)
    start_attempt(db, "<m1>", NOW)
    mark_failed(db, "<m1>", "535 authentication failed")
    assert states(db) == [("eu_ftop:A", "pending", "<m1>")]
    later = NOW + timedelta(days=7)
    record_pending(db, "p", "<m2>", ["a@x.org"], "Bandi", entries(A, B), later)
    assert states(db) == [("eu_ftop:A", "pending", "<m2>"), ("eu_ftop:B", "pending", "<m2>")]
    assert message_states(db) == [("<m1>", "superseded", 0), ("<m2>", "pending", 0)]


def test_an_email_a_crash_left_sending_is_unknown_and_rebuilt_it_is_flagged_as_a_repeat(
    tmp_path,
):
    db = open_db(tmp_path / "s.db")
    record_pending(db, "p", "<m1>", ["a@x.org"], "Bandi", entries(A), NOW)
    start_attempt(db, "<m1>", NOW)  # then the process dies: no mark_sent, no mark_failed
    assert [m["message_id"] for m in mark_unknown_outcomes(db)] == ["<m1>"]
    assert message_states(db) == [("<m1>", "unknown", 0)]
    record_pending(db, "p", "<m1>", ["a@x.org"], "Bandi", entries(A), NOW)
    assert message_states(db) == [("<m1>", "pending", 1)]
    assert mark_unknown_outcomes(db) == []


def test_pending_items_no_longer_due_are_withdrawn_and_can_be_due_again(tmp_path):
    db = open_db(tmp_path / "s.db")
    record_pending(db, "p", "<m1>", ["a@x.org"], "Bandi", entries(A, B), NOW)
    assert withdraw_stale(db, "p", due={A}) == 1
    assert states(db) == [("eu_ftop:A", "pending", "<m1>"), ("eu_ftop:B", "withdrawn", "<m1>")]
    record_pending(db, "p", "<m2>", ["a@x.org"], "Bandi", entries(B), NOW)
    assert states(db)[1] == ("eu_ftop:B", "pending", "<m2>")


def test_a_sent_item_is_never_made_pending_again(tmp_path):
    db = open_db(tmp_path / "s.db")
    record_pending(db, "p", "<m1>", ["a@x.org"], "Bandi", entries(A), NOW)
    mark_sent(db, "<m1>", NOW, refused=[])
    record_pending(db, "p", "<m2>", ["a@x.org"], "Bandi", entries(A), NOW)
    assert states(db) == [("eu_ftop:A", "sent", "<m1>")]


def test_an_opt_out_is_kept_as_a_hash_of_the_address_only(tmp_path):
    db = open_db(tmp_path / "s.db")
    assert opt_out(db, " Anna@Comune.example.org ", NOW) is True
    assert opt_out(db, "anna@comune.example.org", NOW) is False
    stored = db.execute("SELECT email_hash, how FROM optouts").fetchall()
    assert stored == [(email_hash("anna@comune.example.org"), "optout")]
    assert opted_out(db, ["ANNA@comune.example.org", "b@x.org"]) == {"ANNA@comune.example.org"}
    assert (opt_in(db, "anna@comune.example.org"), opted_out(db, ["anna@comune.example.org"])) == (
        True, set())  # fmt: skip


def test_forgetting_a_person_erases_them_from_digests_and_decisions_and_opts_them_out(tmp_path):
    db = open_db(tmp_path / "s.db")
    upsert_calls(db, [make_call("A")], NOW)
    record_pending(db, "p", "<m1>", ["anna@x.org", "b@x.org"], "Bandi", entries(A), NOW)
    record_review(db, "eu_ftop:A", "energy", "shortlist", "Anna@x.org", NOW, "sentito anna@x.org")
    record_review(db, "eu_ftop:A", "energy", "note", "Bruno", NOW, "ok")
    assert forget(db, "anna@x.org", NOW) == {"digests": 1, "reviews": 1, "notes": 1, "optout": 1}
    assert messages(db)[0]["recipients"] == ["[cancellato]", "b@x.org"]
    reviews = db.execute("SELECT reviewer, note FROM reviews ORDER BY id").fetchall()
    assert reviews == [("[cancellato]", "sentito [cancellato]"), ("Bruno", "ok")]
    assert opted_out(db, ["anna@x.org"]) == {"anna@x.org"}
    on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"anna@x.org" not in on_disk.lower()
