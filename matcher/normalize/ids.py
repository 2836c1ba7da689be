"""Native ids for sources that give none: a short hash of the normalised title and opening date."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import date, datetime

ID_LENGTH = 12  # hex digits of sha1: collisions are negligible at tens of thousands of calls


def normalize_title(title: str) -> str:
    """Casefolded, punctuation replaced by spaces, whitespace collapsed.

    NFKC first, so that the same title typed with composed or decomposed accents, curly or
    straight quotes, or non-breaking spaces gives the same text.
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    text = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text)
    return " ".join(text.split())


def title_date_id(title: str, opening_date: date | datetime | None) -> str:
    """A stable id for a call without one: yearly editions with the same title get different ids.

    A datetime counts by its calendar day in its own zone (the day the source wrote); no opening
    date hashes as an empty day.
    """
    if isinstance(opening_date, datetime):
        day = opening_date.date().isoformat()
    elif isinstance(opening_date, date):
        day = opening_date.isoformat()
    else:
        day = ""
    key = f"{normalize_title(title)}|{day}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:ID_LENGTH]
