"""The import-test rule (AZ406): a real CPython of the target's version imports what the entry point does."""

from __future__ import annotations

from collections.abc import Iterator

from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.registry import rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # the import test (subprocess, tempfile) loads only when it ran
    from agentzip.importtest import ImportResult

# Traceback lines kept in a finding's message: the raising frames and the error itself.
SHOWN_TRACEBACK = 6
GENERIC_HINT = "run the entry point with CPython {version} on Linux x86_64 and fix the first error of the traceback"


@rule("AZ406", "import-failed", Severity.ERROR)
def import_failed(ctx: Context) -> Iterator[Hit]:
    """Importing what the entry point imports fails under a real interpreter of the target's version.

    ## What it does
    Runs only when asked (`agentzip check --import-test`, and by default after `agentzip build`).
    The bundle is extracted to a temporary folder and a CPython of the target's version (from
    `--python PATH`, `uv python find`, `python3.X` on PATH or pyenv) imports every module the entry
    file imports at module level, with the names it takes, isolated (`-I`: no user site, a scrubbed
    environment, a timeout), with `sys.path` = the entry point's folder, `packages/` and its own
    standard library. The entry file itself is never run: it may start a server. Each import that
    raises is one finding at the entry file's import line, with the last lines of the real traceback
    and the fix `agentzip explain --log` gives for it. When the test cannot run (no interpreter of
    that version, a host that is not Linux x86_64, a .NET agent) the report's notes say why.

    ## Why is this bad
    The agent stops at start-up and the deployment never becomes ready, although every static check
    passed: the real interpreter is the only proof that the code, its dependencies and their
    versions fit together (a name a newer major version dropped, a module raising at import, a
    native library missing).

    ## Example
    `main.py` line 1 runs `from agent_framework import ChatAgent`; with mcp 2.3.0 installed the
    import raises `ImportError: cannot import name 'McpError' from 'mcp.shared.exceptions'`.

    ## How to fix
    Follow the hint (it is what `agentzip explain --log` says for the traceback): pin the
    dependency that broke (`mcp<2`), add what is missing, or fix the agent's own module; then
    rebuild (`agentzip build`) and run `agentzip check --import-test` again.
    """
    test = ctx.import_test
    if test is None or not test.failures:
        return
    from agentzip.importtest import entry_path

    path = entry_path(ctx)
    for failure in test.failures:
        yield Hit(path, _message(failure), _hint(ctx, failure), line=failure.line)


def _message(r: ImportResult) -> str:
    """What failed, then the last lines of the real traceback (paths as in the bundle)."""
    head = f"`import {r.module}` fails under the real interpreter: {r.error}"
    tail = [line.rstrip("\n") for line in r.traceback if line.strip()]
    # CPython 3.11+ underlines the failing expression with ^ and ~: noise in a one-finding message
    lines = _frames([t for chunk in tail for t in chunk.splitlines() if t.strip(" ^~")])[-SHOWN_TRACEBACK:]
    return "\n".join([head, *(f"    {t}" for t in lines)]) if lines else head  # indented under the finding


def _frames(lines: list[str]) -> list[str]:
    """The traceback without the import system's own frames (frozen importlib, importlib.import_module
    and the test's `<string>` child): they say nothing about the bundle."""
    out: list[str] = []
    keep = True
    for t in lines:
        if t.startswith('  File "'):
            path = t[len('  File "') :].split('"', 1)[0]
            keep = not (path.startswith("<") or path.endswith("importlib/__init__.py"))
        elif not t.startswith("    "):
            keep = True  # the header or the error line
        if keep:
            out.append(t)
    return out


def _hint(ctx: Context, r: ImportResult) -> str:
    """The fix `explain --log` gives for this traceback, else a generic one."""
    from agentzip.explain import explain_all
    from agentzip.logscan import scan

    version = ctx.target.python_version or (3, 13)
    generic = GENERIC_HINT.format(version=f"{version[0]}.{version[1]}")
    failures = scan([*r.traceback, r.error or ""])
    if not failures:
        return generic
    try:
        diagnoses = list(explain_all(ctx, (), failures))
    except Exception:  # explain cannot say more than the traceback: the finding stands without it
        return generic
    for d in diagnoses:
        if d.fails and d.fix:
            return d.fix
    return next((d.fix for d in diagnoses if d.fix), generic)
