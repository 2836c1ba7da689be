"""The SQLite store: every read and write of the database goes through this package."""

from matcher.store.calls import *  # noqa: F401,F403
from matcher.store.migrations import transaction  # noqa: F401
