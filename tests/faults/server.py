"""Every portal's recorded responses served on 127.0.0.1, one port per portal, with a fault
that can be switched on for any of them.

The recordings are the demo snapshot's (data/snapshot/<portal>/index.json) and the feed
fixtures. A portal's server answers what ReplayTransport would (404 naming anything not
recorded), then passes the answer through the portal's fault, if one is on.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from localserver import Handler, Reply, serve

from matcher.config import snapshot_dir
from scrapers.recording import ReplayTransport

SNAPSHOT = snapshot_dir()
FEEDS = Path(__file__).parent.parent / "fixtures" / "feeds"
# The feed fixtures, as sites of the feeds portal (name: file, territory, language).
FEED_SITES = {
    "er-politiche": ("rdf_regione_er_constructed.xml", "Emilia-Romagna", "it"),
    "mimit": ("rss2_incentivi_latin1_constructed.xml", "Italia", "it"),
    "cinea": ("atom_life_constructed.xml", "EU", "en"),
}
PORTALS = ("eu_ftop", "emilia_romagna", "incentivi_gov", "padigitale", "italiadomani",
           "feeds", "wordpress")  # fmt: skip
SINGLE_ENDPOINT = ("eu_ftop", "incentivi_gov", "padigitale", "italiadomani")
# The query parameter that says which page a request asks for, and its first value.
PAGING = {"eu_ftop": ("pageNumber", "1"), "incentivi_gov": ("start", "0"),
          "wordpress": ("page", "1"), "emilia_romagna": ("b_start", "0")}  # fmt: skip


@dataclass
class Seen:
    """A request as a fault sees it: what was asked, how many came before, and a way to get
    the recorded answer to the first page of the same listing."""

    method: str
    url: httpx.URL
    number: int
    first_page: Callable[[], Reply]


# fault(request, recorded answer) -> the answer to send
Fault = Callable[[Seen, Reply], Reply]


@dataclass
class PortalServer:
    """One portal's recordings on one port."""

    portal: str
    base: str
    replay: ReplayTransport
    fault: Fault | None = None
    requests: list[str] = field(default_factory=list)

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        url = httpx.URL(self.base + path)
        seen = Seen(method, url, len(self.requests), lambda: self._first_page(method, url))
        self.requests.append(f"{method} {path}")
        recorded = self._recorded(method, url, body)
        return self.fault(seen, recorded) if self.fault else recorded

    def _recorded(self, method: str, url: httpx.URL, body: bytes = b"") -> Reply:
        response = self.replay.handle_request(httpx.Request(method, url, content=body))
        content_type = response.headers.get("content-type", "text/plain")
        return Reply(response.status_code, response.content, {"Content-Type": content_type})

    def _first_page(self, method: str, url: httpx.URL) -> Reply:
        name, first = PAGING.get(self.portal, ("", ""))
        params = {k: v for k, v in url.params.items() if k != name}
        if name != "b_start":  # Plone's first page has no b_start at all
            params[name] = first
        return self._recorded(method, url.copy_with(params=params))


@dataclass
class RecordedPortals:
    """The servers of every portal, by name."""

    servers: dict[str, PortalServer]

    def url(self, portal: str) -> str:
        """The endpoint of a single-endpoint portal, for --base-url."""
        return str(self.servers[portal].replay.entries[0]["url"])

    def fault(self, portal: str, fault: Fault | None) -> None:
        """Switch a portal's fault on (or off, with None); its count of requests restarts."""
        self.servers[portal].fault = fault
        self.servers[portal].requests.clear()

    def clear(self) -> None:
        for portal in self.servers:
            self.fault(portal, None)

    def write_sources(self, path: Path) -> Path:
        """A sources.toml pointing every portal, and every site, at these servers."""
        snapshot = tomllib.loads((SNAPSHOT / "sources.toml").read_text(encoding="utf-8"))
        lines: list[str] = []
        for portal in SINGLE_ENDPOINT:
            extra = {k: v for k, v in snapshot[portal].items() if k != "url"}
            lines += [f"[{portal}]", f'url = "{self.url(portal)}"', *_pairs(extra), ""]
        lines += ["[emilia_romagna]", f'hosts = ["{self.servers["emilia_romagna"].base}"]', ""]
        for site in snapshot["wordpress"]["sites"]:
            local = _moved(site["url"], self.servers["wordpress"].base)
            lines += ["[[wordpress.sites]]", *_pairs({**site, "url": local}), ""]
        for name, (file, territory, language) in FEED_SITES.items():
            site = {"name": name, "url": f"{self.servers['feeds'].base}/feeds/{file}",
                    "territory": territory, "language": language}  # fmt: skip
            lines += ["[[feeds.sites]]", *_pairs(site), ""]
        path.write_text("\n".join(lines), encoding="utf-8")
        return path


@contextmanager
def recorded_portals() -> Iterator[RecordedPortals]:
    """Serve every portal's recordings, each on its own port, while the block runs."""
    servers: dict[str, PortalServer] = {}

    def handler(portal: str) -> Handler:  # the server exists once its port is known
        return lambda method, path, headers, body: servers[portal].answer(
            method, path, headers, body
        )

    with ExitStack() as stack:
        for portal in PORTALS:
            base, _ = stack.enter_context(serve(handler(portal)))
            directory, entries = _recordings(portal, base)
            servers[portal] = PortalServer(portal, base, ReplayTransport(directory, entries))
        yield RecordedPortals(servers)


def _recordings(portal: str, base: str) -> tuple[Path, list[dict[str, Any]]]:
    """The folder of a portal's recordings and its replay entries, moved to `base`."""
    entries: list[dict[str, Any]]
    if portal == "feeds":
        entries = [{"method": "GET", "url": f"{base}/feeds/{file}", "file": file,
                    "headers": {"content-type": "application/rss+xml"}}
                   for file, _, _ in FEED_SITES.values()]  # fmt: skip
        return FEEDS, entries
    directory = SNAPSHOT / portal
    entries = ReplayTransport(directory).entries
    return directory, [{**entry, "url": _moved(str(entry["url"]), base)} for entry in entries]


def _moved(url: str, base: str) -> str:
    """`url` on the local server: scheme, host and port of `base`, path and query kept."""
    local = httpx.URL(base)
    return str(httpx.URL(url).copy_with(scheme=local.scheme, host=local.host, port=local.port))


def _pairs(values: dict[str, Any]) -> list[str]:
    def toml(value: Any) -> str:
        if isinstance(value, dict):
            return "{ " + ", ".join(f"{k} = {toml(v)}" for k, v in value.items()) + " }"
        if isinstance(value, list):
            return "[" + ", ".join(toml(v) for v in value) + "]"
        if isinstance(value, bool):
            return "true" if value else "false"
        return f'"{value}"' if isinstance(value, str) else str(value)

    return [f"{key} = {toml(value)}" for key, value in values.items()]
