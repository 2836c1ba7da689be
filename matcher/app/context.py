"""What every page needs: the store's path, the settings, the clock and the reader's language."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from matcher import config
from matcher.app.strings import Text
from matcher.normalize.timezones import parse_iso
from matcher.partners import Partners
from matcher.ranking.config import RankingConfig
from matcher.ranking.themes import ThemeConfig

# Set by `matcher app` (and `matcher demo`) for the `streamlit run` it starts.
DB_ENV = "MATCHER_DB"


@dataclass(frozen=True)
class AppContext:
    """The settings and clocks of one page view."""

    db_path: Path
    themes: ThemeConfig
    ranking: RankingConfig
    partners: Partners
    now: datetime  # statuses and deadlines are computed at this instant (the demo's as-of)
    clock: datetime  # when things happen: decisions, calls added by hand
    as_of: datetime | None  # the demo's data-as-of date, None for a real deployment
    t: Text
    app_url: str  # MATCHER_APP_URL: the address people reach the app at (links in e-mails)
    who: str = ""  # the reviewer: authenticated, or typed in the sidebar; '' when unknown

    @property
    def lang(self) -> str:
        return self.t.lang

    def theme_labels(self) -> dict[str, str]:
        return {key: theme.label for key, theme in self.themes.themes.items()}


def db_path_from_env() -> Path:
    """MATCHER_DB as `matcher app` passes it, else the deployment's default database."""
    value = os.environ.get(DB_ENV)
    return Path(value).expanduser() if value else config.default_db()


def clock() -> datetime:
    """The current instant, to the minute (cached reads stay valid within a minute)."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


def reading_now(as_of: str | None, current: datetime) -> tuple[datetime, datetime | None]:
    """The instant statuses are computed at: the store's data-as-of date when it has one (the
    demo pretends it is that day), else the current time."""
    stamp = parse_iso(as_of) if as_of else None
    if stamp is not None and stamp.tzinfo is not None:
        return stamp, stamp
    return current, None


def app_url_from_env() -> str:
    """MATCHER_APP_URL: where people reach the app (e.g. https://bandi.example.org), for links
    in exports and e-mails; '' when unset."""
    return os.environ.get("MATCHER_APP_URL", "").strip()
