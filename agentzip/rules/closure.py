"""The import-closure rule (AZ405): a name an import takes at start-up must exist in the bundle."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentzip.validator.context import Context
from agentzip.validator.findings import SHOWN, Hit, Severity
from agentzip.validator.registry import rule

if TYPE_CHECKING:  # packaging and the closure load only for a bundled Python check
    from packaging.requirements import Requirement

    from agentzip.validator.closure import MissingName
    from agentzip.validator.distributions import Distribution


@rule("AZ405", "missing-import-name", Severity.ERROR)
def missing_import_name(ctx: Context) -> Iterator[Hit]:
    """An import that runs at start-up takes a name the bundled module does not have.

    ## What it does
    Follows the imports that run when the entry point loads, from `main.py` through the agent's
    modules and `packages/`, reading the sources with `ast` (never running them), and checks every
    `from M import name`: `name` must be defined in M (a def, a class, an assignment, an import,
    a `from X import *` chain or `__all__`) or be a submodule `M.name`; `import a.b.c` needs each
    package. The finding shows the chain of imports from the entry point, the distributions and
    versions that own both files, and the Requires-Dist that pulled M's distribution in.

    Not reported: imports under `try: ... except ImportError:`, `if TYPE_CHECKING:`, any other
    `if`, and inside functions (they may never run); modules it cannot prove anything about
    (C extensions, a module-level `__getattr__`, a dynamic `__all__` behind a star import, files
    too big to read). The standard library is taken as right. Modules that are not in the bundle
    at all are AZ402's. Bundled mode only: in remote_build the service resolves the versions.
    What a source defines is cached under `~/.cache/agentzip/closure` (`$XDG_CACHE_HOME`),
    keyed by size and CRC, so a second check of the same wheels parses nothing;
    `AGENTZIP_NO_CACHE=1` turns the cache off. `agentzip explain` uses the same walk: a module
    whose imports break this way "fails" with this rule's message.

    ## Why is this bad
    The agent stops at start-up with `ImportError: cannot import name 'X' from 'M'`, although every
    file is where it should be. The usual cause is a dependency without an upper bound: the
    resolver takes the newest major version, which renamed or removed the name.

    ## Example
    requirements.txt lists `agent-framework-core==1.0.0b251223`, which requires `mcp[ws]>=1.23`;
    the install takes mcp 2.3.0, which renamed `McpError` to `MCPError`, and
    `packages/agent_framework/_agents.py` line 15 runs `from mcp.shared.exceptions import McpError`.

    ## How to fix
    Pin the dependency below the major version that dropped the name (`mcp<2` in
    requirements.txt), then rebuild packages/ (`agentzip build`). For the agent's own code,
    import the name the installed version has (the message suggests close ones).
    """
    if not ctx.target.is_python or ctx.target.mode != "bundled" or ctx.index.wrapper_dir is not None:
        return
    closure = ctx.index.import_closure
    groups: dict[tuple[str, str, str], list[MissingName]] = {}
    for m in closure.missing:
        groups.setdefault((m.kind, m.module, m.name), []).append(m)
    for found in groups.values():
        yield describe(ctx, found)
    if closure.over_budget:
        yield Hit(
            None,
            f"the import closure stopped after {closure.over_budget} and "
            f"{closure.modules_visited} modules: the rest of the imports were not checked",
            "",
            severity=Severity.INFO,
        )


def describe(ctx: Context, found: list[MissingName]) -> Hit:
    """One finding for a missing name (every import of it): what fails, the chain, who pulled it in, the pin."""
    first = found[0]
    index = ctx.index
    owner = index.owner_of(first.module_path)
    importer = index.owner_of(first.importer)
    wheres = tuple(dict.fromkeys(f"{m.importer}:{m.line}" for m in found))
    mine = f"{owner.display_name} {owner.version}'s " if owner else ""
    if first.kind == "module":
        what = f"`import {first.module}.{first.name}` fails: {mine}package `{first.module}` has no `{first.name}`"
    else:
        similar = f" (it has {', '.join(f'`{s}`' for s in first.suggestions)})" if first.suggestions else ""
        what = f"`from {first.module} import {first.name}` fails: {mine}`{first.module}` has no `{first.name}`{similar}"
    facts = [f"imported by {importer.display_name} {importer.version}"] if importer else []
    if len(wheres) > 1:
        facts.append(f"also at {', '.join(wheres[1 : SHOWN + 1])}{' and more' if len(wheres) > SHOWN + 1 else ''}")
    pulled = _pulled_in_by(ctx, importer, owner)
    facts += [pulled] if pulled else []
    message = f"{what}: {_chain(first.chain)}" + "".join(f"; {f}" for f in facts)
    paths = tuple(dict.fromkeys(m.importer for m in found))
    return Hit(first.importer, message, _fix(owner, importer, first), paths=paths, line=first.line)


def _chain(hops: tuple[str, ...], most: int = 8) -> str:
    """`main.py:1 -> packages/a/__init__.py:5 -> ...`; a very long chain keeps its ends."""
    shown = hops if len(hops) <= most else (*hops[:2], "...", *hops[-(most - 3) :])
    return " -> ".join(shown)


def _pulled_in_by(ctx: Context, importer: Distribution | None, owner: Distribution | None) -> str:
    """`agent-framework-core 1.0.0b251223 requires mcp[ws]>=1.23`: who asked for the owner's project."""
    if owner is None or importer is owner:
        return ""
    candidates = [importer] if importer is not None else []
    candidates += [d for d in ctx.index.distributions if d is not importer]
    for d in candidates:
        for r in d.requires_dist:
            if _names(r, owner):
                return f"{d.display_name} {d.version} requires {r}"
    return ""


def _names(r: Requirement, d: Distribution) -> bool:
    from packaging.utils import canonicalize_name

    return canonicalize_name(r.name) == d.name


def _fix(owner: Distribution | None, importer: Distribution | None, m: MissingName) -> str:
    if owner is None:
        return f"define `{m.name}` in {m.module_path}, or import it from the module that has it"
    if importer is owner:
        return f"reinstall {owner.display_name}: its files come from different versions (rebuild packages/)"
    v = owner.parsed_version
    if v is None:
        return (
            f"require the version of {owner.display_name} that has `{m.name}` in requirements.txt, "
            "then rebuild packages/"
        )
    bound = f"{v.major}" if v.major > 0 else f"0.{v.minor}"
    return (
        f"pin `{owner.display_name}<{bound}` in requirements.txt (the installed {owner.version} has no `{m.name}`), "
        "then rebuild packages/ (agentzip build)"
    )
