"""EU Funding & Tenders programme names: SEDIA `frameworkProgramme` id -> label."""

from __future__ import annotations

import re
from urllib.parse import unquote

# Built once from the REAL facet values recorded in /work/shared/corpus/eu-grants-feed/
# (grants_2026-03-14.json and grants_2026-08-22.json, `facets.frameworkProgramme`, apiVersions
# 2.145.3 and 2.151; the later file wins, no id had two labels). Labels cleaned with clean_label():
# the facet API returns some of them URL-encoded ("Coal %26 Steel") and with stray spaces.
# Regenerate with:
#
#   import json
#   table = {}
#   for name in ("grants_2026-03-14.json", "grants_2026-08-22.json"):
#       feed = json.load(open(f"/work/shared/corpus/eu-grants-feed/{name}", encoding="utf-8"))
#       for v in feed["facets"]["frameworkProgramme"]:
#           table[v["rawValue"]] = clean_label(v["value"])
#   for k in sorted(table, key=int):
#       print(f"    {k!r}: {table[k]!r},")
PROGRAMMES: dict[str, str] = {
    "111111": "EU External Action - Prospect (RELEX-PROSPECT)",
    "31045243": "Horizon 2020 Framework Programme (H2020 - 2014-2020)",
    "31059643": (
        "Programme for the Competitiveness of Enterprises and small and medium-sized enterprises"
        " (COSME - 2014-2020)"
    ),
    "42810547": "Europe Direct (ED - 2014-2020)",
    "43089234": "Innovation Fund (INNOVFUND)",
    "43108390": "Horizon Europe (HORIZON)",
    "43152860": "Digital Europe Programme (DIGITAL)",
    "43251567": "Connecting Europe Facility (CEF)",
    "43251589": "Citizens, Equality, Rights and Values Programme (CERV)",
    "43251814": "Creative Europe Programme (CREA)",
    "43251842": "Union Anti-fraud Programme (EUAF)",
    "43252368": "Internal Security Fund (ISF)",
    "43252386": "Justice Programme (JUST)",
    "43252405": "Programme for the Environment and Climate Action (LIFE)",
    "43252433": "Programme for the Protection of the Euro against Counterfeiting (PERICLES IV)",
    "43252449": "Research Fund for Coal & Steel (RFCS)",
    "43252476": "Single Market Programme (SMP)",
    "43252517": "Social Prerogative and Specific Competencies Lines (SOCPL)",
    "43253967": "Renewable Energy Financing Mechanism (RENEWFM)",
    "43254019": "European Social Fund (ESF)",
    "43254037": "European Solidarity Corps (ESC)",
    "43298203": "Union Civil Protection Mechanism (UCPM)",
    "43298664": "Promotion of Agricultural Products (AGRIP)",
    "43298916": "Euratom Research and Training Programme (EURATOM)",
    "43353764": "Erasmus (ERASMUS)",
    "43392145": "European Maritime, Fisheries and Aquaculture Fund (EMFAF)",
    "43637601": "Pilot Projects & Preparation Actions (PPPA)",
    "43697167": "European Parliament (EP)",
    "44181033": "European Defence Fund (EDF)",
    "44416173": "Interregional Innovation Investments Instrument (I3)",
    "44773066": "Just Transition Mechanism (JTM)",
    "45532249": "EU Bodies and Agencies (EUBA)",
    "45876777": (
        "Neighbourhood, Development and International Cooperation Instrument"
        " – Global Europe (NDICI)"
    ),
    "46324255": "Technical assistance for ERDF, CF and JTF (ERDF-TA)",
}

_SPACES = re.compile(r"\s+")


def clean_label(label: str) -> str:
    """A facet label as a reader expects it: URL escapes decoded, spaces collapsed."""
    return _SPACES.sub(" ", unquote(label)).replace(" )", ")").strip()


def programme_name(programme_id: str) -> str:
    """The programme's name for a SEDIA id; an unknown id is returned unchanged."""
    return PROGRAMMES.get(programme_id.strip(), programme_id.strip())
