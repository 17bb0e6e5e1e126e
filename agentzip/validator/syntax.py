"""ast.parse, ast.walk and ast.NodeVisitor over the C `_ast` module: all of `ast` a check uses.

`import ast` runs ast.py (its NodeVisitor, unparser and helpers) and with it contextlib: 9.5M
instructions, a sixteenth of a check of a small folder, for three small pieces. The node classes are
`_ast`'s own (ast re-exports them); parse is the compile() call ast.parse makes; walk and
NodeVisitor are ast's. tests/test_syntax.py holds both to ast's on every source file of agentzip.
"""

import _ast
from collections import deque
from collections.abc import Callable, Iterator


def parse(source: str | bytes, filename: str = "<unknown>") -> _ast.Module:
    """ast.parse(source, filename): a module's tree; SyntaxError (or ValueError for NUL bytes) as ast raises."""
    tree = compile(source, filename, "exec", _ast.PyCF_ONLY_AST)
    assert isinstance(tree, _ast.Module)
    return tree


def iter_child_nodes(node: _ast.AST) -> Iterator[_ast.AST]:
    """ast.iter_child_nodes: the direct child nodes, in field order."""
    for name in node._fields:
        try:
            field = getattr(node, name)
        except AttributeError:
            continue
        if isinstance(field, _ast.AST):
            yield field
        elif isinstance(field, list):
            for item in field:
                if isinstance(item, _ast.AST):
                    yield item


def walk(node: _ast.AST) -> Iterator[_ast.AST]:
    """ast.walk: the node and every node under it, breadth first."""
    todo = deque([node])
    while todo:
        node = todo.popleft()
        todo.extend(iter_child_nodes(node))
        yield node


class NodeVisitor:
    """ast.NodeVisitor: visit() calls `visit_<ClassName>`, or generic_visit, which visits every child."""

    def visit(self, node: _ast.AST) -> object:
        method: Callable[[_ast.AST], object] = getattr(self, "visit_" + node.__class__.__name__, self.generic_visit)
        return method(node)

    def generic_visit(self, node: _ast.AST) -> None:
        for child in iter_child_nodes(node):
            self.visit(child)
