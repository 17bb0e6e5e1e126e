"""requirements.txt as pip reads it: each logical line kept with its file and line number."""

import posixpath
import re
import sys

from agentzip.errors import ArchiveError
from agentzip.foundry import REQUIREMENTS
from agentzip.records import NamedTuple
from agentzip.validator.plainrequirement import read_plain
from agentzip.validator.sources import DRIVE, URL, VCS_PREFIXES, classify

# re-exported: rules import the classified source of a line from here
from agentzip.validator.sources import Source as Source
from agentzip.validator.sources import SourceKind as SourceKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from agentzip.validator.bundle import Bundle, BundleFile
    from agentzip.validator.plainrequirement import RequirementLike

READ_LIMIT = 1 << 20
# pip has no limit, but no real requirement line comes near this; tokenizing a longer one costs
# time for nothing (shlex on a 1 MB line took 25 s), so it is reported unread.
LINE_LIMIT = 64 << 10
_SHLEX_LIMIT = 4 << 10
# A quote, a backslash, or whitespace other than a space or a tab: only then can shlex split a line
# differently from str.split (a property test holds the two equal on every other line).
_SHLEX_NEEDED = re.compile(r"['\"\\]|[^\S \t]")
MAX_INCLUDES = 32  # -r chains deeper than this are a loop in all but name

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
_ARCHIVE_SUFFIXES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar")
_SOURCE_OPTIONS = ("--index-url", "--extra-index-url", "--find-links")


class RequirementLine(NamedTuple):
    """One logical line of a requirements file (continuations joined, comment removed)."""

    file: str  # the requirements file in the bundle
    line: int  # where the logical line starts, 1-based
    text: str
    requirement: "RequirementLike | None" = None  # a PEP 508 requirement (a name, maybe `@ url`)
    location: str | None = None  # a URL or local path that is not a PEP 508 name
    editable: bool = False
    option: str | None = None  # a global option, long spelling: "--index-url", "--requirement"
    value: str | None = None  # the option's value
    hashes: tuple[str, ...] = ()
    constraint: bool = False  # read from a -c file: limits versions, installs nothing
    problem: str | None = None  # why pip would reject or we cannot read this line
    source: Source | None = None  # the URL or path it installs from, or the option's package source

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def url(self) -> str | None:
        """The URL or path this line installs from, if not a plain name."""
        if self.location is not None:
            return self.location
        return self.requirement.url if self.requirement is not None else None


class Requirements(NamedTuple):
    """Every line of requirements.txt and the files it includes; empty when there is none."""

    path: str | None = None
    lines: tuple[RequirementLine, ...] = ()
    files: tuple[str, ...] = ()

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


def load_requirements(bundle: "Bundle", by_path: dict[str, "BundleFile"], path: str = REQUIREMENTS) -> Requirements:
    """Parse `path` and every `-r`/`-c` file it names inside the bundle; never raises."""
    if path not in by_path:
        return Requirements()
    lines: list[RequirementLine] = []
    files: list[str] = []
    _read_file(bundle, by_path, path, False, lines, files)
    memo_module = sys.modules.get("agentzip.validator.memo")  # loaded only if a line went past the plain reader
    if memo_module is not None:  # keep packaging's reading of it for the next run
        memo_module.save()
    return Requirements(path, tuple(lines), tuple(files))


def _read_file(
    bundle: "Bundle",
    by_path: dict[str, "BundleFile"],
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
    # utf-8-sig's meaning, without loading its codec module (a tenth of a millisecond of every check)
    return data[3 if data.startswith(b"\xef\xbb\xbf") else 0 :].decode("utf-8", errors="replace")


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) with comments removed and `\\` continuations joined, as pip does."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    size = 0
    start = 0
    for n, raw in enumerate(text.splitlines(), 1):
        if not buf:
            start, size = n, 0
        size += len(raw)
        # pip: a comment line ending in a backslash does not continue
        if raw.endswith("\\") and not raw.lstrip().startswith("#") and size <= LINE_LIMIT:
            buf.append(raw[:-1])
            continue
        buf.append(raw)
        line = _strip_comment("".join(buf))
        buf = []
        if line:
            out.append((start, line))
    if buf:
        line = _strip_comment("".join(buf))
        if line:
            out.append((start, line))
    return out


def _strip_comment(line: str) -> str:
    """pip's req_file: a comment starts a line or follows whitespace (so `#egg=` in a URL survives).

    A scan rather than a regex: `\\s+#` backtracks quadratically on a long run of spaces.
    """
    i = line.find("#")
    while i != -1:
        if i == 0 or line[i - 1].isspace():
            return line[:i].strip()
        i = line.find("#", i + 1)
    return line.strip()


def parse_line(file: str, lineno: int, text: str, constraint: bool = False) -> RequirementLine:
    """One logical line -> a RequirementLine (an option, a requirement, a URL/path, or a problem)."""
    if len(text) > LINE_LIMIT:
        size = f"{len(text) // 1024} KiB" if len(text) >= 1024 else f"{len(text)} characters"
        return RequirementLine(
            file, lineno, text[:80] + "...", problem=f"a line of {size}, too long to be a requirement"
        )
    ln = _parse_words(file, lineno, text, constraint)
    target = ln.value if ln.option in _SOURCE_OPTIONS else ln.url
    return ln._replace(source=classify(target, file)) if target else ln


def _parse_words(file: str, lineno: int, text: str, constraint: bool) -> RequirementLine:
    words = split_words(text)
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


def split_words(text: str) -> list[str]:
    """The line's words as pip's shlex reads them; shlex (slow, and an import) only where it can differ."""
    if len(text) > _SHLEX_LIMIT or not _SHLEX_NEEDED.search(text):
        return text.split()
    import shlex

    try:
        # shlex handles quoted option values, but builds tokens a character at a time
        return shlex.split(text, posix=True)
    except ValueError:  # an unclosed quote
        return text.split()


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
    req: RequirementLike | None = None
    location: str | None = None
    problem: str | None = None
    if is_location(spec):
        # `./lib`, `file:...`, `git+https://...#egg=name`: pip accepts these without a name
        location, req = spec, _named_location(spec)
    else:
        req, error = parse_requirement(spec)
        problem = f"not a valid requirement ({error})" if error is not None else None
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
    if URL.match(head) or head.startswith(("file:", *VCS_PREFIXES)):
        return True
    if head.startswith((".", "/", "~", "\\")) or DRIVE.match(head):
        return True
    if " @ " in spec or "@" in head.split("/", 1)[0]:
        return False  # `name @ url` is PEP 508
    return "/" in head or "\\" in head or head.lower().endswith(_ARCHIVE_SUFFIXES)


def parse_requirement(spec: str) -> "tuple[RequirementLike | None, str | None]":
    """(the requirement, None), or (None, the first line of packaging's error); packaging only past plain lines."""
    plain = read_plain(spec)
    if plain is not None:
        return plain, None
    from agentzip.validator.memo import memo

    req = memo().requirement(spec)  # packaging's reading, remembered: its import once, not on every commit
    return (None, req.splitlines()[0]) if isinstance(req, str) else (req, None)


def _named_location(spec: str) -> "RequirementLike | None":
    """The project a bare URL names through `#egg=name`, when it does."""
    m = re.search(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    return None if m is None else parse_requirement(m.group(1))[0]
