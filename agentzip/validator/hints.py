"""What rules share in messages and fixes: the documented bundled install, the bundle's site, path lists."""

from __future__ import annotations

from agentzip.foundry import BUNDLED, DEFAULT_RUNTIME, PACKAGES, PYTHON_RUNTIMES
from agentzip.validator.context import Context
from agentzip.validator.findings import SHOWN
from agentzip.validator.plainrequirement import spec_text
from agentzip.validator.target import Target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from agentzip.validator.plainrequirement import RequirementLike


def python_version(t: Target) -> str:
    """'3.13' for python_3_13 (the default runtime's version when the runtime is not Python)."""
    v = t.python_version or PYTHON_RUNTIMES[DEFAULT_RUNTIME]
    return f"{v[0]}.{v[1]}"


def bundled(ctx: Context) -> bool:
    """A Python bundle in bundled mode: the zip runs as is, nothing installs requirements.txt."""
    return ctx.target.is_python and ctx.target.mode == BUNDLED


def names(paths: list[str]) -> str:
    """The first SHOWN paths, then how many more."""
    more = f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else ""
    return ", ".join(paths[:SHOWN]) + more


def sites(ctx: Context) -> str:
    """Where the bundle installs its dependencies, for messages."""
    return {"packages": "packages/", "root": "the zip root"}.get(ctx.index.site or "", "packages/ or the zip root")


def pin(req: RequirementLike) -> str:
    """The requirement without its marker: pip would evaluate the marker for the host again."""
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    if req.url:
        return f"{req.name}{extras} @ {req.url}"
    text = spec_text(req)  # without building a SpecifierSet (packaging's import) for a message
    return f"{req.name}{extras}{req.specifier if text is None else text}"


def install_command(ctx: Context, what: str = "-r requirements.txt") -> str:
    """The documented bundled build, for the target's Python and where the bundle installs."""
    dest = "." if ctx.index.site == "root" else PACKAGES
    return (
        f"pip install {what} --target {dest} --platform manylinux2014_x86_64 "
        f"--python-version {python_version(ctx.target)} --implementation cp --only-binary=:all: --no-compile"
    )


def rebuild_hint(ctx: Context) -> str:
    return f"{install_command(ctx)} --upgrade (or: agentzip build --mode bundled)"


def target_description(t: Target) -> str:
    major, minor = t.glibc_floor
    return f"CPython {python_version(t)} ({t.python_tag}) on Linux x86_64, glibc {major}.{minor}"
