"""Settings: runtime, mode, entry point and glibc floor from flags, config and the agent definition."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentzip.errors import UsageError

PYTHON_RUNTIMES: dict[str, tuple[int, int]] = {"python_3_13": (3, 13), "python_3_14": (3, 14)}
MODES = ("remote_build", "bundled")


@dataclass(frozen=True)
class Settings:
    """The resolved target of a build, and where each value came from (for the summary)."""

    runtime: str
    mode: str
    entry_point: tuple[str, ...]
    python_version: tuple[int, int]
    sources: dict[str, str]  # "mode" -> "flag" | "config" | "azure.yaml (service a)" | "default"
    src: Path = Path(".")  # the folder to build: SRC, or the `project:` its azure.yaml names
    glibc: tuple[int, int] = (2, 17)

    @property
    def entry_file(self) -> str:
        """The file `python main.py` runs, relative to the zip root."""
        args = [a for a in self.entry_point[1:] if not a.startswith("-")]
        if self.entry_point[0] not in ("python", "python3"):
            args = list(self.entry_point)
        return args[0] if args else "main.py"


def resolve(
    src: Path,
    runtime: str | None,
    mode: str | None,
    entry_point: str | None,
    *,
    glibc: tuple[int, int] | None = None,
    config: str | os.PathLike[str] | None = None,
    no_config: bool = False,
    definition: str | os.PathLike[str] | None = None,
    service: str | None = None,
) -> Settings:
    """Flags win, then the config file, then the agent definition, as `check` resolves them.

    The definition is found the way `check` finds it (validator.definition.resolve): an azure.yaml
    in SRC names the folder to build with its service's `project:`. The runtime defaults to
    python_3_13, the mode to bundled (the documented build), the glibc floor to 2.17.
    """
    from agentzip.validator import config as config_file
    from agentzip.validator import definition as definition_file

    found = definition_file.resolve(src, definition=definition, service=service)
    if len(found) > 1:
        names = ", ".join(d.service or "" for _, d in found if d is not None)
        raise UsageError(f"{src} defines several agents ({names}): choose one with --service")
    folder, defn = found[0]
    cfg = config_file.load(folder, config=config, no_config=no_config)
    origin = defn.describe() if defn is not None else "definition"
    sources: dict[str, str] = {}

    def pick(key: str, *candidates: tuple[object, str], default: object) -> Any:
        for value, where in candidates:
            if value:
                sources[key] = where
                return value
        sources[key] = "default"
        return default

    d_entry = defn.entry_point if defn is not None else None
    runtime = pick(
        "runtime", (runtime, "flag"), (cfg.runtime, "config"), (defn and defn.runtime, origin), default="python_3_13"
    )
    if runtime not in PYTHON_RUNTIMES:
        raise UsageError(
            f"agentzip build makes Python bundles; the runtime is {runtime!r} (choose {' or '.join(PYTHON_RUNTIMES)})"
        )
    # The documented build (FOUNDRY.md) is the bundled one; the summary says it was a default.
    mode = pick(
        "mode", (mode, "flag"), (cfg.mode, "config"), (defn and defn.dependency_resolution, origin), default="bundled"
    )
    if mode not in MODES:
        raise UsageError(f"unknown dependency resolution {mode!r} (choose remote_build or bundled)")
    raw = pick("entry_point", (entry_point, "flag"), (cfg.entry_point, "config"), (d_entry, origin), default="main.py")
    entry = [str(a) for a in raw] if isinstance(raw, list) else str(raw).split()
    if len(entry) == 1:
        entry = ["python", entry[0]]  # azd's one-file entryPoint: it prefixes the runner
    floor = pick("glibc", (glibc, "flag"), (cfg.glibc_floor, "config"), default=(2, 17))
    return Settings(runtime, mode, tuple(entry), PYTHON_RUNTIMES[runtime], sources, Path(folder), floor)
