"""Development-tool rule (AZ213): test runners, linters and notebooks listed in a deployed agent's requirements."""

from __future__ import annotations

from collections.abc import Iterator

from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.projectname import canonicalize_name
from agentzip.validator.registry import rule
from agentzip.validator.requirements import RequirementLine

# Projects used while developing, never by a running agent (canonical names).
DEV_TOOLS = frozenset(
    {
        "pytest",
        "pytest-asyncio",
        "pytest-cov",
        "pytest-mock",
        "pytest-xdist",
        "mypy",
        "ruff",
        "black",
        "flake8",
        "pylint",
        "isort",
        "pre-commit",
        "tox",
        "nox",
        "coverage",
        "ipython",
        "ipykernel",
        "jupyter",
        "jupyterlab",
        "notebook",
        "bandit",
        "pyright",
        "autopep8",
        "yapf",
    }
)


@rule("AZ213", "dev-tool-requirement", Severity.INFO)
def dev_tool_requirement(ctx: Context) -> Iterator[Hit]:
    """`requirements.txt` of the deployed agent lists development tools.

    ## What it does
    Reads `requirements.txt` (and the files it includes, not `-c` constraints) and lists the
    projects that are only used while developing: test runners (`pytest` and its plugins, `tox`,
    `nox`, `coverage`), type checkers and linters (`mypy`, `pyright`, `ruff`, `black`, `flake8`,
    `pylint`, `isort`, `pre-commit`, `bandit`), and notebooks (`ipython`, `jupyter`,
    `jupyterlab`, `notebook`, `ipykernel`). One finding names them all, with their lines.

    ## Why is this bad
    Every one of them is installed into the agent (in `packages/` for bundled mode, by the
    service's remote build otherwise): a bigger zip or a longer build, more to resolve and more
    that can conflict with what the agent needs, for code that never runs in the container.

    ## Example
    requirements.txt lists `azure-ai-projects`, `azure-identity`, `pytest` and `ruff`.

    ## How to fix
    Move the tools to a separate file (`requirements-dev.txt`, installed with
    `pip install -r requirements.txt -r requirements-dev.txt` on developer machines and in CI),
    or to a dependency group in pyproject.toml.
    """
    if not ctx.target.is_python:
        return
    found: list[RequirementLine] = [
        ln
        for ln in ctx.index.requirements.requirements
        if ln.requirement is not None and not ln.constraint and canonicalize_name(ln.requirement.name) in DEV_TOOLS
    ]
    if not found:
        return
    names = ", ".join(f"{ln.requirement.name} ({ln.where})" for ln in found if ln.requirement is not None)
    yield Hit(
        found[0].file,
        f"requirements.txt lists development tools that the deployed agent never runs: {names}",
        "move them to requirements-dev.txt (or a dependency group) and keep requirements.txt to what the agent imports",
        paths=tuple(dict.fromkeys(ln.file for ln in found)),
        line=found[0].line,
    )
