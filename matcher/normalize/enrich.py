"""What every call gets on its way in, whatever its portal: facts read from the call itself."""

from __future__ import annotations

from dataclasses import replace

from matcher.models import Call
from matcher.normalize.territory import external_territory


def enriched(call: Call) -> Call:
    """The call with the territory of an EU external-action call set to the partner countries."""
    if call.territory in ("EU", ""):
        outside = external_territory(call.native_id, call.programme, call.text)
        if outside:
            return replace(call, territory=outside)
    return call
