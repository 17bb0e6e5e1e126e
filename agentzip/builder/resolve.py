"""The dry run: resolve requirements.txt for the target without installing or zipping."""

from __future__ import annotations

import json
import os
import sys

from agentzip.builder.install import (
    Failure,
    Install,
    combined_output,
    explain_failure,
    failures,
    pip_platforms,
    run_tool,
    uv_compile,
)
from agentzip.errors import BuildError, UsageError


def command(job: Install) -> list[str]:
    """`uv pip compile` / `pip install --dry-run --report -` with the target's flags.

    --only-binary :all: here too: a requirement that needs a wheel built is exactly what the
    remote build would compile from source (slow, and a cause of versions stuck in `creating`).
    """
    major, minor = job.python_version
    if job.installer == "uv":
        return uv_compile(job.requirements, job.python_version, job.glibc, wheels_only=True)
    if job.installer == "pip":
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-r",
            str(job.requirements),
            "--dry-run",
            "--ignore-installed",
            "--report",
            "-",
            "--quiet",
            "--target",
            str(job.target_dir),
        ]
        for platform in pip_platforms(job.glibc):
            cmd += ["--platform", platform]
        return [
            *cmd,
            "--python-version",
            f"{major}.{minor}",
            "--implementation",
            "cp",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "--no-input",
        ]
    raise UsageError(f"unknown installer {job.installer!r}; choose uv or pip")


def pins(installer: str, stdout: str) -> list[str]:
    """`name==version` lines from uv's requirements output or pip's JSON report."""
    if installer == "uv":
        return [
            line.strip() for line in stdout.splitlines() if line.strip() and not line.lstrip().startswith(("#", "-"))
        ]
    try:
        report = json.loads(stdout)
    except ValueError:
        return []
    out = []
    for item in report.get("install", []):
        meta = item.get("metadata", {})
        out.append(f"{meta.get('name', '?')}=={meta.get('version', '?')}")
    return sorted(out, key=str.lower)


def resolve(job: Install) -> list[str]:
    """The pins the target would get; BuildError naming what would not resolve or would compile."""
    env = dict(os.environ, NO_COLOR="1", PIP_NO_INPUT="1")
    proc = run_tool(command(job), cwd=job.cwd, env=env, name=job.installer)
    if proc.returncode != 0:
        output = combined_output(proc)
        named = failures(output)
        from agentzip.builder.available import lookup

        message = explain_failure(output, job, remote=True, lookup=lookup)
        if named and all(f.reason == "sdist-only" for f in named):
            message += "\n" + _remote_hint(named)
        raise BuildError(message)
    return pins(job.installer, proc.stdout)


def _remote_hint(named: list[Failure]) -> str:
    names = ", ".join(f.name for f in named)
    return (
        f"A remote build would compile {names} from source: slow, and it fails when a compiler "
        f"or headers are missing (versions stuck in `creating`). Prefer a version with a wheel."
    )
