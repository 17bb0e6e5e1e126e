"""Python sources rules (AZ4xx): what the agent imports, what its root hides, and stale bytecode."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator

from packaging.utils import canonicalize_name

from agentzip.errors import ArchiveError
from agentzip.foundry import PACKAGES
from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.importnames import (
    NAMESPACE_ROOTS,
    candidate_projects,
    import_key,
    import_names_for_project,
)
from agentzip.validator.imports import ImportRef, extension_suffixes, is_test_path
from agentzip.validator.registry import rule
from agentzip.validator.stdlib import (
    UNSHADOWABLE,
    added_after,
    is_stdlib,
    is_windows_only,
    loads_pyc,
    pyc_version,
    removal,
)

_PYCACHE_NAME = re.compile(r"^[^.]+(?:\.[^.]+)*?\.(?P<tag>[a-z]+-?\d+[a-z]*)(?:\.opt-\d+)?\.pyc$")
MAX_STRAY_PYC_HEADS = 5000  # .pyc files outside __pycache__ whose magic number is read


def _where_list(refs: Iterable[ImportRef]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.where for r in refs))


def _more(wheres: tuple[str, ...]) -> str:
    return wheres[0] + (f" (and {len(wheres) - 1} more)" if len(wheres) > 1 else "")


def _checked_imports(ctx: Context) -> list[ImportRef]:
    """Imports that run in the container: not test code, not `if TYPE_CHECKING:` blocks."""
    return [i for i in ctx.index.imports.imports if not i.in_tests and not i.type_checking]


def _in_tree(ctx: Context, dotted: str) -> str | None:
    """The bundled path that provides a dotted module (`packages/yaml/`), searching the sites."""
    rel = dotted.replace(".", "/")
    version = ctx.target.python_version or (3, 13)
    # packages/ (the documented layout) and the root (`pip install -t .`)
    for site in (PACKAGES, ""):
        base = f"{site}/{rel}" if site else rel
        if site == "" and base.split("/", 1)[0] not in ctx.index.installed_at_root:
            continue  # the agent's own root: local modules, not installed dependencies
        if base in ctx.index.dirs:
            return base + "/"
        for suffix in (".py", *extension_suffixes(version)):
            if base + suffix in ctx.index.by_path:
                return base + suffix
    return None


def _bundled_provider(ctx: Context, name: str) -> str | None:
    """What in the bundle provides an import (a distribution or a path), or None.

    provided_modules is keyed by top-level name, which says nothing for a namespace root
    (`azure` comes with azure-core whether or not azure-identity is there): those are checked
    on the second component, in the tree.
    """
    key = import_key(name)
    path = _in_tree(ctx, key)
    if key.split(".", 1)[0] in NAMESPACE_ROOTS and "." in key:
        return path
    dists = ctx.index.provided_modules.get(key)
    if dists:
        return ", ".join(sorted({d.display_name for d in dists}))
    return path


def _required_projects(ctx: Context) -> set[str]:
    return {
        canonicalize_name(ln.requirement.name)
        for ln in ctx.index.requirements.requirements
        if ln.requirement is not None
    }


def _required_provider(ctx: Context, name: str) -> str | None:
    """The requirements.txt project that installs an import, by import-name rules, or None."""
    required = _required_projects(ctx)
    return next((p for p in candidate_projects(name) if p in required), None)


def _install_hint(ctx: Context, project: str, listed: bool = False) -> str:
    v = ctx.target.python_version or (3, 13)
    if ctx.target.mode == "bundled":
        first = (
            "reinstall packages/ from requirements.txt"
            if listed
            else f"add {project} to requirements.txt and reinstall packages/"
        )
        return (
            f"{first}: pip install -r requirements.txt "
            f"--target packages/ --platform manylinux2014_x86_64 --python-version {v[0]}.{v[1]} "
            "--implementation cp --only-binary=:all: (or agentzip build)"
        )
    return f"add {project} to requirements.txt"


@rule("AZ401", "removed-stdlib-module", Severity.ERROR)
def removed_stdlib_module(ctx: Context) -> Iterator[Hit]:
    """The agent imports a module the target Python removed from its standard library.

    ## What it does
    Reads the agent's own imports (its root modules and local packages, with `ast`; the code
    is never run) and fires for modules the target version no longer has: `distutils`, `imp`,
    `asyncore`, `asynchat` and `smtpd` (gone in 3.12), and the PEP 594 "dead batteries"
    (`cgi`, `cgitb`, `crypt`, `imghdr`, `pipes`, `telnetlib`, ... and `lib2to3`, gone in 3.13).
    The standard library is the target's (stdlib-list), never that of the Python running
    agentzip. One finding per module, listing every `file:line` that imports it. It stays quiet
    when the bundle brings the module back: `legacy-cgi` bundled in `packages/` (or listed in
    requirements.txt for remote_build) provides `cgi`; a local `cgi.py` does too.

    Imports under `try: ... except ImportError:` or a version or platform check are not
    reported: that is the usual way to support several Python versions, and the fallback runs.
    Imports under `if TYPE_CHECKING:` and in test files (`tests/`, `test_*.py`) never run in
    the container and are not reported either.

    ## Why is this bad
    The import raises `ModuleNotFoundError` at start-up on the runtime, and the version never
    becomes ready, although the same code works on the developer's Python 3.11 or 3.12.

    ## Example
    `main.py` runs `import cgi` to parse a form, deployed with `runtime: python_3_13`.

    ## How to fix
    Use the replacement the message names (`email.message` / `urllib.parse.parse_qsl` for
    `cgi`, `subprocess` with `shlex.quote` for `pipes`, `importlib` for `imp`, `telnetlib3`
    for `telnetlib`), or depend on a project that restores the module (`legacy-cgi`,
    `standard-telnetlib`, `audioop-lts`).
    """
    version = ctx.target.python_version
    if version is None:
        return
    groups: dict[str, list[ImportRef]] = {}
    for ref in _checked_imports(ctx):
        if ref.optional or removal(ref.name, version) is None:
            continue
        groups.setdefault(ref.top, []).append(ref)
    for top, refs in sorted(groups.items()):
        r = removal(top, version)
        assert r is not None
        if top in ctx.index.local_modules or _restored(ctx, top, r.restored_by):
            continue
        wheres = _where_list(refs)
        restore = f"; or depend on {' / '.join(r.restored_by[:2])}, which restores `{top}`" if r.restored_by else ""
        yield Hit(
            refs[0].file,
            f"`{top}` was removed from the standard library in Python {r.removed_in} ({r.pep}), so it "
            f"does not exist on {ctx.target.runtime}: imported at {_more(wheres)}",
            f"use {r.replacement} instead{restore}",
            paths=wheres,
        )


def _restored(ctx: Context, top: str, restored_by: tuple[str, ...]) -> bool:
    """True when the bundle (bundled) or requirements.txt (remote_build) brings a removed module back."""
    if ctx.target.mode == "bundled":
        return _bundled_provider(ctx, top) is not None
    required = _required_projects(ctx)
    if any(canonicalize_name(p) in required for p in restored_by):
        # setuptools' distutils shim works through a .pth file, which only site-packages runs:
        # true for remote build's pip install, so counted there and only there.
        return True
    return _required_provider(ctx, top) is not None


@rule("AZ402", "unresolved-import", Severity.ERROR)
def unresolved_import(ctx: Context) -> Iterator[Hit]:
    """The agent imports a module that nothing in the bundle or the target's stdlib provides.

    ## What it does
    Checks every import of the agent's own code (root modules and local packages, read with
    `ast`) against, in order: the agent's local modules (`foo.py`, `foo/`, relative imports),
    the target version's standard library (Linux: `winreg`, `msvcrt` and the like are
    Windows-only), and the dependencies.

    - bundled mode: what is installed in `packages/` or at the root, by import name (`yaml` is
      provided by PyYAML's files, whatever the project is called). Namespace packages
      (`azure.*`, `google.*`, `opentelemetry.*`) are checked on their second component, so
      `import azure.identity` needs `azure/identity/`, not just any `azure/`. An error.
    - remote_build: the projects named in requirements.txt, through the import-name table of
      `agentzip explain` (`yaml` -> PyYAML, `cv2` -> opencv-python, `PIL` -> Pillow,
      `azure.identity` -> azure-identity, ...). A warning: a module may arrive as a dependency
      of a listed project, and an unusual import name may not be in the table.

    Also reported: relative imports with no parent package (`from . import utils` in the root
    `main.py`), and source files that could not be parsed (warning: their imports were not
    checked). Imports under `try: ... except ImportError:`, a platform or version check,
    `if TYPE_CHECKING:`, and in test files are not reported. Modules removed from the stdlib
    are AZ401's.

    ## Why is this bad
    The first unresolved import raises `ModuleNotFoundError` at start-up: the container exits,
    the version fails or sessions end in `session_creation_failed`. It works locally because
    the developer's venv has the module.

    ## Example
    `main.py` has `import httpx` and packages/ was built from a requirements.txt without it;
    or `from . import tools` in the root `main.py` (no parent package there).

    ## How to fix
    Add the project to requirements.txt and rebuild packages/ (`agentzip build` does both
    steps for the target); for relative imports in the root, use absolute ones
    (`import tools`).
    """
    if not ctx.target.is_python or ctx.index.wrapper_dir is not None:
        return
    version = ctx.target.python_version or (3, 13)
    scan = ctx.index.imports
    bundled = ctx.target.mode == "bundled"
    if not bundled and ctx.index.requirements.path is None:
        return  # remote build with no requirements.txt: requirements-missing says why
    groups: dict[str, list[ImportRef]] = {}
    for ref in _checked_imports(ctx):
        if ref.optional or ref.name == "__future__" or ref.top in ctx.index.local_modules:
            continue
        if removal(ref.name, version) is not None:
            continue  # AZ401
        if is_stdlib(ref.name, version) and not is_windows_only(ref.name):
            continue
        groups.setdefault(import_key(ref.name), []).append(ref)

    for key, refs in sorted(groups.items()):
        if is_windows_only(key):
            wheres = _where_list(refs)
            yield Hit(
                refs[0].file,
                f"`{key}` is a Windows-only standard module; the runtime is Linux: imported at {_more(wheres)}",
                'guard the import with `if sys.platform == "win32":` or remove it',
                paths=wheres,
            )
            continue
        if bundled and _bundled_provider(ctx, key) is not None:
            continue
        required = _required_provider(ctx, key)
        if not bundled and required is not None:
            continue
        yield _unresolved(ctx, key, refs, required)

    prefix = scan.base + "/" if scan.base else ""
    for bad in scan.broken_relative:
        if is_test_path(bad.file):
            continue
        top_level = "/" not in bad.file[len(prefix) :]
        where = "a top-level module has no parent package" if top_level else "it climbs above the top-level package"
        yield Hit(
            bad.file,
            f"`{bad.text}` at {bad.where} cannot work: {where} (ImportError: attempted relative import)",
            "use an absolute import of the module from the zip root (`import utils`, `from app import utils`)",
        )

    for skipped in scan.skipped:
        if is_test_path(skipped.path):
            continue
        yield Hit(
            skipped.path,
            f"{skipped.path} {skipped.reason}: its imports were not checked",
            "fix the file so `python -m py_compile` accepts it on the target Python, or remove it from the bundle",
            severity=Severity.WARNING,
        )


def _unresolved(ctx: Context, key: str, refs: list[ImportRef], required: str | None) -> Hit:
    version = ctx.target.python_version or (3, 13)
    wheres = _where_list(refs)
    project = required or candidate_projects(refs[0].name if key.split(".", 1)[0] in NAMESPACE_ROOTS else key)[0]
    top = key.split(".", 1)[0]
    newer = added_after(key, version)
    elsewhere = _elsewhere(ctx, top)
    approximate = all(r.approximate for r in refs)
    severity = None if ctx.target.mode == "bundled" and not approximate else Severity.WARNING
    if newer:
        return Hit(
            refs[0].file,
            f"`{key}` is in the standard library only from Python {newer}, not on {ctx.target.runtime}: "
            f"imported at {_more(wheres)}",
            f"deploy with runtime python_{newer.replace('.', '_')}, or avoid `{key}`",
            paths=wheres,
            severity=severity,
        )
    if elsewhere and not ctx.index.imports.edits_sys_path:
        return Hit(
            refs[0].file,
            f"`{key}` is imported at {_more(wheres)} but only `{elsewhere}` has it, and that folder is "
            "not on sys.path (`python main.py` adds only the entry point's folder)",
            f"move `{elsewhere}` next to the entry point, or import it by its full package path",
            paths=wheres,
            severity=severity,
        )
    if elsewhere:
        return Hit(
            refs[0].file,
            f"`{key}` is imported at {_more(wheres)}; it exists only at `{elsewhere}`, which the code "
            "adds to sys.path itself: agentzip cannot confirm that works",
            f"move `{elsewhere}` next to the entry point to make the import plain",
            paths=wheres,
            severity=Severity.WARNING,
        )
    if ctx.target.mode == "bundled":
        listed = f" (requirements.txt lists {required}, but it is not installed in the bundle)" if required else ""
        msg = f"`{key}` is imported at {_more(wheres)} but is not in the target's stdlib, the agent's code or packages/{listed}"
    else:
        msg = (
            f"`{key}` is imported at {_more(wheres)} but requirements.txt names no project that "
            f"installs it (expected {project}; a listed project may still pull it in)"
        )
    return Hit(
        refs[0].file, msg, _install_hint(ctx, project, listed=required is not None), paths=wheres, severity=severity
    )


def _elsewhere(ctx: Context, top: str) -> str | None:
    """A folder of the agent (not its entry folder) holding a module or package named `top`."""
    base = ctx.index.source_base
    for f in ctx.index.own_files:
        parts = f.path.split("/")
        for i, part in enumerate(parts[:-1]):
            if part == top and i > 0 and "/".join(parts[:i]) != base:
                return "/".join(parts[: i + 1]) + "/"
        if parts[-1] == f"{top}.py" and len(parts) > 1 and "/".join(parts[:-1]) != base:
            return f.path
    return None


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
    version = ctx.target.python_version or (3, 13)
    bundled_names = ctx.index.provided_modules
    required = {
        top: ln.requirement.name
        for ln in ctx.index.requirements.requirements
        if ln.requirement is not None
        for top in {n.split(".", 1)[0] for n in import_names_for_project(ln.requirement.name)}
    }
    for name, local in sorted(ctx.index.local_modules.items()):
        shown = local.path
        if local.kind == "namespace":
            yield from _namespace_shadows(ctx, name, local.path)
            continue
        if name not in UNSHADOWABLE and is_stdlib(name, version) and not is_windows_only(name):
            yield Hit(
                shown,
                f"`{shown}` hides the standard library module `{name}`: the zip root comes first on "
                f"sys.path, so every `import {name}` (dependencies' too) gets this {local.kind} instead",
                f"rename `{shown}` (e.g. `{name}_utils`) and update the imports of it",
            )
            continue
        owners: list[str] = []
        if name in bundled_names:
            owners = sorted({d.display_name for d in bundled_names[name]})
        elif name in required:
            owners = [str(required[name])]
        if not owners:
            continue
        if name in NAMESPACE_ROOTS:
            what = f"the whole `{name}` namespace of {', '.join(owners[:4])}{' and more' if len(owners) > 4 else ''}"
        else:
            what = f"`{name}` of {', '.join(owners)}"
        yield Hit(
            shown,
            f"`{shown}` hides {what}: the zip root comes first on sys.path, so `import {name}` gets this {local.kind}",
            f"rename `{shown}` and update the imports of it"
            + (
                f"; an `{name}/` folder without __init__.py only hides the subpackages it shares"
                if name in NAMESPACE_ROOTS
                else ""
            ),
        )


def _namespace_shadows(ctx: Context, name: str, folder: str) -> Iterator[Hit]:
    """A root namespace folder (`azure/` without __init__.py) merges with the dependencies' one:
    only its children that a dependency also has are hidden."""
    if name not in NAMESPACE_ROOTS:
        return
    required = {
        n: ln.requirement.name
        for ln in ctx.index.requirements.requirements
        if ln.requirement is not None
        for n in import_names_for_project(ln.requirement.name)
    }
    children: set[str] = set()
    for f in ctx.index.own_files:
        if f.path.startswith(folder):
            rest = f.path[len(folder) :].split("/", 1)
            if len(rest) == 2:
                children.add(rest[0])
            elif rest[0].endswith(".py"):
                children.add(rest[0][:-3])
    for child in sorted(children):
        dotted = f"{name}.{child}"
        owner = _in_tree(ctx, dotted) if ctx.target.mode == "bundled" else None
        owner = owner or required.get(dotted)
        if owner:
            yield Hit(
                f"{folder}{child}",
                f"`{folder}{child}` hides `{dotted}` ({owner}): the zip root's `{name}/` comes first in the namespace",
                f"rename `{folder}` (e.g. `{name}_scripts/`) and update the imports of it",
            )


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
    own_tag = f"cpython-{version[0]}{version[1]}"
    found: dict[str, list[tuple[str, int]]] = {}
    heads_read = 0
    for f in ctx.index.files:
        if not f.path.endswith(".pyc") or ctx.index.is_junk(f.path) or f.is_symlink:
            continue
        parts = f.path.split("/")
        if len(parts) > 1 and parts[-2] == "__pycache__":
            m = _PYCACHE_NAME.match(parts[-1])
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
        target = "packages" if in_packages else "."
        yield Hit(
            where or None,
            f"{len(paths)} .pyc file{'s' if len(paths) != 1 else ''} compiled for {label} ({_size(size)}): "
            f"the {ctx.target.runtime} runtime never uses them{broken}",
            f"install with `pip install --no-compile ...`, or delete them: "
            f"find {target} -name __pycache__ -prune -exec rm -rf {{}} +"
            + (" && find . -name '*.pyc' -delete" if stray else ""),
            paths=paths,
        )


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
