"""Normalisation of what portals publish: dates, amounts, kinds, language, territory, ids,
eligibility, time zones and text. Import the submodule you need: the package itself imports
nothing, so the store can use the time zones without pulling in HTML or Italian-text parsing."""
