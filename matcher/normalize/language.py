"""Italian or English, from stop-word counts: enough for calls, which are one or the other."""

from __future__ import annotations

import re

__all__ = ["detect_language"]

# Frequent function words that exist in only one of the two languages ("a", "in" and "e" are
# left out: they are common in both).
_IT = frozenset(
    "il lo la gli le di del dello della dei degli delle che per con non un una uno sono è alla al"
    " allo alle ai nel nella nei nelle da dal dalla dai dalle sul sulla tra fra come anche più"
    " questo questa sono essere ed o ogni entro bando avviso domande contributi dell nell all dall"
    " sull".split()
)
_EN = frozenset(
    "the of and to for is are with on by be this that from at an or will which it its as have has"
    " not who their should must can all may call proposals applicants funding".split()
)
_WORD = re.compile(r"[^\W\d_]+")  # "dell'avviso" counts as "dell" + "avviso"


def detect_language(text: str) -> str:
    """'it' or 'en' for `text`, by counting stop words of each language.

    Empty text, or a tie, gives 'it': everything this is used for comes from Italian portals,
    whose short fields (a title of proper names) are Italian more often than not.
    """
    if not text:
        return "it"
    it = en = 0
    for word in _WORD.findall(text.lower()):
        if word in _IT:
            it += 1
        elif word in _EN:
            en += 1
    return "en" if en > it else "it"
