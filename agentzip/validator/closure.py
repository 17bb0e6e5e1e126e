"""The static import closure: from the entry point, every name a load-time import takes must exist.

Follows the imports that run at load time through the bundle, parsing only the modules it reaches,
and checks each `from M import name` against what M defines (names.py) or its submodules. What
cannot be proven (C extensions, module `__getattr__`, a dynamic `__all__` behind a star import, a
module the resolver cannot find) is "unknown", never a missing name.
"""

import os
import time
from collections import deque
from collections.abc import Callable, Hashable

from agentzip.errors import ArchiveError
from agentzip.records import NamedTuple
from agentzip.validator.namecache import DiskCache, closure_key, pack_closure, unpack_closure
from agentzip.validator.names import IMPLICIT, MAX_SOURCE, ImportStmt, ModuleNames, cached, close_names, module_names

TYPE_CHECKING = False
if TYPE_CHECKING:
    from agentzip.validator.finder import Finder, Spec
    from agentzip.validator.index import Index

MAX_FILES = 8000  # source files parsed per run; past it the rest of the closure is "unknown"
MAX_BYTES = 96 << 20  # source bytes parsed per run
MAX_UNKNOWN_KEPT = 50  # examples of "unknown" kept for messages and measurement
ENTRY = "__main__"  # the entry script's module name, as `python main.py` gives it


class Located(NamedTuple):
    """Where a dotted module is: its kind and the bundle path to read (None for the stdlib).

    The records here are named tuples and a slotted class, not dataclasses: a bundled check walks
    the closure, and each dataclass costs a millisecond to build at import."""

    kind: str  # "module", "package", "namespace", "extension", "bytecode", "stdlib", "builtin"
    path: str | None  # the .py, the package's __init__.py, a namespace folder ("x/"), the extension file


# "Where is module X" for the target: the one seam to the import model (see resolver_of).
Resolver = Callable[[str], "Located | None"]


class MissingName(NamedTuple):
    """`from M import name` (or `import M.name`) where M has no such name: ImportError at start-up."""

    name: str
    module: str  # M, dotted
    module_path: str  # M's file in the bundle
    importer: str  # the file with the failing import
    line: int
    chain: tuple[str, ...]  # "main.py:1", ..., "packages/x/y.py:15", then M's file
    suggestions: tuple[str, ...] = ()  # close names M does have (`MCPError` for `McpError`)
    kind: str = "name"  # "name" (cannot import name) or "module" (No module named M.name)


class Closure:
    """What the walk found, and what it cost (for measurement and the budget message).

    A mutable builder: a slotted plain class, compared by identity (nothing compares two)."""

    __slots__ = (
        "bytes_parsed",
        "files_parsed",
        "missing",
        "modules_visited",
        "over_budget",
        "seconds",
        "unknown",
        "unknown_count",
    )

    def __init__(self) -> None:
        self.missing: list[MissingName] = []
        self.unknown: list[str] = []  # examples: "mcp.x: C extension"
        self.unknown_count = 0
        self.modules_visited = 0
        self.files_parsed = 0
        self.bytes_parsed = 0
        self.seconds = 0.0
        self.over_budget: str | None = None  # set when the budget ran out: the rest is unknown

    def __repr__(self) -> str:
        return f"Closure({', '.join(f'{k}={getattr(self, k)!r}' for k in self.__slots__)})"


class _Node(NamedTuple):
    module: str
    found: Located
    via: tuple[str, int] | None  # (importer module, line) that first reached this module


Reader = Callable[[str], "tuple[Hashable | None, Callable[[], bytes]] | None"]


class _Walk:
    """One breadth-first walk; breadth-first so each chain shown is a shortest one."""

    def __init__(self, resolve: Resolver, read: Reader, max_files: int, max_bytes: int) -> None:
        self.resolve = resolve
        self.read = read
        self.max_files = max_files
        self.max_bytes = max_bytes
        self.nodes: dict[str, _Node] = {}
        self.names: dict[tuple[str, bool], ModuleNames] = {}
        self.located: dict[str, Located | None] = {}
        self.queue: deque[str] = deque()
        self.out = Closure()
        self.disk = DiskCache()

    def run(self, entry: str) -> Closure:
        self.nodes[ENTRY] = _Node(ENTRY, Located("module", entry), None)
        self.located[ENTRY] = self.nodes[ENTRY].found
        self.queue.append(ENTRY)
        while self.queue:
            node = self.nodes[self.queue.popleft()]
            for stmt in self.names_of(node.module).imports:
                if stmt.runs:
                    self.statement(node, stmt)
        self.out.modules_visited = len(self.nodes)
        self.disk.close()
        return self.out

    # -- reading --------------------------------------------------------------------------------

    def names_of(self, module: str, full: bool = False) -> ModuleNames:
        """A module's names; `full` re-reads it whole when the fast read left bodies out."""
        got = self.names.get((module, full))
        if got is None:
            found = self.find(module)
            if found is None:
                got = ModuleNames(unknown="not found in the bundle")
            elif full and not (fast := self.names_of(module)).partial:
                got = fast
            else:
                got = self._parse(found, full)
            self.names[module, full] = got
        return got

    def _parse(self, found: Located, full: bool) -> ModuleNames:
        if found.kind not in ("module", "package") or found.path is None:
            return ModuleNames(unknown=f"a {found.kind}")
        source = self.read(found.path)
        if source is None:
            return ModuleNames(unknown="cannot be read")
        key, load = source
        hit = cached(key, full) or self.disk.get(key, full)
        if hit is not None:
            return hit
        out = self.out
        if out.files_parsed >= self.max_files or out.bytes_parsed >= self.max_bytes:
            out.over_budget = f"{out.files_parsed} files ({out.bytes_parsed >> 20} MiB) parsed"
            return ModuleNames(unknown="past the closure's budget")
        try:
            data = load()
        except ArchiveError:
            return ModuleNames(unknown="cannot be read")
        out.files_parsed += 1
        out.bytes_parsed += len(data)
        got = module_names(data, key, full=full)
        self.disk.put(key, full, got)
        return got

    def unknown(self, what: str) -> None:
        self.out.unknown_count += 1
        if len(self.out.unknown) < MAX_UNKNOWN_KEPT:
            self.out.unknown.append(what)

    # -- following imports ----------------------------------------------------------------------

    def find(self, module: str) -> Located | None:
        if module not in self.located:
            self.located[module] = self.resolve(module)
        return self.located[module]

    def visit(self, module: str, found: Located, via: tuple[str, int]) -> None:
        if module in self.nodes or found.kind in ("stdlib", "builtin"):
            return
        self.nodes[module] = _Node(module, found, via)
        if found.kind in ("module", "package"):
            self.queue.append(module)

    def statement(self, node: _Node, stmt: ImportStmt) -> None:
        target = _absolute(node.module, node.found, stmt)
        if target is None:
            return  # a relative import with no parent package: AZ402 reports it
        if not self.require(target, node, stmt):
            return
        if not stmt.is_from:
            return
        for name in stmt.names:
            if name != "*":
                self.check_name(target, name, node, stmt)

    def require(self, dotted: str, node: _Node, stmt: ImportStmt) -> bool:
        """Import each package of a dotted name, as the import system does; False when one is missing."""
        parts = dotted.split(".")
        parent: Located | None = None
        for i in range(len(parts)):
            prefix = ".".join(parts[: i + 1])
            found = self.find(prefix)
            if found is None:
                if parent is not None and self._provable_submodule(".".join(parts[:i]), parent, node, stmt):
                    self.missing(parts[i], ".".join(parts[:i]), parent, node, stmt, kind="module")
                else:
                    self.unknown(f"{prefix}: not found in the bundle")
                return False
            if found.kind in ("stdlib", "builtin"):
                return False  # the target's stdlib is assumed to be right
            self.visit(prefix, found, (node.module, stmt.line))
            parent = found
        return True

    def _provable_submodule(self, package: str, found: Located, node: _Node, stmt: ImportStmt) -> bool:
        """A missing `P.x` is an error only under a regular package that does not rewrite its modules."""
        if found.kind != "package" or not self.confirmed(node, stmt):
            return False
        names = self.names_of(package, full=True)
        return names.unknown is None and not names.edits_modules and not names.getattr_hook

    def confirmed(self, node: _Node, stmt: ImportStmt) -> bool:
        """The import is really there and runs, on a full parse of its file (the fast read can misjudge)."""
        names = self.names_of(node.module, full=True)
        return any(
            (i.line, i.level, i.module) == (stmt.line, stmt.level, stmt.module) and i.runs for i in names.imports
        )

    def check_name(self, module: str, name: str, node: _Node, stmt: ImportStmt) -> None:
        found = self.find(module)
        if found is None or found.kind in ("stdlib", "builtin"):
            return
        sub = f"{module}.{name}"
        sub_found = self.find(sub)
        if sub_found is not None:
            self.visit(sub, sub_found, (node.module, stmt.line))
            return
        verdict = self.has(module, name, set())
        if verdict is False and not (self.confirmed(node, stmt) and self.has(module, name, set(), full=True) is False):
            verdict = None  # only a full parse of every file involved makes "missing" an error
        if verdict is None:
            self.unknown(f"{module}.{name}: {self._why(module)}")
        elif not verdict:
            self.missing(name, module, found, node, stmt)

    def has(self, module: str, name: str, seen: set[str], full: bool = False) -> bool | None:
        """Whether a module binds a name: True, False, or None (unknown)."""
        names = self.names_of(module, full)
        if names.unknown is not None:
            return None
        if name in names.defined:
            return True
        if names.getattr_hook or names.writes_globals:
            return None
        seen.add(module)
        verdict: bool | None = False
        for star in names.star_imports:
            source = _absolute(module, self.find(module), star)
            if source is None or source in seen:
                continue
            got = self.exports(source, name, seen, full)
            if got:
                return True
            if got is None:
                verdict = None
        return verdict

    def exports(self, module: str, name: str, seen: set[str], full: bool) -> bool | None:
        """Whether `from module import *` binds a name."""
        found = self.find(module)
        if found is None or found.kind not in ("module", "package"):
            return None
        names = self.names_of(module, full)
        if names.unknown is not None or names.all_dynamic:
            return None
        if names.all_names is not None:
            return name in names.all_names
        return False if name.startswith("_") else self.has(module, name, seen, full)

    def _why(self, module: str) -> str:
        found = self.find(module)
        if found is not None and found.kind not in ("module", "package"):
            return f"a {found.kind}"
        names = self.names_of(module)
        if names.unknown:
            return names.unknown
        if names.getattr_hook:
            return "module-level __getattr__"
        if names.writes_globals:
            return "names made through globals()"
        return "a star import with a dynamic __all__"

    def missing(
        self, name: str, module: str, found: Located, node: _Node, stmt: ImportStmt, kind: str = "name"
    ) -> None:
        names = self.names_of(module, full=True)
        self.out.missing.append(
            MissingName(
                name,
                module,
                found.path or module,
                self.nodes[node.module].found.path or "",
                stmt.line,
                (*self.chain(node.module, stmt.line), found.path or module),
                close_names(name, names.defined - IMPLICIT),
                kind,
            )
        )

    def chain(self, module: str, line: int) -> list[str]:
        hops: list[str] = []
        current: str | None = module
        while current is not None:
            node = self.nodes[current]
            hops.append(f"{node.found.path}:{line}")
            current, line = node.via if node.via is not None else (None, 0)
        return hops[::-1]


def _absolute(module: str, found: Located | None, stmt: ImportStmt) -> str | None:
    """The absolute module an import names, from the importing module's package."""
    if not stmt.level:
        return stmt.module or None
    if module == ENTRY or found is None:
        return None
    is_package = found.kind in ("package", "namespace")
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if stmt.level - 1 >= len(parts):
        return None
    base = ".".join(parts[: len(parts) - (stmt.level - 1)])
    return f"{base}.{stmt.module}" if stmt.module else base


def walk_closure(
    entry: str, resolve: Resolver, read: Reader, *, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES
) -> Closure:
    """The closure from an entry file (a bundle path), with a resolver and a reader of bundle files."""
    started = time.perf_counter()
    out = _Walk(resolve, read, max_files, max_bytes).run(entry)
    out.seconds = time.perf_counter() - started
    return out


def closure_of(index: "Index") -> Closure:
    """The closure of a bundle's entry point; empty when there is no entry file.

    A bundle whose every file is unchanged since a previous check (same paths and sizes, and the
    same CRCs in a zip or modification times in a folder) reuses that check's result from the
    disk cache (namecache.py) without reading a file.
    """
    entry = index.target.entry_file
    if not entry or entry not in index.by_path:
        return Closure()
    disk = DiskCache()
    name = closure_key(index, entry, MAX_FILES, MAX_BYTES) if disk.folder is not None else None
    data = disk.read(name) if name is not None else None
    hit = unpack_closure(data) if data is not None else None
    if hit is not None:
        return hit
    out = walk_closure(entry, resolver_of(index), bundle_reader(index), max_files=MAX_FILES, max_bytes=MAX_BYTES)
    if name is not None and out.over_budget is None:
        disk.write(name, pack_closure(out))
    return out


def bundle_reader(index: "Index") -> Reader:
    """Bundle path -> (cache key, loader): size + crc for zip members, size + mtime for folder files."""
    bundle = index.bundle
    root = bundle.pathname
    in_zip = bundle.archive is not None
    if in_zip:  # a zip's entries are ZipEntry records, with a CRC; a folder check never loads the zip reader
        from agentzip.validator.zip.records import ZipEntry

    def read(path: str) -> tuple[Hashable | None, Callable[[], bytes]] | None:
        f = index.by_path.get(path)
        if f is None or f.is_symlink:
            return None
        if in_zip and isinstance(f, ZipEntry):
            key: Hashable | None = ("zip", path, f.size, f.crc)
        else:
            # the folder scan's stat, not another one per file (a repeat check of 364 modules paid 40 ms)
            where = os.path.join(root, path)
            try:
                key = ("dir", where, f.size, f.mtime if f.mtime is not None else os.stat(where).st_mtime_ns)
            except OSError:
                key = None
        return key, lambda: bundle.read(f, MAX_SOURCE)

    return read


def resolver_of(index: "Index") -> Resolver:
    """Where module X is for the target: validator/finder.py's answer, as the closure's Located."""
    from agentzip.foundry import DEFAULT_RUNTIME, PYTHON_RUNTIMES
    from agentzip.validator.finder import Finder

    finder = Finder.of(index, index.target.python_version or PYTHON_RUNTIMES[DEFAULT_RUNTIME])

    def resolve(dotted: str) -> Located | None:
        spec = finder.spec_of(dotted)
        return None if spec is None else _located(finder, spec)

    return resolve


def _located(finder: "Finder", spec: "Spec") -> Located:
    """A spec as the closure reads it: a package by the `__init__` file whose code runs."""
    if spec.kind != "package":
        return Located(spec.kind, spec.path)
    source = finder.source_file(spec)
    if source is not None:
        return Located("package", source)
    for suffix in finder.suffixes:
        if f"{spec.path}__init__{suffix}" in finder.files:
            return Located("extension", f"{spec.path}__init__{suffix}")
    return Located("bytecode", f"{spec.path}__init__.pyc")
