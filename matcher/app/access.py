"""Who may use the app and who is deciding: the optional password, and the reviewer's identity
(Streamlit's OIDC login, or a header set by an authenticating reverse proxy, else a typed name)."""

from __future__ import annotations

import hmac
import os

import streamlit as st

from matcher.app.strings import Text

PASSWORD_ENV = "MATCHER_APP_PASSWORD"
# The header an authenticating reverse proxy sets with the user's identity (e.g.
# X-Forwarded-User, X-Auth-Request-Email). Only trusted when configured: otherwise anybody
# could send it.
USER_HEADER_ENV = "MATCHER_USER_HEADER"


def password_gate(t: Text) -> None:
    """When MATCHER_APP_PASSWORD is set, stop the page until the right password is given
    (remembered for the browser session)."""
    expected = os.environ.get(PASSWORD_ENV, "")
    if not expected or st.session_state.get("authenticated"):
        return
    st.info(t("password_needed"))
    typed = st.text_input(t("password"), type="password", key="password_typed")
    if typed and hmac.compare_digest(typed.encode(), expected.encode()):
        st.session_state["authenticated"] = True
        del st.session_state["password_typed"]
        st.rerun()
    if typed:
        st.error(t("password_wrong"))
    st.stop()


def oidc_configured() -> bool:
    """Streamlit's OIDC login is set up ([auth] in .streamlit/secrets.toml)."""
    try:
        return "auth" in st.secrets
    except Exception:  # Streamlit raises its own error when there is no secrets file at all
        return False


def login_gate(t: Text) -> None:
    """With OIDC configured, stop the page until the reader has logged in."""
    if not oidc_configured() or st.user.is_logged_in:
        return
    st.info(t("login_needed"))
    if st.button(t("login"), key="login", type="primary"):
        st.login()
    st.stop()


def authenticated_user() -> str:
    """The identity the deployment vouches for ('' when it vouches for none)."""
    header = os.environ.get(USER_HEADER_ENV, "").strip()
    if header:
        value = st.context.headers.get(header, "")
        if value.strip():
            return value.strip()
    try:
        if st.user.is_logged_in:
            return str(st.user.get("email") or st.user.get("name") or "")
    except (AttributeError, KeyError):  # no authentication configured
        pass
    return ""


def reviewer(t: Text) -> str:
    """Who records decisions: the authenticated user, else the name typed in the sidebar
    (kept in the browser session); '' until one is known."""
    vouched = authenticated_user()
    if vouched:
        st.sidebar.caption(t("reviewer_as", name=vouched))
        return vouched
    name = st.sidebar.text_input(t("reviewer"), key="reviewer_name")
    return " ".join(name.split())
