"""Euro amounts and budgets taken verbatim from the recorded portal responses in /work/shared.

Sources (abbreviated in the comments):
  INC  = samples/incentivi-gov-it/incentivi.json (zs_field_budget_allocation etc., nid given)
  ER   = samples/regione-emilia-romagna-plone/emilia_romagna.json (description)
  TN   = corpus/bandiradar-raw-it/trentino_ckan_feasr.json (IMPORTO (Euro))
  LAZ  = corpus/bandiradar-raw-it/lazio_wp_bandi.json (content.rendered, as text)
  SIC  = corpus/bandiradar-raw-it/sicilia_wp_posts.json (content.rendered, as text)
  EVAL = corpus/bandiradar-eval/opportunities.jsonl (summary / eligibility_text)
  PNRR = corpus/pnrr-italiadomani/PNRR_Bandi_e_Avvisi.csv
  PAD  = samples/padigitale2026/avvisi.csv (totale_importo_stanziato)
"""

from __future__ import annotations

import pytest

from matcher.normalize.amounts import find_budget, parse_amount, parse_amount_range


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2066866", 2066866.0),  # INC 3400 zs_field_budget_allocation
        ("70047.34", 70047.34),  # INC 8141 zs_field_budget_allocation: decimal point
        ("14270351.57", 14270351.57),  # INC 1071 zs_field_budget_allocation
        ("0", 0.0),  # INC 3400 zs_field_cost_min
        ("3.200.000,00", 3200000.0),  # TN IMPORTO (Euro)
        ("6.388.188,71", 6388188.71),  # TN IMPORTO (Euro)
        ("68196721,31", 68196721.31),  # PNRR Importo complessivo gara: decimal comma
        ("108496490,5", 108496490.5),  # PNRR Importo previsto altri fondi
        ("N/A", None),  # PNRR Importo complessivo gara
        ("1000000.0", 1000000.0),  # PAD totale_importo_stanziato
        ("è prevista una dotazione di 23 milioni di euro", 23e6),  # LAZ 59390
        ("La dotazione finanziaria è pari a  2,76 milioni di euro", 2.76e6),  # EVAL lazio
        ("che ha una dotazione di 3,292 miliardi di euro", 3.292e9),  # EVAL incentivi
        ("Dotazione 9,7 milioni così suddivisi", 9.7e6),  # EVAL lazio: multiplier, no "euro"
        ("500 mila euro (risorse del bilancio regionale)", 500e3),  # EVAL lazio "Expo 2025 Osaka"
        ("ammonta ad €. 25.904 pari allaquota della seconda annualità", 25904.0),  # EVAL incentivi
        ("Il contributo massimo concedibile ammonta a € 50.000,00.", 50000.0),  # EVAL incentivi
        ("pari a euro 28.622.466,21.", 28622466.21),  # SIC 145569
        ("pari ad euro 15.240,00 euro per ciascuna singola Fiera", 15240.0),  # LAZ 55567
        ("relativo all’anno 2022, è pari ad euro 18.730,24", 18730.24),  # EVAL: the year is skipped
        ("Legge regionale n.12/2022 - 3^ finestra temporale", None),  # ER description
        ("PR FESR 2021/2027 – Azione 2.1.3", None),  # SIC title: years and action codes
        ("Annualità 2025", None),  # INC 8141 title tail: a bare year is never an amount
        ("in misura complessivamente pari al 20% delle spese", None),  # LAZ: a share
        (
            "pari a euro 40.000.0000,00, a favore delle imprese",
            None,
        ),  # EVAL: malformed, not guessed
    ],
)
def test_parse_amount_reads_recorded_values(text: str, expected: float | None) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # EVAL sardegna "Regione Autonoma della Sardegna – Avviso per la selezione ..."
            "La dimensione complessiva della proposta deve essere tra 1.500.000 e 25.000.000 euro.",
            (1.5e6, 25e6),
        ),
        (  # EVAL
            "per un ammontare minimo di € 15.000,00 e massimo di € 500.000,00, che può giungere",
            (15000.0, 500000.0),
        ),
        (  # EVAL
            "un importo complessivo minimo ammissibile per domanda di 2.000,00 euro e massimo di "
            "15.000,00 euro.",
            (2000.0, 15000.0),
        ),
        ("fino ad un massimo di € 2.500,00 (al lordo della ritenuta", (None, 2500.0)),  # EVAL
        ("devono avere almeno 3.000.000,00 euro di costi ammissibili", (3e6, None)),  # LAZ 52660
        ("Progetti di Ricerca Industriale e Sviluppo Sperimentale", (None, None)),  # INC 1071 title
    ],
)
def test_parse_amount_range(text: str, expected: tuple[float | None, float | None]) -> None:
    assert parse_amount_range(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("La dotazione finanziaria dell’Avviso è pari a euro 28.622.466,21.", 28622466.21),  # SIC
        (  # EVAL incentivi "CTEMT: Selezione ..."
            "Lo stanziamento di risorse complessive a disposizione per l'avviso (Call4Ideas) "
            "ammonta ad un totale pari a € 100.000,00 iva e oneri compresi.",
            100000.0,
        ),
        (  # EVAL incentivi "Contributi per wedding ...": the total, not the share after "di cui"
            "Le risorse finanziarie disponibili per l’anno 2021 sono pari a euro 70.000.000,00, "
            "di cui: - una quota pari a euro 40.000.000 è destinata al settore",
            70e6,
        ),
        (  # EVAL incentivi "Contributi a fondo perduto alle attività economiche ..."
            "Lo stanziamento del contributo per il Comune di Norbello, relativo all’anno 2022, è "
            "pari ad euro 18.730,24 e sarà integralmente oggetto di riparto",
            18730.24,
        ),
        (  # EVAL lazio "Sostituzione di impianti termici inquinanti"
            "L’Avviso ha una dotazione finanziaria di 3 milioni di euro . Il contributo è erogato",
            3e6,
        ),
        (  # EVAL incentivi: a per-project cap phrased with "ammonta"
            "Il contributo massimo concedibile ammonta a € 50.000,00. Non è consentita la "
            "presentazione didomande",
            None,
        ),
        (  # LAZ 52641: per-project cap, no anchor
            "L’agevolazione è un contributo a fondo perduto, nella misura massima di 10 milioni "
            "di euro per progetto.",
            None,
        ),
        (  # LAZ 58887: a reserved share of the endowment, not the endowment
            "è riservata una parte della dotazione finanziaria, in misura pari a 300.000,00 euro.",
            None,
        ),
        (  # EVAL incentivi: minimum and maximum per application
            "un importo complessivo minimo ammissibile per domanda di 2.000,00 euro e massimo di "
            "15.000,00 euro.",
            None,
        ),
        (  # EVAL sardegna: the size of one proposal
            "La dimensione complessiva della proposta deve essere tra 1.500.000 e 25.000.000 euro.",
            None,
        ),
        (  # LAZ: "complessivamente" anchors a percentage, which is not money
            "costi del personale e spese generali calcolati a forfait, in misura complessivamente "
            "pari al 20% delle spese da rendicontare.",
            None,
        ),
    ],
)
def test_find_budget_takes_the_endowment_not_per_project_caps(
    text: str, expected: float | None
) -> None:
    assert find_budget(text) == expected
