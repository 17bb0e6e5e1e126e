"""explain's view of the static import closure (AZ405): a found module whose load-time imports break does not import."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from agentzip.explain.model import Diagnosis
from agentzip.foundry import BUNDLED
from agentzip.validator.context import Context

START = "<import>"  # the walk starts from a one-line source, `import <module>`, that is in no bundle


def closure_diagnosis(module: str, ctx: Context) -> Diagnosis | None:
    """ "fails" with the missing name, the chain and the pin when importing `module` breaks on a
    `from M import name` that M does not have (bundled mode); None when the closure proves nothing wrong."""
    if not ctx.target.is_python or ctx.target.mode != BUNDLED or ctx.index.wrapper_dir is not None:
        return None
    from agentzip.validator.closure import bundle_reader, resolver_of, walk_closure
    from agentzip.validator.closurehints import describe

    index = ctx.index
    bundled = bundle_reader(index)
    source = f"import {module}\n".encode()

    def read(path: str) -> tuple[Hashable | None, Callable[[], bytes]] | None:
        return (None, lambda: source) if path == START else bundled(path)

    closure = walk_closure(START, resolver_of(index), read)
    if not closure.missing:
        return None
    first = closure.missing[0]  # breadth-first: the one nearest the module
    group = [
        m._replace(chain=m.chain[1:])  # the synthetic first hop is not a file of the bundle
        for m in closure.missing
        if (m.kind, m.module, m.name) == (first.kind, first.module, first.name)
    ]
    hit = describe(ctx, group)
    return Diagnosis(
        module,
        "fails",
        "name-missing",
        f"`{module}` is found, but importing it fails: {hit.message}",
        hit.hint,
        code="AZ405",
        rule="missing-import-name",
        paths=hit.paths or ((hit.path,) if hit.path else ()),
        suggestions=first.suggestions,
        name=first.name,
    )
