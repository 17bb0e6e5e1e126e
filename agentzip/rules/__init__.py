"""The rule families; importing this package registers every rule."""

from agentzip.rules import hygiene, layout, size  # noqa: F401
