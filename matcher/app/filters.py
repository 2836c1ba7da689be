"""The sidebar's filters, each bound to a URL query parameter (a view can be shared by its
link), turned into the store's ShortlistFilters: the rules themselves live in the store."""

from __future__ import annotations

from datetime import date

import streamlit as st

from matcher.app.strings import Text
from matcher.app.url import from_url, many_from_url, to_url
from matcher.models import STATUSES
from matcher.store.shortlist import LISTED_STATUSES, ShortlistFilters

# Each filter's widget key is its URL query parameter: min, ordine, stato, portale,
# programma, dal, al, pa, territorio, lingua_bando, q.
DEFAULT_STATUSES = [s for s in STATUSES if s in LISTED_STATUSES]
SORTS = ("score", "deadline")


def sidebar_filters(t: Text, options: dict[str, list[str]], default_min: float) -> ShortlistFilters:
    """Draw the filters in the sidebar; the filters the reader chose. `default_min` is where the
    ranking's "alta pertinenza" starts."""
    side = st.sidebar
    side.subheader(t("filters"))
    min_score = side.slider(
        t("min_score"), 0, 100, int(default_min), step=1, key="min",
        bind="query-params", help=t("min_score_help", default=int(default_min)),
    )  # fmt: skip
    from_url("ordine", SORTS, SORTS[0])
    sort = side.radio(t("sort"), SORTS, key="ordine", horizontal=True,
                      format_func=lambda s: t(f"sort_{s}"))  # fmt: skip
    to_url("ordine", sort, SORTS[0])
    many_from_url("stato", STATUSES, DEFAULT_STATUSES)
    statuses = side.multiselect(t("status"), list(STATUSES), key="stato", placeholder=t("choose"),
                                format_func=lambda s: t(f"st_{s}"))  # fmt: skip
    to_url("stato", statuses, DEFAULT_STATUSES)
    portals = side.multiselect(t("portal"), options["portals"], key="portale",
                               bind="query-params", placeholder=t("choose"))  # fmt: skip
    programmes = side.multiselect(t("programme"), options["programmes"], key="programma",
                                  bind="query-params", placeholder=t("choose"))  # fmt: skip
    start, end = side.columns(2)
    deadline_from = start.date_input(t("deadline_from"), value=None, key="dal",
                                     bind="query-params", format="DD/MM/YYYY")  # fmt: skip
    deadline_to = end.date_input(t("deadline_to"), value=None, key="al",
                                 bind="query-params", format="DD/MM/YYYY")  # fmt: skip
    public_only = side.checkbox(t("public_only"), key="pa", bind="query-params")
    territory = side.selectbox(
        t("territory"), ["", *options["territories"]], key="territorio", bind="query-params",
        format_func=lambda v: v or t("any"),
    )  # fmt: skip
    languages = side.multiselect(t("call_language"), options["languages"], key="lingua_bando",
                                 bind="query-params", placeholder=t("choose"))  # fmt: skip
    text = side.text_input(t("text"), key="q", bind="query-params")
    return ShortlistFilters(
        statuses=frozenset(statuses),
        min_score=float(min_score),
        portals=frozenset(portals),
        programmes=frozenset(programmes),
        languages=frozenset(languages),
        territory=territory or "",
        public_bodies_only=bool(public_only),
        deadline_from=_day(deadline_from),
        deadline_to=_day(deadline_to),
        text=text.strip(),
        sort=sort or "score",
    )


def _day(value: object) -> date | None:
    return value if isinstance(value, date) else None


def recently_closed(filters: ShortlistFilters, days: int) -> ShortlistFilters:
    """The "chiusi di recente" section of a view: the same filters, Italian calls only, closed
    within `days`, best first."""
    return ShortlistFilters(
        min_score=filters.min_score,
        portals=filters.portals,
        programmes=filters.programmes,
        languages=frozenset({"it"}),
        territory=filters.territory,
        public_bodies_only=filters.public_bodies_only,
        text=filters.text,
        closed_within_days=days,
        limit=15,
    )
