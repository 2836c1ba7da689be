"""Scraped text on the page: markdown escaped, links only http(s); never HTML."""

from __future__ import annotations

import re
from urllib.parse import quote

from matcher.normalize.safety import web_link, without_controls

# Everything CommonMark (and Streamlit's extensions: ~strike~, $math$, :colour[...]) could read
# as markup; a backslash before any ASCII punctuation shows it as itself.
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~=$:&\"'^])")


def md(text: object) -> str:
    """Scraped text as literal markdown: `**bold**` and `<script>` show as typed, on one line."""
    return _escape(" ".join(without_controls(str(text or "")).split()))


def _escape(text: str) -> str:
    return _MARKUP.sub(r"\\\1", text)


def md_block(text: object) -> str:
    """Like `md`, keeping line breaks (a paragraph of a call's text)."""
    lines = without_controls(str(text or "")).splitlines()
    return "  \n".join(md(line) for line in lines if line.strip())


def code(text: object) -> str:
    """Text shown as inline code (a path, an id): literal, whatever it holds."""
    return "`" + " ".join(without_controls(str(text)).replace("`", "'").split()) + "`"


def highlighted(text: str, keywords: list[str]) -> str:
    """`text` escaped, with the theme's keywords found in it in bold (keyword stems end in *)."""
    stems = sorted({k.rstrip("*") for k in keywords if k.strip("* ")}, key=len, reverse=True)
    if not stems:
        return md(text)
    pattern = re.compile(r"(?i)\b(" + "|".join(re.escape(s) for s in stems) + r")\w*")
    out, last = [], 0
    plain = " ".join(without_controls(text).split())
    for match in pattern.finditer(plain):
        out.append(_escape(plain[last : match.start()]))
        out.append(f"**{_escape(match.group(0))}**")
        last = match.end()
    out.append(_escape(plain[last:]))
    return "".join(out)


def safe_url(value: object) -> str:
    """An http(s) link fit for a markdown link target ('' for anything else)."""
    link = web_link(str(value or ""))
    # Parentheses and angle brackets would end the markdown target early.
    return quote(link, safe=":/?#[]@!$&'*+,;=%-._~") if link else ""


def md_call_link(label: object, link: str) -> str:
    """`[label](?call=…)`: a link to a call's page in the app (`link` from table.call_link)."""
    if not link.startswith("?call="):
        return md(label)
    return f"[{md(label)}]({quote(link, safe='?=%')})"


def md_link(label: object, url: object) -> str:
    """`[label](url)` for an http(s) url, else the label alone (escaped either way)."""
    target = safe_url(url)
    return f"[{md(label)}]({target})" if target else md(label)
