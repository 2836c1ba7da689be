"""What every portal module shares: the per-run Report and the runner that builds a ScrapeResult."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Protocol

import httpx

from matcher.errors import ConfigError, ScrapeError
from matcher.models import Call, ScrapeResult
from matcher.normalize.text import SUMMARY_CHARS, shorten  # noqa: F401 - the scrapers' helper

log = logging.getLogger(__name__)


@dataclass
class Report:
    """Collects what went wrong or was skipped while a portal is read.

    A module calls `error()` for a part of the listing it could not read (one host, one page)
    and goes on; the result is then incomplete. `drop()` counts items deliberately skipped.
    """

    errors: list[str] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    progress: object = None  # optional callable(n_items) for a progress bar

    def error(self, message: str) -> None:
        log.warning(message)
        self.errors.append(message)

    def drop(self, reason: str, count: int = 1) -> None:
        self.dropped[reason] += count

    def advance(self, count: int = 1) -> None:
        if callable(self.progress):
            self.progress(count)


class Portal(Protocol):
    """What every portal module defines; `scrapers.PORTALS` lists them."""

    NAME: str
    TITLE: str
    SITES_CONFIGURED: bool  # its sites come from sources.toml, so --base-url is refused
    # When two portals publish the same call, the record of the lower one survives: the body
    # that owns the call first, aggregators last.
    DEDUPE_PRIORITY: int

    def scrape(
        self,
        client: httpx.Client,
        *,
        base_url: str | None = None,
        report: Report,
        config: dict[str, Any] | None = None,
    ) -> Iterator[Call]: ...


def run_portal(
    module: Portal | ModuleType,
    client: httpx.Client,
    *,
    base_url: str | None = None,
    progress: object = None,
    config: dict[str, Any] | None = None,
) -> ScrapeResult:
    """Read one portal; a failure becomes an error in the result, never an exception."""
    report = Report(progress=progress)
    calls: list[Call] = []
    fatal: str | None = None
    try:
        for call in module.scrape(client, base_url=base_url, report=report, config=config):
            calls.append(call)
    except ScrapeError as exc:
        fatal = str(exc)
    except httpx.HTTPStatusError as exc:
        fatal = f"HTTP {exc.response.status_code} from {exc.request.url}"
    except httpx.TimeoutException as exc:
        fatal = f"timed out reading {exc.request.url}"
    except httpx.HTTPError as exc:
        where = exc.request.url if _has_request(exc) else "the portal"
        fatal = f"{type(exc).__name__} reading {where}: {exc}"
    except json.JSONDecodeError as exc:
        fatal = f"invalid JSON: {exc}"
    except ConfigError:
        raise  # the user's configuration is wrong: the CLI names the file and the field
    except Exception as exc:  # noqa: BLE001 - a layout change must not stop the other portals
        log.exception("%s: unexpected error", module.NAME)
        fatal = f"unexpected {type(exc).__name__} (the portal's layout may have changed): {exc}"
    if fatal:
        report.error(f"{module.NAME}: {fatal}")
    return ScrapeResult(
        calls=calls,
        complete=not report.errors,
        errors=list(report.errors),
        dropped=dict(report.dropped),
    )


def _has_request(exc: httpx.HTTPError) -> bool:
    try:
        exc.request  # noqa: B018 - raises RuntimeError when no request is attached
    except RuntimeError:
        return False
    return True


def response_json(response: httpx.Response) -> object:
    """The response body as JSON, or a ScrapeError that names the URL."""
    response.raise_for_status()
    try:
        return json.loads(response.content.decode("utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ScrapeError(f"invalid JSON from {response.request.url}: {exc}") from exc


def decode_utf8(body: bytes, url: str) -> str:
    """Text of a downloaded file, UTF-8 with or without BOM; ScrapeError naming the URL if not."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScrapeError(f"{url} is not UTF-8 text: {exc}") from exc


def read_csv(
    text: str,
    url: str,
    required: Sequence[str],
    column: Callable[[str], str] = str.strip,
) -> list[dict[str, str]]:
    """Non-empty rows of a CSV whose separator (`;` or `,`) is sniffed from the header line.

    Column names pass through `column`; a header lacking any `required` column means the layout
    changed: ScrapeError naming the URL, the missing columns and the header found.
    """
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [column(name) for name in reader.fieldnames or []]
    require_columns(header, required, url)
    reader.fieldnames = header
    rows = []
    for row in reader:
        values = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        if any(values.values()):
            rows.append(values)
    return rows


def require_columns(header: Sequence[str], required: Sequence[str], url: str) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise ScrapeError(
            f"the layout of {url} changed: missing columns {', '.join(missing)} "
            f"(header: {', '.join(header) or 'none'})"
        )
