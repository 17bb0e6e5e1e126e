"""BuildOptions and BuildResult: what `agentzip build` is asked to do, and what it made."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agentzip.settings import CheckRequest

if TYPE_CHECKING:
    from agentzip.validator.findings import Report

DEFAULT_OUTPUT = "agent-code.zip"


@dataclass(frozen=True)
class BuildOptions:
    """Flags of `agentzip build`: what to build, where, how; the target settings are a CheckRequest."""

    src: Path = Path(".")
    output: Path = Path(DEFAULT_OUTPUT)
    # runtime, mode, entry point, glibc floor, config and definition, as `check` takes them
    request: CheckRequest = field(default_factory=CheckRequest)
    installer: str = "uv"  # "uv" | "pip"
    dry_run: bool = False  # resolve requirements.txt for the target, write nothing
    check: bool = True  # run `check` on the zip and fail on errors
    import_test: bool = True  # with check: import the entry point's modules under a real CPython (AZ406)
    python: str | None = None  # that CPython; None: found as importtest finds one
    quiet: bool = False  # warnings and errors only
    progress: bool | None = None  # a spinner on long steps; None: when stderr is a terminal
    keep_pdb: bool = False  # .NET bundled: keep the publish output's *.pdb debug symbols


@dataclass(frozen=True)
class Contributor:
    """A top-level unit of the zip (`main.py`, `packages/azure`) and its bytes."""

    name: str
    size: int
    compressed: int


@dataclass(frozen=True)
class BuildResult:
    """The zip written (None for a dry run), its SHA-256, and what went in."""

    path: Path | None
    runtime: str
    mode: str
    entry_point: tuple[str, ...]
    size: int = 0
    sha256: str = ""
    files: int = 0  # the agent's own files
    package_files: int = 0  # files under packages/
    distributions: tuple[str, ...] = ()  # "azure-identity 1.19.0", from the dist-info folders
    largest: tuple[Contributor, ...] = ()
    resolved: tuple[str, ...] = ()  # dry run: the pins the target would get
    report: Report | None = None
    notes: tuple[str, ...] = field(default=())
