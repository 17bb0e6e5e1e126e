"""The rule families; importing this package registers every rule."""

import agentzip.rules.dotnet
import agentzip.rules.dotnet_publish  # noqa: F401
from agentzip.rules import archive, binaries, definition, dependencies, hygiene, layout, size, sources  # noqa: F401
