"""The platform's facts in one place (FOUNDRY.md): runtimes, modes, glibc floor, size limit, paths, port.

Rules, the builder, the CLI's choices and explain read these names; nothing else spells them.
"""

from __future__ import annotations

# Exactly these runtimes are accepted; the older SDK names are not.
PYTHON_RUNTIMES: dict[str, tuple[int, int]] = {"python_3_13": (3, 13), "python_3_14": (3, 14)}
DOTNET_RUNTIMES: dict[str, int] = {"dotnet_10": 10}
RUNTIMES: tuple[str, ...] = (*PYTHON_RUNTIMES, *DOTNET_RUNTIMES)
DEFAULT_RUNTIME = "python_3_13"

# Dependency resolution: the service installs requirements.txt, or the zip runs as is.
REMOTE_BUILD, BUNDLED = "remote_build", "bundled"
MODES: tuple[str, ...] = (REMOTE_BUILD, BUNDLED)

# Linux x86_64, and manylinux2014 (glibc 2.17) is the only promise the platform makes.
ARCH = "x86_64"
DEFAULT_GLIBC: tuple[int, int] = (2, 17)

# Clients enforce 250 * 1024 * 1024 bytes on the code zip.
SIZE_LIMIT = 250 * 1024 * 1024

# Bundled mode: dependencies pre-installed into this folder at the zip root.
PACKAGES = "packages"
REQUIREMENTS = "requirements.txt"
DEFAULT_ENTRY_FILE = "main.py"

# Environment variables the service sets or reserves; a definition must not set them.
RESERVED_ENV_PREFIXES: tuple[str, ...] = ("FOUNDRY_", "AGENT_")
INJECTED_ENV = frozenset(
    {
        "FOUNDRY_PROJECT_ENDPOINT",
        "FOUNDRY_AGENT_ID",
        "FOUNDRY_AGENT_NAME",
        "FOUNDRY_AGENT_VERSION",
        "FOUNDRY_AGENT_SESSION_ID",
    }
)

# The agent listens here (or on $PORT), plain HTTP.
PORT = 8088
