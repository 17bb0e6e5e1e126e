"""Target: the runtime a bundle must run on (runtime, mode, entry point, Python, wheel tags, glibc)."""

from __future__ import annotations

import os
import re
from functools import cached_property

from agentzip.foundry import ARCH, DEFAULT_GLIBC, DEFAULT_RUNTIME, MODES, PYTHON_RUNTIMES, RUNTIMES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from agentzip.validator.bundle import Bundle
    from agentzip.validator.wheeltags import Tag

__all__ = ["ARCH", "DEFAULT_GLIBC", "DEFAULT_RUNTIME", "MODES", "PYTHON_RUNTIMES", "RUNTIMES", "Target"]


_MANYLINUX = r"^manylinux_(\d+)_(\d+)_"
# PEP 600's legacy aliases and the glibc each stands for.
LEGACY_GLIBC: dict[str, tuple[int, int]] = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def glibc_of(platform: str) -> tuple[int, int] | None:
    """The glibc an x86_64 manylinux platform tag needs (PEP 600 and the legacy aliases); None otherwise."""
    if not platform.endswith(f"_{ARCH}"):
        return None
    m = re.match(_MANYLINUX, platform)
    if m:
        return int(m.group(1)), int(m.group(2))
    return LEGACY_GLIBC.get(platform[: -len(ARCH) - 1])


def platform_kind(platform: str) -> str:
    """Why a platform tag is not the target's, in a few words."""
    if platform.startswith("win"):
        return "Windows"
    if platform.startswith("macosx"):
        return "macOS"
    if platform.startswith("musllinux"):
        return "musl libc (Alpine), not glibc"
    if platform.endswith(("aarch64", "arm64", "armv7l", "ppc64le", "s390x", "i686")):
        return "another CPU than x86_64"
    return "not manylinux x86_64"


def parse_glibc(text: str) -> tuple[int, int]:
    """'2.28' -> (2, 28); ValueError on anything else."""
    major, sep, minor = text.strip().partition(".")
    if not sep or not major.isdigit() or not minor.isdigit():
        raise ValueError(f"glibc version must look like 2.17, not {text!r}")
    return int(major), int(minor)


class Target:
    """What the bundle is checked against; `inferred` says which settings were guessed.

    Never changed once made (`replace` makes a changed copy). A plain class, not a dataclass:
    every check defines it at start-up, and its cached properties need an instance __dict__.
    """

    def __init__(
        self,
        runtime: str = DEFAULT_RUNTIME,
        mode: str | None = None,
        entry_point: tuple[str, ...] = ("python", "main.py"),
        glibc_floor: tuple[int, int] = DEFAULT_GLIBC,
        inferred: tuple[str, ...] = (),
    ) -> None:
        self.runtime = runtime
        self.mode = mode
        self.entry_point = entry_point
        self.glibc_floor = glibc_floor
        self.inferred = inferred  # not part of equality: a guessed setting is the same target

    def _key(self) -> tuple[str, str | None, tuple[str, ...], tuple[int, int]]:
        return (self.runtime, self.mode, self.entry_point, self.glibc_floor)

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if isinstance(other, Target) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Target(runtime={self.runtime!r}, mode={self.mode!r}, entry_point={self.entry_point!r}, "
            f"glibc_floor={self.glibc_floor!r}, inferred={self.inferred!r})"
        )

    def replace(self, **changes: Any) -> Target:
        """A copy with these settings changed (TypeError for a name that is not one)."""
        values: dict[str, Any] = {
            "runtime": self.runtime,
            "mode": self.mode,
            "entry_point": self.entry_point,
            "glibc_floor": self.glibc_floor,
            "inferred": self.inferred,
        }
        unknown = sorted(set(changes) - set(values))
        if unknown:
            raise TypeError(f"Target has no setting(s) {', '.join(unknown)}")
        values.update(changes)
        return Target(**values)

    @property
    def is_python(self) -> bool:
        return self.runtime in PYTHON_RUNTIMES

    @property
    def is_dotnet(self) -> bool:
        return self.runtime.startswith("dotnet")

    @property
    def python_version(self) -> tuple[int, int] | None:
        return PYTHON_RUNTIMES.get(self.runtime)

    @property
    def python_tag(self) -> str:
        """'cp313' for python_3_13; '' for .NET."""
        v = self.python_version
        return f"cp{v[0]}{v[1]}" if v else ""

    @property
    def entry_file(self) -> str | None:
        """The file the entry point runs, relative to the zip root (`main.py`, `MyAgent.dll`)."""
        args = [a for a in self.entry_point[1:] if not a.startswith("-")]
        if self.entry_point and self.entry_point[0] not in ("python", "python3", "dotnet"):
            args = list(self.entry_point)
        return args[0] if args else None

    @cached_property
    def platforms(self) -> tuple[str, ...]:
        """Platform tags the runtime accepts: manylinux up to the glibc floor, newest first."""
        major, floor = self.glibc_floor
        tags = [f"manylinux_{major}_{minor}_{ARCH}" for minor in range(floor, 16, -1)]
        # The legacy aliases of PEP 600: 2014 = 2.17, 2010 = 2.12, 1 = 2.5.
        tags += [f"manylinux2014_{ARCH}", f"manylinux2010_{ARCH}", f"manylinux1_{ARCH}"]
        tags += [f"manylinux_2_{m}_{ARCH}" for m in range(16, 4, -1)]
        tags.append(f"linux_{ARCH}")
        return tuple(tags)

    @cached_property
    def supported_tags(self) -> frozenset[Tag]:
        """Every wheel tag the target CPython on Linux x86_64 accepts (packaging.tags' answer, without it)."""
        from agentzip.validator.wheeltags import supported

        version = self.python_version
        return supported(version, self.platforms) if version is not None else frozenset()

    def marker_environment(self) -> dict[str, str]:
        """PEP 508 marker values of the runtime, never the host's (pip's classic cross-build trap)."""
        major, minor = self.python_version or PYTHON_RUNTIMES[DEFAULT_RUNTIME]
        # packaging's default_environment() less what is set below: only the host kernel's two values stay
        env = _host_kernel()
        env.update(
            python_version=f"{major}.{minor}",
            python_full_version=f"{major}.{minor}.0",
            implementation_name="cpython",
            implementation_version=f"{major}.{minor}.0",
            platform_python_implementation="CPython",
            sys_platform="linux",
            platform_system="Linux",
            platform_machine=ARCH,
            os_name="posix",
        )
        return env

    def to_json(self) -> dict[str, Any]:
        return {
            "runtime": self.runtime,
            "mode": self.mode,
            "entry_point": list(self.entry_point),
        }

    def describe(self) -> str:
        """'python_3_13, bundled (inferred), main.py' for the text report."""
        parts = [self.runtime + (" (inferred)" if "runtime" in self.inferred else "")]
        parts.append((self.mode or "mode unknown") + (" (inferred)" if "mode" in self.inferred else ""))
        parts.append(" ".join(self.entry_point))
        return ", ".join(parts)


def resolve_target(
    bundle: Bundle,
    *,
    runtime: str | None = None,
    mode: str | None = None,
    entry_point: tuple[str, ...] | list[str] | str | None = None,
    glibc_floor: tuple[int, int] | None = None,
) -> Target:
    """Settings given (flags > config > definition, merged by the caller) win; the rest is inferred.

    Inference: a project file, a `*.runtimeconfig.json` or a `*.deps.json` at the root, or .NET
    sources and no Python anywhere, mean dotnet_10, else python_3_13. Bundled: any `*.dist-info`
    or a `packages/` folder (Python), a runtimeconfig, deps.json or dll at the root (.NET).
    """
    inferred: list[str] = []
    top = bundle.top_level_names()
    if runtime is None:
        runtime = "dotnet_10" if _looks_dotnet(bundle, top) else DEFAULT_RUNTIME
        inferred.append("runtime")
    if mode is None:
        if runtime.startswith("dotnet"):
            # a stray dll beside a project file is build output in a remote_build, not a publish
            project = any(n.lower().endswith(_PROJECT_SUFFIXES) for n in top)
            bundled = any(n.endswith(_PUBLISH_SUFFIXES) or (n.endswith(".dll") and not project) for n in top)
        else:
            bundled = "packages" in top or any(n.endswith(".dist-info") for n in top)
        mode = "bundled" if bundled else "remote_build"
        inferred.append("mode")
    if entry_point is None:
        entry_point = _default_entry_point(runtime, top, bundle)
        inferred.append("entry_point")
    elif isinstance(entry_point, str):
        entry_point = _entry_from_file(runtime, entry_point)
    return Target(
        runtime=runtime,
        mode=mode,
        entry_point=tuple(entry_point),
        glibc_floor=glibc_floor or DEFAULT_GLIBC,
        inferred=tuple(inferred),
    )


_PROJECT_SUFFIXES = (".csproj", ".fsproj", ".vbproj")
_PUBLISH_SUFFIXES = (".runtimeconfig.json", ".deps.json")
_DOTNET_SOURCES = (".cs", ".fs", ".vb", *_PROJECT_SUFFIXES, ".sln", ".slnx", *_PUBLISH_SUFFIXES)
_PYTHON_SIGNS = (".py", ".pyw", ".ipynb")


def _looks_dotnet(bundle: Bundle, top: set[str]) -> bool:
    """A .NET project or publish output at the root, or .NET sources somewhere and no Python at all."""
    if any(n.lower().endswith(_PROJECT_SUFFIXES + _PUBLISH_SUFFIXES) for n in top if "/" not in n):
        return True
    dotnet = False
    for f in bundle.files:
        name = f.path.rsplit("/", 1)[-1].lower()
        if name.endswith(_PYTHON_SIGNS) or name == "requirements.txt":
            return False  # a folder with any Python in it is never taken for .NET by guess
        dotnet = dotnet or name.endswith(_DOTNET_SOURCES)
    return dotnet


def _entry_from_file(runtime: str, text: str) -> tuple[str, ...]:
    """azure.yaml's one-file `entryPoint: main.py` and `--entry-point main.py`: azd adds the runner."""
    words = tuple(text.split())
    if len(words) > 1:
        return words
    runner = "dotnet" if runtime.startswith("dotnet") else "python"
    return (runner, text)


def _default_entry_point(runtime: str, top: set[str], bundle: Bundle | None = None) -> tuple[str, ...]:
    """python main.py; for .NET what azd runs: `<AssemblyName>.dll` of the first root project file,
    else `<project stem>.dll`, else the one `*.runtimeconfig.json` stem of a publish output.

    Never a made-up name: with nothing to go by the entry point is `dotnet` alone, and the rules
    that need a file say what is missing instead.
    """
    if not runtime.startswith("dotnet"):
        return ("python", "main.py")
    if bundle is not None:
        from agentzip.validator.dotnetfacts import DotnetFacts

        root = {f.path: f for f in bundle.files if "/" not in f.path and not f.is_dir}
        facts = DotnetFacts(bundle, root)
        if facts.project is not None:
            return ("dotnet", facts.project.dll)
    configs = sorted(n for n in top if n.endswith(".runtimeconfig.json") and not n.endswith(".runtimeconfig.dev.json"))
    stems = [n[: -len(".runtimeconfig.json")] + ".dll" for n in configs]
    with_dll = [d for d in stems if d in top]
    if len(with_dll) == 1 or (with_dll and len(stems) > 1):
        return ("dotnet", with_dll[0])
    if stems:
        return ("dotnet", stems[0])
    # a publish output that lost its runtimeconfig still names its app in `<App>.deps.json`
    deps = sorted(n[: -len(".deps.json")] + ".dll" for n in top if n.endswith(".deps.json"))
    return ("dotnet", deps[0]) if len(deps) == 1 else ("dotnet",)


def _host_kernel() -> dict[str, str]:
    """platform_release and platform_version, the two marker values that are the host's own.

    os.uname() is what platform.release() and platform.version() read on a POSIX host; the
    platform module itself (9M instructions to import, a twentieth of a bundled check) only where
    there is no os.uname."""
    uname = getattr(os, "uname", None)
    if uname is not None:
        u = uname()
        return {"platform_release": u.release, "platform_version": u.version}
    import platform

    return {"platform_release": platform.release(), "platform_version": platform.version()}
