"""What a module's source defines at module level and which imports run when it loads (ast, never run)."""

import _ast as ast  # the node classes; `ast` itself is not loaded (syntax.py)
import gc
import re
from collections.abc import Hashable, Iterable, Iterator
from functools import lru_cache

from agentzip.records import NamedTuple
from agentzip.validator.syntax import parse

MAX_SOURCE = 4 << 20  # bytes of one source file parsed; a bigger one is "unknown"
# Bound on parsed modules kept between runs in one process (check then explain, build then check).
CACHE_SIZE = 20_000

# Names every module has without defining them (the import system sets them).
IMPLICIT = frozenset(
    {"__name__", "__file__", "__doc__", "__spec__", "__loader__", "__package__", "__builtins__", "__cached__"}
)
_HEADER = re.compile(rb"^([ \t]*)(async[ \t]+def|def|class)[ \t]+(\w+)", re.MULTILINE)
MAX_HEADER_LINES = 200  # lines one `def` header may span before its `:`
_GLOBAL = re.compile(rb"^[ \t]+global[ \t]+(\w+(?:[ \t]*,[ \t]*\w+)*)", re.MULTILINE)
# Handlers that make a failed import a fallback rather than a crash.
_CATCHES_IMPORT = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


class ImportStmt(NamedTuple):
    """One import statement that runs when the module loads (named tuples here, not dataclasses: a
    bundled check loads this module, and each dataclass costs a millisecond to build at import)."""

    line: int
    level: int  # 0 for absolute imports, the number of dots for relative ones
    module: str  # `a.b` of `import a.b` / `from a.b import x`; "" for `from . import x`
    names: tuple[str, ...] = ()  # what `from module import ...` takes; ("*",) for a star import
    is_from: bool = False
    guarded: bool = False  # under `try:` whose handlers catch ImportError (or wider): a fallback runs
    type_checking: bool = False  # under `if TYPE_CHECKING:`: never runs
    conditional: bool = False  # under another `if`/`while`/`for` or in an `except` body: may not run

    @property
    def runs(self) -> bool:
        """True when a failure of this import stops the module from loading."""
        return not (self.guarded or self.type_checking or self.conditional)


class ModuleNames(NamedTuple):
    """A module's names: what it binds at module level, its `__all__` and its load-time imports."""

    defined: frozenset[str] = frozenset()
    all_names: tuple[str, ...] | None = None  # a literal `__all__`; None when absent or dynamic
    all_dynamic: bool = False  # `__all__` is built by code agentzip cannot evaluate
    star_imports: tuple[ImportStmt, ...] = ()  # `from X import *`: X's exported names are ours too
    getattr_hook: bool = False  # module-level `__getattr__`: any name may exist
    edits_modules: bool = False  # touches `sys.modules` or `__path__`: submodules may come from anywhere
    imports: tuple[ImportStmt, ...] = ()
    unknown: str | None = None  # why nothing is known (unparseable, too big); then the rest is empty
    partial: bool = False  # read with function and class bodies left out (see strip_bodies)
    writes_globals: bool = False  # `globals()` in the source (`globals().update(Enum.__members__)`): names may be made

    def exported(self) -> frozenset[str] | None:
        """What `from this import *` binds, not counting star chains; None when dynamic."""
        if self.all_dynamic:
            return None
        if self.all_names is not None:
            return frozenset(self.all_names)
        return frozenset(n for n in self.defined if not n.startswith("_"))


_CACHE: dict[Hashable, ModuleNames] = {}


def cached(key: Hashable | None, full: bool = False) -> ModuleNames | None:
    """A result parsed before under this key, if any."""
    return _CACHE.get((key, full)) if key is not None else None


def module_names(data: bytes, key: Hashable | None = None, *, full: bool = False) -> ModuleNames:
    """Parse one module's source; a `key` (size + crc, size + mtime, a RECORD hash) caches the result.

    By default function and class bodies are left out before parsing (six times faster on real
    packages); `full` parses everything, for a verdict that must not rest on that shortcut.
    """
    if key is not None and (key, full) in _CACHE:
        return _CACHE[key, full]
    enabled = gc.isenabled()
    gc.disable()  # an AST is thousands of small objects: collections while it is alive cost a third of the parse
    try:
        result = _parse(data, full)  # the tree is freed on return, before the collector runs again
    finally:
        if enabled:
            gc.enable()
    if key is not None:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key, full] = result
    return result


def _tree(data: bytes, full: bool) -> tuple[ast.Module | str, bool]:
    """The module's AST (bodies left out unless `full`, or when that does not parse), or why not."""
    try:
        if not full:
            try:
                return parse(strip_bodies(data)), True
            except (SyntaxError, ValueError):
                pass  # the line-based cut misread this file (strings, odd layout): parse all of it
        return parse(data), False
    except SyntaxError as e:
        return f"cannot be parsed (line {e.lineno}: {e.msg})", False
    except (RecursionError, MemoryError, ValueError) as e:
        return f"cannot be parsed ({type(e).__name__})", False


def _parse(data: bytes, full: bool) -> ModuleNames:
    if len(data) > MAX_SOURCE:
        return ModuleNames(unknown=f"larger than {MAX_SOURCE >> 20} MiB")
    tree, partial = _tree(data, full)
    if isinstance(tree, str):
        return ModuleNames(unknown=tree)
    try:
        v = _Visitor()
        v.block(tree.body, _Scope())
        if b"global" in data:  # `global x` in a function binds a module name; rare, so found by text
            for m in _global_statements(data):
                v.defined.update(n.strip().decode("ascii", "replace") for n in m.group(1).split(b","))
    except (RecursionError, MemoryError):
        return ModuleNames(unknown="too deeply nested to read")
    defined = frozenset(v.defined | IMPLICIT)
    return ModuleNames(
        defined=defined,
        all_names=None if v.all_dynamic or not v.has_all else tuple(dict.fromkeys(v.all_names)),
        all_dynamic=v.all_dynamic,
        star_imports=tuple(v.stars),
        getattr_hook="__getattr__" in v.defined,
        edits_modules=b"sys.modules" in data or "__path__" in v.defined,
        imports=tuple(v.imports),
        partial=partial,
        writes_globals=b"globals()" in data,
    )


def close_names(name: str, pool: frozenset[str] | set[str]) -> tuple[str, ...]:
    """Names like `name` (`MCPError` for `McpError`): same letters in another case first, then difflib."""
    import difflib  # only when a name is missing

    same = [n for n in pool if n.lower() == name.lower() and n != name]
    near = difflib.get_close_matches(name, [n for n in pool if n not in same], n=3, cutoff=0.75)
    return tuple(sorted(same) + near)[:3]


def _global_statements(data: bytes) -> Iterator[re.Match[bytes]]:
    """Each indented `global a, b` line: found from the word (memchr-fast), not a regex over every line."""
    pos = data.find(b"global")
    while pos >= 0:
        start = data.rfind(b"\n", 0, pos) + 1
        if pos > start and not data[start:pos].strip(b" \t") and (m := _GLOBAL.match(data, start)) is not None:
            yield m
        pos = data.find(b"global", pos + 6)


def strip_bodies(data: bytes) -> bytes:
    """The source with each `def` and `class` block cut to `def name(): pass`, lines kept in place.

    Text-based, so a string or an odd layout can mislead it: the result then usually fails to parse
    and the caller parses the whole file; a verdict of "missing" is always re-checked on a full parse.
    """
    out: list[bytes] = []
    last = pos = 0
    while (m := _HEADER.search(data, pos)) is not None:
        indent = len(m.group(1))
        end = _header_end(data, m.start())
        if end < 0:
            pos = m.end()
            continue
        stop = _block_end(data, indent, m.start(), end)
        # the header too: only the name matters, and long annotated signatures are a good part of a file
        stub = m.group(1) + (
            b"class " + m.group(3) + b": pass" if m.group(2) == b"class" else b"def " + m.group(3) + b"(): pass"
        )
        out += (data[last : m.start()], stub, b"\n" * data.count(b"\n", m.start(), stop))
        last = pos = stop
    out.append(data[last:])
    return b"".join(out)


def _block_end(data: bytes, indent: int, start: int, end: int) -> int:
    """Where a block starting at `start` ends: the next line indented `indent` or less that is not inside
    a triple-quoted string (a message at column 0 in a function body); counted, so an odd case may misjudge."""
    dedent = _dedent(indent)
    double = data.count(b'"""', start, end) % 2
    single = data.count(b"'''", start, end) % 2
    pos = end
    while (nxt := dedent.search(data, pos + 1)) is not None:
        double ^= data.count(b'"""', pos, nxt.start()) % 2
        single ^= data.count(b"'''", pos, nxt.start()) % 2
        if not double and not single:
            return nxt.start()
        pos = nxt.start() + 1
    return len(data)


def _header_end(data: bytes, start: int) -> int:
    """Where the line ending a block header's `:` ends, or -1 (a one-line `def f(): ...`, or unclear)."""
    depth = 0
    for _ in range(MAX_HEADER_LINES):
        end = data.find(b"\n", start)
        if end < 0:
            return -1
        code = data[start:end].split(b"#", 1)[0].rstrip()
        depth += code.count(b"(") + code.count(b"[") - code.count(b")") - code.count(b"]")
        if depth <= 0:
            return end if code.endswith(b":") else -1
        start = end + 1
    return -1


@lru_cache(maxsize=64)
def _dedent(indent: int) -> re.Pattern[bytes]:
    """The newline before the next line of code indented `indent` columns or less."""
    return re.compile(rb"\n(?=[ \t]{0,%d}[^ \t\r\n#\f])" % indent)


class _Scope(NamedTuple):
    guarded: bool = False
    type_checking: bool = False
    conditional: bool = False


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _catches_import(handlers: Iterable[ast.ExceptHandler]) -> bool:
    for h in handlers:
        if h.type is None:
            return True
        types = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
        for t in types:
            name = t.id if isinstance(t, ast.Name) else t.attr if isinstance(t, ast.Attribute) else ""
            if name in _CATCHES_IMPORT:
                return True
    return False


def _str_list(node: ast.expr | None) -> list[str] | None:
    """The strings of a literal list or tuple of strings, else None."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    out = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return out if len(out) == len(node.elts) else None


class _Visitor:
    """Walks module-level statements (and the bodies of blocks that run at module level)."""

    def __init__(self) -> None:
        self.defined: set[str] = set()
        self.all_names: list[str] = []
        self.has_all = False
        self.all_dynamic = False
        self.stars: list[ImportStmt] = []
        self.imports: list[ImportStmt] = []

    def block(self, body: Iterable[ast.stmt], scope: _Scope) -> None:
        for node in body:
            self.stmt(node, scope)

    def stmt(self, node: ast.stmt, scope: _Scope) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.defined.add(node.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                self.defined.add(alias.asname or alias.name.split(".", 1)[0])
                self._import(node, 0, alias.name, (), scope)
        elif isinstance(node, ast.ImportFrom):
            self._import_from(node, scope)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            self._assign(node)
        elif isinstance(node, ast.Expr):
            self._all_call(node.value)
        elif isinstance(node, ast.If):
            tc = _is_type_checking(node.test)
            self.block(node.body, _Scope(scope.guarded, True, scope.conditional) if tc else _conditional(scope))
            self.block(node.orelse, scope if tc else _conditional(scope))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            if not isinstance(node, ast.While):
                self._targets(node.target)
            self.block(node.body, _conditional(scope))
            self.block(node.orelse, _conditional(scope))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    self._targets(item.optional_vars)
            self.block(node.body, scope)
        elif isinstance(node, (ast.Try, ast.TryStar)):
            guarded = _catches_import(node.handlers)
            self.block(node.body, _Scope(scope.guarded or guarded, scope.type_checking, scope.conditional))
            for h in node.handlers:
                if h.name:
                    self.defined.add(h.name)
                self.block(h.body, _conditional(scope))
            self.block(node.orelse, scope)
            self.block(node.finalbody, scope)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                self.block(case.body, _conditional(scope))
        elif isinstance(node, ast.Delete):
            pass  # a name deleted in one branch may still exist in another: the name stays "may be defined"

    def _import(self, node: ast.stmt, level: int, module: str, names: tuple[str, ...], scope: _Scope) -> None:
        stmt = ImportStmt(
            node.lineno,
            level,
            module,
            names,
            isinstance(node, ast.ImportFrom),
            scope.guarded,
            scope.type_checking,
            scope.conditional,
        )
        self.imports.append(stmt)
        if names == ("*",) and not scope.type_checking:
            self.stars.append(stmt)

    def _import_from(self, node: ast.ImportFrom, scope: _Scope) -> None:
        names = tuple(a.name for a in node.names)
        for alias in node.names:
            if alias.name != "*":
                self.defined.add(alias.asname or alias.name)
        self._import(node, node.level or 0, node.module or "", names, scope)

    def _assign(self, node: ast.Assign | ast.AugAssign | ast.AnnAssign) -> None:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is None:
            return  # `x: int` alone binds nothing
        else:
            targets = [node.target]
        for t in targets:
            self._targets(t)
        is_all = any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)
        if not is_all:
            if any(_binds_all(t) for t in targets):
                self.all_dynamic = True  # `__all__, x = ...`
            return
        self.has_all = True
        values = _str_list(node.value)
        if values is None:
            self.all_dynamic = True
        else:
            self.all_names += values  # `+=`, or reassigned in another branch: either list may be the one

    def _all_call(self, value: ast.expr) -> None:
        """`__all__.extend([...])` / `.append("x")` with literals; any other call on it is dynamic."""
        if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)):
            return
        owner = value.func.value
        if not (isinstance(owner, ast.Name) and owner.id == "__all__"):
            return
        args = value.args
        if value.func.attr == "extend" and len(args) == 1 and (lits := _str_list(args[0])) is not None:
            self.all_names += lits
        elif value.func.attr == "append" and len(args) == 1 and isinstance(args[0], ast.Constant):
            self.all_names.append(str(args[0].value))
        else:
            self.all_dynamic = True

    def _targets(self, t: ast.expr) -> None:
        if isinstance(t, ast.Name):
            self.defined.add(t.id)
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                self._targets(e)
        elif isinstance(t, ast.Starred):
            self._targets(t.value)


def _binds_all(t: ast.expr) -> bool:
    if isinstance(t, (ast.Tuple, ast.List)):
        return any(_binds_all(e) for e in t.elts)
    return (isinstance(t, ast.Starred) and _binds_all(t.value)) or (isinstance(t, ast.Name) and t.id == "__all__")


def _conditional(scope: _Scope) -> _Scope:
    return _Scope(scope.guarded, scope.type_checking, True)
