"""Convert eu-grants-feed snapshots (SEDIA-derived JSON) to the import format (JSON Lines).

Usage: python tools/convert_eu_grants_feed.py [FEED.json ...] [--output FILE]

Each record becomes one object with the field names of `matcher calls --json`; when a call is in
several snapshots the one with the newest `generatedAt` wins. Status is not written: it is
computed from the dates when read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scrapers.base import shorten
from scrapers.eu_ftop import NAME, page_url, when
from scrapers.eu_programmes import clean_label, programme_name

CORPUS = Path("/work/shared/corpus/eu-grants-feed")
DEFAULT_INPUTS = [CORPUS / "grants_2026-08-22.json", CORPUS / "grants_2026-03-14.json"]
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parent.parent / "data" / "snapshot" / "eu_grants_feed.jsonl"
)


def convert_record(record: dict) -> dict:
    """One feed record as an import row (see DESIGN: JSON outputs, Ids)."""
    identifier = record["identifier"].strip()
    cascade = record["kind"]["id"] == "8"
    # A cascade call shares its parent topic's identifier and title; `id` is the SEDIA reference.
    native_id = f"{identifier}#{record['id']}" if cascade else identifier
    if cascade:
        title = (record.get("callTitle") or record.get("summary") or record["title"]).strip()
    else:
        title = record["title"].strip()
    url = page_url(record.get("url") or "", identifier)
    deadlines = [when(record["deadlineDate"])] if record.get("deadlineDate") else []
    opening = when(record["startDate"])[0] if record.get("startDate") else None
    programmes = record.get("frameworkProgrammes") or []
    programme = ""
    if programmes:
        label = programmes[0].get("label")
        programme = clean_label(label) if label else programme_name(programmes[0]["id"])
    budget = (record.get("budget") or {}).get("totalBudgetEur")
    abstract = (record.get("abstract") or "").strip()  # cut to ~1,100 chars upstream
    extra = [
        ("Parent topic", record.get("title") if cascade else None),
        ("Destination", record.get("destination")),
        ("Call", record.get("callTitle") if not cascade else None),
        ("Type of action", record.get("actionType")),
    ]
    parts = [abstract] + [f"{label}: {value.strip()}" for label, value in extra if value]
    text = "\n\n".join(part for part in parts if part)
    return {
        "id": f"{NAME}:{native_id}",
        "portal": NAME,
        "native_id": native_id,
        "title": title,
        "url": url,
        "links": [url],
        "aliases": [],
        "language": "en",
        "territory": "EU",
        "programme": programme,
        "opening": opening.isoformat() if opening else None,
        "deadlines": [instant.isoformat() for instant, _ in deadlines],
        "deadline_time_known": all(known for _, known in deadlines),
        "budget_eur": float(budget) if budget is not None else None,
        "beneficiaries": [],
        "public_bodies_eligible": None,
        "summary": shorten(abstract),
        "text": text,
        "topics": [],
        "kind": "call",
    }


def convert_feeds(feeds: list[dict]) -> list[dict]:
    """All records of all feeds, the newest snapshot winning per id, sorted by id."""
    rows: dict[str, dict] = {}
    for feed in sorted(feeds, key=lambda feed: feed["generatedAt"]):
        for record in feed["grants"]:
            row = convert_record(record)
            rows[row["id"]] = row
    return [rows[key] for key in sorted(rows)]


def write_jsonl(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feeds", nargs="*", type=Path, default=DEFAULT_INPUTS)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    feeds = [json.loads(path.read_text(encoding="utf-8")) for path in args.feeds]
    rows = convert_feeds(feeds)
    write_jsonl(rows, args.output)
    print(f"{len(rows)} calls written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
