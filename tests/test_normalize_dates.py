"""Italian date phrases taken verbatim from the recorded portal responses in /work/shared.

Sources (abbreviated in the comments):
  INC  = samples/incentivi-gov-it/incentivi.json (zs_field_* of the docs, nid given)
  ER   = samples/regione-emilia-romagna-plone/emilia_romagna.json (Plone @search items)
  TN   = corpus/bandiradar-raw-it/trentino_ckan_feasr.json (DATA APERTURA / DATA CHIUSURA)
  LAZ  = corpus/bandiradar-raw-it/lazio_wp_bandi.json (content.rendered, as text)
  SIC  = corpus/bandiradar-raw-it/sicilia_wp_posts.json (content.rendered, as text)
  EVAL = corpus/bandiradar-eval/opportunities.jsonl (summary / eligibility_text)
  PNRR = corpus/pnrr-italiadomani/PNRR_Bandi_e_Avvisi.csv
  PAD  = samples/padigitale2026/avvisi.csv
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from matcher.normalize.itdates import (
    ParsedDate,
    find_deadline,
    mentions_open_ended,
    parse_it_date,
    parse_it_period,
)
from matcher.normalize.timezones import instant

ROME = ZoneInfo("Europe/Rome")


def day(y: int, m: int, d: int) -> ParsedDate:
    """A date-only value: local midnight in Rome, time not stated."""
    return ParsedDate(datetime(y, m, d, tzinfo=ROME), False)


def at(y: int, m: int, d: int, hh: int, mm: int = 0, ss: int = 0) -> ParsedDate:
    return ParsedDate(datetime(y, m, d, hh, mm, ss, tzinfo=ROME), True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-03-10T00:00:00", day(2023, 3, 10)),  # INC 3400 zs_field_open_date (naive midnight)
        ("2026-06-30T00:00:00", day(2026, 6, 30)),  # INC 3400 zs_field_close_date
        ("2026-03-26T10:00:00", at(2026, 3, 26, 10)),  # ER apertura_bando: naive = Rome time
        ("2026-03-11T10:02:15", at(2026, 3, 11, 10, 2, 15)),  # ER apertura_bando
        (
            "2026-05-20T14:00:00+00:00",  # ER scadenza_bando: UTC, i.e. 16:00 in Rome
            ParsedDate(datetime(2026, 5, 20, 14, 0, tzinfo=UTC), True),
        ),
        (
            "2026-02-12T22:55:00+00:00",  # ER scadenza_bando
            ParsedDate(datetime(2026, 2, 12, 23, 55, tzinfo=ROME), True),
        ),
        ("2026-07-30", day(2026, 7, 30)),  # ER chiusura_procedimento_bando
        ("1/10/2025", day(2025, 10, 1)),  # TN DATA APERTURA
        ("09/2/2026", day(2026, 2, 9)),  # TN DATA CHIUSURA
        ("10/02/2023", day(2023, 2, 10)),  # PNRR Data apertura bando
        ("2025-12-01", day(2025, 12, 1)),  # PAD data_inizio_bando
        ("fino al 31.12.2025", day(2025, 12, 31)),  # INC 5525 descriptor
        ("dal 1° marzo al 29 novembre 2024", day(2024, 3, 1)),  # INC 1133: year of the 2nd date
        ("a Milano dal 10 al 12 febbraio 2026", day(2026, 2, 10)),  # SIC 157367: a bare day
        (
            "Il formulario sarà disponibile su GeCoWEB Plus dalle ore 12 dell’8 gennaio 2025.",
            at(2025, 1, 8, 12),
        ),  # LAZ 48841
        ("fino alle 17.00 (ora italiana) del 30 giugno 2026", at(2026, 6, 30, 17)),  # LAZ 59119
        ("il giorno 20/09/2023 alle ore 18.00.", at(2023, 9, 20, 18)),  # INC 1071
        ("è: ore 10:00 del 27/02/2026", at(2026, 2, 27, 10)),  # SIC 159821
        ("alle ore 13 del 12 dicembre 2025", at(2025, 12, 12, 13)),  # SIC 154744
        ("Legge regionale n.12/2022 - 3^ finestra temporale", None),  # ER description: no date
    ],
)
def test_parse_it_date_reads_recorded_phrases(text: str, expected: ParsedDate | None) -> None:
    assert parse_it_date(text) == expected


def test_naive_iso_is_rome_time_and_utc_offset_is_kept() -> None:
    opening = parse_it_date("2026-03-26T10:00:00")  # ER apertura_bando
    deadline = parse_it_date("2026-05-20T14:00:00+00:00")  # ER scadenza_bando
    assert opening is not None and opening.at.utcoffset() == ROME.utcoffset(opening.at)
    assert deadline is not None and deadline.at.astimezone(ROME).hour == 16


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # INC 7828 zs_field_close_date_descriptor (substring)
            "a partire dalle ore 12.00 del 21/04/2026 fino alle ore 12.00 del 23/06/2026.",
            (at(2026, 4, 21, 12), at(2026, 6, 23, 12)),
        ),
        (  # INC 1133
            "Il bando è aperto dal 1° marzo al 29 novembre 2024 salvo chiusura anticipata per "
            "esaurimento fondi.",
            (day(2024, 3, 1), day(2024, 11, 29)),
        ),
        (  # INC 5525: the yearly windows without a year are not dates
            "Le domande per l'anno 2025 possono essere presentate fino al 31.12.2025. "
            "Successivamente si potrà presentare domanda dal 1 gennaio fino al 30 settembre di "
            "ogni anno.",
            (None, day(2025, 12, 31)),
        ),
        ("Le domande possono essere presentate fino al 31 ottobre 2024", (None, day(2024, 10, 31))),
        (  # INC 2748
            "La presentazione delle candidature sarà possibile a partire dalle ore 14:00 del "
            "10/07/2024 sino alle ore 14:00 del 31/12/2026, salvo esaurimento dei fondi.",
            (at(2024, 7, 10, 14), at(2026, 12, 31, 14)),
        ),
        (  # INC 1071
            "a partire dal giorno 05/07/2023 ed entro e non oltre il giorno 20/09/2023 alle ore "
            "18.00.",
            (day(2023, 7, 5), at(2023, 9, 20, 18)),
        ),
        (  # INC 3265: a first-day window followed by a sportello has no closing
            "Le domande dovranno essere presentate dalle ore 12.00 alle ore 18.00 del giorno 10 "
            "dicembre 2024, e dalle ore 9.00 alle ore 18.00 dei giorni lavorativi successivi, "
            "fino a esaurimento delle risorse disponibili.",
            (at(2024, 12, 10, 12), None),
        ),
        (  # LAZ 48841
            "La domanda può essere inviata dalle ore 12 del 10 gennaio 2025 e fino alle ore 17 "
            "del 14 febbraio 2025.",
            (at(2025, 1, 10, 12), at(2025, 2, 14, 17)),
        ),
        (  # LAZ 43887: "12.00 a.m." is noon as written
            "Seconda call POSTICIPATA: candidature dalle ore 09.00 del 12 dicembre 2024 alle ore "
            "12.00 a.m. del 27 gennaio 2025.",
            (at(2024, 12, 12, 9), at(2025, 1, 27, 12)),
        ),
        (  # EVAL lazio "Voucher Digitalizzazione Pmi – II edizione 2025": shared year
            "Domande online su GeCoWEB Plus dal 24 ottobre al 24 novembre 2025.",
            (day(2025, 10, 24), day(2025, 11, 24)),
        ),
        (  # LAZ 42837: no year anywhere, so nothing is guessed
            "Le domande devono essere presentate tramite GeCoWEB Plus dalle ore 12:00 del 23 "
            "aprile alle ore 17:00 del 12 giugno.",
            (None, None),
        ),
    ],
)
def test_parse_it_period_reads_opening_and_closing(
    text: str, expected: tuple[ParsedDate | None, ParsedDate | None]
) -> None:
    assert parse_it_period(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # LAZ 59390
            "a partire dalle ore 12:00 del 12 maggio 2026 ed entro le ore 17:00 del 24 giugno "
            "2026.",
            at(2026, 6, 24, 17),
        ),
        (
            "Sarà possibile candidarsi fino alle 17.00 (ora italiana) del 30 giugno 2026",
            at(2026, 6, 30, 17),
        ),  # LAZ 59119
        (  # LAZ 51158: the range end counts because the keyword precedes the range
            "Le domande devono essere presentate tramite la piattaforma GeCoWEB Plus dalle ore "
            "12:00 del 15 aprile 2025 alle ore 17:00 del 3 giugno 2025.",
            at(2025, 6, 3, 17),
        ),
        (  # LAZ 58068: the act date is not the deadline
            "La determinazione n. G04498 del 7 aprile 2026 ha disposto la chiusura dell’avviso "
            "alle ore 18:00 del 13 aprile 2026.",
            at(2026, 4, 13, 18),
        ),
        (  # SIC 154585: the publication date is not the deadline
            "L’avviso è stato pubblicato, per estratto, nella Gurs (serie concorsi) del 14 "
            "novembre 2025, e pertanto la scadenza è fissata alle ore 23:59 del 15/12/2025.",
            at(2025, 12, 15, 23, 59),
        ),
        (  # SIC 145569
            "Il Dipartimento Energia con DDG n. 2396 del 23/10/2025 proroga alle 23:59 del "
            "21/11/2025 il termine per la presentazione delle istanze.",
            at(2025, 11, 21, 23, 59),
        ),
        (
            "Il termine per la presentazione delle candidature è: ore 10:00 del 27/02/2026",
            at(2026, 2, 27, 10),
        ),  # SIC 159821
        (
            "Le proposte dovranno presentarsi entro le ore 8:00 del 25/09/2025",
            at(2025, 9, 25, 8),
        ),  # SIC 149911
        (
            "I termini di presentazione delle domande sono i seguenti: dal 19/12/2025 al "
            "29/12/2025.",
            day(2025, 12, 29),
        ),  # SIC 157367
        (
            "Domande online su GeCoWEB Plus, scadenza prorogata alle ore 17:00 del 28 novembre "
            "2025",
            at(2025, 11, 28, 17),
        ),  # EVAL lazio "Contributo sulle spese dovute ai danni ..."
        (  # LAZ 55169: "concludersi" is about the submission itself (istanze), so it counts
            "La procedura di compilazione e finalizzazione delle istanze sarà possibile dalle ore "
            "12:00 del 2 ottobre 2025 e dovrà necessariamente concludersi entro le ore 23:59 del "
            "31 ottobre 2025.",
            at(2025, 10, 31, 23, 59),
        ),
        ("I progetti devono comunque essere completati entro il 31 marzo 2029.", None),  # LAZ 52660
        (  # LAZ 55169: publication on the BUR is never a deadline
            "il REGOLAMENTO che disciplina i contributi per lo Spettacolo dal vivo è stato "
            "pubblicato sul BURL n. 63 del 6 agosto 2019.",
            None,
        ),
        (  # SIC 158722
            "Il Dipartimento del Turismo dello Sport e dello Spettacolo pubblica il DDG n. 4771 "
            "del 22/12/2025 con cui è stato rettificato il contenuto",
            None,
        ),
        (  # EVAL incentivi "Voucher export provinciale aretino 2024": an event period
            "che si svolgono dal 1.1.2024 fino al 15.12.2024.",
            None,
        ),
    ],
)
def test_find_deadline_needs_a_deadline_keyword(text: str, expected: ParsedDate | None) -> None:
    assert find_deadline(text) == expected


def test_find_deadline_returns_the_first_deadline_not_the_latest() -> None:
    # EVAL lazio "Voucher Digitalizzazione Pmi": the summary's date comes first in reading order.
    text = (
        "Domande online su GeCoWEB Plus dal 13 dicembre 2023 ed entro il 30 gennaio 2024\n"
        "L’invio della Domanda deve avvenire tramite GeCoWEB Plus dalle ore 12:00 del 13 dicembre "
        "2023 ed entro le ore 18:00 del 14 febbraio 2024"
    )
    assert find_deadline(text) == day(2024, 1, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fino a esaurimento delle risorse disponibili.", True),  # INC 3265
        ("salvo esaurimento dei fondi.", True),  # INC 2748
        (
            "Avviso con procedura valutativa a sportello fino ad esaurimento delle risorse",
            True,
        ),  # EVAL
        ("Fino ad esaurimento risorse", True),  # PNRR column header
        ("Le domande possono essere presentate fino al 31 ottobre 2024", False),  # INC 1155
        ("", False),
    ],
)
def test_mentions_open_ended(text: str, expected: bool) -> None:
    assert mentions_open_ended(text) is expected


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        # ER apertura_bando: naive, Rome time
        ("2026-03-26T10:00:00", ROME, datetime(2026, 3, 26, 10, 0, tzinfo=ROME)),
        # ER scadenza_bando: an offset is kept as given
        ("2026-05-20T14:00:00+00:00", ROME, datetime(2026, 5, 20, 14, 0, tzinfo=UTC)),
        # INC ds_last_update
        ("2024-12-18T11:32:35Z", UTC, datetime(2024, 12, 18, 11, 32, 35, tzinfo=UTC)),
        # SEDIA actions' bare dates: local midnight
        ("2026-09-15", ROME, datetime(2026, 9, 15, tzinfo=ROME)),
        (None, ROME, None),
        ("", ROME, None),
    ],
)
def test_instant_is_aware_with_naive_values_in_the_given_zone(value, zone, expected) -> None:
    found = instant(value, zone, "item", "field")
    assert (found, found.utcoffset() if found else None) == (
        expected,
        expected.utcoffset() if expected else None,
    )


def test_unreadable_instant_is_left_empty_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    # ER fixture, adapted: a day that does not exist
    assert instant("2026-02-30T11:00:00", ROME, "bando-1", "apertura_bando") is None
    assert "bando-1: unreadable apertura_bando '2026-02-30T11:00:00'; left empty" in caplog.text
