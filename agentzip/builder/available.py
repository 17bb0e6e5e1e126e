"""What the package index has for a project (PEP 691 JSON), and which target would take its wheels."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from agentzip.foundry import ARCH, PYTHON_RUNTIMES
from agentzip.validator.wheeltags import Tag

DEFAULT_INDEX = "https://pypi.org/simple"
JSON_ACCEPT = "application/vnd.pypi.simple.v1+json"
TIMEOUT = 10.0  # seconds: an explanation must not hang a failed build
MAX_BYTES = 64 * 1024 * 1024  # numpy's project page is a few MB; anything far larger is not one
NEWEST_GLIBC = (2, 40)  # the newest manylinux uv knows: "any glibc" when asking what exists at all


def index_url() -> str:
    """The index the installers use: uv's and pip's environment settings, else PyPI."""
    for key in ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"):
        value = os.environ.get(key, "").strip()
        if value.startswith(("https://", "http://")):
            return value.rstrip("/")
    return DEFAULT_INDEX


@dataclass(frozen=True)
class Project:
    """A project's files on the index: wheel file names by version; `exists` False for a 404."""

    name: str
    index: str
    exists: bool = True
    wheels: tuple[tuple[str, str], ...] = ()  # (version, wheel file name), not yanked

    @cached_property
    def versions(self) -> list[str]:
        """Versions with at least one wheel, newest first (pre-releases last)."""
        found = {v for v, _ in self.wheels}
        return sorted(found, key=_version_key, reverse=True)

    def wheels_of(self, version: str) -> list[str]:
        return [w for v, w in self.wheels if v == version]


def _version_key(v: str) -> tuple[int, Version]:
    try:
        parsed = Version(v)
    except InvalidVersion:
        return (0, Version("0"))
    return (0 if parsed.is_prerelease else 1, parsed)


def parse_project(name: str, index: str, body: bytes) -> Project:
    """A Project from the PEP 691 JSON page; ValueError when it is not one."""
    data = json.loads(body)
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise ValueError("not a PEP 691 project page")
    wheels = []
    for f in data["files"]:
        filename = f.get("filename") if isinstance(f, dict) else None
        if not isinstance(filename, str) or not filename.endswith(".whl") or f.get("yanked"):
            continue
        try:
            _, version, _, _ = parse_wheel_filename(filename)
        except InvalidWheelFilename:
            continue
        wheels.append((str(version), filename))
    return Project(name, index, True, tuple(wheels))


def lookup(name: str) -> Project | None:
    """The project's page on the index, or None when the index cannot be asked (offline, an error)."""
    import urllib.error
    import urllib.request

    index = index_url()
    url = f"{index}/{canonicalize_name(name)}/"
    request = urllib.request.Request(url, headers={"Accept": JSON_ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as e:
        return Project(name, index, exists=False) if e.code == 404 else None
    except (OSError, ValueError):
        return None
    if len(body) > MAX_BYTES:
        return None
    try:
        return parse_project(name, index, body)
    except ValueError:
        return None


def _supported(python: tuple[int, int], glibc: tuple[int, int]) -> frozenset[Tag]:
    from agentzip.validator.target import Target

    runtime = next(r for r, v in PYTHON_RUNTIMES.items() if v == python)
    return Target(runtime=runtime, glibc_floor=glibc).supported_tags


def _fits(wheel: str, supported: frozenset[Tag]) -> bool:
    # packaging's Tag never equals ours: compare as ours
    return any(Tag(t.interpreter, t.abi, t.platform) in supported for t in parse_wheel_filename(wheel)[3])


def _platforms_for(wheels: list[str], python: tuple[int, int]) -> list[str]:
    """The platform tags of the wheels built for this Python (cpXY or abi3 or py3)."""
    cp = f"cp{python[0]}{python[1]}"
    out = set()
    for w in wheels:
        for t in parse_wheel_filename(w)[3]:
            if t.interpreter in (cp, "py3") or (t.abi == "abi3" and _minor(t.interpreter) <= python[1]):
                out.add(t.platform)
    return sorted(out)


def _minor(interpreter: str) -> int:
    """cp39 -> 9, cp314 -> 14; 99 for what is not a CPython 3 tag (never older than the target)."""
    digits = interpreter[3:] if interpreter.startswith("cp3") else ""
    return int(digits) if digits.isdigit() else 99


def advice(project: Project, version: str | None, python: tuple[int, int], glibc: tuple[int, int]) -> str:
    """One line: which wheels exist for the project (this version, else its newest), and what takes them."""
    if not project.exists:
        return f"{project.name}: no such project on {project.index}: check the name (or the index options)"
    version = version if version in project.versions else (project.versions[0] if project.versions else None)
    if version is None:
        return f"{project.name}: {project.index} has no wheels of it at all, only sources"
    wheels = project.wheels_of(version)
    cp = f"cp{python[0]}{python[1]}"
    here = f"{project.name} {version}"
    if any(_fits(w, _supported(python, glibc)) for w in wheels):
        return f"{here} has a wheel for {cp} on Linux {ARCH} with glibc {glibc[0]}.{glibc[1]}"
    newer = [w for w in wheels if _fits(w, _supported(python, NEWEST_GLIBC))]
    fallback = _newest_fitting(project, python, glibc)
    pin = f"; or pin {project.name}=={fallback}, the newest version with such a wheel" if fallback else ""
    if newer:
        from agentzip.validator.target import glibc_of

        needs = min(g for w in newer for t in parse_wheel_filename(w)[3] if (g := glibc_of(t.platform)) and g > glibc)
        want = f"{needs[0]}.{needs[1]}"
        return (
            f"{here} has {cp} wheels for Linux {ARCH} only for glibc {want} and newer "
            f"({min(newer)}): --glibc {want} accepts them, assuming the runtime has glibc {want} "
            f"(the platform promises only {glibc[0]}.{glibc[1]}, manylinux2014){pin}"
        )
    platforms = _platforms_for(wheels, python)
    if platforms:
        shown = ", ".join(platforms[:6]) + (", ..." if len(platforms) > 6 else "")
        return f"{here} has {cp} wheels only for other platforms ({shown}), none for Linux {ARCH}{pin}"
    pythons = sorted({t.interpreter for w in wheels for t in parse_wheel_filename(w)[3]})
    return f"{here} has no wheel for {cp} (wheels for {', '.join(pythons[:8])}){pin}"


def _newest_fitting(project: Project, python: tuple[int, int], glibc: tuple[int, int]) -> str | None:
    """The newest version with a wheel the target takes as it is."""
    supported = _supported(python, glibc)
    return next((v for v in project.versions if any(_fits(w, supported) for w in project.wheels_of(v))), None)
