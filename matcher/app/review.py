"""The review workflow: the form that records an action (who, when, which theme), the
history table, and "valuta ora" (the ranking job, under the store's writing lock)."""

from __future__ import annotations

from typing import Any

import sqlite_utils
import streamlit as st

from matcher import jobs
from matcher.app.context import AppContext
from matcher.errors import MatcherError
from matcher.italian import format_datetime
from matcher.store import record_review
from matcher.store.lock import LockBusy
from matcher.store.reviews import ACTIONS


def history_rows(reviews: list[dict[str, Any]], ctx: AppContext) -> list[dict[str, Any]]:
    """Every recorded action, oldest first, in the reader's words."""
    t, labels = ctx.t, ctx.theme_labels()
    return [
        {
            t("h_when"): format_datetime(r["decided_at"]),
            t("h_who"): r["reviewer"],
            t("h_theme"): labels.get(r["theme"], r["theme"]),
            t("h_action"): t(f"a_{r['decision']}"),
            t("h_note"): r["note"] or "",
        }
        for r in reviews
    ]


def review_form(ctx: AppContext, db: sqlite_utils.Database, call_id: str, theme: str) -> None:
    """Shortlist, reject (with a reason), note, assign to a partner, mark applied."""
    t, who = ctx.t, ctx.who
    labels = ctx.theme_labels()
    partners = [p.name for p in ctx.partners.partners.values()]
    st.markdown(f"#### {t('r_title')}")
    with st.form("review", clear_on_submit=True):
        chosen_theme = st.selectbox(t("r_theme"), list(labels), index=list(labels).index(theme),
                                    format_func=labels.__getitem__, key="r_theme")  # fmt: skip
        action = st.radio(t("r_action"), list(ACTIONS), format_func=lambda a: t(f"a_{a}"),
                          horizontal=True, key="r_action")  # fmt: skip
        partner = st.selectbox(t("r_partner"), ["", *partners], key="r_partner",
                               format_func=lambda p: p or "—")  # fmt: skip
        note = st.text_area(t("r_note"), key="r_note")
        submitted = st.form_submit_button(t("r_submit"))
    if not submitted:
        return
    problem = _missing(t, who, action, note, partner)
    if problem:
        st.error(problem)
        return
    text = partner if action == "assign" else note.strip()
    if action == "assign" and note.strip():
        text = f"{partner}: {note.strip()}"
    try:
        record_review(db, call_id, chosen_theme, action, who, ctx.clock, text, tuple(labels))
    except MatcherError as exc:
        st.error(str(exc))
        return
    st.session_state["review_done"] = t("r_done", action=t(f"a_{action}"), who=who)
    st.rerun()


def _missing(t: Any, who: str, action: str, note: str, partner: str) -> str:
    if not who:
        return str(t("r_need_name"))
    if action == "reject" and not note.strip():
        return str(t("r_need_reason"))
    if action == "note" and not note.strip():
        return str(t("r_need_note"))
    if action == "assign" and not partner:
        return str(t("r_need_partner"))
    return ""


def show_done() -> None:
    """The confirmation of the action recorded before the rerun."""
    done = st.session_state.pop("review_done", None)
    if done:
        st.success(done)


def rank_now(ctx: AppContext, db: sqlite_utils.Database, key: str) -> None:
    """The "valuta ora" button: the ranking job for new calls, or why it cannot run now."""
    t = ctx.t
    if not st.button(t("rank_now"), key=key, type="primary"):
        return
    try:
        with st.spinner(t("ranking")):
            report = jobs.rank(db, ctx.themes, ctx.ranking, ctx.clock)
    except LockBusy as exc:
        st.warning(t("lock_busy", message=str(exc)))
        return
    except MatcherError as exc:
        st.error(str(exc))
        return
    st.success(t("ranked", calls=report.calls, themes=report.scored_themes,
                 seconds=f"{report.seconds:.1f}"))  # fmt: skip
