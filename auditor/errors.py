"""One tree of errors, each carrying a message a user can act on; the CLI turns them into exit code 2."""

from __future__ import annotations


class AuditorError(Exception):
    """Base of every error we raise on purpose; its message is shown to the user as one line."""

    exit_code = 2


class ConfigError(AuditorError):
    """The configuration file is missing, unreadable or invalid (names the file, field and reason)."""


class InputError(AuditorError):
    """A target given on the command line cannot be audited (missing, empty, binary, unreachable)."""


class FetchError(AuditorError):
    """A single URL could not be fetched; inside a crawl it becomes a finding instead."""


class RuleError(AuditorError):
    """A rule pack is invalid (names the file, the rule id and the reason)."""


class StoreError(AuditorError):
    """The run store cannot be opened or written."""


class UnsafeTargetError(FetchError):
    """A URL resolves to a private, loopback, link-local or metadata address that config does not allow."""
