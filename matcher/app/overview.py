"""The overview: calls per theme and status, a timeline of the coming deadlines, and the health
of each source's last run (so a portal that went quiet is seen)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import altair as alt
import streamlit as st

from matcher.app import data
from matcher.app.context import AppContext
from matcher.italian import format_datetime
from matcher.models import STATUSES
from matcher.normalize.timezones import parse_iso
from matcher.store.shortlist import ShortlistFilters


def render(ctx: AppContext, version: str, filters: ShortlistFilters) -> None:
    t, labels = ctx.t, ctx.theme_labels()
    everything = replace(filters, statuses=frozenset(STATUSES), limit=None)
    by_theme = {
        theme: data.shortlist(
            str(ctx.db_path), version, theme, ctx.ranking.key, ctx.now, everything
        )  # fmt: skip
        for theme in labels
    }
    st.markdown(f"#### {t('o_counts')}")
    st.caption(t("o_counts_help", min=f"{filters.min_score:g}"))
    st.dataframe(count_table(by_theme, labels, t), hide_index=True)
    st.markdown(f"#### {t('o_timeline')}")
    points = timeline(by_theme, labels, t)
    if points:
        chart = (
            alt.Chart(alt.Data(values=points))
            .mark_bar()
            .encode(
                x=alt.X("month:O", title=t("o_month")),
                y=alt.Y("calls:Q", title=t("o_calls")),
                color=alt.Color("theme:N", title=t("c_theme")),
                tooltip=["month:O", "theme:N", "calls:Q"],
            )
        )
        st.altair_chart(chart, width="stretch")
    st.markdown(f"#### {t('o_health')}")
    runs = data.runs(str(ctx.db_path), version)
    if not runs:
        st.caption(t("o_no_runs"))
        return
    st.dataframe(health_rows(runs, t), hide_index=True, width="stretch")


def count_table(
    by_theme: dict[str, list[dict[str, Any]]], labels: dict[str, str], t: Any
) -> list[dict[str, Any]]:
    """One row per theme, one column per status."""
    return [
        {t("c_theme"): labels[theme]}
        | {t(f"st_{s}"): sum(r["status"] == s for r in rows) for s in STATUSES}
        for theme, rows in by_theme.items()
    ]


def timeline(
    by_theme: dict[str, list[dict[str, Any]]], labels: dict[str, str], t: Any
) -> list[dict[str, Any]]:
    """Calls per month of their next deadline and theme (month as 2026-09, sortable)."""
    counts: dict[tuple[str, str], int] = {}
    for theme, rows in by_theme.items():
        for row in rows:
            when = parse_iso(row["next_deadline"]) if row["next_deadline"] else None
            if when is not None:
                month = f"{when:%Y-%m}"
                counts[(month, labels[theme])] = counts.get((month, labels[theme]), 0) + 1
    return [{"month": m, "theme": theme, "calls": n} for (m, theme), n in sorted(counts.items())]


def health_rows(runs: list[dict[str, Any]], t: Any) -> list[dict[str, Any]]:
    """Each portal's last run: when, outcome, counts, and the first error or warning."""
    return [
        {
            t("c_portal"): run["portal"],
            t("o_when"): format_datetime(run["finished"] or run["started"]),
            t("o_run_status"): run["status"],
            t("o_fetched"): run["fetched"],
            t("o_new"): run["new"],
            t("o_changed"): run["changed"],
            t("o_vanished"): run["vanished"],
            t("o_errors"): "; ".join((run["errors"] + run["warnings"])[:2]),
        }
        for run in runs
    ]
