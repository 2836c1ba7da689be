"""Tests for tools/convert_eu_grants_feed.py: eu-grants-feed records -> import rows."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "eu_ftop"
TOOL = Path(__file__).parent.parent / "tools" / "convert_eu_grants_feed.py"
PORTAL = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities"

# tools/ is not a package: load the script by path.
_spec = importlib.util.spec_from_file_location("convert_eu_grants_feed", TOOL)
assert _spec is not None and _spec.loader is not None
convert = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(convert)


def feed(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def record(name: str, reference: str) -> dict:
    return next(g for g in feed(name)["grants"] if g["id"] == reference)


def test_topic_record_becomes_an_import_row():
    row = convert.convert_record(record("grants_2026-08-22_excerpt.json", "51050034TOPICSen"))
    url = f"{PORTAL}/topic-details/CERV-2026-CITIZENS-TOWN-TT"
    assert row == {
        "id": "eu_ftop:CERV-2026-CITIZENS-TOWN-TT",
        "portal": "eu_ftop",
        "native_id": "CERV-2026-CITIZENS-TOWN-TT",
        "title": "Call Town Twinning 2026",
        "url": url,
        "links": [url],
        "aliases": [],
        "language": "en",
        "territory": "EU",
        "programme": "Citizens, Equality, Rights and Values Programme (CERV)",
        # date-only values (T00:00:00.000Z) are local midnight in Brussels
        "opening": "2026-05-06T00:00:00+02:00",
        "deadlines": ["2026-09-23T00:00:00+02:00"],
        "deadline_time_known": False,
        "budget_eur": 6000000.0,
        "beneficiaries": [],
        "public_bodies_eligible": None,
        "summary": (
            "Expected Outcome: Expected results: - Strengthened mutual understanding and "
            "friendship among citizens at local level; - Better opportunities for citizens to "
            "experience and appreciate the added value of the EU through a grassroots, "
            "community-based approach; - An increased sense of belonging to the…"
        ),
        "text": (
            "Expected Outcome:\n\nExpected results:\n\n"
            "- Strengthened mutual understanding and friendship among citizens at local level;\n\n"
            "- Better opportunities for citizens to experience and appreciate the added value of "
            "the EU through a grassroots, community-based approach;\n\n"
            "- An increased sense of belonging to the EU;\n\n"
            "- Long-lasting bond between municipalities and between citizens;\n\n"
            "- Increased cross-border cooperation on similar practical issues of democratic "
            "participation between municipalities and between citizens, going beyond cultural "
            "exchanges;\n\n"
            "- Increased effectiveness of prevention policies at local level aimed at preventing "
            "against domestic violence and violence against children; • Increased inclusion of "
            "marginalised communities, disadvantaged groups and groups at risk of "
            "discrimination;\n\n"
            "- Improved accessibility for persons with disabilities and better inclusion in the "
            "community;\n\n"
            "- Increased citizen participation in inclusive and meaningful cultural activities and "
            "organisations and increased citizens’ contact with Europe’s rich cultural heritage, "
            "particularly of people belonging to…\n\n"  # cut upstream
            "Call: Call for proposals for Town Twinning\n\n"
            "Type of action: CERV Lump Sum Grants"
        ),
        "topics": [],
        "kind": "call",
    }


def test_cascade_record_gets_its_own_id_title_and_a_timed_deadline():
    row = convert.convert_record(record("grants_2026-08-22_excerpt.json", "7622COMPETITIVE_CALLen"))
    url = f"{PORTAL}/competitive-calls-cs/43977648"
    assert row == {
        "id": "eu_ftop:DIGITAL-2021-SKILLS-01-SPECIALISED#7622COMPETITIVE_CALLen",
        "portal": "eu_ftop",
        "native_id": "DIGITAL-2021-SKILLS-01-SPECIALISED#7622COMPETITIVE_CALLen",
        "title": "DigiQ Exchange Program",  # callTitle; `title` is the parent topic
        "url": url,
        "links": [url],
        "aliases": [],
        "language": "en",
        "territory": "EU",
        "programme": "Digital Europe Programme (DIGITAL)",
        "opening": "2025-02-11T00:00:00+01:00",
        "deadlines": ["2026-09-01T19:00:00+02:00"],  # 17:00 UTC: a real time, kept
        "deadline_time_known": True,
        "budget_eur": None,
        "beneficiaries": [],
        "public_bodies_eligible": None,
        "summary": "",
        "text": "Parent topic: Specialised education programmes in key capacity areas",
        "topics": [],
        "kind": "call",
    }


def test_newest_snapshot_wins_and_rows_are_sorted_by_id():
    rows = convert.convert_feeds(
        [feed("grants_2026-08-22_excerpt.json"), feed("grants_2026-03-14_excerpt.json")]
    )
    assert [row["id"] for row in rows] == [
        "eu_ftop:CERV-2026-CITIZENS-TOWN-TT",
        "eu_ftop:DIGITAL-2021-SKILLS-01-SPECIALISED#7622COMPETITIVE_CALLen",
        "eu_ftop:HORIZON-CL5-2026-09-D4-02",
    ]
    cascade = rows[1]
    # March said 2026-03-31 and linked the topicDetails data file; August wins
    assert cascade["deadlines"] == ["2026-09-01T19:00:00+02:00"]
    assert cascade["url"] == f"{PORTAL}/competitive-calls-cs/43977648"


def test_legacy_data_file_link_becomes_the_portal_page():
    row = convert.convert_record(record("grants_2026-03-14_excerpt.json", "7622COMPETITIVE_CALLen"))
    assert row["url"] == f"{PORTAL}/topic-details/7622COMPETITIVE_CALLen"


def test_output_is_deterministic_json_lines(tmp_path):
    inputs = [str(FIXTURES / "grants_2026-03-14_excerpt.json")]
    inputs.append(str(FIXTURES / "grants_2026-08-22_excerpt.json"))
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert convert.main([*inputs, "--output", str(first)]) == 0
    assert convert.main([*reversed(inputs), "--output", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    lines = first.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["native_id"] for line in lines] == [
        "CERV-2026-CITIZENS-TOWN-TT",
        "DIGITAL-2021-SKILLS-01-SPECIALISED#7622COMPETITIVE_CALLen",
        "HORIZON-CL5-2026-09-D4-02",
    ]
