"""Kind classification, territory and language on titles and fields from the recordings.

Sources (abbreviated in the comments):
  EVAL = corpus/bandiradar-eval/opportunities.jsonl (title; kind tender/incentive upstream)
  ER   = samples/regione-emilia-romagna-plone/emilia_romagna.json
  INC  = samples/incentivi-gov-it/incentivi.json (zm_field_regions_value, nid given)
  SIC  = corpus/bandiradar-raw-it/sicilia_wp_posts.json; BAS = basilicata_wp_listing.json
  PNRR = corpus/pnrr-italiadomani/PNRR_Bandi_e_Avvisi.csv (Titolo Bando o Avviso)
  EU   = samples/eu_ftop/sedia_search_response_9results.json (metadata.descriptionByte, as text)
"""

from __future__ import annotations

import pytest

from matcher.models import KINDS
from matcher.normalize.kinds import classify_kind
from matcher.normalize.language import detect_language
from matcher.normalize.territory import territory_from_regions, territory_includes


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # EVAL tenders
        ("Italia – Medicinali vari – Procedura aperta per la fornitura di farmaci, suddivisa in 3 "
         "lotti, per l’Azienda Sanitaria dell’Alto Adige – AC40 2025", "", "procurement"),
        ("GARA PROGETTAZIONE - SUD 2", "GARA PROGETTAZIONE - SUD 2", "procurement"),
        ("PROCEDURA NEGOZIATA PER L’AFFIDAMENTO DEL SERVIZIO DI TRASPORTO CON NAVETTA RIVOLTO AI "
         "CITTADINI RESIDENTI ULTRA 65ENNI", "Procedura Negoziata senza Previa Pubblicazione",
         "procurement"),
        ("MIGLIORAMENTO AREE DI ATTESA TRASPORTO PUBBLICO LOCALE -POLO SCOLASTICO DI MERATE",
         "MIGLIORAMENTO AREE DI ATTESA TRASPORTO PUBBLICO LOCALE -POLO SCOLASTICO DI MERATE — "
         "Lavori stradali — CIG: BBE9558F1D", "procurement"),  # evidence only in the body
        ("CENSIMENTO PONTI", "Affidamento diretto", "procurement"),
        # EVAL incentives
        ("Bando innovazione di prodotto sostenibile e digitale – Regione Marche",
         "Innovazione e ricerca; Contributo/Fondo perduto; Media Impresa", "call"),
        ("Voucher 3I - Investire in innovazione", "", "call"),
        ("Avviso pubblico #Basilaureati – Bonus alle imprese per l'assunzione di laureati "
         "disoccupati – seconda finestra", "", "call"),  # a hiring grant, not a job
        ("A.R.I.A. – Azioni Regionali per la prevenzione Incendi e la tutela Ambientale",
         "Il contributo sarà erogato secondo le seguenti modalità: una prima quota, facoltativa, "
         "quale anticipazione, nella misura del 20%, da richiedere a seguito della sottoscrizione "
         "dell’Atto di Impegno; un SAL, facoltativo, pari al 60%, da "
         "richiedersi al più tardi entro "
         "12 mesi dalla Data di Concessione; il saldo da richiedersi "
         "obbligatoriamente entro 18 mesi "
         "dalla Data di Concessione. La richiesta di erogazione è compilata dalla piattaforma "
         "GeCoWEB Plus dopo aver caricato sulla piattaforma, nel caso di richiesta di erogazione a "
         "SAL: il o i contratti di appalto e di fornitura di beni e servizi, corredati dal verbale "
         "di consegna dei lavori;", "call"),  # a call whose body mentions appalto in passing
        # recruitment
        ("Concorso pubblico per reclutare 6 assistenti informatici per la giustizia amministrativa",
         "", "recruitment"),  # PNRR
        ("Avviso per la ricerca di Esperti informatici", "", "recruitment"),  # PNRR
        ("Programma Interreg Next Italia-Tunisia 2021/2027 – Avviso di selezione per il "
         "conferimento di un incarico di esperto coordinatore del Segretariato congiunto", "",
         "recruitment"),  # SIC
        # register
        ("Avviso per iscrizione all'elenco regionale delle cooperative di comunità",
         "Legge regionale n.12/2022 - 3^ finestra temporale", "register"),  # ER
        # calls from the Emilia-Romagna sample
        ("Bando per la promozione della cittadinanza europea 2026",
         "Contributi per iniziative promosse da enti locali e associazioni", "call"),  # ER
        ("Secondo avviso di manifestazione di interesse per gli uffici di "
         "prossimità - Patto per la "
         "giustizia", "Rivolto ai Comuni e alle Unioni di Comuni per l'attivazione dei punti di "
         "accesso sul territorio regionale", "call"),  # ER
        ("AVVISO DI ASTA PUBBLICA PER VENDITA DI LEGNAME DA CIPPARE", "", "procurement"),  # BAS
    ],
)  # fmt: skip
def test_classify_kind(title: str, text: str, expected: str) -> None:
    assert expected in KINDS
    assert classify_kind(title, text) == expected


def test_classify_kind_is_conservative_without_evidence() -> None:
    assert classify_kind("XIII TRANCHE-GALAPAGOS") == "call"  # EVAL tender with no evidence
    assert classify_kind("") == "call"


INC_3265_REGIONS = [  # INC 3265 zm_field_regions_value, Trentino listed twice: 20 distinct
    "Piemonte", "Lombardia", "Valle d'Aosta/Vallée d'Aoste", "Liguria", "Abruzzo", "Molise",
    "Basilicata", "Calabria", "Campania", "Puglia", "Sicilia", "Trentino-Alto Adige/Südtirol",
    "Veneto", "Sardegna", "Trentino-Alto Adige/Südtirol", "Toscana", "Friuli-Venezia Giulia",
    "Emilia-Romagna", "Umbria", "Marche", "Lazio",
]  # fmt: skip


@pytest.mark.parametrize(
    ("regions", "expected"),
    [
        (["Campania", "Puglia"], "Campania, Puglia"),  # INC 3400
        (INC_3265_REGIONS, "Italia"),
        (["Trentino-Alto Adige/Südtirol"], "Trentino-Alto Adige/Südtirol"),  # INC 5525
        (
            ["Molise", "Basilicata", "Calabria", "Campania", "Puglia", "Sicilia", "Sardegna"],
            "Basilicata, Calabria, Campania, Molise, Puglia, Sardegna, Sicilia",  # INC 7828
        ),
        (["Trentino-Alto Adige/SÃ¼dtirol"], "Trentino-Alto Adige/Südtirol"),  # mojibake (notes)
        (["Emilia-Romagna", "Estero"], "Emilia-Romagna"),
        ([], "Italia"),
    ],
)
def test_territory_from_regions(regions: list[str], expected: str) -> None:
    assert territory_from_regions(regions) == expected


@pytest.mark.parametrize(
    ("territory", "expected"),
    [
        ("EU", True),
        ("Italia", True),
        ("Emilia-Romagna", True),
        ("Basilicata, Calabria, Emilia-Romagna", True),
        ("Campania, Puglia", False),
        ("Trentino-Alto Adige/Südtirol", False),
        ("", False),
    ],
)
def test_territory_includes_emilia_romagna(territory: str, expected: bool) -> None:
    assert territory_includes(territory) is expected


def test_territory_includes_another_region() -> None:
    assert territory_includes("Trentino-Alto Adige/Südtirol", "Trentino-Alto Adige/Südtirol")
    assert territory_includes("Campania, Puglia", "Puglia")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Contributi per iniziative promosse da enti locali e associazioni", "it"),  # ER
        ("Legge regionale n.12/2022 - 3^ finestra temporale", "it"),  # ER: no stop words -> it
        (
            "Activities under this topic respond directly to the goal of the Mission Soil to set "
            "up 100 living labs and lighthouses to lead the transition to healthy soils by 2030",
            "en",
        ),  # EU
        ("", "it"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected
