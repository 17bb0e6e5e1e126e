"""Checks decided for the target (Linux, one CPython version) without running them: platform and version
tests, the module's own constants, and the folders it adds to sys.path."""

from __future__ import annotations

import _ast as ast  # the node classes; `ast` itself is not loaded (syntax.py)
import itertools
import operator
import posixpath
import re
from collections.abc import Callable, Mapping

from agentzip.validator.syntax import walk

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_NO_NAMES: Mapping[str, object] = {}


def dotted(node: ast.expr) -> str:
    """`sys.platform` -> 'sys.platform'; '' for anything but names and attributes."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else node.attr
    return ""


# What the target's sys.platform, os.name and platform.system() say (Linux).
_TARGET_VALUES = {
    "sys.platform": "linux",
    "platform": "linux",
    "os.name": "posix",
    "platform.system": "Linux",
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def decide(test: ast.expr, version: tuple[int, int], known: Mapping[str, object] = _NO_NAMES) -> bool | None:
    """A platform or version check decided for Linux and `version`; None when it depends on anything else.

    `known`: the module's own constants at that point (`DEBUG = False`, numpy's `__NUMPY_SETUP__`)."""
    if isinstance(test, ast.BoolOp):
        values = [decide(v, version, known) for v in test.values]
        if isinstance(test.op, ast.And):
            return False if False in values else (True if all(v is True for v in values) else None)
        return True if True in values else (False if all(v is False for v in values) else None)
    if isinstance(test, ast.Name):
        return bool(known[test.id]) if test.id in known else _decide_flag(test.id, version)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = decide(test.operand, version, known)
        return None if inner is None else not inner
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.args:
        target = _value(test.func.value, version, known)
        arg = _value(test.args[0], version, known)
        if isinstance(target, str) and isinstance(arg, (str, tuple)) and test.func.attr == "startswith":
            return target.startswith(arg)
        return None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right = _value(test.left, version, known), _value(test.comparators[0], version, known)
        op = _COMPARE.get(type(test.ops[0]))
        if left is None or right is None or op is None:
            return None
        try:
            return bool(op(left, right))
        except TypeError:
            return None
    return None


_PY_VERSION_FLAG = r"^_?(?:IS_)?PY(?:THON)?_?3_?(\d+)(?:_?(PLUS|OR_LATER|OR_NEWER|OR_ABOVE))?$"
_PLATFORM_FLAGS = {"LINUX": True, "POSIX": True, "WINDOWS": False, "WIN32": False, "WIN": False, "MACOS": False}
_PLATFORM_FLAGS |= {"OSX": False, "DARWIN": False, "MACOSX": False, "FREEBSD": False, "OPENBSD": False}
_PLATFORM_FLAGS |= {"NETBSD": False, "BSD": False, "SUNOS": False, "AIX": False, "PYPY": False, "PY2": False}
_PLATFORM_FLAGS |= {"PY3": True, "CYGWIN": False, "IS_WINDOWS": False, "IS_LINUX": True, "IS_MACOS": False}


def _decide_flag(name: str, version: tuple[int, int]) -> bool | None:
    """Module constants named for a platform or version (`LINUX`, `WINDOWS`, `PY_3_14_PLUS`), as libraries
    define them from sys.platform and sys.version_info."""
    if name in _PLATFORM_FLAGS:
        return _PLATFORM_FLAGS[name]
    m = re.match(_PY_VERSION_FLAG, name)
    if m and m.group(2):
        return version >= (3, int(m.group(1)))
    return None


def _value(node: ast.expr, version: tuple[int, int], known: Mapping[str, object] = _NO_NAMES) -> object:
    """A constant, or what the target's sys.platform / os.name / sys.version_info is; None if unknown."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)):
        return node.value
    if isinstance(node, ast.Name) and isinstance(known.get(node.id), (str, int)):
        return known[node.id]
    if isinstance(node, ast.Tuple):
        items = [_value(e, version, known) for e in node.elts]
        return None if any(i is None for i in items) else tuple(items)
    if isinstance(node, ast.Call) and not node.args:
        node = node.func
    name = dotted(node)
    if name in ("sys.version_info", "version_info"):
        return (*version, 99)  # any micro release
    if isinstance(node, ast.Subscript) and dotted(node.value) in ("sys.version_info", "version_info"):
        index = node.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, int) and index.value in (0, 1):
            return version[index.value]
        return None
    return _TARGET_VALUES.get(name)


# Statements whose bodies run at module level (a def's or a class's body is not the module's).
_BLOCKS = (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)
_CONSTANT_TYPES = (bool, int, str, type(None))


_GLOBAL = rb"(?m)^[ \t]+global[ \t]+(\w+(?:[ \t]*,[ \t]*\w+)*)"


def global_names(source: bytes) -> frozenset[str]:
    """Names a `global` statement in a function rebinds (found by text: function bodies are not parsed)."""
    if b"global" not in source:
        return frozenset()
    return frozenset(
        n.strip().decode("ascii", "replace") for m in re.finditer(_GLOBAL, source) for n in m.group(1).split(b",")
    )


def module_constants(tree: ast.Module, rebound: frozenset[str] = frozenset()) -> dict[str, tuple[object, int]]:
    """Names the module binds exactly once, to a constant, at its own top level: name -> (value, line).

    `try: __NUMPY_SETUP__ except NameError: __NUMPY_SETUP__ = False` leaves it False (builtins do not
    carry it). A name bound anywhere else too (an import, a def, a loop, a second assignment, an
    `except ... as`, `rebound`: a `global` in a function) is no constant."""
    seen: dict[str, int] = dict.fromkeys(rebound, 2)
    values: dict[str, tuple[object, int]] = {}
    stack: list[ast.AST] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            seen[name] = seen.get(name, 0) + 1
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, _CONSTANT_TYPES):
                values[name] = (node.value.value, node.lineno)
            continue
        for bound in _bound_names(node):
            seen[bound] = seen.get(bound, 0) + 2  # bound some other way: never a constant
        if isinstance(node, (*_BLOCKS, ast.ExceptHandler)):
            for field in ("handlers", "finalbody", "orelse", "body"):
                stack.extend(reversed(getattr(node, field, None) or []))
    return {n: v for n, v in values.items() if seen.get(n) == 1}


def _bound_names(node: ast.AST) -> list[str]:
    """Names a statement binds other than by `name = constant` (targets of loops, imports, defs...)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".", 1)[0] for a in node.names]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.ExceptHandler):
        return [node.name] if node.name else []
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
    elif isinstance(node, ast.Delete):
        targets = node.targets
    return [n.id for t in targets for n in walk(t) if isinstance(n, ast.Name)]


_PATH_NODES = 64
_PATH_FUNCS = {"dirname", "join", "abspath", "realpath", "normpath", "Path", "PurePath", "str", "fspath"}


def added_path(call: ast.Call, file: str) -> str | None:
    """The bundle folder a `sys.path.append/extend/insert(...)` adds, when the argument is built from
    `__file__` (`os.path.join(os.path.dirname(__file__), "_vendor")`, `Path(__file__).parent / "lib"`);
    `file` is the bundle path of the source. None when it is anything else."""
    # a few nodes of each argument: a path expression is small, a hostile one is not walked whole
    for node in (n for arg in call.args for n in itertools.islice(walk(arg), _PATH_NODES)):
        if not isinstance(node, ast.expr) or isinstance(node, (ast.Name, ast.Constant)):
            continue
        if any(isinstance(n, ast.Name) and n.id == "__file__" for n in itertools.islice(walk(node), _PATH_NODES)):
            value = _path_value(node, file, 0)
            if value is not None and value != file:
                folder = posixpath.normpath(value)
                return "" if folder == "." else folder
    return None


def _path_value(node: ast.expr, file: str, depth: int) -> str | None:
    """A path expression over `__file__` evaluated for the bundle (posix, relative to its root)."""
    if depth > 32:
        return None
    if isinstance(node, ast.Name) and node.id == "__file__":
        return file
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.NamedExpr):
        return _path_value(node.value, file, depth + 1)
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _path_value(node.value, file, depth + 1)
        return posixpath.dirname(inner) if inner is not None else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left, right = _path_value(node.left, file, depth + 1), _path_value(node.right, file, depth + 1)
        return posixpath.join(left, right) if left is not None and right is not None else None
    if not isinstance(node, ast.Call) or node.keywords:
        return None
    func = dotted(node.func).rsplit(".", 1)[-1]
    args = [_path_value(a, file, depth + 1) for a in node.args]
    if func not in _PATH_FUNCS or not args or any(a is None for a in args):
        return None
    values = [a for a in args if a is not None]
    if func == "join":
        return posixpath.join(*values)
    if len(values) != 1:
        return None
    return posixpath.dirname(values[0]) if func == "dirname" else values[0]
