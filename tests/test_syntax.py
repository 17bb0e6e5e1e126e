"""syntax.py's parse, walk and NodeVisitor answer as ast's do, and a small check never imports `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from agentzip.validator import syntax
from tests.test_startup import GOOD, ROOT, heavy_loaded

SOURCES = sorted([*ROOT.glob("agentzip/**/*.py"), *ROOT.glob("tests/**/*.py")])


class _Names(ast.NodeVisitor):
    def __init__(self) -> None:
        self.seen: list[str] = []

    def visit_Name(self, node: ast.Name) -> None:
        self.seen.append(node.id)

    def visit_Call(self, node: ast.Call) -> None:
        self.seen.append("call")
        self.generic_visit(node)


class _OurNames(syntax.NodeVisitor):
    visit_Name = _Names.visit_Name
    visit_Call = _Names.visit_Call

    def __init__(self) -> None:
        self.seen: list[str] = []


def test_every_source_of_agentzip_parses_walks_and_visits_as_with_ast() -> None:
    assert len(SOURCES) > 100
    for path in SOURCES:
        data = path.read_bytes()
        ours, theirs = syntax.parse(data), ast.parse(data)
        assert ast.dump(ours, include_attributes=True) == ast.dump(theirs, include_attributes=True), path
        walked = [
            (type(n).__name__, getattr(n, "lineno", None), getattr(n, "col_offset", None)) for n in syntax.walk(ours)
        ]
        assert walked == [
            (type(n).__name__, getattr(n, "lineno", None), getattr(n, "col_offset", None)) for n in ast.walk(theirs)
        ]
        a, b = _OurNames(), _Names()
        a.visit(ours)
        b.visit(theirs)
        assert a.seen == b.seen, path


@pytest.mark.parametrize(
    "source", [b"def f(:\n", b"x = 1\x00\n", "print('\\xff')\n".encode("latin-1"), b"\xef\xbb\xbfx = 1\n"]
)
def test_bad_sources_fail_as_ast_fails(source: bytes) -> None:
    def outcome(parse: object) -> str:
        try:
            tree = parse(source)  # type: ignore[operator]
        except Exception as e:
            return type(e).__name__
        return ast.dump(tree)

    assert outcome(syntax.parse) == outcome(ast.parse)


def test_a_small_check_never_imports_ast() -> None:
    code, output, loaded = heavy_loaded(GOOD, ["ast"])
    assert code == 0 and "no problems found" in output, output
    assert loaded == {}, f"imported on the check path (module <- who asked): {loaded}"


def test_sources_is_not_empty_by_accident() -> None:
    assert Path(ROOT / "agentzip" / "validator" / "syntax.py") in SOURCES
