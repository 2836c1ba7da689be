"""Choices kept in the URL by their value, whatever language their labels are shown in.

Streamlit's `bind="query-params"` writes a choice's label; a link shared from the Italian page
would then not open in English. These choices are read from the URL once per session and
written back by value (`?lang=en&vista=overview&stato=open&stato=forthcoming`).
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st


def from_url(key: str, options: Sequence[str], default: str) -> None:
    """Start the widget `key` at the URL's value when it is one of `options`."""
    if key not in st.session_state:
        value = st.query_params.get(key)
        st.session_state[key] = value if value in options else default


def many_from_url(key: str, options: Sequence[str], default: Sequence[str]) -> None:
    """Start the multiple choice `key` at the URL's values (all of `default` when absent)."""
    if key not in st.session_state:
        if key in st.query_params:
            st.session_state[key] = [v for v in st.query_params.get_all(key) if v in options]
        else:
            st.session_state[key] = list(default)


def to_url(key: str, value: str | Sequence[str] | None, default: str | Sequence[str]) -> None:
    """Mirror a choice into the URL; the default is left out, to keep links short."""
    chosen = list(value) if isinstance(value, list | tuple) else value
    wanted = list(default) if isinstance(default, list | tuple) else default
    if chosen == wanted or chosen is None:
        if key in st.query_params:
            del st.query_params[key]
    elif isinstance(chosen, list):
        st.query_params[key] = chosen if chosen else ""
    else:
        st.query_params[key] = chosen
