"""Settings: the target a build makes, settled by `api.contexts()` as `check` settles it, with build's defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from agentzip.errors import UsageError
from agentzip.foundry import (
    BUNDLED,
    DEFAULT_ENTRY_FILE,
    DEFAULT_GLIBC,
    DEFAULT_RUNTIME,
    DOTNET_RUNTIMES,
    MODES,
    PYTHON_RUNTIMES,
)
from agentzip.settings import CheckRequest, Origin

# The runtimes `build` can make a zip for: the one place another runtime is refused.
BUILDABLE_RUNTIMES: tuple[str, ...] = (*PYTHON_RUNTIMES, *DOTNET_RUNTIMES)
# What `build` makes when nothing says otherwise: the documented bundled build (FOUNDRY.md).
# `check` infers these from the bundle instead; a folder to build has no packages/ yet.
BUILD_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {"runtime": DEFAULT_RUNTIME, "mode": BUNDLED, "entry_point": DEFAULT_ENTRY_FILE}
)
# A .NET folder (or a .NET runtime given): the runtime and entry point are inferred as `check` does.
DOTNET_BUILD_DEFAULTS: Mapping[str, Any] = MappingProxyType({"mode": BUNDLED})

if TYPE_CHECKING:
    from agentzip.api import Settled

GIVEN = ("flag", "config")  # origins that override the definition


@dataclass(frozen=True)
class Settings:
    """The resolved target of a build, and where each value came from (for the summary)."""

    runtime: str
    mode: str
    entry_point: tuple[str, ...]
    python_version: tuple[int, int]
    # "runtime", "mode", "entry_point", "glibc_floor" -> "flag" | "config" | "azure.yaml (service a)" | "default"
    sources: Mapping[str, Origin]
    src: Path = Path(".")  # the folder to build: SRC, or the `project:` its azure.yaml names
    glibc: tuple[int, int] = DEFAULT_GLIBC
    entry_file: str = DEFAULT_ENTRY_FILE  # the file the entry point runs, relative to the zip root
    mode_note: str = ""  # which mode and why, in the words check's report uses (api.mode_note)

    def describe(self) -> str:
        """'python_3_13 (default), bundled (config)': a value given as a flag needs no origin."""
        return ", ".join(
            v if self.sources.get(k) == "flag" else f"{v} ({self.sources.get(k, 'default')})"
            for k, v in (("runtime", self.runtime), ("mode", self.mode))
        )


def refuse_unbuildable(runtime: str) -> None:
    """UsageError for a runtime `build` cannot make a zip for."""
    if runtime not in BUILDABLE_RUNTIMES:
        choose = " or ".join(BUILDABLE_RUNTIMES)
        raise UsageError(f"agentzip build cannot make a zip for the runtime {runtime!r} (choose {choose})")


def resolve(src: Path, request: CheckRequest | None = None, **settings: Any) -> Settings:
    """Flags win, then the config file, then the agent definition, then build's defaults.

    The definition is found the way `check` finds it (validator.definition.resolve): an azure.yaml
    in SRC names the folder to build with its service's `project:`.
    """
    from agentzip import api

    found = list(api.contexts(src, request, defaults=BUILD_DEFAULTS, **settings))
    if len(found) == 1 and _is_dotnet(found[0]):
        found = list(api.contexts(src, request, defaults=DOTNET_BUILD_DEFAULTS, **settings))
    if len(found) > 1:
        names = ", ".join(s.context.definition.service or "" for s in found if s.context.definition is not None)
        raise UsageError(f"{src} defines several agents ({names}): choose one with --service")
    settled = found[0]
    ctx = settled.context
    defn = ctx.definition
    # check reports a bad definition value as a finding; build cannot make a zip for it, unless a
    # flag or the config file overrides it.
    if defn is not None:
        if defn.runtime and settled.sources["runtime"] not in GIVEN:
            refuse_unbuildable(defn.runtime)
        if defn.dependency_resolution not in (None, *MODES) and settled.sources["mode"] not in GIVEN:
            raise UsageError(
                f"{defn.describe()}: unknown dependency resolution {defn.dependency_resolution!r} "
                f"(choose {' or '.join(MODES)})"
            )
    t = ctx.target
    refuse_unbuildable(t.runtime)
    return Settings(
        runtime=t.runtime,
        mode=t.mode or BUNDLED,
        entry_point=t.entry_point,
        python_version=PYTHON_RUNTIMES.get(t.runtime, (0, 0)),  # (0, 0): a .NET build
        sources=settled.sources,
        src=Path(ctx.bundle.path),
        glibc=t.glibc_floor,
        entry_file=t.entry_file or DEFAULT_ENTRY_FILE,
        mode_note=api.mode_note(ctx, settled.sources.get("mode")),
    )


def _is_dotnet(settled: Settled) -> bool:
    """A .NET runtime was given, or none was and the folder is .NET: Python's defaults do not apply."""
    from agentzip.validator.target import resolve_target

    if settled.context.target.is_dotnet:
        return True
    return settled.sources.get("runtime") == "default" and resolve_target(settled.context.bundle).is_dotnet
