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


def _screen(text: str, loader: type[Any]) -> None:
    """Refuse aliases and deep nesting from the event stream, before any tree is built."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        mark: Any = event.start_mark  # libyaml's Mark type, which reads the same
        if isinstance(event, yaml.AliasEvent):
            raise ComposerError(None, None, "aliases (*name) are not supported in an agent definition", mark)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def load_fast(text: str) -> tuple[Any, Any]:
    """As load(), with libyaml's parser and composer when PyYAML has them (20,000 env keys: 12 s -> 2 s)."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        return load(text)
    _screen(text, fast)
    loader = fast(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()
