"""The one answer to "may a public body apply?", pinned on every beneficiary list recorded."""

from __future__ import annotations

import tomllib

import httpx
import pytest
from conftest import FIXTURES

from matcher.normalize.eligibility import public_bodies_eligible
from scrapers import PORTALS
from scrapers.base import run_portal
from scrapers.recording import ReplayTransport

SNAPSHOT = FIXTURES.parent.parent / "data" / "snapshot"

# Every distinct list of beneficiaries in the portals' recordings, as the scrapers read it
# (the data/snapshot files are copies of the fixtures), with the answer expected for it.
# fmt: off
TABLE = [
    # Regione Emilia-Romagna, Plone `destinatari` titles (data/snapshot/emilia_romagna, tests/fixtures/emilia_romagna)
    (['Enti del Terzo settore', 'Enti pubblici'], True),
    (['Enti del Terzo settore', 'Enti pubblici', 'Scuole', 'Università', 'Enti di formazione'], True),
    (['Enti pubblici'], True),
    (['Cooperative'], False),
    (['Cittadini'], False),
    # incentivi.gov.it, `zm_field_subject_type_value` (tests/fixtures/incentivi_gov/incentivi.json)
    (['Impresa'], False),
    (['Università/Ente di Ricerca'], True),
    (['Impresa', 'Cooperative/Associazioni Non Profit', "Rete d'impresa", 'Consorzio'], False),
    (['Impresa', 'Impresa - prevalenza femminile', 'Impresa - prevalenza giovanile', 'Impresa - SU/PMI innovativa', 'Professionista', "Rete d'impresa", 'Cooperative/Associazioni Non Profit', 'Consorzio'], False),
    (['Impresa', 'Impresa - SU/PMI innovativa'], False),
    (['Consorzio', 'Cooperative/Associazioni Non Profit', 'Impresa', 'Impresa - SU/PMI innovativa', 'Impresa - prevalenza femminile', 'Impresa - prevalenza giovanile', 'Impresa da costituire - Altro', 'Impresa da costituire - Femminile', 'Impresa da costituire - Giovanile', 'Professionista', "Rete d'impresa"], False),
    # PA digitale 2026, `soggetti_destinatari` split on ";" (tests/fixtures/padigitale/avvisi.csv, avvisi.json)
    (['Scuole'], True),
    (['Comuni'], True),
    (['Province', 'Citta Metropolitane'], True),
    (['ASL', 'Aziende Ospedaliere'], True),
    (['ASL', 'Enti Regionali', 'Università', 'Istituti di ricerca e AFAM', 'Aziende Ospedaliere', 'Agenzie Regionali Sanitarie'], True),
    (['ASL', 'Enti Regionali', 'Università', 'PA Centrali', 'Province', 'Altri enti', 'Istituti di ricerca e AFAM', 'Aziende Ospedaliere', 'Citta Metropolitane', 'Agenzie Regionali Sanitarie'], True),
    (['Enti Regionali'], True),
    (['Università', 'Istituti di ricerca e AFAM'], True),
    (['PA Centrali', 'Altri enti', 'Istituti di ricerca e AFAM', 'Istituti Zooprofilattici Sperimentali'], True),
    (['PA Centrali', 'Altri enti', 'Istituti di ricerca e AFAM', 'AOO'], True),
    # Italia Domani, "Destinatari del Bando o dell'Avviso" split on ";" (tests/fixtures/italiadomani)
    (['Pubbliche amministrazioni centrali'], True),
    (['Scuole sedi di Direttivo dislocate su tutto il territorio nazionale.'], True),
    (['Aziende sanitarie locali e Aziende ospedaliere'], True),
    (['Regioni e province autonome'], True),
    (['Scuole sedi di Direttivo dislocate su tutto il territorio nazionale'], True),
    (["Regioni, province autonome,aziende sanitarie e ospedialiere, università, enti di ricerca, consorzi di ricerca, istituzioni per l'Alta formazione"], True),
    (['ASL, Enti Regionali, Università, Istituti di ricerca e AFAM'], True),
    (['Amministrazioni pubbliche, esclusi i Comuni e le istituzioni scolastiche'], True),
    (['Città metropolitane'], True),
    (['Imprese'], False),
    (["Enti iscritti all'albo"], None),
    (['Individui'], False),
    (["Enti iscritti all'Albo Unico di Servizio civile universale"], None),
    (['Regioni'], True),
    (['Individui / Liberi Professionisti'], False),
    (['Liberi Professionisti'], False),
    (['esperti'], False),
    (['operatore economico'], False),
    (['operatori economici'], False),
    (['imprese'], False),
    (['Operatori economici'], False),
    (['Università statali e non statali e gli Istituti universitari ad ordinamento speciale, gli Enti Pubblici di Ricerca e gli Istituti di Ricovero e Cura a Carattere Scientifico (IRCCS)'], True),
    (['Piccole e medie imprese'], False),
    (['Imprese, Regioni, Province, Comuni. Liberi professionisti, Organizzazioni/Associazioni del terzo settore'], True),
    (['Imprese, Organizzazioni/Associazioni del terzo settore, Regioni, Provincie, Comuni, Altro: Amministrazioni Pubbliche'], True),
    (['micro e piccole imprese'], False),
    (['EGATO Operativi o, in assenza, Comuni (singolarmente o in forma associativa)'], True),
    (['autorità sistema portuale'], True),
    (["soggetti, pubblici o privati, gestori di mercati agroalimentari all'ingrosso"], True),
    (['imprese produzione agricola, trasformazione agricola e agro-industria'], False),
    (['Unioni di Comuni ex art. 32 d.lgs. 267/2000', 'b. Comunità Montane ex art. 27 d.lgs 267/2000', 'c. Consorzi ex art. 31 d.lgs. 267/2000', 'd. Convenzioni ex art. 30 d.lgs. 267/2000.'], True),
    (['operatori del sistema di distribuzione dell’intero territorio nazionale'], False),
    (['concessionario per le attività di trasmissione e dispacciamento dell’energia elettrica nel territorio nazionale, ivi compresa la gestione unificata della rete di trasmissione nazionale'], False),
    (['concessionario della rete elettrica di trasmissione e ai concessionari della rete elettrica di distribuzione'], False),
    (['Regioni e Province autonome'], True),
    (['enti di ricerca e le università pubblici'], True),
    (['Organismi di ricerca'], None),
    (['Enti locali'], True),
    (['Enti di Governo d’Ambito'], True),
    (['Autorità di Sistema Portuale (AdSP)'], True),
    (['Comuni e Unioni di Comuni'], True),
    (['Studenti Scuole Superiori (corsi di orientamento) Scuole superiori e Università(accordi corsi)'], True),
    (['Università, statali e non statali, incluse le università telematiche, e gli istituti universitari a ordinamento speciale', 'Enti Pubblici di Ricerca,', 'Imprese'], True),
    (['Università, statali e non statali, incluse le università telematiche, e gli istituti universitari a ordinamento speciale', 'Enti Pubblici di Ricerca vigilati dal MUR', 'Imprese'], True),
    (['Organismi regionali e delle Province autonome per il diritto allo studio, le università statali e non statali, AFAM, gli altri soggetti pubblici e privati, collegi e consorzi universitari, cooperative e organizzazioni di studenti senza fini di lucro'], True),
    (['Organismi regionali e delle Province autonome di Trento e di Bolzano di gestione per il diritto allo studio universitario', 'università statali e non legalmente riconosciute ad esclusione delle università telematiche', 'AFAM', 'altri soggetti'], True),
    (['Unità Operativa, l’insieme dei professori/ricercatori costituenti il gruppo di ricerca guidato dal responsabile locale, con autonomia amministrativa nell’ambito del progetto'], False),
    (['Giovani ricercatori (ricercatore di qualsiasi nazionalità con 2-7 anni di esperienza dal completamento del dottorato di ricerca)'], False),
    (['Università, centri di ricerca, imprese'], True),
    (['Università statali e non statali, Enti Pubblici di Ricerca vigilati dal MUR, altri Enti Pubblici di Ricerca ed altri soggetti pubblici o privati'], True),
    (['Università statali e non statali ed Enti Pubblici di Ricerca vigilati dal MUR e non, Enti pubblici territoriali e altri soggetti pubblici o privati.'], True),
    (['imprese e organismi di ricerca'], None),
    (['Imprese, università, enti di ricerca riuniti in consorzi'], True),
    (['Università, Centri di ricerca, Imprese'], True),
    (['Imprese di qualsiasi dimensione che esercitano attività industriale, commerciale, di trasporto o ausiliare delle precedenti, imprese artigiane, imprese agro-industriali, Università, Centri di Ricerca e Organismi di Ricerca.'], True),
    (['Imprese, Università, Centri di ricerca, Organismi di ricerca'], True),
    (['Enti e istituzioni di ricerca vigilati dal MUR', 'Università e Scuole Superiori a Ordinamento Speciale istituite dal MUR'], True),
    (['Enti Pubblici di ricerca di cui all’art. 1 del D.Lgs. n. 218/2016, le Università e le istituzioni universitarie italiane statali, comunque denominate (ivi comprese le scuole superiori ad ordinamento speciale)'], True),
    (['Amministrazioni centrali, le Regioni, le provincie autonome di Trento e Bolzano e gli Enti locali attraverso le proprie strutture ovvero avvalendosi di soggetti attuatori esterni individuati nel PNRR'], True),
    (['Individui e imprese'], False),
    (['Cittadini, Imprese e liberi professionisti'], False),
    (['individui'], False),
    (['Ambiti territoriali sociali'], True),
    (['Regioni, province autonome, l’Istituto superiore di sanità (ISS), l’Istituto nazionale per l’assicurazione contro gli infortuni sul lavoro (INAIL), Agenzia nazionale per i servizi sanitari regionali (AGENAS.), Istituti di ricovero e cura a carattere scientifico pubblici e privati (IRCCS), Istituti zooprofilattici sperimentali (IZS).'], True),
    # WordPress `destinatari-*` classes (LazioInnova, euroinfosicilia; Basilicata and Calabria send none)
    ([], None),
    (['medie imprese', 'piccole imprese'], False),
    (['startup e spinoff'], False),
    (['donne', 'medie imprese', 'piccole imprese'], False),
    (['medie imprese', 'micro imprese', 'piccole imprese'], False),
    (['giovani', 'imprese costituende', 'medie imprese', 'micro imprese', 'persone fisiche', 'piccole imprese', 'startup e spinoff'], False),
    (['donne', 'liberi professionisti', 'medie imprese', 'piccole imprese'], False),
    (['pubblica amministrazione'], True),
    (['altri enti', 'grandi imprese', 'liberi professionisti', 'medie imprese', 'micro imprese', 'no profit', 'piccole imprese', 'pubblica amministrazione'], True),
    (['enti pubblici', 'imprese'], True),
    (['enti pubblici', 'imprese', 'media'], True),
    (['enti pubblici'], True),
    # EU Funding & Tenders topics, `eligible_org_types` as curated in
    # /work/shared/corpus/eu-funding-dss-horizon/calls_seed_clean.csv: the only English lists.
    (["relevant practitioners; critical infrastructure operators; public authorities; first responders"], True),
    (["Border or Coast Guard Authorities"], True),
    (["public local and regional authorities (or their groupings)"], True),
]
# fmt: on


@pytest.mark.parametrize(("beneficiaries", "expected"), TABLE)
def test_public_bodies_eligible_answers_every_recorded_list(
    beneficiaries: list[str], expected: bool | None
) -> None:
    assert public_bodies_eligible(beneficiaries) is expected


def test_the_table_holds_every_list_the_recorded_portals_yield() -> None:
    sources = tomllib.loads((SNAPSHOT / "sources.toml").read_text(encoding="utf-8"))
    recorded: set[tuple[str, ...]] = set()
    with httpx.Client(transport=ReplayTransport(SNAPSHOT)) as client:
        for name in ("emilia_romagna", "incentivi_gov", "padigitale", "italiadomani", "wordpress"):
            result = run_portal(PORTALS[name], client, config=sources.get(name))
            assert result.errors == [], name
            recorded |= {tuple(call.beneficiaries) for call in result.calls}
    assert recorded - {tuple(beneficiaries) for beneficiaries, _ in TABLE} == set()
