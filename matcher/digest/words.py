"""The digests' words, in Italian (the default) and English, and the sources' attributions."""

from __future__ import annotations

from matcher.models import STATUS_LABELS

WORDS: dict[str, dict[str, str]] = {
    "it": {
        "closing": "In scadenza",
        "closing_intro": "La scadenza è entro {days} giorni: un promemoria per bando.",
        "new": "Nuovi bandi",
        "new_intro_first": "La prima selezione: i bandi più pertinenti per ogni tema.",
        "new_intro": "Bandi pertinenti comparsi dall'ultimo messaggio.",
        "updated": "Aggiornati",
        "updated_intro": "Bandi già segnalati che sono cambiati.",
        "heading": "Bandi per {partner}",
        "period": "dal {start} al {end}",
        "period_first": "al {end}",
        "subject": "{count} per {partner}: {parts} ({period})",
        "one_call": "1 bando",
        "calls": "{n} bandi",
        "part_closing": "{n} in scadenza",
        "part_new": "{n} nuovi",
        "part_new_one": "1 nuovo",
        "part_updated": "{n} aggiornati",
        "part_updated_one": "1 aggiornato",
        "source": "Fonte",
        "relevance": "Pertinenza {level}",
        "level_alta": "alta",
        "level_media": "media",
        "level_bassa": "bassa",
        "keywords": "parole chiave: {words}",
        "deadline": "Scadenza",
        "no_deadline": "senza scadenza (fino a esaurimento fondi)",
        "budget": "Budget",
        "theme": "Tema",
        "official": "Pagina ufficiale",
        "in_app": "Scheda nell'app",
        "what_changed": "Cosa è cambiato",
        "rest": "… e altri {n} bandi per «{theme}» nell'app",
        "rest_no_app": "… e altri {n} bandi per «{theme}» (chiedere al gruppo di lavoro)",
        "all_in_app": "Tutti i bandi, con i filtri, nell'app",
        "calendar": "In allegato le scadenze (scadenze.ics): un clic le aggiunge al calendario.",
        "sources": "Fonti",
        "why": "Ricevete questo messaggio come referenti di {partner} nel gruppo di lavoro "
        "Piacenza Territorio Smart.",
        "optout": "Per non riceverlo più scrivete a {contact} (o rispondete «cancellami»): "
        "l'indirizzo sarà escluso da tutti i prossimi invii.",
        "ics_file": "scadenze.ics",
        # decisions of the working group
        "dec_shortlist": "in valutazione dal gruppo di lavoro",
        "dec_applied": "domanda presentata",
        "assigned": "assegnato a {partner}",
        # what changed
        "ch_deadlines": "scadenza: da {before} a {after}",
        "ch_reopened": "riaperto: nuova scadenza {after}",
        "ch_budget": "budget: da {before} a {after}",
        "ch_status": "stato: da {before} a {after}",
        "none": "non indicato",
        **{f"st_{status}": label for status, label in STATUS_LABELS["it"].items()},
    },
    "en": {
        "closing": "Closing soon",
        "closing_intro": "The deadline is within {days} days: one reminder per call.",
        "new": "New calls",
        "new_intro_first": "A first selection: the most relevant calls of each theme.",
        "new_intro": "Relevant calls that appeared since the last message.",
        "updated": "Updated",
        "updated_intro": "Calls sent before that have changed.",
        "heading": "Funding calls for {partner}",
        "period": "{start} to {end}",
        "period_first": "until {end}",
        "subject": "{count} for {partner}: {parts} ({period})",
        "one_call": "1 funding call",
        "calls": "{n} funding calls",
        "part_closing": "{n} closing soon",
        "part_new": "{n} new",
        "part_new_one": "1 new",
        "part_updated": "{n} updated",
        "part_updated_one": "1 updated",
        "source": "Source",
        "relevance": "{level} relevance",
        "level_alta": "High",
        "level_media": "Medium",
        "level_bassa": "Low",
        "keywords": "keywords: {words}",
        "deadline": "Deadline",
        "no_deadline": "no deadline (while funds last)",
        "budget": "Budget",
        "theme": "Theme",
        "official": "Official page",
        "in_app": "In the app",
        "what_changed": "What changed",
        "rest": "… and {n} more calls for “{theme}” in the app",
        "rest_no_app": "… and {n} more calls for “{theme}” (ask the working group)",
        "all_in_app": "Every call, with filters, in the app",
        "calendar": "The deadlines are attached (deadlines.ics): one click adds them to a "
        "calendar.",
        "sources": "Sources",
        "why": "You receive this message as contacts of {partner} in the Piacenza Territorio "
        "Smart working group.",
        "optout": "To stop receiving it, write to {contact} (or reply “unsubscribe”): the "
        "address will be left out of every later message.",
        "ics_file": "deadlines.ics",
        "dec_shortlist": "under review by the working group",
        "dec_applied": "application submitted",
        "assigned": "assigned to {partner}",
        "ch_deadlines": "deadline: from {before} to {after}",
        "ch_reopened": "reopened: new deadline {after}",
        "ch_budget": "budget: from {before} to {after}",
        "ch_status": "status: from {before} to {after}",
        "none": "not given",
        **{f"st_{status}": label for status, label in STATUS_LABELS["en"].items()},
    },
}

# themes.toml labels are Italian; English digests name the themes thus (else the label).
THEME_LABELS_EN = {
    "energy": "Energy efficiency",
    "communication": "Citizen communication and digital services",
    "tourism": "Tourism promotion and culture",
}

# Each portal's short name in an item, and its attribution as the source's licence asks.
SOURCES = {
    "eu_ftop": ("EU Funding & Tenders Portal",
                "EU Funding & Tenders Portal, © European Union (Decision 2011/833/EU)"),
    "emilia_romagna": ("Regione Emilia-Romagna",
                       "Regione Emilia-Romagna, © Regione Emilia-Romagna"),
    "incentivi_gov": ("incentivi.gov.it", "incentivi.gov.it (Ministero delle Imprese e del Made "
                      "in Italy), IODL 2.0"),
    "padigitale": ("PA digitale 2026", "PA digitale 2026, Dipartimento per la trasformazione "
                   "digitale, CC BY 4.0"),
    "italiadomani": ("Italia Domani", "Italia Domani, open data"),
    "feeds": ("RSS/Atom", "the RSS/Atom feeds of their publishers"),
    "wordpress": ("WordPress", "the regional call portals' own sites"),
    "bandiradar": ("BandiRadar", "the regional portals, as collected by BandiRadar "
                   "(mayai-it/bandiradar)"),
}  # fmt: skip


def words(lang: str) -> dict[str, str]:
    return WORDS["en" if lang == "en" else "it"]


def theme_label(key: str, label: str, lang: str) -> str:
    return THEME_LABELS_EN.get(key, label) if lang == "en" else label


def source_name(portal: str) -> str:
    return SOURCES.get(portal, (portal, portal))[0]


def attribution(portal: str) -> str:
    return SOURCES.get(portal, (portal, portal))[1]
