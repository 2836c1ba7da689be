"""Regional call portals built on WordPress: the wp-json/wp/v2/<type> listing of each site."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from matcher.errors import ScrapeError
from matcher.models import Call
from matcher.normalize.amounts import find_budget
from matcher.normalize.eligibility import public_bodies_eligible
from matcher.normalize.itdates import find_deadline, mentions_open_ended
from matcher.normalize.kinds import classify_kind
from matcher.normalize.language import detect_language
from matcher.normalize.text import html_to_text
from matcher.normalize.timezones import IT_TZ, instant
from scrapers.base import (
    Report,
    Site,
    distinct,
    each_site,
    read_pages,
    reason,
    report_short,
    shorten,
)
from scrapers.files import response_json
from scrapers.shapes import (
    INTEGER,
    RENDERED,
    TEXT,
    TEXTS,
    Shape,
    keep_valid,
    shape_problem,
    text_label,
)

log = logging.getLogger(__name__)

NAME = "wordpress"
TITLE = "WordPress call portals (wp-json)"
DEFAULT_URL = ""  # no single endpoint: every site is a [[wordpress.sites]] entry of sources.toml
SITES_CONFIGURED = True  # the CLI rejects --base-url for this portal
DEDUPE_PRIORITY = 70  # regional sites' posts, the least structured record
SETTINGS = {"sites": list}  # its keys in sources.toml (allow_empty too)

PER_PAGE = 100  # WordPress answers 400 rest_invalid_param above 100
MAX_PAGES = 50
PAST_LAST_PAGE = "rest_post_invalid_page_number"  # WordPress's 400 for a page beyond the last
# LazioInnova and euroinfosicilia tag posts with `destinatari-<slug>` taxonomy classes.
_AUDIENCE = "destinatari-"
_TOPIC_PREFIXES = ("tematiche-", "argomenti-")


@dataclass
class Page:
    """One listing page: its posts (None past the last page) and the totals WordPress sends
    with every listing (X-WP-Total, X-WP-TotalPages), None when absent."""

    posts: list[dict[str, Any]] | None
    total_posts: int | None = None
    total_pages: int | None = None


def fetch_page(client: httpx.Client, site: Site, page: int) -> Page:
    """One listing page. Past the last page WordPress answers a 400
    rest_post_invalid_page_number instead of an empty list: a Page without posts."""
    params = {"per_page": PER_PAGE, **site.params, "page": page}
    response = client.get(site.url, params=params)
    if response.status_code == 400 and page > 1 and _error_code(response) == PAST_LAST_PAGE:
        return Page(None)
    payload = response_json(response)
    if not isinstance(payload, list) or not all(isinstance(p, dict) for p in payload):
        raise ScrapeError(f"unexpected answer from {response.request.url}: not a list of posts")
    return Page(payload, _count(response, "x-wp-total"), _count(response, "x-wp-totalpages"))


def read_listing(
    client: httpx.Client, site: Site, report: Report, max_pages: int = MAX_PAGES
) -> list[dict[str, Any]]:
    """Every post of one site, page by page.

    Stops at X-WP-TotalPages when the site sends it, else at an empty page or WordPress's
    past-the-last-page 400. A failing first page raises; a failing later page, a page that only
    repeats posts already read (the site ignores `page`), the page cap, and a listing that ends
    short of its X-WP-Total are reported and the posts read so far are kept. Posts not of the
    promised shape (post_problem) are skipped and reported.
    """
    posts: list[dict[str, Any]] = []
    seen: set[object] = set()
    listed, announced, errors_before = 0, None, len(report.errors)

    def where(page: int) -> str:
        return f"{NAME}: {site.name}: page {page} of {site.url}"

    pages = read_pages(
        lambda page: (fetch_page(client, site, page), page + 1),
        1,
        report=report,
        max_pages=max_pages,
        failed=lambda page, exc: f"{where(page)}: {reason(exc)}",
        capped=lambda: f"{NAME}: {site.name}: stopped after {max_pages} pages of {site.url}",
    )
    for page, found in pages:
        announced = found.total_posts if found.total_posts is not None else announced
        if not found.posts:
            break
        valid = keep_valid(found.posts, post_problem, report, where(page), text_label("id", "link"))
        new = [p for p in valid if p.get("id") not in seen]
        if valid and not new:
            report.error(f"{where(page)} repeats earlier posts")
            break
        listed += len(found.posts)
        seen.update(p.get("id") for p in new)
        posts.extend(new)
        report.advance(len(new))
        if found.total_pages is not None and page >= found.total_pages:
            break
    report_short(report, errors_before, listed, announced,
                 f"{NAME}: {site.name}: listed {listed} of the {announced} posts its "
                 "X-WP-Total announces; the listing is incomplete")  # fmt: skip
    return posts


# The fields read from a post, with the types the WordPress REST API gives them.
POST_SHAPE: Shape = {
    "id": INTEGER, "title": RENDERED, "content": RENDERED, "excerpt": RENDERED, "link": TEXT,
    "class_list": TEXTS, "date": TEXT, "date_gmt": TEXT, "modified": TEXT, "modified_gmt": TEXT,
}  # fmt: skip


def post_problem(post: object) -> str | None:
    """What makes a post unusable (see POST_SHAPE), or None."""
    return shape_problem(post, POST_SHAPE)


def beneficiaries(post: dict[str, Any]) -> list[str]:
    """Who may apply, from the `destinatari-*` classes ('destinatari-enti-pubblici')."""
    return [
        c.removeprefix(_AUDIENCE).replace("-", " ")
        for c in post.get("class_list") or []
        if isinstance(c, str) and c.startswith(_AUDIENCE)
    ]


def to_call(post: dict[str, Any], site: Site) -> Call | None:
    """A Call from one post, or None when it has no id or title."""
    post_id = post.get("id")
    title = " ".join(html_to_text(_rendered(post, "title")).split())
    if post_id is None or not title:
        return None
    text = html_to_text(_rendered(post, "content"))
    excerpt = html_to_text(_rendered(post, "excerpt"))
    # Excerpts often state the deadline the body buries ("Presentazione delle domande entro ...").
    prose = "\n".join(part for part in (title, excerpt, text) if part)
    deadline = find_deadline(prose, IT_TZ)
    classes = [c for c in post.get("class_list") or [] if isinstance(c, str)]
    if set(classes) & set(site.closed_classes):
        hint: str | None = "closed"  # the site files the post among closed calls
    elif deadline is None and mentions_open_ended(prose):
        hint = "open_ended"
    else:
        hint = None
    audience = beneficiaries(post)
    url = str(post.get("link") or "")
    return Call(
        portal=NAME,
        native_id=f"{site.name}:{post_id}",
        title=title,
        url=url,
        summary=shorten(excerpt or text),
        text=text or excerpt,
        language=site.language or detect_language(prose),
        territory=site.territory,
        deadlines=[deadline.at] if deadline else [],
        deadline_time_known=deadline.time_known if deadline else True,
        tz=IT_TZ,
        status_hint=hint,
        budget_eur=find_budget(prose),
        beneficiaries=audience,
        public_bodies_eligible=public_bodies_eligible(audience),
        topics=[
            c.split("-", 1)[1].replace("-", " ") for c in classes if c.startswith(_TOPIC_PREFIXES)
        ],
        links=[url] if url else [],
        kind=classify_kind(title, excerpt or text),
        source_updated=updated(post),
    )


def updated(post: dict[str, Any]) -> datetime | None:
    """When the post last changed: the *_gmt fields are UTC, the others site-local (Rome)."""
    for key, zone in (
        ("modified_gmt", UTC),
        ("modified", ZoneInfo(IT_TZ)),
        ("date_gmt", UTC),
        ("date", ZoneInfo(IT_TZ)),
    ):
        value = instant(post.get(key), zone, f"post {post.get('id')}", key)
        if value is not None:
            return value
    return None


def scrape(
    client: httpx.Client,
    *,
    base_url: str | None = None,
    report: Report,
    config: dict[str, Any] | None = None,
    max_pages: int = MAX_PAGES,
) -> Iterator[Call]:
    """Read every configured site; a site that fails is reported and the others go on.

    Reading each listing whole is what lets the store notice vanished posts.
    """
    sites = each_site(
        config, NAME, report, lambda site: read_listing(client, site, report, max_pages),
        base_url=base_url, nothing="lists no posts",
    )  # fmt: skip
    for site, posts in sites:
        calls = (to_call(post, site) for post in posts)
        yield from distinct(calls, report, "post without id or title")


def _rendered(post: dict[str, Any], key: str) -> str:
    value = post.get(key)
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) else ""


def _count(response: httpx.Response, header: str) -> int | None:
    value = response.headers.get(header, "").strip()
    return int(value) if value.isdigit() else None


def _error_code(response: httpx.Response) -> str:
    try:
        payload = json.loads(response.content)
    except ValueError:
        return ""
    return str(payload.get("code", "")) if isinstance(payload, dict) else ""
