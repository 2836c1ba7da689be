"""The partners' digests end to end, through `matcher digest`, with a real SMTP server on
127.0.0.1: who gets what, in which language, once; changes and reminders once; failures kept
pending; hostile titles escaped; the calendar attachment; opt-outs and the group's rejections."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from click.testing import CliRunner, Result
from digeststore import LEVELS, MONDAY, calls, partners_file, score, seed
from icalendar import Calendar
from mailserver import MailServer, mail_server

from matcher.cli import cli
from matcher.store import open_db, record_review, upsert_calls
from matcher.store.ledger import ledger_rows, messages

WEEK = timedelta(days=7)


@pytest.fixture
def server():
    with mail_server() as running:
        yield running


@pytest.fixture
def store(tmp_path):
    db = open_db(tmp_path / "m.db")
    seed(db)
    return db


def digest(tmp_path, server: MailServer, now=MONDAY, *args: str, env=None) -> Result:
    environment = {"MATCHER_HOME": str(tmp_path / "home"), "MATCHER_APP_URL":
                   "https://bandi.example.org", "MATCHER_MAIL_FROM": "", **server.env(),
                   **(env or {})}  # fmt: skip
    return CliRunner().invoke(cli, ["--db", str(tmp_path / "m.db"), "digest", "--partners",
                                    str(partners_file(tmp_path)), "--method", "bm25", "--now",
                                    now.isoformat(), *args], env=environment)  # fmt: skip


def sections(text: str) -> dict[str, list[str]]:
    """Section title -> the titles of its items, as the plain-text part lists them."""
    found: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        heading = re.match(r"^([A-Z][A-Z ]+) \(\d+\)$", line)
        item = re.match(r"^\d+\. (.+)$", line)
        if heading:
            current = heading.group(1)
            found[current] = []
        elif item and current:
            found[current].append(item.group(1))
    return found


def test_each_partner_gets_its_own_calls_in_its_language(tmp_path, server, store):
    result = digest(tmp_path, server)
    assert result.exit_code == 0, result.output
    by_partner = {tuple(r.recipients): r for r in server.received}
    comune = by_partner[("bandi@comune.example.org",)]
    assert comune.subject == ("3 bandi per Comune di Piacenza: 1 in scadenza, 2 nuovi "
                                         "(al 07/09/2026)")  # fmt: skip
    assert sections(comune.text()) == {
        "IN SCADENZA": ["Borghi e cammini"],
        "NUOVI BANDI": ["Illuminazione pubblica a LED", "Teleriscaldamento urbano"],
    }
    assert "Scadenza: 17/09/2026 (ora non indicata), tra 10 giorni" in comune.text()
    assert "Budget: 1.500.000 €" in comune.text()
    assert "Scheda nell'app: https://bandi.example.org/?call=eu_ftop%3AE1" in comune.text()
    provincia = by_partner[("progetti@provincia.example.org",)]
    assert sections(provincia.text()) == {"NUOVI BANDI": ["Illuminazione pubblica a LED"]}
    art_er = by_partner[("europa@art-er.example.org",)]
    assert art_er.subject == ("2 funding calls for ART-ER: 1 closing soon, 1 new "
                                         "(until 07/09/2026)")  # fmt: skip
    assert sections(art_er.text()) == {"CLOSING SOON": ["Borghi e cammini"],
                                       "NEW CALLS": ["Servizi digitali ai cittadini"]}  # fmt: skip
    assert "Deadline: 17/09/2026 (time not given), in 10 days" in art_er.text()
    operators = by_partner[("ops@comune.example.org",)]
    assert operators.subject == (
        "Territorio Smart Matcher: 0 problemi, 4 nuovi bandi, 3 digest inviati (07/09/2026)"
    )
    assert len(server.received) == 4


def test_a_second_run_sends_nothing(tmp_path, server, store):
    assert digest(tmp_path, server).exit_code == 0
    sent = len(server.received)
    again = digest(tmp_path, server, MONDAY + timedelta(hours=1))
    assert (again.exit_code, len(server.received)) == (0, sent)
    assert {row["state"] for row in ledger_rows(store)} == {"sent"}


def test_a_deadline_moved_since_the_last_digest_appears_once_under_aggiornati(
    tmp_path, server, store
):
    digest(tmp_path, server)
    e1 = calls()[0]
    upsert_calls(store, [replace(e1, deadlines=[MONDAY + timedelta(days=75)])], MONDAY + WEEK)
    digest(tmp_path, server, MONDAY + WEEK)
    digest(tmp_path, server, MONDAY + 2 * WEEK)
    updates = [r for r in server.to("bandi@comune.example.org") if "aggiorn" in
               r.subject]  # fmt: skip
    assert len(updates) == 1
    assert sections(updates[0].text()) == {"AGGIORNATI": ["Illuminazione pubblica a LED"]}
    assert "Cosa è cambiato: scadenza: da 06/11/2026 07:00 a 21/11/2026 07:00" in updates[0].text()
    assert updates[0].subject == (
        "1 bando per Comune di Piacenza: 1 aggiornato (dal 07/09/2026 al 14/09/2026)"
    )


def test_a_call_entering_the_14_day_window_appears_once_under_in_scadenza(tmp_path, server, store):
    digest(tmp_path, server)  # E2 (deadline in 40 days) is new for the Comune
    for week in (1, 2, 3, 4, 5):
        digest(tmp_path, server, MONDAY + week * WEEK)
    reminders = [r for r in server.to("bandi@comune.example.org")
                 if "Teleriscaldamento urbano" in sections(r.text()).get("IN SCADENZA", [])]  # fmt: skip
    assert [r.message["Date"] for r in reminders] == ["Mon, 05 Oct 2026 06:00:00 +0000"]
    assert "tra 12 giorni" in reminders[0].text()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_refused_login_leaves_the_ledger_pending_and_the_exit_status_non_zero(tmp_path, store):
    secret = "s3gr3t0-Piacenza!"
    with mail_server(refuse_login=True) as refusing:
        result = digest(tmp_path, refusing, env={"MATCHER_SMTP_USER": "matcher",
                                                 "MATCHER_SMTP_PASSWORD": secret})  # fmt: skip
    assert result.exit_code == 4
    assert "refused the login of 'matcher'" in result.output
    assert {row["state"] for row in ledger_rows(store)} == {"pending"}
    assert {m["state"] for m in messages(store)} == {"failed"}
    stored = "\n".join(store.conn.iterdump())
    assert secret not in result.output and secret not in stored
    with mail_server() as working:  # the next run sends what was pending
        retried = digest(tmp_path, working, MONDAY + timedelta(hours=1))
    assert (retried.exit_code, len(working.received)) == (0, 4)
    assert {row["state"] for row in ledger_rows(store)} == {"sent"}


def test_html_and_markdown_in_a_title_are_escaped_in_the_html_part(tmp_path, server, store):
    hostile = '<script>alert("x")</script> **Bando** [clic](javascript:alert(1)) & <b>co</b>'
    upsert_calls(store, [replace(calls()[0], title=hostile)], MONDAY)
    digest(tmp_path, server)
    [comune] = server.to("bandi@comune.example.org")
    html = comune.html()
    assert "<script>" not in html and "<b>co</b>" not in html
    assert ("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; **Bando** "
            "[clic](javascript:alert(1)) &amp; &lt;b&gt;co&lt;/b&gt;") in html  # fmt: skip
    assert "javascript:" not in " ".join(re.findall(r'href="([^"]*)"', html))
    assert hostile in comune.text()


def test_the_ics_attachment_parses_and_holds_exactly_the_mentioned_deadlines(
    tmp_path, server, store
):
    digest(tmp_path, server)
    [comune] = server.to("bandi@comune.example.org")
    [attachment] = list(comune.message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type()) == (
        "scadenze.ics", "text/calendar")  # fmt: skip
    calendar = Calendar.from_ical(attachment.get_payload(decode=True))
    events = sorted((str(e["summary"]), e.decoded("dtstart").isoformat())
                    for e in calendar.walk("VEVENT"))  # fmt: skip
    assert events == [
        ("Scadenza: Borghi e cammini", "2026-09-17"),
        ("Scadenza: Illuminazione pubblica a LED", "2026-11-06T07:00:00+01:00"),
        ("Scadenza: Teleriscaldamento urbano", "2026-10-17T08:00:00+02:00"),
    ]


def test_an_opted_out_address_receives_nothing(tmp_path, server, store):
    runner = CliRunner()
    env = {"MATCHER_HOME": str(tmp_path / "home")}
    optout = runner.invoke(cli, ["--db", str(tmp_path / "m.db"), "partners", "optout",
                                 "Europa@ART-ER.example.org"], env=env)  # fmt: skip
    assert optout.exit_code == 0, optout.output
    digest(tmp_path, server)
    assert server.to("europa@art-er.example.org") == []
    assert [m["partner"] for m in messages(store)] == ["comune", "provincia"]


def test_a_call_rejected_for_a_theme_is_in_no_digest_for_that_theme(tmp_path, server, store):
    score(store, {**LEVELS, ("eu_ftop:E1", "tourism"): "media"})
    record_review(store, "eu_ftop:E1", "energy", "reject", "Giulia", MONDAY, "fuori tema")
    digest(tmp_path, server)
    received = {r.recipients[0]: sections(r.text()) for r in server.received}
    assert received["bandi@comune.example.org"]["NUOVI BANDI"] == [
        "Illuminazione pubblica a LED",
        "Teleriscaldamento urbano",
    ]  # listed for tourism
    assert "progetti@provincia.example.org" not in received  # energy only: nothing left
    [comune] = server.to("bandi@comune.example.org")
    assert "Tema: Promozione turistica e cultura\n" in comune.text()


def test_a_dry_run_writes_the_emails_and_touches_nothing(tmp_path, server, store):
    result = digest(tmp_path, server, MONDAY, "--dry-run", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "art_er.eml", "comune.eml", "provincia.eml"]  # fmt: skip
    assert "Dry run: nothing sent, nothing recorded." in result.output
    assert (server.received, ledger_rows(store), messages(store)) == ([], [], [])
