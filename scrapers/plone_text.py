"""Readable text from plone.restapi fields: rich text (HTML or Volto blocks), terms, attachments."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from matcher.normalize.text import html_to_text

log = logging.getLogger(__name__)

# Slate elements that flow inside a line; every other element type (p, h2, li, ul…) is a block
# and starts a new line, as Volto renders it.
_INLINE = frozenset(
    {"link", "a", "strong", "b", "em", "i", "u", "del", "s", "sub", "sup", "code", "span"}
)
# Blocks that render the item's own title and description, already stored on the Call.
_SKIPPED_BLOCKS = frozenset({"title", "description"})
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_MAX_DEPTH = 20  # nested containers (grids, columns, tabs) never get this deep in practice


def term_title(value: object) -> str:
    """A vocabulary value: a string, a {title, token} term, or [token, title] (bando_state)."""
    if isinstance(value, dict):
        value = value.get("title") or value.get("token")
    elif isinstance(value, list | tuple):
        value = value[0] if value else ""
    return " ".join(str(value or "").split())


def term_titles(values: object) -> list[str]:
    """The titles of a list of vocabulary values (metadata strings or full-object terms)."""
    titles = [term_title(v) for v in values] if isinstance(values, list) else []
    return [title for title in titles if title]


def attachment_urls(approfondimento: object) -> list[str]:
    """Attachment URLs (bando, modulistica) of a Bando's `approfondimento` folders, in order."""
    urls: list[str] = []
    for folder in approfondimento if isinstance(approfondimento, list) else []:
        children = folder.get("children") if isinstance(folder, dict) else None
        for child in children if isinstance(children, list) else []:
            url = child.get("url") if isinstance(child, dict) else None
            if isinstance(url, str) and url and url not in urls:
                urls.append(url)
    return urls


def rich_text(value: object) -> str:
    """Text of a rich-text field as plone.restapi serialises it.

    Classic Plone: `{"data": "<p>…</p>", "content-type": "text/html"}`; Volto: a blocks field
    `{"blocks": {id: block}, "blocks_layout": {"items": [id, …]}}`; a bare string is HTML.
    """
    if isinstance(value, str):
        return html_to_text(value)
    if not isinstance(value, dict):
        return ""
    if isinstance(value.get("blocks"), dict):
        return blocks_text(value["blocks"], value.get("blocks_layout"))
    data = value.get("data")
    return html_to_text(data) if isinstance(data, str) else ""


def blocks_text(blocks: dict, layout: object = None) -> str:
    """Text of Volto blocks in layout order; blocks missing from the layout are not shown."""
    return _tidy("\n".join(_blocks_lines(blocks, layout, 0)))


def slate_text(nodes: object) -> str:
    """Text of a Slate `value` (a list of nodes): one line per block element."""
    return _tidy("".join(_slate(nodes)))


def _blocks_lines(blocks: dict, layout: object, depth: int) -> Iterator[str]:
    if depth > _MAX_DEPTH:
        return
    for block_id in _layout_ids(blocks, layout):
        block = blocks.get(block_id)
        if not isinstance(block, dict):
            log.debug("block %s is in the layout but not in the blocks; skipped", block_id)
            continue
        if block.get("@type") in _SKIPPED_BLOCKS:
            continue
        yield from _block_lines(block, depth)


def _layout_ids(blocks: dict, layout: object) -> list[str]:
    # Plone 6 writes {"items": [...]}; early plone.restapi documented a bare list.
    items = layout.get("items") if isinstance(layout, dict) else layout
    if isinstance(items, list):
        return [str(item) for item in items]
    return list(blocks)  # no layout: the stored order is the best guess


def _block_lines(block: dict, depth: int) -> Iterator[str]:
    """Text of one block: Slate `value` (or its `plaintext`), draft.js text, nested blocks.

    Block types differ by site (callouts, accordions, tables…); rather than know each, walk
    every field and take what has the shape of text.
    """
    value = block.get("value")
    if isinstance(value, list):
        text = slate_text(value)
        if text:
            yield text
        elif isinstance(block.get("plaintext"), str):
            yield block["plaintext"]
    elif isinstance(block.get("plaintext"), str):
        yield block["plaintext"]
    if isinstance(block.get("blocks"), dict):
        yield from _blocks_lines(block["blocks"], block.get("blocks_layout"), depth + 1)
    elif _is_draftjs(block.get("blocks")):
        yield from _draftjs_lines(block["blocks"])
    for key, field in block.items():
        if key in ("value", "plaintext", "blocks", "blocks_layout"):
            continue
        yield from _field_lines(field, depth + 1)


def _field_lines(field: object, depth: int) -> Iterator[str]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(field, dict):
        yield from _block_lines(field, depth)
    elif isinstance(field, list):
        if _is_slate(field):
            text = slate_text(field)
            if text:
                yield text
        else:
            for element in field:
                yield from _field_lines(element, depth + 1)


def _slate(nodes: object) -> Iterator[str]:
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        if "children" not in node:
            text = node.get("text")
            if isinstance(text, str):
                yield text
            continue
        block = node.get("type") not in _INLINE
        if block:
            yield "\n"
        yield from _slate(node["children"])
        if block:
            yield "\n"


def _is_slate(nodes: list) -> bool:
    return bool(nodes) and all(
        isinstance(n, dict) and ("children" in n or isinstance(n.get("text"), str)) for n in nodes
    )


def _is_draftjs(blocks: object) -> bool:
    # Volto before Slate stored text blocks as draft.js: {"blocks": [{"text": …}], "entityMap"}.
    return isinstance(blocks, list) and all(
        isinstance(b, dict) and isinstance(b.get("text"), str) for b in blocks
    )


def _draftjs_lines(blocks: list) -> Iterator[str]:
    for entry in blocks:
        if entry["text"].strip():
            yield entry["text"]


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
