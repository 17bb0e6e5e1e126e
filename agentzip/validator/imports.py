"""The agent's own imports, read with `ast` from its root modules and local packages (never run)."""

from __future__ import annotations

import ast
import posixpath
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentzip.errors import ArchiveError

if TYPE_CHECKING:
    from agentzip.validator.bundle import Bundle, BundleFile
    from agentzip.validator.distributions import Distribution

FILE_LIMIT = 1 << 20  # a hand-written module over 1 MiB is generated data, not the agent's imports
TOTAL_BUDGET = 32 << 20  # read at most this much source per check: a pre-commit hook must stay fast
MAX_FILES = 5000

# Exceptions whose handler makes the imports in its `try` body optional.
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
# `if` tests that decide per platform or per version: either branch may be the one not taken.
_GUARDS = {
    "platform": "platform check",
    "name": "platform check",
    "system": "platform check",
    "version_info": "version check",
}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Test code ships by accident and never runs in the container.
_TEST_FILE = re.compile(r"(^|/)(tests?/|test_[^/]*\.py$|[^/]*_test\.py$|conftest\.py$)")


@dataclass(frozen=True)
class ImportRef:
    """One import statement (or literal dynamic import) of the agent, with where it was written."""

    name: str  # absolute dotted module name; relative imports resolved against their package
    file: str  # the bundle path of the source file
    line: int
    names: tuple[str, ...] = ()  # `from name import a, b`: ('a', 'b')
    level: int = 0  # leading dots of a relative import as written
    optional: bool = False  # under try/except ImportError, or a platform or version check
    guard: str | None = None  # why it is optional: "try/except ImportError", "platform check", ...
    type_checking: bool = False  # under `if TYPE_CHECKING:`: never imported at run time
    dynamic: bool = False  # importlib.import_module("...") or __import__("...") with a literal
    approximate: bool = False  # found by a line scan: the file did not parse on this host's Python

    @property
    def top(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def at_runtime(self) -> bool:
        """True when the import runs unconditionally when its module is loaded."""
        return not self.optional and not self.type_checking

    @property
    def in_tests(self) -> bool:
        """True for test code (`tests/`, `test_*.py`, `conftest.py`): shipped, never run."""
        return is_test_path(self.file)


def is_test_path(path: str) -> bool:
    """True for test code (`tests/`, `test_*.py`, `*_test.py`, `conftest.py`)."""
    return _TEST_FILE.search(path) is not None


@dataclass(frozen=True)
class BrokenRelative:
    """A relative import that cannot work: it climbs above the top-level package (or has none)."""

    file: str
    line: int
    text: str  # as written: "from . import utils"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class SkippedFile:
    """A source file whose imports are unknown, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class LocalModule:
    """A top-level module the agent's own root provides."""

    name: str
    path: str  # the file or folder that provides it
    kind: str  # "module", "package" (with __init__.py), "namespace" (folder without), "extension"


@dataclass(frozen=True)
class ImportScan:
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


def extension_suffixes(version: tuple[int, int]) -> tuple[str, ...]:
    """What CPython on Linux x86_64 loads as an extension module (importlib.machinery)."""
    return (f".cpython-{version[0]}{version[1]}-x86_64-linux-gnu.so", ".abi3.so", ".so")


def local_modules(
    files: Iterable[BundleFile],
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
        if not rel or "/" in rel or not _IDENT.match(rel) or excluded(d + "/x"):
            continue
        kind = "package" if rel in inits else "namespace"
        out[rel] = LocalModule(rel, d + "/", kind)
    for f in files:
        if not f.path.startswith(prefix) or excluded(f.path):
            continue
        rel = f.path[len(prefix) :]
        if "/" in rel:
            continue
        if rel.endswith(".py") and _IDENT.match(rel[:-3]):
            # A module and a package of the same name: the package wins (FileFinder order).
            if out.get(rel[:-3], LocalModule("", "", "namespace")).kind == "namespace":
                out[rel[:-3]] = LocalModule(rel[:-3], f.path, "module")
            continue
        for suffix in suffixes:
            stem = rel[: -len(suffix)]
            if rel.endswith(suffix) and _IDENT.match(stem):
                if out.get(stem, LocalModule("", "", "namespace")).kind == "namespace":
                    out[stem] = LocalModule(stem, f.path, "extension")
                break
    return out


def owned_root_names(distributions: Iterable[Distribution]) -> frozenset[str]:
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
    bundle: Bundle,
    agent_files: Iterable[BundleFile],
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
    by_top: dict[str, list[BundleFile]] = {}
    for f in agent_files:
        if not f.path.endswith(".py") or f.is_symlink or not f.path.startswith(prefix):
            continue
        rel = f.path[len(prefix) :]
        if "__pycache__/" in rel:
            continue
        top = rel.split("/", 1)[0]
        key = "" if "/" not in rel else top
        if key and key not in local:
            continue  # a folder whose name cannot be imported (`my-scripts/`)
        by_top.setdefault(key, []).append(f)

    imports: list[ImportRef] = []
    broken: list[BrokenRelative] = []
    skipped: list[SkippedFile] = []
    approximate: list[str] = []
    read: list[str] = []
    edits_path = False
    spent = 0
    newer_target = target_version is not None and sys.version_info[:2] < target_version

    todo = [""] + sorted(k for k in by_top if k and local[k].kind != "namespace")
    done: set[str] = set()
    while todo:
        key = todo.pop(0)
        if key in done:
            continue
        done.add(key)
        for f in sorted(by_top.get(key, []), key=lambda f: f.path):
            if len(read) >= MAX_FILES or spent + min(f.size, file_limit) > budget:
                skipped.append(SkippedFile(f.path, "not read: the source budget of this check is spent"))
                continue
            if f.size > file_limit:
                skipped.append(SkippedFile(f.path, f"not read: larger than {file_limit // (1 << 20)} MiB"))
                continue
            try:
                data = bundle.read(f, file_limit)
            except ArchiveError as e:
                skipped.append(SkippedFile(f.path, f"cannot be read ({e})"))
                continue
            spent += len(data)
            read.append(f.path)
            module = _module_name(f.path[len(prefix) :])
            tree, problem = _parse(data)
            if tree is None:
                reason = problem or "does not parse"
                if newer_target and reason.startswith("does not parse (") and "Python 2" not in reason:
                    # This host's parser may not know the target's syntax (PEP 695 `type`, PEP 701
                    # f-strings, ...): a line scan keeps the imports, flagged approximate, and the
                    # file stays listed so nobody takes the result as exact.
                    found = list(_line_scan(data, f.path, module))
                    imports.extend(found)
                    if found:
                        approximate.append(f.path)
                    todo.extend(r.top for r in found if r.top in by_top and r.top not in done)
                    host = f"{sys.version_info[0]}.{sys.version_info[1]}"
                    reason += f" on Python {host}, older than the target: newer syntax may be the cause" + (
                        "; imports found line by line" if found else ""
                    )
                skipped.append(SkippedFile(f.path, reason))
                continue
            visitor = _Visitor(f.path, module, f.name == "__init__.py")
            visitor.visit(tree)
            imports.extend(visitor.imports)
            broken.extend(visitor.broken)
            edits_path = edits_path or visitor.edits_path
            for ref in visitor.imports:
                if ref.top in by_top and ref.top not in done and not ref.type_checking:
                    todo.append(ref.top)
    return ImportScan(
        imports=tuple(imports),
        files=tuple(read),
        broken_relative=tuple(broken),
        skipped=tuple(skipped),
        approximate=tuple(approximate),
        base=base,
        edits_sys_path=edits_path,
    )


def imports_in(data: bytes, path: str, rel: str) -> list[ImportRef]:
    """The imports of one source file, `rel` being its path from its sys.path entry
    (`pkg/sub/m.py`); [] when it does not parse on this host."""
    tree, _ = _parse(data)
    if tree is None:
        return []
    visitor = _Visitor(path, _module_name(rel), rel.rsplit("/", 1)[-1] == "__init__.py")
    visitor.visit(tree)
    return visitor.imports


def _module_name(rel: str) -> str:
    """`app/sub/m.py` -> 'app.sub.m'; `app/__init__.py` -> 'app'; `main.py` -> 'main'."""
    parts = rel[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _parse(data: bytes) -> tuple[ast.Module | None, str | None]:
    """The module's tree, or None and why. Bytes go in as they are: compile() applies PEP 263
    coding cookies and the UTF-8 BOM itself and rejects undeclared non-UTF-8 bytes."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes is not our business
            return ast.parse(data), None
    except SyntaxError as e:
        msg = e.msg or "invalid syntax"
        at = f"line {e.lineno}: " if e.lineno else ""
        if "Missing parentheses in call to 'print'" in msg or "print" in (e.text or "").split("(")[0]:
            return None, f"does not parse ({at}{msg}; Python 2 code?)"
        if "codec can't decode" in msg or "encoding problem" in msg:
            return None, f"not valid UTF-8 and no coding declaration ({msg})"
        return None, f"does not parse ({at}{msg})"
    except (ValueError, UnicodeDecodeError) as e:  # null bytes; a bad coding cookie
        return None, f"does not parse ({e})"
    except (RecursionError, MemoryError):
        return None, "does not parse (nested too deeply)"


_LINE_IMPORT = re.compile(r"^\s*import\s+([\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)\s*(?:#.*)?$")
_LINE_FROM = re.compile(r"^\s*from\s+(\.*)([\w.]*)\s+import\s")


def _line_scan(data: bytes, path: str, module: str) -> Iterator[ImportRef]:
    """Import statements found line by line; relative ones resolved like the parser would."""
    text = data.decode("utf-8", errors="replace")
    package = module.rpartition(".")[0] if not path.endswith("__init__.py") else module
    for lineno, line in enumerate(text.splitlines(), 1):
        m = _LINE_IMPORT.match(line)
        if m:
            for part in m.group(1).split(","):
                yield ImportRef(part.split()[0].strip(), path, lineno, approximate=True)
            continue
        m = _LINE_FROM.match(line)
        if m:
            dots, name = len(m.group(1)), m.group(2)
            resolved = _resolve(package, dots, name) if dots else name
            if resolved:
                yield ImportRef(resolved, path, lineno, level=dots, approximate=True)


def _resolve(package: str, level: int, name: str | None) -> str | None:
    """importlib's _resolve_name: `from ..x import y` in package a.b.c -> 'a.b.x'; None above top."""
    if not package:
        return None
    bits = package.split(".")
    if level > len(bits):
        return None
    base = ".".join(bits[: len(bits) - level + 1])
    return f"{base}.{name}" if name else base


def _dotted(node: ast.expr) -> str:
    """`typing.TYPE_CHECKING` -> 'typing.TYPE_CHECKING'; '' for anything but names and attributes."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else node.attr
    return ""


def _catches_import_error(handlers: list[ast.ExceptHandler]) -> bool:
    for h in handlers:
        if h.type is None:
            return True
        types = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
        if any(_dotted(t).rsplit(".", 1)[-1] in _IMPORT_ERRORS for t in types):
            return True
    return False


def _guard_of(test: ast.expr) -> str | None:
    """'platform check' for `sys.platform == "win32"`, 'version check' for `sys.version_info < (3, 11)`."""
    for node in ast.walk(test):
        name = _dotted(node) if isinstance(node, (ast.Attribute, ast.Name)) else ""
        if name in ("sys.platform", "os.name", "platform.system", "sys.version_info", "platform", "version_info"):
            return _GUARDS[name.rsplit(".", 1)[-1]]
    return None


class _Visitor(ast.NodeVisitor):
    """Collect imports with the context that makes them optional or type-only."""

    def __init__(self, path: str, module: str, is_package: bool) -> None:
        self.path = path
        self.package = module if is_package else module.rpartition(".")[0]
        self.imports: list[ImportRef] = []
        self.broken: list[BrokenRelative] = []
        self.edits_path = False
        self._guard: str | None = None
        self._type_checking = False

    def _add(self, name: str, node: ast.AST, **kw: object) -> None:
        self.imports.append(
            ImportRef(
                name,
                self.path,
                getattr(node, "lineno", 0),
                optional=self._guard is not None,
                guard=self._guard,
                type_checking=self._type_checking,
                **kw,  # type: ignore[arg-type]
            )
        )

    def _with(self, guard: str | None, type_checking: bool, nodes: Iterable[ast.AST]) -> None:
        saved = (self._guard, self._type_checking)
        self._guard = guard if guard is not None else self._guard
        self._type_checking = self._type_checking or type_checking
        for n in nodes:
            self.visit(n)
        self._guard, self._type_checking = saved

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        names = tuple(a.name for a in node.names)
        if not node.level:
            if node.module:
                self._add(node.module, node, names=names)
            return
        resolved = _resolve(self.package, node.level, node.module)
        if resolved is None:
            text = f"from {'.' * node.level}{node.module or ''} import {', '.join(names)}"
            self.broken.append(BrokenRelative(self.path, node.lineno, text))
            return
        self._add(resolved, node, names=names, level=node.level)

    def visit_If(self, node: ast.If) -> None:
        if _dotted(node.test).rsplit(".", 1)[-1] == "TYPE_CHECKING":
            self._with(None, True, node.body)
            self._with(None, False, node.orelse)
            return
        guard = _guard_of(node.test)
        self.visit(node.test)
        self._with(guard, False, node.body)
        self._with(guard, False, node.orelse)

    def visit_Try(self, node: ast.Try) -> None:
        self._try(node.body, node.handlers, node.orelse, node.finalbody)

    def visit_TryStar(self, node: ast.AST) -> None:  # `except*` (Python 3.11+), same shape as Try
        self._try(
            getattr(node, "body", []),
            getattr(node, "handlers", []),
            getattr(node, "orelse", []),
            getattr(node, "finalbody", []),
        )

    def _try(
        self, body: list[ast.stmt], handlers: list[ast.ExceptHandler], orelse: list[ast.stmt], final: list[ast.stmt]
    ) -> None:
        # Imports in the `try` body are optional when ImportError is caught; the fallback
        # imports in the handlers are what runs when they fail, so those are required.
        guard = "try/except ImportError" if _catches_import_error(handlers) else None
        self._with(guard, False, body)
        self._with(None, False, handlers)
        self._with(None, False, orelse)
        self._with(None, False, final)

    def visit_Call(self, node: ast.Call) -> None:
        func = _dotted(node.func)
        if func in ("importlib.import_module", "import_module", "__import__", "builtins.__import__"):
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                name: str | None = arg.value
                if func.endswith("import_module") and arg.value.startswith("."):
                    pkg = next((k.value for k in node.keywords if k.arg == "package"), None)
                    if len(node.args) > 1:
                        pkg = node.args[1]
                    pkg_name = pkg.value if isinstance(pkg, ast.Constant) and isinstance(pkg.value, str) else None
                    level = len(arg.value) - len(arg.value.lstrip("."))
                    name = _resolve(pkg_name, level, arg.value[level:] or None) if pkg_name else None
                if name and all(_IDENT.match(p) for p in name.split(".")):
                    self._add(name, node, dynamic=True)
        elif func in ("sys.path.insert", "sys.path.append", "sys.path.extend", "site.addsitedir"):
            self.edits_path = True
        self.generic_visit(node)
