"""Installers: uv and pip command lines for the target, run them, explain their failures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agentzip.errors import BuildError, UsageError
from agentzip.foundry import ARCH, DEFAULT_GLIBC

if TYPE_CHECKING:
    from agentzip.builder.available import Project

INSTALLERS = ("uv", "pip")
# `uv pip install --help` (0.5+): the x86_64 manylinux values uv accepts for --python-platform.
UV_GLIBC_MINORS = (17, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40)
PIP_HOST_MARKER_WARNING = (
    "pip evaluates environment markers for this machine (Python {host}), not the target "
    "(Python {target}): a requirement with a python_version marker may be installed or skipped "
    "wrongly. uv gets markers right: --installer uv."
)


@dataclass(frozen=True)
class Install:
    """One installer run: what to install, for which target, into which folder."""

    requirements: Path
    target_dir: Path
    python_version: tuple[int, int]
    glibc: tuple[int, int] = DEFAULT_GLIBC
    installer: str = "uv"
    cwd: Path | None = None  # relative paths in requirements.txt resolve from SRC
    no_deps: bool = False  # install exactly what is listed (fix: pins of a tree already resolved)


def _at_least_the_floor(glibc: tuple[int, int]) -> tuple[int, int]:
    """The glibc version, or UsageError when it is below the one the platform promises."""
    if glibc[0] != DEFAULT_GLIBC[0] or glibc < DEFAULT_GLIBC:
        floor = ".".join(map(str, DEFAULT_GLIBC))
        raise UsageError(f"--glibc {glibc[0]}.{glibc[1]}: the runtime's floor is glibc {floor} (manylinux2014)")
    return glibc


def uv_platform(glibc: tuple[int, int]) -> str:
    """The newest uv --python-platform not above the glibc: 2.27 -> x86_64-manylinux_2_17."""
    _, minor = _at_least_the_floor(glibc)
    best = max(m for m in UV_GLIBC_MINORS if m <= minor)
    return f"{ARCH}-manylinux_2_{best}"


def pip_platforms(glibc: tuple[int, int]) -> list[str]:
    """pip --platform values: every manylinux_2_Y from the glibc down to 2.17, then manylinux2014."""
    _, minor = _at_least_the_floor(glibc)
    tags = [f"manylinux_2_{m}_{ARCH}" for m in range(minor, DEFAULT_GLIBC[1], -1)]
    return [*tags, f"manylinux2014_{ARCH}"]


def uv_binary() -> str:
    """The uv executable shipped by the `uv` dependency (never whatever is on PATH)."""
    try:
        from uv import find_uv_bin
    except ImportError:
        raise UsageError("uv is not installed (pip install uv), or choose --installer pip") from None
    try:
        return str(find_uv_bin())
    except FileNotFoundError:
        raise UsageError("the uv package is installed but its binary is missing; reinstall uv") from None


def command(job: Install) -> list[str]:
    """The installer command line for the target (FOUNDRY.md, the documented bundled build)."""
    major, minor = job.python_version
    if job.installer == "uv":
        cmd = [
            uv_binary(),
            "pip",
            "install",
            "-r",
            str(job.requirements),
            "--target",
            str(job.target_dir),
            "--python-platform",
            uv_platform(job.glibc),
            "--python-version",
            f"{major}.{minor}",
            "--only-binary",
            ":all:",
            # uv needs an interpreter even for --target; ours avoids a search or a download
            "--python",
            sys.executable,
            # output is captured (to explain failures); a spinner shows progress instead
            "--no-progress",
        ]
        return [*cmd, "--no-deps"] if job.no_deps else cmd
    if job.installer == "pip":
        cmd = [sys.executable, "-m", "pip", "install", "-r", str(job.requirements), "--target", str(job.target_dir)]
        for platform in pip_platforms(job.glibc):
            cmd += ["--platform", platform]
        cmd += [
            "--python-version",
            f"{major}.{minor}",
            "--implementation",
            "cp",
            "--only-binary=:all:",
            # pip would byte-compile with the host interpreter: .pyc files the runtime never reads
            "--no-compile",
            "--disable-pip-version-check",
            "--no-input",
            "--progress-bar",
            "off",
        ]
        return [*cmd, "--no-deps"] if job.no_deps else cmd
    raise UsageError(f"unknown installer {job.installer!r}; choose from {', '.join(INSTALLERS)}")


def run(job: Install, echo: Callable[[str], None]) -> str:
    """Run the installer and return its output; BuildError with that output and the ways out."""
    cmd = command(job)
    if job.installer == "pip":
        echo(
            "warning: "
            + PIP_HOST_MARKER_WARNING.format(
                host=f"{sys.version_info[0]}.{sys.version_info[1]}",
                target=f"{job.python_version[0]}.{job.python_version[1]}",
            )
        )
    env = dict(os.environ)
    # A build must not run code from the package index: --only-binary says so; these keep the
    # installer from asking questions or colouring captured output.
    env.setdefault("PIP_NO_INPUT", "1")
    env["NO_COLOR"] = "1"
    proc = run_tool(cmd, cwd=job.cwd, env=env, name=job.installer)
    output = combined_output(proc)
    if proc.returncode != 0:
        if job.installer == "pip" and "No module named pip" in output:
            raise BuildError("pip is not available in this Python; use --installer uv")
        from agentzip.builder.available import lookup

        raise BuildError(explain_failure(output, job, lookup=lookup))
    return output


def uv_compile(
    requirements: Path, python_version: tuple[int, int], glibc: tuple[int, int], *, wheels_only: bool
) -> list[str]:
    """`uv pip compile` of a requirements file for Linux x86_64 at the glibc floor and the target's
    Python (the dry run's resolve and `lock` both ask it this way)."""
    major, minor = python_version
    cmd = [
        uv_binary(),
        "pip",
        "compile",
        str(requirements),
        "--python-platform",
        uv_platform(glibc),
        "--python-version",
        f"{major}.{minor}",
        "--no-header",
        "--no-annotate",
        "--no-progress",
        "--python",
        sys.executable,
    ]
    return [*cmd, "--only-binary", ":all:"] if wheels_only else cmd


def run_tool(cmd: list[str], *, cwd: Path | None, env: dict[str, str], name: str) -> subprocess.CompletedProcess[str]:
    """Run an installer or resolver (uv, pip) to its end, output captured; BuildError when it cannot start."""
    try:
        return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, errors="replace", check=False)
    except OSError as e:
        raise BuildError(f"cannot run {name}: {e.strerror}") from None


def combined_output(proc: subprocess.CompletedProcess[str]) -> str:
    """Its standard output and error as one text, for the messages that explain a failure."""
    return "\n".join(s for s in (proc.stdout or "", proc.stderr or "") if s.strip())


@dataclass(frozen=True)
class Failure:
    """A requirement the installer could not satisfy, and why in one word."""

    name: str
    reason: str  # "sdist-only" | "platform" | "not-found" | "unknown"


_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # uv: "Because docopt==0.6.2 has no usable wheels and ..."
    ("sdist-only", re.compile(r"\b([A-Za-z0-9][A-Za-z0-9._-]*(?:[=<>!~]=?[^\s,]+)?) has no usable wheels")),
    # uv: "Wheels are required for `docopt` because building from source is disabled"
    ("sdist-only", re.compile(r"Wheels are required for `([^`]+)`")),
    # uv: "onnxruntime==1.20.1 has no wheels with a matching platform tag"
    (
        "platform",
        re.compile(
            r"\b([A-Za-z0-9][A-Za-z0-9._-]*(?:[=<>!~]=?[^\s,]+)?) has no wheels with a matching "
            r"(?:platform|Python ABI|Python implementation) tag"
        ),
    ),
    # uv: "Because nosuchpkg was not found in the package registry"
    ("not-found", re.compile(r"\b([A-Za-z0-9][A-Za-z0-9._-]*) was not found in the package registry")),
    # pip: "ERROR: No matching distribution found for docopt==0.6.2"
    ("unknown", re.compile(r"No matching distribution found for (\S+)")),
)


def failures(output: str) -> list[Failure]:
    """The requirements an installer's error output names, most specific reason first."""
    found: dict[str, Failure] = {}
    for reason, pattern in _PATTERNS:
        for m in pattern.finditer(output):
            name = m.group(1).strip("`'\".,")
            key = re.split(r"[=<>!~\[; ]", name, maxsplit=1)[0].lower().replace("_", "-")
            if key not in found:
                found[key] = Failure(name, reason)
    return list(found.values())


def ways_out(f: Failure, job: Install, *, remote: bool = False) -> str:
    """One line: what is wrong with this requirement and what to do; `remote` when predicting a
    remote build, where switching to remote_build is no way out."""
    major, minor = job.python_version
    tag = f"cp{major}{minor} manylinux x86_64"
    glibc = f"{job.glibc[0]}.{job.glibc[1]}"
    if f.reason == "sdist-only":
        also = "" if remote else "; or --mode remote_build (the service builds from source, slowly)"
        return (
            f"{f.name}: no wheel for {tag} (only its sources, or wheels for other targets). "
            f"Ways out: pin a version that has such a wheel{also}; or build the wheel on Linux "
            f"x86_64 yourself and list its file in requirements.txt"
        )
    if f.reason == "platform":
        also = "" if remote else "; or --mode remote_build"
        return (
            f"{f.name} has no wheel for glibc {glibc} or older on x86_64. Ways out: --glibc 2.28 "
            f"if you accept that the runtime may not have it (only 2.17 is promised); or pin an "
            f"older version{also}"
        )
    if f.reason == "not-found":
        return f"{f.name} is not on the package index: check the name, or the index options"
    # pip says "No matching distribution" both for a name the index lacks and for a project with
    # no fitting wheel: never blame glibc for what may be a typo.
    also = "" if remote else "; or --mode remote_build (the service builds from source, slowly)"
    return (
        f"{f.name}: {job.installer} found nothing that fits {tag} (glibc {glibc}): either the index has "
        f"no such project, or none of its files is a wheel for the target. Ways out: check the name; "
        f"pin a version that has such a wheel{also}"
    )


def explain_failure(output: str, job: Install, *, remote: bool = False, lookup: Lookup | None = None) -> str:
    """The installer's own error, then one line per requirement it names with the ways out, and
    (with `lookup`, which asks the index) which wheels exist for it and what would accept them."""
    verb = "resolve" if remote else "install"
    lines = [f"{job.installer} could not {verb} {job.requirements.name} for the target:"]
    lines += ["  " + line for line in output.strip().splitlines() if line.strip() and "is ignored" not in line]
    named = failures(output)
    if named:
        lines.append("")
    for i, f in enumerate(named):
        project = _ask(lookup, f) if i < MAX_LOOKUPS and f.reason != "not-found" else None
        if project is not None and not project.exists:
            lines.append(f"{f.name}: no such project on {project.index}: check the name, or the index options")
            continue
        lines.append(ways_out(f, job, remote=remote))
        if project is not None:
            from agentzip.builder.available import advice

            lines.append(f"  on the index: {advice(project, _pinned(f.name), job.python_version, job.glibc)}")
    return "\n".join(lines)


MAX_LOOKUPS = 5  # index questions per failure message: each is bounded by a timeout
Lookup = Callable[[str], "Project | None"]


def _project_name(requirement: str) -> str:
    return re.split(r"[=<>!~\[; ]", requirement, maxsplit=1)[0]


def _pinned(requirement: str) -> str | None:
    """The version of `name==1.2`, else None."""
    _, sep, version = requirement.partition("==")
    return version.strip() if sep and version.strip() else None


def _ask(lookup: Lookup | None, f: Failure) -> Project | None:
    return lookup(_project_name(f.name)) if lookup is not None else None
