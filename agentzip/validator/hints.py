"""The fixes rules share: the documented bundled install, for the target and the bundle's site."""

from __future__ import annotations

from agentzip.foundry import PACKAGES
from agentzip.validator.context import Context
from agentzip.validator.target import Target


def python_version(t: Target) -> str:
    """'3.13' for python_3_13 (3.13 when the runtime is not Python: the default)."""
    v = t.python_version or (3, 13)
    return f"{v[0]}.{v[1]}"


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
