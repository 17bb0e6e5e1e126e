"""Raw `.whl` files shipped in a bundle: what each one is, and whether it fits the target."""

import re
from keyword import iskeyword
from typing import TYPE_CHECKING, Any, NamedTuple

from agentzip.validator.projectname import canonicalize_name

if TYPE_CHECKING:
    from agentzip.validator.bundle import Bundle, BundleFile
    from agentzip.validator.target import Target
    from agentzip.validator.wheeltags import Tag

# Only the central directory and METADATA are read, so any size of wheel is cheap to describe.
INSPECT_LIMIT = 4 << 30
METADATA_BUDGET = 1 << 20
# https://discuss.python.org/t/identifying-parsing-binary-extension-filenames/ (wheel-inspect's pattern)
_MODULE_SUFFIX = re.compile(r"(?<=.)\.(?:py|pyd|so|[-A-Za-z0-9_]+\.(?:pyd|so))\Z")


class RawWheel(NamedTuple):
    """One `.whl` file found in the bundle (a named tuple: no dataclass is built at import)."""

    path: str
    size: int
    project: str | None = None  # None when the file name is not a valid wheel name
    version: str | None = None
    tags: frozenset["Tag"] = frozenset()
    fits: bool | None = None  # its tags intersect the target's (None: unknown)
    modules: tuple[str, ...] = ()  # import names from the wheel's file list (folders only)
    requires_python: str | None = None
    dependencies: tuple[str, ...] = ()
    problem: str | None = None  # an invalid file name, or what reading the wheel found wrong

    @property
    def tag_text(self) -> str:
        return ", ".join(sorted(str(t) for t in self.tags))


def find_raw_wheels(bundle: "Bundle", files: list["BundleFile"], target: "Target") -> list[RawWheel]:
    """Every `.whl` of the bundle, from its file name (and, for folders, its file list and METADATA)."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename  # with packaging.tags: only for wheels

    from agentzip.validator.wheeltags import Tag

    out: list[RawWheel] = []
    for f in files:
        if f.is_dir or f.is_symlink or not f.path.lower().endswith(".whl"):
            continue
        try:
            project, version, _build, theirs = parse_wheel_filename(f.name)
        except InvalidWheelFilename as e:
            out.append(RawWheel(f.path, f.size, problem=f"not a valid wheel file name ({e})"))
            continue
        tags = frozenset(Tag(t.interpreter, t.abi, t.platform) for t in theirs)  # packaging's Tag never equals ours
        fits = bool(tags & target.supported_tags) if target.is_python else None
        wheel = RawWheel(f.path, f.size, str(project), str(version), tags, fits)
        # A folder's wheel is a zip on disk that the project's reader can open; a zip's member would
        # have to be extracted first, and this tool never extracts what it checks: zips get the name only.
        if bundle.kind == "folder" and f.size <= INSPECT_LIMIT:
            wheel = _inspect(wheel, bundle.path / f.path)
        out.append(wheel)
    return out


def _zip_reader() -> Any:
    """The project's own zip reader (one place to change when it moves)."""
    from agentzip.validator.zip import ZipArchive

    return ZipArchive


def _inspect(wheel: RawWheel, path: Any) -> RawWheel:
    """Modules from the wheel's central directory, metadata from METADATA: nothing else is inflated.

    Hashing every member (as wheel-inspect does) inflated a 16.7 MB wheel to 16 GiB in 67 s;
    past the budget the facts are simply left unknown.
    """
    from agentzip.errors import ArchiveError
    from agentzip.validator.distinfo import metadata_headers

    try:
        with _zip_reader().open(path) as archive:
            names = [e.path for e in archive.entries if not e.is_dir]
            if not names:
                return wheel._replace(problem="unreadable (not a zip, or an empty one)")
            modules = _modules(names)
            meta = next((e for e in archive.entries if _is_metadata(e.path)), None)
            if meta is None:
                return wheel._replace(modules=modules, problem="no .dist-info/METADATA")
            if meta.size > METADATA_BUDGET:
                return wheel._replace(modules=modules, problem=f"METADATA over {METADATA_BUDGET} bytes: not read")
            data = archive.read(meta, METADATA_BUDGET)
    except (ArchiveError, OSError) as e:
        return wheel._replace(problem=f"unreadable ({e})")
    fields, _ = metadata_headers(data)  # the headers' fields we use, without the email parser
    deps: dict[str, str] = {}
    for r in fields.get("requires-dist", ()):
        name = _project(r)
        if name:
            deps.setdefault(canonicalize_name(name), name)
    requires_python = fields.get("requires-python", [None])[0]
    return wheel._replace(modules=modules, requires_python=requires_python, dependencies=tuple(sorted(deps.values())))


def _modules(names: list[str]) -> tuple[str, ...]:
    """Dotted module names a wheel installs, from its file list (as wheel-inspect derives them from RECORD)."""
    out: set[str] = set()
    for name in names:
        parts = name.split("/")
        if len(parts) > 2 and parts[0].endswith(".data") and parts[1] in ("purelib", "platlib"):
            parts = parts[2:]
        m = _MODULE_SUFFIX.search(parts[-1])
        if m is None:
            continue
        parts[-1] = parts[-1][: m.start()]
        if not all(p.isidentifier() and not iskeyword(p) for p in parts):
            continue
        if parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        out.add(".".join(parts))
    return tuple(sorted(out))


def _is_metadata(name: str) -> bool:
    top, _, rest = name.partition("/")
    return rest == "METADATA" and top.endswith(".dist-info")


def _project(requirement: str) -> str | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(requirement).name
    except InvalidRequirement:
        return None
