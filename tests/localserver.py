"""A real HTTP server on 127.0.0.1 for end-to-end tests: answers from a handler function."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# handler(method, path_with_query, headers, body) -> (status, content_type, body)
Handler = Callable[[str, str, dict[str, str], bytes], tuple[int, str, bytes]]


@contextmanager
def serve(handler: Handler) -> Iterator[tuple[str, list[dict]]]:
    """Yield (base URL, list of received requests) while the server runs."""
    received: list[dict] = []

    class Request(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            received.append(
                {"method": self.command, "path": self.path, "headers": headers, "body": body}
            )
            status, content_type, payload = handler(self.command, self.path, headers, body)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Request)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
