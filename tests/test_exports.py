"""Exports of a shortlist view: scraped text that looks like a formula stays text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from matcher.exports import ExportContext, app_link, to_csv, to_xlsx

NOW = datetime(2026, 8, 22, 6, 0, tzinfo=UTC)
ROW = {
    "id": "import:f", "theme": "energy", "rank": 1, "score": 61.25,
    "title": '=HYPERLINK("http://evil.example","clic")', "url": "javascript:alert(1)",
    "status": "open", "next_deadline": "2026-09-30T22:00:00+00:00", "deadline_time_known": False,
    "tz": "Europe/Rome", "days_to_deadline": 40, "budget_eur": 1234.5, "beneficiaries": [],
    "public_bodies_eligible": None, "territory": "Italia", "language": "it", "portal": "import",
    "programme": "", "decision": None, "assigned_to": None,
    "deadlines": ["2026-09-30T22:00:00+00:00"],
}  # fmt: skip
CTX = ExportContext({"energy": "Efficienza energetica"}, app_url="https://bandi.example.org")


def test_a_formula_like_title_stays_text_and_a_javascript_link_is_dropped():
    rows = list(csv.reader(io.StringIO(to_csv([ROW], CTX).decode("utf-8-sig")), delimiter=";"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["Titolo"], record["Link ufficiale"]) == (
        '\'=HYPERLINK("http://evil.example","clic")', "")  # fmt: skip
    assert (record["Prossima scadenza"], record["Ora"], record["Budget (€)"]) == (
        "01/10/2026", "ora non indicata", "1234,50")  # fmt: skip
    assert record["Scheda nell'app"] == "https://bandi.example.org/?call=import%3Af"
    sheet = load_workbook(io.BytesIO(to_xlsx([ROW], CTX))).active
    assert sheet is not None
    assert (sheet["D2"].value, sheet["D2"].data_type) == (ROW["title"], "s")


def test_the_app_link_needs_an_http_address():
    assert app_link("javascript:x", "a:b") == ""
    assert app_link("https://bandi.example.org/", "a:b") == "https://bandi.example.org/?call=a%3Ab"
