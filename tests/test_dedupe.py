"""Cross-source de-duplication, on call titles and dates as the real sources publish them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conftest import make_call

from matcher.dedupe import apply_dedupe, find_duplicates
from matcher.normalize.timezones import local_midnight
from matcher.store import get_call, load_calls, open_db, upsert_calls
from scrapers import dedupe_priority

PRIORITY = dedupe_priority()


def rome(day: date) -> list[datetime]:
    return [local_midnight(day, "Europe/Rome")]


# Titles as recorded in data/snapshot/padigitale/avvisi.csv and italiadomani's CSV.
PDND_PADIGITALE = make_call(
    "pd-1", portal="padigitale", title="1.3.1 Piattaforma Digitale Nazionale Dati - Comuni Ottobre 2022",
    deadlines=rome(date(2023, 5, 19)), deadline_time_known=False, tz="Europe/Rome",
    url="https://github.com/teamdigitale/padigitale2026-opendata",
)  # fmt: skip
PDND_ITALIADOMANI = make_call(
    "id-1", portal="italiadomani",
    title='Avviso Misura 1.3.1 "Piattaforma Digitale Nazionale Dati" Comuni Ottobre 2022',
    deadlines=rome(date(2023, 5, 19)), deadline_time_known=False, tz="Europe/Rome",
    url="https://padigitale2026.gov.it/misure/pdnd",
)  # fmt: skip


def test_same_call_on_two_portals_with_reworded_title_and_same_deadline_is_merged():
    assert find_duplicates([PDND_ITALIADOMANI, PDND_PADIGITALE], PRIORITY) == {
        "italiadomani:id-1": "padigitale:pd-1"
    }


def test_similar_titles_of_different_measures_on_the_same_day_stay_apart():
    app_io = make_call("pd-2", portal="padigitale", title="1.4.3 - app IO - Altri Enti - Maggio 2022",
                       deadlines=rome(date(2022, 9, 9)))  # fmt: skip
    pagopa = make_call(
        "id-2", portal="italiadomani", deadlines=rome(date(2022, 9, 9)),
        title='Avviso Misura 1.4.3 "Adozione piattaforma pagoPA" Altri Enti Maggio 2022',
    )  # fmt: skip
    assert find_duplicates([app_io, pagopa], PRIORITY) == {}


def test_yearly_editions_with_the_same_title_are_different_calls():
    edition_2025 = make_call("a", portal="emilia_romagna", title="Bando per le cooperative di comunità",
                             deadlines=rome(date(2025, 8, 28)))  # fmt: skip
    edition_2026 = make_call("b", portal="incentivi_gov", title="Bando per le cooperative di comunità",
                             deadlines=rome(date(2026, 8, 27)))  # fmt: skip
    numbered = [
        make_call("c", portal="emilia_romagna", title="Bando per la cooperazione internazionale 2025",
                  deadlines=[]),
        make_call("d", portal="incentivi_gov", title="Bando per la cooperazione internazionale 2026",
                  deadlines=[]),
    ]  # fmt: skip
    assert find_duplicates([edition_2025, edition_2026, *numbered], PRIORITY) == {}


def test_lots_listed_separately_by_one_portal_are_not_folded_together():
    lots = [make_call(f"lot-{n}", portal="italiadomani", title="Accordo quadro servizi cloud",
                      deadlines=rome(date(2022, 6, 1))) for n in (1, 2)]  # fmt: skip
    region = make_call("r", portal="emilia_romagna", title="Accordo quadro servizi cloud",
                       deadlines=rome(date(2022, 6, 1)))  # fmt: skip
    assert find_duplicates([*lots, region], PRIORITY) == {"italiadomani:lot-1": "emilia_romagna:r"}


def test_store_reads_a_merged_call_once_with_its_aliases_and_both_links(tmp_path):
    db = open_db(tmp_path / "m.db")
    upsert_calls(db, [PDND_PADIGITALE, PDND_ITALIADOMANI], datetime(2026, 1, 1, tzinfo=UTC))
    assert apply_dedupe(db, PRIORITY) == 1
    [(call, _)] = load_calls(db)
    assert (call.id, call.aliases, call.links) == (
        "padigitale:pd-1", ["italiadomani:id-1"],
        ["https://github.com/teamdigitale/padigitale2026-opendata",
         "https://padigitale2026.gov.it/misure/pdnd"],
    )  # fmt: skip
    assert get_call(db, "italiadomani:id-1")[0].id == "padigitale:pd-1"
    assert apply_dedupe(db, PRIORITY) == 1  # recomputed, not accumulated


def test_an_edition_opening_after_the_other_closed_is_a_new_edition():
    old = make_call("a", portal="emilia_romagna", title="Bando per le cooperative di comunità",
                    deadlines=rome(date(2025, 3, 1)))  # fmt: skip
    new = make_call("b", portal="incentivi_gov", title="Bando per le cooperative di comunità",
                    deadlines=[], opening=rome(date(2026, 1, 10))[0])  # fmt: skip
    assert find_duplicates([old, new], PRIORITY) == {}


def test_a_decision_follows_its_call_when_another_portals_copy_becomes_the_survivor(tmp_path):
    from matcher.store import latest_decisions, record_review

    db = open_db(tmp_path / "m.db")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    upsert_calls(db, [PDND_ITALIADOMANI], now)
    record_review(db, "italiadomani:id-1", "communication", "reject", "Giulia", now)
    upsert_calls(db, [PDND_PADIGITALE], now)
    apply_dedupe(db, PRIORITY)
    assert latest_decisions(db, "communication") == {"padigitale:pd-1": "reject"}
