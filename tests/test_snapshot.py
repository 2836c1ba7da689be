"""The bundled demo snapshot (data/snapshot): an honest as-of date and complete replay entries."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, date, datetime, timedelta

import httpx

from matcher.config import snapshot_dir
from scrapers.emilia_romagna import search_url

SNAPSHOT = snapshot_dir()
META = tomllib.loads((SNAPSHOT / "snapshot.toml").read_text(encoding="utf-8"))
SOURCES = tomllib.loads((SNAPSHOT / "sources.toml").read_text(encoding="utf-8"))
AS_OF = datetime.fromisoformat(META["as_of"])
# "Shortly after the newest capture": a week lets the demo start on a working morning; more
# would show as open EU calls that may have closed since the listing was generated.
MAX_LAG = timedelta(days=7)
NOT_RECORDINGS = {"README.md", "index.json"}


def instant(value: str) -> datetime:
    """A capture time: an ISO instant, or a day (its first moment, UTC)."""
    if "T" in value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)


def earliest(value: str) -> datetime:
    """The earliest moment a capture can be from ("start/end" intervals give their start)."""
    return instant(value.split("/")[0])


def index(portal: str) -> list[dict]:
    return json.loads((SNAPSHOT / portal / "index.json").read_text(encoding="utf-8"))


def test_as_of_is_at_or_shortly_after_the_newest_capture():
    assert AS_OF.tzinfo is not None
    captured = META["captured"]
    assert set(captured) == set(META["portals"]) | set(META["imports"]), "a capture date is missing"
    newest_name, newest = max(((n, earliest(v)) for n, v in captured.items()), key=lambda c: c[1])
    assert newest <= AS_OF, (
        f"{newest_name} was captured after as_of: the demo would show the future"
    )
    assert AS_OF - newest <= MAX_LAG, f"as_of is {AS_OF - newest} after the newest capture"
    for name, value in captured.items():  # an interval's end may pass as_of; its start may not
        assert earliest(value) <= AS_OF, name


def test_every_recording_is_replayed_and_every_replay_entry_has_its_file():
    for portal in META["portals"]:
        folder = SNAPSHOT / portal
        assert (folder / "README.md").is_file(), f"{portal}: no provenance README"
        entries = index(portal)
        assert entries, f"{portal}: empty index.json"
        files = {entry["file"] for entry in entries}
        assert all((folder / f).is_file() for f in files), portal
        recordings = {p.name for p in folder.iterdir()} - NOT_RECORDINGS
        assert recordings == files, f"{portal}: recordings not replayed: {recordings - files}"
    for name in META["imports"]:
        assert (SNAPSHOT / name).is_file(), name


def test_every_configured_site_has_a_recorded_first_page():
    """sources.toml lists only sites with a recording: a live-only site would fail the demo."""

    def recorded(url: str, params: dict[str, str] | None = None) -> bool:
        """An entry for this URL; with `params`, one that a request carrying them matches."""
        wanted = httpx.URL(url).copy_with(query=None)
        for portal in META["portals"]:
            for entry in index(portal):
                if httpx.URL(entry["url"]).copy_with(query=None) != wanted:
                    continue
                if params is None or all(
                    params.get(k) == str(v) for k, v in entry.get("params", {}).items()
                ):
                    return True
        return False

    for host in SOURCES["emilia_romagna"]["hosts"]:
        assert recorded(search_url(host), {"portal_type": "Bando"}), host
    for site in SOURCES["wordpress"]["sites"]:
        params = {k: str(v) for k, v in site.get("params", {}).items()}
        assert recorded(site["url"], {**params, "page": "1"}), site["name"]
    for portal in ("eu_ftop", "incentivi_gov", "padigitale", "italiadomani"):
        assert recorded(SOURCES[portal]["url"]), portal
