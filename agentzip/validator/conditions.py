"""Platform and version checks decided for the target (Linux, one CPython version) without running them."""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from typing import Any


def _dotted(node: ast.expr) -> str:
    """`sys.platform` -> 'sys.platform'; '' for anything but names and attributes."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
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


def decide(test: ast.expr, version: tuple[int, int]) -> bool | None:
    """A platform or version check decided for Linux and `version`; None when it depends on anything else."""
    if isinstance(test, ast.BoolOp):
        values = [decide(v, version) for v in test.values]
        if isinstance(test.op, ast.And):
            return False if False in values else (True if all(v is True for v in values) else None)
        return True if True in values else (False if all(v is False for v in values) else None)
    if isinstance(test, ast.Name):
        return _decide_flag(test.id, version)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = decide(test.operand, version)
        return None if inner is None else not inner
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.args:
        target = _value(test.func.value, version)
        arg = _value(test.args[0], version)
        if isinstance(target, str) and isinstance(arg, (str, tuple)) and test.func.attr == "startswith":
            return target.startswith(arg)
        return None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right = _value(test.left, version), _value(test.comparators[0], version)
        op = _COMPARE.get(type(test.ops[0]))
        if left is None or right is None or op is None:
            return None
        try:
            return bool(op(left, right))
        except TypeError:
            return None
    return None


_PY_VERSION_FLAG = re.compile(r"^_?(?:IS_)?PY(?:THON)?_?3_?(\d+)(?:_?(PLUS|OR_LATER|OR_NEWER|OR_ABOVE))?$")
_PLATFORM_FLAGS = {"LINUX": True, "POSIX": True, "WINDOWS": False, "WIN32": False, "WIN": False, "MACOS": False}
_PLATFORM_FLAGS |= {"OSX": False, "DARWIN": False, "MACOSX": False, "FREEBSD": False, "OPENBSD": False}
_PLATFORM_FLAGS |= {"NETBSD": False, "BSD": False, "SUNOS": False, "AIX": False, "PYPY": False, "PY2": False}
_PLATFORM_FLAGS |= {"PY3": True, "CYGWIN": False, "IS_WINDOWS": False, "IS_LINUX": True, "IS_MACOS": False}


def _decide_flag(name: str, version: tuple[int, int]) -> bool | None:
    """Module constants named for a platform or version (`LINUX`, `WINDOWS`, `PY_3_14_PLUS`), as libraries
    define them from sys.platform and sys.version_info."""
    if name in _PLATFORM_FLAGS:
        return _PLATFORM_FLAGS[name]
    m = _PY_VERSION_FLAG.match(name)
    if m and m.group(2):
        return version >= (3, int(m.group(1)))
    return None


def _value(node: ast.expr, version: tuple[int, int]) -> object:
    """A constant, or what the target's sys.platform / os.name / sys.version_info is; None if unknown."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)):
        return node.value
    if isinstance(node, ast.Tuple):
        items = [_value(e, version) for e in node.elts]
        return None if any(i is None for i in items) else tuple(items)
    if isinstance(node, ast.Call) and not node.args:
        node = node.func
    name = _dotted(node)
    if name in ("sys.version_info", "version_info"):
        return (*version, 99)  # any micro release
    if isinstance(node, ast.Subscript) and _dotted(node.value) in ("sys.version_info", "version_info"):
        index = node.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, int) and index.value in (0, 1):
            return version[index.value]
        return None
    return _TARGET_VALUES.get(name)
