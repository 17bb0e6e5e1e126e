"""The static import closure: from the entry point, every name a load-time import takes must exist.

Follows the imports that run at load time through the bundle, parsing only the modules it reaches,
and checks each `from M import name` against what M defines (names.py) or its submodules. What
cannot be proven (C extensions, module `__getattr__`, a dynamic `__all__` behind a star import, a
module the resolver cannot find) is "unknown", never a missing name.
"""

from __future__ import annotations

import difflib
import os
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentzip.errors import ArchiveError
from agentzip.foundry import PACKAGES
from agentzip.validator.names import IMPLICIT, MAX_SOURCE, ImportStmt, ModuleNames, cached, module_names
from agentzip.validator.zip.records import ZipEntry

if TYPE_CHECKING:
    from agentzip.validator.index import Index

MAX_FILES = 8000  # source files parsed per run; past it the rest of the closure is "unknown"
MAX_BYTES = 96 << 20  # source bytes parsed per run
MAX_UNKNOWN_KEPT = 50  # examples of "unknown" kept for messages and measurement
ENTRY = "__main__"  # the entry script's module name, as `python main.py` gives it


@dataclass(frozen=True)
class Located:
    """Where a dotted module is: its kind and the bundle path to read (None for the stdlib)."""

    kind: str  # "module", "package", "namespace", "extension", "bytecode", "stdlib", "builtin"
    path: str | None  # the .py, the package's __init__.py, a namespace folder ("x/"), the extension file


# "Where is module X" for the target: the one seam to the import model (see find_in_index).
Resolver = Callable[[str], "Located | None"]


@dataclass(frozen=True)
class MissingName:
    """`from M import name` (or `import M.name`) where M has no such name: ImportError at start-up."""

    name: str
    module: str  # M, dotted
    module_path: str  # M's file in the bundle
    importer: str  # the file with the failing import
    line: int
    chain: tuple[str, ...]  # "main.py:1", ..., "packages/x/y.py:15", then M's file
    suggestions: tuple[str, ...] = ()  # close names M does have (`MCPError` for `McpError`)
    kind: str = "name"  # "name" (cannot import name) or "module" (No module named M.name)


@dataclass
class Closure:
    """What the walk found, and what it cost (for measurement and the budget message)."""

    missing: list[MissingName] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # examples: "mcp.x: C extension"
    unknown_count: int = 0
    modules_visited: int = 0
    files_parsed: int = 0
    bytes_parsed: int = 0
    seconds: float = 0.0
    over_budget: str | None = None  # set when the budget ran out: the rest is unknown


@dataclass
class _Node:
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
        hit = cached(key, full)
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
        return module_names(data, key, full=full)

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
        if names.getattr_hook:
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


def close_names(name: str, pool: frozenset[str] | set[str]) -> tuple[str, ...]:
    """Names like `name` (`MCPError` for `McpError`): same letters in another case first, then difflib."""
    same = [n for n in pool if n.lower() == name.lower() and n != name]
    near = difflib.get_close_matches(name, [n for n in pool if n not in same], n=3, cutoff=0.75)
    return tuple(sorted(same) + near)[:3]


def walk_closure(
    entry: str, resolve: Resolver, read: Reader, *, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES
) -> Closure:
    """The closure from an entry file (a bundle path), with a resolver and a reader of bundle files."""
    started = time.perf_counter()
    out = _Walk(resolve, read, max_files, max_bytes).run(entry)
    out.seconds = time.perf_counter() - started
    return out


def closure_of(index: Index) -> Closure:
    """The closure of a bundle's entry point; empty when there is no entry file."""
    entry = index.target.entry_file
    if not entry or entry not in index.by_path:
        return Closure()
    return walk_closure(entry, find_in_index(index), bundle_reader(index), max_files=MAX_FILES, max_bytes=MAX_BYTES)


def bundle_reader(index: Index) -> Reader:
    """Bundle path -> (cache key, loader): size + crc for zip members, size + mtime for folder files."""
    bundle = index.bundle

    def read(path: str) -> tuple[Hashable | None, Callable[[], bytes]] | None:
        f = index.by_path.get(path)
        if f is None or f.is_symlink:
            return None
        if isinstance(f, ZipEntry):
            key: Hashable | None = ("zip", path, f.size, f.crc)
        else:
            try:
                key = ("dir", str(bundle.path / path), f.size, os.stat(bundle.path / path).st_mtime_ns)
            except OSError:
                key = None
        return key, lambda: bundle.read(f, MAX_SOURCE)

    return read


_Spot = tuple[Located, tuple[str, ...]]  # where a module is, and where its submodules are looked for


def _file_finder(index: Index, suffixes: tuple[str, ...], base: str) -> _Spot | None:
    """FileFinder for one name: a package, an extension, a source, bytecode, or a namespace portion."""
    files, dirs = index.by_path, index.dirs
    if base in dirs:
        for s in (*suffixes, ".py", ".pyc"):
            if f"{base}/__init__{s}" in files:
                kind = "package" if s == ".py" else "extension" if s in suffixes else "bytecode"
                return Located(kind, f"{base}/__init__{s}"), (base,)
    for s, kind in (*((s, "extension") for s in suffixes), (".py", "module"), (".pyc", "bytecode")):
        if base + s in files:
            return Located(kind, base + s), ()
    return (Located("namespace", base + "/"), (base,)) if base in dirs else None


def find_in_index(index: Index) -> Resolver:
    """Where module X is for the target, from today's Index (the agent's folder, then packages/,
    then the stdlib), as FileFinder looks: extension, source, bytecode; namespace portions merged.

    The one adapter to the import model: with validator/finder.py, this becomes a mapping of its
    spec (kind, path) to Located, and nothing else in this module changes.
    """
    from agentzip.validator.imports import extension_suffixes
    from agentzip.validator.stdlib import UNSHADOWABLE, is_windows_only, stdlib_modules, stdlib_top_level

    version = index.target.python_version or (3, 13)
    suffixes = extension_suffixes(version)
    entries = [index.source_base] + ([PACKAGES] if PACKAGES in index.dirs and index.source_base != PACKAGES else [])
    memo: dict[str, _Spot | None] = {}

    def find_in(folder: str, leaf: str) -> _Spot | None:
        return _file_finder(index, suffixes, f"{folder}/{leaf}" if folder else leaf)

    def walk(dotted: str) -> _Spot | None:
        if dotted in memo:
            return memo[dotted]
        parent, _, leaf = dotted.rpartition(".")
        up: _Spot | None = None
        if parent:
            up = walk(parent)
            search: tuple[str, ...] = () if up is None else up[1]
        elif dotted in UNSHADOWABLE:
            memo[dotted] = (Located("builtin", None), ())
            return memo[dotted]
        else:
            search = tuple(entries)
        portions: list[str] = []
        out: _Spot | None = None
        for folder in search:
            got = find_in(folder, leaf)
            if got is not None and got[0].kind == "namespace":
                portions.extend(got[1])
            elif got is not None:
                out = got
                break
        if out is None and not parent and leaf in stdlib_top_level(version) and not is_windows_only(leaf):
            out = (Located("stdlib", None), ())
        elif out is None and parent and up is not None and up[0].kind in ("stdlib", "builtin"):
            out = (Located("stdlib", None), ()) if dotted in stdlib_modules(version) else None
        if out is None and portions:
            out = (Located("namespace", portions[0] + "/"), tuple(portions))
        memo[dotted] = out
        return out

    def resolve(dotted: str) -> Located | None:
        got = walk(dotted)
        return got[0] if got is not None else None

    return resolve
