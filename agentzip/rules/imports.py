"""Import rules (AZ401 removed-stdlib-module, AZ402 unresolved-import): what the agent's code imports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from agentzip.foundry import BUNDLED, DEFAULT_RUNTIME, PYTHON_RUNTIMES
from agentzip.validator.context import Context
from agentzip.validator.finder import Finder
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.hints import install_command
from agentzip.validator.importnames import (
    NAMESPACE_ROOTS,
    NAMESPACES,
    brought_by,
    candidate_projects,
    import_key,
    project_from_records,
)
from agentzip.validator.imports import ImportRef, is_test_path
from agentzip.validator.projectname import canonicalize_name
from agentzip.validator.registry import rule
from agentzip.validator.stdlib import added_after, is_stdlib, is_windows_only, removal

DEFAULT_VERSION = PYTHON_RUNTIMES[DEFAULT_RUNTIME]


def _where_list(refs: Iterable[ImportRef]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.where for r in refs))


def _more(wheres: tuple[str, ...]) -> str:
    return wheres[0] + (f" (and {len(wheres) - 1} more)" if len(wheres) > 1 else "")


def _checked_imports(ctx: Context) -> list[ImportRef]:
    """Imports that run in the container: not test code, not `if TYPE_CHECKING:` blocks."""
    return [i for i in ctx.index.imports.imports if not i.in_tests and not i.type_checking]


def _bundled_provider(finder: Finder, name: str) -> str | None:
    """The bundle path the target's import system finds for an import's key (`packages/yaml/`), or None.

    The key is the part that says what installs it: `azure.identity` for `azure.identity.aio`,
    so a bare `azure/` namespace (which azure-core brings) does not count for azure-identity.
    """
    spec = finder.find(import_key(name)).spec
    if spec is None or spec.kind in ("stdlib", "builtin"):
        return None
    return spec.path or ", ".join(spec.search)


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
    if ctx.target.mode == BUNDLED:
        first = (
            "reinstall packages/ from requirements.txt"
            if listed
            else f"add {project} to requirements.txt and reinstall packages/"
        )
        return f"{first}: {install_command(ctx)} (or agentzip build)"
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
            line=refs[0].line,
        )


def _restored(ctx: Context, top: str, restored_by: tuple[str, ...]) -> bool:
    """True when the bundle (bundled) or requirements.txt (remote_build) brings a removed module back."""
    if ctx.target.mode == BUNDLED:
        return _bundled_provider(Finder.for_context(ctx), top) is not None
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
      `azure.identity` -> azure-identity, `opentelemetry.trace` -> opentelemetry-api; the
      longest known prefix wins, and a bundled distribution's RECORD beats the table). A
      warning: an unusual import name may not be in the table. An import that a listed project
      requires (bundled Requires-Dist, or a table of well-known ones: azure-identity brings
      azure-core, agent-framework-core brings opentelemetry-sdk) is info instead, naming both
      projects: it is installed transitively today (deptry's DEP003), but should be listed.

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
    if ctx.target.mode != BUNDLED and ctx.index.requirements.path is None:
        return  # remote build with no requirements.txt: requirements-missing says why
    yield from _unresolved_keys(ctx)
    yield from _broken_relative(ctx)
    for skipped in ctx.index.imports.skipped:
        if is_test_path(skipped.path):
            continue
        yield Hit(
            skipped.path,
            f"{skipped.path} {skipped.reason}: its imports were not checked",
            "fix the file so `python -m py_compile` accepts it on the target Python, or remove it from the bundle",
            severity=Severity.WARNING,
        )


def _import_groups(ctx: Context) -> dict[str, list[ImportRef]]:
    """The agent's imports that must come from outside its own code, by what installs them (import_key)."""
    version = ctx.target.python_version or DEFAULT_VERSION
    groups: dict[str, list[ImportRef]] = {}
    for ref in _checked_imports(ctx):
        if ref.optional or ref.name == "__future__" or ref.top in ctx.index.local_modules:
            continue
        if removal(ref.name, version) is not None:
            continue  # AZ401
        if is_stdlib(ref.name, version) and not is_windows_only(ref.name):
            continue
        if ref.name in NAMESPACES and ref.names and "*" not in ref.names:
            # `from opentelemetry import trace` needs opentelemetry.trace, not just a namespace
            for n in ref.names:
                groups.setdefault(import_key(f"{ref.name}.{n}"), []).append(ref)
        else:
            groups.setdefault(import_key(ref.name), []).append(ref)
    return groups


def _unresolved_keys(ctx: Context) -> Iterator[Hit]:
    """Windows-only modules, and imports nothing in the bundle (bundled) or requirements.txt provides."""
    bundled = ctx.target.mode == BUNDLED
    finder = Finder.for_context(ctx)
    for key, refs in sorted(_import_groups(ctx).items()):
        if is_windows_only(key):
            wheres = _where_list(refs)
            yield Hit(
                refs[0].file,
                f"`{key}` is a Windows-only standard module; the runtime is Linux: imported at {_more(wheres)}",
                'guard the import with `if sys.platform == "win32":` or remove it',
                paths=wheres,
                line=refs[0].line,
            )
            continue
        if bundled and _bundled_provider(finder, key) is not None:
            continue
        required = _required_provider(ctx, key)
        if not bundled and required is not None:
            continue
        yield _unresolved(ctx, key, refs, required)


def _broken_relative(ctx: Context) -> Iterator[Hit]:
    """Relative imports with no parent package, or climbing above the top-level one."""
    scan = ctx.index.imports
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
            line=bad.line,
        )


def _unresolved(ctx: Context, key: str, refs: list[ImportRef], required: str | None) -> Hit:
    version = ctx.target.python_version or DEFAULT_VERSION
    wheres = _where_list(refs)
    project = required or _project_for(ctx, key, refs)
    top = key.split(".", 1)[0]
    newer = added_after(key, version)
    elsewhere = _elsewhere(ctx, top)
    approximate = all(r.approximate for r in refs)
    severity = None if ctx.target.mode == BUNDLED and not approximate else Severity.WARNING
    if newer:
        return Hit(
            refs[0].file,
            f"`{key}` is in the standard library only from Python {newer}, not on {ctx.target.runtime}: "
            f"imported at {_more(wheres)}",
            f"deploy with runtime python_{newer.replace('.', '_')}, or avoid `{key}`",
            paths=wheres,
            line=refs[0].line,
            severity=severity,
        )
    if elsewhere:
        return _misplaced(ctx, key, refs, wheres, elsewhere, severity)
    if ctx.target.mode == BUNDLED:
        listed = f" (requirements.txt lists {required}, but it is not installed in the bundle)" if required else ""
        msg = (
            f"`{key}` is imported at {_more(wheres)} but is not in the target's stdlib, the agent's code "
            f"or packages/{listed}"
        )
    else:
        via = _transitive(ctx, project)
        if via is not None:
            return _transitive_hit(key, refs, wheres, project, via)
        msg = (
            f"`{key}` is imported at {_more(wheres)} but requirements.txt names no project that "
            f"installs it (expected {project}; a listed project may still pull it in)"
        )
    return Hit(
        refs[0].file,
        msg,
        _install_hint(ctx, project, listed=required is not None),
        paths=wheres,
        severity=severity,
        line=refs[0].line,
    )


def _misplaced(
    ctx: Context, key: str, refs: list[ImportRef], wheres: tuple[str, ...], elsewhere: str, severity: Severity | None
) -> Hit:
    """The module exists, but in a folder of the agent that is not on sys.path (or only by the code's own doing)."""
    if not ctx.index.imports.edits_sys_path:
        return Hit(
            refs[0].file,
            f"`{key}` is imported at {_more(wheres)} but only `{elsewhere}` has it, and that folder is "
            "not on sys.path (`python main.py` adds only the entry point's folder)",
            f"move `{elsewhere}` next to the entry point, or import it by its full package path",
            paths=wheres,
            line=refs[0].line,
            severity=severity,
        )
    return Hit(
        refs[0].file,
        f"`{key}` is imported at {_more(wheres)}; it exists only at `{elsewhere}`, which the code "
        "adds to sys.path itself: agentzip cannot confirm that works",
        f"move `{elsewhere}` next to the entry point to make the import plain",
        paths=wheres,
        line=refs[0].line,
        severity=Severity.WARNING,
    )


def _transitive_hit(key: str, refs: list[ImportRef], wheres: tuple[str, ...], project: str, via: str) -> Hit:
    """remote_build: a listed project probably installs it (deptry's DEP003): information, not a failure."""
    return Hit(
        refs[0].file,
        f"`{key}` (from {project}) is imported at {_more(wheres)} but requirements.txt does not list "
        f"{project}; it is a dependency of {via}, which requirements.txt lists, so it is likely "
        "installed transitively (deptry DEP003)",
        f"add {project} to requirements.txt: the agent imports it directly, and {via} may stop requiring it",
        paths=wheres,
        severity=Severity.INFO,
        line=refs[0].line,
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


def _project_for(ctx: Context, key: str, refs: list[ImportRef]) -> str:
    """The project that installs an import: a bundled distribution's RECORD when one has it, else the table."""
    records = ((d.display_name, d.record) for d in ctx.index.distributions)
    name = refs[0].name if key.split(".", 1)[0] in NAMESPACE_ROOTS and refs[0].name.startswith(key) else key
    return project_from_records(name, records) or candidate_projects(name)[0]


def _transitive(ctx: Context, project: str) -> str | None:
    """The requirements.txt project that likely brings `project` in (bundled Requires-Dist, then a known table)."""
    requires = {d.name: [r.name for r in d.requires_dist] for d in ctx.index.distributions}
    return brought_by(project, _required_projects(ctx), requires)
