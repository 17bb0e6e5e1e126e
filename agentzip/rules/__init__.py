"""The rule families; importing this package registers every rule."""

from agentzip.rules import archive, hygiene, layout, size  # noqa: F401
