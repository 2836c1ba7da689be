"""Build the evaluation corpus (data/judgments/calls.jsonl) and the dev/test judgment split.

Usage:
    python tools/build_eval_corpus.py corpus  [--shared DIR] [--judgments DIR]
    python tools/build_eval_corpus.py split   [--judgments DIR]

`corpus` converts the frozen real corpus in /work/shared (see data/judgments/README.md) into the
import format (the field names of `matcher calls --json`, one object per line, sorted by id) and
removes the duplicates between its files. `split` reads the hand-written judgments
(notes.jsonl) and writes all.json, dev.json and test.json. Both are deterministic.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import io
import json
import re
import sys
from collections import Counter
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from matcher.normalize.eligibility import public_bodies_eligible
from matcher.normalize.ids import normalize_title, title_date_id
from matcher.normalize.territory import territory_from_regions
from matcher.normalize.text import html_to_text
from matcher.normalize.timezones import EU_TZ, IT_TZ, local_midnight, parse_iso

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared")
JUDGMENTS = ROOT / "data" / "judgments"
THEMES = ("energy", "communication", "tourism")
TOPIC_URL = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
    "topic-details/{}"
)
ITALIADOMANI_PAGE = "https://www.italiadomani.gov.it/content/sogei-ng/it/it/catalogo-open-data.html"
PADIGITALE_PAGE = "https://github.com/teamdigitale/padigitale2026-opendata"
INCENTIVI_SITE = "https://www.incentivi.gov.it"
SUMMARY_CHARS = 300
FIELDS = (
    "id", "portal", "native_id", "title", "url", "links", "aliases", "language", "territory",
    "programme", "opening", "deadlines", "deadline_time_known", "budget_eur", "beneficiaries",
    "public_bodies_eligible", "summary", "text", "kind", "status_hint", "tz", "topics",
)  # fmt: skip
_TENDER = re.compile(r"\b(procedura (aperta|negoziata|ristretta)|gara\b|accordo quadro)", re.I)
_RECRUITMENT = re.compile(
    r"\bper la ricerca di\b|\bconcors[oi]\b|\breclutamento\b|\bselezione di [\d.]+ operatori", re.I
)


# --- common helpers -----------------------------------------------------------------------------


def row(portal: str, native_id: str, title: str, **fields: Any) -> dict[str, Any]:
    """An import row with every field, in the order of FIELDS."""
    values: dict[str, Any] = {
        "id": f"{portal}:{native_id}", "portal": portal, "native_id": native_id,
        "title": title, "url": "", "links": [], "aliases": [], "language": "en",
        "territory": "EU", "programme": "", "opening": None, "deadlines": [],
        "deadline_time_known": True, "budget_eur": None, "beneficiaries": [],
        "public_bodies_eligible": None, "summary": "", "text": "", "kind": "call",
        "status_hint": None, "tz": EU_TZ, "topics": [],
    }  # fmt: skip
    unknown = set(fields) - set(values)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    values.update(fields)
    if values["url"] and values["url"] not in values["links"]:
        values["links"] = [values["url"], *values["links"]]
    return {name: values[name] for name in FIELDS}


def shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first `limit` characters of `text` on one line, cut at a word."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def instant(value: str | None, tz: str) -> tuple[str | None, bool]:
    """ISO instant in zone `tz` and whether its time is known.

    Date-only values, and midnight UTC (how these sources write a bare date), become local
    midnight of that day in `tz` with the time unknown (see DESIGN: Deadlines).
    """
    if not value or not value.strip():
        return None, True
    text = value.strip()
    if len(text) == 10:
        return local_midnight(date.fromisoformat(text), tz).isoformat(), False
    parsed = parse_iso(text, default_tz=None)
    if parsed is None:
        return None, True
    naive = parsed.tzinfo is None
    if parsed.time() == time(0, 0) and (naive or parsed.utcoffset() == timedelta(0)):
        return local_midnight(parsed.date(), tz).isoformat(), False
    if naive:  # local time of the source's zone
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed.astimezone(ZoneInfo(tz)).isoformat(), True


def it_day(value: str) -> str | None:
    """dd/mm/yyyy as local midnight in Europe/Rome (ISO), or None."""
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value.strip())
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    return local_midnight(date(year, month, day), IT_TZ).isoformat()


def lines(*parts: str | None) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def labelled(*pairs: tuple[str, Any]) -> str:
    """ "Label: value" lines for the pairs whose value is set; lists are joined with ", "."""
    out = []
    for label, value in pairs:
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        value = " ".join(str(value or "").split())
        if value:
            out.append(f"{label}: {value}")
    return "\n".join(out)


def unescape(value: str | None) -> str:
    return " ".join(html.unescape(value or "").split())


def merge_into(survivor: dict[str, Any], other: dict[str, Any]) -> None:
    """Record `other` as the same call as `survivor`: its id becomes an alias, its links kept."""
    survivor["aliases"] = sorted(
        {*survivor["aliases"], other["id"], *other["aliases"]} - {survivor["id"]}
    )
    survivor["links"] = list(dict.fromkeys(survivor["links"] + other["links"]))


# --- EU sources ---------------------------------------------------------------------------------


def feed_row(record: dict) -> dict[str, Any]:
    """One eu-grants-feed record (SEDIA-derived) as an import row."""
    identifier = record["identifier"].strip()
    cascade = record["kind"]["id"] == "8"
    native_id = f"{identifier}#{record['id']}" if cascade else identifier
    title = record["title"].strip()
    if cascade:  # `title` is the parent topic's; the cascade call's own name is callTitle
        title = (record.get("callTitle") or record.get("summary") or title).strip()
    elif title == identifier and record.get("callTitle"):  # some topics carry no title
        title = record["callTitle"].strip()
    url = record.get("url") or ""
    if not url or url.endswith(".json"):
        url = TOPIC_URL.format(identifier)
    deadline, known = instant(record.get("deadlineDate"), EU_TZ)
    programmes = record.get("frameworkProgrammes") or []
    abstract = (record.get("abstract") or "").strip()
    facts = labelled(
        ("Parent topic", record["title"] if cascade else None),
        ("Destination", record.get("destination")),
        ("Call", None if cascade else record.get("callTitle")),
        ("Type of action", record.get("actionType")),
    )
    budget = (record.get("budget") or {}).get("totalBudgetEur")
    return row(
        "eu_ftop", native_id, title, url=url,
        programme=" ".join(unquote(programmes[0]["label"]).split()) if programmes else "",
        opening=instant(record.get("startDate"), EU_TZ)[0],
        deadlines=[deadline] if deadline else [], deadline_time_known=known,
        budget_eur=float(budget) if budget is not None else None,
        summary=shorten(abstract or record.get("summary") or ""),
        text=lines(abstract, facts),
    )  # fmt: skip


def dss_merge(feed: dict[str, Any], record: dict[str, str]) -> dict[str, Any]:
    """The feed row with the full topic text of the eu-funding-dss-horizon CSV instead of the
    feed's abstract (cut to ~1,100 chars). Dates, budget and URL stay the feed's: it is the
    portal's own data, the CSV a hand-curated copy (its deadlines are a day off in places)."""
    outcome = record["expected_impact"].strip()
    objectives = record["objectives"].strip()
    parts = [
        f"Expected Outcome:\n{outcome}" if outcome else "",
        f"Scope:\n{record['description'].strip()}" if record["description"].strip() else "",
        f"Objectives:\n{objectives}" if objectives and objectives != outcome else "",
    ]
    facts = feed["text"].rsplit("\n\n", 1)[-1]
    if not re.match(r"(Parent topic|Destination|Call|Type of action): ", facts):
        facts = ""
    eligible = labelled(
        ("Eligible countries", record["eligible_countries"]),
        ("Eligible organisations", record["eligible_org_types"]),
    )
    merged = dict(feed)
    merged["text"] = lines(*parts, facts, eligible)
    merged["summary"] = shorten(lines(*parts))
    merged["topics"] = [k.strip() for k in record["keywords"].split(";") if k.strip()]
    merged["links"] = list(dict.fromkeys([*feed["links"], record["source_url"].strip()]))
    return merged


def eufundingme_row(record: dict) -> dict[str, Any] | None:
    """An English eufundingme-seed record as an import row; None when it names no topic."""
    native_id = record["id"].strip()
    if native_id == "unknown-topic":  # a project page, not a call
        return None
    url = (record.get("portal_url") or "").removesuffix(".json") or TOPIC_URL.format(native_id)
    description = html_to_text(record.get("description"))
    deadline, known = instant(record.get("deadline"), EU_TZ)
    facts = labelled(
        ("Call", record.get("call_identifier")),
        ("Type of action", record.get("action_type")),
        ("Programme part", record.get("programme_division")),
    )
    budget = record.get("budget_amount_eur")
    return row(
        "eu_ftop", native_id, " ".join(record["title"].split()), url=url,
        programme=record.get("framework_programme") or "",
        deadlines=[deadline] if deadline else [], deadline_time_known=known,
        budget_eur=float(budget) if budget is not None else None,
        summary=shorten(description), topics=list(record.get("keywords") or []),
        text=lines(description, facts),
        kind="procurement" if "/tender-details/" in url else "call",
        status_hint="closed" if record.get("status") == "Closed" else None,
    )  # fmt: skip


# --- Italian sources ----------------------------------------------------------------------------


def bandiradar_row(record: dict) -> dict[str, Any]:
    """A bandiradar-eval opportunity as an import row.

    incentivi.gov.it and Emilia-Romagna items get the ids our own scrapers give them
    (`incentivi_gov:<zs_nid>`, `emilia_romagna:<Plone UID>`); the rest keep the upstream
    `<source>:<native>` under the portal `bandiradar`.
    """
    source, native = record["id"].split(":", 1)
    portal = {"incentivi": "incentivi_gov", "emilia_romagna": "emilia_romagna"}.get(source)
    if portal is None:
        portal, native = "bandiradar", record["id"]
    scope = record.get("geo_scope")
    if scope == "eu":  # TED notices: open to bidders from the whole EU
        territory = "EU"
    else:
        territory = territory_from_regions([record["region"]] if scope == "regional" else [])
    summary = unescape(record.get("summary"))
    body = unescape(record.get("eligibility_text"))
    deadline, known = instant(record.get("deadline"), IT_TZ)
    facts = labelled(
        ("Ente", unescape(record.get("issuer_name"))),
        ("Temi", record.get("keywords")),
        ("CPV", record.get("cpv")),
    )
    return row(
        portal, native, unescape(record["title"]), url=record.get("source_url") or "",
        language="it", territory=territory, tz=IT_TZ,
        deadlines=[deadline] if deadline else [], deadline_time_known=known,
        budget_eur=record.get("value_amount"), summary=shorten(summary or body),
        text=lines(summary if summary and not body.startswith(summary[:60]) else "", body, facts),
        kind="procurement" if record["kind"] == "tender" else "call",
        topics=list(record.get("keywords") or []),
    )  # fmt: skip


def incentivi_row(doc: dict) -> dict[str, Any]:
    """An incentivi.gov.it Solr document (the MIMIT catalogue) as an import row."""
    regions = doc.get("zm_field_regions_value") or []
    subjects = doc.get("zm_field_subject_type_value") or []
    body = html_to_text(doc.get("zs_body"))
    deadline, known = instant(doc.get("zs_field_close_date"), IT_TZ)
    facts = labelled(
        ("Apertura e chiusura", doc.get("zs_field_close_date_descriptor")),
        ("Soggetto concedente", doc.get("zs_field_subject_grant")),
        ("Beneficiari", subjects),
        ("Dimensioni", doc.get("zm_field_dimensions_value")),
        ("Regioni", regions),
    )
    budget = doc.get("zs_field_budget_allocation") or ""
    return row(
        "incentivi_gov", doc["zs_nid"], " ".join(doc["zs_title"].split()),
        url=INCENTIVI_SITE + doc["zs_url"] if doc.get("zs_url") else "",
        links=[doc["zs_field_link"]] if doc.get("zs_field_link") else [],
        language="it", territory=territory_from_regions(regions), tz=IT_TZ,
        opening=instant(doc.get("zs_field_open_date"), IT_TZ)[0],
        deadlines=[deadline] if deadline else [], deadline_time_known=known,
        budget_eur=float(budget) if re.fullmatch(r"\d+(\.\d+)?", budget) else None,
        beneficiaries=subjects, public_bodies_eligible=public_bodies_eligible(subjects),
        summary=shorten(body), text=lines(body, facts),
        topics=list(doc.get("zm_field_scopes_value") or []),
    )  # fmt: skip


def plone_row(item: dict) -> dict[str, Any]:
    """A Regione Emilia-Romagna Plone `Bando` item as an import row.

    "In corso" (inProgress) means the application window is over and the procedure runs.
    """
    deadline, known = instant(item.get("scadenza_bando"), IT_TZ)
    receivers = list(item.get("destinatari") or [])
    kind = "register" if item.get("tipologia_bando") == "Accreditamenti, albi, elenchi" else "call"
    facts = labelled(
        ("Tipologia", item.get("tipologia_bando")),
        ("Destinatari", receivers),
        ("Materie", item.get("materie")),
    )
    state = (item.get("bando_state") or [""])[0]
    return row(
        "emilia_romagna", item["UID"], " ".join(item["title"].split()), url=item["@id"],
        language="it", territory="Emilia-Romagna", tz=IT_TZ,
        opening=instant(item.get("apertura_bando"), IT_TZ)[0],
        deadlines=[deadline] if deadline else [], deadline_time_known=known,
        beneficiaries=receivers, public_bodies_eligible=public_bodies_eligible(receivers),
        summary=" ".join((item.get("description") or "").split()),
        text=lines(item.get("description"), html_to_text((item.get("text") or {}).get("data")),
                   facts),
        kind=kind, status_hint="closed" if state in ("inProgress", "closed") else None,
        topics=list(item.get("materie") or []),
    )  # fmt: skip


def pnrr_row(record: dict[str, str]) -> dict[str, Any]:
    """A row of the Italia Domani "PNRR Bandi e Avvisi" CSV (keys stripped) as an import row."""
    title = " ".join(record["Titolo Bando o Avviso"].split())
    code = record["Codice Univoco Submisura"]
    measure = " ".join(record["Descrizione Submisura"].split())
    receivers = " ".join(record["Destinatari del Bando o dell’Avviso"].split())
    links = re.findall(r"https?://\S+", record["Link al bando"])
    closing = it_day(record["Data chiusura effettiva bando"])
    amount = record["Importo previsto PNRR"].replace(",", ".")
    text = labelled(
        ("Misura PNRR", f"{code} – {measure}"),
        ("Soggetto emanante", record["Soggetto emanante"]),
        ("Destinatari", receivers),
        ("CIG", record["CIG"]),
    )
    if record["CIG"] or _TENDER.search(title) or re.match(r"fornitura\b", title, re.I):
        kind = "procurement"
    elif _RECRUITMENT.search(title):
        kind = "recruitment"
    else:
        kind = "call"
    return row(
        "italiadomani", record["Numero seriale"], title,
        url=links[0] if links else ITALIADOMANI_PAGE,
        language="it", territory="Italia", tz=IT_TZ, programme=f"PNRR – {code}",
        opening=it_day(record["Data apertura bando"]), deadlines=[closing] if closing else [],
        deadline_time_known=not closing,  # the file gives dates only
        budget_eur=float(amount) if re.fullmatch(r"\d+(\.\d+)?", amount) else None,
        beneficiaries=[receivers] if receivers else [],
        summary=f"{measure}. Destinatari: {receivers}" if receivers else measure, text=text,
        kind=kind, status_hint="open_ended" if record["Fino ad esaurimento risorse"] == "SI"
        and not closing else None,
    )  # fmt: skip


def padigitale_row(record: dict[str, Any]) -> dict[str, Any]:
    """A PA digitale 2026 avviso (data/avvisi.csv) as an import row; the id is the title and
    opening-date hash our padigitale scraper gives it (the file has no ids)."""
    title = " ".join(record["titolo"].split())
    opening = date.fromisoformat(record["data_inizio_bando"])
    receivers = [r.strip() for r in record["soggetti_destinatari"].split(";") if r.strip()]
    measure = " ".join(record["misura"].split())
    closing = instant(record["data_fine_bando"], IT_TZ)[0]
    text = labelled(
        ("Misura PNRR", measure),
        ("Destinatari", receivers),
        ("Ente promotore", "Dipartimento per la trasformazione digitale"),
        ("Stato secondo la fonte", record["stato"]),
    )
    return row(
        "padigitale", title_date_id(title, opening), title, url=PADIGITALE_PAGE,
        language="it", territory="Italia", tz=IT_TZ, programme="PNRR – PA digitale 2026 (M1C1)",
        opening=local_midnight(opening, IT_TZ).isoformat(), deadlines=[closing] if closing else [],
        deadline_time_known=not closing,  # the file gives dates only
        budget_eur=float(record["totale_importo_stanziato"] or 0) or None,
        beneficiaries=receivers, public_bodies_eligible=public_bodies_eligible(receivers),
        summary=f"{measure}. Destinatari: {', '.join(receivers)}", text=text,
        status_hint="closed" if record["stato"].upper() in ("TERMINATO", "CHIUSO") else None,
    )  # fmt: skip


# --- the corpus ---------------------------------------------------------------------------------


def pnrr_measure(code: str) -> str:
    """ "M1C1I1.04.03" -> "1.4.3": the investment number PA digitale 2026 titles start with."""
    match = re.search(r"I(\d+)\.(\d+)\.(\d+)$", code)
    if not match:
        return ""
    parts = [str(int(p)) for p in match.groups()]
    while len(parts) > 2 and parts[-1] == "0":
        parts.pop()
    return ".".join(parts)


def same_padigitale_call(pnrr: dict[str, Any], pad: dict[str, Any]) -> float:
    """How alike a PNRR row and a PA digitale avviso are: 0 when measure or opening differ,
    else the overlap of their title words (Jaccard)."""
    code = pnrr["programme"].removeprefix("PNRR – ")
    measure = pad["title"].split()[0]
    if pnrr_measure(code) != measure or pnrr["opening"] != pad["opening"]:
        return 0.0
    words = [set(normalize_title(r["title"]).split()) - {"avviso", "misura"} for r in (pnrr, pad)]
    return len(words[0] & words[1]) / len(words[0] | words[1])


def build(shared: Path) -> tuple[list[dict[str, Any]], Counter[str]]:
    """Every call of the frozen corpus, duplicates merged, sorted by id; and counts per step."""
    stats: Counter[str] = Counter()
    rows = eu_rows(shared / "corpus", stats)
    rows.update(italian_rows(shared / "corpus", shared / "samples", stats))
    stats["total"] = len(rows)
    return [rows[key] for key in sorted(rows)], stats


def eu_rows(corpus: Path, stats: Counter[str]) -> dict[str, dict[str, Any]]:
    """eu-grants-feed (newer snapshot wins) + full Horizon texts + eufundingme-only topics."""
    rows: dict[str, dict[str, Any]] = {}
    feeds = [json.loads(p.read_text("utf-8")) for p in sorted(corpus.glob("eu-grants-feed/*.json"))]
    for feed in sorted(feeds, key=lambda f: f["generatedAt"]):
        for record in feed["grants"]:
            new = feed_row(record)
            rows[new["id"]] = new
    stats["eu-grants-feed"] = len(rows)
    dss = (corpus / "eu-funding-dss-horizon" / "calls_seed_clean.csv").read_text("utf-8-sig")
    for record in csv.DictReader(io.StringIO(dss, newline=""), delimiter=";"):
        key = f"eu_ftop:{record['call_id'].strip()}"
        if key in rows:
            rows[key] = dss_merge(rows[key], record)
            stats["dss merged into feed"] += 1
        else:
            stats["dss without feed record (skipped)"] += 1
    seed = json.loads((corpus / "eufundingme-seed" / "grant-index.seed.json").read_text("utf-8"))
    for record in seed["grants"]:
        if record.get("source_language") != "en":
            stats["eufundingme not English (skipped)"] += 1
        elif f"eu_ftop:{record['id'].strip()}" in rows:
            stats["eufundingme already in feed (skipped)"] += 1
        elif (topic := eufundingme_row(record)) is None:
            stats["eufundingme without topic id (skipped)"] += 1
        else:
            rows[topic["id"]] = topic
            stats["eufundingme added"] += 1
    return rows


def italian_rows(corpus: Path, samples: Path, stats: Counter[str]) -> dict[str, dict[str, Any]]:
    """Samples (incentivi.gov.it, Emilia-Romagna), bandiradar, PA digitale 2026, Italia Domani."""
    incentivi = json.loads((samples / "incentivi-gov-it" / "incentivi.json").read_text("utf-8"))
    plone_file = samples / "regione-emilia-romagna-plone" / "emilia_romagna.json"
    plone = json.loads(plone_file.read_text("utf-8"))
    rows = {r["id"]: r for r in map(incentivi_row, incentivi["docs"])}
    rows.update({r["id"]: r for r in map(plone_row, plone["items"])})
    stats["incentivi.gov.it sample"] = len(incentivi["docs"])
    stats["emilia-romagna sample"] = len(plone["items"])
    with (corpus / "bandiradar-eval" / "opportunities.jsonl").open(encoding="utf-8") as lines_in:
        for line in lines_in:
            new = bandiradar_row(json.loads(line))
            if new["id"] in rows:  # the raw sample record is richer: keep it, add the link
                merge_into(rows[new["id"]], new)
                stats["bandiradar already in a sample (merged)"] += 1
            else:
                rows[new["id"]] = new
                stats["bandiradar added"] += 1

    pnrr_text = (corpus / "pnrr-italiadomani" / "PNRR_Bandi_e_Avvisi.csv").read_text("utf-8-sig")
    reader = csv.DictReader(io.StringIO(pnrr_text, newline=""), delimiter=";")
    pnrr = [pnrr_row({k.strip(): (v or "").strip() for k, v in r.items()}) for r in reader]
    lots: dict[tuple[str, str | None], dict[str, Any]] = {}
    for new in sorted(pnrr, key=lambda r: int(r["native_id"])):
        key = (normalize_title(new["title"]), new["opening"])
        if key in lots:  # the lots of one tender repeat its title and opening: one call
            merge_into(lots[key], new)
            stats["pnrr lots merged"] += 1
        else:
            lots[key] = new
    pad_csv = (samples / "padigitale2026" / "avvisi.csv").read_text("utf-8-sig")
    pads = [padigitale_row(r) for r in csv.DictReader(io.StringIO(pad_csv, newline=""))]
    rows.update({r["id"]: r for r in pads})
    stats["padigitale avvisi"] = len(pads)
    for new in lots.values():  # PA digitale lists the same M1C1 avvisi with later dates: it wins
        score, match = max(((same_padigitale_call(new, p), p) for p in pads), key=lambda x: x[0])
        if score >= 0.1:
            merge_into(rows[match["id"]], new)
            stats["pnrr merged into padigitale"] += 1
        else:
            rows[new["id"]] = new
            stats["pnrr added"] += 1
    return rows


def write_jsonl(rows: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for item in rows:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")


# --- the judgments ------------------------------------------------------------------------------


def read_notes(path: Path) -> dict[str, dict[str, int]]:
    """notes.jsonl ({theme, id, grade, reason} per line) as {theme: {id: grade}}.

    ValueError for an unknown theme, a grade outside 0-2, a missing reason or a call judged twice
    for the same theme.
    """
    judgments: dict[str, dict[str, int]] = {theme: {} for theme in THEMES}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        note = json.loads(line)
        theme, call_id, grade = note["theme"], note["id"], note["grade"]
        if theme not in judgments or grade not in (0, 1, 2) or not note.get("reason"):
            raise ValueError(f"{path}:{number}: bad judgment {note}")
        if call_id in judgments[theme]:
            raise ValueError(f"{path}:{number}: {call_id} judged twice for {theme}")
        judgments[theme][call_id] = grade
    return {theme: dict(sorted(grades.items())) for theme, grades in judgments.items()}


def split(
    judgments: dict[str, dict[str, int]],
    languages: dict[str, str],
    fixed: dict[str, str] | None = None,
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Deterministic ~50/50 development/test split by call.

    All of a call's judgments go to the same part. A call already in a part (`fixed`: id ->
    "dev" or "test", from the split files as they are) stays there, so adding judgments never
    moves a call that was tuned on into the test part. The other calls are ordered by stratum
    (language and the grade given for each theme) and then by a hash of the id, and dealt
    alternately: each stratum is split evenly (±1).
    """
    fixed = fixed or {}
    calls = sorted({call_id for grades in judgments.values() for call_id in grades} - set(fixed))

    def stratum(call_id: str) -> tuple:
        grades = tuple(judgments[theme].get(call_id, -1) for theme in THEMES)
        digest = hashlib.sha256(call_id.encode("utf-8")).hexdigest()
        return (languages[call_id], grades, digest)

    dev_ids = {call_id for n, call_id in enumerate(sorted(calls, key=stratum)) if n % 2 == 0}
    dev_ids |= {call_id for call_id, part in fixed.items() if part == "dev"}
    dev = {t: {i: g for i, g in grades.items() if i in dev_ids} for t, grades in judgments.items()}
    test = {
        t: {i: g for i, g in grades.items() if i not in dev_ids} for t, grades in judgments.items()
    }
    return dev, test


def write_json(value: Any, path: Path) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("corpus", "split"))
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--judgments", type=Path, default=JUDGMENTS, help="judgments folder")
    parser.add_argument("--fresh", action="store_true", help="split anew, ignoring the parts "
                        "calls are already in")  # fmt: skip
    args = parser.parse_args(argv)
    calls_path = args.judgments / "calls.jsonl"
    if args.step == "corpus":
        rows, stats = build(args.shared)
        write_jsonl(rows, calls_path)
        for key, value in stats.items():
            print(f"{key}: {value}", file=sys.stderr)
        print(f"{len(rows)} calls written to {calls_path}", file=sys.stderr)
        return 0
    languages = {}
    with calls_path.open(encoding="utf-8") as lines_in:
        for line in lines_in:
            call = json.loads(line)
            languages[call["id"]] = call["language"]
    judgments = read_notes(args.judgments / "notes.jsonl")
    missing = sorted({i for grades in judgments.values() for i in grades} - set(languages))
    if missing:
        print(f"judged ids not in {calls_path}: {', '.join(missing)}", file=sys.stderr)
        return 1
    fixed = {}
    for part in ("dev", "test"):
        path = args.judgments / f"{part}.json"
        if path.exists() and not args.fresh:
            for grades in json.loads(path.read_text(encoding="utf-8")).values():
                fixed.update(dict.fromkeys(grades, part))
    dev, test = split(judgments, languages, fixed)
    write_json(judgments, args.judgments / "all.json")
    write_json(dev, args.judgments / "dev.json")
    write_json(test, args.judgments / "test.json")
    for theme in THEMES:
        print(f"{theme}: {len(dev[theme])} dev, {len(test[theme])} test", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
