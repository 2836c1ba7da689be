"""Whether a public body may apply, read from the beneficiaries ("destinatari") a portal lists."""

from __future__ import annotations

import re

from matcher.normalize.text import plain

__all__ = ["public_bodies_eligible"]

# Matched on lower-case text without accents ("città" -> "citta") and with straight apostrophes.
# Public bodies: local, regional and central administrations and the public bodies of health,
# education, research and commerce, in Italian and English.
_PUBLIC = re.compile(
    r"\bcomun[ei]\b|\bcomunita montan|\bent[ei] (?:local|pubblic|territorial|regional|di governo)"
    r"|\bprovinc(?:e|ie)\b|\bprovincia autonoma|\bcitta metropolitan|\bregioni\b|^regione\b"
    r"|\bamministrazion[ei]\b|\bpa\b|\bsoggetti,? pubblic|\bpubblici [eo] privati"
    r"|\bcamer[ae] di commercio|\basl\b|\baziend[ae] (?:sanitari|ospedalier)|\bzooprofilattic"
    r"|\bscuol[ae]\b|\bistitu(?:ti|zioni) scolastic|\buniversit|\bagenzi[ae] regional"
    r"|\bambiti territorial|\begato\b|\bautorita\b"
    # The consolidated law on local authorities: "Consorzi ex art. 31 d.lgs. 267/2000" are
    # consortia of comuni, not of firms.
    r"|\b267/2000\b"
    r"|\bpublic (?:authorit|bod|administration|entit|sector)|\bauthorit(?:y|ies)\b"
    r"|\bmunicipalit|\bcit(?:y|ies)\b|\blocal government|\bschools?\b|\bchambers? of commerce"
)
# Applicants that are never a public body: firms, people, professions, the third sector.
# "Consorzio" is a consortium of firms in the incentives' subject types.
_PRIVATE = re.compile(
    r"\bimpres[ae]\b|\bimprenditor|\bm?pmi\b|\bstart ?-?ups?\b|\bspin ?-?offs?\b|\boperator[ei]\b"
    r"|\bconcessionari|\bcooperativ[ae]\b|\bconsorzi[o]?\b|\bprofessionist[ai]\b|\bpersone? fisic"
    r"|\bindividu[io]\b|\bcittadin[io]\b|\bdonne\b|\bgiovani\b|\bstudenti\b|\bfamiglie\b"
    r"|\besperti\b|\bricercator[ei]\b|\bterzo settore\b|\bassociazion[ei]\b|\bnon? ?-?profit\b"
    r"|\bonlus\b|\bprivat[ie]\b"
    r"|\benterprises?\b|\bcompan(?:y|ies)\b|\bbusiness(?:es)?\b|\bsmes?\b|\bindividuals?\b"
    r"|\bcitizens?\b|\bresearchers?\b|\bprofessionals?\b|\bngos?\b|\boperators?\b|\bprivate\b"
    r"|\bcivil society\b"
)
# Research organisations may be public (universities, public research bodies) or private: an
# entry naming one beside firms ("imprese e organismi di ricerca") is not clearly private.
_EITHER = re.compile(
    r"\b(?:organism|centr|ent|istitut)[aioe] (?:\w+ )?di ricerca\b|\bresearch organi[sz]ations?\b"
)


def public_bodies_eligible(beneficiaries: list[str]) -> bool | None:
    """True when a public body is named; False when every entry is clearly private; else None.

    None also for an empty list: the portal did not say who may apply.
    """
    entries = [plain(entry) for entry in beneficiaries]
    entries = [entry for entry in entries if entry]
    if not entries:
        return None
    if any(_PUBLIC.search(entry) for entry in entries):
        return True
    if all(_PRIVATE.search(entry) and not _EITHER.search(entry) for entry in entries):
        return False
    return None
