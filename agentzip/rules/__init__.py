"""The rule families; importing this package registers every rule."""

from agentzip.rules import (  # noqa: F401
    archive,
    artifacts,
    binaries,
    bytecode,
    closure,
    definition,
    dependencies,
    devtools,
    dotnet,
    dotnet_publish,
    hygiene,
    imports,
    layout,
    remote,
    runtime,
    secrets,
    shadowing,
    size,
)
