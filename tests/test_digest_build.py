"""What a digest says, decided without a server: sections, the first digest's cap, what changed
worded from what to what, decisions, withdrawn items, Message-IDs and the SMTP settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from conftest import make_call
from digeststore import KEY, MONDAY, PARTNERS, calls, partners_file, score, seed

from matcher.cli import cli
from matcher.digest.build import build_digest
from matcher.digest.operator import source_health
from matcher.digest.render import MailContext, digest_view, message_id
from matcher.digest.smtp import SmtpSettings, describe, smtp_settings
from matcher.errors import ConfigError
from matcher.partners import load_partners
from matcher.store import open_db, record_review, set_merged, shortlist_rows, upsert_calls
from matcher.store.changes import changes_of, merged_copies
from matcher.store.ledger import LedgerEntry, ledger_rows, record_pending, withdraw_stale

THEMES = ("energy", "communication", "tourism")
LABELS = {"energy": "Efficienza energetica", "communication": "Comunicazione",
          "tourism": "Promozione turistica e cultura"}  # fmt: skip
MAIL = MailContext("Bandi <bandi@comune.example.org>", "https://bandi.example.org", LABELS,
                   "ops@comune.example.org")  # fmt: skip


def partner(tmp_path, key: str):
    return load_partners(THEMES, partners_file(tmp_path)).partners[key]


def build(db, who, now=MONDAY, delivered=frozenset(), since=None, cap=10):
    listing = {t: shortlist_rows(db, t, KEY, now) for t in THEMES}
    ids = [r["id"] for rows in listing.values() for r in rows]
    history, copies = changes_of(db, ids), merged_copies(db, ids)
    return build_digest(who, listing, history, set(delivered), now, since, cap, copies)


def titles(digest):
    return {s: [i.row["title"] for i in items] for s, items in digest.sections.items()}


def test_a_first_digest_shows_each_themes_best_and_counts_the_rest(tmp_path):
    db = open_db(tmp_path / "m.db")
    seed(db)
    digest = build(db, partner(tmp_path, "comune"), cap=1)
    assert titles(digest) == {"closing": ["Borghi e cammini"],
                              "new": ["Illuminazione pubblica a LED"]}  # fmt: skip
    assert digest.rest == {"energy": 1}
    assert [(e.key, e.shown) for e in digest.covered] == [(("eu_ftop:E2", "new", 2), False)]
    view = digest_view(digest, MAIL)
    assert view["rest"] == [{
        "text": "… e altri 1 bandi per «Efficienza energetica» nell'app",
        "link": "https://bandi.example.org/?tema=Efficienza%20energetica",
    }]  # fmt: skip


def test_a_call_sent_before_comes_back_only_for_what_changed_and_says_from_what_to_what(tmp_path):
    db = open_db(tmp_path / "m.db")
    seed(db)
    comune = partner(tmp_path, "comune")
    first = build(db, comune)
    later = MONDAY + timedelta(days=7)
    e1 = calls()[0]
    upsert_calls(db, [make_call("E1", title=e1.title, budget_eur=2_000_000.0, programme="LIFE",
                                deadlines=e1.deadlines)], later)  # fmt: skip
    digest = build(db, comune, later, {e.key for e in first.entries}, since=MONDAY)
    assert titles(digest) == {"updated": ["Illuminazione pubblica a LED"]}
    [item] = digest.items
    assert digest_view(digest, MAIL)["sections"][0]["calls"][0]["changes"] == [
        "budget: da 1.500.000 € a 2.000.000 €"]  # fmt: skip
    assert [e.key for e in item.entries] == [("eu_ftop:E1", "updated", 6)]


def test_a_reopened_call_and_a_status_change_are_worded_for_the_partner(tmp_path):
    db = open_db(tmp_path / "m.db")
    seed(db)
    art_er = partner(tmp_path, "art_er")
    first = build(db, art_er)
    c1 = calls()[3]
    later = MONDAY + timedelta(days=7)
    upsert_calls(db, [make_call("C1", title=c1.title, deadlines=[MONDAY - timedelta(days=1)])],
                 MONDAY + timedelta(days=1))  # closed early by the source  # fmt: skip
    upsert_calls(db, [make_call("C1", title=c1.title, deadlines=[MONDAY + timedelta(days=50)])],
                 later)  # fmt: skip
    digest = build(db, art_er, later, {e.key for e in first.entries}, since=MONDAY)
    changes = digest_view(digest, MAIL)["sections"][0]["calls"][0]["changes"]
    assert changes == ["deadline: from 06/12/2026 07:00 to 06/09/2026 08:00",
                       "status: from open to closed",
                       "reopened: new deadline 27/10/2026 07:00"]  # fmt: skip


def test_the_groups_decisions_are_said_in_the_item(tmp_path):
    db = open_db(tmp_path / "m.db")
    seed(db)
    record_review(db, "eu_ftop:E1", "energy", "shortlist", "Giulia", MONDAY)
    record_review(db, "eu_ftop:E2", "energy", "assign", "Giulia", MONDAY, "ART-ER")
    items = digest_view(build(db, partner(tmp_path, "comune")), MAIL)["sections"][1]["calls"]
    assert [(i["title"], i["decision"]) for i in items] == [
        ("Illuminazione pubblica a LED", "in valutazione dal gruppo di lavoro"),
        ("Teleriscaldamento urbano", "assegnato a ART-ER")]  # fmt: skip


def test_a_pending_item_whose_call_is_no_longer_listed_is_withdrawn_not_sent(tmp_path):
    db = open_db(tmp_path / "m.db")
    seed(db)
    provincia = partner(tmp_path, "provincia")
    pending = build(db, provincia)
    record_pending(db, "provincia", "<m1>", ["p@x.org"], "s", pending.entries, MONDAY)
    record_review(db, "eu_ftop:E1", "energy", "reject", "Giulia", MONDAY, "no")
    later = build(db, provincia, MONDAY + timedelta(hours=1))
    assert later.items == []
    assert withdraw_stale(db, "provincia", {e.key for e in later.entries}) == 1
    assert [(r["call_id"], r["state"]) for r in ledger_rows(db)] == [("eu_ftop:E1", "withdrawn")]


def test_the_same_partner_and_items_give_the_same_message_id():
    entries = [LedgerEntry(("eu_ftop:A", "new", 1), "energy", True),
               LedgerEntry(("eu_ftop:B", "closing", 7), "energy", False)]  # fmt: skip
    first = message_id("comune", entries, MAIL.sender)
    assert first == message_id("comune", list(reversed(entries)), MAIL.sender)
    assert first.endswith("@comune.example.org>") and first.startswith("<digest.")
    assert first != message_id("provincia", entries, MAIL.sender)
    assert first != message_id("comune", entries[:1], MAIL.sender)


def test_smtp_settings_come_from_the_environment_and_keep_the_password_out_of_sight():
    env = {"MATCHER_SMTP_HOST": "smtp.example.org", "MATCHER_SMTP_USER": "bandi",
           "MATCHER_SMTP_PASSWORD": "s3gr3t0"}  # fmt: skip
    settings = smtp_settings(env)
    assert (settings.host, settings.port, settings.security) == ("smtp.example.org", 587,
                                                                 "starttls")  # fmt: skip
    assert smtp_settings({**env, "MATCHER_SMTP_PORT": "465"}).security == "ssl"
    assert "s3gr3t0" not in repr(settings)
    with pytest.raises(ConfigError, match="would send the password in clear to smtp"):
        smtp_settings({**env, "MATCHER_SMTP_SECURITY": "none"})
    with pytest.raises(ConfigError, match="MATCHER_SMTP_PORT='x' is not a port number"):
        smtp_settings({**env, "MATCHER_SMTP_PORT": "x"})


def test_a_server_that_echoes_the_login_has_it_scrubbed_from_the_error():
    import base64
    import smtplib

    settings = SmtpSettings("h", 587, "starttls", "bandi", "s3gr3t0")
    echoed = base64.b64encode(b"\0bandi\0s3gr3t0").decode()
    error = smtplib.SMTPAuthenticationError(535, f"bad credentials {echoed} s3gr3t0".encode())
    assert describe(error, settings) == "535 bad credentials *** ***"


def test_forgetting_a_person_through_the_cli_says_where_else_the_address_is(tmp_path):
    db = open_db(tmp_path / "m.db")
    seed(db)
    record_review(db, "eu_ftop:E1", "energy", "shortlist", "europa@art-er.example.org", MONDAY)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "m.db"), "partners", "forget",
                                      "europa@art-er.example.org", "--partners",
                                      str(partners_file(tmp_path))])  # fmt: skip
    line = PARTNERS.splitlines().index('emails = ["europa@art-er.example.org"]') + 1
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "europa@art-er.example.org: erased from 0 digests' recipients, 1 decisions (reviewer) "
        "and 0 notes; opted out.",
        f"Still in {tmp_path / 'partners.toml'}:{line}: remove it there too (and from backups, "
        "which keep the store as it was).",
    ]


def test_partners_check_names_each_rejected_entry_and_exits_1(tmp_path):
    path = partners_file(tmp_path, PARTNERS.replace('"progetti@provincia.example.org"',
                                                    '"bandi@comune.example.org"'))  # fmt: skip
    result = CliRunner().invoke(cli, ["partners", "check", "--partners", str(path)])
    assert result.exit_code == 1
    assert "[partners.provincia] field 'emails' has 'bandi@comune.example.org', which is " \
        "already an address of [partners.comune]" in result.output  # fmt: skip


def test_a_call_sent_before_under_another_portals_id_is_not_new_again(tmp_path):
    db = open_db(tmp_path / "m.db")
    seed(db)
    provincia = partner(tmp_path, "provincia")
    first = build(db, provincia)
    assert titles(first) == {"new": ["Illuminazione pubblica a LED"]}
    later = MONDAY + timedelta(days=7)
    regional = make_call("E1-ER", "emilia_romagna", title="Illuminazione pubblica a LED",
                         deadlines=calls()[0].deadlines)  # fmt: skip
    upsert_calls(db, [regional], later)
    set_merged(db, {"eu_ftop:E1": "emilia_romagna:E1-ER"})  # the region's record survives
    score(db, {("emilia_romagna:E1-ER", "energy"): "alta"}, later)
    sent = {e.key for e in first.entries}
    assert build(db, provincia, later, sent, since=MONDAY).items == []


def test_a_source_listing_far_fewer_calls_than_usual_is_a_problem_without_its_counts():
    def run(fetched, status="ok", errors=()):
        return {"portal": "padigitale", "status": status, "fetched": fetched, "new": 0,
                "changed": 0, "vanished": 0, "errors": list(errors)}  # fmt: skip

    newest_first = [run(20), run(57), run(55), run(0, "failed", ["timeout"]), run(57)]
    assert source_health(newest_first) == [(
        "padigitale: ok, 20 letti, 0 nuovi, 0 modificati, 0 scomparsi",
        "padigitale: molti meno bandi del solito (20, di solito 57)",
    )]  # fmt: skip
    assert source_health([run(0, "failed", ["padigitale: HTTP 503"]), run(57)]) == [(
        "padigitale: failed, 0 letti, 0 nuovi, 0 modificati, 0 scomparsi",
        "padigitale: failed — padigitale: HTTP 503",
    )]  # fmt: skip
    assert source_health([run(50), run(57)])[0][1] == ""
