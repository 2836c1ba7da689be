"""Territorio Smart Matcher: find the EU and Italian funding calls worth applying for."""

__version__ = "0.1.0"
