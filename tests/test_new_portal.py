"""A new portal is one module added to PORTALS: scraped, stored, de-duplicated and listed
without touching any other file."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import UTC, date, datetime

from click.testing import CliRunner
from conftest import make_call
from localserver import serve

from matcher.cli import cli
from matcher.normalize.timezones import local_midnight
from matcher.store import open_db, upsert_calls
from scrapers import PORTALS

# What a maintainer would write in scrapers/comune_piacenza.py for a town's own JSON listing.
MODULE = '''
"""A town's own list of calls (JSON): a portal written with the toolkit alone."""

from datetime import date

from matcher.models import Call
from matcher.normalize.timezones import IT_TZ, local_midnight
from scrapers.base import configured_url
from scrapers.files import fetch_bytes

NAME = "comune_demo"
TITLE = "Comune (demo)"
SITES_CONFIGURED = False
DEDUPE_PRIORITY = 5
SETTINGS = {"url": str}
DEFAULT_URL = "https://comune.example.org/bandi.json"


def scrape(client, *, base_url=None, report, config=None):
    import json

    url = base_url or configured_url(config, NAME) or DEFAULT_URL
    for item in json.loads(fetch_bytes(client, url))["bandi"]:
        report.advance()
        yield Call(portal=NAME, native_id=item["id"], title=item["titolo"], url=item["link"],
                   language="it", territory="Emilia-Romagna", tz=IT_TZ,
                   deadlines=[local_midnight(date.fromisoformat(item["scadenza"]), IT_TZ)],
                   deadline_time_known=False)
'''
LISTING = {"bandi": [{
    "id": "2026-07", "titolo": "Avviso pubblico contributi per eventi culturali 2026",
    "link": "https://comune.example.org/bandi/2026-07", "scadenza": "2026-10-15",
}]}  # fmt: skip


def test_a_new_portal_module_is_scraped_stored_deduplicated_and_listed(tmp_path, monkeypatch):
    path = tmp_path / "comune_demo.py"
    path.write_text(MODULE, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("scrapers.comune_demo", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "scrapers.comune_demo", module)
    spec.loader.exec_module(module)
    monkeypatch.setitem(PORTALS, module.NAME, module)
    monkeypatch.setenv("MATCHER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MATCHER_HTTP_DELAY", "0")
    db = tmp_path / "store.db"
    # the same call as an aggregator published it: the town's own record must survive
    copy = make_call("agg-1", portal="wordpress", title="Avviso pubblico: contributi per "
                     "eventi culturali 2026", tz="Europe/Rome", deadline_time_known=False,
                     deadlines=[local_midnight(date(2026, 10, 15), "Europe/Rome")])  # fmt: skip
    upsert_calls(open_db(db), [copy], datetime(2026, 9, 1, tzinfo=UTC))

    def answer(method, path, headers, body):
        return 200, "application/json", json.dumps(LISTING).encode()

    run = CliRunner().invoke
    with serve(answer) as (base, _):
        scraped = run(cli, ["--db", str(db), "scrape", "--portal", "comune_demo",
                            "--base-url", f"{base}/bandi.json", "--now", "2026-09-01T08:00:00Z"])  # fmt: skip
    assert scraped.exit_code == 0, scraped.output
    listed = run(cli, ["--db", str(db), "calls", "--json", "--portal", "comune_demo",
                       "--now", "2026-09-01T08:00:00Z"])  # fmt: skip
    [row] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (row["id"], row["status"], row["aliases"]) == (
        "comune_demo:2026-07", "open", ["wordpress:agg-1"],
    )  # fmt: skip
