"""partners.toml: the partner institutions calls are assigned to (the app) and written to
(the digests), and the digests' sender and operators; each wrong entry is rejected with file,
line and reason, the others load."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from matcher import config
from matcher.errors import ConfigError
from matcher.italian import LANGUAGES
from matcher.tomlfile import Locator, read_toml

APPLICANT_TYPES = ("comune", "provincia", "camera di commercio", "agenzia regionale", "regione",
                   "unione di comuni", "università", "altro")  # fmt: skip
FIELDS = ("name", "type", "emails", "themes", "language", "min_relevance")
# The ranking's own levels (matcher.ranking.scoring.LEVELS), best first: a partner hears of
# calls at its minimum level or above.
RELEVANCE = ("alta", "media", "bassa")
DEFAULT_RELEVANCE = "media"
DIGEST_FIELDS = ("sender", "operators", "first_digest_per_theme")
# A partner's first digest shows this many new calls per theme, and links to the rest.
FIRST_DIGEST_PER_THEME = 10
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
    min_relevance: str = DEFAULT_RELEVANCE

    def wants(self, level: str) -> bool:
        """Is a call of this relevance level (alta, media, bassa) worth telling the partner?"""
        rank = RELEVANCE.index(level) if level in RELEVANCE else len(RELEVANCE)
        return rank <= RELEVANCE.index(self.min_relevance)


@dataclass
class Partners:
    """The partners that loaded, the digests' settings, and one line per rejected entry."""

    path: Path
    partners: dict[str, Partner] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    sender: str = ""  # [digest] sender; MATCHER_MAIL_FROM overrides it
    operators: tuple[str, ...] = ()  # [digest] operators: the working group's operator digest
    first_digest_per_theme: int = FIRST_DIGEST_PER_THEME

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
    data, where = read_toml(path)
    found = Partners(path=path)
    unknown = sorted(set(data) - {"partners", "digest"})
    if unknown:
        problem = "is not a partners table: use [partners.<key>] or [digest]"
        found.rejected.append(str(where.section_error(unknown[0], problem)))
    tables = data.get("partners", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{path}: 'partners' must be [partners.<key>] tables")
    owners: dict[str, str] = {}  # address -> the partner that has it
    for key, table in tables.items():
        try:
            partner = _partner(key, table, themes, where)
            _unique(partner, owners, where)
            found.partners[key] = partner
        except ConfigError as exc:
            found.rejected.append(str(exc))
    _digest_settings(data.get("digest", {}), found, where)
    return found


def _unique(partner: Partner, owners: dict[str, str], where: Locator) -> None:
    """An address belongs to one partner only: a copy would get two digests, and an opt-out
    or an erasure would be ambiguous."""
    section = f"partners.{partner.key}"
    seen: set[str] = set()
    for email in partner.emails:
        folded = email.casefold()
        if folded in seen:
            raise where.error(section, "emails", f"lists {email!r} twice")
        if folded in owners:
            raise where.error(section, "emails", f"has {email!r}, which is already an address "
                              f"of [partners.{owners[folded]}]")  # fmt: skip
        seen.add(folded)
    owners.update((email, partner.key) for email in seen)


def _digest_settings(table: Any, found: Partners, where: Locator) -> None:
    """[digest]: sender, operators, first_digest_per_theme; a wrong field is rejected alone."""
    if not isinstance(table, dict):
        found.rejected.append(str(where.section_error("digest", "must be a table")))
        return
    for name in sorted(set(table) - set(DIGEST_FIELDS)):
        found.rejected.append(str(where.error("digest", name, "is not a digest field (known: "
                                              f"{', '.join(DIGEST_FIELDS)})")))  # fmt: skip
    try:
        if "sender" in table:
            found.sender = check_sender(table["sender"], f"{where.path}:"
                                        f"{where.line('digest', 'sender')}: [digest] field "
                                        "'sender'")  # fmt: skip
    except ConfigError as exc:
        found.rejected.append(str(exc))
    try:
        if "operators" in table:
            found.operators = _texts(table, "operators", "digest", where)
            bad = [e for e in found.operators if not EMAIL.match(e)]
            if bad:
                raise where.error("digest", "operators", f"has {bad[0]!r}, which is not an "
                                  "e-mail address")  # fmt: skip
    except ConfigError as exc:
        found.operators = ()
        found.rejected.append(str(exc))
    cap = table.get("first_digest_per_theme", FIRST_DIGEST_PER_THEME)
    if isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= 100:
        found.rejected.append(str(where.error("digest", "first_digest_per_theme",
                                              "must be a whole number from 1 to 100")))  # fmt: skip
    else:
        found.first_digest_per_theme = cap


def check_sender(value: object, where: str) -> str:
    """A sender as mail headers take it: `Name <address>` or a bare address."""
    text = value.strip() if isinstance(value, str) else ""
    if not EMAIL.match(parseaddr(text)[1]) or "\n" in text or "\r" in text:
        raise ConfigError(f"{where} must be an address, e.g. \"Territorio Smart Matcher "
                          f"<bandi@comune.example.org>\", not {value!r}")  # fmt: skip
    return text


def _partner(key: str, table: Any, themes: tuple[str, ...], where: Locator) -> Partner:
    section = f"partners.{key}"
    if not isinstance(table, dict):
        raise where.section_error(section, "must be a table")
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
    relevance = table.get("min_relevance", DEFAULT_RELEVANCE)
    if relevance not in RELEVANCE:
        raise where.error(section, "min_relevance", f"{relevance!r} is not a relevance level "
                          f"(known: {', '.join(RELEVANCE)})")  # fmt: skip
    return Partner(key=key, name=table["name"].strip(), type=kind, emails=emails,
                   themes=followed, language=language, min_relevance=relevance)  # fmt: skip


def _texts(table: dict, name: str, section: str, where: Locator) -> tuple[str, ...]:
    value = table.get(name)
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise where.error(section, name, "must be a non-empty list of texts")
    return tuple(v.strip() for v in value)
