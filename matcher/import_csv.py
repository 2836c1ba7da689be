"""CSV files as offices send them: any encoding Excel writes, `;` or `,`, Italian headers, and
broken quoting caught by field counts instead of swallowing rows."""

from __future__ import annotations

import csv
import io
from typing import Any

from matcher.normalize.text import plain as plain_words

# Italian (and English) column names people type, mapped to the import fields.
HEADERS = {
    "titolo": "title", "nome": "title", "oggetto": "title",
    "link": "url", "url": "url", "collegamento": "url", "indirizzo web": "url", "sito": "url",
    "scadenza": "deadlines", "scadenze": "deadlines", "data scadenza": "deadlines",
    "termine": "deadlines", "deadline": "deadlines",
    "apertura": "opening", "data apertura": "opening", "data inizio": "opening",
    "importo": "budget_eur", "dotazione": "budget_eur", "budget": "budget_eur",
    "importo (€)": "budget_eur", "importo euro": "budget_eur", "stanziamento": "budget_eur",
    "descrizione": "text", "testo": "text", "sintesi": "summary", "riassunto": "summary",
    "programma": "programme", "fondo": "programme",
    "territorio": "territory", "regione": "territory", "ambito territoriale": "territory",
    "destinatari": "beneficiaries", "beneficiari": "beneficiaries",
    "lingua": "language", "codice": "id", "identificativo": "id", "portale": "portal",
}  # fmt: skip


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which Excel uses on Italian machines."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:  # five byte values cp1252 leaves undefined
            return raw.decode("latin-1")


def column(name: str, known: set[str]) -> str:
    """The import field a header names: itself when known, else its Italian name mapped."""
    plain = " ".join(name.replace("\ufeff", "").split())
    if plain in known:
        return plain
    return HEADERS.get(plain_words(plain), plain)


def csv_rows(
    text: str, known: set[str], list_fields: tuple[str, ...]
) -> list[tuple[int, dict[str, Any] | str]]:
    """(line number, row or the reason it was rejected) for each data record.

    A record that spans several lines is kept when its quoted field really holds line breaks,
    and rejected when one of the lines it swallowed looks like a row of its own (an unclosed
    quote): that line and the following ones are then read again on their own.
    """
    lines = text.splitlines(keepends=True)
    if not lines:
        return []
    header_line = lines[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = [column(h, known) for h in next(csv.reader([header_line], delimiter=delimiter))]
    rows: list[tuple[int, dict[str, Any] | str]] = []
    start = 1  # index in `lines` of the next record
    while start < len(lines):
        reader = csv.reader(io.StringIO("".join(lines[start:])), delimiter=delimiter)
        restart = None
        for values in reader:
            end = start + reader.line_num  # 1-based number of the record's last line
            # and of its first line; at the end of the file an unclosed quote also holds the
            # last line break: a record never starts before this reading did
            first = max(end - sum(v.count("\n") for v in values), start + 1)
            spanned = lines[first:end]
            if any(_looks_like_a_row(line, delimiter, len(header)) for line in spanned):
                reason = (f"virgolette non chiuse: la riga {first} si prende le righe fino "
                          f"alla {end}; correggere e reimportare")  # fmt: skip
                rows.append((first, reason))
                restart = first  # index of the line after the broken one
                break
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                reason = (f"{len(values)} campi dove l'intestazione ne ha {len(header)}: "
                          "separatore o virgolette da controllare")  # fmt: skip
                rows.append((first, reason))
                continue
            rows.append((first, _row(header, values, list_fields)))
        if restart is None:
            break
        start = restart
    return rows


def _looks_like_a_row(line: str, delimiter: str, fields: int) -> bool:
    return fields > 1 and line.count(delimiter) >= fields - 1 and line.strip() != ""


def _row(header: list[str], values: list[str], list_fields: tuple[str, ...]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in zip(header, values, strict=False):
        if not key:
            continue
        if key in list_fields:
            row[key] = [item.strip() for item in value.split("|") if item.strip()]
        else:
            row[key] = value.strip() if value.strip() != "" else None
    return row
