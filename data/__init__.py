"""Bundled data (themes, sources, demo snapshot), installed as the package `matcher_data`."""
