"""Calls added by hand: a form for a call that arrived by e-mail and an upload of a CSV or
Excel file, both through the same import as `matcher import`; then "valuta ora"."""

from __future__ import annotations

import sqlite_utils
import streamlit as st

from matcher import jobs
from matcher.app.context import AppContext
from matcher.app.review import rank_now
from matcher.app.safe import md
from matcher.entries import form_row, read_form, read_upload
from matcher.errors import MatcherError
from matcher.importer import ParsedFile
from matcher.store.lock import LockBusy


def render(ctx: AppContext, db: sqlite_utils.Database, territories: list[str]) -> None:
    t = ctx.t
    st.markdown(f"#### {t('e_title')}")
    with st.form("entry", clear_on_submit=False):
        title = st.text_input(t("e_call_title"), key="e_title")
        link = st.text_input(t("e_link"), key="e_link")
        day, hour = st.columns(2)
        deadline = day.date_input(t("e_deadline"), value=None, format="DD/MM/YYYY",
                                  key="e_deadline")  # fmt: skip
        clock = hour.text_input(t("e_time"), key="e_time")
        text = st.text_area(t("e_text"), key="e_text")
        programme = st.text_input(t("e_programme"), key="e_programme")
        territory = st.selectbox(t("e_territory"), territories, key="e_territory")
        submitted = st.form_submit_button(t("e_submit"))
    if submitted:
        try:
            row = form_row(title, link, deadline, clock, text, programme, territory)
        except ValueError as exc:
            st.error(str(exc))
        else:
            _store(ctx, db, read_form(row))
    upload = st.file_uploader(t("e_upload"), type=["csv", "xlsx"], key="e_file")
    if upload is not None and st.button(t("e_import"), key="e_import"):
        try:
            parsed = read_upload(upload.name, upload.getvalue())
        except MatcherError as exc:
            st.error(str(exc))
        else:
            _store(ctx, db, parsed)
    rank_now(ctx, db, key="rank_entry")


def _store(ctx: AppContext, db: sqlite_utils.Database, parsed: ParsedFile) -> None:
    t = ctx.t
    if parsed.calls:
        try:
            counts = jobs.import_calls(db, parsed.calls, ctx.clock)
        except LockBusy as exc:
            st.warning(t("lock_busy", message=str(exc)))
            return
        st.success(t("e_done", n=len(parsed.calls), new=counts["new"],
                     changed=counts["changed"]))  # fmt: skip
    else:
        st.warning(t("e_none"))
    if parsed.rejected:
        st.error(t("e_rejected") + "\n" + "\n".join(f"- {md(line)}" for line in parsed.rejected))
