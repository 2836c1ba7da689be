"""Total time limits end to end: the settings, the portal's deadline, and a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from faults import faults as f
from faults.run import NOW, QUICK, last_run, rows, scrape
from matcher.cli.common import client_factory
from matcher.config import http_settings
from matcher.errors import ConfigError
from scrapers import eu_ftop
from scrapers.http import PoliteTransport


@pytest.mark.parametrize(("variable", "value"), [
    ("MATCHER_HTTP_REQUEST_DEADLINE", "0"), ("MATCHER_HTTP_REQUEST_DEADLINE", "mezz'ora"),
    ("MATCHER_HTTP_PORTAL_DEADLINE", "-5"), ("MATCHER_HTTP_PORTAL_DEADLINE", "inf"),
    ("MATCHER_HTTP_MAX_BYTES", "10"), ("MATCHER_HTTP_MAX_BYTES", "1.5"),
])  # fmt: skip
def test_a_bad_deadline_or_size_setting_names_its_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=f"^{variable}={value!r} is not valid"):
        http_settings()


def test_the_settings_reach_every_portals_client(monkeypatch):
    monkeypatch.setenv("MATCHER_HTTP_REQUEST_DEADLINE", "42")
    monkeypatch.setenv("MATCHER_HTTP_PORTAL_DEADLINE", "600")
    monkeypatch.setenv("MATCHER_HTTP_MAX_BYTES", "1048576")
    with client_factory()(eu_ftop) as client:
        transport = client._transport
    assert isinstance(transport, PoliteTransport)
    assert (transport.request_deadline, transport.portal_deadline, transport.max_bytes) == (
        42.0, 600.0, 1048576,
    )  # fmt: skip


def test_a_portal_past_its_deadline_stops_asking_and_keeps_what_it_read(portals, sources, filled):
    store = filled("wordpress")
    before = rows(store)
    portals.fault("wordpress", f.slow(0.3))  # eight requests of 0.3 s: 2.4 s in all
    started = time.monotonic()
    result = scrape(store, sources, "--portal", "wordpress",
                    env={"MATCHER_HTTP_PORTAL_DEADLINE": "0.5"})  # fmt: skip
    elapsed = time.monotonic() - started
    run = last_run(store, "wordpress")
    assert (result.exit_code, run["status"], run["fetched"]) == (1, "incomplete", 15)
    assert "the portal's deadline of 0.5 s" in run["errors"]
    assert elapsed < 2.0
    assert rows(store) == before


def test_a_trickling_portal_ends_a_real_scrape_at_its_deadline(portals, sources, filled):
    store = filled("eu_ftop")
    before = rows(store)
    portals.fault("eu_ftop", f.trickling)
    env = {**os.environ, **QUICK, "MATCHER_HTTP_RETRIES": "3"}
    command = [sys.executable, "-m", "matcher.cli", "--db", str(store), "scrape", "--portal",
               "eu_ftop", "--base-url", portals.url("eu_ftop"), "--sources", str(sources),
               "--now", NOW]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith(
        f"Error: eu_ftop: gave up on {portals.url('eu_ftop')}?apiKey=SEDIA"
    )
    assert "at the request deadline of 1 s (last: body still arriving" in done.stderr
    assert elapsed < 15  # start-up included; the trickle alone would take half an hour
    assert rows(store) == before
