"""`matcher weekly` end to end on the replayed demo snapshot with a real SMTP server: digests
once, a silent second run, the exit status cron reads, every problem listed, configuration
read before anything, and one weekly run at a time."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest
from click.testing import CliRunner, Result
from mailserver import MailServer, mail_server

from matcher.cli import cli
from matcher.config import snapshot_dir
from matcher.digest.run import DigestReport, Outcome
from matcher.jobs import WeeklyReport, load_snapshot, rank
from matcher.ranking.config import RankingConfig
from matcher.ranking.themes import load_themes
from matcher.store import RunSummary, open_db, recent_runs
from matcher.store.ledger import ledger_rows

NOW = "2026-08-22T06:00:00+00:00"
SNAPSHOT = snapshot_dir()
PARTNERS = ["bandi.europei@comune-piacenza.example.org", "progetti@provincia-piacenza.example.org",
            "promozione@camera-emilia.example.org", "europa@art-er.example.org"]  # fmt: skip
OPERATORS = "smart-territorio@comune-piacenza.example.org"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """The demo's store (the snapshot replayed and its import loaded, ranked with the fake
    model), built once."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    as_of, _ = load_snapshot(open_db(path), SNAPSHOT)
    rank(open_db(path), load_themes(), RankingConfig("learned", "fake"), as_of)
    return path


def weekly(tmp_path, db, server: MailServer | None, *args: str, now: str = NOW,
           snapshot=SNAPSHOT) -> Result:  # fmt: skip
    env = {"MATCHER_HOME": str(tmp_path / "home"), "MATCHER_APP_URL": "https://bandi.example.org",
           "MATCHER_MAIL_FROM": "", "MATCHER_PARTNERS": "", "MATCHER_SMTP_HOST": "",
           **(server.env() if server else {})}  # fmt: skip
    return CliRunner().invoke(cli, ["--db", str(db), "weekly", "--replay", str(snapshot),
                                    "--sources", str(SNAPSHOT / "sources.toml"), "--model",
                                    "fake", "--now", now, *args], env=env)  # fmt: skip


def copy_of(path, tmp_path):
    target = tmp_path / "m.db"
    source = open_db(path)
    source.conn.backup(open_db(target).conn)
    return target


def test_weekly_on_the_demo_snapshot_sends_italian_digests_then_a_second_run_is_silent(
    tmp_path, demo_store
):
    db = copy_of(demo_store, tmp_path)
    with mail_server() as server:
        first = weekly(tmp_path, db, server)
        sent = len(server.received)
        second = weekly(tmp_path, db, server, now="2026-08-22T07:00:00+00:00")
    # The snapshot's EU listing is a 6-call recording where the import stored 1,143 calls.
    assert (first.exit_code, second.exit_code) == (3, 3), first.output
    assert sorted(r.recipients[0] for r in server.received) == sorted([*PARTNERS, OPERATORS])
    assert len(server.received) == sent
    [comune] = server.to(PARTNERS[0])
    assert comune.subject.startswith("30 bandi per Comune di Piacenza: ")
    assert "IN SCADENZA (" in comune.text() and "NUOVI BANDI (" in comune.text()
    [art_er] = server.to(PARTNERS[3])
    assert "funding calls for ART-ER" in art_er.subject
    assert "Problem: eu_ftop (suspect): suspect listing: 6 items where 1143 calls are stored" in (
        second.output)  # fmt: skip
    assert {row["state"] for row in ledger_rows(open_db(db))} == {"sent"}


def test_a_failed_portal_outranks_a_failed_digest_and_the_report_lists_both(tmp_path, demo_store):
    partial = tmp_path / "snapshot"
    partial.mkdir()
    for portal in ("emilia_romagna", "eu_ftop", "incentivi_gov", "italiadomani", "wordpress"):
        (partial / portal).symlink_to(SNAPSHOT / portal)  # padigitale's recordings are missing
    with mail_server() as server:
        closed = server.env()
    down = MailServer(closed["MATCHER_SMTP_HOST"], int(closed["MATCHER_SMTP_PORT"]))
    result = weekly(tmp_path, copy_of(demo_store, tmp_path), down, snapshot=partial)
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("Problem: ")]
    assert problems[0].startswith("Problem: eu_ftop (suspect): ")
    assert problems[1].startswith("Problem: padigitale (failed): ")
    assert [p.split(" not sent")[0] for p in problems[2:6]] == [
        "Problem: digest to Comune di Piacenza", "Problem: digest to Provincia di Piacenza",
        "Problem: digest to Camera di Commercio dell'Emilia", "Problem: digest to ART-ER"]  # fmt: skip
    assert "cannot send through 127.0.0.1" in problems[2]


def report(*statuses: str, digest_failed: bool = False) -> WeeklyReport:
    outcomes = [Outcome("p", "P", "failed" if digest_failed else "sent")]
    scraped = SimpleNamespace(summaries=[RunSummary(portal=s, status=s) for s in statuses])
    return WeeklyReport(scraped, None, DigestReport(outcomes=outcomes), {})  # type: ignore[arg-type]


def test_the_exit_status_is_the_most_serious_problem_portal_then_digest_then_suspect():
    assert [
        report("ok").exit_status,
        report("ok", "suspect").exit_status,
        report("ok", digest_failed=True).exit_status,
        report("suspect", digest_failed=True).exit_status,
        report("incomplete", "suspect").exit_status,
        report("failed", "suspect", digest_failed=True).exit_status,
    ] == [0, 3, 4, 4, 1, 1]


def test_a_missing_setting_stops_the_job_before_anything_is_fetched(tmp_path):
    db = tmp_path / "m.db"
    result = weekly(tmp_path, db, None)
    assert result.exit_code == 2
    assert "MATCHER_SMTP_HOST is not set" in result.output
    assert not db.exists() or recent_runs(open_db(db)) == []


def test_a_second_weekly_run_names_the_one_holding_the_lock_and_exits_non_zero(tmp_path):
    db = tmp_path / "m.db"
    open_db(db).conn.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom datetime import UTC, datetime\n"
         "from pathlib import Path\nfrom matcher.store.lock import writer_lock\n"
         f"with writer_lock(Path({str(db)!r}), 'matcher weekly', datetime(2026, 8, 24, 4, 0, "
         "tzinfo=UTC)):\n    print('held', flush=True)\n    sys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with mail_server() as server:
            result = weekly(tmp_path, db, server)
    finally:
        holder.communicate("")
    assert result.exit_code == 1
    assert (f"another job holds the database's writing lock: matcher weekly (pid {holder.pid}) "
            "since 24/08/2026 06:00") in result.output  # fmt: skip
    assert server.received == []
