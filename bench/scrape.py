"""Scraping speed on the bundled recordings: calls parsed per second per portal, and the
end-to-end time of a replayed scrape into a fresh store (the demo's load).

Run: python bench/scrape.py [--repeat N]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

from matcher.config import snapshot_dir
from matcher.jobs import load_snapshot
from matcher.sources import load_sources
from matcher.store import call_ids, open_db
from scrapers import PORTALS
from scrapers.base import run_portal
from scrapers.recording import replay_client


def parse_rates(repeat: int) -> None:
    snapshot = snapshot_dir()
    sources = load_sources(snapshot / "sources.toml")
    client = replay_client(snapshot)
    print(f"{'portal':16} {'calls':>6} {'seconds':>8} {'calls/s':>9}")
    for name in ("eu_ftop", "emilia_romagna", "incentivi_gov", "padigitale", "italiadomani",
                 "wordpress"):  # fmt: skip
        start = time.perf_counter()
        for _ in range(repeat):
            result = run_portal(PORTALS[name], client, config=sources.get(name))
        elapsed = (time.perf_counter() - start) / repeat
        count = len(result.calls)
        print(f"{name:16} {count:6d} {elapsed:8.4f} {count / elapsed:9.0f}")


def end_to_end() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        start = time.perf_counter()
        load_snapshot(db, snapshot_dir())
        elapsed = time.perf_counter() - start
        total = len(call_ids(db))
    print(f"\nreplayed scrape + import of the demo snapshot: {total} calls in {elapsed:.2f} s "
          f"({total / elapsed:.0f} calls/s, store writes included)")  # fmt: skip


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)  # the trimmed recordings' expected warnings
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    parse_rates(args.repeat)
    end_to_end()
