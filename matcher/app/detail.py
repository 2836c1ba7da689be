"""A call's own page (?call=<id>): facts, why it is listed, every link, its history, the
review form and "bandi simili"."""

from __future__ import annotations

from typing import Any

import sqlite_utils
import streamlit as st

from matcher.app import data
from matcher.app.context import AppContext
from matcher.app.review import history_rows, review_form
from matcher.app.safe import highlighted, md, md_block, md_call_link, md_link, safe_url
from matcher.app.table import call_link
from matcher.exports import app_link
from matcher.italian import deadline_text, format_amount, format_date
from matcher.models import Call
from matcher.records import call_to_json
from matcher.store import get_call, reviews_of
from matcher.store.ranking import scores_of


def render(ctx: AppContext, db: sqlite_utils.Database, version: str, call_id: str) -> None:
    t = ctx.t
    if st.button(t("back"), key="back"):
        del st.query_params["call"]
        st.rerun()
    found = get_call(db, call_id)
    if found is None:
        st.error(t("not_found", id=md(call_id)))
        return
    call, history = found
    row = call_to_json(call, history, ctx.now)
    st.markdown(f"### {md(call.title)}")
    st.caption(" · ".join(md(v) for v in (call.id, call.portal, call.programme) if v))
    _facts(ctx, call, row)
    _links(ctx, call)
    scores = {s["theme"]: s for s in scores_of(db, call.id) if s["ranking_key"] == ctx.ranking.key}
    best = best_theme(scores, list(ctx.themes.themes))
    _explanations(ctx, scores, best)
    with st.expander(t("d_text")):
        st.markdown(md_block(call.text or call.summary) or t("unknown"))
    st.markdown(f"#### {t('d_history')}")
    past = reviews_of(db, call.id)
    if past:
        st.dataframe(history_rows(past, ctx), hide_index=True, width="stretch")
    else:
        st.caption(t("d_no_history"))
    review_form(ctx, db, call.id, best)
    _similar(ctx, version, call.id, best)


def best_theme(scores: dict[str, dict[str, Any]], themes: list[str]) -> str:
    """The theme the call scores best for (the first theme when it has no score yet)."""
    if not scores:
        return themes[0]
    return max(themes, key=lambda theme: scores.get(theme, {}).get("score", -1.0))


def _facts(ctx: AppContext, call: Call, row: dict[str, Any]) -> None:
    t = ctx.t
    left, right = st.columns(2)
    deadlines = [
        deadline_text(d.isoformat(), call.deadline_time_known, call.tz, t.lang)
        for d in call.deadlines
    ]
    eligible = {True: t("yes"), False: t("no")}.get(row["public_bodies_eligible"], t("unknown"))
    left.markdown("\n".join([
        f"**{t('d_status')}:** {t('st_' + row['status'])}",
        f"**{t('d_deadlines')}:** " + ("; ".join(deadlines) or t("unknown")),
        f"**{t('d_opening')}:** " + (format_date(call.opening, call.tz) or t("unknown")),
        f"**{t('d_budget')}:** " + (format_amount(call.budget_eur, t.lang) or t("unknown")),
    ]).replace("\n", "  \n"))  # fmt: skip
    right.markdown("\n".join([
        f"**{t('d_beneficiaries')}:** " + (md(", ".join(call.beneficiaries)) or t("unknown")),
        f"**{t('d_pa')}:** {eligible}",
        f"**{t('d_territory')}:** " + (md(call.territory) or t("unknown")),
        f"**{t('d_language')}:** {md(call.language)}",
    ]).replace("\n", "  \n"))  # fmt: skip
    if call.date_issues:
        st.warning(t("d_date_issues", issues=md("; ".join(call.date_issues))))


def _links(ctx: AppContext, call: Call) -> None:
    t = ctx.t
    official = safe_url(call.url)
    if official:
        st.link_button(t("d_official"), official)
    sources = [link for link in dict.fromkeys([call.url, *call.links]) if safe_url(link)]
    if len(sources) > 1:
        st.markdown(f"**{t('d_sources')}:**  \n" + "  \n".join(md_link(s, s) for s in sources))
    if call.aliases:
        st.caption(f"{t('d_aliases')}: " + ", ".join(md(a) for a in call.aliases))
    own = app_link(ctx.app_url, call.id) or call_link(call.id)
    st.caption(f"{t('d_link_here')}: `{own}`")


def _explanations(ctx: AppContext, scores: dict[str, dict[str, Any]], best: str) -> None:
    t = ctx.t
    st.markdown(f"#### {t('d_why')}")
    labels = ctx.theme_labels()
    tabs = st.tabs(list(labels.values()), default=labels[best])
    for theme, tab in zip(labels, tabs, strict=True):
        with tab:
            score = scores.get(theme)
            if score is None:
                st.caption(t("d_not_scored"))
                continue
            e = score["explanation"]
            st.metric(t("c_score"), f"{score['score']:.0f}")
            st.markdown(f"**{t('d_passage')}:**")
            st.info(highlighted(e.get("passage", ""), e.get("keywords", [])))
            keywords = ", ".join(md(k) for k in e.get("keywords", [])) or "—"
            st.markdown(f"**{t('d_keywords')}:** {keywords}")
            eligibility = e.get("eligibility", {})
            evidence = ", ".join(md(v) for v in eligibility.get("evidence", []))
            st.markdown(f"**{t('d_eligibility')}:** {md(eligibility.get('note', ''))}"
                        + (f" ({evidence})" if evidence else ""))  # fmt: skip
            with st.expander(t("d_components")):
                st.json(e.get("components", {}))


def _similar(ctx: AppContext, version: str, call_id: str, theme: str) -> None:
    t = ctx.t
    st.markdown(f"#### {t('d_similar')} ({md(ctx.theme_labels()[theme])})")
    found = data.similar(str(ctx.db_path), version, theme, call_id, ctx.ranking.model)
    if not found:
        st.caption(t("d_no_similar"))
        return
    lines = [
        f"- {md_call_link(row['title'], call_link(row['id']))} · {md(row['portal'])} · "
        f"{md(row['territory'])} · {similarity:.2f}"
        for row, similarity in found
    ]
    st.markdown("\n".join(lines))
