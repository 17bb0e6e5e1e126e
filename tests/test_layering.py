"""The structure agreed on, held by a test: one-way imports and small rooms."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "agentzip"
MAX_LINES = 450  # a module past this does more than one job: split it (docs/layout.md)
MAX_FUNCTION = 70  # statements of one function, docstring excluded


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("validator", ("agentzip.rules", "agentzip.cli", "agentzip.api", "agentzip.explain", "agentzip.builder")),
        ("explain", ("agentzip.rules", "agentzip.validator.reporters", "agentzip.cli", "agentzip.builder")),
        ("rules", ("agentzip.validator.engine", "agentzip.cli", "agentzip.api", "agentzip.builder")),
    ],
)
def test_imports_go_one_way(layer: str, forbidden: tuple[str, ...]) -> None:
    wrong = [
        f"{p.relative_to(PACKAGE.parent)} imports {name}"
        for p in (PACKAGE / layer).rglob("*.py")
        for name in sorted(_imported(p))
        if name.startswith(forbidden)
    ]
    assert wrong == []


def test_every_module_is_a_small_room() -> None:
    big = [
        f"{p.relative_to(PACKAGE.parent)}: {n} lines"
        for p in _modules()
        if (n := p.read_text().count("\n")) > MAX_LINES
    ]
    assert big == []


def test_no_function_is_long() -> None:
    long: list[str] = []
    for p in _modules():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = node.body[0]
                doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and len(node.body) > 1
                start = first.end_lineno + 1 if doc and first.end_lineno else node.lineno
                if (node.end_lineno or start) - start + 1 > MAX_FUNCTION:
                    long.append(f"{p.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}")
    assert long == []
