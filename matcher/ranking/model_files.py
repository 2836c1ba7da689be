"""The trained ranking models shipped in data/ranking/, one per embedding model."""

from __future__ import annotations

import functools
import logging
import math
import re
from pathlib import Path

from matcher.config import data_dir
from matcher.errors import ConfigError
from matcher.ranking.config import DEFAULT_MODEL, RankingConfig
from matcher.ranking.learned import LearnedModel
from matcher.ranking.scoring import FORMULA_LEVELS

log = logging.getLogger(__name__)


def model_path(model: str | None, folder: Path | None = None) -> Path:
    """Where the learned model for an embedding model lives (`learned-<model>.json`)."""
    name = re.sub(r"[^\w.-]+", "_", model or "none")
    return (folder or data_dir() / "ranking") / f"learned-{name}.json"


def learned_model(config: RankingConfig) -> LearnedModel:
    """The model trained with `config`'s embedding model; for a model nobody trained one for
    (any sentence-transformers model), the default model's, whose features are scaled alike."""
    path = model_path(config.model)
    if not path.exists():
        fallback = model_path(DEFAULT_MODEL)
        if not fallback.exists():
            raise ConfigError(f"no trained ranking model in {path.parent}: run "
                              "tools/train_ranking.py, or choose --method hybrid")  # fmt: skip
        log.warning("no learned model for %s: using %s", config.model, fallback.name)
        path = fallback
    stat = path.stat()
    return _load(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int, size: int) -> LearnedModel:
    # The app reads the levels on every rerun and the file is ~1 MB of training rows: read it
    # once per version of the file. Nothing changes a loaded model (refit makes a new one).
    return LearnedModel.load(path)


def level_bounds(config: RankingConfig) -> tuple[float, float]:
    """The scores where "alta" and "media" pertinenza start for `config`."""
    if config.method == "learned":
        model = learned_model(config)
        return math.floor(100.0 * model.high), math.floor(100.0 * model.medium)
    return FORMULA_LEVELS


def default_min_score(config: RankingConfig) -> float:
    """Where "alta pertinenza" starts: readers list from there by default (the best 20-30 calls
    per theme on the demo), and "media" is one filter away."""
    return level_bounds(config)[0]
