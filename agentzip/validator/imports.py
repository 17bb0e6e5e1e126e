"""The agent's own imports, read with `ast` from its root modules and local packages (never run)."""

import posixpath
import sys
from collections.abc import Callable, Iterable

from agentzip.errors import ArchiveError
from agentzip.records import NamedTuple
from agentzip.validator.finder import extension_suffixes
from agentzip.validator.importparse import (
    IDENT,
    BrokenRelative,
    ImportRef,
    imports_in,
    is_test_path,
    line_scan,
    module_name,
    read_imports,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from agentzip.validator.bundle import Bundle, BundleFile
    from agentzip.validator.distributions import Distribution

FILE_LIMIT = 1 << 20  # a hand-written module over 1 MiB is generated data, not the agent's imports
TOTAL_BUDGET = 32 << 20  # read at most this much source per check: a pre-commit hook must stay fast
MAX_FILES = 5000

# Re-exported: rules and explain read these names from here.
__all__ = [
    "BrokenRelative",
    "ImportRef",
    "ImportScan",
    "LocalModule",
    "SkippedFile",
    "entry_base",
    "extension_suffixes",
    "imports_in",
    "is_test_path",
    "local_modules",
    "owned_root_names",
    "scan_imports",
]


class SkippedFile(NamedTuple):
    """A source file whose imports are unknown, and why."""

    path: str
    reason: str


class LocalModule(NamedTuple):
    """A top-level module the agent's own root provides."""

    name: str
    path: str  # the file or folder that provides it
    kind: str  # "module", "package" (with __init__.py), "namespace" (folder without), "extension"


class ImportScan(NamedTuple):
    """Every import found, the files read, and the files whose imports are not known exactly."""

    imports: tuple[ImportRef, ...] = ()
    files: tuple[str, ...] = ()
    broken_relative: tuple[BrokenRelative, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()  # files whose imports are unknown, or only approximate
    approximate: tuple[str, ...] = ()  # files read by the line scan (newer syntax than this host)
    base: str = ""  # the folder `python <entry point>` puts first on sys.path ("" = the root)
    edits_sys_path: bool = False  # some file calls sys.path.insert/append or site.addsitedir

    def top_level(self) -> set[str]:
        return {i.top for i in self.imports}


# -- local modules ---------------------------------------------------------------------------


def local_modules(
    files: Iterable["BundleFile"],
    dirs: Iterable[str],
    base: str,
    version: tuple[int, int],
    excluded: Callable[[str], bool],
) -> dict[str, LocalModule]:
    """Top-level names the agent's folder `base` provides: `foo.py`, `foo/`, `foo.*.so`.

    A folder counts with or without `__init__.py` (PEP 420 namespace packages); `excluded`
    drops junk and installed dependencies (packages/, *.dist-info).
    """
    prefix = base + "/" if base else ""
    suffixes = extension_suffixes(version)
    out: dict[str, LocalModule] = {}
    files = list(files)
    inits = {
        f.path[len(prefix) :].split("/", 1)[0]
        for f in files
        if f.path.startswith(prefix) and f.path[len(prefix) :].count("/") == 1 and f.name == "__init__.py"
    }
    for d in dirs:
        if not d.startswith(prefix):
            continue
        rel = d[len(prefix) :]
        if not rel or "/" in rel or not IDENT.match(rel) or excluded(d + "/x"):
            continue
        kind = "package" if rel in inits else "namespace"
        out[rel] = LocalModule(rel, d + "/", kind)
    for f in files:
        if not f.path.startswith(prefix) or excluded(f.path):
            continue
        rel = f.path[len(prefix) :]
        if "/" in rel:
            continue
        if rel.endswith(".py") and IDENT.match(rel[:-3]):
            # A module and a package of the same name: the package wins (FileFinder order).
            if out.get(rel[:-3], LocalModule("", "", "namespace")).kind == "namespace":
                out[rel[:-3]] = LocalModule(rel[:-3], f.path, "module")
            continue
        for suffix in suffixes:
            stem = rel[: -len(suffix)]
            if rel.endswith(suffix) and IDENT.match(stem):
                if out.get(stem, LocalModule("", "", "namespace")).kind == "namespace":
                    out[stem] = LocalModule(stem, f.path, "extension")
                break
    return out


def owned_root_names(distributions: Iterable["Distribution"]) -> frozenset[str]:
    """First path segments a root-installed distribution's RECORD names (`requests`, `six.py`).

    Without a RECORD, its import names stand in (a package folder or a module of that name).
    """
    out: set[str] = set()
    for d in distributions:
        if d.location != "root":
            continue
        for record_path in d.record:
            path = d.site_path(record_path)
            if path is not None and "/" in path and not path.split("/", 1)[0].endswith((".dist-info", ".data")):
                out.add(path.split("/", 1)[0])
            elif path is not None and "/" not in path:
                out.add(path)
        if not d.has_record:
            for name in d.import_names:
                out.update((name, f"{name}.py"))
    return frozenset(out)


def entry_base(entry_file: str | None, dirs: set[str]) -> str:
    """The folder `python path/to/main.py` puts first on sys.path: the script's own folder."""
    if not entry_file or "/" not in entry_file:
        return ""
    folder = posixpath.dirname(entry_file)
    return folder if folder in dirs else ""


# -- scanning --------------------------------------------------------------------------------


def scan_imports(
    bundle: "Bundle",
    agent_files: Iterable["BundleFile"],
    local: dict[str, LocalModule],
    base: str,
    target_version: tuple[int, int] | None = None,
    *,
    file_limit: int = FILE_LIMIT,
    budget: int = TOTAL_BUDGET,
) -> ImportScan:
    """Read the agent's root modules, its packages, and the namespace folders its code imports.

    Never raises: a file that cannot be read or parsed is recorded in `skipped`. Imports in a
    namespace folder (no `__init__.py`) are read only when the agent imports that folder, so a
    `scripts/` or `docs/` folder beside the code is left alone.
    """
    prefix = base + "/" if base else ""
    by_top = _sources_by_top(agent_files, local, prefix)
    scan = _Scan(bundle, prefix, file_limit, budget, target_version)
    todo = ["", *sorted(k for k in by_top if k and local[k].kind != "namespace")]
    done: set[str] = set()
    while todo:
        key = todo.pop(0)
        if key in done:
            continue
        done.add(key)
        for f in sorted(by_top.get(key, []), key=lambda f: f.path):
            found = scan.read(f)
            todo.extend(r.top for r in found if r.top in by_top and r.top not in done and not r.type_checking)
    return ImportScan(
        imports=tuple(scan.imports),
        files=tuple(scan.files),
        broken_relative=tuple(scan.broken),
        skipped=tuple(scan.skipped),
        approximate=tuple(scan.approximate),
        base=base,
        edits_sys_path=scan.edits_path,
    )


def _sources_by_top(
    agent_files: Iterable["BundleFile"], local: dict[str, LocalModule], prefix: str
) -> dict[str, list["BundleFile"]]:
    """The agent's `.py` files under its sys.path entry, by top-level package ("" for root modules)."""
    by_top: dict[str, list[BundleFile]] = {}
    for f in agent_files:
        if not f.path.endswith(".py") or f.is_symlink or not f.path.startswith(prefix):
            continue
        rel = f.path[len(prefix) :]
        if "__pycache__/" in rel:
            continue
        key = "" if "/" not in rel else rel.split("/", 1)[0]
        if key and key not in local:
            continue  # a folder whose name cannot be imported (`my-scripts/`)
        by_top.setdefault(key, []).append(f)
    return by_top


class _Scan:
    """The scan's budget and what it found so far."""

    __slots__ = (
        "approximate",
        "broken",
        "budget",
        "bundle",
        "edits_path",
        "file_limit",
        "files",
        "imports",
        "prefix",
        "skipped",
        "spent",
        "target_version",
    )

    def __init__(
        self, bundle: "Bundle", prefix: str, file_limit: int, budget: int, target_version: tuple[int, int] | None
    ) -> None:
        self.bundle = bundle
        self.prefix = prefix
        self.file_limit = file_limit
        self.budget = budget
        self.target_version = target_version
        self.imports: list[ImportRef] = []
        self.broken: list[BrokenRelative] = []
        self.skipped: list[SkippedFile] = []
        self.approximate: list[str] = []
        self.files: list[str] = []
        self.edits_path = False
        self.spent = 0

    def read(self, f: "BundleFile") -> list[ImportRef]:
        """Read one file within the budget; its imports ([] when unread or unknown)."""
        if len(self.files) >= MAX_FILES or self.spent + min(f.size, self.file_limit) > self.budget:
            self.skipped.append(SkippedFile(f.path, "not read: the source budget of this check is spent"))
            return []
        if f.size > self.file_limit:
            self.skipped.append(SkippedFile(f.path, f"not read: larger than {self.file_limit // (1 << 20)} MiB"))
            return []
        try:
            data = self.bundle.read(f, self.file_limit)
        except ArchiveError as e:
            self.skipped.append(SkippedFile(f.path, f"cannot be read ({e})"))
            return []
        self.spent += len(data)
        self.files.append(f.path)
        rel = f.path[len(self.prefix) :]
        found = read_imports(data, f.path, rel)
        if found.problem is not None:
            return self._unparsed(f, data, module_name(rel), found.problem)
        self.imports.extend(found.imports)
        self.broken.extend(found.broken)
        self.edits_path = self.edits_path or found.edits_path
        return found.imports

    def _unparsed(self, f: "BundleFile", data: bytes, module: str, reason: str) -> list[ImportRef]:
        """A file that does not parse here. This host's parser may not know the target's syntax
        (PEP 695 `type`, PEP 701 f-strings, ...): a line scan keeps the imports, flagged
        approximate, and the file stays listed so nobody takes the result as exact."""
        newer_target = self.target_version is not None and sys.version_info[:2] < self.target_version
        found: list[ImportRef] = []
        if (
            newer_target
            and reason.startswith("does not parse (")
            and "Python 2" not in reason
            and "deeply" not in reason
        ):
            found = list(line_scan(data, f.path, module))
            self.imports.extend(found)
            if found:
                self.approximate.append(f.path)
            host = f"{sys.version_info[0]}.{sys.version_info[1]}"
            reason += f" on Python {host}, older than the target: newer syntax may be the cause" + (
                "; imports found line by line" if found else ""
            )
        self.skipped.append(SkippedFile(f.path, reason))
        return found
