"""Load data/sources.toml: which sites each portal reads. Errors name the file and line."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from matcher import config
from matcher.errors import ConfigError


def sources_path(path: Path | None = None) -> Path:
    """--sources, else MATCHER_HOME/sources.toml when the deployment has one, else the default."""
    if path is not None:
        return path
    own = config.matcher_home() / "sources.toml"
    return own if own.exists() else config.data_dir() / "sources.toml"


def load_sources(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every portal's section; a missing section means the portal's built-in defaults."""
    path = sources_path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    for name, section in data.items():
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: [{name}] must be a table of settings, got {section!r}")
    return data
