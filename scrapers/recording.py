"""Recorded responses: replaying a snapshot instead of the network, and recording one."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx

from matcher.errors import ConfigError
from scrapers.http import PortalClient, decoded, make_client

log = logging.getLogger(__name__)


class ReplayTransport(httpx.BaseTransport):
    """Serves recorded responses listed in `<directory>/index.json` (or given as `entries`);
    without a top-level index, every `<directory>/*/index.json` (a snapshot keeps one folder per
    portal, file paths relative to each folder).

    An entry matches when method, scheme, host, port and path equal the request's and each of
    its `params` is among the request's query parameters; the first match wins. Anything
    unmatched gets a 404 whose text names the request, so the scraper's error says what is missing.
    """

    def __init__(self, directory: Path, entries: list[dict[str, Any]] | None = None) -> None:
        self.directory = Path(directory)
        index = self.directory / "index.json"
        if entries is None:
            entries = _read_index(index) if index.exists() else _read_folder_indexes(self.directory)
        for n, entry in enumerate(entries):
            missing = {"method", "url", "file"} - set(entry if isinstance(entry, dict) else ())
            if missing:
                raise ConfigError(f"{index}: entry {n} lacks {', '.join(sorted(missing))}")
            if not (self.directory / entry["file"]).is_file():
                raise ConfigError(f"{index}: entry {n}: no file {self.directory / entry['file']}")
        self.entries = entries

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for entry in self.entries:
            if _matches(entry, request):
                body = (self.directory / entry["file"]).read_bytes()
                return httpx.Response(
                    entry.get("status", 200), headers=entry.get("headers", {}), content=body
                )
        log.warning("no recorded response for %s %s", request.method, request.url)
        return httpx.Response(
            404, text=f"no recorded response for {request.method} {request.url} in {self.directory}"
        )


def _read_index(index: Path) -> list[dict[str, Any]]:
    try:
        entries = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read replay index {index}: {exc}") from exc
    if not isinstance(entries, list):
        raise ConfigError(f"{index}: expected a JSON list of entries")
    return entries


def _read_folder_indexes(directory: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for index in sorted(directory.glob("*/index.json")):
        for entry in _read_index(index):
            file = f"{index.parent.name}/{entry['file']}" if isinstance(entry, dict) else None
            entries.append({**entry, "file": file} if file else entry)
    if not entries:
        raise ConfigError(f"no replay index in {directory} (index.json or */index.json)")
    return entries


def _matches(entry: dict[str, Any], request: httpx.Request) -> bool:
    url = httpx.URL(entry["url"])
    if entry["method"].upper() != request.method or _place(url) != _place(request.url):
        return False
    wanted = {**dict(url.params), **entry.get("params", {})}
    return all(str(v) in request.url.params.get_list(k) for k, v in wanted.items())


def _place(url: httpx.URL) -> tuple[str, str, int | None, str]:
    return url.scheme, url.host, url.port, url.path


class RecordingTransport(httpx.BaseTransport):
    """Passes requests to `inner` and saves each response plus an index.json entry in `directory`.

    The index is rewritten after every response, so an interrupted recording still replays.
    A request seen again (a retry) replaces its earlier entry, so replay serves the last answer.
    Only the content type is kept of the headers (no cookies or server details in snapshots).
    """

    _EXTENSIONS = {"json": ".json", "xml": ".xml", "html": ".html", "text": ".txt"}

    def __init__(self, inner: httpx.BaseTransport, directory: Path) -> None:
        self.inner = inner
        self.directory = Path(directory)
        self.entries: list[dict[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        response.close()
        content_type = response.headers.get("content-type", "")
        key = {
            "method": request.method,
            "url": str(request.url.copy_with(query=None, fragment=None)),
            "params": dict(request.url.params),
        }
        n = next((i for i, e in enumerate(self.entries) if key.items() <= e.items()), None)
        if n is None:
            n = len(self.entries)
            self.entries.append(key)
        ext = next((e for k, e in self._EXTENSIONS.items() if k in content_type), ".bin")
        name = f"{n + 1:04d}-{request.url.host}{ext}"
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / name).write_bytes(body)
        if self.entries[n].get("file", name) != name:  # a retry answered with another type
            (self.directory / self.entries[n]["file"]).unlink(missing_ok=True)
        entry: dict[str, Any] = {**key, "file": name, "status": response.status_code}
        if content_type:
            entry["headers"] = {"content-type": content_type}
        self.entries[n] = entry
        index = json.dumps(self.entries, indent=1, ensure_ascii=False)
        (self.directory / "index.json").write_text(index + "\n", encoding="utf-8")
        return decoded(response, body)

    def close(self) -> None:
        self.inner.close()


def replay_client(directory: Path, **kwargs: Any) -> PortalClient:
    """A client answering from a recorded snapshot: no delay, no retries (kwargs override)."""
    options: dict[str, Any] = {"retries": 0, "min_delay": 0.0, **kwargs}
    return make_client(transport=ReplayTransport(Path(directory)), **options)
