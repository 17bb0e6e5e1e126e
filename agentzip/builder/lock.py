"""`agentzip lock`: resolve requirements.txt for the target with uv and pin every distribution.

The user's own lines keep their place, comments, extras and markers, with `==version` in place
of their range; what they pull in follows, sorted, under a comment. Options (`--index-url`,
`-r`, `-c`) and URL or path requirements are kept as written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from agentzip.builder.install import Install, combined_output, explain_failure, run_tool, uv_compile
from agentzip.errors import BuildError, UsageError
from agentzip.foundry import BUNDLED
from agentzip.validator.projectname import canonicalize_name
from agentzip.validator.requirements import logical_lines

# uv reads this too: a lock (and the build after it) resolves as of that date, for reproducible tests.
EXCLUDE_NEWER_ENV = "UV_EXCLUDE_NEWER"
HEADER = "# pinned by `agentzip lock`"  # the first line it writes; the rest of that line names the target
TRANSITIVE = "# pulled in by the requirements above (pinned by agentzip lock)"
MAX_REQUIREMENTS_BYTES = 1 << 20  # a requirements file is small; past this it is not one


@dataclass(frozen=True)
class LockJob:
    """One resolution: the requirements file and the target it is pinned for."""

    requirements: Path
    python_version: tuple[int, int]
    glibc: tuple[int, int]
    mode: str = BUNDLED
    exclude_newer: str | None = None  # uv --exclude-newer (an RFC 3339 date), for reproducible pins


def command(job: LockJob) -> list[str]:
    """`uv pip compile` for Linux x86_64 at the glibc floor and the target's Python; wheels only when bundled."""
    # the bundled build installs wheels only: pin versions that have them
    cmd = uv_compile(job.requirements, job.python_version, job.glibc, wheels_only=job.mode == BUNDLED)
    if job.exclude_newer:
        cmd += ["--exclude-newer", job.exclude_newer]
    return cmd


def resolve(job: LockJob) -> dict[str, str]:
    """Canonical name -> the version uv resolves for the target; BuildError with uv's words when it cannot."""
    env = dict(os.environ, NO_COLOR="1")
    proc = run_tool(command(job), cwd=job.requirements.parent, env=env, name="uv")
    if proc.returncode != 0:
        output = combined_output(proc)
        install = Install(job.requirements, Path(), job.python_version, job.glibc, "uv")
        raise BuildError(explain_failure(output, install, remote=True))
    pins: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        text = line.split("#", 1)[0].strip()
        name, sep, version = text.partition("==")
        if sep and name and not text.startswith("-"):
            pins[canonicalize_name(name.split("[", 1)[0].strip())] = version.split(";", 1)[0].strip()
    return pins


def read_requirements(path: Path) -> str:
    """The requirements file's text; UsageError when it is missing or not a small regular file."""
    if not path.is_file():
        raise UsageError(f"nothing to lock: {path} does not exist")
    if path.stat().st_size > MAX_REQUIREMENTS_BYTES:
        raise UsageError(f"{path}: over {MAX_REQUIREMENTS_BYTES >> 20} MiB: not a requirements file")
    return path.read_text(encoding="utf-8-sig", errors="replace")


def users_part(text: str) -> str:
    """The file without what an earlier lock added (its header line, the pulled-in section)."""
    lines = [ln for ln in text.splitlines() if not ln.startswith(HEADER)]
    if TRANSITIVE in lines:
        lines = lines[: lines.index(TRANSITIVE)]
    return "\n".join(lines).rstrip("\n") + "\n"


def lock(job: LockJob, header: str) -> str:
    """The pinned requirements.txt for the job's target (the file itself is not written)."""
    original = users_part(read_requirements(job.requirements))
    # uv reads the user's part only, from the same folder so `-r other.txt` still resolves
    scratch = job.requirements.absolute().with_name(f".{job.requirements.name}.agentzip-lock")
    try:
        scratch.write_text(original, encoding="utf-8")
        pins = resolve(LockJob(scratch, job.python_version, job.glibc, job.mode, job.exclude_newer))
    except OSError as e:
        raise UsageError(f"cannot write beside {job.requirements}: {e.strerror}") from None
    except BuildError as e:  # uv's words name the scratch copy; the user knows their file
        raise BuildError(
            str(e).replace(str(scratch), str(job.requirements)).replace(scratch.name, job.requirements.name)
        ) from None
    finally:
        scratch.unlink(missing_ok=True)
    return pinned_text(original, pins, header)


def pinned_text(original: str, pins: dict[str, str], header: str) -> str:
    """The user's file with each named requirement pinned, then the rest of the pins, sorted."""
    out = [header]
    direct: set[str] = set()
    lines = original.splitlines()
    logical = {start: text for start, text in logical_lines(original)}
    skip_until = 0
    for number, raw in enumerate(lines, start=1):
        if number < skip_until:
            continue
        text = logical.get(number)
        req = _requirement(text) if text else None
        if req is None or req.url or canonicalize_name(req.name) not in pins:
            out.append(raw)
            continue
        key = canonicalize_name(req.name)
        direct.add(key)
        comment = raw.split(" #", 1)[1].strip() if " #" in raw and "\\" not in raw else ""
        extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
        marker = f"; {req.marker}" if req.marker else ""
        out.append(f"{req.name}{extras}=={pins[key]}{marker}" + (f"  # {comment}" if comment else ""))
        skip_until = number + _continued(lines, number)
    rest = sorted((k, v) for k, v in pins.items() if k not in direct)
    if rest:
        out += ["", TRANSITIVE, *(f"{k}=={v}" for k, v in rest)]
    return "\n".join(out).rstrip("\n") + "\n"


def _requirement(text: str) -> Requirement | None:
    text = text.strip()
    if not text or text.startswith(("-", "#")):
        return None
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def _continued(lines: list[str], number: int) -> int:
    """How many physical lines the logical line starting at `number` spans (backslash continuations)."""
    n = 1
    while number - 1 + n - 1 < len(lines) and lines[number - 1 + n - 1].rstrip().endswith("\\"):
        n += 1
    return n
