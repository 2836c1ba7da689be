"""Are a theme's stored scores up to date? Read without computing anything (readers never rank)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from matcher.normalize.timezones import parse_iso
from matcher.ranking.config import RankingConfig
from matcher.ranking.features import theme_digest
from matcher.ranking.scoring import FORMULA_VERSION
from matcher.ranking.themes import ThemeConfig
from matcher.store import last_review_id
from matcher.store import ranking as stored


@dataclass(frozen=True)
class Freshness:
    """What the stored scores of one theme and ranking do not reflect yet."""

    computed_at: str | None  # ISO 8601; None when the theme was never ranked this way
    new: int = 0  # listed calls without a score
    changed: int = 0  # calls changed since they were scored
    decisions: bool = False  # decisions taken after the scores
    settings: bool = False  # the theme, the applicant or the formula changed

    @property
    def stale(self) -> bool:
        return self.computed_at is None or bool(
            self.new or self.changed or self.decisions or self.settings
        )

    def message(self) -> str:
        """One Italian line for readers: what is missing and what to run ('' when fresh)."""
        if self.computed_at is None:
            return "nessun punteggio calcolato per questo tema: esegui `matcher rank`"
        if not self.stale:
            return ""
        when = parse_iso(self.computed_at)
        parts = [f"punteggi del {when:%d/%m/%Y}" if when else "punteggi"]
        if self.new:
            parts.append(_count(self.new, "bando nuovo", "bandi nuovi") + " non ancora valutati")
        if self.changed:
            parts.append(
                _count(self.changed, "bando modificato", "bandi modificati") + " da allora"
            )
        if self.decisions:
            parts.append("decisioni più recenti non ancora considerate")
        if self.settings:
            parts.append("temi o formula modificati da allora")
        return ", ".join(parts) + ": esegui `matcher rank`"


def freshness(
    db: sqlite_utils.Database, themes: ThemeConfig, theme: str, config: RankingConfig
) -> Freshness:
    """Compare a theme's freshness record with the store and the current settings."""
    ranking = stored.get_ranking(db, theme, config.key)
    if ranking is None:
        return Freshness(computed_at=None)
    counts = stored.unscored_counts(db, theme, config.key)
    digest = theme_digest(themes.themes[theme], themes.applicant)
    return Freshness(
        computed_at=ranking.computed_at,
        new=counts["new"],
        changed=counts["changed"],
        decisions=last_review_id(db) > ranking.last_review,
        settings=(ranking.theme_digest, ranking.formula) != (digest, FORMULA_VERSION),
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
