"""Lexical evidence: theme keywords (phrases, `*` endings) matched in call text, scored by BM25."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

_WORD = re.compile(r"\w+")

# BM25 constants (Robertson & Zaragoza): k1 term-frequency saturation, b length normalisation.
K1 = 1.2
B = 0.75


@dataclass
class Tokens:
    """A text as lower-cased words, indexed once so that many keyword lists can be matched."""

    words: list[str]
    positions: dict[str, list[int]] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=list)  # sorted, for prefix (`*`) look-ups

    @classmethod
    def of(cls, text: str) -> Tokens:
        words = _WORD.findall(unicodedata.normalize("NFC", text).casefold())
        positions: dict[str, list[int]] = {}
        for i, word in enumerate(words):
            positions.setdefault(word, []).append(i)
        return cls(words, positions, sorted(positions))

    def starting_with(self, prefix: str) -> list[str]:
        start = bisect_left(self.vocabulary, prefix)
        end = bisect_left(self.vocabulary, prefix + "\U0010ffff")
        return self.vocabulary[start:end]


@dataclass(frozen=True)
class KeywordMatcher:
    """Finds which of a theme's keywords a text contains, and how often.

    Keywords match whole words, case-insensitively; a phrase matches consecutive words
    (spaces, hyphens and apostrophes between them do not matter); a trailing `*` lets the last
    word have any ending.
    """

    keywords: tuple[str, ...]
    parts: tuple[tuple[tuple[str, ...], bool], ...]

    @classmethod
    def build(cls, keywords: Iterable[str]) -> KeywordMatcher:
        unique = tuple(dict.fromkeys(k.strip() for k in keywords if k.strip()))
        parts = tuple(
            (
                tuple(_WORD.findall(unicodedata.normalize("NFC", k.rstrip("*")).casefold())),
                k.endswith("*"),
            )
            for k in unique
        )
        return cls(unique, parts)

    def counts(self, text: str | Tokens) -> dict[str, int]:
        """Occurrences of each keyword found (keywords as written in the theme)."""
        tokens = text if isinstance(text, Tokens) else Tokens.of(text)
        found: dict[str, int] = {}
        for keyword, (words, stem) in zip(self.keywords, self.parts, strict=True):
            if words:
                count = _count(tokens, words, stem)
                if count:
                    found[keyword] = count
        return found


def _count(tokens: Tokens, words: tuple[str, ...], stem: bool) -> int:
    last = len(words) - 1
    if last == 0:
        if stem:
            return sum(len(tokens.positions[w]) for w in tokens.starting_with(words[0]))
        return len(tokens.positions.get(words[0], ()))
    count = 0
    for start in tokens.positions.get(words[0], ()):
        end = start + last
        if end >= len(tokens.words):
            continue
        middle = all(tokens.words[start + j] == words[j] for j in range(1, last))
        tail = tokens.words[end]
        if middle and (tail.startswith(words[last]) if stem else tail == words[last]):
            count += 1
    return count


def token_count(text: str | Tokens) -> int:
    return len(text.words) if isinstance(text, Tokens) else len(_WORD.findall(text))


def bm25_scores(
    counts: Sequence[dict[str, int]], lengths: Sequence[int], keywords: Sequence[str]
) -> list[float]:
    """BM25 of each document for the query made of all `keywords` (idf from these documents)."""
    return bm25_matrix(counts, lengths, list(keywords)).sum(axis=1).tolist()


def bm25_matrix(
    counts: Sequence[dict[str, int]], lengths: Sequence[int], keywords: list[str]
) -> np.ndarray:
    """Each keyword's BM25 term in each document, (documents, keywords): summed over a subset of
    the columns it gives the BM25 of that subset's query, with the idf of the whole collection."""
    n, column = len(counts), {k: j for j, k in enumerate(keywords)}
    tf = np.zeros((n, len(keywords)))
    for i, found in enumerate(counts):
        for keyword, count in found.items():
            j = column.get(keyword)
            if j is not None:
                tf[i, j] = count
    if n == 0:
        return tf
    df = (tf > 0).sum(axis=0)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    length = np.asarray(lengths, dtype=float)
    average = float(length.mean()) or 1.0
    norm = (K1 * (1 - B + B * length / average))[:, None]
    return idf * tf * (K1 + 1) / (tf + norm)


def scale(values: np.ndarray, *, zero_floor: bool = False) -> np.ndarray:
    """Map values to 0-1 without ties at the top: 0 up to the median (or 0 for counts), then
    1 - exp(-x) where x is 1 at the 99th percentile (so that ~0.63), rising towards 1 above."""
    if values.size == 0:
        return values
    low = 0.0 if zero_floor else float(np.percentile(values, 50))
    above = values[values > low]
    high = float(np.percentile(above, 99)) if above.size else low
    if high <= low:
        return (values > low).astype(float)
    return 1.0 - np.exp(-np.clip((values - low) / (high - low), 0.0, None))
