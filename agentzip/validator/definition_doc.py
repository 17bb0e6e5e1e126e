"""Reading a definition document: YAML or JSON, bounded, with the line of every key, and the
small accessors the definition readers use to pick values out of it."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

from agentzip.errors import UsageError
from agentzip.validator.userfile import read_text, real

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

Key = tuple["str | int", ...]


class KeyLines:
    """Line numbers of keys in a YAML document, looked up by key path (from yaml.compose).

    Each mapping's keys are indexed once, on first use: scanning them per lookup made 20,000
    env keys cost 139 s.
    """

    def __init__(self, node: Any) -> None:
        self.root = node
        self._keys: dict[int, dict[str, tuple[int, Any]]] = {}

    def _index(self, node: Any) -> dict[str, tuple[int, Any]]:
        import yaml

        found = self._keys.get(id(node))
        if found is None:
            found = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    found.setdefault(k.value, (k.start_mark.line + 1, v))  # the first one, as a scan would
            self._keys[id(node)] = found
        return found

    def line(self, path: Key) -> int | None:
        import yaml

        node = self.root
        line: int | None = None
        for step in path:
            if isinstance(node, yaml.MappingNode):
                hit = self._index(node).get(str(step))
                if hit is None:
                    return line
                line, node = hit
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def display_path(path: str | os.PathLike[str]) -> str:
    """Relative to the working folder when under it (as linters print paths), else absolute."""
    full, here = real(path), real(os.getcwd())
    if os.path.normcase(full) == os.path.normcase(here):
        return "."
    inside = here if here.endswith(os.sep) else here + os.sep  # the root folder already ends with one
    if os.path.normcase(full).startswith(os.path.normcase(inside)):  # Windows compares without case
        return full[len(inside) :].replace(os.sep, "/")
    return full


def read_yaml(path: str | os.PathLike[str]) -> tuple[Any, KeyLines]:
    import yaml

    from agentzip.validator.yamlsafe import load_fast as load

    text = read_text(path, what="agent definition")
    try:
        doc, node = load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise UsageError(f"{display_path(path)}: not valid YAML{where}: {getattr(e, 'problem', e)}") from None
    return doc, KeyLines(node)


def value_at(doc: Any, *keys: str | int) -> Any:
    for k in keys:
        if not isinstance(doc, Mapping):
            return None
        doc = doc.get(str(k))
    return doc


def text_of(value: Any) -> str | None:
    """A scalar as the user wrote it; YAML reads `cpu: 1` as an int and `0.5` as a float."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def entry_of(value: Any) -> str | list[str] | None:
    if isinstance(value, list):
        return [str(v) for v in value]
    return text_of(value)


def env_pairs(value: Any, base: Key) -> Iterator[tuple[str, str, Key]]:
    """`env: {K: v}` (azure.yaml) or `[{name: K, value: v}]` (agent.yaml, REST): name, value, key path."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield str(k), "" if v is None else str(v), (*base, str(k))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, Mapping) and item.get("name") is not None:
                yield str(item["name"]), str(item.get("value", "")), (*base, i)


def protocols_of(value: Any) -> tuple[str, ...]:
    """`[responses]` or `[{protocol: responses, version: v1}]`."""
    if not isinstance(value, list):
        return ()
    out = []
    for item in value:
        if isinstance(item, Mapping):
            item = item.get("protocol")
        if item is not None:
            out.append(str(item))
    return tuple(out)


def keyname(path: Key) -> str:
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")


def first_of(doc: Any, *paths: Key) -> tuple[Any, Key]:
    """The first of several places a value may be written, and that place."""
    for p in paths:
        value = value_at(doc, *(str(k) for k in p))
        if value is not None:
            return value, p
    return None, paths[0]
