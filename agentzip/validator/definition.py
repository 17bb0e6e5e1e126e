"""Agent definitions (azure.yaml, agent.yaml, the REST metadata JSON) -> Definition, with where each value came from."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentzip.errors import UsageError
from agentzip.validator.userfile import check_path_text, read_text
from agentzip.validator.userfile import resolve as resolve_path

AZURE_YAML = "azure.yaml"
AGENT_YAML = "agent.yaml"
AGENT_HOST = "azure.ai.agent"  # azd's host for Foundry hosted agents (FOUNDRY.md)
# FOUNDRY.md: older SDK docs still name these; the service rejects them. Value: what to use instead.
RETIRED_RUNTIMES = {
    "python_3_11": "python_3_13",
    "python_3_12": "python_3_13",
    "dotnet_8": "dotnet_10",
    "dotnet_9": "dotnet_10",
}

Key = tuple["str | int", ...]


@dataclass(frozen=True)
class Origin:
    """Where a value was written: its key path in the file (for messages) and its line (for annotations)."""

    key: str
    line: int | None = None


@dataclass(frozen=True)
class Definition:
    """What a definition file says about one agent, values as written (never normalized here)."""

    kind: str  # "azure.yaml" | "agent.yaml" | "metadata"
    source: Path  # the file, absolute
    display: str  # the file as reports name it: relative to the working folder when it is under it
    name: str | None = None
    service: str | None = None  # azure.yaml's service key
    project: Path | None = None  # azure.yaml's `project:` folder, resolved: what to check
    runtime: str | None = None
    entry_point: str | list[str] | None = None  # raw: a file name, a command string or a list
    dependency_resolution: str | None = None
    cpu: str | None = None
    memory: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    protocols: tuple[str, ...] = ()
    origins: dict[str, Origin] = field(default_factory=dict)  # "runtime", "cpu", "env.NAME", ...

    def origin(self, what: str) -> Origin:
        """Where `what` was set; else its code configuration block; else the file's top."""
        return self.origins.get(what) or self.origins.get("code") or Origin(self.kind, None)

    def describe(self) -> str:
        """'azure.yaml (service my-agent)' for report notes."""
        return self.display + (f" (service {self.service})" if self.service else "")


# -- reading files ---------------------------------------------------------------------------


class _Lines:
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


def _display(path: Path) -> str:
    """Relative to the working folder when under it (as linters print paths), else absolute."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def _read_yaml(path: Path) -> tuple[Any, _Lines]:
    import yaml

    from agentzip.validator.yamlsafe import load_fast as load

    text = read_text(path, what="agent definition")
    try:
        doc, node = load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise UsageError(f"{_display(path)}: not valid YAML{where}: {getattr(e, 'problem', e)}") from None
    return doc, _Lines(node)


def _get(doc: Any, *keys: str | int) -> Any:
    for k in keys:
        if not isinstance(doc, Mapping):
            return None
        doc = doc.get(str(k))
    return doc


def _text(value: Any) -> str | None:
    """A scalar as the user wrote it; YAML reads `cpu: 1` as an int and `0.5` as a float."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _entry(value: Any) -> str | list[str] | None:
    if isinstance(value, list):
        return [str(v) for v in value]
    return _text(value)


def _env(value: Any, base: Key) -> Iterator[tuple[str, str, Key]]:
    """`env: {K: v}` (azure.yaml) or `[{name: K, value: v}]` (agent.yaml, REST): name, value, key path."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield str(k), "" if v is None else str(v), (*base, str(k))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, Mapping) and item.get("name") is not None:
                yield str(item["name"]), str(item.get("value", "")), (*base, i)


def _protocols(value: Any) -> tuple[str, ...]:
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


def _keyname(path: Key) -> str:
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")


def _first(doc: Any, *paths: Key) -> tuple[Any, Key]:
    """The first of several places a value may be written, and that place."""
    for p in paths:
        value = _get(doc, *(str(k) for k in p))
        if value is not None:
            return value, p
    return None, paths[0]


def _build(
    kind: str,
    source: Path,
    doc: Any,
    lines: _Lines | None,
    base: Key,
    places: dict[str, list[Key]],
    **extra: Any,
) -> Definition:
    """A Definition from the first place each field is written (paths relative to `base`)."""
    values: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for what, candidates in places.items():
        value, where = _first(doc, *candidates)
        full = (*base, *where)
        values[what] = value
        if value is not None:
            origins[what] = Origin(_keyname(full), lines.line(full) if lines else None)
    env: dict[str, str] = {}
    env_value, env_where = _first(doc, *places.get("env", [("env",)]))
    for name, val, key in _env(env_value, (*base, *env_where)):
        env[name] = val
        origins[f"env.{name}"] = Origin(_keyname(key), lines.line(key) if lines else None)
    return Definition(
        kind=kind,
        source=source,
        display=_display(source),
        runtime=_text(values.get("runtime")),
        entry_point=_entry(values.get("entry_point")),
        dependency_resolution=_text(values.get("dependency_resolution")),
        cpu=_text(values.get("cpu")),
        memory=_text(values.get("memory")),
        env=env,
        protocols=_protocols(values.get("protocols")),
        origins=origins,
        **extra,
    )


# azd writes codeConfiguration and container on the service; older scaffolds nest them in `config:`.
_AZURE_PLACES: dict[str, list[Key]] = {
    "code": [("codeConfiguration",), ("config", "codeConfiguration")],
    "runtime": [("codeConfiguration", "runtime"), ("config", "codeConfiguration", "runtime")],
    "entry_point": [("codeConfiguration", "entryPoint"), ("config", "codeConfiguration", "entryPoint")],
    "dependency_resolution": [
        ("codeConfiguration", "dependencyResolution"),
        ("config", "codeConfiguration", "dependencyResolution"),
    ],
    "cpu": [("container", "resources", "cpu"), ("config", "container", "resources", "cpu")],
    "memory": [("container", "resources", "memory"), ("config", "container", "resources", "memory")],
    "env": [("env",), ("config", "env")],
    "protocols": [("protocols",), ("config", "protocols")],
}


def read_azure_yaml(path: Path) -> list[Definition]:
    """Every code-deployed agent service (`host: azure.ai.agent` with a codeConfiguration).

    Agent services without a codeConfiguration deploy a container image: no zip to check.
    """
    path = resolve_path(path)
    doc, lines = _read_yaml(path)
    services = _get(doc, "services")
    if not isinstance(services, Mapping):
        return []
    out = []
    for key, svc in services.items():
        if not isinstance(svc, Mapping) or svc.get("host") != AGENT_HOST:
            continue
        if _first(svc, *_AZURE_PLACES["code"])[0] is None:
            continue
        project = _text(svc.get("project")) or "."
        check_path_text(project, what=f"{_display(path)}: services.{key}.project")
        d = _build(
            AZURE_YAML,
            path,
            svc,
            lines,
            ("services", str(key)),
            _AZURE_PLACES,
            name=str(key),
            service=str(key),
            project=resolve_path(path.parent / project),
        )
        d.origins["name"] = Origin(f"services.{key}", lines.line(("services", str(key))))
        out.append(d)
    return out


def read_agent_yaml(path: Path) -> Definition | None:
    """The older agent.yaml (snake_case `code_configuration`); None when it has none."""
    path = resolve_path(path)
    doc, lines = _read_yaml(path)
    if not isinstance(doc, Mapping):
        return None
    # `template:` wraps the fields in manifests that `azd ai agent init -m` reads.
    base: Key = (
        ("template",) if isinstance(doc.get("template"), Mapping) and "code_configuration" in doc["template"] else ()
    )
    body = _get(doc, *base) if base else doc
    if not isinstance(_get(body, "code_configuration"), Mapping):
        return None
    places: dict[str, list[Key]] = {
        "code": [("code_configuration",)],
        "runtime": [("code_configuration", "runtime")],
        "entry_point": [("code_configuration", "entry_point")],
        "dependency_resolution": [("code_configuration", "dependency_resolution")],
        "cpu": [("cpu",), ("container", "resources", "cpu")],
        "memory": [("memory",), ("container", "resources", "memory")],
        "env": [("environment_variables",)],
        "protocols": [("protocols",), ("protocol_versions",)],
    }
    name = _text(doc.get("name"))
    origins_name = Origin("name", lines.line(("name",))) if name else None
    d = _build(AGENT_YAML, path, body, lines, base, places, name=name)
    if origins_name:
        d.origins["name"] = origins_name
    return d


def read_metadata_json(path: Path) -> Definition:
    """The REST `metadata` part: {name, definition: {code_configuration, cpu, memory, ...}}."""
    path = resolve_path(path)
    text = read_text(path, what="agent definition")
    try:
        doc = json.loads(text)
    except RecursionError:
        raise UsageError(f"{_display(path)}: JSON nested too deeply to be an agent definition") from None
    except json.JSONDecodeError as e:
        raise UsageError(f"{_display(path)}: not valid JSON (line {e.lineno}): {e.msg}") from None
    if not isinstance(doc, Mapping):
        raise UsageError(f"{_display(path)}: expected a JSON object with a code_configuration")
    base: Key = ("definition",) if isinstance(doc.get("definition"), Mapping) else ()
    body = _get(doc, *base) if base else doc
    if not isinstance(_get(body, "code_configuration"), Mapping):
        raise UsageError(f"{_display(path)}: no code_configuration found (at the top or under `definition`)")
    places: dict[str, list[Key]] = {
        "code": [("code_configuration",)],
        "runtime": [("code_configuration", "runtime")],
        "entry_point": [("code_configuration", "entry_point")],
        "dependency_resolution": [("code_configuration", "dependency_resolution")],
        "cpu": [("cpu",)],
        "memory": [("memory",)],
        "env": [("environment_variables",)],
        "protocols": [("protocol_versions",), ("protocols",)],
    }
    name = _text(doc.get("name")) or _text(_get(body, "name"))
    d = _build("metadata", path, body, None, base, places, name=name)
    if name:
        d.origins["name"] = Origin("name", None)
    return d


def read(path: Path) -> list[Definition]:
    """Any definition file, told apart by content: azure.yaml services, agent.yaml, or JSON."""
    if not path.is_file():
        raise UsageError(f"{path}: no such definition file")
    if path.suffix.lower() == ".json":
        return [read_metadata_json(path)]
    doc, _ = _read_yaml(path)
    if isinstance(doc, Mapping) and "services" in doc:
        found = read_azure_yaml(path)
        if not found:
            raise UsageError(f"{_display(path)}: no service with `host: {AGENT_HOST}` and a codeConfiguration")
        return found
    d = read_agent_yaml(path)
    if d is None:
        raise UsageError(f"{_display(path)}: no code_configuration found")
    return [d]


# -- which folder, which definition ----------------------------------------------------------


def _pick_service(found: list[Definition], service: str | None, source: str) -> list[Definition]:
    if service is None:
        return found
    chosen = [d for d in found if d.service == service]
    if not chosen:
        import difflib  # only a service name that matches none pays for it

        names = [d.service or "" for d in found]
        close = difflib.get_close_matches(service, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (agent services: {', '.join(names) or 'none'})"
        raise UsageError(f"{source}: no agent service named {service!r}{hint}")
    return chosen


def _is_repo_root(folder: Path) -> bool:
    return (folder / ".git").exists()


def resolve(
    path: str | os.PathLike[str],
    *,
    definition: str | os.PathLike[str] | None = None,
    service: str | None = None,
) -> list[tuple[Path, Definition | None]]:
    """What to check, each with its definition: flags first, then the files a user would expect.

    - `--definition FILE`: that file. An azure.yaml checked from its own folder checks each
      service's `project:` folder; anywhere else PATH is checked against the chosen service.
    - A folder holding an azure.yaml with agent services: each service's project (or --service's).
    - A folder named as some service's `project:` by an azure.yaml above it (up to the
      repository root): that service.
    - A folder holding an agent.yaml with a code_configuration: that.
    - A zip: nothing is looked up. A zip can be built from anywhere; the definition uploaded with
      it is named with --definition.
    """
    p = Path(path)
    here = resolve_path(p)
    if definition is not None:
        found = read(Path(definition))
        d0 = found[0]
        if d0.kind == AZURE_YAML:
            found = _pick_service(found, service, d0.display)
            if here == d0.source.parent:
                return [(_project(d), d) for d in found]
            if len(found) > 1:
                names = ", ".join(d.service or "" for d in found)
                raise UsageError(f"{d0.display} has several agent services ({names}): choose one with --service")
        elif service is not None:
            raise UsageError(f"--service picks a service of an azure.yaml; {d0.display} is not one")
        return [(p, found[0])]
    if not here.is_dir():
        if service is not None:
            raise UsageError("--service needs an azure.yaml: pass it with --definition when checking a zip")
        return [(p, None)]
    own = here / AZURE_YAML
    if own.is_file():
        found = read_azure_yaml(own)
        if found:
            return [(_project(d), d) for d in _pick_service(found, service, _display(own))]
    folder = here.parent
    if not _is_repo_root(here):
        while True:
            up = folder / AZURE_YAML
            if up.is_file():
                mine = [d for d in read_azure_yaml(up) if d.project == here]
                if mine:
                    return [(p, d) for d in _pick_service(mine, service, _display(up))]
            if _is_repo_root(folder) or folder.parent == folder:
                break
            folder = folder.parent
    if service is not None:
        raise UsageError(f"--service {service}: no azure.yaml in {p} or above names this folder as a service project")
    agent = here / AGENT_YAML
    if agent.is_file():
        d = read_agent_yaml(agent)
        if d is not None:
            return [(p, d)]
    return [(p, None)]


def _project(d: Definition) -> Path:
    assert d.project is not None
    if not d.project.is_dir():
        rel = _display(d.project)
        raise UsageError(f"{d.display}: service {d.service}: project folder {rel} does not exist")
    # Keep the path as the user would type it (relative to the working folder) for reports.
    return Path(_display(d.project))
