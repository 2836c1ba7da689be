"""What the ranking reads from a call for one theme, computed once per call, theme and model."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

import numpy as np

from matcher.models import Call
from matcher.ranking.lexical import KeywordMatcher, Tokens, token_count
from matcher.ranking.themes import Applicant, Theme

TOP_SIMS = 3
TITLE_WEIGHT = 2
# Bump when what is extracted changes, so stored features are recomputed.
FEATURES_VERSION = f"3t{TITLE_WEIGHT}"


@dataclass
class Features:
    """Evidence for one (call, theme): the parts of the score and of its explanation."""

    sims: list[float] = field(default_factory=list)  # best passage similarities, highest first
    passage: str = ""  # the passage most similar to the theme (or the opening text)
    keywords: dict[str, int] = field(default_factory=dict)  # theme keywords found, with counts
    negatives: dict[str, int] = field(default_factory=dict)  # negative keywords found
    public_evidence: list[str] = field(default_factory=list)  # applicant words found
    length: int = 0  # words in the call's text

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Features:
        return cls(**json.loads(text))


@dataclass(frozen=True)
class ThemeMatchers:
    """Compiled keyword matchers of a theme (built once per ranking run)."""

    positive: KeywordMatcher
    negative: KeywordMatcher
    public: KeywordMatcher
    digest: str

    @classmethod
    def build(cls, theme: Theme, applicant: Applicant) -> ThemeMatchers:
        return cls(
            positive=KeywordMatcher.build(theme.keywords),
            negative=KeywordMatcher.build(theme.negatives),
            public=KeywordMatcher.build(applicant.public_bodies),
            digest=theme_digest(theme, applicant),
        )


def theme_digest(theme: Theme, applicant: Applicant) -> str:
    """Changes when anything the ranking uses from the theme or the applicant changes."""
    blob = json.dumps([asdict(theme), asdict(applicant)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def features_key(content_hash: str, matchers: ThemeMatchers, embedder_name: str) -> str:
    return f"{FEATURES_VERSION}:{content_hash}:{matchers.digest}:{embedder_name}"


def call_text(call: Call) -> str:
    return "\n".join(part for part in (call.title, call.summary, call.text) if part)


def lexical_features(
    call: Call, matchers: ThemeMatchers, tokens: CallTokens | None = None
) -> Features:
    tokens = tokens or CallTokens.of(call)
    keywords = matchers.positive.counts(tokens.text)
    for keyword, count in matchers.positive.counts(tokens.title).items():
        # A keyword in the title says what the call is about: it counts TITLE_WEIGHT times.
        keywords[keyword] += (TITLE_WEIGHT - 1) * count
    return Features(
        passage=_opening(call),
        keywords=keywords,
        negatives=matchers.negative.counts(tokens.text),
        public_evidence=sorted(
            matchers.public.counts(tokens.text) | matchers.public.counts(tokens.beneficiaries)
        ),
        length=token_count(tokens.text),
    )


@dataclass(frozen=True)
class CallTokens:
    """A call's words, tokenised once for every theme."""

    text: Tokens
    title: Tokens
    beneficiaries: Tokens

    @classmethod
    def of(cls, call: Call) -> CallTokens:
        return cls(
            Tokens.of(call_text(call)),
            Tokens.of(call.title),
            Tokens.of(" ; ".join(call.beneficiaries)),
        )


def add_dense(
    features: Features, passages: list[str], matrix: np.ndarray, queries: np.ndarray
) -> np.ndarray:
    """Fill in the best passages' similarity to the theme; return the call's document vector."""
    sims = (matrix @ queries.T).max(axis=1)
    order = np.argsort(-sims)
    features.sims = [round(float(sims[i]), 5) for i in order[:TOP_SIMS]]
    features.passage = passages[int(order[0])]
    mean = matrix.mean(axis=0)
    norm = float(np.linalg.norm(mean)) or 1.0
    return (mean / norm).astype("<f4")


def _opening(call: Call) -> str:
    text = call.summary or call.text or call.title
    return " ".join(text.split()[:60])
