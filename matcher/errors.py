"""The project's exception hierarchy: callers catch MatcherError, the CLI prints its message."""

from __future__ import annotations


class MatcherError(Exception):
    """Base class of every error the tool reports to a user."""


class ScrapeError(MatcherError):
    """A portal could not be read: failed request, unexpected shape, suspicious listing."""


class ConfigError(MatcherError):
    """A configuration file is missing or invalid (the message names file, line and field)."""


class StoreError(MatcherError):
    """The database cannot be opened or is not a Territorio Smart Matcher database."""


class ImportFileError(MatcherError):
    """A file given to `matcher import` cannot be read at all."""


class ReviewError(MatcherError):
    """A review decision that cannot be recorded (unknown call, decision or theme; no reviewer)."""


class DigestError(MatcherError):
    """A digest cannot be sent: no SMTP settings, the server refused the login or the e-mail."""
