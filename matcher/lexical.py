"""Lexical evidence: theme keywords (phrases, `*` endings) matched in call text, scored by BM25."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_WORD = re.compile(r"\w+")

# BM25 constants (Robertson & Zaragoza): k1 term-frequency saturation, b length normalisation.
K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class KeywordMatcher:
    """Finds which of a theme's keywords a text contains, and how often."""

    keywords: tuple[str, ...]
    pattern: re.Pattern[str]

    @classmethod
    def build(cls, keywords: Iterable[str]) -> KeywordMatcher:
        unique = tuple(dict.fromkeys(k.strip() for k in keywords if k.strip()))
        # Longest first, so "comunità energetiche rinnovabili" wins over "comunità energetic*".
        ordered = sorted(range(len(unique)), key=lambda i: -len(unique[i]))
        parts = [f"(?P<k{i}>{_keyword_regex(unique[i])})" for i in ordered]
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)
        return cls(unique, pattern)

    def counts(self, text: str) -> dict[str, int]:
        """Occurrences of each keyword found in `text` (keywords as written in the theme)."""
        found: dict[str, int] = {}
        for match in self.pattern.finditer(text):
            keyword = self.keywords[int(match.lastgroup[1:])]  # type: ignore[index]
            found[keyword] = found.get(keyword, 0) + 1
        return found


def _keyword_regex(keyword: str) -> str:
    stem = keyword.endswith("*")
    words = keyword.rstrip("*").split()
    body = r"[\s\-]+".join(re.escape(w) for w in words)
    return body + (r"\w*" if stem else "")


def token_count(text: str) -> int:
    return len(_WORD.findall(text))


def bm25_scores(
    counts: Sequence[dict[str, int]], lengths: Sequence[int], keywords: Sequence[str]
) -> list[float]:
    """BM25 of each document for the query made of all `keywords` (idf from these documents)."""
    n = len(counts)
    if n == 0:
        return []
    average = (sum(lengths) / n) or 1.0
    df = {k: sum(1 for c in counts if c.get(k)) for k in keywords}
    idf = {k: math.log(1 + (n - df[k] + 0.5) / (df[k] + 0.5)) for k in keywords}
    scores = []
    for found, length in zip(counts, lengths, strict=True):
        norm = K1 * (1 - B + B * length / average)
        scores.append(
            sum(idf[k] * tf * (K1 + 1) / (tf + norm) for k, tf in found.items() if k in idf)
        )
    return scores
