"""Load and validate data/themes.toml: the themes, their keywords and the applicant profile."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher import config
from matcher.errors import ConfigError
from matcher.normalize.territory import canonical_region
from matcher.tomlfile import Locator as _Locator  # shared with partners.toml

TEXT_FIELDS = ("label", "description_it", "description_en")
LIST_FIELDS = ("keywords_it", "keywords_en", "negative_it", "negative_en", "applicants")
REQUIRED_THEMES = ("energy", "communication", "tourism")
WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Theme:
    """One theme of the working group, as the ranking uses it."""

    key: str
    label: str
    description_it: str
    description_en: str
    keywords_it: tuple[str, ...]
    keywords_en: tuple[str, ...]
    negative_it: tuple[str, ...]
    negative_en: tuple[str, ...]
    applicants: tuple[str, ...]

    @property
    def keywords(self) -> tuple[str, ...]:
        return self.keywords_it + self.keywords_en

    @property
    def negatives(self) -> tuple[str, ...]:
        return self.negative_it + self.negative_en


@dataclass(frozen=True)
class Applicant:
    """Who applies: the territories whose calls are open to us and words that show it."""

    name: str
    region: str
    territories: tuple[str, ...]
    public_bodies: tuple[str, ...]


@dataclass(frozen=True)
class ThemeConfig:
    themes: dict[str, Theme]
    applicant: Applicant
    path: Path
    digest: str = field(default="")  # changes whenever the file's content changes


def themes_path(path: Path | None = None) -> Path:
    """--themes, else MATCHER_HOME/themes.toml when the deployment has one, else the default."""
    if path is not None:
        return path
    own = config.matcher_home() / "themes.toml"
    return own if own.exists() else config.data_dir() / "themes.toml"


def load_themes(path: Path | None = None) -> ThemeConfig:
    """Parse and validate; every error names the file, the line and the field."""
    path = themes_path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    where = _Locator(path, raw)
    tables = data.get("themes")
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(f"{path}: no [themes.<key>] tables found")
    themes = {key: _theme(key, table, where) for key, table in tables.items()}
    missing = [key for key in REQUIRED_THEMES if key not in themes]
    if missing:
        raise ConfigError(f"{path}: missing theme(s) {', '.join(missing)} ([themes.<key>] tables)")
    applicant = _applicant(data.get("applicant"), where)
    digest = hashlib.sha256(raw.encode()).hexdigest()[:16]
    return ThemeConfig(themes=themes, applicant=applicant, path=path, digest=digest)


def _theme(key: str, table: Any, where: _Locator) -> Theme:
    section = f"themes.{key}"
    if not isinstance(table, dict):
        raise ConfigError(f"{where.path}:{where.line(section)}: [{section}] must be a table")
    unknown = sorted(set(table) - set(TEXT_FIELDS) - set(LIST_FIELDS))
    if unknown:
        raise where.error(section, unknown[0], f"is not a theme field (known: "
                          f"{', '.join(TEXT_FIELDS + LIST_FIELDS)})")  # fmt: skip
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = table.get(name)
        if not isinstance(value, str) or not value.strip():
            raise where.error(section, name, "must be a non-empty text")
        values[name] = " ".join(value.split())
    for name in LIST_FIELDS:
        value = table.get(name)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise where.error(section, name, "must be a list of non-empty texts")
        values[name] = tuple(v.strip() for v in value)
        if name != "applicants":
            empty = [v for v in values[name] if not WORD.search(v)]
            if empty:
                raise where.error(section, name, f"has a keyword with no letters: {empty[0]!r}")
    if not values["keywords_it"] or not values["keywords_en"]:
        raise where.error(section, "keywords_it" if not values["keywords_it"] else "keywords_en",
                          "needs at least one keyword")  # fmt: skip
    return Theme(key=key, **values)


def _applicant(table: Any, where: _Locator) -> Applicant:
    if not isinstance(table, dict):
        raise ConfigError(f"{where.path}: missing [applicant] table")
    for name in ("name", "region"):
        if not isinstance(table.get(name), str) or not table[name].strip():
            raise where.error("applicant", name, "must be a non-empty text")
    lists = {}
    for name in ("territories", "public_bodies_it", "public_bodies_en"):
        value = table.get(name)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise where.error("applicant", name, "must be a non-empty list of texts")
        lists[name] = tuple(value)
    lists["territories"] = tuple(_territory(value, where) for value in lists["territories"])
    if canonical_region(table["region"]) is None:
        raise where.error("applicant", "region", f"{table['region']!r} is not an Italian region "
                          "(e.g. \"Emilia-Romagna\")")  # fmt: skip
    return Applicant(
        name=table["name"],
        region=table["region"],
        territories=lists["territories"],
        public_bodies=lists["public_bodies_it"] + lists["public_bodies_en"],
    )


WIDE_TERRITORIES = ("EU", "Italia")


def _territory(value: str, where: _Locator) -> str:
    """A territory as calls spell it: EU, Italia or a region's official name ("Emilia Romagna"
    becomes "Emilia-Romagna"); anything else would silently match no call."""
    if value.strip() in WIDE_TERRITORIES:
        return value.strip()
    region = canonical_region(value)
    if region is None:
        raise where.error("applicant", "territories", f"has {value!r}, which is neither "
                          f"{' nor '.join(WIDE_TERRITORIES)} nor an Italian region "
                          "(e.g. \"Emilia-Romagna\")")  # fmt: skip
    return region
