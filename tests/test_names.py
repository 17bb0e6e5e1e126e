"""names.py: what a module defines at module level and which of its imports run when it loads."""

from __future__ import annotations

import pytest

from agentzip.validator.names import MAX_SOURCE, ModuleNames, cached, module_names, strip_bodies

# (source, names that must be defined, names that must not be)
DEFINED = [
    ("def f(): pass\nclass C: pass\nasync def g(): pass\n", {"f", "C", "g"}, {"pass"}),
    ("x = 1\na, (b, *c) = 1, (2, 3)\nd: int = 4\ne: int\nf += 1\n", {"x", "a", "b", "c", "d", "f"}, {"e"}),
    ("import a.b.c\nimport d as x\nfrom m import n as k, o\n", {"a", "x", "k", "o"}, {"b", "d", "n", "m"}),
    ("from . import sibling\nfrom .mod import thing\n", {"sibling", "thing"}, {"mod"}),
    ("if X:\n    a = 1\nelse:\n    b = 2\n", {"a", "b"}, set()),
    (
        "try:\n    from fast import a\nexcept ImportError as e:\n    a = None\nfinally:\n    z = 1\n",
        {"a", "e", "z"},
        set(),
    ),
    (
        "with open(p) as (fh, gh):\n    w = 1\nfor i in r:\n    v = 1\nwhile q:\n    u = 1\n",
        {"fh", "gh", "w", "i", "v", "u"},
        set(),
    ),
    ("def setup():\n    global late, later\n    late = 1\n", {"setup", "late", "later"}, set()),
    ("def f():\n    inner = 1\nclass C:\n    attr = 1\n", {"f", "C"}, {"inner", "attr"}),
    ("x = 1\ndel x\n", {"x"}, set()),
    ("", {"__name__", "__file__", "__doc__"}, {"anything"}),
]


@pytest.mark.parametrize(("source", "yes", "no"), DEFINED)
def test_defined_names(source: str, yes: set[str], no: set[str]) -> None:
    names = module_names(source.encode())
    assert names.unknown is None
    assert yes <= names.defined
    assert not (no & names.defined)


# (source, all_names, all_dynamic)
ALL = [
    ("__all__ = ['a', 'b']\n", ("a", "b"), False),
    ("__all__ = ('a',)\n__all__ += ['b']\n__all__.extend(['c'])\n__all__.append('d')\n", ("a", "b", "c", "d"), False),
    ("__all__: list[str] = ['a']\n", ("a",), False),
    ("__all__ = base.__all__ + ['x']\n", None, True),
    ("__all__ = [n for n in dir() if n]\n", None, True),
    ("__all__ = ['a']\n__all__.extend(other.__all__)\n", None, True),
    ("x = 1\n", None, False),
]


@pytest.mark.parametrize(("source", "expected", "dynamic"), ALL)
def test_all(source: str, expected: tuple[str, ...] | None, dynamic: bool) -> None:
    names = module_names(source.encode())
    assert names.all_names == expected
    assert names.all_dynamic is dynamic
    if dynamic:
        assert names.exported() is None


def test_exported_without_all_is_the_public_names() -> None:
    names = module_names(b"a = 1\n_b = 2\nimport os\n")
    assert names.exported() == frozenset({"a", "os"})


def test_star_import_and_getattr_hook() -> None:
    names = module_names(b"from .core import *\ndef __getattr__(name):\n    raise AttributeError(name)\n")
    assert [(s.level, s.module) for s in names.star_imports] == [(1, "core")]
    assert names.getattr_hook
    lazy = module_names(b"import lazy_loader as lazy\n__getattr__, __dir__, __all__ = lazy.attach(__name__)\n")
    assert lazy.getattr_hook and lazy.all_dynamic


def test_sys_modules_and_path_tricks_are_flagged() -> None:
    assert module_names(b"import sys\nsys.modules[__name__ + '.moves'] = object()\n").edits_modules
    assert module_names(b"__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n").edits_modules
    assert not module_names(b"x = 1\n").edits_modules


# (source, [(module, names, runs)])
IMPORTS = [
    ("import a.b\nfrom c import d, e\n", [("a.b", (), True), ("c", ("d", "e"), True)]),
    ("try:\n    import fast\nexcept ImportError:\n    import slow\n", [("fast", (), False), ("slow", (), False)]),
    ("try:\n    import fast\nexcept (KeyError, ModuleNotFoundError):\n    pass\n", [("fast", (), False)]),
    ("try:\n    import fast\nexcept Exception:\n    pass\n", [("fast", (), False)]),
    (
        "try:\n    import fast\nexcept KeyError:\n    pass\nelse:\n    import after\n",
        [("fast", (), True), ("after", (), True)],
    ),
    (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import t\nelse:\n    import u\n",
        [("typing", ("TYPE_CHECKING",), True), ("t", (), False), ("u", (), True)],
    ),
    ("import typing\nif typing.TYPE_CHECKING:\n    from t import X\n", [("typing", (), True), ("t", ("X",), False)]),
    ("if sys.version_info >= (3, 11):\n    import tomllib\n", [("tomllib", (), False)]),
    ("def f():\n    import inside\nclass C:\n    import body\n", []),
    ("with ctx():\n    import w\n", [("w", (), True)]),
]


@pytest.mark.parametrize(("source", "expected"), IMPORTS)
def test_imports(source: str, expected: list[tuple[str, tuple[str, ...], bool]]) -> None:
    names = module_names(source.encode())
    assert [(i.module, i.names, i.runs) for i in names.imports] == expected


def test_import_lines_and_guard_flags() -> None:
    names = module_names(b"import os\n\ntry:\n    from . import x\nexcept ImportError:\n    pass\n")
    first, second = names.imports
    assert (first.line, first.level, first.is_from) == (1, 0, False)
    assert (second.line, second.level, second.module, second.names, second.guarded) == (4, 1, "", ("x",), True)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"def broken(:\n", "cannot be parsed"),
        (b"x = " + b"(" * 5000 + b")" * 5000 + b"\n", "cannot be parsed"),
        (b"\0\0", "cannot be parsed"),
        (b"x = 1\n" + b"#" * (MAX_SOURCE + 1), "larger than"),
    ],
)
def test_bad_sources_are_unknown(data: bytes, reason: str) -> None:
    names = module_names(data)
    assert names.unknown is not None and reason in names.unknown
    assert names.defined == frozenset() and names.imports == ()


def test_results_are_cached_by_the_callers_key() -> None:
    key = ("test", "m.py", 6, 1234)
    first = module_names(b"x = 1\n", key)
    assert cached(key) is first
    assert module_names(b"ignored", key) is first  # the key says the content is the same
    assert cached(None) is None
    assert isinstance(module_names(b"y = 1\n"), ModuleNames)


STRIP = [
    "def f(x):\n    import inner\n    return x\n\nclass C(Base):\n    attr = 1\n\n    def m(self):\n        pass\n"
    "y = 2\n",
    "def long(\n    a: int,\n    b: str = 'x',\n) -> None:\n    body = 1\nz = 3\n",
    "def one(): return 1\nclass K: pass\nw = 4\n",
    "@decorator(\n    arg=1,\n)\ndef deco():\n    '''doc\nat column 0\n'''\n    return 2\nv = 5\n",
]


@pytest.mark.parametrize("source", STRIP)
def test_leaving_bodies_out_keeps_module_level_facts(source: str) -> None:
    fast, full = module_names(source.encode()), module_names(source.encode(), full=True)
    assert not full.partial
    assert fast.defined == full.defined
    assert [(i.line, i.module) for i in fast.imports] == [(i.line, i.module) for i in full.imports]


def test_strip_bodies_keeps_line_numbers() -> None:
    src = b"def f():\n    a = 1\n    b = 2\nimport x\n"
    out = strip_bodies(src)
    assert out.count(b"\n") == src.count(b"\n") and b"a = 1" not in out
    assert module_names(src).imports[0].line == 4


def test_a_string_at_column_zero_inside_a_function_does_not_end_its_body() -> None:
    source = (
        b'def f():\n    raise ValueError(\n        """Bad input: {}\nThe list: {}""".format(1, 2))\n'
        b"import json\nG = 1\n"
    )
    got = module_names(source)
    assert got.partial  # the fast read worked: no fallback to a full parse
    assert {"f", "json", "G"} <= got.defined and [i.module for i in got.imports] == ["json"]


def test_global_statements_bind_only_from_code_lines() -> None:
    source = b"# a global cache\nx = 'global y'\nclass C:\n    def m(self):\n        global  a,b\n        global c\n"
    defined = module_names(source, full=True).defined
    assert {"a", "b", "c"} <= defined and "y" not in defined and "cache" not in defined
