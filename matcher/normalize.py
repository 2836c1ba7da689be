"""Normalisation entry point: ISO timestamps, HTML to text, and the Italian helpers re-exported."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone

from bs4 import BeautifulSoup

from matcher.amounts import find_budget, parse_amount, parse_amount_range
from matcher.itdates import (
    ParsedDate,
    find_deadline,
    mentions_open_ended,
    parse_it_date,
    parse_it_period,
)
from matcher.kinds import classify_kind
from matcher.language import detect_language
from matcher.territory import territory_from_regions, territory_includes

__all__ = [
    "ParsedDate",
    "classify_kind",
    "detect_language",
    "find_budget",
    "find_deadline",
    "html_to_text",
    "mentions_open_ended",
    "parse_amount",
    "parse_amount_range",
    "parse_iso",
    "parse_it_date",
    "parse_it_period",
    "territory_from_regions",
    "territory_includes",
]

_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "tr", "td", "th", "table", "section", "article", "blockquote",
)  # fmt: skip
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def parse_iso(value: str | None, default_tz: timezone | None = None) -> datetime | None:
    """Parse ISO 8601 as portals write it (`+0000`, `Z`, `.000`); None for empty input.

    A naive value gets `default_tz` when given, else stays naive for the caller to place.
    """
    if not value or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None and default_tz is not None:
        parsed = parsed.replace(tzinfo=default_tz)
    return parsed


def html_to_text(markup: str | None) -> str:
    """Readable text from an HTML fragment: entities decoded, block tags become line breaks."""
    if not markup:
        return ""
    if "<" not in markup:
        return _tidy(html.unescape(markup))
    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(["script", "style"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    return _tidy(soup.get_text())


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


SUMMARY_CHARS = 300  # a Call's summary: what a list shows under the title


def shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first `limit` characters of `text` on one line, cut at a word."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
