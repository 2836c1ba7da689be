"""What a portal promises about each row it lists, checked before the row becomes a Call.

A row whose fields have the wrong type (an identifier that is a number, a title that is a list)
would be stored as garbage over the real call, or erase its dates. Such a row is skipped and
reported: the result is then incomplete, so the stored version stays and nothing vanishes.
A field may always be absent or null; whether a row without an id or title is usable is the
parser's decision (it drops those and counts them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from scrapers.base import Report

Row = TypeVar("Row")


@dataclass(frozen=True)
class Kind:
    """A type a field may have, and its name in messages."""

    name: str
    accepts: Callable[[object], bool]

    def __or__(self, other: Kind) -> Kind:
        return Kind(f"{self.name} or {other.name}", lambda v: self.accepts(v) or other.accepts(v))


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


TEXT = Kind("text", _is_text)
TEXTS = Kind("a list of texts", _is_texts)
INTEGER = Kind("a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool))
OBJECT = Kind("an object", lambda v: isinstance(v, dict))
LIST = Kind("a list", lambda v: isinstance(v, list))
# A vocabulary term as plone.restapi sends it: a token, {title, token} or [token, title].
TERM = TEXT | OBJECT | TEXTS
TERMS = Kind("a list of terms", lambda v: isinstance(v, list) and all(TERM.accepts(t) for t in v))
# WordPress: {"rendered": "<p>…</p>"} (or a bare string from a trimmed capture).
RENDERED = TEXT | Kind(
    "an object with 'rendered' text", lambda v: isinstance(v, dict) and _is_text(v.get("rendered"))
)
SCALAR = Kind("text or a number", lambda v: isinstance(v, str | int | float))

Shape = dict[str, Kind]


def shape_problem(row: object, shape: Shape) -> str | None:
    """What is wrong with `row` against `shape`, in a few words; None when nothing is."""
    if not isinstance(row, dict):
        return f"is {_describe(row)}, not an object"
    for name, kind in shape.items():
        value = row.get(name)
        if value is not None and not kind.accepts(value):
            return f"'{name}' is {_describe(value)}, expected {kind.name}"
    return None


def keep_valid(
    rows: Sequence[Row],
    problem: Callable[[Row], str | None],
    report: Report,
    where: str,
    label: Callable[[Row], str] = lambda row: "",
) -> list[Row]:
    """The rows without a `problem`. The others are skipped, counted as dropped, and reported in
    one error naming the first of them, so the listing is incomplete and nothing vanishes."""
    kept: list[Row] = []
    bad: list[str] = []
    for number, row in enumerate(rows, 1):
        found = problem(row)
        if found is None:
            kept.append(row)
        else:
            name = label(row) if isinstance(row, dict) else ""
            bad.append(f"row {number}{f' ({name})' if name else ''} {found}")
    if bad:
        report.drop("row not of the promised shape", len(bad))
        more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
        report.error(
            f"{where}: skipped {len(bad)} of {len(rows)} rows not of the shape the portal "
            f"promises ({bad[0]}{more}); stored versions are kept"
        )
    return kept


def text_label(*fields: str) -> Callable[[Any], str]:
    """A row's first field among `fields` that is text or a whole number, to name it in
    messages."""

    def label(row: Any) -> str:
        for name in fields:
            value = row.get(name)
            if isinstance(value, list) and value:
                value = value[0]
            if INTEGER.accepts(value):
                return str(value)
            if isinstance(value, str) and value.strip():
                return value.strip()[:60]
        return ""

    return label


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
