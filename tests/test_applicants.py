"""Who may apply to a call and what part a municipality can take, read from real calls of every
portal (the judged corpus holds them as their scrapers store them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.config import data_dir
from matcher.importer import read_import_file
from matcher.normalize.applicants import applicants
from matcher.normalize.territory import OUTSIDE_EU

CORPUS = {c.id: c for c in read_import_file(data_dir() / "judgments" / "calls.jsonl").calls}


@pytest.mark.parametrize(("call_id", "role", "types"), [
    # EU programmes that decide by themselves
    ("eu_ftop:LIFE-2026-CET-HEATCOOLPLAN", "lead", ("public",)),
    ("eu_ftop:CERV-2026-CITIZENS-TOWN-TT", "lead", ("public",)),
    ("eu_ftop:ERC-2026-ADG", "none", ("research", "business", "individual")),
    ("eu_ftop:HORIZON-MSCA-2026-PF-01-01", "none", ("research", "individual")),
    ("eu_ftop:EDF-2026-DA-AIR-SPS", "none", ("research",)),
    # research consortia: a city is at most a partner or pilot
    ("eu_ftop:HORIZON-CL2-2027-01-HERITAGE-06", "partner", ()),
    ("eu_ftop:HORIZON-MISS-2027-04-CIT-05", "partner", ("public", "business")),
    # cascade calls: for cities (local digital twins) or for third parties
    ("eu_ftop:DIGITAL-2024-CLOUD-DATA-AI-07-DIGITALTWIN#13201COMPETITIVE_CALLen", "lead",
     ("public",)),
    ("eu_ftop:HORIZON-MISS-2022-CIT-SGA#15121COMPETITIVE_CALLen", "lead", ("public",)),
    # structured beneficiaries of the Italian portals
    ("padigitale:95c715ee53a1", "lead", ("public",)),  # Comuni
    ("italiadomani:37", "lead", ("public",)),  # Enti locali
    ("italiadomani:51", "lead", ("public", "business", "nonprofit")),
    ("italiadomani:127", "none", ("business",)),  # operatori economici
    ("emilia_romagna:1898812e486d4f32b96142ef72f77e80", "lead", ("public", "nonprofit")),
    ("incentivi_gov:1053", "none", ("business",)),  # Impresa
    ("incentivi_gov:1071", "none", ("research",)),  # Università/Ente di Ricerca: not the comune
])  # fmt: skip
def test_the_role_of_a_municipality_is_read_from_the_call(call_id, role, types):
    found = applicants(CORPUS[call_id])
    assert (found.role, found.types) == (role, types)
    assert found.evidence  # every decided role says why


def test_a_call_that_says_nothing_of_its_applicants_stays_unknown():
    found = applicants(CORPUS["incentivi_gov:1426"])
    assert (found.role, found.evidence) == (None, ())


def test_eu_external_action_calls_serve_a_partner_country_and_leave_the_lists():
    serbia = CORPUS["eu_ftop:EuropeAid/172802/ID/ACT/RS"]
    assert serbia.territory == OUTSIDE_EU
    outside = [c for c in CORPUS.values() if c.territory == OUTSIDE_EU]
    assert len(outside) == 58  # every RELEX-PROSPECT call of the corpus, nothing else
    assert {c.programme for c in outside} == {"EU External Action - Prospect (RELEX-PROSPECT)"}


def test_calls_json_carries_the_applicant_fields(tmp_path: Path):
    from datetime import UTC, datetime

    from matcher.records import call_to_json

    row = call_to_json(CORPUS["eu_ftop:LIFE-2026-CET-HEATCOOLPLAN"], {}, datetime(2026, 8, 22,
                                                                                 tzinfo=UTC))  # fmt: skip
    assert (row["applicant_role"], row["applicant_types"]) == ("lead", ["public"])
    assert row["applicant_evidence"] == ["programma LIFE: enti pubblici capofila"]


def test_a_call_entered_in_the_app_serves_the_partner_country_of_external_action_too(tmp_path):
    from datetime import UTC, date, datetime

    from matcher.entries import form_row, read_form
    from matcher.store import open_db, upsert_calls
    from matcher.store.calls import calls_by_id

    row = form_row("Civil society in Serbia", "https://example.org/bando", date(2026, 12, 1), "",
                   "Call for proposals", "EU External Action - Prospect (RELEX-PROSPECT)", "EU")  # fmt: skip
    [entered] = read_form(row).calls
    db = open_db(tmp_path / "store.db")
    upsert_calls(db, [entered], datetime(2026, 8, 22, tzinfo=UTC))
    assert [c.territory for c in calls_by_id(db, [entered.id])] == [OUTSIDE_EU]
