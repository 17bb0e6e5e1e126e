"""Agent definitions (azure.yaml, agent.yaml, the REST metadata JSON) -> Definition, with where each value came from."""

import os
from collections.abc import Mapping
from types import MappingProxyType

from agentzip.errors import UsageError
from agentzip.records import NamedTuple
from agentzip.validator.definition_doc import (
    Key,
    KeyLines,
    display_path,
    entry_of,
    env_pairs,
    first_of,
    keyname,
    protocols_of,
    read_yaml,
    text_of,
    value_at,
)
from agentzip.validator.userfile import check_path_text, pathstr, read_text, real
from agentzip.validator.userfile import resolve as resolve_path

# Path is quoted where it is named: this module defines named tuples and so does not postpone its
# annotations. A check without a definition file works with str paths and never imports pathlib.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

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


class Origin(NamedTuple):
    """Where a value was written: its key path in the file (for messages) and its line (for annotations)."""

    key: str
    line: int | None = None


class Definition(NamedTuple):
    """What a definition file says about one agent, values as written (never normalized here)."""

    kind: str  # "azure.yaml" | "agent.yaml" | "metadata"
    source: "Path"  # the file, absolute
    display: str  # the file as reports name it: relative to the working folder when it is under it
    name: str | None = None
    service: str | None = None  # azure.yaml's service key
    project: "Path | None" = None  # azure.yaml's `project:` folder, resolved: what to check
    runtime: str | None = None
    entry_point: str | list[str] | None = None  # raw: a file name, a command string or a list
    dependency_resolution: str | None = None
    cpu: str | None = None
    memory: str | None = None
    # read-only mappings: a named tuple's default is one object shared by every Definition
    env: Mapping[str, str] = MappingProxyType({})
    protocols: tuple[str, ...] = ()
    origins: Mapping[str, Origin] = MappingProxyType({})  # "runtime", "cpu", "env.NAME", ...

    def origin(self, what: str) -> Origin:
        """Where `what` was set; else its code configuration block; else the file's top."""
        return self.origins.get(what) or self.origins.get("code") or Origin(self.kind, None)

    def describe(self) -> str:
        """'azure.yaml (service my-agent)' for report notes."""
        return self.display + (f" (service {self.service})" if self.service else "")


def _build(
    kind: str,
    source: "Path",
    doc: "Any",
    lines: KeyLines | None,
    base: Key,
    places: dict[str, list[Key]],
    name_origin: Origin | None = None,
    **extra: "Any",
) -> Definition:
    """A Definition from the first place each field is written (paths relative to `base`).

    `name_origin`: where the agent's name was written, when that is outside `places`.
    """
    values: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for what, candidates in places.items():
        value, where = first_of(doc, *candidates)
        full = (*base, *where)
        values[what] = value
        if value is not None:
            origins[what] = Origin(keyname(full), lines.line(full) if lines else None)
    env: dict[str, str] = {}
    env_value, env_where = first_of(doc, *places.get("env", [("env",)]))
    for name, val, key in env_pairs(env_value, (*base, *env_where)):
        env[name] = val
        origins[f"env.{name}"] = Origin(keyname(key), lines.line(key) if lines else None)
    if name_origin is not None:
        origins["name"] = name_origin
    return Definition(
        kind=kind,
        source=source,
        display=display_path(source),
        runtime=text_of(values.get("runtime")),
        entry_point=entry_of(values.get("entry_point")),
        dependency_resolution=text_of(values.get("dependency_resolution")),
        cpu=text_of(values.get("cpu")),
        memory=text_of(values.get("memory")),
        env=env,
        protocols=protocols_of(values.get("protocols")),
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


def read_azure_yaml(path: str | os.PathLike[str]) -> list[Definition]:
    """Every code-deployed agent service (`host: azure.ai.agent` with a codeConfiguration).

    Agent services without a codeConfiguration deploy a container image: no zip to check.
    """
    path = resolve_path(path)
    doc, lines = read_yaml(path)
    services = value_at(doc, "services")
    if not isinstance(services, Mapping):
        return []
    out = []
    for key, svc in services.items():
        if not isinstance(svc, Mapping) or svc.get("host") != AGENT_HOST:
            continue
        if first_of(svc, *_AZURE_PLACES["code"])[0] is None:
            continue
        project = text_of(svc.get("project")) or "."
        check_path_text(project, what=f"{display_path(path)}: services.{key}.project")
        d = _build(
            AZURE_YAML,
            path,
            svc,
            lines,
            ("services", str(key)),
            _AZURE_PLACES,
            Origin(f"services.{key}", lines.line(("services", str(key)))),
            name=str(key),
            service=str(key),
            project=resolve_path(path.parent / project),
        )
        out.append(d)
    return out


def read_agent_yaml(path: str | os.PathLike[str]) -> Definition | None:
    """The older agent.yaml (snake_case `code_configuration`); None when it has none."""
    path = resolve_path(path)
    doc, lines = read_yaml(path)
    if not isinstance(doc, Mapping):
        return None
    # `template:` wraps the fields in manifests that `azd ai agent init -m` reads.
    base: Key = (
        ("template",) if isinstance(doc.get("template"), Mapping) and "code_configuration" in doc["template"] else ()
    )
    body = value_at(doc, *base) if base else doc
    if not isinstance(value_at(body, "code_configuration"), Mapping):
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
    name = text_of(doc.get("name"))
    origins_name = Origin("name", lines.line(("name",))) if name else None
    return _build(AGENT_YAML, path, body, lines, base, places, origins_name, name=name)


def read_metadata_json(path: str | os.PathLike[str]) -> Definition:
    """The REST `metadata` part: {name, definition: {code_configuration, cpu, memory, ...}}."""
    path = resolve_path(path)
    import json

    text = read_text(path, what="agent definition")
    try:
        doc = json.loads(text)
    except RecursionError:
        raise UsageError(f"{display_path(path)}: JSON nested too deeply to be an agent definition") from None
    except json.JSONDecodeError as e:
        raise UsageError(f"{display_path(path)}: not valid JSON (line {e.lineno}): {e.msg}") from None
    if not isinstance(doc, Mapping):
        raise UsageError(f"{display_path(path)}: expected a JSON object with a code_configuration")
    base: Key = ("definition",) if isinstance(doc.get("definition"), Mapping) else ()
    body = value_at(doc, *base) if base else doc
    if not isinstance(value_at(body, "code_configuration"), Mapping):
        raise UsageError(f"{display_path(path)}: no code_configuration found (at the top or under `definition`)")
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
    name = text_of(doc.get("name")) or text_of(value_at(body, "name"))
    return _build("metadata", path, body, None, base, places, Origin("name", None) if name else None, name=name)


def read(path: str | os.PathLike[str]) -> list[Definition]:
    """Any definition file, told apart by content: azure.yaml services, agent.yaml, or JSON."""
    path = pathstr(path)
    if not os.path.isfile(path):
        raise UsageError(f"{path}: no such definition file")
    if os.path.splitext(path)[1].lower() == ".json":
        return [read_metadata_json(path)]
    doc, _ = read_yaml(path)
    if isinstance(doc, Mapping) and "services" in doc:
        found = read_azure_yaml(path)
        if not found:
            raise UsageError(f"{display_path(path)}: no service with `host: {AGENT_HOST}` and a codeConfiguration")
        return found
    d = read_agent_yaml(path)
    if d is None:
        raise UsageError(f"{display_path(path)}: no code_configuration found")
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


def _is_repo_root(folder: str) -> bool:
    return os.path.exists(os.path.join(folder, ".git"))


def resolve(
    path: str | os.PathLike[str],
    *,
    definition: str | os.PathLike[str] | None = None,
    service: str | None = None,
) -> list[tuple["Path", Definition | None]]:
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
    from pathlib import Path

    return [(Path(p), d) for p, d in locate(path, definition=definition, service=service)]


def locate(
    path: str | os.PathLike[str],
    *,
    definition: str | os.PathLike[str] | None = None,
    service: str | None = None,
) -> list[tuple[str, Definition | None]]:
    """resolve() with each path as str(Path) would print it: a check with no definition builds no Path."""
    p = pathstr(path)
    here = real(p)
    if definition is not None:
        found = read(definition)
        d0 = found[0]
        if d0.kind == AZURE_YAML:
            found = _pick_service(found, service, d0.display)
            if here == os.fspath(d0.source.parent):
                return [(_project(d), d) for d in found]
            if len(found) > 1:
                names = ", ".join(d.service or "" for d in found)
                raise UsageError(f"{d0.display} has several agent services ({names}): choose one with --service")
        elif service is not None:
            raise UsageError(f"--service picks a service of an azure.yaml; {d0.display} is not one")
        return [(p, found[0])]
    if not os.path.isdir(here):
        if service is not None:
            raise UsageError("--service needs an azure.yaml: pass it with --definition when checking a zip")
        return [(p, None)]
    own = os.path.join(here, AZURE_YAML)
    if os.path.isfile(own):
        found = read_azure_yaml(own)
        if found:
            return [(_project(d), d) for d in _pick_service(found, service, display_path(own))]
    folder = os.path.dirname(here)
    if not _is_repo_root(here):
        while True:
            up = os.path.join(folder, AZURE_YAML)
            if os.path.isfile(up):
                mine = [d for d in read_azure_yaml(up) if d.project is not None and os.fspath(d.project) == here]
                if mine:
                    return [(p, d) for d in _pick_service(mine, service, display_path(up))]
            if _is_repo_root(folder) or os.path.dirname(folder) == folder:
                break
            folder = os.path.dirname(folder)
    if service is not None:
        raise UsageError(f"--service {service}: no azure.yaml in {p} or above names this folder as a service project")
    agent = os.path.join(here, AGENT_YAML)
    if os.path.isfile(agent):
        d = read_agent_yaml(agent)
        if d is not None:
            return [(p, d)]
    return [(p, None)]


def _project(d: Definition) -> str:
    assert d.project is not None
    if not os.path.isdir(d.project):
        rel = display_path(d.project)
        raise UsageError(f"{d.display}: service {d.service}: project folder {rel} does not exist")
    # Keep the path as the user would type it (relative to the working folder) for reports.
    return pathstr(display_path(d.project))
