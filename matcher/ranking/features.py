"""What the ranking reads from a call for one theme, computed once per call, theme and model.

Everything the score needs is here, so rescoring (after a decision or a settings change) reads
stored features only, never the calls.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

import numpy as np
import orjson

from matcher.models import Call
from matcher.normalize.applicants import Applicants, applicants
from matcher.normalize.text import shorten
from matcher.ranking.lexical import KeywordMatcher, Tokens, token_count
from matcher.ranking.themes import Applicant, Theme

TOP_SIMS = 3
PASSAGE_CHARS = 400  # of the best passage, as the explanation shows it
TITLE_WEIGHT = 2
# Bump when what is extracted changes, so stored features are recomputed.
FEATURES_VERSION = f"10t{TITLE_WEIGHT}"

# Programme families the working group knows apart (EU programme ids, Italian sources).
_FAMILIES = (
    ("cities", r"^HORIZON-MISS-\d{4}-\d+-(?:PCP-)?CIT"), ("life", r"^LIFE-"), ("cerv", r"^CERV-"),
    ("crea", r"^CREA-"), ("digital", r"^DIGITAL-"), ("horizon", r"^HORIZON-"),
    ("external", r"^EuropeAid/"),
)  # fmt: skip
_PORTAL_FAMILIES = {"padigitale": "pnrr", "italiadomani": "pnrr", "incentivi_gov": "incentivi",
                    "emilia_romagna": "region"}  # fmt: skip


@dataclass
class Features:
    """Evidence for one (call, theme): the parts of the score and of its explanation."""

    sims: list[float] = field(default_factory=list)  # best passage similarities, highest first
    sim_it: float = 0.0  # mean of the two best passage similarities to the Italian description
    sim_en: float = 0.0  # …and to the English one
    facet_max: float = 0.0  # the best passage's similarity to the closest single theme keyword
    facet_top: float = 0.0  # the mean over the three keywords the call is closest to
    passage: str = ""  # the passage most similar to the theme (or the opening text)
    keywords: dict[str, int] = field(default_factory=dict)  # theme keywords found, with counts
    title_hits: int = 0  # theme keywords in the title
    negatives: dict[str, int] = field(default_factory=dict)  # negative keywords found
    public_evidence: list[str] = field(default_factory=list)  # applicant words found
    length: int = 0  # words in the call's text
    # the call, as far as the score and its explanation need it
    kind: str = "call"
    language: str = ""
    territory: str = ""
    beneficiaries: list[str] = field(default_factory=list)
    eligible: bool | None = None  # public bodies may apply, per the source
    role: str | None = None  # what a municipality can be: lead, partner, none (None: unknown)
    types: list[str] = field(default_factory=list)  # applicant types
    applicant_evidence: list[str] = field(default_factory=list)
    family: str = ""  # programme family (LIFE, CERV, PNRR…)
    # whether the applicant may apply, as the explanation says it (scoring.eligibility_of):
    # it depends on the call and the applicant only, so it is worked out once, here
    eligibility: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return orjson.dumps(asdict(self), option=orjson.OPT_SERIALIZE_NUMPY).decode()

    @classmethod
    def from_json(cls, text: str) -> Features:
        # orjson: a rescoring reads tens of thousands of these
        return cls(**orjson.loads(text))


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
    in_title = matchers.positive.counts(tokens.title)
    for keyword, count in in_title.items():
        # A keyword in the title says what the call is about: it counts TITLE_WEIGHT times.
        keywords[keyword] += (TITLE_WEIGHT - 1) * count
    who = tokens.who
    return Features(
        passage=_opening(call),
        keywords=keywords,
        title_hits=sum(in_title.values()),
        negatives=matchers.negative.counts(tokens.text),
        public_evidence=sorted(
            matchers.public.counts(tokens.text) | matchers.public.counts(tokens.beneficiaries)
        ),
        length=token_count(tokens.text),
        kind=call.kind,
        language=call.language,
        territory=call.territory,
        beneficiaries=call.beneficiaries[:6],
        eligible=call.public_bodies_eligible,
        role=who.role,
        types=list(who.types),
        applicant_evidence=list(who.evidence),
        family=family(call),
    )


def family(call: Call) -> str:
    """The programme family of a call: an EU programme by its id, else its Italian source."""
    for name, pattern in _FAMILIES:
        if re.match(pattern, call.native_id):
            return name
    return _PORTAL_FAMILIES.get(call.portal, "")


@dataclass(frozen=True)
class CallTokens:
    """A call's words, tokenised once for every theme, and who may apply (read once too)."""

    text: Tokens
    title: Tokens
    beneficiaries: Tokens
    who: Applicants

    @classmethod
    def of(cls, call: Call) -> CallTokens:
        return cls(
            Tokens.of(call_text(call)),
            Tokens.of(call.title),
            Tokens.of(" ; ".join(call.beneficiaries)),
            applicants(call),
        )


def add_dense(
    features: Features,
    passages: list[str],
    matrix: np.ndarray,
    queries: np.ndarray,
    facets: np.ndarray | None = None,
) -> np.ndarray:
    """Fill in the best passages' similarity to the theme (both descriptions, and each one, and
    the theme's keywords one by one); return the call's document vector. `queries` holds the
    Italian then the English description; `facets` one vector per keyword phrase."""
    if facets is not None and len(facets):
        by_facet = (matrix @ facets.T).max(axis=0)  # each keyword's best passage
        features.facet_max = round(float(by_facet.max()), 5)
        features.facet_top = round(float(np.sort(by_facet)[-3:].mean()), 5)
    by_query = matrix @ queries.T  # (passages, 2)
    sims = by_query.max(axis=1)
    order = np.argsort(-sims)
    features.sims = [round(float(sims[i]), 5) for i in order[:TOP_SIMS]]
    features.sim_it, features.sim_en = (round(_top2(by_query[:, q]), 5) for q in (0, 1))
    features.passage = shorten(passages[int(order[0])], PASSAGE_CHARS)
    mean = matrix.mean(axis=0)
    norm = float(np.linalg.norm(mean)) or 1.0
    return (mean / norm).astype("<f4")


def _top2(values: np.ndarray) -> float:
    return float(np.mean(np.sort(values)[-2:])) if values.size else 0.0


def _opening(call: Call) -> str:
    text = call.summary or call.text or call.title
    return shorten(" ".join(text.split()[:60]), PASSAGE_CHARS)
