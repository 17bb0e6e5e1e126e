"""The import-closure rule (AZ405): a name an import takes at start-up must exist in the bundle."""

from __future__ import annotations

from collections.abc import Iterator

from agentzip.validator.closurehints import describe
from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.registry import rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # packaging and the closure load only for a bundled Python check
    from agentzip.validator.closure import MissingName


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
