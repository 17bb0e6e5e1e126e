"""The rule families; importing this package registers every rule."""

from agentzip.rules import (  # noqa: F401
    archive,
    artifacts,
    binaries,
    definition,
    dependencies,
    hygiene,
    layout,
    remote,
    size,
    sources,
)
