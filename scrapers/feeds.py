"""RSS 1.0/RDF, RSS 2.0 and Atom feeds of agencies, ministries and regions (configured list)."""

from __future__ import annotations

import calendar
import hashlib
import io
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser
import httpx

from matcher.errors import ScrapeError
from matcher.models import Call
from matcher.normalize.amounts import find_budget
from matcher.normalize.itdates import find_deadline, mentions_open_ended
from matcher.normalize.kinds import classify_kind
from matcher.normalize.language import detect_language
from matcher.normalize.text import html_to_text
from scrapers.base import Report, Site, distinct, each_site, shorten
from scrapers.files import refuse_web_page

log = logging.getLogger(__name__)

NAME = "feeds"
TITLE = "RSS/Atom feeds (EU agencies, ministries, regions)"
DEFAULT_URL = ""  # no single endpoint: every feed is a [[feeds.sites]] entry of sources.toml
SITES_CONFIGURED = True  # the CLI rejects --base-url for this portal
DEDUPE_PRIORITY = 60  # news items, often about a call another portal lists
SETTINGS = {"sites": list}  # its keys in sources.toml (allow_empty too)

# A whole document ends with its root element closed: </rss>, </feed>, </rdf:RDF>.
_WHOLE = re.compile(rb"</[\w.-]*:?(?:rss|feed|RDF)\s*>\s*$", re.IGNORECASE)
_DECLARED = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\bencoding\s*=", re.IGNORECASE)
MAX_KEY_CHARS = 80  # a longer guid or link is replaced by a short hash in the native id
# Agencies' and ministries' feeds mix calls with news about them; classify_kind must say "call"
# and the item must also use call wording, else it is stored as news.
_CALL_WORDS = re.compile(
    r"\b(?:band[oi]|avvis[oi]|invit[oi]|contribut[oi]|finanziament[oi]|agevolazion[ei]|incentiv[oi]"
    r"|voucher|manifestazion[ei]\s+di\s+interesse|call|calls|funding|grants?)\b",
    re.IGNORECASE,
)


def native_key(site_name: str, key: str) -> str:
    """`<site>:<key>`; a key longer than MAX_KEY_CHARS becomes a 16-hex-digit hash of itself."""
    key = key.strip()
    if len(key) > MAX_KEY_CHARS:
        key = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"{site_name}:{key}"


def read_feed(
    client: httpx.Client, site: Site, report: Report | None = None
) -> list[dict[str, Any]]:
    """The entries of the site's feed; HTTP errors and a document that is no feed raise."""
    response = client.get(site.url, params=site.params or None)
    response.raise_for_status()
    content_type = response.headers.get("content-type", "")
    return parse_feed(response.content, site.url, content_type, report)


def parse_feed(
    content: bytes, url: str, content_type: str = "", report: Report | None = None
) -> list[dict[str, Any]]:
    """The entries of an RSS 1.0/RDF, RSS 2.0 or Atom document, decoded from its own bytes.

    The bytes go in as a stream: given a str (or bytes naming a file) feedparser would fetch or
    open it itself. Its encoding detection follows the XML declaration and the HTTP charset (the
    MASAF feed is ISO-8859-1), but a charset the server sends for a document that names its own
    encoding, or is UTF-8, is left out: servers send their default for any file, and a UTF-8 feed
    read as ISO-8859-1 garbles every accented title. Raises ScrapeError when the document is not
    a feed at all. A feed has no total to check against: it is complete when the whole document
    was read, so one that stops before its root element closes (cut off) is reported on
    `report` (else logged), keeping the entries read.
    """
    refuse_web_page(content, url, "an RSS or Atom feed")
    headers = {"content-location": url}  # base for relative links
    if content_type:
        headers["content-type"] = _trusted_type(content, content_type)
    parsed = feedparser.parse(io.BytesIO(content), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        cause = parsed.get("bozo_exception")
        raise ScrapeError(f"{url} is not an RSS or Atom feed" + (f" ({cause})" if cause else ""))
    entries = list(parsed.entries)
    if not _WHOLE.search(content.replace(b"\x00", b"")):  # UTF-16 too
        # The item at the break may have lost its end (a summary cut short): it is not read.
        entries = entries[:-1]
        cause = parsed.get("bozo_exception") or "no closing root element"
        (report or Report()).error(
            f"{NAME}: {url} did not parse whole ({cause}); the {len(entries)} items before the "
            "break are kept, the listing is incomplete"
        )
    elif parsed.get("bozo"):  # an undefined entity, an encoding mislabelled: read in full
        log.info("%s: feed parsed leniently: %s", url, parsed.get("bozo_exception"))
    return entries


def _trusted_type(content: bytes, content_type: str) -> str:
    media, _, params = content_type.partition(";")
    if "charset" in params.lower() and (_DECLARED.match(content) or _is_utf8(content)):
        return media.strip()
    return content_type


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def item_kind(title: str, text: str) -> str:
    """classify_kind's verdict, except that a 'call' without call wording counts as news."""
    kind = classify_kind(title, text)
    if kind == "call" and not _CALL_WORDS.search(f"{title}\n{text}"):
        return "news"
    return kind


def to_call(entry: dict[str, Any], site: Site) -> Call | None:
    """A Call from one feed entry, or None when it has no title or no link."""
    title = " ".join(html_to_text(entry.get("title")).split())
    link = str(entry.get("link") or "").strip()
    if not title or not link:
        return None
    summary = html_to_text(entry.get("summary"))
    content = "\n\n".join(html_to_text(c.get("value")) for c in entry.get("content") or [])
    text = content or summary
    # The deadline may sit in the title ("... - scadenza 30 giugno") or only in the summary.
    prose = "\n".join(part for part in (title, summary, content) if part)
    deadline = find_deadline(prose, site.tz)
    open_ended = deadline is None and mentions_open_ended(prose)
    return Call(
        portal=NAME,
        native_id=native_key(site.name, str(entry.get("id") or link)),
        title=title,
        url=link,
        summary=shorten(summary or text),
        text=text,
        language=site.language or detect_language(prose),
        territory=site.territory,
        deadlines=[deadline.at] if deadline else [],
        deadline_time_known=deadline.time_known if deadline else True,
        tz=site.tz,
        status_hint="open_ended" if open_ended else None,
        budget_eur=find_budget(prose),
        topics=[t["term"] for t in entry.get("tags") or [] if t.get("term")],
        links=[link],
        kind=item_kind(title, summary or text),
        # dict.get: FeedParserDict's own get() maps a missing `updated` to `published` with a
        # DeprecationWarning.
        source_updated=_instant(
            dict.get(entry, "updated_parsed") or dict.get(entry, "published_parsed")
        ),
    )


def scrape(
    client: httpx.Client,
    *,
    base_url: str | None = None,
    report: Report,
    config: dict[str, Any] | None = None,
) -> Iterator[Call]:
    """Read every configured feed; a feed that fails is reported and the others go on.

    Items that are not funding calls (news, tenders, registers) are yielded with their `kind`
    so that users can see why they were left out of the shortlists. Feeds hold only their last
    10-20 items.
    """
    sites = each_site(
        config, NAME, report, lambda site: read_feed(client, site, report), base_url=base_url,
        nothing="has no items",
    )  # fmt: skip
    for site, entries in sites:
        calls = (to_call(entry, site) for entry in entries)
        yield from distinct(calls, report, "feed item without title or link", "duplicate feed item")
        report.advance(len(entries))


def _instant(value: object) -> datetime | None:
    # feedparser normalises every date it understands to a UTC struct_time.
    if value is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)  # type: ignore[arg-type]
