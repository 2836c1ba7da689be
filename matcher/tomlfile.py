"""Where a TOML table or field is, for error messages that name file and line (themes, partners)."""

from __future__ import annotations

import re
from pathlib import Path

from matcher.errors import ConfigError


class Locator:
    """Finds the line of a table header or of a field inside it, for error messages."""

    def __init__(self, path: Path, raw: str) -> None:
        self.path = path
        self.lines = raw.splitlines()

    def line(self, section: str, name: str | None = None) -> int:
        header = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]")
        start = next((i for i, text in enumerate(self.lines) if header.match(text)), None)
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
