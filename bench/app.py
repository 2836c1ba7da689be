"""The app's first view on a store of 10,000 calls: how long until the shortlist is there.

The judged corpus (2,366 real calls) is loaded under several ids until there are 10,000 calls
(as bench/rank.py does) and ranked with the default method on the fake model (the model does
not change what the app reads: one row of scores per call and theme). Then, measured after
start-up:

1. AppTest: the first run of app.py (the script, its store reads and the energy shortlist;
   Streamlit's caches empty), then a second run (a rerun, caches warm);
2. a real `streamlit run` (as `matcher app` starts it) on 127.0.0.1 and headless Chromium
   (when installed, through Playwright): from opening the page to the shortlist's rows being
   in the page; and the same for a page with one 72-row table, which is what Streamlit's own
   front end costs on the machine.

Run: python bench/app.py [--calls 10000]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from matcher.config import data_dir
from matcher.importer import read_import_file
from matcher.models import ScrapeResult
from matcher.ranking.config import DEFAULT_METHOD, RankingConfig
from matcher.ranking.embed import FakeEmbedder
from matcher.ranking.rank import rank
from matcher.ranking.themes import load_themes
from matcher.store import open_db, save_result, set_meta

NOW = datetime(2026, 8, 22, 6, 0, tzinfo=UTC)
APP = Path(__file__).parent.parent / "app.py"


def build(path: Path, total: int) -> None:
    base = read_import_file(data_dir() / "judgments" / "calls.jsonl").calls
    calls = [replace(c, native_id=f"{c.native_id}~{i // len(base)}", aliases=[])
             for i, c in enumerate(base * (total // len(base) + 1))][:total]  # fmt: skip
    db = open_db(path)
    save_result(db, "import", ScrapeResult(calls=calls), NOW)
    set_meta(db, "as_of", NOW.isoformat())  # read as of the corpus's date, like the demo
    # the default method, with the fake model: the first view reads stored scores, whichever
    # model made them, and the fake one makes them in seconds
    rank(db, load_themes(), RankingConfig(DEFAULT_METHOD, "fake"), NOW, embedder=FakeEmbedder())
    db.conn.close()


def apptest(path: Path) -> None:
    from streamlit.testing.v1 import AppTest

    test = AppTest.from_file(str(APP), default_timeout=120)
    start = time.perf_counter()
    test.run()
    first = time.perf_counter() - start
    rows = len(test.dataframe(key="table_energy").value)
    start = time.perf_counter()
    test.run()
    second = time.perf_counter() - start
    print(f"{'AppTest first run':36} {first:6.2f} s  ({rows} rows in the energy shortlist)")
    print(f"{'AppTest rerun (caches warm)':36} {second:6.2f} s")


BASELINE = """import streamlit as st
st.dataframe([{"#": i, "title": f"call {i}"} for i in range(72)])
"""


def browser(tmp: Path) -> None:
    """Opening the page in Chromium until the shortlist's rows are there, for the app and for a
    one-table Streamlit page (what Streamlit's own page costs on this machine)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        print("browser: skipped (needs Chromium and the playwright package)")
        return
    from matcher.cli.app import streamlit_command

    baseline = tmp / "baseline.py"
    baseline.write_text(BASELINE, encoding="utf-8")
    with sync_playwright() as driver:
        for label, script in (("app.py", APP), ("one-table page", baseline)):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            server = subprocess.Popen(streamlit_command(script, "127.0.0.1", port),
                                      env=os.environ.copy(), stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)  # fmt: skip
            url = f"http://127.0.0.1:{port}"
            try:
                started = time.perf_counter()
                while True:
                    try:
                        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                            break
                    except OSError:
                        time.sleep(0.1)
                up = time.perf_counter() - started
                chrome = driver.chromium.launch(executable_path=chromium,
                                                args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
                page = chrome.new_page()
                start = time.perf_counter()
                page.goto(url)
                page.wait_for_selector("[role=gridcell]", state="attached", timeout=120_000)
                shown = time.perf_counter() - start
                chrome.close()
                print(f"{'browser, ' + label + ': rows shown':36} {shown:6.2f} s  (server up "
                      f"in {up:.1f} s)")  # fmt: skip
            finally:
                server.terminate()
                server.wait()


def main(total: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        start = time.perf_counter()
        build(path, total)
        print(f"{total} calls loaded and ranked in {time.perf_counter() - start:.0f} s")
        os.environ.update(MATCHER_DB=str(path), MATCHER_MODEL="fake", MATCHER_HOME=tmp)
        os.environ.pop("MATCHER_APP_PASSWORD", None)
        apptest(path)
        browser(Path(tmp))


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    main(parser.parse_args().calls)
