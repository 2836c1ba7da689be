"""Scraped text is data written by strangers: no control characters, only web links."""

from __future__ import annotations

import re
from dataclasses import replace

from matcher.models import Call

# C0 controls but tab and newline, DEL, C1 controls (ESC[2J would clear a terminal; a stray
# \r rewrites a line), and the bidirectional overrides that can reverse a title on screen.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_TEXT_FIELDS = ("native_id", "title", "summary", "text", "programme", "territory", "language")
_LIST_FIELDS = ("beneficiaries", "topics")


def without_controls(value: str) -> str:
    """`value` without control characters (a carriage return becomes a line break)."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def web_link(value: str) -> str:
    """`value` when it is an http(s) URL, else '' (javascript:, data:, file: are refused)."""
    link = without_controls(value).strip()
    return link if re.match(r"(?i)^https?://[^\s/]", link) and not re.search(r"\s", link) else ""


def safe_call(call: Call) -> Call:
    """The call with its text fields freed of control characters and its links web links only."""
    changes: dict[str, object] = {}
    for name in _TEXT_FIELDS:
        value = getattr(call, name)
        cleaned = without_controls(value)
        if cleaned != value:
            changes[name] = cleaned
    for name in _LIST_FIELDS:
        values = getattr(call, name)
        cleaned_list = [without_controls(v) for v in values]
        if cleaned_list != values:
            changes[name] = cleaned_list
    url = web_link(call.url)
    if url != call.url:
        changes["url"] = url
    links = [link for link in (web_link(v) for v in call.links) if link]
    if links != call.links:
        changes["links"] = links
    return replace(call, **changes) if changes else call  # type: ignore[arg-type]
