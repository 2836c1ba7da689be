"""A real HTTP server on 127.0.0.1 for end-to-end tests: answers from a handler function."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """An answer with its delivery under control, for injecting faults.

    `length` is the Content-Length announced: None for the body's own, -1 for none (the end
    of the body is then the end of the connection). The answer starts after `delay` seconds.
    With `pace`, the body goes out `chunk` bytes at a time with `pace` seconds between writes;
    with `stall_after`, only that many bytes go out and the connection then hangs until the
    server stops.
    """

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None
    delay: float = 0.0
    pace: float = 0.0
    chunk: int = 1
    stall_after: int | None = None


# handler(method, path_with_query, headers, body) -> (status, content_type, body) or a Reply
Handler = Callable[[str, str, dict[str, str], bytes], tuple[int, str, bytes] | Reply]


@contextmanager
def serve(handler: Handler) -> Iterator[tuple[str, list[dict]]]:
    """Yield (base URL, list of received requests) while the server runs."""
    received: list[dict] = []
    stopping = threading.Event()  # wakes handlers that stall or trickle, so none outlives a test

    class Request(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            received.append(
                {"method": self.command, "path": self.path, "headers": headers, "body": body}
            )
            answer = handler(self.command, self.path, headers, body)
            if isinstance(answer, tuple):
                status, content_type, payload = answer
                answer = Reply(status, payload, {"Content-Type": content_type})
            try:
                self._deliver(answer)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up on a slow or oversized answer, as it should

        def _deliver(self, reply: Reply) -> None:
            if reply.delay and stopping.wait(reply.delay):
                return
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            length = len(reply.body) if reply.length is None else reply.length
            if length >= 0:
                self.send_header("Content-Length", str(length))
            self.end_headers()
            body = reply.body if reply.stall_after is None else reply.body[: reply.stall_after]
            if not reply.pace:
                self.wfile.write(body)
            for start in range(0, len(body) if reply.pace else 0, reply.chunk):
                self.wfile.write(body[start : start + reply.chunk])
                self.wfile.flush()
                if stopping.wait(reply.pace):
                    return
            if reply.stall_after is not None:
                self.wfile.flush()
                stopping.wait()

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Request)
    # A short poll: shutdown() waits for the loop's next turn, and suites start many servers.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()
