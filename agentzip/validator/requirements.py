"""requirements.txt as pip reads it: each logical line kept with its file and line number."""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement

from agentzip.errors import ArchiveError

if TYPE_CHECKING:
    from agentzip.validator.bundle import Bundle, BundleFile

from agentzip.foundry import REQUIREMENTS

READ_LIMIT = 1 << 20
MAX_INCLUDES = 32  # -r chains deeper than this are a loop in all but name

# pip's req_file: a comment starts a line or follows whitespace (so `#egg=` in a URL survives).
_COMMENT = re.compile(r"(^|\s+)#.*$")
# Short and long spellings pip accepts, mapped to the long one.
_OPTIONS = {
    "-r": "--requirement",
    "--requirement": "--requirement",
    "-c": "--constraint",
    "--constraint": "--constraint",
    "-e": "--editable",
    "--editable": "--editable",
    "-i": "--index-url",
    "--index-url": "--index-url",
    "--extra-index-url": "--extra-index-url",
    "-f": "--find-links",
    "--find-links": "--find-links",
    "--no-index": "--no-index",
    "--trusted-host": "--trusted-host",
    "--pre": "--pre",
    "--prefer-binary": "--prefer-binary",
    "--require-hashes": "--require-hashes",
    "--only-binary": "--only-binary",
    "--no-binary": "--no-binary",
    "--use-feature": "--use-feature",
}
_FLAGS = frozenset({"--no-index", "--pre", "--prefer-binary", "--require-hashes"})
_VCS = ("git+", "hg+", "svn+", "bzr+")
_ARCHIVE_SUFFIXES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar")


@dataclass(frozen=True)
class RequirementLine:
    """One logical line of a requirements file (continuations joined, comment removed)."""

    file: str  # the requirements file in the bundle
    line: int  # where the logical line starts, 1-based
    text: str
    requirement: Requirement | None = None  # a PEP 508 requirement (a name, maybe `@ url`)
    location: str | None = None  # a URL or local path that is not a PEP 508 name
    editable: bool = False
    option: str | None = None  # a global option, long spelling: "--index-url", "--requirement"
    value: str | None = None  # the option's value
    hashes: tuple[str, ...] = ()
    constraint: bool = False  # read from a -c file: limits versions, installs nothing
    problem: str | None = None  # why pip would reject or we cannot read this line

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def url(self) -> str | None:
        """The URL or path this line installs from, if not a plain name."""
        if self.location is not None:
            return self.location
        return self.requirement.url if self.requirement is not None else None


@dataclass(frozen=True)
class Requirements:
    """Every line of requirements.txt and the files it includes; empty when there is none."""

    path: str | None = None
    lines: tuple[RequirementLine, ...] = ()
    files: tuple[str, ...] = field(default=())

    @property
    def requirements(self) -> list[RequirementLine]:
        """Lines that install something (not constraints, not options)."""
        return [ln for ln in self.lines if (ln.requirement or ln.location) and not ln.constraint]

    @property
    def problems(self) -> list[RequirementLine]:
        return [ln for ln in self.lines if ln.problem]

    @property
    def options(self) -> list[RequirementLine]:
        return [ln for ln in self.lines if ln.option]


def load_requirements(bundle: Bundle, by_path: dict[str, BundleFile], path: str = REQUIREMENTS) -> Requirements:
    """Parse `path` and every `-r`/`-c` file it names inside the bundle; never raises."""
    if path not in by_path:
        return Requirements()
    lines: list[RequirementLine] = []
    files: list[str] = []
    _read_file(bundle, by_path, path, False, lines, files)
    return Requirements(path, tuple(lines), tuple(files))


def _read_file(
    bundle: Bundle,
    by_path: dict[str, BundleFile],
    path: str,
    constraint: bool,
    out: list[RequirementLine],
    files: list[str],
) -> None:
    files.append(path)
    try:
        text = decode(bundle.read(by_path[path], READ_LIMIT))
    except ArchiveError as e:
        out.append(RequirementLine(path, 0, "", problem=f"cannot be read ({e})"))
        return
    for lineno, logical in logical_lines(text):
        ln = parse_line(path, lineno, logical, constraint)
        out.append(ln)
        if ln.option not in ("--requirement", "--constraint") or not ln.value:
            continue
        if "://" in ln.value:
            continue  # a remote include: nothing to read here; remote-requirement-unbuildable judges it
        inner = posixpath.normpath(posixpath.join(posixpath.dirname(path), ln.value))
        if inner in files or len(files) >= MAX_INCLUDES:
            continue
        if inner not in by_path:
            out.append(RequirementLine(path, lineno, logical, problem=f"{ln.value} is not in the bundle"))
            continue
        _read_file(bundle, by_path, inner, constraint or ln.option == "--constraint", out, files)


def decode(data: bytes) -> str:
    """Text of a requirements file; PowerShell's `pip freeze > requirements.txt` writes UTF-16."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) with comments removed and `\\` continuations joined, as pip does."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for n, raw in enumerate(text.splitlines(), 1):
        if not buf:
            start = n
        # pip: a comment line ending in a backslash does not continue
        if raw.endswith("\\") and not _COMMENT.match(raw.strip()):
            buf.append(raw[:-1])
            continue
        buf.append(raw)
        line = _COMMENT.sub("", "".join(buf)).strip()
        buf = []
        if line:
            out.append((start, line))
    if buf:
        line = _COMMENT.sub("", "".join(buf)).strip()
        if line:
            out.append((start, line))
    return out


def parse_line(file: str, lineno: int, text: str, constraint: bool = False) -> RequirementLine:
    """One logical line -> a RequirementLine (an option, a requirement, a URL/path, or a problem)."""
    try:
        words = shlex.split(text, posix=True)
    except ValueError:
        words = text.split()
    first = words[0] if words else ""
    key: str | None = None
    value = ""
    if first.startswith("--"):
        name, eq, inline = first.partition("=")
        key = _OPTIONS.get(name)
        value = inline if eq else (words[1] if len(words) > 1 else "")
    elif first in _OPTIONS:
        key = _OPTIONS[first]
        value = words[1] if len(words) > 1 else ""
    elif _glued(first):  # `-rother.txt`, `-ihttps://...`: a short option with its value attached
        key = _OPTIONS[first[:2]]
        value = first[2:]
    if key is not None:
        if key in _FLAGS:
            return RequirementLine(file, lineno, text, option=key, constraint=constraint)
        if key == "--editable":
            return _requirement(file, lineno, text, value, constraint, editable=True)
        if not value:
            return RequirementLine(file, lineno, text, option=key, problem=f"{key} needs a value")
        return RequirementLine(file, lineno, text, option=key, value=value, constraint=constraint)
    if first.startswith("-"):
        return RequirementLine(file, lineno, text, problem=f"unknown option {first}")
    # pip splits a requirement from its per-requirement options at the first word that starts with '-'
    args: list[str] = []
    hashes: list[str] = []
    rest = text.split()
    for i, w in enumerate(rest):
        if w.startswith("-"):
            hashes = _hashes(rest[i:])
            break
        args.append(w)
    return _requirement(file, lineno, text, " ".join(args), constraint, hashes=tuple(hashes))


def _glued(word: str) -> bool:
    return len(word) > 2 and word[:2] in ("-r", "-c", "-e", "-i", "-f") and not word.startswith("--")


def _hashes(words: list[str]) -> list[str]:
    out: list[str] = []
    for i, w in enumerate(words):
        if w.startswith("--hash="):
            out.append(w[len("--hash=") :])
        elif w == "--hash" and i + 1 < len(words):
            out.append(words[i + 1])
    return out


def _requirement(
    file: str,
    lineno: int,
    text: str,
    spec: str,
    constraint: bool,
    *,
    editable: bool = False,
    hashes: tuple[str, ...] = (),
) -> RequirementLine:
    req: Requirement | None = None
    location: str | None = None
    problem: str | None = None
    if is_location(spec):
        # `./lib`, `file:...`, `git+https://...#egg=name`: pip accepts these without a name
        location, req = spec, _named_location(spec)
    else:
        try:
            req = Requirement(spec)
        except InvalidRequirement as e:
            problem = f"not a valid requirement ({str(e).splitlines()[0]})"
    return RequirementLine(
        file,
        lineno,
        text,
        requirement=req,
        location=location,
        editable=editable,
        hashes=hashes,
        constraint=constraint,
        problem=problem,
    )


def is_location(spec: str) -> bool:
    """True for a URL or a local path in place of a requirement name."""
    head = spec.split(";", 1)[0].strip()
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", head) or head.startswith(("file:", *_VCS)):
        return True
    if head.startswith((".", "/", "~", "\\")) or re.match(r"^[A-Za-z]:[\\/]", head):
        return True
    if " @ " in spec or "@" in head.split("/", 1)[0]:
        return False  # `name @ url` is PEP 508
    return "/" in head or "\\" in head or head.lower().endswith(_ARCHIVE_SUFFIXES)


def _named_location(spec: str) -> Requirement | None:
    """The project a bare URL names through `#egg=name`, when it does."""
    m = re.search(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    if m is None:
        return None
    try:
        return Requirement(m.group(1))
    except InvalidRequirement:
        return None
