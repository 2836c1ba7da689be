"""Split a call into the short passages that are embedded and shown as its explanation."""

from __future__ import annotations

import re

# A sentence ends at . ! ? ; followed by a capital letter or an opening quote. Digits are
# left out on purpose: Italian legal text is full of "art. 5", "n. 50", "c. 2".
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÀ-ÖØ-Ý\"«“(])")
_SPACES = re.compile(r"\s+")
_TITLE_SEPARATOR = " — "


def passages(
    title: str,
    summary: str,
    text: str,
    *,
    max_words: int = 120,
    overlap: int = 20,
    max_passages: int = 12,
) -> list[str]:
    """The passages of a call, most informative first, each at most `max_words` words.

    1. The head: title and summary, trimmed to `max_words`.
    2. Windows over `text` that end at sentence or paragraph boundaries where one falls inside
       the window, each repeating the last `overlap` words (whole sentences when they fit) of
       the previous one, so that a requirement straddling two windows is whole in one of them.
    3. Every window is prefixed with the title (at most a quarter of `max_words`, counted in the
       budget): a window such as "Le domande vanno presentate entro…" says nothing about the
       topic by itself, and the ranking scores a call by its best passage. MiniLM truncates at
       256 word-pieces, roughly 120-150 Italian words, so the budget includes the prefix.
    4. Windows equal to an earlier passage, or contained in the head, are dropped (portals often
       repeat the summary as the first paragraph of the text).
    5. At most `max_passages` are kept, the first ones: the opening of a call (objective,
       beneficiaries, budget) is its most informative part, while the tail is procedure,
       annexes and contacts. This also bounds the embedding cost of very long calls.
    """
    title = _clean(title)
    summary = _clean(summary)
    head_words = _head(title, summary).split()[:max_words]
    result: list[str] = [" ".join(head_words)] if head_words else []
    seen = {_key(result[0])} if result else set()
    head_key = _key(result[0]) if result else ""

    prefix_words = title.split()[: max(max_words // 4, 1)] if title else []
    budget = max(max_words - len(prefix_words), 1)
    prefix = " ".join(prefix_words) + _TITLE_SEPARATOR if prefix_words else ""
    for window in _windows(_units(text, budget), budget, min(overlap, budget // 2)):
        if len(result) >= max_passages:
            break
        key = _key(window)
        if key in seen or key in head_key:
            continue
        seen.add(key)
        result.append(prefix + window)
    return result[:max_passages]


def _clean(value: str) -> str:
    return _SPACES.sub(" ", value or "").strip()


def _head(title: str, summary: str) -> str:
    # EU records often repeat the title as their summary.
    if not summary or _key(summary).startswith(_key(title)):
        return summary or title
    if not title:
        return summary
    return f"{title}{_TITLE_SEPARATOR}{summary}"


def _key(value: str) -> str:
    return _SPACES.sub(" ", value).strip().lower()


def _units(text: str, budget: int) -> list[list[str]]:
    """Sentences (as word lists) in reading order; paragraphs and lines always end one."""
    units: list[list[str]] = []
    for line in (text or "").splitlines():
        for sentence in _SENTENCE_END.split(line):
            words = sentence.split()
            # A sentence longer than a window is cut into window-sized pieces.
            for start in range(0, len(words), budget):
                units.append(words[start : start + budget])
    return units


def _windows(units: list[list[str]], budget: int, overlap: int) -> list[str]:
    """Pack whole sentences into windows of at most `budget` words, overlapping the previous."""
    windows: list[str] = []
    current: list[list[str]] = []
    size = 0
    fresh = False  # whether `current` holds anything not already emitted
    for unit in units:
        if current and size + len(unit) > budget:
            windows.append(" ".join(word for sentence in current for word in sentence))
            current = _tail(current, overlap)
            size = sum(len(sentence) for sentence in current)
            if size + len(unit) > budget:
                current, size = [], 0
            fresh = False
        current.append(unit)
        size += len(unit)
        fresh = True
    if current and fresh:
        windows.append(" ".join(word for sentence in current for word in sentence))
    return windows


def _tail(sentences: list[list[str]], overlap: int) -> list[list[str]]:
    """The last sentences that fit in `overlap` words, else the last `overlap` words."""
    if overlap <= 0:
        return []
    kept: list[list[str]] = []
    size = 0
    for sentence in reversed(sentences):
        if size + len(sentence) > overlap:
            break
        kept.insert(0, sentence)
        size += len(sentence)
    if not kept:
        return [sentences[-1][-overlap:]]
    return kept
