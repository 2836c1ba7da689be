"""The working group's app (Streamlit): shortlists per theme, a call's page, reviews, exports,
overview, decisions and calls added by hand. Start it with `matcher app` (or `matcher demo`).

It reads the store through matcher.store and records decisions; it never scrapes, and it ranks
(embeds) only when someone presses "valuta ora", never while drawing a page.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from matcher import config
from matcher.app import access, data, decisions, detail, entry, overview, shortlist
from matcher.app.context import (
    AppContext,
    app_url_from_env,
    clock,
    db_path_from_env,
    reading_now,
)
from matcher.app.filters import sidebar_filters
from matcher.app.review import show_done
from matcher.app.safe import code, md
from matcher.app.strings import Text
from matcher.app.url import from_url, to_url
from matcher.errors import MatcherError
from matcher.italian import LANGUAGES, format_date
from matcher.normalize.timezones import parse_iso
from matcher.partners import load_partners
from matcher.ranking.model_files import default_min_score
from matcher.ranking.themes import load_themes
from matcher.store import get_meta
from matcher.store.appdata import data_version, has_calls, refreshed

# A weekly job that stopped shows after a day's grace.
STALE_AFTER = timedelta(days=8)
VIEWS = ("shortlist", "overview", "decisions", "entry")

st.set_page_config(page_title="Territorio Smart Matcher", layout="wide")
from_url("lang", LANGUAGES, "it")
lang = st.sidebar.segmented_control(
    "Lingua / Language", LANGUAGES, key="lang", required=True,
    format_func=lambda code: {"it": "Italiano", "en": "English"}[code],
)  # fmt: skip
to_url("lang", lang, "it")
t = Text(lang or "it")
st.title(t("app_title"))
access.password_gate(t)
access.login_gate(t)

path = db_path_from_env()
if not path.exists():
    st.info(t("no_db", path=code(path)))
    st.stop()
try:
    db = data.connect(path)
    themes = load_themes()
    partners = load_partners(tuple(themes.themes))
    ranking = config.ranking_config()
except MatcherError as exc:
    st.error(md(exc))
    st.stop()
st.caption(t("app_caption", applicant=md(themes.applicant.name)))  # from themes.toml

version = data_version(db)
current = clock()
now, as_of = reading_now(get_meta(db, "as_of"), current)
from_url("vista", VIEWS, VIEWS[0])
view = st.sidebar.radio(t("view"), VIEWS, key="vista", format_func=lambda v: t(f"view_{v}"))
to_url("vista", view, VIEWS[0])
ctx = AppContext(db_path=path, themes=themes, ranking=ranking, partners=partners, now=now,
                 clock=current, as_of=as_of, t=t, app_url=app_url_from_env(),
                 who=access.reviewer(t))  # fmt: skip
options = data.options(str(path), version)
filters = sidebar_filters(t, options, default_min_score(ranking))

if as_of is not None:
    st.info(t("demo_as_of", date=format_date(as_of)))
runs = refreshed(db)
last = parse_iso(runs["last_complete"]) if runs["last_complete"] else None
if last is None and runs["first_run"] is None and has_calls(db):
    st.warning(t("never_refreshed"))
elif last is None or now - last > STALE_AFTER:
    st.warning(t("stale", date=format_date(last) if last else "—"))
for line in partners.rejected:
    st.warning(t("partners_rejected", line=md(line)))
show_done()

call_id = st.query_params.get("call")
if call_id:
    detail.render(ctx, db, version, call_id)
elif not has_calls(db) and view != "entry":
    st.info(t("empty_db", path=code(path)))
elif view == "overview":
    overview.render(ctx, version, filters)
elif view == "decisions":
    decisions.render(ctx, db)
elif view == "entry":
    entry.render(
        ctx, db, list(dict.fromkeys(["Emilia-Romagna", "Italia", "EU", *options["territories"]]))
    )
else:
    shortlist.render(ctx, db, version, filters, runs["first_run"])
