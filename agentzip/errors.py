"""The one error hierarchy; the CLI maps it to exit codes, users never see a traceback."""

from __future__ import annotations


class AgentzipError(Exception):
    """Base of every error agentzip raises on purpose."""

    exit_code = 2


class UsageError(AgentzipError):
    """Bad flags, a bad config value, an input that does not exist: exit 2."""


class ArchiveError(AgentzipError):
    """A member of an archive cannot be read (corrupt data, unsupported method, limits)."""


class BuildError(AgentzipError):
    """`agentzip build` could not produce a zip (installer failure, no suitable wheel)."""

    exit_code = 1
