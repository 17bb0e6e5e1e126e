"""A CPython that can stand in for the runtime: found from --python, uv, PATH or pyenv, and probed."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROBE_TIMEOUT = 10.0


@dataclass(frozen=True)
class Interpreter:
    """A CPython that can stand in for the runtime: its path, version and where it was found."""

    path: str
    version: tuple[int, int]
    found_by: str

    def describe(self) -> str:
        return f"CPython {self.version[0]}.{self.version[1]} at {self.path} ({self.found_by})"


class NotRunnable(Exception):
    """The import test cannot run here; the message says why, for the report."""


def scrubbed_env(home: Path | None) -> dict[str, str]:
    """No PYTHON* variables, no user site, a neutral locale: only what the runtime would have."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    if home is not None:
        env["HOME"] = str(home)
        env["TMPDIR"] = str(home)
    return env


def host_can_run() -> str | None:
    """None when this host runs Linux x86_64 CPython binaries, else why not."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        return f"the runtime is Linux x86_64 and this host is {sys.platform} {platform.machine()}"
    return None


def _candidates(version: tuple[int, int]) -> Iterable[tuple[str, str]]:
    """(path, how it was found), most explicit first: uv, PATH, pyenv."""
    dotted = f"{version[0]}.{version[1]}"
    uv = shutil.which("uv") or _uv_from_package()
    if uv:
        try:
            out = subprocess.run(
                [uv, "python", "find", "--no-project", dotted],
                capture_output=True,
                text=True,
                timeout=PROBE_TIMEOUT,
                check=False,
            )
            if out.returncode == 0 and out.stdout.strip():
                yield out.stdout.strip().splitlines()[0], "uv python find"
        except (OSError, subprocess.SubprocessError):
            pass
    on_path = shutil.which(f"python{dotted}")
    if on_path:
        yield on_path, "PATH"
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    versions = Path(root) / "versions"
    if versions.is_dir():
        for v in sorted(versions.glob(f"{dotted}.*"), reverse=True):
            yield str(v / "bin" / f"python{dotted}"), "pyenv"


def _uv_from_package() -> str | None:
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        return None


def probe(path: str) -> tuple[int, int] | None:
    """The (major, minor) of a CPython on Linux x86_64 at `path`, or None when it is not one."""
    code = (
        "import sys,platform;print(sys.implementation.name,sys.version_info[0],sys.version_info[1],platform.machine())"
    )
    try:
        out = subprocess.run(
            [path, "-I", "-S", "-c", code],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            check=False,
            env=scrubbed_env(None),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    words = out.stdout.split()
    if out.returncode != 0 or len(words) != 4 or words[0] != "cpython" or words[3] != "x86_64":
        return None
    return int(words[1]), int(words[2])


def find_interpreter(version: tuple[int, int], explicit: str | None = None) -> Interpreter:
    """A CPython of `version` for Linux x86_64: `explicit` (--python), else uv, PATH, pyenv.

    Raises NotRunnable with the reason when there is none, or the host cannot run one.
    """
    reason = host_can_run()
    if reason:
        raise NotRunnable(reason)
    dotted = f"{version[0]}.{version[1]}"
    if explicit is not None:
        got = probe(explicit)
        if got != version:
            what = "is not a CPython for Linux x86_64" if got is None else f"is CPython {got[0]}.{got[1]}"
            raise NotRunnable(f"--python {explicit} {what}; the target needs {dotted}")
        return Interpreter(explicit, version, "--python")
    seen: set[str] = set()
    for path, how in _candidates(version):
        if path in seen or not os.path.exists(path):
            continue
        seen.add(path)
        if probe(path) == version:
            return Interpreter(path, version, how)
    raise NotRunnable(
        f"no CPython {dotted} found (tried uv python find, python{dotted} on PATH, pyenv); "
        f"install one (`uv python install {dotted}`) or pass --python PATH"
    )
