"""A folder's `.agentignore` (gitignore syntax, as azd reads it), bounded: no line can cost unbounded time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

AGENTIGNORE = ".agentignore"
# A pattern longer than a path can be matches nothing a folder holds; a 1 MB line took 27 s to compile.
MAX_LINE = 1024
MAX_LINES = 10_000
# gitignore's `*` becomes `[^/]*`; k of them in one path segment let the regex engine try
# n**k splits of an n-character name (`*a*a*a*a*a*a*a*b` did not end in 120 s). Two keep it
# quadratic in one name; an inner `**` scans the path, so at most two of those as well.
MAX_STARS_PER_SEGMENT = 2
MAX_INNER_GLOBSTARS = 2
_STARS = re.compile(r"(?<!\\)\*+")


def unsafe_reason(line: str) -> str | None:
    """Why a pattern would cost too much to match (None when it is fine)."""
    if len(line) > MAX_LINE:
        return f"longer than {MAX_LINE} characters"
    segments = line.strip("/").split("/")
    inner = sum(1 for s in segments[1:-1] if s == "**")
    if inner > MAX_INNER_GLOBSTARS:
        return f"more than {MAX_INNER_GLOBSTARS} inner '**'"
    for s in segments:
        if s != "**" and len(_STARS.findall(s)) > MAX_STARS_PER_SEGMENT:
            return f"more than {MAX_STARS_PER_SEGMENT} '*' in one path segment"
    return None


def compile_lines(lines: list[str]) -> tuple[pathspec.GitIgnoreSpec, list[str]]:
    """The spec of the lines that can be matched in bounded time, and a note for each line left out."""
    import pathspec
    from pathspec.patterns.gitignore import GitIgnorePatternError

    kept: list[str] = []
    notes: list[str] = []
    if len(lines) > MAX_LINES:
        notes.append(f"{AGENTIGNORE}: only the first {MAX_LINES} of {len(lines)} lines are read")
        lines = lines[:MAX_LINES]
    for number, line in enumerate(lines, 1):
        reason = unsafe_reason(line)
        if reason is None:
            try:
                pathspec.GitIgnoreSpec.from_lines([line])
            except GitIgnorePatternError:
                reason = "not a valid gitignore pattern"
        if reason is not None:
            shown = line if len(line) <= 40 else line[:37] + "..."
            notes.append(f"{AGENTIGNORE} line {number} ({shown!r}) ignored: {reason}")
            kept.append("")  # a blank line matches nothing
            continue
        kept.append(line)
    return pathspec.GitIgnoreSpec.from_lines(kept), notes


def load_agentignore(root: Path) -> tuple[pathspec.GitIgnoreSpec | None, list[str]]:
    """The folder's `.agentignore` (root file only, as azd reads it) or None, and notes on lines left out."""
    from agentzip.errors import UsageError
    from agentzip.validator.userfile import read_bytes

    path = root / AGENTIGNORE
    if not path.exists() and not path.is_symlink():
        return None, []
    try:
        data = read_bytes(path, what="ignore file")
    except UsageError as e:
        return None, [f"{AGENTIGNORE} not used: {e}"]
    return compile_lines(data.decode("utf-8", errors="replace").splitlines())
