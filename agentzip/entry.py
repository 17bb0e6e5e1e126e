"""The console script: `agentzip --version` answers before click is imported; the rest is the CLI."""

from __future__ import annotations

import sys

# click's version_option prints exactly this; the full CLI still answers `-V` among other flags.
VERSION_FLAGS = (["-V"], ["--version"])


def run() -> None:
    """`agentzip ...`: the version alone costs an interpreter start and one small import."""
    if sys.argv[1:] in VERSION_FLAGS:
        from agentzip import __version__

        sys.stdout.write(f"agentzip, version {__version__}\n")
        return
    from agentzip.cli import main

    main()
