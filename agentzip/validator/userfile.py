"""Bounded reads of small files a user controls (configs, definitions, ignore files): regular files only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from agentzip.errors import UsageError

# Configs and definitions are a few KB; anything past this is not one, and reading it whole
# (a 20 MB YAML scalar took 37 s and 250 MB) is the cost an attacker would choose.
SMALL_FILE = 1 << 20


def read_bytes(path: Path, limit: int = SMALL_FILE, *, what: str = "file") -> bytes:
    """The bytes of a regular file of at most `limit` bytes; UsageError for anything else.

    stat comes first and the file is opened non-blocking: a FIFO named like a config would
    otherwise block forever on open.
    """
    try:
        st = os.stat(path)
    except (OSError, ValueError) as e:
        raise UsageError(f"{path}: cannot read the {what} ({_reason(e)})") from None
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{path}: the {what} is not a regular file")
    if st.st_size > limit:
        raise UsageError(f"{path}: the {what} is {st.st_size} bytes, more than the {limit} a {what} can be")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as e:
        raise UsageError(f"{path}: cannot read the {what} ({_reason(e)})") from None
    if len(data) > limit:
        raise UsageError(f"{path}: the {what} is more than the {limit} bytes a {what} can be")
    return data


def read_text(path: Path, limit: int = SMALL_FILE, *, what: str = "file") -> str:
    """A regular UTF-8 text file of at most `limit` bytes; UsageError (never UnicodeDecodeError) otherwise."""
    data = read_bytes(path, limit, what=what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError(
            f"{path}: the {what} is not UTF-8 text (byte {e.start}: {data[e.start : e.start + 1]!r})"
        ) from None


def check_path_text(text: str, *, what: str) -> None:
    """UsageError for a path no file system accepts: a NUL, or longer than the OS allows."""
    if "\0" in text:
        raise UsageError(f"{what}: contains a NUL character")

    def size(s: str) -> int:
        return len(s.encode("utf-8", "surrogatepass"))

    if size(text) > PATH_MAX or any(size(p) > NAME_MAX for p in text.replace("\\", "/").split("/")):
        raise UsageError(f"{what}: longer than a path can be ({PATH_MAX} bytes, {NAME_MAX} per name)")


def _reason(e: BaseException) -> str:
    return e.strerror or str(e) if isinstance(e, OSError) else str(e)


# POSIX minimums most systems use (Linux: 4096 and 255); Windows long paths are longer but names are not.
PATH_MAX = 4096
NAME_MAX = 255


def resolve(path: str | os.PathLike[str]) -> Path:
    """Path.resolve() with a symlink loop as a UsageError (Python before 3.13 raises RuntimeError)."""
    try:
        return Path(path).resolve()
    except (RuntimeError, OSError) as e:
        raise UsageError(f"{os.fspath(path)}: a symlink loop (the link points back to itself)") from e
