"""The portal toolkit: the module contract and its runner, error wording, paging, URL, sites."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Protocol, TypeVar

import httpx

from matcher.errors import ConfigError, ScrapeError
from matcher.models import Call, ScrapeResult
from matcher.normalize.text import SUMMARY_CHARS, shorten  # noqa: F401 - the scrapers' helper
from matcher.normalize.timezones import EU_TZ, IT_TZ

log = logging.getLogger(__name__)

Cursor = TypeVar("Cursor")  # where a page is: a page number, a Solr start, a next link
Content = TypeVar("Content")  # what a portal reads from one page (or one site)


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
        message = " ".join(message.split())  # one line: causes quoted from parsers wrap
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
    SETTINGS: dict[str, type]  # the keys its section of sources.toml may have, and their type

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
    try:
        for call in module.scrape(client, base_url=base_url, report=report, config=config):
            calls.append(call)
    except (
        ConfigError
    ) as exc:  # checked before the run; what slipped through stops this portal only
        report.error(f"{module.NAME}: configuration: {exc}")
    except (ScrapeError, httpx.HTTPError, json.JSONDecodeError) as exc:
        report.error(f"{module.NAME}: {reason(exc, url=True)}")
    except Exception as exc:  # noqa: BLE001 - a layout change must not stop the other portals
        log.exception("%s: unexpected error", module.NAME)
        report.error(
            f"{module.NAME}: unexpected {type(exc).__name__} (the portal's layout may have "
            f"changed): {exc}"
        )
    return ScrapeResult(
        calls=calls,
        complete=not report.errors,
        errors=list(report.errors),
        dropped=dict(report.dropped),
    )


def reason(exc: Exception, *, url: bool = False) -> str:
    """The cause of a failure in a few words, for an error message.

    With `url`, an HTTP failure also names the address that failed ("HTTP 503 from <url>"), for
    messages that do not name it themselves.
    """
    if isinstance(exc, httpx.HTTPStatusError):
        status = f"HTTP {exc.response.status_code}"
        return f"{status} from {exc.request.url}" if url else status
    if isinstance(exc, httpx.HTTPError) and url:
        where = exc.request.url if _has_request(exc) else "the portal"
        if isinstance(exc, httpx.TimeoutException):
            return f"timed out reading {where}"
        return f"{type(exc).__name__} reading {where}: {exc}"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc}"
    return str(exc) or type(exc).__name__


def _has_request(exc: httpx.HTTPError) -> bool:
    try:
        exc.request  # noqa: B018 - raises RuntimeError when no request is attached
    except RuntimeError:
        return False
    return True


def configured_url(config: dict[str, Any] | None, name: str) -> str | None:
    """The `url` of the portal's sources.toml section, None when unset.

    Portals read from `base_url or configured_url(config, NAME) or DEFAULT_URL`.
    """
    url = (config or {}).get("url")
    if url is not None and not isinstance(url, str):
        raise ConfigError(f"[{name}] url must be a string, got {url!r}")
    return url or None


def read_pages(
    fetch: Callable[[Cursor], tuple[Content, Cursor | None]],
    first: Cursor,
    *,
    report: Report,
    max_pages: int,
    failed: Callable[[Cursor, Exception], str],
    capped: Callable[[], str],
) -> Iterator[tuple[Cursor, Content]]:
    """Each page of a listing with where it was read, from `first` on, at most `max_pages`.

    `fetch(cursor)` reads one page and says where the next is (None after the last). The first
    page failing raises: nothing was read. A later page failing (an HTTP error or ScrapeError)
    is reported as `failed(cursor, exc)` and ends the listing; so does reaching `max_pages`
    with a page still to read, reported as `capped()`. The caller checks each page (repeats,
    totals, emptiness) and leaves the loop when the listing is done or must stop: what is read
    is kept, and any report.error makes the result incomplete.
    """
    cursor = first
    for number in range(max_pages):
        try:
            content, following = fetch(cursor)
        except (httpx.HTTPError, ScrapeError) as exc:
            if number == 0:
                raise
            report.error(failed(cursor, exc))
            return
        yield cursor, content
        if following is None:
            return
        cursor = following
    report.error(capped())


def report_short(report: Report, since: int, listed: int, total: int | None, message: str) -> None:
    """`message` when a listing ended short of its `total`, with no error `since` to say why."""
    if len(report.errors) == since and total is not None and listed < total:
        report.error(message)


def distinct(
    calls: Iterable[Call | None], report: Report, missing: str, repeated: str = "duplicate item"
) -> Iterator[Call]:
    """The calls, each native id once. A None (an item without id or title) is dropped as
    `missing`, a native id met before as `repeated`."""
    seen: set[str] = set()
    for call in calls:
        if call is None:
            report.drop(missing)
        elif call.native_id in seen:
            report.drop(repeated)
        else:
            seen.add(call.native_id)
            yield call


@dataclass(frozen=True)
class Site:
    """One configured site of a list-of-sites portal (feeds, wordpress)."""

    name: str
    url: str
    territory: str
    language: str | None = None
    allow_empty: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    closed_classes: tuple[str, ...] = ()

    @property
    def tz(self) -> str:
        """The zone of date-only deadlines: Brussels for EU sources, Rome for Italian ones."""
        return EU_TZ if self.territory == "EU" else IT_TZ


def read_sites(config: dict[str, Any] | None, portal: str, report: Report) -> list[Site]:
    """The valid `[[<portal>.sites]]` entries; each invalid one is reported and skipped.

    Raises ScrapeError when no site is usable, so the run records the portal as failed.
    """
    entries = (config or {}).get("sites")
    if not isinstance(entries, list) or not entries:
        raise ScrapeError(
            f"{portal}: no sites configured; add [[{portal}.sites]] entries (name, url, "
            "territory) to sources.toml"
        )
    sites: list[Site] = []
    for n, entry in enumerate(entries, 1):
        try:
            site = check_site(entry)
        except ValueError as exc:
            report.error(f"{portal}: [[{portal}.sites]] entry {n} in sources.toml: {exc}")
            continue
        if any(s.name == site.name for s in sites):
            report.error(f"{portal}: [[{portal}.sites]] entry {n}: duplicate name {site.name!r}")
            continue
        sites.append(site)
    if not sites:
        raise ScrapeError(f"{portal}: none of the [[{portal}.sites]] entries is usable")
    return sites


def each_site(
    config: dict[str, Any] | None,
    portal: str,
    report: Report,
    read: Callable[[Site], list[Content]],
    *,
    base_url: str | None = None,
    nothing: str,
) -> Iterator[tuple[Site, list[Content]]]:
    """Each `[[<portal>.sites]]` site with what `read(site)` found there.

    A site that fails is reported and the others go on; one where `nothing` was found is
    reported unless its `allow_empty` is set. `base_url` is refused: these portals read only
    the sites of sources.toml.
    """
    if base_url:
        raise ScrapeError(
            f"{portal} reads the sites listed in sources.toml; --base-url is not used"
        )
    for site in read_sites(config, portal, report):
        try:
            found = read(site)
        except (httpx.HTTPError, ScrapeError) as exc:
            report.error(f"{portal}: {site.name}: {site.url}: {reason(exc)}")
            continue
        if not found and not site.allow_empty:
            report.error(
                f"{portal}: {site.name}: {site.url} {nothing} "
                "(set allow_empty = true for this site if that is normal)"
            )
        yield site, found


_SITE_KEYS = {"name", "url", "territory", "language", "allow_empty", "params", "closed_classes"}


def check_site(entry: object) -> Site:
    """One `[[<portal>.sites]]` entry as a Site; ValueError says what is wrong with it."""
    if not isinstance(entry, dict):
        raise ValueError("must be a table with name, url and territory")
    unknown = sorted(set(entry) - _SITE_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {', '.join(unknown)}")
    name, url, territory = (entry.get(k) for k in ("name", "url", "territory"))
    if not isinstance(name, str) or not name.strip() or ":" in name:
        raise ValueError("'name' must be a non-empty string without ':' (it prefixes the ids)")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ValueError(f"{name}: 'url' must be an http(s) URL")
    if not isinstance(territory, str) or not territory.strip():
        raise ValueError(f"{name}: 'territory' is required (EU, Italia or a region)")
    language = entry.get("language")
    if language is not None and not isinstance(language, str):
        raise ValueError(f"{name}: 'language' must be a string such as 'it' or 'en'")
    allow_empty = entry.get("allow_empty", False)
    params = entry.get("params", {})
    closed = entry.get("closed_classes", [])
    if not isinstance(allow_empty, bool):
        raise ValueError(f"{name}: 'allow_empty' must be true or false")
    if not isinstance(params, dict):
        raise ValueError(f"{name}: 'params' must be a table")
    if not isinstance(closed, list) or not all(isinstance(c, str) for c in closed):
        raise ValueError(f"{name}: 'closed_classes' must be a list of strings")
    return Site(name.strip(), url, territory.strip(), language, allow_empty, params, tuple(closed))
