"""The console script: two command lines answer before click is imported; the rest is the CLI.

`agentzip --version`, and `agentzip check [PATH...]` with no flag (what the pre-commit hooks run):
click alone costs several interpreter starts, and a hook runs on every commit.
"""

from __future__ import annotations

import sys

# click's version_option prints exactly this; the full CLI still answers `-V` among other flags.
VERSION_FLAGS = (["-V"], ["--version"])


def run() -> None:
    """`agentzip ...`: the version alone costs an interpreter start and one small import."""
    args = sys.argv[1:]
    if args in VERSION_FLAGS:
        from agentzip import __version__

        sys.stdout.write(f"agentzip, version {__version__}\n")
        return
    from agentzip.cli.checkrun import is_plain, quick

    if is_plain(args):
        quick(args)
    from agentzip.cli.group import main

    main()
