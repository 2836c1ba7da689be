"""A partner's digest as an e-mail: plain text and HTML from Jinja2 templates, and the deadlines
it mentions as an .ics attachment. Pure: nothing is read or sent here.

Scraped text is untrusted: the HTML template escapes everything (autoescape), links are http(s)
only, and no scraped text reaches a header.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from matcher.digest.build import (
    CLOSING_WINDOW_DAYS,
    SECTIONS,
    Item,
    PartnerDigest,
    relevance_level,
)
from matcher.digest.words import attribution, source_name, theme_label, words
from matcher.exports import ExportContext, app_link, to_ics
from matcher.italian import days_left_text, deadline_text, format_amount, format_date
from matcher.normalize.safety import web_link, without_controls
from matcher.store.changes import Change
from matcher.store.ledger import LedgerEntry

TEMPLATES = Path(__file__).parent / "templates"
ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    # Only the HTML part is markup; the text part must show a title exactly as scraped.
    autoescape=lambda name: name is not None and ".html" in name,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class MailContext:
    """What every e-mail needs beside the digest: who sends, where the app is, theme labels."""

    sender: str  # "Name <address>"
    app_url: str  # MATCHER_APP_URL, '' when unset
    theme_labels: dict[str, str]  # theme key -> label (themes.toml, Italian)
    contact: str  # who to write to, to stop the digests (the first operator, else the sender)


def message_id(partner: str, entries: list[LedgerEntry], sender: str) -> str:
    """The same partner and items give the same Message-ID: a repeated send after a crash is
    recognisable as the same e-mail."""
    keys = sorted(f"{call_id}\t{section}\t{version}" for (call_id, section, version) in
                  (e.key for e in entries))  # fmt: skip
    digest = hashlib.sha256("\n".join([partner, *keys]).encode()).hexdigest()[:32]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "territorio-smart-matcher.invalid"
    return f"<digest.{digest}@{domain}>"


def render_digest(digest: PartnerDigest, recipients: list[str], ctx: MailContext) -> EmailMessage:
    """The multipart e-mail (text, HTML, .ics of the mentioned deadlines) of a digest."""
    view = digest_view(digest, ctx)
    message = _envelope(view["subject"], recipients, ctx, digest.now, digest.partner.language)
    message["Message-ID"] = message_id(digest.partner.key, digest.entries, ctx.sender)
    message.set_content(ENV.get_template("partner.txt.j2").render(view))
    message.add_alternative(ENV.get_template("partner.html.j2").render(view), subtype="html")
    calendar = deadlines_calendar(digest, ctx)
    if calendar:
        # RFC 5545 text is UTF-8; saying so spares clients a guess (titles carry accents).
        message.add_attachment(calendar, maintype="text", subtype="calendar",
                               filename=view["w"]["ics_file"],
                               params={"charset": "utf-8", "method": "PUBLISH"})  # fmt: skip
    return message


def _envelope(
    subject: str, recipients: list[str], ctx: MailContext, now: datetime, lang: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = ctx.sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Reply-To"] = ctx.contact
    message["List-Unsubscribe"] = f"<mailto:{ctx.contact}?subject=cancellami>"
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = lang
    return message


def deadlines_calendar(digest: PartnerDigest, ctx: MailContext) -> bytes:
    """An .ics of exactly the deadlines the e-mail mentions (each item's next one); b'' when
    it mentions none."""
    rows = [{**item.row, "deadlines": [item.row["next_deadline"]]} for item in digest.items
            if item.row["next_deadline"]]  # fmt: skip
    if not rows:
        return b""
    lang = digest.partner.language
    labels = {k: theme_label(k, v, lang) for k, v in ctx.theme_labels.items()}
    return to_ics(rows, ExportContext(labels, lang, ctx.app_url), digest.now)


def digest_view(digest: PartnerDigest, ctx: MailContext) -> dict[str, Any]:
    """What the templates show, every value already a text in the partner's language."""
    lang = digest.partner.language
    w = words(lang)
    items = digest.items
    end = format_date(digest.now)
    period = (w["period"].format(start=format_date(digest.since), end=end) if digest.since
              else w["period_first"].format(end=end))  # fmt: skip
    counts = {s: len(digest.sections.get(s, [])) for s in SECTIONS}
    parts = [_count_part(w, s, n) for s, n in counts.items() if n]
    count = w["one_call"] if len(items) == 1 else w["calls"].format(n=len(items))
    base = web_link(ctx.app_url).rstrip("/")
    sections = []
    for key in SECTIONS:
        if not digest.sections.get(key):
            continue
        intro = w[f"{key}_intro"].format(days=CLOSING_WINDOW_DAYS)
        if key == "new" and digest.since is None:
            intro = w["new_intro_first"]
        sections.append({
            "key": key, "title": w[key], "intro": intro,
            "calls": [_item_view(item, w, lang, ctx) for item in digest.sections[key]],
        })  # fmt: skip
    name = digest.partner.name
    return {
        "lang": lang,
        "w": w,
        "subject": w["subject"].format(
            count=count, partner=name, parts=", ".join(parts), period=period
        ),  # fmt: skip
        "heading": w["heading"].format(partner=name),
        "period": period,
        "sections": sections,
        "rest": [_rest(w, base, theme, n, ctx, lang) for theme, n in digest.rest.items()],
        "app_home": f"{base}/" if base else "",
        "has_calendar": any(item.row["next_deadline"] for item in items),
        "sources": "; ".join(attribution(p) for p in sorted({i.row["portal"] for i in items})),
        "why": w["why"].format(partner=name),
        "optout": w["optout"].format(contact=ctx.contact),
    }


def _count_part(w: dict[str, str], section: str, n: int) -> str:
    if n == 1 and f"part_{section}_one" in w:
        return w[f"part_{section}_one"]
    return w[f"part_{section}"].format(n=n)


def _rest(
    w: dict[str, str], base: str, theme: str, n: int, ctx: MailContext, lang: str
) -> dict[str, str]:
    label = theme_label(theme, ctx.theme_labels.get(theme, theme), lang)
    if not base:
        return {"text": w["rest_no_app"].format(n=n, theme=label), "link": ""}
    # The app's theme tabs are bound to ?tema=<the tab's label> (themes.toml's label).
    link = f"{base}/?tema={quote(ctx.theme_labels.get(theme, theme), safe='')}"
    return {"text": w["rest"].format(n=n, theme=label), "link": link}


def _item_view(item: Item, w: dict[str, str], lang: str, ctx: MailContext) -> dict[str, Any]:
    row = item.row
    explanation = row["explanation"]
    level = relevance_level(row)
    deadline = deadline_text(row["next_deadline"], row["deadline_time_known"], row["tz"], lang)
    themes = [theme_label(t, ctx.theme_labels.get(t, t), lang) for t in item.themes]
    programme = without_controls(row["programme"] or "")
    return {
        "title": without_controls(row["title"]),
        "source": " · ".join(filter(None, (source_name(row["portal"]), programme))),
        "relevance": w["relevance"].format(level=w[f"level_{level}"]),
        "reason": without_controls(reason(explanation, lang)),
        "deadline": deadline or w["no_deadline"],
        "days_left": days_left_text(row["days_to_deadline"], lang),
        "budget": format_amount(row["budget_eur"], lang),
        "themes": ", ".join(themes),
        "decision": _decision(row, w),
        "changes": [_change_text(change, row, w, lang) for change in item.changes],
        "url": web_link(row["url"] or ""),
        "app": app_link(ctx.app_url, row["id"]),
    }


def reason(explanation: dict[str, Any], lang: str) -> str:
    """One line on why the call is relevant: the ranking's first reason for the score (its
    phrases are Italian), else the theme's keywords found, else who may apply."""
    positives = [r[2:] for r in explanation.get("reasons", []) if r.startswith("+ ")]
    # Theme keywords are patterns ("tourist*"): people read the words.
    keywords = [str(k).rstrip("*") for k in explanation.get("keywords", [])[:4]]
    if positives and lang == "it":
        return str(positives[0])
    if keywords:
        return words(lang)["keywords"].format(words=", ".join(keywords))
    if positives:
        return str(positives[0])
    return str(explanation.get("eligibility", {}).get("note", ""))


def _decision(row: dict[str, Any], w: dict[str, str]) -> str:
    if row.get("assigned_to"):
        return w["assigned"].format(partner=without_controls(row["assigned_to"]))
    return w.get(f"dec_{row.get('decision')}", "")


def _change_text(change: Change, row: dict[str, Any], w: dict[str, str], lang: str) -> str:
    if change.kind in ("deadlines", "reopened"):
        before = ", ".join(_when(d, row) for d in change.before or []) or w["none"]
        after = ", ".join(_when(d, row) for d in change.after or []) or w["none"]
        if change.kind == "reopened":
            after = _when(max(change.after), row) if change.after else w["none"]
        return w[f"ch_{change.kind}"].format(before=before, after=after)
    if change.kind == "budget":
        before = format_amount(change.before, lang) or w["none"]
        after = format_amount(change.after, lang) or w["none"]
        return w["ch_budget"].format(before=before, after=after)
    before = w.get(f"st_{change.before}", str(change.before))
    after = w.get(f"st_{change.after}", str(change.after))
    return w["ch_status"].format(before=before, after=after)


def _when(instant: str, row: dict[str, Any]) -> str:
    return deadline_text(instant, True, row["tz"]) if row["deadline_time_known"] else format_date(
        instant, row["tz"])  # fmt: skip
