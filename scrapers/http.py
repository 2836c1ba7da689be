"""The httpx client every portal uses: polite retrying transport, size cap, record and replay."""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from matcher.errors import ScrapeError

log = logging.getLogger(__name__)

# Names the tool and where to read about it, not whoever runs it: a deployment that wants to be
# reachable passes its own user_agent to make_client.
USER_AGENT = "TerritorioSmartMatcher/0.1 (+https://github.com/piacenza-territorio-smart/matcher)"
MAX_BACKOFF = 60.0  # seconds: the longest exponential backoff between two tries
MAX_RETRY_AFTER = 120.0  # seconds: a longer Retry-After is cut to this rather than stall a run
RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))
# Deterministic failures: trying again cannot help.
_NOT_RETRIED = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)
# The body is returned decoded, so these no longer describe it.
_BODY_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})


class ResponseTooLarge(ScrapeError):
    """A response body is larger than the client's size cap."""


class PoliteTransport(httpx.BaseTransport):
    """Wraps a transport with a per-host delay, bounded retries with backoff and a size cap.

    `retries` is the number of tries after the first. Timeouts, transport errors, 429 and 5xx
    are retried after `backoff * 2**n` seconds (capped), or after the server's Retry-After.
    When tries run out the last response is returned, or the last exception re-raised. Bodies
    are read here, decoded, and capped at `max_bytes` (decoded, so a gzip bomb is caught too).
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        min_delay: float = 1.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_bytes: int = 50 * 2**20,
        sleep: Callable[[float], object] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.inner = inner
        self.min_delay = min_delay
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.sleep = sleep
        self.clock = clock
        self.wall_clock = wall_clock  # only for an HTTP-date Retry-After without a Date header
        self._last_request: dict[str, float] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # Buffer the body once so every try sends the same bytes (multipart streams included).
        request.read()
        for attempt in range(self.retries + 1):
            last_try = attempt == self.retries
            self._wait_for_host(request.url.host)
            try:
                response = self._send(request)
            except _NOT_RETRIED:
                raise
            except httpx.TransportError as exc:
                if last_try:
                    raise
                delay = self._backoff(attempt)
                log.info("%s on %s; retrying in %.1fs", type(exc).__name__, request.url, delay)
            else:
                if response.status_code not in RETRY_STATUSES or last_try:
                    return response
                asked = self._retry_after(response)
                delay = self._backoff(attempt) if asked is None else asked
                log.info(
                    "HTTP %s from %s; retrying in %.1fs", response.status_code, request.url, delay
                )
            self.sleep(delay)
        raise AssertionError("unreachable: the last try returns or raises")

    def close(self) -> None:
        self.inner.close()

    def _wait_for_host(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is not None:
            wait = self.min_delay - (self.clock() - last)
            if wait > 0:
                self.sleep(wait)
        self._last_request[host] = self.clock()

    def _send(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        try:
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > self.max_bytes:
                raise self._too_large(request, f"announces {int(length)} bytes")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise self._too_large(request, f"exceeds {self.max_bytes} bytes")
                chunks.append(chunk)
        finally:
            response.close()
        return decoded(response, b"".join(chunks))

    def _too_large(self, request: httpx.Request, what: str) -> ResponseTooLarge:
        return ResponseTooLarge(
            f"response from {request.url} {what} (cap {self.max_bytes} bytes); "
            "raise max_bytes if this is expected"
        )

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff * 2.0**attempt, MAX_BACKOFF)

    def _retry_after(self, response: httpx.Response) -> float | None:
        value = response.headers.get("retry-after", "").strip()
        if not value:
            return None
        if value.isdigit():
            return min(float(value), MAX_RETRY_AFTER)
        try:
            when = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            return None
        # Measure against the server's own clock when it sent one: immune to local clock skew.
        try:
            now = email.utils.parsedate_to_datetime(response.headers["date"]).timestamp()
        except (KeyError, TypeError, ValueError):
            now = self.wall_clock()
        return min(max(when - now, 0.0), MAX_RETRY_AFTER)


def decoded(response: httpx.Response, body: bytes) -> httpx.Response:
    """A copy of `response` carrying its already decoded `body`."""
    # Raw header bytes: a portal's non-ASCII header value must not break the copy.
    headers = [(k, v) for k, v in response.headers.raw if k.lower() not in _BODY_HEADERS]
    return httpx.Response(
        response.status_code, headers=headers, content=body, extensions=response.extensions
    )


class PortalClient(httpx.Client):
    """An httpx.Client that also carries the endpoint a portal should read, when it is not the
    portal's own (`--base-url`, a mirror, a test server)."""

    def __init__(self, *args: Any, endpoint: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.endpoint = endpoint


def make_client(
    *,
    transport: httpx.BaseTransport | None = None,
    endpoint: str | None = None,
    user_agent: str = USER_AGENT,
    connect_timeout: float = 10.0,
    read_timeout: float = 60.0,
    retries: int = 3,
    backoff: float = 1.0,
    min_delay: float = 1.0,
    max_bytes: int = 50 * 2**20,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> PortalClient:
    """A client with timeouts, the user agent, redirects and the polite transport."""
    polite = PoliteTransport(
        transport if transport is not None else httpx.HTTPTransport(),
        min_delay=min_delay,
        retries=retries,
        backoff=backoff,
        max_bytes=max_bytes,
        sleep=sleep,
        clock=clock,
    )
    return PortalClient(
        endpoint=endpoint,
        transport=polite,
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        headers={"User-Agent": user_agent},
        follow_redirects=True,
    )
