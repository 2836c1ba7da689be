"""The weekly job on replayed portal responses in which nothing changed: how long a run takes
when there is nothing to send (the usual week's floor, before live portals' politeness delays).

The store holds the demo snapshot (its portals replayed, its EU import) plus the judged corpus
(data/judgments/calls.jsonl, which mostly updates the same calls), topped up to `--calls` with
renamed copies of corpus calls under a portal that is not replayed; ranked with BM25 (nothing
to embed). The bundled example partners are written to by a local SMTP server (aiosmtpd on
127.0.0.1). The weekly job runs on the same replayed responses again and again: the first run
sends the partners' first digests; the second still marks vanished the few imported calls that
two complete listings in a row lack; from the third on, nothing changes. Prints each run's
seconds.

Run: python bench/weekly.py [--calls 3000] [--runs 3]
"""

from __future__ import annotations

import argparse
import logging
import socket
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from matcher import jobs
from matcher.config import data_dir, snapshot_dir
from matcher.digest.render import MailContext
from matcher.digest.run import DigestSettings
from matcher.digest.smtp import SmtpSettings, connect
from matcher.importer import read_import_file
from matcher.models import Call
from matcher.partners import load_partners
from matcher.ranking.config import RankingConfig
from matcher.ranking.themes import load_themes
from matcher.sources import load_sources
from matcher.store import active_hashes, call_ids, open_db
from scrapers import PORTALS, portal_settings
from scrapers.base import check_site
from scrapers.recording import replay_client


class Count:
    """Accepts every e-mail and counts them."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        return "250 OK"


LABELS = ("first run (first digests)", "second run (a few vanish)", "run with nothing changed")


def copies(corpus: list[Call], n: int) -> list[Call]:
    """`n` renamed copies of corpus calls, under a portal that no replay lists (never vanish)."""
    repeated = (corpus * (max(0, n) // len(corpus) + 1))[: max(0, n)]
    return [replace(c, portal="bench", native_id=f"{c.id}~{i}", aliases=[], links=[],
                    title=f"{c.title} (copia {i})") for i, c in enumerate(repeated)]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(total: int, runs: int) -> None:
    snapshot = snapshot_dir()
    themes = load_themes()
    ranking = RankingConfig("bm25", None)
    partners = load_partners(tuple(themes.themes), data_dir() / "partners.toml")
    labels = {key: theme.label for key, theme in themes.themes.items()}
    mail = MailContext(partners.sender, "https://bandi.example.org", labels, partners.operators[0])
    settings = DigestSettings(partners, ranking.key, mail)
    sources = load_sources(snapshot / "sources.toml", portal_settings(), check_site)
    portals = [PORTALS[name] for name in ("eu_ftop", "emilia_romagna", "incentivi_gov",
                                          "padigitale", "italiadomani", "wordpress")]  # fmt: skip
    handler, port = Count(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    smtp = SmtpSettings("127.0.0.1", port, "none")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = open_db(Path(tmp) / "weekly.db")
            as_of, _ = jobs.load_snapshot(db, snapshot)
            corpus = read_import_file(data_dir() / "judgments" / "calls.jsonl").calls
            jobs.import_calls(db, corpus, as_of)
            jobs.import_calls(db, copies(corpus, total - len(call_ids(db))), as_of)
            print(f"{len(call_ids(db))} stored calls ({len(active_hashes(db))} active), "
                  f"{len(partners.partners)} partners, {ranking.label}, replayed portals: "
                  f"{', '.join(p.NAME for p in portals)}")  # fmt: skip
            for run in range(1, runs + 1):
                before = handler.received
                start = time.perf_counter()
                report = jobs.weekly(db, portals, lambda _: replay_client(snapshot), sources,
                                     themes, ranking, settings, lambda: connect(smtp),
                                     as_of)  # fmt: skip
                seconds = time.perf_counter() - start
                label = LABELS[min(run, len(LABELS)) - 1]
                print(f"{label:28} {seconds:6.2f} s  ({handler.received - before} e-mails, "
                      f"{report.digests.count('sent')} digests, ranked {report.rank.calls} calls, "
                      f"{report.rank.scored_themes} themes rescored, exit status "
                      f"{report.exit_status})")  # fmt: skip
    finally:
        controller.stop()


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=3_000, help="stored calls at least")
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.calls, arguments.runs)
