"""YAML for agent definitions: no aliases, bounded nesting, one parse for both values and line numbers."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError

# azure.yaml is a few levels deep; 1,200 levels hit the recursion limit of the composer.
MAX_DEPTH = 64


class DefinitionLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and deep nesting.

    An agent definition never needs `*alias`; refusing them is what keeps an 866-byte
    "billion laughs" file from growing without bound in everything that walks the values.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise ComposerError(None, None, "aliases (*name) are not supported in an agent definition", mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load(text: str) -> tuple[Any, Any]:
    """The document's value and its node tree (for line numbers); yaml.YAMLError when refused."""
    loader = DefinitionLoader(text)
    try:
        node = loader.get_single_node()
        doc = loader.construct_document(node) if node is not None else None
        return doc, node
    except RecursionError:
        raise ComposerError(None, None, "nested too deeply", None) from None
    finally:
        loader.dispose()
