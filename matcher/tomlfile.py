"""Configuration files people edit: read TOML, and point errors at the file, line and field."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from matcher.errors import ConfigError


class Locator:
    """Finds the line of a table header or of a field inside it, for error messages."""

    def __init__(self, path: Path, raw: str) -> None:
        self.path = path
        self.lines = raw.splitlines()

    def line(self, section: str, name: str | None = None, *, occurrence: int = 1) -> int:
        """The line of `[section]` (the n-th `[[section]]`), or of `name = ` inside it."""
        header = re.compile(rf"^\s*\[\[?\s*{re.escape(section)}\s*\]\]?")
        starts = [i for i, text in enumerate(self.lines) if header.match(text)]
        start = starts[occurrence - 1] if len(starts) >= occurrence else None
        if start is None:
            return 1
        if name is None:
            return start + 1
        key = re.compile(rf"^\s*{re.escape(name)}\s*=")
        for i in range(start + 1, len(self.lines)):
            if self.lines[i].lstrip().startswith("["):
                break
            if key.match(self.lines[i]):
                return i + 1
        return start + 1

    def error(self, section: str, name: str, problem: str) -> ConfigError:
        line = self.line(section, name)
        return ConfigError(f"{self.path}:{line}: [{section}] field '{name}' {problem}")

    def section_error(self, section: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}:{self.line(section)}: [{section}] {problem}")


def read_toml(path: Path) -> tuple[dict[str, Any], Locator]:
    """The parsed file and a locator for its errors; a ConfigError naming the file (and the
    line, for a syntax error) when it cannot be read."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text: save it as UTF-8") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return data, Locator(path, raw)
