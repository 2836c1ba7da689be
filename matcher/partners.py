"""partners.toml: the partner institutions calls are assigned to (the app) and written to
(the digests); each wrong entry is rejected with file, line and reason, the others load."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher import config
from matcher.errors import ConfigError
from matcher.tomlfile import Locator

APPLICANT_TYPES = ("comune", "provincia", "camera di commercio", "agenzia regionale", "regione",
                   "unione di comuni", "università", "altro")  # fmt: skip
LANGUAGES = ("it", "en")
FIELDS = ("name", "type", "emails", "themes", "language")
# Enough to catch a typo (a missing @, a space, no domain); the mail server has the last word.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Partner:
    """One partner institution of the working group."""

    key: str
    name: str
    type: str
    emails: tuple[str, ...]
    themes: tuple[str, ...]
    language: str


@dataclass
class Partners:
    """The partners that loaded, and one line per entry that was rejected."""

    path: Path
    partners: dict[str, Partner] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)

    def following(self, theme: str) -> list[Partner]:
        return [p for p in self.partners.values() if theme in p.themes]


def partners_path(path: Path | None = None) -> Path:
    """The given file, else MATCHER_PARTNERS, else MATCHER_HOME/partners.toml, else the bundled
    example (made-up addresses)."""
    if path is not None:
        return path
    if os.environ.get("MATCHER_PARTNERS"):
        return Path(os.environ["MATCHER_PARTNERS"]).expanduser()
    own = config.matcher_home() / "partners.toml"
    return own if own.exists() else config.data_dir() / "partners.toml"


def load_partners(themes: tuple[str, ...], path: Path | None = None) -> Partners:
    """Read the partners; `themes` are the known theme keys. A file that cannot be read or is
    not TOML raises ConfigError; a wrong entry is listed in `rejected`."""
    path = partners_path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    where = Locator(path, raw)
    found = Partners(path=path)
    unknown = sorted(set(data) - {"partners"})
    if unknown:
        found.rejected.append(f"{path}:{where.line(unknown[0])}: [{unknown[0]}] is not a "
                              "partners table: use [partners.<key>]")  # fmt: skip
    tables = data.get("partners", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{path}: 'partners' must be [partners.<key>] tables")
    for key, table in tables.items():
        try:
            found.partners[key] = _partner(key, table, themes, where)
        except ConfigError as exc:
            found.rejected.append(str(exc))
    return found


def _partner(key: str, table: Any, themes: tuple[str, ...], where: Locator) -> Partner:
    section = f"partners.{key}"
    if not isinstance(table, dict):
        raise ConfigError(f"{where.path}:{where.line(section)}: [{section}] must be a table")
    extra = sorted(set(table) - set(FIELDS))
    if extra:
        raise where.error(section, extra[0], f"is not a partner field (known: {', '.join(FIELDS)})")
    for name in ("name", "type", "language"):
        if not isinstance(table.get(name), str) or not table[name].strip():
            raise where.error(section, name, "must be a non-empty text")
    kind = table["type"].strip().casefold()
    if kind not in APPLICANT_TYPES:
        raise where.error(section, "type", f"{table['type']!r} is not an applicant type (known: "
                          f"{', '.join(APPLICANT_TYPES)})")  # fmt: skip
    language = table["language"].strip()
    if language not in LANGUAGES:
        raise where.error(section, "language", f"{language!r} is not one of: it, en")
    emails = _texts(table, "emails", section, where)
    bad = [e for e in emails if not EMAIL.match(e)]
    if bad:
        raise where.error(section, "emails", f"has {bad[0]!r}, which is not an e-mail address")
    followed = _texts(table, "themes", section, where)
    unknown = [t for t in followed if t not in themes]
    if unknown:
        raise where.error(section, "themes", f"has {unknown[0]!r}, which is not a theme (known: "
                          f"{', '.join(themes)})")  # fmt: skip
    return Partner(key=key, name=table["name"].strip(), type=kind, emails=emails,
                   themes=followed, language=language)  # fmt: skip


def _texts(table: dict, name: str, section: str, where: Locator) -> tuple[str, ...]:
    value = table.get(name)
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise where.error(section, name, "must be a non-empty list of texts")
    return tuple(v.strip() for v in value)
