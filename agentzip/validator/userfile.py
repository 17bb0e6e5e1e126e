"""Bounded reads of small files a user controls (configs, definitions, ignore files): regular files only."""

from __future__ import annotations

import errno
import os
import stat

from agentzip.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

# Configs and definitions are a few KB; anything past this is not one, and reading it whole
# (a 20 MB YAML scalar took 37 s and 250 MB) is the cost an attacker would choose.
SMALL_FILE = 1 << 20


def read_bytes(path: str | os.PathLike[str], limit: int = SMALL_FILE, *, what: str = "file") -> bytes:
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


def read_text(path: str | os.PathLike[str], limit: int = SMALL_FILE, *, what: str = "file") -> str:
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
    """Path.resolve() with a symlink loop as a UsageError (see real(): a check works with str paths)."""
    from pathlib import Path

    return Path(real(path))


def real(path: str | os.PathLike[str]) -> str:
    """The absolute path with every symlink resolved, as str(Path.resolve()); a symlink loop is a UsageError.

    Path.resolve() raises RuntimeError on a loop before Python 3.13 and nothing after; a loop is
    an error of the input on every version.
    """
    try:
        full = os.path.realpath(path)  # not strict: a part that does not exist is kept as written
    except OSError as e:  # the working folder is gone
        raise UsageError(f"{os.fspath(path)}: cannot resolve it ({_reason(e)})") from e
    try:
        os.stat(full)  # realpath leaves a loop unresolved; stat names it (a missing file is fine here)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise UsageError(f"{os.fspath(path)}: a symlink loop (the link points back to itself)") from e
    return full


def pathstr(*parts: str | os.PathLike[str]) -> str:
    """The parts joined and spelled as str(pathlib.Path(*parts)) spells them, without importing pathlib.

    Paths print as they always have: `examples/good-agent/` and `./examples//good-agent` both read
    `examples/good-agent`; `..` stays (a PurePath never resolves it).
    """
    if os.name != "posix":  # drive letters and UNC shares: leave them to pathlib
        from pathlib import Path

        return str(Path(*parts))
    joined = os.path.join(*(os.fspath(p) for p in parts)) if parts else ""
    # POSIX keeps exactly two leading slashes (implementation-defined); one or three or more are one.
    root = "//" if joined.startswith("//") and not joined.startswith("///") else "/" if joined.startswith("/") else ""
    names = [n for n in joined.split("/") if n and n != "."]
    return root + "/".join(names) if root or names else "."
