"""Digests never lost, never repeated, across a crash: `matcher digest` killed (SIGKILL, in a
subprocess) by the SMTP server itself at a chosen moment, then run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter

import pytest
from digeststore import MONDAY, partners_file, seed
from mailserver import MailServer, mail_server

from matcher.store import open_db
from matcher.store.ledger import ledger_rows, messages

PARTNERS = ["bandi@comune.example.org", "progetti@provincia.example.org",
            "europa@art-er.example.org"]  # fmt: skip
OPERATORS = "ops@comune.example.org"


@pytest.fixture
def db_path(tmp_path):
    db = open_db(tmp_path / "m.db")
    seed(db)
    db.conn.close()
    return tmp_path / "m.db"


def command(db_path, tmp_path) -> list[str]:
    return [sys.executable, "-m", "matcher.cli", "--db", str(db_path), "digest", "--partners",
            str(partners_file(tmp_path)), "--method", "bm25", "--now", MONDAY.isoformat()]  # fmt: skip


def environment(tmp_path, server: MailServer) -> dict[str, str]:
    return {**os.environ, "MATCHER_HOME": str(tmp_path / "home"), "MATCHER_MAIL_FROM": "",
            "MATCHER_APP_URL": "https://bandi.example.org", **server.env()}  # fmt: skip


def run_killed(tmp_path, db_path, server: MailServer, hook: str) -> int:
    """Run `matcher digest` and let the server kill it with SIGKILL when `hook` first fires
    with one e-mail received (on_mail: the second transaction starts; on_data: the first
    e-mail was received in full, before the server says so)."""
    process = subprocess.Popen(command(db_path, tmp_path), env=environment(tmp_path, server),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def kill(received: int) -> None:
        if received == 1 and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()

    setattr(server, hook, kill)
    try:
        return process.wait(timeout=120)
    finally:
        setattr(server, hook, None)


def rerun(tmp_path, db_path, server: MailServer) -> subprocess.CompletedProcess:
    return subprocess.run(command(db_path, tmp_path), env=environment(tmp_path, server),
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def deliveries(server: MailServer) -> Counter:
    return Counter(r.recipients[0] for r in server.received)


def test_a_run_killed_after_the_first_of_three_emails_delivers_the_other_two_once_on_rerun(
    tmp_path, db_path
):
    with mail_server() as server:
        assert run_killed(tmp_path, db_path, server, "on_mail") == -signal.SIGKILL
        assert deliveries(server) == Counter({PARTNERS[0]: 1})
        again = rerun(tmp_path, db_path, server)
    assert again.returncode == 0, again.stderr
    assert deliveries(server) == Counter({**{p: 1 for p in PARTNERS}, OPERATORS: 1})
    assert {row["state"] for row in ledger_rows(open_db(db_path))} == {"sent"}


def test_a_crash_between_acceptance_and_the_ledger_repeats_that_one_email_with_its_message_id(
    tmp_path, db_path
):
    with mail_server() as server:
        assert run_killed(tmp_path, db_path, server, "on_data") == -signal.SIGKILL
        again = rerun(tmp_path, db_path, server)
    assert again.returncode == 0, again.stderr
    assert deliveries(server) == Counter({PARTNERS[0]: 2, PARTNERS[1]: 1, PARTNERS[2]: 1,
                                          OPERATORS: 1})  # fmt: skip
    first, repeated = server.to(PARTNERS[0])
    assert first.message["Message-ID"] == repeated.message["Message-ID"]
    assert first.text() == repeated.text()
    [operators] = server.to(OPERATORS)
    assert (f"Comune di Piacenza: «{first.subject}» {first.message['Message-ID']}, tentato il "
            "07/09/2026 08:00: l'esito non è noto (interruzione), inviato di nuovo con lo stesso "
            "Message-ID") in " ".join(operators.text().split())  # fmt: skip
    assert "sent again with the same Message-ID (it may arrive twice)" in again.stderr
    states = {
        m["partner"]: (m["state"], m["possibly_repeated"]) for m in messages(open_db(db_path))
    }
    assert states == {"comune": ("sent", 1), "provincia": ("sent", 0), "art_er": ("sent", 0)}
