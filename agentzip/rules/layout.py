"""Layout rules (AZ1xx): what must sit at the zip root, and what must not."""

from __future__ import annotations

from collections.abc import Iterator

from agentzip.foundry import PACKAGES
from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.registry import rule

ENTRY_NEAR_MISSES = ("app.py", "agent.py", "server.py", "__main__.py", "run.py")


def _zip_flat_hint(ctx: Context, folder: str) -> str:
    """Zip the folder's contents into a zip beside the wrapper folder (never inside a deep `bin/.../publish`)."""
    out = ctx.bundle.path.name if ctx.bundle.kind == "zip" else "agent-code.zip"
    up = "../" * (folder.count("/") + 1)
    skip = "'*.pdb'" if ctx.target.is_dotnet else "'.venv/*' '.git/*' '.env'"
    return f"cd {folder} && zip -r {up}{out} . -x {skip}"


@rule("AZ101", "wrapper-folder", Severity.ERROR)
def wrapper_folder(ctx: Context) -> Iterator[Hit]:
    """Everything sits inside one folder instead of at the zip root.

    ## What it does
    Fires when every file is inside a single top-level folder (`my-agent/main.py`) and the
    entry point is not at the root. For .NET it names the publish output inside it
    (`publish/`, `bin/Release/net10.0/publish/`).

    ## Why is this bad
    The runtime extracts the zip and runs the entry point from the root: with a wrapper
    folder there is no `main.py` there and the session fails with `session_creation_failed`
    or `can't open file 'main.py'`. Finder's "Compress" and Windows' "Send to compressed
    folder" on a folder both produce this layout.

    ## Example
    `my-agent/main.py`, `my-agent/requirements.txt`.

    ## How to fix
    Zip the folder's contents, not the folder: `cd my-agent && zip -r ../agent-code.zip .`,
    or `agentzip build my-agent`.
    """
    top = ctx.index.wrapper_dir
    if top is None:
        return
    entry = ctx.target.entry_file or "the entry point"
    inside = f"{top}/{entry}" in ctx.index.by_path
    found = f"; `{top}/{entry}` is there" if inside else ""
    inner = _publish_folder(ctx, top) if ctx.target.is_dotnet else None
    if inner is not None:
        found = f"; the publish output is `{inner}/`"
    inner = inner or top
    if ctx.bundle.kind == "folder":
        yield Hit(
            top + "/",
            f"every file of this folder is inside `{top}/`: the zip made from it would have "
            f"no `{entry}` at its root{found}",
            f"check and zip the inner folder instead: agentzip check {ctx.bundle.path / inner}",
        )
        return
    yield Hit(
        top + "/",
        f"every file is inside the wrapper folder `{top}/`, so `{entry}` is not at the zip root "
        f"where the runtime looks for it{found}",
        _zip_flat_hint(ctx, inner),
    )


def _publish_folder(ctx: Context, top: str) -> str | None:
    """The shallowest folder under `top` holding a .NET publish output (`bin/Release/net10.0/publish`)."""
    found = sorted(
        (f.path.count("/"), f.path.rsplit("/", 1)[0])
        for f in ctx.index.files
        if f.path.startswith(top + "/") and f.path.endswith(".runtimeconfig.json")
    )
    return found[0][1] if found else None


@rule("AZ102", "entry-point-missing", Severity.ERROR)
def entry_point_missing(ctx: Context) -> Iterator[Hit]:
    """The entry point file is not at the zip root.

    ## What it does
    Looks for the file the entry point runs (`main.py` by default, or what the definition or
    `--entry-point` names) at its path from the zip root, and names near misses: another
    case (`Main.py`), a usual name (`app.py`), the file one folder down.

    ## Why is this bad
    The runtime runs `python main.py` from the root; a missing file means the container exits
    at once and the version never becomes ready.

    ## Example
    The entry point is `main.py` but the zip has `Main.py` (Linux file names are case-sensitive)
    or `src/main.py`.

    ## How to fix
    Rename or move the file to the root, or set the entry point to the file you have.
    """
    entry = ctx.target.entry_file
    if not entry or ctx.index.wrapper_dir is not None or not ctx.index.files:
        return
    if entry in ctx.index.by_path:
        return
    if ctx.target.is_dotnet and ctx.target.mode == "remote_build":
        return  # the service builds the assembly from the project
    near: list[str] = []
    lower = entry.lower()
    base = entry.rsplit("/", 1)[-1]
    deep = ctx.target.is_dotnet  # a .NET publish output is often left in bin/Release/net10.0/publish/
    for f in ctx.index.agent_files:
        one_down = f.path.count("/") == 1 or (deep and "/" in f.path)
        if (f.path.lower() == lower and f.path != entry) or (one_down and f.name == base):
            near.append(f.path)
    if ctx.target.is_python:
        near += [n for n in ENTRY_NEAR_MISSES if n in ctx.index.root_files and n != entry]
    if near:
        msg = f"the entry point `{entry}` is not at the zip root; found instead: {', '.join(sorted(near)[:5])}"
        first = sorted(near)[0]
        hint = f"rename or move {first} to {entry}, or set the entry point to it (--entry-point {first})"
    else:
        msg = f"the entry point `{entry}` is not in the bundle"
        hint = f"add {entry} at the zip root or set the entry point to your start file"
    yield Hit(entry, msg, hint)


@rule("AZ103", "requirements-missing", Severity.ERROR)
def requirements_missing(ctx: Context) -> Iterator[Hit]:
    """A Python bundle has no `requirements.txt` at its root.

    ## What it does
    Fires for Python runtimes when the root has no `requirements.txt`: an error in
    remote_build, a warning in bundled mode.

    ## Why is this bad
    In remote_build the service pip-installs `requirements.txt` and nothing else is documented:
    without it no dependency is installed and the first import fails with `ModuleNotFoundError`.
    Whether remote build honours `pyproject.toml` or `uv.lock` is undocumented. In bundled mode
    the runtime does not need it, but nothing can then be checked against what was bundled.

    ## Example
    A zip with `main.py`, `pyproject.toml` and `uv.lock` only.

    ## How to fix
    `uv export --no-hashes --format requirements-txt > requirements.txt` (or
    `pip freeze > requirements.txt` in the agent's venv) and ship it at the root.
    """
    if not ctx.target.is_python or ctx.index.wrapper_dir is not None or not ctx.index.files:
        return
    if "requirements.txt" in ctx.index.root_files:
        return
    others = sorted(n for n in ("pyproject.toml", "uv.lock", "Pipfile", "poetry.lock") if n in ctx.index.root_files)
    seen = f"; found {', '.join(others)}, which remote build is not documented to read" if others else ""
    if ctx.target.mode == "bundled":
        yield Hit(
            "requirements.txt",
            f"no requirements.txt at the root{seen}: what was bundled cannot be checked against what the agent needs",
            "ship the requirements.txt the packages/ folder was built from",
            severity=Severity.WARNING,
        )
        return
    hint = (
        "uv export --no-hashes --format requirements-txt > requirements.txt"
        if "uv.lock" in others
        else "write the agent's dependencies to requirements.txt at the root (pip freeze > requirements.txt)"
    )
    yield Hit("requirements.txt", f"no requirements.txt at the root: remote build installs nothing{seen}", hint)


@rule("AZ104", "empty-bundle", Severity.ERROR)
def empty_bundle(ctx: Context) -> Iterator[Hit]:
    """The bundle has no files.

    ## What it does
    Fires when the zip or folder holds no regular file at all (only folders, or nothing).

    ## Why is this bad
    An empty upload cannot start; the version fails with no useful error.

    ## Example
    A zip made from an empty folder, or a zip of only directory entries.

    ## How to fix
    Zip the agent's files: `zip -r agent-code.zip main.py requirements.txt`.
    """
    if ctx.bundle.archive is not None and not ctx.bundle.archive.entries and ctx.bundle.archive.anomalies:
        return  # not a readable zip at all: corrupt-archive says so
    if not ctx.index.files:
        yield Hit(
            None,
            "the bundle contains no files",
            "zip the agent's files: zip -r agent-code.zip main.py requirements.txt",
        )


@rule("AZ105", "packages-in-remote-build", Severity.WARNING)
def packages_in_remote_build(ctx: Context) -> Iterator[Hit]:
    """A remote_build bundle ships a `packages/` folder.

    ## What it does
    Fires when the mode is remote_build and the root has a non-empty `packages/` folder.

    ## Why is this bad
    In remote_build the service installs `requirements.txt` itself; a shipped `packages/` is
    dead weight at best and, at worst, a sign the mode is wrong: bundled mode was meant.

    ## Example
    `dependency_resolution: remote_build` with `packages/requests/...` in the zip.

    ## How to fix
    Drop `packages/` from the zip, or deploy with `dependency_resolution: bundled`.
    """
    if ctx.target.mode != "remote_build" or not ctx.target.is_python:
        return
    inside = [f for f in ctx.index.files if f.path.startswith(PACKAGES + "/")]
    if inside:
        size = sum(f.size for f in inside)
        yield Hit(
            PACKAGES + "/",
            f"remote_build installs requirements.txt itself, "
            f"yet packages/ ships {len(inside)} files ({size / 1e6:.1f} MB)",
            "remove packages/ from the zip, or deploy with dependency_resolution: bundled (--mode bundled)",
        )
