"""Every portal module is listed, follows the module contract and has recorded fixtures."""

from __future__ import annotations

import ast
import inspect
import tomllib
from pathlib import Path

import httpx
import pytest

import scrapers
from matcher.config import snapshot_dir
from matcher.errors import ScrapeError
from scrapers import PORTALS, dedupe_priority
from scrapers.base import reason

NOT_PORTALS = {"recording", "shapes",
    "__init__", "base", "files", "http", "eu_programmes", "eu_ftop_rows", "plone_text",
    "emilia_romagna_items", "incentivi_gov_docs",
}  # fmt: skip
FIXTURES = Path(__file__).parent / "fixtures"
REQUEST = httpx.Request("GET", "https://www.incentivi.gov.it/solr/coredrupal/select?start=200")


def test_every_portal_module_is_listed_in_portals():
    modules = {p.stem for p in Path(scrapers.__file__).parent.glob("*.py")} - NOT_PORTALS
    assert modules == set(PORTALS)


def test_every_portal_has_the_module_contract():
    for name, module in PORTALS.items():
        parameters = inspect.signature(module.scrape).parameters
        assert (module.NAME, bool(module.TITLE)) == (name, True)
        assert isinstance(module.SITES_CONFIGURED, bool), name
        assert isinstance(module.DEDUPE_PRIORITY, int), name
        assert list(parameters)[:4] == ["client", "base_url", "report", "config"], name
        assert parameters["client"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, name
        keyword_only = [p.name for p in parameters.values() if p.kind is p.KEYWORD_ONLY]
        assert keyword_only[:3] == ["base_url", "report", "config"], name


def test_scrapers_use_only_the_models_errors_and_normalize_of_matcher():
    allowed = ("matcher.models", "matcher.errors", "matcher.normalize.")
    for path in Path(scrapers.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        ]
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        matcher = [name for name in imported if name.split(".")[0] == "matcher"]
        assert [name for name in matcher if not name.startswith(allowed)] == [], path.name


def test_dedupe_priority_keeps_the_owners_record_first():
    assert sorted(dedupe_priority(), key=dedupe_priority().__getitem__) == [
        "emilia_romagna", "eu_ftop", "padigitale", "italiadomani", "incentivi_gov", "feeds",
        "wordpress",
    ]  # fmt: skip
    assert len(set(dedupe_priority().values())) == len(PORTALS)


@pytest.mark.parametrize(
    ("exc", "short", "with_url"),
    [
        (httpx.HTTPStatusError("", request=REQUEST, response=httpx.Response(503)),
         "HTTP 503", f"HTTP 503 from {REQUEST.url}"),
        (httpx.ReadTimeout("The read operation timed out", request=REQUEST),
         "timed out", f"timed out reading {REQUEST.url}"),
        (httpx.ConnectError("[Errno 111] Connection refused", request=REQUEST),
         "[Errno 111] Connection refused",
         f"ConnectError reading {REQUEST.url}: [Errno 111] Connection refused"),
        (ScrapeError(f"invalid JSON from {REQUEST.url}: Expecting value"),
         f"invalid JSON from {REQUEST.url}: Expecting value",
         f"invalid JSON from {REQUEST.url}: Expecting value"),
    ],
)  # fmt: skip
def test_reason_gives_the_cause_and_on_request_the_address(exc, short, with_url):
    assert (reason(exc), reason(exc, url=True)) == (short, with_url)


def test_every_portal_has_recorded_fixtures_with_provenance():
    for name in PORTALS:
        folder = FIXTURES / name
        assert (folder / "README.md").is_file(), f"{name}: no tests/fixtures/{name}/README.md"
        assert len(list(folder.iterdir())) > 1, f"{name}: no recorded response"


def test_demo_snapshot_replays_only_known_portals_with_recordings():
    meta = tomllib.loads((snapshot_dir() / "snapshot.toml").read_text(encoding="utf-8"))
    for name in meta["portals"]:
        assert name in PORTALS
        assert (snapshot_dir() / name / "index.json").is_file(), name
