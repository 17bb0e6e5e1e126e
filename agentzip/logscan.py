"""Import failures found in a log or traceback pasted from the portal or azd."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# The runtime's own words (CPython's import machinery); quotes may be ' or ".
_NOT_FOUND = re.compile(r"""ModuleNotFoundError: No module named ['"]([\w.]+)['"]""")
_CANNOT_IMPORT = re.compile(
    r"""ImportError: cannot import name ['"]([\w.]+)['"] from ['"]([\w.]+)['"](?: \(([^)\n]*)\))?"""
)
_OLD_STYLE = re.compile(r"""ImportError: No module named ['"]?([\w.]+)['"]?""")
_SHARED_LIB = re.compile(r"""ImportError: ((?:/[^\s:]+/)?[\w.+-]+\.so[\w.]*): cannot open shared object file""")
# The loader's words for a file that is no Linux ELF (a Mach-O, a renamed PE) or the wrong kind of one.
_BAD_BINARY = re.compile(
    r"""ImportError: (/[^\s:]+\.(?:so|pyd|dylib)[\w.]*): (invalid ELF header|wrong ELF class[^\n]*"""
    r"""|cannot open shared object file[^\n]*|file too short|only ET_DYN and ET_EXEC can be loaded)"""
)
_PARTIAL = re.compile(
    r"""ImportError: cannot import name ['"]([\w.]+)['"] from partially initialized module ['"]([\w.]+)['"]"""
    r"""(?:[^(\n]*\(most likely due to a circular import\))?(?: \(([^)\n]*)\))?"""
)
# pandas: "ImportError: Unable to import required dependencies:" then one "name: error" line each.
_REQUIRED_DEPS = re.compile(r"Unable to import required dependencies:")
_DEPENDENCY_LINE = re.compile(r"^([A-Za-z_][\w.]*): (.+)$")
# delvewheel's patch in a Windows wheel's __init__ calls os.add_dll_directory, which Linux lacks.
_ADD_DLL = re.compile(r"""AttributeError: module ['"]os['"] has no attribute ['"]add_dll_directory['"]""")
_FRAME = re.compile(r"""File ["']([^"']+)["'], line \d+(, in <module>)?""")
_TRACEBACK = "Traceback (most recent call last):"
# The exception line that ends a traceback: `ImportError: Error importing numpy: ...`.
_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit)): \S")
_GLIBC = re.compile(r"""version [`'](GLIBC_[\d.]+)' not found \(required by ([^)\n]+)\)""")


# A log can name any number of modules; explain reads each, so only the first ones are explained.
MAX_FAILURES = 200
MAX_COUNTED = 100_000  # distinct failures counted past the cap, so memory stays bounded too
MAX_FRAMES = 64  # module-level frames kept of one traceback (the innermost matter)


class Failures(list["ImportFailure"]):
    """The distinct failures explained, in order; `left` counts those past MAX_FAILURES."""

    left: int = 0

    def note(self) -> str | None:
        """What the report says when some failures were left out."""
        if not self.left:
            return None
        more = "at least " if self.left >= MAX_COUNTED else ""
        return (
            f"the log shows {more}{self.left} more distinct import failure(s) past the first {MAX_FAILURES}: "
            "fix these and run explain again"
        )


@dataclass(frozen=True)
class ImportFailure:
    """One distinct failure: the module, and what the log said about it."""

    module: str
    # "not-found" | "cannot-import-name" | "shared-library" | "glibc" | "bad-binary" (a file the
    # loader rejects, `detail` its absolute path) | "windows-wheel" (`detail`: the frame's file) |
    # "raised" (an error none of these, raised while a module ran at import; `frames` says which)
    kind: str
    line: str  # the log line, as written
    name: str | None = None  # the name `cannot import name` could not find
    detail: str | None = None  # the file the runtime loaded, the missing library, the glibc version
    frames: tuple[str, ...] = ()  # "raised": the files of the traceback's module-level frames, outermost first


def scan(text: str | Iterable[str], limit: int = MAX_FAILURES) -> Failures:
    """The distinct import failures in the log (a string, or its lines), in order of first appearance:
    the first `limit`, and how many more there were (`left`)."""
    seen: set[tuple[str, str, str | None]] = set()
    out = Failures()
    frame: str | None = None  # the file of the last traceback frame seen
    at_load: list[str] = []  # the module-level frames of the traceback being read
    last_at_load = False  # the last frame seen runs at module level
    dependencies = False  # inside pandas' "Unable to import required dependencies:" list
    for raw in text.splitlines() if isinstance(text, str) else text:
        line = raw.strip()
        if line.startswith(_TRACEBACK):
            at_load, last_at_load = [], False
        if m := _FRAME.search(line):
            frame = m.group(1)
            last_at_load = m.group(2) is not None
            if last_at_load:
                at_load = [*at_load[-MAX_FRAMES + 1 :], frame]
        found = _failure(line, frame)
        if m := _EXCEPTION.match(line):  # the traceback ends here
            if found is None and at_load and not _REQUIRED_DEPS.search(line):
                found = _raised(line, m.group(1), at_load, last_at_load)
            at_load = []
        if dependencies and (m := _DEPENDENCY_LINE.match(line)) and found is None:
            found = ImportFailure(m.group(1), "not-found", line, detail=m.group(2))
        dependencies = bool(_REQUIRED_DEPS.search(line)) or (dependencies and _DEPENDENCY_LINE.match(line) is not None)
        if found is None:
            continue
        key = (found.module, found.kind, found.name)
        if key in seen or len(seen) >= limit + MAX_COUNTED:
            continue
        seen.add(key)
        if len(out) < limit:
            out.append(found)
        else:
            out.left += 1
    return out


def _failure(line: str, frame: str | None = None) -> ImportFailure | None:
    """The import failure one log line shows, if any (`frame`: the file of the frame above it)."""
    found: ImportFailure | None = None
    if m := _NOT_FOUND.search(line):
        found = ImportFailure(m.group(1), "not-found", line)
    elif m := _PARTIAL.search(line):
        found = ImportFailure(m.group(2), "cannot-import-name", line, name=m.group(1), detail=m.group(3))
    elif m := _BAD_BINARY.search(line):
        found = ImportFailure(m.group(1).rsplit("/", 1)[-1], "bad-binary", line, detail=m.group(1))
    elif m := _ADD_DLL.search(line):
        found = ImportFailure(frame or "os.add_dll_directory", "windows-wheel", line, detail=frame)
    elif m := _CANNOT_IMPORT.search(line):
        found = ImportFailure(m.group(2), "cannot-import-name", line, name=m.group(1), detail=m.group(3))
    elif m := _SHARED_LIB.search(line):
        found = ImportFailure(m.group(1), "shared-library", line, detail=m.group(1))
    elif m := _GLIBC.search(line):
        found = ImportFailure(m.group(2).rsplit("/", 1)[-1], "glibc", line, detail=m.group(1))
    elif m := _OLD_STYLE.search(line):
        found = ImportFailure(m.group(1), "not-found", line)
    return found


def _raised(line: str, kind: str, at_load: list[str], last_at_load: bool) -> ImportFailure | None:
    """An error the patterns above do not know, raised while a module ran at import: an ImportError of
    the package's own words (numpy's "Error importing numpy"), or any error of module-level code."""
    if not (kind.rsplit(".", 1)[-1].endswith("ImportError") or last_at_load):
        return None
    return ImportFailure(at_load[-1], "raised", line, detail=kind, frames=tuple(at_load))
