"""The httpx client every portal uses: polite retrying transport, size cap, record and replay."""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from matcher.errors import ScrapeError

log = logging.getLogger(__name__)

# Names the tool and where to read about it, not whoever runs it: a deployment that wants to be
# reachable passes its own user_agent to make_client.
USER_AGENT = "TerritorioSmartMatcher/0.1 (+https://github.com/piacenza-territorio-smart/matcher)"
MAX_BACKOFF = 60.0  # seconds: the longest exponential backoff between two tries
# Seconds: the longest Retry-After honoured. A server asking for more is reported as such
# rather than waited for (or silently asked again sooner, which it told us not to do).
MAX_RETRY_AFTER = 120.0
# Seconds. Timeouts bound each read, not a whole answer: a server trickling a byte every few
# seconds would hold a page for ever. These bound one request (all its tries and waits) and
# everything one portal's client reads.
REQUEST_DEADLINE = 300.0
PORTAL_DEADLINE = 1800.0
# A timeout cut to what is left of a deadline may fire a hair early; closer than this counts as
# reached, so no try is started that cannot even connect.
_DEADLINE_SLACK = 0.01
RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))
# Deterministic failures: trying again cannot help.
_NOT_RETRIED = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)
# The body is returned decoded, so these no longer describe it.
_BODY_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})


class ResponseTooLarge(ScrapeError):
    """A response body is larger than the client's size cap."""


class DeadlineExceeded(ScrapeError):
    """A request, or all of one portal's requests, took longer than their total time limit."""


class RetryAfterTooLong(ScrapeError):
    """The server asks to wait longer before trying again than the client waits."""


@dataclass(frozen=True)
class Deadline:
    """The clock instant a request must be over by, and which limit set it (for messages)."""

    at: float
    limit: str  # "the request deadline of 300 s"


class PoliteTransport(httpx.BaseTransport):
    """Wraps a transport with a per-host delay, bounded retries with backoff, a size cap and
    total deadlines.

    `retries` is the number of tries after the first. Timeouts, transport errors, 429 and 5xx
    are retried after `backoff * 2**n` seconds (capped), or after the server's Retry-After; a
    Retry-After beyond `max_retry_after` raises RetryAfterTooLong. When tries run out the last
    response is returned, or the last exception re-raised. Bodies are read here, decoded, and
    capped at `max_bytes` (decoded, so a gzip bomb is caught too).

    Deadlines: one request, tries and waits included, may take `request_deadline` seconds, and
    all requests through this transport `portal_deadline` seconds from the first one (a client
    serves one portal). Each try's timeouts are cut to what is left, and the body is checked
    after every chunk, so a request ends by its deadline plus at most one read that was
    already waiting. Passing a deadline, or a wait that would pass it, raises DeadlineExceeded.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        min_delay: float = 1.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_bytes: int = 50 * 2**20,
        request_deadline: float | None = REQUEST_DEADLINE,
        portal_deadline: float | None = PORTAL_DEADLINE,
        max_retry_after: float = MAX_RETRY_AFTER,
        sleep: Callable[[float], object] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.inner = inner
        self.min_delay = min_delay
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.request_deadline = request_deadline
        self.portal_deadline = portal_deadline
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self.clock = clock
        self.wall_clock = wall_clock  # only for an HTTP-date Retry-After without a Date header
        self._last_request: dict[str, float] = {}
        self._first_request: float | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # Buffer the body once so every try sends the same bytes (multipart streams included).
        request.read()
        deadline = self._deadline(request)
        for attempt in range(self.retries + 1):
            last_try = attempt == self.retries
            self._wait_for_host(request.url.host)
            self._limit_timeouts(request, deadline, "before the first byte was sent")
            try:
                response = self._send(request, deadline)
            except _NOT_RETRIED:
                raise
            except httpx.TransportError as exc:
                if self._left(deadline) <= _DEADLINE_SLACK:
                    raise self._exceeded(request, deadline, type(exc).__name__) from exc
                if last_try:
                    raise
                delay, failure = self._backoff(attempt), type(exc).__name__
            else:
                if response.status_code not in RETRY_STATUSES or last_try:
                    return response
                failure = f"HTTP {response.status_code}"
                asked = self._retry_after(response)
                if asked is not None and asked > self.max_retry_after:
                    raise RetryAfterTooLong(
                        f"{failure} from {request.url} asks to wait {asked:.0f} s before trying "
                        f"again, longer than the {self.max_retry_after:.0f} s this client waits; "
                        "try again later"
                    )
                delay = self._backoff(attempt) if asked is None else asked
            if delay >= self._left(deadline):
                raise self._exceeded(request, deadline, f"{failure}, then {delay:.0f} s to wait")
            log.info("%s from %s; retrying in %.1fs", failure, request.url, delay)
            self.sleep(delay)
        raise AssertionError("unreachable: the last try returns or raises")

    def close(self) -> None:
        self.inner.close()

    def _deadline(self, request: httpx.Request) -> Deadline:
        now = self.clock()
        if self._first_request is None:
            self._first_request = now
        deadline = Deadline(float("inf"), "no deadline")
        if self.request_deadline is not None:
            limit = f"the request deadline of {self.request_deadline:g} s"
            deadline = Deadline(now + self.request_deadline, limit)
        portal_end = self._first_request + (self.portal_deadline or 0)
        if self.portal_deadline is not None and portal_end < deadline.at:
            deadline = Deadline(portal_end, f"the portal's deadline of {self.portal_deadline:g} s")
        if deadline.at - now <= _DEADLINE_SLACK:
            raise DeadlineExceeded(f"did not ask for {request.url}: {deadline.limit} has passed")
        return deadline

    def _left(self, deadline: Deadline) -> float:
        return deadline.at - self.clock()

    def _exceeded(self, request: httpx.Request, deadline: Deadline, last: str) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"gave up on {request.url} at {deadline.limit} (last: {last}); "
            "the portal is too slow or stalled"
        )

    def _limit_timeouts(self, request: httpx.Request, deadline: Deadline, when: str) -> None:
        """Cut this try's connect, read, write and pool timeouts to what is left."""
        left = self._left(deadline)
        if left <= _DEADLINE_SLACK:
            raise self._exceeded(request, deadline, when)
        if left == float("inf"):
            return
        timeouts = request.extensions.get("timeout") or {}
        limited = {
            kind: left if timeouts.get(kind) is None else min(timeouts[kind], left)
            for kind in ("connect", "read", "write", "pool")
        }
        request.extensions = {**request.extensions, "timeout": limited}

    def _wait_for_host(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is not None:
            wait = self.min_delay - (self.clock() - last)
            if wait > 0:
                self.sleep(wait)
        self._last_request[host] = self.clock()

    def _send(self, request: httpx.Request, deadline: Deadline) -> httpx.Response:
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
                if self._left(deadline) <= 0:  # a trickle: every read is quick, the whole is not
                    raise self._exceeded(request, deadline, f"body still arriving, {size} bytes")
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
        """The wait the server asks for, in seconds (uncapped); None without a usable one."""
        value = response.headers.get("retry-after", "").strip()
        if not value:
            return None
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            return None
        # Measure against the server's own clock when it sent one: immune to local clock skew.
        try:
            now = email.utils.parsedate_to_datetime(response.headers["date"]).timestamp()
        except (KeyError, TypeError, ValueError):
            now = self.wall_clock()
        return max(when - now, 0.0)


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
    request_deadline: float | None = REQUEST_DEADLINE,
    portal_deadline: float | None = PORTAL_DEADLINE,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> PortalClient:
    """A client with timeouts, deadlines, the user agent, redirects and the polite transport.

    Make one client per portal: `portal_deadline` counts from the client's first request.
    """
    polite = PoliteTransport(
        transport if transport is not None else httpx.HTTPTransport(),
        min_delay=min_delay,
        retries=retries,
        backoff=backoff,
        max_bytes=max_bytes,
        request_deadline=request_deadline,
        portal_deadline=portal_deadline,
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
