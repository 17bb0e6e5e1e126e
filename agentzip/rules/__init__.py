"""The rule families; importing this package registers every rule."""

from agentzip.rules import archive, binaries, closure, definition, dependencies, hygiene, layout, size, sources  # noqa: F401
