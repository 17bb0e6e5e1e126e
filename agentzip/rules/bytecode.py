"""Bytecode rule (AZ404 foreign-bytecode): `.pyc` files compiled for another Python than the target's."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from agentzip.errors import ArchiveError
from agentzip.foundry import PACKAGES
from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.registry import rule
from agentzip.validator.stdlib import loads_pyc, pyc_version

_PYCACHE_NAME = r"^[^.]+(?:\.[^.]+)*?\.(?P<tag>[a-z]+-?\d+[a-z]*)(?:\.opt-\d+)?\.pyc$"
MAX_STRAY_PYC_HEADS = 5000  # .pyc files outside __pycache__ whose magic number is read


@rule("AZ404", "foreign-bytecode", Severity.WARNING)
def foreign_bytecode(ctx: Context) -> Iterator[Hit]:
    """`.pyc` files compiled for another Python than the target's.

    ## What it does
    Finds bytecode the runtime will never use, anywhere in the bundle (packages/ included):
    `__pycache__/*.cpython-311.pyc` for another version (by the tag in the name), and stray
    `.pyc` files outside `__pycache__` by the magic number in their first bytes (3.13 writes
    3571, 3.14 writes 3627). One finding per Python version, with the count and the bytes.

    ## Why is this bad
    pip byte-compiles into `--target` with the interpreter running it, so building packages/
    on a 3.11 host ships `*.cpython-311.pyc` files the 3.13 runtime ignores (measured: 41 MB
    on a 107 MB install) and recompiles anyway. A stray `.pyc` with no `.py` beside it is worse:
    it is imported and fails with `ImportError: bad magic number`.

    ## Example
    `packages/requests/__pycache__/api.cpython-311.pyc` in a python_3_13 bundle.

    ## How to fix
    Install with `pip install --no-compile ...` (uv does not compile by default), or delete
    them before zipping: `find packages -name __pycache__ -prune -exec rm -rf {} +`.
    """
    version = ctx.target.python_version
    if version is None:
        return
    found = _foreign_pyc(ctx, version)
    for label, items in sorted(found.items()):
        paths = tuple(sorted(p for p, _ in items))
        size = sum(s for _, s in items)
        in_packages = all(p.startswith(PACKAGES + "/") for p in paths)
        stray = [p for p in paths if "/__pycache__/" not in f"/{p}" and p[:-1] not in ctx.index.by_path]
        where = posixpath.commonpath(paths) if len(paths) > 1 else paths[0]
        if where in ctx.index.dirs:
            where += "/"
        broken = (
            f"; {len(stray)} {'has' if len(stray) == 1 else 'have'} no .py beside {'it' if len(stray) == 1 else 'them'}"
            " and fail(s) with `ImportError: bad magic number` when imported"
            if stray
            else ""
        )
        target = PACKAGES if in_packages else "."
        yield Hit(
            where or None,
            f"{len(paths)} .pyc file{'s' if len(paths) != 1 else ''} compiled for {label} ({_size(size)}): "
            f"the {ctx.target.runtime} runtime never uses them{broken}",
            f"install with `pip install --no-compile ...`, or delete them: "
            f"find {target} -name __pycache__ -prune -exec rm -rf {{}} +"
            + (" && find . -name '*.pyc' -delete" if stray else ""),
            paths=paths,
        )


def _foreign_pyc(ctx: Context, version: tuple[int, int]) -> dict[str, list[tuple[str, int]]]:
    """The bundle's .pyc files another Python wrote, by that Python: `__pycache__` ones by the tag in
    their name, stray ones by their magic number (at most MAX_STRAY_PYC_HEADS heads read)."""
    own_tag = f"cpython-{version[0]}{version[1]}"
    found: dict[str, list[tuple[str, int]]] = {}
    heads_read = 0
    for f in ctx.index.with_extension("pyc"):
        if not f.path.endswith(".pyc") or ctx.index.is_junk(f.path) or f.is_symlink:
            continue
        parts = f.path.split("/")
        if len(parts) > 1 and parts[-2] == "__pycache__":
            m = re.match(_PYCACHE_NAME, parts[-1])
            if m is None or m.group("tag") == own_tag:
                continue
            label = _tag_label(m.group("tag"))
        else:
            if heads_read >= MAX_STRAY_PYC_HEADS:
                continue
            heads_read += 1
            try:
                head = ctx.bundle.head(f, 4)
            except ArchiveError:
                continue
            if loads_pyc(head, version):
                continue
            v = pyc_version(head)
            label = f"CPython {v[0]}.{v[1]}" if v else "an unknown Python"
            if v == version:
                label += " (a pre-release)"
        found.setdefault(label, []).append((f.path, f.size))
    return found


def _tag_label(tag: str) -> str:
    """'cpython-311' -> 'CPython 3.11'; other implementations' tags as they are."""
    m = re.fullmatch(r"cpython-(\d)(\d+)(t?)", tag)
    if m:
        return f"CPython {m.group(1)}.{m.group(2)}{' free-threaded' if m.group(3) else ''}"
    return tag


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.1f} MB"
    if n >= 1000:
        return f"{n / 1e3:.1f} kB"
    return f"{n} bytes"
