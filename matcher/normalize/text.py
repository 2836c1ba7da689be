"""Text of calls: HTML to readable text, and one-line summaries."""

from __future__ import annotations

import html
import re
import unicodedata

from bs4 import BeautifulSoup

_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "tr", "td", "th", "table", "section", "article", "blockquote",
)  # fmt: skip
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


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


def plain(text: str) -> str:
    """The text as words are compared: accents and case dropped, one space between words."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.casefold().split())
