"""The app in a real browser: `streamlit run` headless on 127.0.0.1, Debian's Chromium driven
by Playwright (.ci/run installs Chromium; `playwright install` is not used)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from appstore import SCRIPT_TITLE, seed_store

from matcher.cli.app import streamlit_command

APP = Path(__file__).parent.parent / "app.py"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path) -> Iterator[str]:
    """The app on a seeded store, on a free port of 127.0.0.1; its address."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium; see .ci/run)")
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (test extra)")
    store = tmp_path / "app.db"
    env = {**os.environ, "MATCHER_HOME": str(tmp_path / "home"), "MATCHER_MODEL": "fake",
           "MATCHER_DB": str(store)}  # fmt: skip
    env.pop("MATCHER_APP_PASSWORD", None)
    seed_store(store)
    port = free_port()
    log = (tmp_path / "streamlit.log").open("w")
    server = subprocess.Popen(streamlit_command(APP, "127.0.0.1", port), env=env, stdout=log,
                              stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, tmp_path / "streamlit.log")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit ended at start-up:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)  # polling a server that is starting, not waiting for time to pass
    pytest.fail(f"streamlit did not answer in {STARTUP_SECONDS} s:\n{log.read_text()}")


def test_the_shortlist_shows_call_titles_in_a_real_browser_and_filters_go_into_the_url(
    served, tmp_path
):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        # A fresh profile of its own (Playwright passes it as --user-data-dir).
        browser = driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_FLAGS[1:], viewport={"width": 1400, "height": 1000},
        )  # fmt: skip
        try:
            page = browser.new_page()
            page.goto(f"{served}/?min=0")
            # the tables draw on a canvas; their cells are kept, hidden, for screen readers
            # and the grid fills its columns in after it attaches: wait for the title cells
            page.wait_for_function(
                """() => [...document.querySelectorAll('[role=gridcell]')]
                          .some(cell => cell.textContent === 'Illuminazione pubblica a LED')""",
                timeout=STARTUP_SECONDS * 1000,
            )
            page.screenshot(path=str(tmp_path / "shortlist.png"))
            cells = page.locator("[role=gridcell]").all_inner_texts()
            # the hostile title shows as the text it is, not as markup
            assert {"Illuminazione pubblica a LED", SCRIPT_TITLE} <= set(cells)
            assert "Efficienza energetica" in page.inner_text("[role=tablist]")
            page.get_by_label("Testo libero").fill("LED")
            page.keyboard.press("Enter")
            page.wait_for_url("**q=LED**", timeout=30_000)
            page.wait_for_function(  # the filtered view: the one call about LED
                "() => document.body.innerText.includes('1 bandi (punteggio ≥ 0).')",
                timeout=30_000,
            )
        finally:
            browser.close()
    assert (tmp_path / "shortlist.png").stat().st_size > 10_000
