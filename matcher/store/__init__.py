"""The SQLite store: every read and write of the database goes through this package.

Functions take the database first; each write is one transaction. Modules: `db` (opening,
transactions), `migrations`, `rows` (a Call as a row), `calls`, `runs`, `reviews`, `vectors`,
`ranking` (features, scores, freshness), `shortlist` (the one query readers list from), `meta`.
"""

from matcher.store.calls import (
    active_hashes,
    call_ids,
    calls_by_id,
    get_call,
    load_calls,
    save_result,
    set_merged,
    upsert_calls,
)
from matcher.store.db import fresh_db, open_db
from matcher.store.meta import get_meta, set_meta
from matcher.store.reviews import (
    DECISIONS,
    clear_reviews,
    last_review_id,
    latest_decisions,
    record_review,
    reviews_of,
)
from matcher.store.runs import (
    RunSummary,
    last_runs,
    recent_runs,
    repair_interrupted_runs,
    start_run,
)
from matcher.store.shortlist import ShortlistFilters, shortlist_rows

__all__ = [
    "DECISIONS",
    "active_hashes",
    "calls_by_id",
    "RunSummary",
    "ShortlistFilters",
    "call_ids",
    "clear_reviews",
    "fresh_db",
    "get_call",
    "get_meta",
    "last_review_id",
    "last_runs",
    "latest_decisions",
    "load_calls",
    "open_db",
    "recent_runs",
    "record_review",
    "repair_interrupted_runs",
    "reviews_of",
    "save_result",
    "set_merged",
    "set_meta",
    "shortlist_rows",
    "start_run",
    "upsert_calls",
]
