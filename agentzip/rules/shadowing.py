"""Shadowing rule (AZ403 shadowed-module): an agent file found before the module the code wants."""

from __future__ import annotations

from collections.abc import Iterator

from agentzip.foundry import BUNDLED
from agentzip.validator.context import Context
from agentzip.validator.finder import Finder
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.importnames import NAMESPACE_ROOTS, import_names_for_project
from agentzip.validator.registry import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal


@rule("AZ403", "shadowed-module", Severity.ERROR)
def shadowed_module(ctx: Context) -> Iterator[Hit]:
    """A module or folder at the agent's root hides a standard module or a dependency.

    ## What it does
    `python main.py` puts the zip root first on `sys.path`, so a root `logging.py`, `openai.py`
    or `azure/` is found before the real module. Fires for root modules, regular packages
    (folders with `__init__.py`) and extension modules named like a standard module of the
    target version, like a module a bundled distribution installs, or (remote_build) like the
    import name of a project in requirements.txt. A root `azure/__init__.py` hides the whole
    `azure` namespace (azure-identity, azure-core, azure-ai-projects all live under it); an
    `azure/` folder without `__init__.py` merges into the namespace and hides only the
    subpackages it also has (`azure/identity/`).

    Not reported: distributions installed at the root with `pip install -t .` (their files are
    in a dist-info RECORD: they are the real module), folders without `__init__.py` named like
    a regular module (the regular one wins), and modules the interpreter has loaded before
    the script runs (`os`, `sys`, `time`, `io`, ...), which no file can hide.

    ## Why is this bad
    Every `import logging` (in the agent and in every dependency, uvicorn and the Azure SDK
    included) gets the local file: start-up fails with `AttributeError: module 'logging' has
    no attribute 'getLogger'`, `ImportError: cannot import name 'OpenAI' from 'openai'
    (/app/openai.py)` or `ModuleNotFoundError: No module named 'azure.identity'`.

    ## Example
    A helper named `openai.py` beside `main.py`, with `openai` in requirements.txt; an
    `azure/__init__.py` folder holding deployment scripts.

    ## How to fix
    Rename the file or folder (`openai_client.py`, `deploy_azure/`) and update its imports.
    """
    if not ctx.target.is_python or ctx.index.wrapper_dir is not None:
        return
    finder = Finder.for_context(ctx)
    required = _required_names(ctx)
    for name, local in sorted(ctx.index.local_modules.items()):
        if local.kind == "namespace":
            yield from _namespace_shadows(ctx, finder, name, local.path)
            continue
        hidden = _hidden(ctx, finder, name, required)
        if hidden is None:
            continue
        shown = local.path
        if hidden == "stdlib":
            yield Hit(
                shown,
                f"`{shown}` hides the standard library module `{name}`: the zip root comes first on "
                f"sys.path, so every `import {name}` (dependencies' too) gets this {local.kind} instead",
                f"rename `{shown}` (e.g. `{name}_utils`) and update the imports of it",
            )
            continue
        if name in NAMESPACE_ROOTS:
            more = " and more" if len(hidden) > 4 else ""
            what = f"the whole `{name}` namespace of {', '.join(hidden[:4])}{more}"
        else:
            what = f"`{name}` of {', '.join(hidden)}"
        shares = f"; an `{name}/` folder without __init__.py only hides the subpackages it shares"
        yield Hit(
            shown,
            f"`{shown}` hides {what}: the zip root comes first on sys.path, so `import {name}` gets this {local.kind}",
            f"rename `{shown}` and update the imports of it" + (shares if name in NAMESPACE_ROOTS else ""),
        )


def _required_names(ctx: Context) -> dict[str, str]:
    """Import name (dotted, and its top level) -> the requirements.txt project that installs it."""
    out: dict[str, str] = {}
    for ln in ctx.index.requirements.requirements:
        if ln.requirement is None:
            continue
        for n in import_names_for_project(ln.requirement.name):
            out.setdefault(n, ln.requirement.name)
            out.setdefault(n.split(".", 1)[0], ln.requirement.name)
    return out


def _hidden(ctx: Context, finder: Finder, name: str, required: dict[str, str]) -> Literal["stdlib"] | list[str] | None:
    """What the target would import for `name` without the agent's folder: "stdlib", the owners of a
    dependency (bundled, or in requirements.txt), or None (nothing: the agent's module hides nothing).
    Modules loaded before sys.path is read (`sys`, `os`, ...) are never hidden."""
    spec = finder.find(name, skip=ctx.index.source_base).spec
    if spec is not None and spec.kind == "builtin":
        return None
    if spec is not None and spec.kind == "stdlib":
        return "stdlib"
    if spec is not None:
        dists = ctx.index.provided_modules.get(name, [])
        return sorted({d.display_name for d in dists}) or [spec.path or name]
    if name in required:
        return [required[name]]
    return None


def _namespace_shadows(ctx: Context, finder: Finder, name: str, folder: str) -> Iterator[Hit]:
    """A root namespace folder (`azure/` without __init__.py) merges with the dependencies' one:
    only its children that the target finds there first, and a dependency also has, are hidden."""
    if name not in NAMESPACE_ROOTS:
        return
    required = _required_names(ctx)
    children: set[str] = set()
    for f in ctx.index.own_files:
        if f.path.startswith(folder):
            rest = f.path[len(folder) :].split("/", 1)
            if len(rest) == 2:
                children.add(rest[0])
            elif rest[0].endswith(".py"):
                children.add(rest[0][:-3])
    base = ctx.index.source_base
    for child in sorted(children):
        dotted = f"{name}.{child}"
        mine = finder.find(dotted).spec
        if mine is None or mine.kind == "namespace" or not (mine.path or "").startswith(folder):
            continue  # a namespace portion merges; a regular package elsewhere wins
        real = finder.find(dotted, skip=base).spec if ctx.target.mode == BUNDLED else None
        owner = (real.path if real is not None else None) or required.get(dotted)
        if owner:
            yield Hit(
                f"{folder}{child}",
                f"`{folder}{child}` hides `{dotted}` ({owner}): the zip root's `{name}/` comes first in the namespace",
                f"rename `{folder}` (e.g. `{name}_scripts/`) and update the imports of it",
            )
