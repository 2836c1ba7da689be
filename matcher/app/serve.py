"""`streamlit run` with the app's modules imported first, so that the first page view does not
pay for importing them (pandas, altair, the store and the ranking: seconds on a small server).

`matcher app` starts this module instead of the `streamlit` command; the arguments are the same.
"""

from __future__ import annotations

import importlib
import sys

# What app.py and its pages import, heaviest first; Streamlit runs app.py in this process, so
# they are found in sys.modules when the first reader opens the page. Not the pages themselves:
# their st.cache_data functions must be made once Streamlit's runtime exists.
WARM = ("pandas", "pyarrow", "altair", "numpy", "sqlite_utils", "openpyxl", "icalendar",
        "matcher.jobs", "matcher.ranking.freshness", "matcher.exports", "matcher.entries",
        "matcher.partners", "matcher.records", "matcher.italian")  # fmt: skip


def main() -> None:
    for name in WARM:
        importlib.import_module(name)
    from streamlit.web import cli

    sys.argv[0] = "streamlit"
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
