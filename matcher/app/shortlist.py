"""The shortlist view: a tab per theme with its ranked calls, exports of what is shown, the
calls still to rank, and the Italian calls closed recently."""

from __future__ import annotations

from functools import partial
from typing import Any

import sqlite_utils
import streamlit as st

from matcher.app import data
from matcher.app.context import AppContext
from matcher.app.filters import recently_closed
from matcher.app.review import rank_now
from matcher.app.table import closed_rows, display_rows
from matcher.exports import MIME, ExportContext, export_bytes, file_name
from matcher.italian import format_date
from matcher.store.shortlist import RECENTLY_CLOSED_DAYS, ShortlistFilters


def render(
    ctx: AppContext,
    db: sqlite_utils.Database,
    version: str,
    filters: ShortlistFilters,
    first_run: str | None,
) -> None:
    labels = ctx.theme_labels()
    # Bound to ?tema=…, and only the open tab runs its query (tab.open): one query per view.
    tabs = st.tabs(list(labels.values()), key="tema", bind="query-params")
    for theme, tab in zip(labels, tabs, strict=True):
        if tab.open:
            with tab:
                _theme(ctx, db, version, theme, filters, first_run)


def _theme(
    ctx: AppContext,
    db: sqlite_utils.Database,
    version: str,
    theme: str,
    filters: ShortlistFilters,
    first_run: str | None,
) -> None:
    t, path, key = ctx.t, str(ctx.db_path), ctx.ranking.key
    state = data.theme_freshness(path, version, theme, ctx.themes.digest, ctx.themes, ctx.ranking)
    if state.computed_at is None:
        st.info(t("never_ranked"))
    elif state.stale:
        st.warning(t("stale_scores", message=state.message()))
    if state.stale:  # new calls, changed calls, decisions or settings the scores miss
        rank_now(ctx, db, key=f"rank_{theme}")
    rows = data.shortlist(path, version, theme, key, ctx.now, filters)
    st.caption(t("count", n=len(rows), min=f"{filters.min_score:g}"))
    if rows:
        _table(ctx, rows, theme, first_run)
        _exports(ctx, rows, theme)
    elif state.computed_at is not None:
        st.info(t("none_listed"))
    _to_rank(ctx, version, theme)
    _recently_closed(ctx, version, theme, filters)


def _table(ctx: AppContext, rows: list[dict[str, Any]], theme: str, first_run: str | None) -> None:
    t = ctx.t
    shown = display_rows(rows, t, ctx.now, first_run)
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=f"table_{theme}",
        column_config={
            t("c_link"): st.column_config.LinkColumn(t("c_link"), display_text=t("open_link")),
            t("c_score"): st.column_config.NumberColumn(t("c_score"), format="%.0f"),
            t("c_title"): st.column_config.TextColumn(t("c_title"), width="large"),
        },
    )
    st.caption(t("select_hint"))
    selected = getattr(getattr(event, "selection", None), "rows", [])
    if selected:
        st.query_params["call"] = rows[selected[0]]["id"]
        st.rerun()


def _exports(ctx: AppContext, rows: list[dict[str, Any]], theme: str) -> None:
    t = ctx.t
    export = ExportContext(ctx.theme_labels(), t.lang, ctx.app_url)
    st.markdown(f"**{t('export')}**")
    columns = st.columns(3)
    for column, fmt in zip(columns, ("csv", "xlsx", "ics"), strict=True):
        # Built when clicked, not on every view.
        column.download_button(
            t(f"export_{fmt}"),
            data=partial(export_bytes, fmt, rows, export, ctx.now),
            file_name=file_name(fmt, theme, ctx.now),
            mime=MIME[fmt],
            key=f"export_{theme}_{fmt}",
            on_click="ignore",
        )


def _to_rank(ctx: AppContext, version: str, theme: str) -> None:
    t = ctx.t
    waiting = data.unscored(str(ctx.db_path), version, theme, ctx.ranking.key)
    if not waiting:
        return
    with st.expander(t("to_rank", n=len(waiting)), expanded=len(waiting) <= 10):
        st.caption(t("to_rank_help"))
        st.dataframe(
            [{t("c_title"): w["title"], t("c_portal"): w["portal"], t("c_id"): w["id"]}
             for w in waiting[:200]],
            hide_index=True, width="stretch",
        )  # fmt: skip


def _recently_closed(ctx: AppContext, version: str, theme: str, filters: ShortlistFilters) -> None:
    t = ctx.t
    st.markdown(f"#### {t('closed_recently')}")
    st.caption(t("closed_recently_help", date=format_date(ctx.now)))
    wanted = recently_closed(filters, RECENTLY_CLOSED_DAYS)
    rows = data.shortlist(str(ctx.db_path), version, theme, ctx.ranking.key, ctx.now, wanted)
    if not rows:
        st.caption(t("closed_recently_none"))
        return
    st.dataframe(
        closed_rows(rows, t),
        hide_index=True,
        width="stretch",
        column_config={
            t("c_link"): st.column_config.LinkColumn(t("c_link"), display_text=t("open_link")),
            t("c_score"): st.column_config.NumberColumn(t("c_score"), format="%.0f"),
        },
    )
