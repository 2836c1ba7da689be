"""Where things live: the deployment's home and database, and the bundled data directory."""

from __future__ import annotations

import math
import os
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

from matcher.errors import ConfigError
from matcher.ranking.config import DEFAULT_METHOD, DEFAULT_MODEL, RankingConfig

APP_DIR = "territorio-smart-matcher"


def matcher_home() -> Path:
    """MATCHER_HOME, else the user data directory (XDG on Linux)."""
    if os.environ.get("MATCHER_HOME"):
        return Path(os.environ["MATCHER_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_DIR


def default_db() -> Path:
    return matcher_home() / "matcher.db"


def demo_db() -> Path:
    """The demo's own database: the demo never touches the deployment's."""
    return matcher_home() / "demo.db"


def data_dir() -> Path:
    """The bundled `data/` directory, whether installed editable or from a wheel."""
    return Path(str(files("matcher_data")))


def snapshot_dir() -> Path:
    return data_dir() / "snapshot"


def portal_url_from_env(portal: str) -> str | None:
    """MATCHER_<PORTAL>_URL, e.g. MATCHER_EU_FTOP_URL, overrides a portal's endpoint."""
    return os.environ.get(f"MATCHER_{portal.upper()}_URL") or None


# HTTP knobs a deployment may tune: (option, type, lowest, highest, what it is).
HTTP_SETTINGS = {
    "MATCHER_HTTP_DELAY": ("min_delay", float, 0.0, 60.0, "seconds between requests to a host"),
    "MATCHER_HTTP_RETRIES": ("retries", int, 0, 10, "tries after the first"),
    "MATCHER_HTTP_BACKOFF": ("backoff", float, 0.0, 60.0, "seconds before the first retry"),
    # Totals: a per-read timeout never ends a server that trickles or stalls between reads.
    "MATCHER_HTTP_REQUEST_DEADLINE": ("request_deadline", float, 0.1, 3600.0,
                                      "seconds one request may take, retries and waits included"),
    "MATCHER_HTTP_PORTAL_DEADLINE": ("portal_deadline", float, 0.1, 86400.0,
                                     "seconds one portal's requests may take in all"),
    "MATCHER_HTTP_MAX_BYTES": ("max_bytes", int, 1024, 2**30, "the largest body, in bytes"),
}  # fmt: skip


def http_settings() -> dict[str, Any]:
    """The MATCHER_HTTP_* settings, checked: a wrong value names its variable and the range."""
    settings: dict[str, Any] = {}
    for env, (option, kind, low, high, meaning) in HTTP_SETTINGS.items():
        value = os.environ.get(env, "").strip()
        if not value:
            continue
        try:
            number = kind(value)
        except ValueError:
            number = None
        if number is None or not math.isfinite(number) or not low <= number <= high:
            wanted = "a whole number" if kind is int else "a number"
            raise ConfigError(f"{env}={value!r} is not valid: give {wanted} from {low:g} to "
                              f"{high:g} ({meaning}), or unset it")  # fmt: skip
        settings[option] = number
    return settings


def ranking_config(method: str | None = None, model: str | None = None) -> RankingConfig:
    """The deployment's ranking: the options given, else MATCHER_METHOD / MATCHER_MODEL, else
    MATCHER_HOME/config.toml, else the bundled data/config.toml, else the built-in defaults."""
    own = matcher_home() / "config.toml"
    path = own if own.exists() else data_dir() / "config.toml"
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get("ranking", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [ranking] must be a table")
    method = method or os.environ.get("MATCHER_METHOD") or section.get("method") or DEFAULT_METHOD
    model = model or os.environ.get("MATCHER_MODEL") or section.get("model") or DEFAULT_MODEL
    return RankingConfig(str(method), str(model))
