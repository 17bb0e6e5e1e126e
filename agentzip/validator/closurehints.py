"""The words for a broken import closure (AZ405): the message with its chain and versions, and the
pin that fixes it; shared by the rule and by explain."""

from __future__ import annotations

from agentzip.validator.findings import SHOWN, Hit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from agentzip.validator.closure import MissingName
    from agentzip.validator.context import Context
    from agentzip.validator.distributions import Distribution
    from agentzip.validator.plainrequirement import RequirementLike


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


def _names(r: RequirementLike, d: Distribution) -> bool:
    from agentzip.validator.projectname import canonicalize_name

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
