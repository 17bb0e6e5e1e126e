"""DotnetFacts: the .NET files of a bundle (project, runtimeconfig, deps.json, configs), read once, lazily."""

from __future__ import annotations

from functools import cached_property

from agentzip.errors import ArchiveError
from agentzip.validator.bundle import Bundle, BundleFile
from agentzip.validator.dotnet import (
    JSON_LIMIT,
    PROJECT_SUFFIXES,
    SOLUTION_SUFFIXES,
    XML_LIMIT,
    DepsJson,
    GlobalJson,
    NugetConfig,
    Project,
    RuntimeConfig,
    read_deps,
    read_global_json,
    read_nuget_config,
    read_project,
    read_runtimeconfig,
)

RUNTIMECONFIG = ".runtimeconfig.json"
DEPS = ".deps.json"
# Files MSBuild and NuGet pick up from the project's folder and every folder above it.
DIRECTORY_FILES = (
    "Directory.Build.props",
    "Directory.Build.targets",
    "Directory.Packages.props",
    "NuGet.config",
    "global.json",
)
_OUTSIDE_NAMES = (*DIRECTORY_FILES, "nuget.config", "NuGet.Config")
MAX_PARENTS = 32  # folders walked up from a checked folder; MSBuild walks to the root


def is_runtimeconfig(name: str) -> bool:
    # `<App>.runtimeconfig.dev.json` is the SDK's development file, never read by a published app.
    return name.endswith(RUNTIMECONFIG) and not name.endswith(".runtimeconfig.dev.json")


class DotnetFacts:
    """Root-level .NET files of a bundle, each parsed on first use; unreadable ones carry `error`."""

    def __init__(self, bundle: Bundle, root_files: dict[str, BundleFile]) -> None:
        self.bundle = bundle
        self.root = root_files  # name -> file, root level only

    def _read(self, name: str, limit: int) -> bytes | str:
        """The file's bytes, or why they cannot be read."""
        try:
            return self.bundle.read(self.root[name], limit + 1)
        except ArchiveError as e:
            return str(e)

    def _names(self, predicate: object) -> list[str]:
        return sorted(n for n in self.root if callable(predicate) and predicate(n))

    @cached_property
    def projects(self) -> list[Project]:
        """Every project file at the root, in name order (azd takes the first)."""
        out = []
        for name in self._names(lambda n: n.lower().endswith(PROJECT_SUFFIXES)):
            data = self._read(name, XML_LIMIT)
            out.append(Project(name, error=data) if isinstance(data, str) else read_project(name, data))
        return out

    @cached_property
    def solutions(self) -> list[str]:
        return self._names(lambda n: n.lower().endswith(SOLUTION_SUFFIXES))

    @cached_property
    def runtimeconfigs(self) -> list[RuntimeConfig]:
        out = []
        for name in self._names(is_runtimeconfig):
            data = self._read(name, JSON_LIMIT)
            out.append(RuntimeConfig(name, error=data) if isinstance(data, str) else read_runtimeconfig(name, data))
        return out

    def runtimeconfig_for(self, dll: str) -> RuntimeConfig | None:
        want = dll[: -len(".dll")] + RUNTIMECONFIG if dll.endswith(".dll") else None
        return next((r for r in self.runtimeconfigs if r.path == want), None)

    @cached_property
    def deps(self) -> list[DepsJson]:
        out = []
        for name in self._names(lambda n: n.endswith(DEPS)):
            data = self._read(name, JSON_LIMIT)
            out.append(DepsJson(name, error=data) if isinstance(data, str) else read_deps(name, data))
        return out

    @cached_property
    def global_json(self) -> GlobalJson | None:
        if "global.json" not in self.root:
            return None
        data = self._read("global.json", JSON_LIMIT)
        return GlobalJson("global.json", error=data) if isinstance(data, str) else read_global_json("global.json", data)

    @cached_property
    def nuget_configs(self) -> list[NugetConfig]:
        out = []
        for name in self._names(lambda n: n.lower() == "nuget.config"):
            data = self._read(name, XML_LIMIT)
            out.append(NugetConfig(name, error=data) if isinstance(data, str) else read_nuget_config(name, data))
        return out

    @cached_property
    def project(self) -> Project | None:
        """The project the service builds: the first root project file, as azd picks it."""
        return self.projects[0] if self.projects else None

    @property
    def is_publish_output(self) -> bool:
        """A `dotnet publish` output: runtimeconfig or deps.json at the root and no project file."""
        return not self.projects and bool(self._names(lambda n: is_runtimeconfig(n) or n.endswith(DEPS)))

    def has(self, name: str) -> bool:
        """Whether a root file exists, case-insensitively (NuGet finds `nuget.config` either way)."""
        return any(n.lower() == name.lower() for n in self.root)

    @cached_property
    def outside(self) -> list[tuple[str, str]]:
        """(file name, where) for MSBuild/NuGet files in the folders above a checked folder.

        `dotnet restore` on the user's machine reads them; the zip does not carry them, so the
        service's restore runs without them. Only folders are checked: a zip has no parents.
        """
        if self.bundle.kind != "folder":
            return []
        found: list[tuple[str, str]] = []
        here = self.bundle.path.resolve()
        for parent in list(here.parents)[:MAX_PARENTS]:
            for name in _OUTSIDE_NAMES:  # exact names: Linux file systems are case-sensitive, as MSBuild is
                try:
                    if (parent / name).is_file():
                        found.append((name if name in DIRECTORY_FILES else "NuGet.config", str(parent / name)))
                except OSError:
                    continue
        return found
