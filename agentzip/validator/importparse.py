"""Imports of one Python source file, read with `ast` (never run): the visitor and its fallbacks.

Hostile sources are bounded: a file that does not parse, or nests deeper than the parser or the
visitor can follow (thousands of binary operators), has unknown imports, never a traceback.
"""

import _ast as ast  # the node classes; `ast` itself is not loaded (syntax.py)
import gc
import re
import warnings
from collections.abc import Iterable, Iterator

from agentzip.records import NamedTuple
from agentzip.validator.conditions import added_path, decide, dotted, global_names, module_constants
from agentzip.validator.syntax import NodeVisitor, parse, walk

# Exceptions whose handler makes the imports in its `try` body optional.
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
# `if` tests that decide per platform or per version: either branch may be the one not taken.
_GUARDS = {
    "platform": "platform check",
    "name": "platform check",
    "system": "platform check",
    "version_info": "version check",
}
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Test code ships by accident and never runs in the container.
_TEST_FILE = re.compile(r"(^|/)(tests?/|test_[^/]*\.py$|[^/]*_test\.py$|conftest\.py$)")


class ImportRef(NamedTuple):
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
    catches: tuple[str, ...] = ()  # exception names the enclosing `try` handlers catch ("*": a bare except)
    function: str | None = None  # the enclosing def: the import runs when it is called, not at import
    conditional: bool = False  # under an `if` whose test is not known before it runs
    handler: bool = False  # in an `except` handler: runs only when the `try` body raised

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


class BrokenRelative(NamedTuple):
    """A relative import that cannot work: it climbs above the top-level package (or has none)."""

    file: str
    line: int
    text: str  # as written: "from . import utils"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


class FileImports:
    """What one parsed file imports, or why its imports are unknown (`problem`)."""

    __slots__ = ("adds_finder", "broken", "edits_path", "imports", "path_edits", "problem")

    def __init__(
        self,
        imports: list[ImportRef] | None = None,
        broken: list[BrokenRelative] | None = None,
        edits_path: bool = False,
        problem: str | None = None,
        path_edits: list[tuple[int, str]] | None = None,
        adds_finder: bool = False,
    ) -> None:
        self.imports: list[ImportRef] = [] if imports is None else imports
        self.broken: list[BrokenRelative] = [] if broken is None else broken
        self.edits_path = edits_path
        self.problem = problem
        # with `version`: (line, folder added)
        self.path_edits: list[tuple[int, str]] = [] if path_edits is None else path_edits
        # with `version`: appends an importer to sys.meta_path (six serves six.moves)
        self.adds_finder = adds_finder

    def __repr__(self) -> str:
        return f"FileImports(imports={self.imports!r}, problem={self.problem!r})"


def read_imports(data: bytes, path: str, rel: str, version: tuple[int, int] | None = None) -> FileImports:
    """The imports of one source file, `rel` being its path from its sys.path entry (`pkg/sub/m.py`).

    With `version`, platform and version checks are decided for Linux and that Python: the branch
    not taken is left out and the one taken is not optional. Never raises on the file's contents:
    a tree too deep for the visitor (RecursionError) or too big (MemoryError) is reported like a
    file that does not parse."""
    tree, problem = _parse(data) if version is None else _parse_load(data)
    if tree is None:
        return FileImports(problem=problem or "does not parse")
    visitor = _Visitor(path, module_name(rel), rel.rsplit("/", 1)[-1] == "__init__.py", version)
    visitor.tree, visitor.source = tree, data
    try:
        visitor.visit(tree)
    except (RecursionError, MemoryError):
        return FileImports(problem="does not parse (nested too deeply)")
    return FileImports(
        visitor.imports,
        visitor.broken,
        visitor.edits_path,
        path_edits=visitor.path_edits,
        adds_finder=visitor.adds_finder,
    )


def imports_in(data: bytes, path: str, rel: str) -> list[ImportRef]:
    """The imports of one source file; [] when it does not parse on this host or nests too deeply."""
    return read_imports(data, path, rel).imports


def module_name(rel: str) -> str:
    """`app/sub/m.py` -> 'app.sub.m'; `app/__init__.py` -> 'app'; `main.py` -> 'main'."""
    parts = rel[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _parse_load(data: bytes) -> tuple[ast.Module | None, str | None]:
    """What runs at load: the tree with def and class bodies cut first (names.strip_bodies, lines kept),
    the whole file when the cut does not parse; the collector paused while the tree is built."""
    from agentzip.validator.names import strip_bodies

    enabled = gc.isenabled()
    gc.disable()  # an AST is thousands of small objects: collections while it grows cost a third of the parse
    try:
        tree, _ = _parse(strip_bodies(data))
        return (tree, None) if tree is not None else _parse(data)
    finally:
        if enabled:
            gc.enable()


def _parse(data: bytes) -> tuple[ast.Module | None, str | None]:
    """The module's tree, or None and why. Bytes go in as they are: compile() applies PEP 263
    coding cookies and the UTF-8 BOM itself and rejects undeclared non-UTF-8 bytes."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes is not our business
            return parse(data), None
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


def line_scan(data: bytes, path: str, module: str) -> Iterator[ImportRef]:
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


def _catches_import_error(handlers: list[ast.ExceptHandler]) -> bool:
    return any(c == "*" or c in _IMPORT_ERRORS for c in _caught(handlers))


def _caught(handlers: list[ast.ExceptHandler]) -> tuple[str, ...]:
    """The exception names the handlers catch (last dotted part), "*" for a bare `except:`."""
    out: list[str] = []
    for h in handlers:
        if h.type is None:
            out.append("*")
            continue
        types = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
        out.extend(dotted(t).rsplit(".", 1)[-1] or "*" for t in types)
    return tuple(out)


def _always_raises(body: list[ast.stmt]) -> bool:
    """True for a block that ends in `raise`: a handler that re-raises catches nothing for good, and the
    other branch of an `if` whose branch raises runs whenever the module goes on."""
    return bool(body) and isinstance(body[-1], ast.Raise)


def _suppressed(items: list[ast.withitem]) -> tuple[str, ...]:
    """The exception names a `with contextlib.suppress(A, B):` swallows (last dotted part)."""
    out: list[str] = []
    for item in items:
        call = item.context_expr
        if isinstance(call, ast.Call) and dotted(call.func).rsplit(".", 1)[-1] == "suppress":
            out.extend(dotted(a).rsplit(".", 1)[-1] or "*" for a in call.args)
    return tuple(out)


def _guard_of(test: ast.expr) -> str | None:
    """'platform check' for `sys.platform == "win32"`, 'version check' for `sys.version_info < (3, 11)`."""
    for node in walk(test):
        name = dotted(node) if isinstance(node, (ast.Attribute, ast.Name)) else ""
        if name in ("sys.platform", "os.name", "platform.system", "sys.version_info", "platform", "version_info"):
            return _GUARDS[name.rsplit(".", 1)[-1]]
    return None


class _Visitor(NodeVisitor):
    """Collect imports with the context that makes them optional or type-only."""

    def __init__(self, path: str, module: str, is_package: bool, version: tuple[int, int] | None = None) -> None:
        self.path = path
        self.version = version
        self._catches: tuple[str, ...] = ()
        self._function: str | None = None
        self._conditional = False
        self._handler = False
        self.package = module if is_package else module.rpartition(".")[0]
        self.imports: list[ImportRef] = []
        self.broken: list[BrokenRelative] = []
        self.edits_path = False
        self._guard: str | None = None
        self._type_checking = False
        self.tree: ast.Module | None = None
        self.source = b""
        self._constants: dict[str, tuple[object, int]] | None = None  # the module's own, when first asked
        self.path_edits: list[tuple[int, str]] = []
        self.adds_finder = False

    def _add(self, name: str, node: ast.AST, **kw: object) -> None:
        self.imports.append(
            ImportRef(
                name,
                self.path,
                getattr(node, "lineno", 0),
                optional=self._guard is not None,
                guard=self._guard,
                type_checking=self._type_checking,
                catches=self._catches,
                function=self._function,
                conditional=self._conditional,
                handler=self._handler,
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
        if dotted(node.test).rsplit(".", 1)[-1] == "TYPE_CHECKING":
            self._with(None, True, node.body)
            self._with(None, False, node.orelse)
            return
        taken = decide(node.test, self.version, self._known(node)) if self.version is not None else None
        if taken is not None:  # decided for the target: only the branch it takes runs
            self.visit(node.test)
            self._with(None, False, node.body if taken else node.orelse)
            return
        guard = _guard_of(node.test)
        self.visit(node.test)
        saved = self._conditional
        # With the target known, a branch is conditional unless the other one raises: then the module
        # either stops there or runs this branch (PyYAML's `_yaml` shim re-imports `yaml._yaml` or raises).
        self._conditional = saved or (self.version is not None and not _always_raises(node.orelse))
        self._with(guard, False, node.body)
        self._conditional = saved or (self.version is not None and not _always_raises(node.body))
        self._with(guard, False, node.orelse)
        self._conditional = saved

    def _known(self, node: ast.If) -> dict[str, object]:
        """The module's constants the test reads, bound above it."""
        names = [n.id for n in walk(node.test) if isinstance(n, ast.Name)]
        if not names or self.tree is None:
            return {}
        if self._constants is None:
            self._constants = module_constants(self.tree, global_names(self.source))
        known = self._constants
        return {n: c[0] for n in names if (c := known.get(n)) is not None and c[1] < node.lineno}

    def visit_Try(self, node: ast.Try) -> None:
        self._try(node.body, node.handlers, node.orelse, node.finalbody)

    def visit_With(self, node: ast.With) -> None:
        # `with suppress(ImportError): import x` is a try/except in all but syntax (jsonschema's fqdn)
        caught = _suppressed(node.items)
        if not caught:
            self.generic_visit(node)
            return
        guard = "with suppress(ImportError)" if any(c == "*" or c in _IMPORT_ERRORS for c in caught) else None
        saved = self._catches
        self._catches = (*saved, *caught)
        self._with(guard, False, node.body)
        self._catches = saved

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
        # imports in the handlers are what runs when they fail, so those are required. With the
        # target known, a handler that re-raises (numpy's "Error importing numpy") catches nothing.
        catching = [h for h in handlers if not _always_raises(h.body)] if self.version is not None else handlers
        guard = "try/except ImportError" if _catches_import_error(catching) else None
        saved = self._catches
        self._catches = (*saved, *_caught(catching))
        self._with(guard, False, body)
        self._catches = saved
        in_handler, self._handler = self._handler, True
        self._with(None, False, handlers)
        self._handler = in_handler
        self._with(None, False, orelse)
        self._with(None, False, final)

    def generic_visit(self, node: ast.AST) -> None:
        if self.version is None:
            super().generic_visit(node)
            return
        # For what runs at import only statements matter: expressions are not walked, except a
        # call standing alone (`importlib.import_module("x")`), which is most of the time saved.
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(node, name, None) or ():
                if isinstance(child, ast.AST):
                    self.visit(child)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            self.visit_Call(node.value)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if self.version is not None:
            return  # runs when called, not at import
        saved = self._function
        self._function = self._function or node.name  # the outermost def is what a caller calls
        self.generic_visit(node)
        self._function = saved

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        func = dotted(node.func)
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
                if name and all(IDENT.match(p) for p in name.split(".")):
                    self._add(name, node, dynamic=True)
        elif func in ("sys.path.insert", "sys.path.append", "sys.path.extend", "site.addsitedir"):
            self.edits_path = True
            folder = added_path(node, self.path) if self.version is not None and func != "site.addsitedir" else None
            if folder is not None:
                self.path_edits.append((node.lineno, folder))
        elif func in ("sys.meta_path.append", "sys.meta_path.insert"):
            self.adds_finder = True
        if self.version is not None and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call):
            # `__import__("pkg_resources").declare_namespace(__name__)`: the import is the inner call
            self.visit_Call(node.func.value)
        self.generic_visit(node)
