"""How each portal's recorded answer holds its rows and total, to rewrite them into faults.

A format loads a body into a document, lists and replaces its rows, and sets its total the
way the portal states it (SEDIA totalResults, Plone items_total, Solr numFound, WordPress
X-WP-Total; CSV files and feeds state none). Row edits give the portal's own fields wrong types,
hostile text or absurd dates.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

ESC_TITLE = "Bando \x1b[2J\x1b]8;;https://evil.example\x07 ostile"
# XML 1.0 has no room for ESC: a bidi override, as a character reference (any encoding).
BIDI_TITLE = "Bando &#x202E;otsilo&#x202C; ostile"
BAD_LINK = "javascript:alert(1)"


@dataclass
class Doc:
    """A loaded answer: the parsed document and the headers that go with it."""

    data: Any
    headers: dict[str, str]


class JsonListing:
    """A JSON answer whose rows sit at `rows_at` and whose total sits at `total_at`."""

    def __init__(self, rows_at: tuple[str, ...], total_at: tuple[str, ...] | None) -> None:
        self.rows_at, self.total_at = rows_at, total_at

    def load(self, body: bytes, headers: dict[str, str]) -> Doc:
        return Doc(json.loads(body), dict(headers))

    def dump(self, doc: Doc) -> bytes:
        return json.dumps(doc.data, ensure_ascii=False).encode()

    def rows(self, doc: Doc) -> list[Any]:
        return _at(doc.data, self.rows_at)

    def set_rows(self, doc: Doc, rows: list[Any]) -> None:
        *path, last = self.rows_at
        if path or last:
            _at(doc.data, tuple(path))[last] = rows
        else:
            doc.data = rows

    def set_total(self, doc: Doc, total: int) -> None:
        if self.total_at is not None:
            *path, last = self.total_at
            _at(doc.data, tuple(path))[last] = total


class WordPressListing(JsonListing):
    """A list of posts; the total is in the X-WP-Total and X-WP-TotalPages headers."""

    def __init__(self) -> None:
        super().__init__(("",), None)

    def rows(self, doc: Doc) -> list[Any]:
        return doc.data  # type: ignore[no-any-return]

    def set_total(self, doc: Doc, total: int) -> None:
        doc.headers["X-WP-Total"] = str(total)
        doc.headers["X-WP-TotalPages"] = "1"


class CsvFile:
    """A CSV download: rows are the records after the header; no total."""

    def load(self, body: bytes, headers: dict[str, str]) -> Doc:
        text = body.decode("utf-8-sig")
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        return Doc({"delimiter": delimiter, "records": records}, dict(headers))

    def dump(self, doc: Doc) -> bytes:
        out = io.StringIO(newline="")
        csv.writer(out, delimiter=doc.data["delimiter"], lineterminator="\n").writerows(
            doc.data["records"]
        )
        return out.getvalue().encode()

    def rows(self, doc: Doc) -> list[Any]:
        return doc.data["records"][1:]  # type: ignore[no-any-return]

    def set_rows(self, doc: Doc, rows: list[Any]) -> None:
        doc.data["records"][1:] = rows

    def set_total(self, doc: Doc, total: int) -> None:
        pass


class Feed:
    """An RSS or Atom document: rows are its <item> or <entry> elements, as text; no total."""

    ITEM = re.compile(r"<item\b.*?</item>|<entry\b.*?</entry>", re.DOTALL)

    def load(self, body: bytes, headers: dict[str, str]) -> Doc:
        return Doc(body.decode("latin-1"), dict(headers))  # bytes kept as they are

    def dump(self, doc: Doc) -> bytes:
        return doc.data.encode("latin-1")  # type: ignore[no-any-return]

    def rows(self, doc: Doc) -> list[Any]:
        return self.ITEM.findall(doc.data)

    def set_rows(self, doc: Doc, rows: list[Any]) -> None:
        found = list(self.ITEM.finditer(doc.data))
        start, end = found[0].start(), found[-1].end()
        doc.data = doc.data[:start] + "\n".join(rows) + doc.data[end:]

    def set_total(self, doc: Doc, total: int) -> None:
        pass


def _at(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


Format = JsonListing | CsvFile | Feed

FORMATS: dict[str, Format] = {
    "eu_ftop": JsonListing(("results",), ("totalResults",)),
    "emilia_romagna": JsonListing(("items",), ("items_total",)),
    "incentivi_gov": JsonListing(("response", "docs"), ("response", "numFound")),
    "wordpress": WordPressListing(),
    "padigitale": CsvFile(),
    "italiadomani": CsvFile(),
    "feeds": Feed(),
}


# Record positions of (title, link or None, closing date) in the recorded CSV files.
CSV_COLUMNS = {"padigitale": (0, None, 3), "italiadomani": (3, 14, 11)}


def wrong_types(portal: str, row: Any) -> Any:
    """The row with the portal's own fields of the wrong type (as the fault-injection run found)."""
    if portal == "eu_ftop":
        meta = {**row["metadata"], "identifier": 12345, "title": {"en": "x"}}
        return {**row, "metadata": meta}
    if portal == "emilia_romagna":
        return {**row, "title": ["list", "title"], "scadenza_bando": 20260520}
    if portal == "incentivi_gov":
        return {**row, "zs_title": {"it": "x"}, "zs_field_close_date": 20261231}
    if portal == "wordpress":
        return {**row, "title": ["list", "title"], "link": 7}
    if portal in ("padigitale", "italiadomani"):
        return row[: len(row) // 2]  # a record cut short: its later columns shift or vanish
    raise ValueError(f"{portal}: rows of a feed have no types to get wrong")


UNREADABLE_DATE = "da definire"


def hostile(portal: str, row: Any) -> Any:
    """The row with a title that would drive a terminal and a javascript: link."""
    if portal == "eu_ftop":
        return {**row, "url": BAD_LINK, "metadata": {**row["metadata"], "title": [ESC_TITLE]}}
    if portal == "emilia_romagna":
        return {**row, "title": ESC_TITLE, "@id": BAD_LINK}
    if portal == "incentivi_gov":
        return {**row, "zs_title": ESC_TITLE, "zs_url": BAD_LINK, "zs_field_link": BAD_LINK}
    if portal == "wordpress":
        return {**row, "title": {"rendered": ESC_TITLE}, "link": BAD_LINK}
    if portal in CSV_COLUMNS:
        title, link, _ = CSV_COLUMNS[portal]
        row = [*row]
        row[title] = ESC_TITLE
        if link is not None:
            row[link] = BAD_LINK
        return row
    if portal == "feeds":
        row = re.sub(r"<title>.*?</title>", f"<title>{BIDI_TITLE}</title>", row, count=1)
        return re.sub(r"<link>.*?</link>", f"<link>{BAD_LINK}</link>", row, count=1)
    raise ValueError(f"{portal}: no hostile edit")


def unreadable_dates(portal: str, row: Any) -> Any:
    """The row with a deadline no date reader can read (words where the date goes)."""
    if portal == "eu_ftop":
        meta = {**row["metadata"], "deadlineDate": [UNREADABLE_DATE]}
        return {**row, "metadata": meta}
    if portal == "emilia_romagna":
        return {**row, "scadenza_bando": UNREADABLE_DATE}
    if portal == "incentivi_gov":
        return {**row, "zs_field_close_date": UNREADABLE_DATE, "zs_field_close_date_descriptor": ""}
    if portal in CSV_COLUMNS:
        *_, closing = CSV_COLUMNS[portal]
        return [*row[:closing], UNREADABLE_DATE, *row[closing + 1 :]]
    raise ValueError(f"{portal}: no structured dates to make unreadable")


def absurd_dates(portal: str, row: Any) -> Any:
    """The row with a deadline in year 9999 (and, where the portal has one, a later opening)."""
    if portal == "eu_ftop":
        meta = {**row["metadata"], "deadlineDate": ["9999-12-31T17:00:00.000+0000"]}
        return {**row, "metadata": meta}
    if portal == "emilia_romagna":
        return {**row, "scadenza_bando": "9999-12-31T16:00:00+00:00"}
    if portal == "incentivi_gov":
        return {**row, "zs_field_close_date": "9999-06-30T00:00:00Z",
                "zs_field_close_date_descriptor": ""}  # fmt: skip
    if portal in CSV_COLUMNS:  # Italian dates stop at 2100: a closing before the opening instead
        *_, closing = CSV_COLUMNS[portal]
        return [*row[:closing], "2020-01-01" if portal == "padigitale" else "01/01/2020",
                *row[closing + 1 :]]  # fmt: skip
    raise ValueError(f"{portal}: no structured dates to make absurd")
