"""Load sources.toml, which sites each portal reads, and check it before anything runs."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from matcher import config
from matcher.errors import ConfigError
from matcher.tomlfile import Locator, read_toml

# Every portal's section may say that an empty listing is normal for it.
COMMON_SETTINGS: dict[str, type] = {"allow_empty": bool}
_KINDS = {str: "a text", int: "a whole number", bool: "true or false", list: "a list"}


def sources_path(path: Path | None = None) -> Path:
    """--sources, else MATCHER_HOME/sources.toml when the deployment has one, else the default."""
    if path is not None:
        return path
    own = config.matcher_home() / "sources.toml"
    return own if own.exists() else config.data_dir() / "sources.toml"


def load_sources(
    path: Path | None = None,
    settings: Mapping[str, Mapping[str, type]] | None = None,
    check_site: Callable[[object], object] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every portal's section; a missing section means the portal's built-in defaults.

    With `settings` (each portal's keys and their types) every section and key is checked, and
    with `check_site` every `[[<portal>.sites]]` entry: the first mistake is a ConfigError
    naming the file, the line and what to write instead.
    """
    path = sources_path(path)
    data, where = read_toml(path)
    for name, section in data.items():
        if not isinstance(section, dict):
            raise where.section_error(name, f"must be a table of settings, got {section!r}")
        if settings is not None:
            _check_section(name, section, settings, where, check_site)
    return data


def _check_section(
    name: str,
    section: dict[str, Any],
    settings: Mapping[str, Mapping[str, type]],
    where: Locator,
    check_site: Callable[[object], object] | None,
) -> None:
    if name not in settings:
        raise where.section_error(name, "is not a portal" + _did_you_mean(name, settings)
                                  + f" (portals: {', '.join(settings)})")  # fmt: skip
    allowed = {**settings[name], **COMMON_SETTINGS}
    for key, value in section.items():
        if key not in allowed:
            raise where.error(name, key, f"is not a setting of {name}" + _did_you_mean(key, allowed)
                              + f" (settings: {', '.join(allowed)})")  # fmt: skip
        kind = allowed[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise where.error(name, key, f"must be {_KINDS.get(kind, kind.__name__)}, "
                              f"got {value!r}")  # fmt: skip
    url = section.get("url")
    if url is not None and not url.startswith(("https://", "http://")):
        raise where.error(name, "url", f"must be an http(s) URL, got {url!r}")
    if check_site is not None and "sites" in section:
        for number, entry in enumerate(section["sites"], 1):
            try:
                check_site(entry)
            except ValueError as exc:
                line = where.line(f"{name}.sites", occurrence=number)
                raise ConfigError(f"{where.path}:{line}: [[{name}.sites]] entry {number}: "
                                  f"{exc}") from exc  # fmt: skip


def _did_you_mean(word: str, choices: Mapping[str, object]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""
