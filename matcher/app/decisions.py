"""The week's decisions: every action recorded in the last 7 days, from the app or the CLI."""

from __future__ import annotations

from datetime import timedelta

import sqlite_utils
import streamlit as st

from matcher.app.context import AppContext
from matcher.app.table import call_link
from matcher.italian import format_datetime
from matcher.store.reviews import reviews_since

DAYS = 7


def render(ctx: AppContext, db: sqlite_utils.Database) -> None:
    t, labels = ctx.t, ctx.theme_labels()
    st.markdown(f"#### {t('dec_title')}")
    # Decisions are stamped with the real clock, also in the demo (whose `now` is its as-of).
    recent = reviews_since(db, ctx.clock - timedelta(days=DAYS))
    if not recent:
        st.caption(t("dec_none"))
        return
    rows = [
        {
            t("h_when"): format_datetime(r["decided_at"]),
            t("h_who"): r["reviewer"],
            t("h_theme"): labels.get(r["theme"], r["theme"]),
            t("h_action"): t(f"a_{r['decision']}"),
            t("h_call"): r["title"] or r["call_id"],
            t("h_note"): r["note"] or "",
            t("c_link"): call_link(r["shown_id"]),
        }
        for r in recent
    ]
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            t("c_link"): st.column_config.LinkColumn(t("c_link"), display_text=t("open_link"))
        },
    )
