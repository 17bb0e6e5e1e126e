"""Hygiene rules (AZ6xx): what was shipped by accident: venvs, VCS folders, caches, stray zips.

Secrets (AZ602) have their own module, rules/secrets.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.index import JUNK_DIRS, JUNK_FILES
from agentzip.validator.registry import rule

_JUNK_WHY = {
    ".git": "the repository's history (and anything ever committed to it)",
    ".venv": "a local virtual environment, built for this machine, not the runtime",
    "venv": "a local virtual environment, built for this machine, not the runtime",
    "__MACOSX": "macOS resource forks added by Finder's Compress",
    "node_modules": "JavaScript dependencies",
    "__pycache__": "bytecode compiled by this machine's Python",
}


def _junk_root(path: str, venvs: set[str]) -> str | None:
    parts = path.split("/")
    if JUNK_DIRS.isdisjoint(parts[:-1]) and not (venvs and any(path.startswith(v + "/") for v in venvs)):
        return None  # the common case, without building every prefix
    for i, part in enumerate(parts[:-1]):
        prefix = "/".join(parts[: i + 1])
        if part in JUNK_DIRS or prefix in venvs:
            return prefix
    return None


@rule("AZ601", "junk-file", Severity.WARNING)
def junk_file(ctx: Context) -> Iterator[Hit]:
    """Files that are never part of an agent: `.git/`, `.venv/`, `__MACOSX/`, caches, `.DS_Store`.

    ## What it does
    Reports each junk folder once, with its file count and size: version-control folders,
    virtual environments (by name or by their `pyvenv.cfg`), `__MACOSX/`, `node_modules/`, tool
    caches, the agent's own `__pycache__/` and `*.pyc`, and `.DS_Store`/`Thumbs.db` files.

    ## Why is this bad
    They cost upload size and start-up time, can carry secrets (`.git` history) and a venv's
    binaries are built for the wrong machine. azd's default ignore list drops them, but a
    hand-made zip or a hand-written `.agentignore` (which replaces the defaults) ships them.

    ## Example
    `.venv/lib/python3.11/site-packages/...` in the zip.

    ## How to fix
    Leave them out: `zip -r agent-code.zip . -x '.venv/*' '.git/*' '__pycache__/*'`, list them in
    `.agentignore`, or build with `agentzip build`, which always drops them.
    """
    index = ctx.index
    files = index.files
    venvs = {
        p.rsplit("/", 1)[0] for n in index.extensions.get("cfg", ()) if (p := files[n].path).endswith("/pyvenv.cfg")
    }
    at: dict[str, list[int]] = defaultdict(list)  # junk root -> positions in files
    for parent, members in index.folders.items():
        if parent is None:
            root, in_cache, dependency = None, False, False
        else:  # all three depend on the folder alone
            path = files[members[0]].path
            root, in_cache, dependency = (
                _junk_root(path, venvs),
                "__pycache__" in parent.split("/"),
                index.is_dependency(path),
            )
            if root is not None:
                at[root] += members
                continue
            if dependency:
                continue
        for n in members:
            path = files[n].path
            if parent is None and index.is_dependency(path):
                continue
            if in_cache or path.endswith((".pyc", ".pyo")):
                at["__pycache__"].append(n)
            elif (name := path.rsplit("/", 1)[-1]) in JUNK_FILES:
                at[name].append(n)
    groups = {root: [files[n].path for n in sorted(ns)] for root, ns in at.items()}
    sizes = {root: sum(files[n].size for n in ns) for root, ns in at.items()}
    for root, paths in sorted(groups.items()):
        base = root.rsplit("/", 1)[-1]
        is_dir = root in venvs or base in JUNK_DIRS
        why = _JUNK_WHY.get(base, "a virtual environment" if root in venvs else "not part of the agent")
        where = root + "/" if is_dir else root
        if base == "__pycache__" and root == "__pycache__":
            where, why = "__pycache__/", _JUNK_WHY["__pycache__"] + " (the runtime compiles its own)"
        pattern = f"'{root}/*'" if is_dir else f"'*{base}*'" if base == "__pycache__" else f"'*/{base}' '{base}'"
        yield Hit(
            where,
            f"{len(paths)} file(s), {sizes[root] / 1e6:.1f} MB: {why}",
            f"leave it out: zip -r agent-code.zip . -x {pattern} (or add it to .agentignore)",
            paths=tuple(paths),
        )


_MANIFESTS = {
    "azure.yaml": "azd's project file",
    "agent.yaml": "the agent definition",
    "agent.manifest.yaml": "the agent manifest",
    ".agentignore": "azd's ignore file",
    "Dockerfile": "a container build file (code deployments do not use it)",
    ".dockerignore": "a container build file",
}


@rule("AZ603", "deployment-manifest-shipped", Severity.INFO)
def deployment_manifest_shipped(ctx: Context) -> Iterator[Hit]:
    """Deployment files (`azure.yaml`, `agent.yaml`, `Dockerfile`, ...) inside the code zip.

    ## What it does
    Notes deployment and tooling files at the root that the runtime never reads.

    ## Why is this bad
    Harmless to the runtime, but they can expose settings and they change the zip's SHA-256 on
    every edit, minting new agent versions. azd leaves them out by default.

    ## Example
    `azure.yaml` at the root of a hand-made zip.

    ## How to fix
    Leave them out of the zip, or ignore this rule (`--ignore deployment-manifest-shipped`).
    """
    if ctx.bundle.kind == "folder":
        return  # the project folder is where these files belong; azd leaves them out of the zip
    for name in sorted(ctx.index.root_files):
        if name in _MANIFESTS:
            yield Hit(
                name,
                f"{_MANIFESTS[name]} ships inside the code zip; the runtime never reads it",
                f"leave it out: zip -d {ctx.bundle.path.name} {name}",
            )


@rule("AZ604", "special-file", Severity.ERROR)
def special_file(ctx: Context) -> Iterator[Hit]:
    """A FIFO, socket or device file in the folder: it has no contents a zip could hold.

    ## What it does
    Lists every entry of a folder that is neither a regular file, a folder nor a symlink. These
    entries are never opened: opening a FIFO blocks until some other process writes to it.

    ## Why is this bad
    A zip tool that opens such a file blocks forever (a FIFO) or reads without end (a device);
    one that skips it ships a zip without the file the agent may expect, such as a
    `requirements.txt` that is really a named pipe.

    ## Example
    `mkfifo requirements.txt` left behind by a script, or a `.sock` file of a local server.

    ## How to fix
    Delete it, or leave it out of the zip with a line in `.agentignore`.
    """
    for path in ctx.bundle.special:
        yield Hit(
            path,
            "a FIFO, socket or device, not a regular file: never read, and no zip tool can pack its contents",
            f"delete it, or add '/{path}' to .agentignore",
        )


@rule("AZ605", "agentignore-line-skipped", Severity.WARNING)
def agentignore_line_skipped(ctx: Context) -> Iterator[Hit]:
    """A line of `.agentignore` that this check cannot use, so the files it names are checked anyway.

    ## What it does
    Reports each `.agentignore` line left out when the folder is read: a pattern gitignore
    rejects (a lone backslash), a line over 1,024 characters, or a pattern with more than two
    inner `**` (each multiplies the ways a path can be split); also an `.agentignore` that is
    not a regular file or is over 1 MiB.

    ## Why is this bad
    The check then sees files that azd may leave out of the zip (or the other way round), so
    its findings can differ from what is really uploaded.

    ## Example
    `a/**/b/**/c/**/d`, or a line holding a single `\\`.

    ## How to fix
    Simplify the pattern (at most two inner `**`), or delete the line.
    """
    for note in ctx.bundle.notes:
        yield Hit(".agentignore", note, "fix or simplify the pattern (at most two inner '**'), or delete the line")


# A zip this large inside an installed distribution is more likely a build left-over than data
# the package reads (tzdata, botocore and the like ship small data zips, and only read them).
NESTED_ZIP_IN_DISTRIBUTION = 10 * 1000 * 1000


@rule("AZ606", "nested-zip", Severity.WARNING)
def nested_zip(ctx: Context) -> Iterator[Hit]:
    """A `.zip` file inside the bundle, such as a previous `agent-code.zip` left in the folder.

    ## What it does
    Reports each `.zip` file the bundle ships, with its size. Raw wheels (`.whl`) are the
    `raw-wheel` rule's business; zips inside junk folders are `junk-file`'s. A zip that belongs
    to an installed distribution (under `packages/` or listed in a RECORD) is data the package
    reads and is reported only when it is over 10 MB.

    ## Why is this bad
    The runtime never unpacks it. Zipping a folder that still holds the last build ships the
    old zip inside the new one: each upload grows by the previous one, towards the 250 MiB
    limit, and the SHA-256 changes on every build even when the code did not.

    ## Example
    `agent-code.zip` at the root of the folder `azd up` zips.

    ## How to fix
    Delete it, write the zip outside the folder, or add `*.zip` to `.agentignore`.
    """
    index = ctx.index
    for f in index.with_extension("zip"):
        if f.is_symlink or index.is_junk(f.path):
            continue
        owned = index.is_dependency(f.path) or index.owner_of(f.path) is not None
        if owned and f.size < NESTED_ZIP_IN_DISTRIBUTION:
            continue
        whose = " (shipped by an installed distribution)" if owned else ""
        yield Hit(
            f.path,
            f"a zip inside the bundle{whose}, {f.size / 1e6:.1f} MB: the runtime never unpacks it, "
            "and each upload carries it",
            f"delete it, write the zip outside the folder, or add '/{f.path}' to .agentignore",
        )


# Tool caches and VCS folders a distribution can ship by mistake; never read at run time. The
# same set as agentzip.builder.staging.CACHE_DIRS, which `build` prunes from packages/.
DISTRIBUTION_CACHE_DIRS = frozenset(
    {".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox", ".ipynb_checkpoints", ".git", ".hg", ".svn"}
)


@rule("AZ607", "distribution-ships-junk", Severity.INFO)
def distribution_ships_junk(ctx: Context) -> Iterator[Hit]:
    """An installed distribution ships tool caches of its own (`.mypy_cache/`, `.pytest_cache/`).

    ## What it does
    Reports, once per distribution, cache and version-control folders inside the files it
    installed, with the count and the bytes: the package's doing, not the agent's.

    ## Why is this bad
    They are never read at run time and can be large (58 MB of `.mypy_cache` in one real
    wheel); they count towards the 250 MiB upload limit.

    ## Example
    `packages/somelib/.mypy_cache/3.12/...` listed in `somelib`'s RECORD.

    ## How to fix
    `agentzip build` prunes them from `packages/` (and their lines from RECORD);
    `agentzip fix IN.zip -o OUT.zip` does the same to a zip built elsewhere.
    """
    index = ctx.index
    files = index.files
    groups: dict[str, list[int]] = defaultdict(list)
    folders: dict[str, set[str]] = defaultdict(set)
    for parent, members in index.folders.items():
        # the cache folder and the dependency test hang on the folder alone: most folders stop here
        if parent is None or not index.is_dependency(parent):
            continue
        parts = parent.split("/")
        hit = next((i for i, p in enumerate(parts) if p in DISTRIBUTION_CACHE_DIRS), None)
        if hit is None:
            continue
        for n in members:
            f = files[n]
            owner = index.owner_of(f.path)
            who = f"{owner.display_name} {owner.version}" if owner else "/".join(parts[:2])
            groups[who].append(f.size)
            folders[who].add("/".join(parts[: hit + 1]) + "/")
    for who, sizes in sorted(groups.items()):
        where = sorted(folders[who])
        yield Hit(
            where[0],
            f"{who} ships {len(sizes)} file(s), {sum(sizes) / 1e6:.1f} MB of tool caches "
            f"({', '.join(where[:3])}{', ...' if len(where) > 3 else ''}): the distribution's doing, never read",
            "agentzip build prunes them from packages/ (and from RECORD); agentzip fix does it to a built zip",
        )
