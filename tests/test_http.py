"""Tests for scrapers/http.py: retries, Retry-After, per-host delay, size cap, record and replay."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from matcher.errors import ConfigError
from scrapers.http import (
    USER_AGENT,
    DeadlineExceeded,
    PoliteTransport,
    ResponseTooLarge,
    RetryAfterTooLong,
    make_client,
)
from scrapers.recording import RecordingTransport, ReplayTransport, replay_client

Handler = Callable[[httpx.Request], httpx.Response]
EU_SEARCH = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"


class FakeTime:
    """A clock that only moves when something sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def client_for(handler: Handler, fake: FakeTime, **kwargs: object) -> httpx.Client:
    options: dict = {"min_delay": 0.0, **kwargs}
    return make_client(
        transport=httpx.MockTransport(handler), sleep=fake.sleep, clock=fake.clock, **options
    )


def scripted(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering with the given responses in turn, and the list of requests it saw."""
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


def test_503_is_retried_after_backoff_then_success_returned() -> None:
    fake = FakeTime()
    handler, seen = scripted(httpx.Response(503), httpx.Response(200, text="ok"))
    with client_for(handler, fake, backoff=2.0) as client:
        response = client.get("https://example.org/a")
    assert (response.status_code, response.text, len(seen), fake.sleeps) == (200, "ok", 2, [2.0])


def test_backoff_doubles_between_tries() -> None:
    fake = FakeTime()
    handler, _ = scripted(httpx.Response(502), httpx.Response(502), httpx.Response(200))
    with client_for(handler, fake, backoff=1.5) as client:
        assert client.get("https://example.org/").status_code == 200
    assert fake.sleeps == [1.5, 3.0]


def test_retry_after_seconds_is_honoured() -> None:
    fake = FakeTime()
    handler, _ = scripted(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200))
    with client_for(handler, fake) as client:
        assert client.get("https://example.org/").status_code == 200
    assert fake.sleeps == [7.0]


def test_retry_after_http_date_is_measured_against_the_server_date() -> None:
    fake = FakeTime()
    headers = {
        "Date": "Wed, 21 Oct 2026 07:28:00 GMT",
        "Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT",
    }
    handler, _ = scripted(httpx.Response(503, headers=headers), httpx.Response(200))
    with client_for(handler, fake) as client:
        assert client.get("https://example.org/").status_code == 200
    assert fake.sleeps == [30.0]


def test_retry_after_http_date_without_server_date_uses_wall_clock() -> None:
    fake = FakeTime()
    handler, _ = scripted(
        httpx.Response(503, headers={"Retry-After": "Wed, 21 Oct 2026 07:28:45 GMT"}),
        httpx.Response(200),
    )
    wall = 1792567680.0  # 2026-10-21T07:28:00Z
    transport = PoliteTransport(
        httpx.MockTransport(handler), min_delay=0, sleep=fake.sleep, wall_clock=lambda: wall
    )
    with httpx.Client(transport=transport) as client:
        assert client.get("https://example.org/").status_code == 200
    assert fake.sleeps == [45.0]


def test_a_retry_after_beyond_the_cap_is_reported_not_shortened() -> None:
    fake = FakeTime()
    handler, seen = scripted(
        httpx.Response(429, headers={"Retry-After": "86400"}), httpx.Response(200)
    )
    with client_for(handler, fake) as client, pytest.raises(RetryAfterTooLong) as info:
        client.get("https://example.org/")
    assert str(info.value) == (
        "HTTP 429 from https://example.org/ asks to wait 86400 s before trying again, longer "
        "than the 120 s this client waits; try again later"
    )
    assert (len(seen), fake.sleeps) == (1, [])


def test_a_retry_after_that_would_pass_the_request_deadline_gives_up_at_once() -> None:
    fake = FakeTime()
    handler, seen = scripted(httpx.Response(503, headers={"Retry-After": "90"}))
    with (
        client_for(handler, fake, request_deadline=60) as client,
        pytest.raises(DeadlineExceeded) as info,
    ):
        client.get("https://example.org/")
    assert str(info.value) == (
        "gave up on https://example.org/ at the request deadline of 60 s (last: HTTP 503, then "
        "90 s to wait); the portal is too slow or stalled"
    )
    assert (len(seen), fake.sleeps) == (1, [])


class Trickle(httpx.SyncByteStream):
    """A body arriving one byte every `pace` seconds of the fake clock, `size` bytes in all."""

    def __init__(self, fake: FakeTime, pace: float, size: int) -> None:
        self.fake, self.pace, self.size = fake, pace, size

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.size):
            self.fake.now += self.pace
            yield b"x"


def test_a_trickling_body_ends_at_the_request_deadline_not_after_every_byte() -> None:
    fake = FakeTime()
    start = fake.now

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Trickle(fake, pace=5.0, size=10_000))

    with (
        client_for(handler, fake, request_deadline=30) as client,
        pytest.raises(DeadlineExceeded, match="request deadline of 30 s .*body still arriving"),
    ):
        client.get("https://example.org/slow")
    assert fake.now - start == 30.0  # six bytes, then the check after the sixth


def test_each_try_waits_for_no_longer_than_what_is_left_of_the_deadline() -> None:
    fake = FakeTime()
    timeouts: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"])
        fake.now += 25.0  # this try used 25 s before its 503
        return httpx.Response(503)

    with client_for(handler, fake, request_deadline=40, backoff=1.0) as client:
        with pytest.raises(DeadlineExceeded, match="request deadline of 40 s"):
            client.get("https://example.org/")
    assert timeouts == [
        {"connect": 10.0, "read": 40.0, "write": 40.0, "pool": 40.0},
        {"connect": 10.0, "read": 14.0, "write": 14.0, "pool": 14.0},
    ]
    assert fake.sleeps == [1.0]


def test_a_read_timeout_at_the_deadline_is_not_retried() -> None:
    fake = FakeTime()
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        fake.now += request.extensions["timeout"]["read"]  # the server never answers
        raise httpx.ReadTimeout("timed out", request=request)

    with client_for(handler, fake, request_deadline=20) as client:
        with pytest.raises(DeadlineExceeded, match=r"deadline of 20 s \(last: ReadTimeout\)"):
            client.get("https://example.org/")
    assert (len(calls), fake.sleeps) == (1, [])


def test_after_the_portal_deadline_no_request_is_sent() -> None:
    fake = FakeTime()
    handler, seen = scripted(httpx.Response(200), httpx.Response(200))
    with client_for(handler, fake, portal_deadline=100) as client:
        client.get("https://example.org/1")
        fake.now += 60
        client.get("https://example.org/2")
        fake.now += 40
        with pytest.raises(DeadlineExceeded) as info:
            client.get("https://example.org/3")
    assert str(info.value) == (
        "did not ask for https://example.org/3: the portal's deadline of 100 s has passed"
    )
    assert len(seen) == 2


def test_the_portal_deadline_cuts_a_request_started_before_it() -> None:
    fake = FakeTime()
    timeouts: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"])
        return httpx.Response(200)

    with client_for(handler, fake, portal_deadline=100, request_deadline=300) as client:
        client.get("https://example.org/1")
        fake.now += 95
        client.get("https://example.org/2")
    assert [t["read"] for t in timeouts] == [60.0, 5.0]


def test_gives_up_after_retries_and_returns_last_500() -> None:
    fake = FakeTime()
    handler, seen = scripted(*(httpx.Response(500, text=f"try {n}") for n in range(1, 4)))
    with client_for(handler, fake, retries=2) as client:
        response = client.get("https://example.org/")
    assert (response.status_code, response.text, len(seen)) == (500, "try 3", 3)
    assert fake.sleeps == [1.0, 2.0]


def test_timeout_is_retried_then_reraised() -> None:
    fake = FakeTime()
    handler, seen = scripted(*(httpx.ReadTimeout(f"slow {n}") for n in range(1, 4)))
    with client_for(handler, fake, retries=2) as client, pytest.raises(httpx.ReadTimeout) as info:
        client.get("https://example.org/")
    assert (str(info.value), len(seen), fake.sleeps) == ("slow 3", 3, [1.0, 2.0])


def test_connect_error_then_success() -> None:
    fake = FakeTime()
    handler, seen = scripted(httpx.ConnectError("refused"), httpx.Response(200, text="ok"))
    with client_for(handler, fake) as client:
        assert client.get("https://example.org/").text == "ok"
    assert len(seen) == 2


def test_404_is_not_retried() -> None:
    fake = FakeTime()
    handler, seen = scripted(httpx.Response(404))
    with client_for(handler, fake) as client:
        assert client.get("https://example.org/missing").status_code == 404
    assert (len(seen), fake.sleeps) == (1, [])


def test_min_delay_applies_per_host_only() -> None:
    fake = FakeTime()
    handler, _ = scripted(*(httpx.Response(200) for _ in range(4)))
    with client_for(handler, fake, min_delay=1.0) as client:
        client.get("https://a.example.org/1")
        client.get("https://b.example.org/1")  # another host: no wait
        fake.now += 0.25  # time spent parsing between requests counts towards the delay
        client.get("https://a.example.org/2")
        client.get("https://b.example.org/2")
    assert fake.sleeps == [0.75]


def test_body_larger_than_cap_raises_naming_the_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        # A streamed body without Content-Length, so only reading it reveals the size.
        return httpx.Response(200, stream=httpx.ByteStream(b"x" * 2000))

    fake = FakeTime()
    with (
        client_for(handler, fake, max_bytes=1000) as client,
        pytest.raises(ResponseTooLarge) as info,
    ):
        client.get("https://example.org/huge?page=1")
    assert "https://example.org/huge?page=1" in str(info.value)


def test_announced_content_length_over_cap_raises_before_reading() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "5000"}, stream=_unreadable())

    fake = FakeTime()
    with (
        client_for(handler, fake, max_bytes=1000) as client,
        pytest.raises(ResponseTooLarge) as info,
    ):
        client.get("https://example.org/big")
    assert "announces 5000 bytes" in str(info.value)


class _unreadable(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        raise AssertionError("the body should not be read")


def test_gzip_body_is_capped_after_decoding() -> None:
    import gzip

    packed = gzip.compress(b"0" * 100_000)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=packed)

    fake = FakeTime()
    with client_for(handler, fake, max_bytes=50_000) as client, pytest.raises(ResponseTooLarge):
        client.get("https://example.org/bomb")


def test_gzip_body_under_cap_is_decoded_once() -> None:
    import gzip

    def handler(request: httpx.Request) -> httpx.Response:
        body = gzip.compress(b'{"ok": true}')
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=body)

    with client_for(handler, FakeTime()) as client:
        assert client.get("https://example.org/").json() == {"ok": True}


def test_retried_multipart_post_sends_the_same_body() -> None:
    fake = FakeTime()
    handler, seen = scripted(httpx.Response(503), httpx.Response(200))
    query = json.dumps({"bool": {"must": [{"terms": {"type": ["1", "2", "8"]}}]}})
    files = {
        "query": ("blob", query.encode(), "application/json"),
        "languages": ("blob", b'["en"]', "application/json"),
    }
    with client_for(handler, fake) as client:
        response = client.post(EU_SEARCH, params={"apiKey": "SEDIA", "pageNumber": 1}, files=files)
    assert response.status_code == 200
    first, second = (request.content for request in seen)
    assert first == second
    assert query.encode() in first
    assert seen[0].headers["content-type"] == seen[1].headers["content-type"]


def test_user_agent_and_timeouts_are_set() -> None:
    handler, seen = scripted(httpx.Response(200))
    with make_client(
        transport=httpx.MockTransport(handler), connect_timeout=3, read_timeout=9
    ) as c:
        c.get("https://example.org/")
        assert c.timeout == httpx.Timeout(9, connect=3)
    assert seen[0].headers["user-agent"] == USER_AGENT
    assert USER_AGENT == (
        "TerritorioSmartMatcher/0.1 (+https://github.com/piacenza-territorio-smart/matcher)"
    )


def test_redirects_are_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "https://example.org/new"})
        return httpx.Response(200, text=request.url.path)

    with client_for(handler, FakeTime()) as client:
        assert client.get("https://example.org/old").text == "/new"


def write_index(directory: Path, entries: list[dict]) -> None:
    (directory / "index.json").write_text(json.dumps(entries), encoding="utf-8")


def test_replay_matches_method_path_and_params(tmp_path: Path) -> None:
    (tmp_path / "eu").mkdir()
    (tmp_path / "eu" / "page-1.json").write_bytes(b'{"page": 1}')
    (tmp_path / "eu" / "page-2.json").write_bytes(b'{"page": 2}')
    entry = {"method": "POST", "url": EU_SEARCH, "headers": {"content-type": "application/json"}}
    write_index(
        tmp_path,
        [
            {**entry, "params": {"pageNumber": "1"}, "file": "eu/page-1.json"},
            {**entry, "params": {"pageNumber": 2}, "file": "eu/page-2.json"},
        ],
    )
    with replay_client(tmp_path) as client:
        pages = [
            client.post(EU_SEARCH, params={"apiKey": "SEDIA", "pageNumber": n}, files={"q": b"{}"})
            for n in (2, 1)
        ]
    assert [(r.status_code, r.json(), r.headers["content-type"]) for r in pages] == [
        (200, {"page": 2}, "application/json"),
        (200, {"page": 1}, "application/json"),
    ]


def test_replay_answers_404_naming_an_unmatched_request(tmp_path: Path) -> None:
    (tmp_path / "page.json").write_bytes(b"{}")
    transport = ReplayTransport(
        tmp_path, entries=[{"method": "POST", "url": EU_SEARCH, "file": "page.json"}]
    )
    with httpx.Client(transport=transport) as client:
        wrong_method = client.get(EU_SEARCH)
        wrong_host = client.post("https://example.org/search-api/prod/rest/search")
    assert (wrong_method.status_code, wrong_method.text) == (
        404,
        f"no recorded response for GET {EU_SEARCH} in {tmp_path}",
    )
    assert wrong_host.status_code == 404


def test_replay_status_and_first_match_wins(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"first")
    (tmp_path / "b").write_bytes(b"second")
    write_index(
        tmp_path,
        [
            {"method": "GET", "url": "https://example.org/x", "file": "a", "status": 410},
            {"method": "GET", "url": "https://example.org/x", "file": "b"},
        ],
    )
    with replay_client(tmp_path) as client:
        response = client.get("https://example.org/x")
    assert (response.status_code, response.text) == (410, "first")


def test_record_then_replay_round_trip(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = request.url.params.get("page", "0")
        return httpx.Response(
            200,
            json={"page": page, "path": request.url.path},
            headers={"Set-Cookie": "session=secret"},
        )

    recorder = RecordingTransport(httpx.MockTransport(handler), tmp_path)
    requests = [
        ("GET", "https://example.org/list", {"page": "1"}),
        ("POST", EU_SEARCH, {"page": "2"}),
    ]
    with make_client(transport=recorder, min_delay=0, retries=0) as client:
        live = [client.request(m, u, params=p).json() for m, u, p in requests]
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert index[0] == {
        "method": "GET",
        "url": "https://example.org/list",
        "params": {"page": "1"},
        "file": "0001-example.org.json",
        "status": 200,
        "headers": {"content-type": "application/json"},
    }
    with replay_client(tmp_path) as client:
        replayed = [client.request(m, u, params=p).json() for m, u, p in requests]
    assert (
        replayed
        == live
        == [
            {"page": "1", "path": "/list"},
            {"page": "2", "path": "/search-api/prod/rest/search"},
        ]
    )


class _FlakyHandler(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        type(self).hits += 1
        status, body = (503, b"busy") if type(self).hits == 1 else (200, b'{"ok": true}')
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_real_transport_against_local_server_retries_503() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FlakyHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    fake = FakeTime()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/calls"
        with make_client(sleep=fake.sleep, clock=fake.clock, backoff=2.0) as client:
            response = client.get(url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert (response.status_code, response.json(), _FlakyHandler.hits) == (200, {"ok": True}, 2)
    assert fake.sleeps == [2.0]


def test_non_ascii_header_values_pass_through() -> None:
    disposition = 'attachment; filename="bando_è.pdf"'.encode("latin-1")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=[(b"Content-Disposition", disposition)], content=b"%PDF")

    with client_for(handler, FakeTime()) as client:
        response = client.get("https://example.org/bando.pdf")
    assert (response.headers.raw[0], response.content) == (
        (b"Content-Disposition", disposition),
        b"%PDF",
    )


def test_recording_a_retried_request_keeps_only_the_last_answer(tmp_path: Path) -> None:
    handler, _ = scripted(
        httpx.Response(503, text="busy"), httpx.Response(200, json={"items": [1, 2]})
    )
    recorder = RecordingTransport(httpx.MockTransport(handler), tmp_path)
    fake = FakeTime()
    with make_client(transport=recorder, sleep=fake.sleep, clock=fake.clock) as client:
        assert client.get("https://example.org/list", params={"page": 1}).status_code == 200
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert [(e["file"], e["status"]) for e in index] == [("0001-example.org.json", 200)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0001-example.org.json", "index.json"]
    with replay_client(tmp_path) as client:
        assert client.get("https://example.org/list?page=1").json() == {"items": [1, 2]}


def test_replay_index_naming_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    write_index(tmp_path, [{"method": "GET", "url": "https://example.org/", "file": "gone.json"}])
    with pytest.raises(ConfigError, match="entry 0: no file .*gone.json"):
        ReplayTransport(tmp_path)
