"""The labelled evaluation set in data/judgments/ and its builder, tools/build_eval_corpus.py."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
JUDGMENTS = ROOT / "data" / "judgments"
TOOL = ROOT / "tools" / "build_eval_corpus.py"
SHARED = Path("/work/shared")
THEMES = ("energy", "communication", "tourism")

# tools/ is not a package: load the script by path.
_spec = importlib.util.spec_from_file_location("build_eval_corpus", TOOL)
assert _spec is not None and _spec.loader is not None
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)


@pytest.fixture(scope="module")
def calls() -> dict[str, dict]:
    with (JUDGMENTS / "calls.jsonl").open(encoding="utf-8") as lines:
        return {call["id"]: call for call in map(json.loads, lines)}


def load(name: str) -> dict[str, dict[str, int]]:
    return json.loads((JUDGMENTS / name).read_text(encoding="utf-8"))


def test_every_judged_id_is_a_call_of_the_corpus(calls):
    judged = {call_id for grades in load("all.json").values() for call_id in grades}
    assert judged - set(calls) == set()


def test_corpus_rows_are_sorted_unique_and_in_import_format(calls):
    ids = list(calls)
    assert ids == sorted(ids)
    for call in calls.values():
        assert list(call) == list(tool.FIELDS)
        assert call["id"] == f"{call['portal']}:{call['native_id']}"
        assert call["language"] in ("en", "it")
        assert call["kind"] in ("call", "procurement", "recruitment", "register")


def test_each_theme_has_enough_judgments_in_both_languages_and_all_grades(calls):
    judgments = load("all.json")
    assert list(judgments) == list(THEMES)
    for theme, grades in judgments.items():
        assert len(grades) >= 60, theme
        for language in ("en", "it"):
            of_language = [g for i, g in grades.items() if calls[i]["language"] == language]
            assert len(of_language) >= 20, (theme, language)
            assert {0, 2} <= set(of_language), (theme, language)
        assert set(grades.values()) == {0, 1, 2}, theme


def test_dev_and_test_are_disjoint_calls_whose_union_is_all():
    judgments, dev, test = load("all.json"), load("dev.json"), load("test.json")
    dev_ids = {i for grades in dev.values() for i in grades}
    test_ids = {i for grades in test.values() for i in grades}
    assert dev_ids & test_ids == set()  # a call's judgments for all themes stay in one part
    for theme in THEMES:
        assert {**dev[theme], **test[theme]} == judgments[theme]


def test_each_part_has_both_languages_and_every_grade_per_theme(calls):
    for part in ("dev.json", "test.json"):
        for theme, grades in load(part).items():
            for language in ("en", "it"):
                of_language = {g for i, g in grades.items() if calls[i]["language"] == language}
                assert {0, 2} <= of_language, (part, theme, language)
            assert set(grades.values()) == {0, 1, 2}, (part, theme)


def test_split_files_are_what_the_tool_derives_from_the_notes(calls):
    judgments = tool.read_notes(JUDGMENTS / "notes.jsonl")
    assert judgments == load("all.json")
    fixed = {i: part for part in ("dev", "test") for grades in load(f"{part}.json").values()
             for i in grades}  # fmt: skip
    dev, test = tool.split(judgments, {i: c["language"] for i, c in calls.items()}, fixed)
    assert (dev, test) == (load("dev.json"), load("test.json"))
    # a call already in a part stays there when judgments are added
    first = next(iter(load("dev.json")["energy"]))
    again, _ = tool.split(judgments, {i: c["language"] for i, c in calls.items()}, {first: "dev"})
    assert first in again["energy"]


def test_every_note_has_a_reason():
    with (JUDGMENTS / "notes.jsonl").open(encoding="utf-8") as lines:
        notes = [json.loads(line) for line in lines]
    rounds = {1: {"theme", "id", "grade", "reason"},
              2: {"theme", "id", "grade", "reason", "round", "pooled_by"}}  # fmt: skip
    assert all(set(n) == rounds[n.get("round", 1)] for n in notes)
    assert all(n["pooled_by"] for n in notes if n.get("round") == 2)
    assert all(len(n["reason"]) > 20 for n in notes)


def test_read_notes_rejects_a_call_judged_twice_for_a_theme(tmp_path):
    note = {"theme": "energy", "id": "eu_ftop:X", "grade": 2, "reason": "r"}
    path = tmp_path / "notes.jsonl"
    path.write_text(json.dumps(note) + "\n" + json.dumps(note) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="judged twice"):
        tool.read_notes(path)


# Three records copied verbatim from the frozen corpus (see data/judgments/README.md):
# bandiradar-eval/opportunities.jsonl id "toscana:10144"; eu-grants-feed/grants_2026-08-22.json
# id "15342COMPETITIVE_CALLen" (a cascade call); samples/regione-emilia-romagna-plone UID 54bf75fd…
BANDIRADAR = {
    "id": "toscana:10144", "source": "toscana",
    "source_url": "https://www.sviluppo.toscana.it/bando/energiapubblico211212_rend/",
    "kind": "incentive", "title": "Bando Energia Pubblico 2.1.1 e 2.1.2",
    "summary": "Bando di Progetti di efficientamento energetico degli immobili pubblici e RSA - "
    "PR Toscana FESR 2021-2027 Obiettivo specifico 2 — Azione 2.1.1 e Azione 2.1.2",
    "issuer_name": "Sviluppo Toscana", "issuer_region": "Toscana", "cpv": [], "ateco_hints": [],
    "keywords": ["Energia", "Transizione Ecologica", "Efficientamento energetico",
                 "Edifici pubblici", "RSA", "FESR 2021-2027"],
    "value_amount": None, "value_currency": "EUR", "value_min": None, "value_max": None,
    "geo_scope": "regional", "region": "Toscana", "published_at": None, "deadline": None,
    "updated_at": None, "status": "open",
    "eligibility_text": "Destinatari: PA (Pubbliche Amministrazioni) Energia Transizione "
    "Ecologica Efficientamento energetico Edifici pubblici RSA FESR 2021-2027",
    "document_urls": [], "document_text": None, "raw_ref": "toscana:10144",
    "content_hash": "b83cea47c87c38ee18721f88e344759da05a802c7c63245d32054a951a37bc2b",
    "version": 1, "provenance": "structured", "confidence": None, "trust_verdict": None,
}  # fmt: skip
EUROSTARS = (
    "European Partnership on Innovative SMEs/Eurostars: joint transnational call for proposals "
    "(CALL 12 of Eurostars-3)"
)
FEED_CASCADE = {
    "id": "15342COMPETITIVE_CALLen", "identifier": "HORIZON-EIE-2021-INNOVSMES-01-01",
    "title": "European Partnership on Innovative SMEs", "summary": EUROSTARS,
    "url": "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
    "competitive-calls-cs/44087099",
    "callIdentifier": None, "callTitle": EUROSTARS, "destination": None, "abstract": None,
    "actionType": None, "status": {"id": "31094501", "label": "Forthcoming"},
    "kind": {"id": "8", "label": "Cascade funding calls"},
    "startDate": "2026-12-17T00:00:00.000Z", "deadlineDate": "2027-03-04T14:00:00.000Z",
    "plannedOpeningDate": None, "deadlineModel": None,
    "frameworkProgrammes": [{"id": "43108390", "label": "Horizon Europe (HORIZON)"}],
    "programmeDivisions": [], "budget": None,
}  # fmt: skip
PLONE = {
    "UID": "54bf75fd28084c189c15a9ce9a121f4e",
    "@id": "https://politicheterritoriali.regione.emilia-romagna.it/leggi-atti-bandi/bandi/"
    "giustizia/secondo_avviso-manifestazione-di-interesse-uffici-di-prossimita",
    "title": "Secondo avviso di manifestazione di interesse per gli uffici di prossimità - "
    "Patto per la giustizia",
    "description": "Rivolto ai Comuni e alle Unioni di Comuni per l'attivazione dei punti di "
    "accesso sul territorio regionale",
    "effective": "2026-01-20T14:45:00+00:00", "apertura_bando": "2026-01-20T14:45:00",
    "scadenza_bando": "2026-02-12T22:55:00+00:00", "chiusura_procedimento_bando": None,
    "bando_state": ["inProgress", "In corso"], "tipologia_bando": "Manifestazioni di interesse",
    "destinatari": ["Enti pubblici"],
    "materie": ["Diritti e sociale", "Innovazione e ICT", "Riordino istituzionale"],
    "ente_bando": None, "review_state": "published", "text": {"data": ""},
}  # fmt: skip


def test_regional_bandiradar_item_becomes_an_italian_import_row_of_its_region():
    assert tool.bandiradar_row(BANDIRADAR) == {
        "id": "bandiradar:toscana:10144",
        "portal": "bandiradar",
        "native_id": "toscana:10144",
        "title": "Bando Energia Pubblico 2.1.1 e 2.1.2",
        "url": "https://www.sviluppo.toscana.it/bando/energiapubblico211212_rend/",
        "links": ["https://www.sviluppo.toscana.it/bando/energiapubblico211212_rend/"],
        "aliases": [],
        "language": "it",
        "territory": "Toscana",
        "programme": "",
        "opening": None,
        "deadlines": [],
        "deadline_time_known": True,
        "budget_eur": None,
        "beneficiaries": [],
        "public_bodies_eligible": None,
        "summary": BANDIRADAR["summary"],
        "text": BANDIRADAR["summary"]
        + "\n\n"
        + BANDIRADAR["eligibility_text"]
        + "\n\nEnte: Sviluppo Toscana\nTemi: Energia, Transizione Ecologica, Efficientamento "
        "energetico, Edifici pubblici, RSA, FESR 2021-2027",
        "kind": "call",
        "status_hint": None,
        "tz": "Europe/Rome",
        "topics": BANDIRADAR["keywords"],
    }


def test_cascade_feed_record_keeps_its_reference_and_its_own_title():
    assert tool.feed_row(FEED_CASCADE) == {
        "id": "eu_ftop:HORIZON-EIE-2021-INNOVSMES-01-01#15342COMPETITIVE_CALLen",
        "portal": "eu_ftop",
        "native_id": "HORIZON-EIE-2021-INNOVSMES-01-01#15342COMPETITIVE_CALLen",
        "title": EUROSTARS,
        "url": FEED_CASCADE["url"],
        "links": [FEED_CASCADE["url"]],
        "aliases": [],
        "language": "en",
        "territory": "EU",
        "programme": "Horizon Europe (HORIZON)",
        "opening": "2026-12-17T00:00:00+01:00",
        "deadlines": ["2027-03-04T15:00:00+01:00"],
        "deadline_time_known": True,
        "budget_eur": None,
        "beneficiaries": [],
        "public_bodies_eligible": None,
        "summary": EUROSTARS,
        "text": "Parent topic: European Partnership on Innovative SMEs",
        "kind": "call",
        "status_hint": None,
        "tz": "Europe/Brussels",
        "topics": [],
    }


def test_plone_item_in_progress_is_closed_with_local_times():
    assert tool.plone_row(PLONE) == {
        "id": "emilia_romagna:54bf75fd28084c189c15a9ce9a121f4e",
        "portal": "emilia_romagna",
        "native_id": "54bf75fd28084c189c15a9ce9a121f4e",
        "title": PLONE["title"],
        "url": PLONE["@id"],
        "links": [PLONE["@id"]],
        "aliases": [],
        "language": "it",
        "territory": "Emilia-Romagna",
        "programme": "",
        "opening": "2026-01-20T14:45:00+01:00",
        "deadlines": ["2026-02-12T23:55:00+01:00"],
        "deadline_time_known": True,
        "budget_eur": None,
        "beneficiaries": ["Enti pubblici"],
        "public_bodies_eligible": True,
        "summary": PLONE["description"],
        "text": PLONE["description"] + "\n\nTipologia: Manifestazioni di interesse\n"
        "Destinatari: Enti pubblici\nMaterie: Diritti e sociale, Innovazione e ICT, "
        "Riordino istituzionale",
        "kind": "call",
        "status_hint": "closed",
        "tz": "Europe/Rome",
        "topics": PLONE["materie"],
    }


def test_date_only_values_become_local_midnight_with_time_unknown():
    assert tool.instant("2026-04-21T00:00:00.000Z", "Europe/Brussels") == (
        "2026-04-21T00:00:00+02:00",
        False,
    )
    assert tool.it_day("10/02/2023") == "2023-02-10T00:00:00+01:00"
    assert tool.instant(None, "Europe/Rome") == (None, True)


def test_pnrr_measure_code_matches_pa_digitale_numbering():
    assert [tool.pnrr_measure(c) for c in ("M1C1I1.04.03", "M1C1I1.02.00", "M1C1I1.03.01")] == [
        "1.4.3",
        "1.2",
        "1.3.1",
    ]


@pytest.mark.skipif(not SHARED.is_dir(), reason="the frozen corpus in /work/shared is not here")
def test_corpus_file_is_what_the_converter_builds_from_the_frozen_corpus(calls):
    rows, stats = tool.build(SHARED)
    assert rows == list(calls.values())
    assert stats["total"] == len(calls)
