"""The faults a portal's server can be switched to, each a function of the request and of
the answer the recordings give (see server.Fault)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from localserver import Reply

from faults.formats import FORMATS, Doc
from faults.server import Fault, Seen

HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Manutenzione</title></head>"
             b"<body><h1>Sito in manutenzione</h1></body></html>")  # fmt: skip


def retry_after(seconds: int, times: int = 1) -> Fault:
    """The first `times` requests answer 429 with this Retry-After."""
    return _first(times, lambda seen, reply: Reply(429, b"slow down",
                                                   {"Retry-After": str(seconds)}))  # fmt: skip


def server_errors(times: int, status: int = 503) -> Fault:
    """The first `times` requests answer a 5xx (a large `times`: every one does)."""
    return _first(times, lambda seen, reply: Reply(status, b"unavailable", {}))


def slow(seconds: float) -> Fault:
    """Every answer starts `seconds` late, then comes whole."""
    return lambda seen, reply: replace(reply, delay=seconds)


def stalled(seen: Seen, reply: Reply) -> Reply:
    """Headers and half the body, then nothing: the connection stays open."""
    return replace(reply, stall_after=len(reply.body) // 2)


def trickling(seen: Seen, reply: Reply) -> Reply:
    """The body one byte every 20 ms: each read is quick, the whole would take minutes."""
    return replace(reply, pace=0.02, chunk=1)


def cut_off(seen: Seen, reply: Reply) -> Reply:
    """The connection closes halfway through the announced body."""
    return replace(reply, body=reply.body[: len(reply.body) // 2], length=len(reply.body))


def truncated(seen: Seen, reply: Reply) -> Reply:
    """Half the document, sent as a whole one: the cut falls inside a row (or a JSON value)."""
    cut = len(reply.body) // 2
    while reply.body[cut - 1 : cut] in (b"\n", b"\r"):
        cut -= 7  # never on a line boundary: a CSV cut there is a shorter file, not a broken one
    return replace(reply, body=reply.body[:cut])


def invalid_json(seen: Seen, reply: Reply) -> Reply:
    return replace(reply, body=reply.body.replace(b":", b"=", 1))


def html_page(seen: Seen, reply: Reply) -> Reply:
    return Reply(200, HTML_PAGE, {"Content-Type": "text/html; charset=utf-8"})


def wrong_envelope(seen: Seen, reply: Reply) -> Reply:
    return replace(reply, body=b'{"error": null, "data": {"hits": [], "total": 0}}')


def redirect_loop(seen: Seen, reply: Reply) -> Reply:
    return Reply(302, b"", {"Location": str(seen.url)})


def oversized(seen: Seen, reply: Reply) -> Reply:
    """The real body padded with 3 MB of spaces, its length not announced."""
    return replace(reply, body=reply.body + b" " * 3_000_000, length=-1)


def announced_oversized(seen: Seen, reply: Reply) -> Reply:
    return replace(reply, body=b"", length=10**10)


def charset_header(seen: Seen, reply: Reply) -> Reply:
    """A UTF-8 body served as ISO-8859-1 (a server's default charset)."""
    media = reply.headers.get("Content-Type", "application/octet-stream").split(";")[0]
    return replace(reply, headers={**reply.headers, "Content-Type": f"{media}; charset=iso-8859-1"})


def charset_body(seen: Seen, reply: Reply) -> Reply:
    """The body re-encoded in Windows-1252 while the headers still say UTF-8."""
    try:
        text = reply.body.decode("utf-8")
    except UnicodeDecodeError:
        return reply  # not UTF-8 to begin with (the ISO-8859-1 feed)
    return replace(reply, body=text.encode("cp1252", errors="replace"))


def listing(portal: str, keep: Callable[[list[Any]], list[Any]], total: str = "match") -> Fault:
    """The listing with only the rows `keep` leaves; its total says how many there are
    (`match`), or still the recorded number (`keep`), with no link to a next page."""

    def fault(seen: Seen, reply: Reply) -> Reply:
        def edit(fmt: Any, doc: Doc) -> None:
            rows = fmt.rows(doc)
            fmt.set_rows(doc, keep(rows))
            fmt.set_total(doc, len(keep(rows)) if total == "match" else len(rows))
            if isinstance(doc.data, dict) and "batching" in doc.data:
                doc.data.pop("batching")

        return _edited(portal, reply, edit)

    return fault


def rows_edited(portal: str, edit_row: Callable[[str, Any], Any], rows: slice) -> Fault:
    """Some rows (`rows` of the first page) edited by `edit_row(portal, row)`."""

    def fault(seen: Seen, reply: Reply) -> Reply:
        def edit(fmt: Any, doc: Doc) -> None:
            found = fmt.rows(doc)
            found[rows] = [edit_row(portal, row) for row in found[rows]]
            fmt.set_rows(doc, found)

        return _edited(portal, reply, edit)

    return fault


def pagination_loop(portal: str) -> Fault:
    """Every page is the first one again, and the total says there is more to read."""

    def fault(seen: Seen, reply: Reply) -> Reply:
        def edit(fmt: Any, doc: Doc) -> None:
            fmt.set_total(doc, 3 * len(fmt.rows(doc)))
            if isinstance(doc.data, dict) and "items_total" in doc.data:  # Plone: follow `next`
                doc.data["batching"] = {"next": str(seen.url)}
            if "X-WP-TotalPages" in doc.headers:
                doc.headers["X-WP-TotalPages"] = "3"

        return _edited(portal, seen.first_page(), edit)

    return fault


def _edited(portal: str, reply: Reply, edit: Callable[[Any, Doc], None]) -> Reply:
    if reply.status != 200:
        return reply
    fmt = FORMATS[portal]
    doc = fmt.load(reply.body, reply.headers)
    edit(fmt, doc)
    return replace(reply, body=fmt.dump(doc), headers=doc.headers)


def _first(times: int, answer: Fault) -> Fault:
    def fault(seen: Seen, reply: Reply) -> Reply:
        return answer(seen, reply) if seen.number < times else reply

    return fault
