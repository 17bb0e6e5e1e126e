"""Artifact rules (AZ2xx): files shipped instead of installed code (wheels, editable links, sdists, eggs)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from agentzip.foundry import ARCH, PACKAGES, REMOTE_BUILD
from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.hints import bundled, install_command, python_version, target_description
from agentzip.validator.projectname import canonicalize_name
from agentzip.validator.registry import rule
from agentzip.validator.requirements import SourceKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from agentzip.validator.wheelfiles import RawWheel


@rule("AZ201", "raw-wheel", Severity.ERROR)
def raw_wheel(ctx: Context) -> Iterator[Hit]:
    """A `.whl` file is shipped instead of the modules it contains.

    ## What it does
    Finds `.whl` files anywhere in a Python bundle (most often in `packages/`) and describes each:
    project, version, wheel tags (from the file name; for a folder also its modules and
    dependencies, read from its central directory and METADATA) and whether those tags fit the target.

    ## Why is this bad
    A wheel is an archive that an installer unpacks; the runtime never installs anything in
    bundled mode, and Python cannot import from a `.whl` on `sys.path` reliably (extension
    modules never). The agent fails at start-up with `ModuleNotFoundError`, one of the platform's
    documented failure causes.

    ## Example
    `packages/requests-2.32.3-py3-none-any.whl` beside `main.py`.

    ## How to fix
    Install the wheels into the folder, then delete them:
    `pip install --target packages --no-deps --platform manylinux2014_x86_64 --python-version 3.13 --implementation cp --only-binary=:all: packages/*.whl && rm packages/*.whl`,
    or build the bundle with `agentzip build --mode bundled`.
    """
    if not ctx.target.is_python:
        return
    for w in ctx.index.raw_wheels:
        if ctx.target.mode == REMOTE_BUILD and _referenced(ctx, w.path):
            continue  # remote build pip-installs it from requirements.txt: a legitimate local wheel
        if w.project is None:
            yield Hit(w.path, f"a .whl file the runtime will not install, and {w.problem}", f"remove {w.path}")
            continue
        yield Hit(w.path, _wheel_message(ctx, w), _wheel_hint(ctx, w))


def _wheel_message(ctx: Context, w: RawWheel) -> str:
    facts = [f"{w.project} {w.version}", f"tags {w.tag_text}"]
    if w.modules:
        facts.append("modules " + ", ".join(w.modules[:5]))
    if w.dependencies:
        facts.append(f"{len(w.dependencies)} dependencies ({', '.join(w.dependencies[:5])})")
    fit = (
        ""
        if w.fits is None
        else ("; its tags fit the target" if w.fits else f"; its tags do NOT fit {target_description(ctx.target)}")
    )
    if w.problem:
        fit += f"; reading it: {w.problem}"
    return (
        f"raw wheel ({'; '.join(facts)}): the runtime does not install wheels, so its modules cannot be imported{fit}"
    )


def _wheel_hint(ctx: Context, w: RawWheel) -> str:
    if w.fits is False:
        return f"install the target's build instead, then delete this file: {install_command(ctx, repr(f'{w.project}=={w.version}'))}"
    folder = posixpath.dirname(w.path) or "."
    glob = f"{folder}/*.whl" if folder != "." else "*.whl"
    dest = "." if ctx.index.site == "root" else PACKAGES
    return (
        f"pip install --target {dest} --no-deps --platform manylinux2014_{ARCH} --python-version {python_version(ctx.target)} "
        f"--implementation cp --only-binary=:all: {glob} && rm {glob} (or: agentzip build --mode bundled)"
    )


def _referenced(ctx: Context, path: str) -> bool:
    """True when requirements.txt installs this file (a path line or a --find-links folder)."""
    for ln in ctx.index.requirements.lines:
        src = ln.source
        if src is None or src.kind is not SourceKind.LOCAL or ln.option not in (None, "--find-links"):
            continue
        if src.path in (path, posixpath.dirname(path)):
            return True
    return False


@rule("AZ207", "editable-install", Severity.ERROR)
def editable_install(ctx: Context) -> Iterator[Hit]:
    """A bundled distribution is an editable install that points at the build machine.

    ## What it does
    Finds distributions whose `direct_url.json` says `"dir_info": {"editable": true}` (PEP 610),
    and `__editable__*.pth` (PEP 660) or `*.egg-link` files in `packages/` or at the root.

    ## Why is this bad
    An editable install holds no code: it is a path (or an import hook) to a source folder on
    the machine that ran `pip install -e`. In the runtime that folder does not exist and the
    import fails with `ModuleNotFoundError`.

    ## Example
    `packages/__editable__.mylib-0.1.pth` containing `/home/me/src/mylib`.

    ## How to fix
    Install the project normally (not `-e`): `pip install --target packages ./mylib`, or copy
    its package folder into the zip.
    """
    if not ctx.target.is_python:
        return
    claimed: set[str] = set()
    for d in ctx.index.distributions:
        if not d.editable:
            continue
        own = sorted(p for p in d.site_paths if p and _is_editable_file(p))
        claimed.update(own)
        where = f" from {d.direct_url}" if d.direct_url else ""
        yield Hit(
            d.path,
            f"{d.display_name} {d.version} is an editable install{where}: it points at the build machine's source folder, not code in the bundle",
            f"reinstall it without -e: pip install --target {d.site or '.'} <path to {d.display_name}> (or copy its package into the zip)",
            paths=(d.path, *own),
        )
    for f in ctx.index.with_extension("pth", "egg-link"):  # what _is_editable_file can accept
        if f.path in claimed or not _is_editable_file(f.path) or not _in_site(f.path):
            continue
        yield Hit(
            f.path,
            f"{f.name} is an editable-install link: it points at a source folder on the build machine",
            f"remove {f.path} and install that project without -e",
        )


def _is_editable_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return (name.startswith("__editable__") and name.endswith(".pth")) or name.endswith(".egg-link")


def _in_site(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 1 or (len(parts) == 2 and parts[0] == PACKAGES)


@rule("AZ208", "sdist-in-bundle", Severity.ERROR)
def sdist_in_bundle(ctx: Context) -> Iterator[Hit]:
    """`packages/` holds source distributions or legacy `*.egg-info` installs.

    ## What it does
    Fires for `.tar.gz`/`.zip`/`.tar.bz2` archives directly in `packages/` (sdists, downloaded
    instead of installed) and for `*.egg-info` there that has no matching `*.dist-info`.

    ## Why is this bad
    An sdist is source that an installer must build; the runtime builds nothing, so its modules
    do not exist. An `*.egg-info` is left by `setup.py install`/`develop`: no RECORD or WHEEL,
    so what it installed (and for which platform) cannot be checked, and often it is a
    `develop` link to the build machine.

    ## Example
    `packages/pyyaml-6.0.2.tar.gz`, or `packages/mylib.egg-info/` with no `mylib-*.dist-info`.

    ## How to fix
    Install wheels for the target instead: `pip install -r requirements.txt --target packages --platform manylinux2014_x86_64 --python-version 3.13 --implementation cp --only-binary=:all:`
    (it names any project that has no wheel), or `agentzip build --mode bundled`.
    """
    if not bundled(ctx):
        return
    files = ctx.index.files
    for f in (files[n] for n in ctx.index.folders.get(PACKAGES, ())):  # the files right in packages/
        lower = f.name.lower()
        if not lower.endswith((".tar.gz", ".tgz", ".tar.bz2", ".zip")):
            continue
        # here, not above: packaging.utils imports packaging.tags (logging, subprocess) for every bundled check
        from packaging.utils import InvalidSdistFilename, parse_sdist_filename

        try:
            name, version = parse_sdist_filename(f.name)
            what = f"a source distribution of {name} {version}"
            pin = f"{name}=={version}"
        except InvalidSdistFilename:
            what, pin = "an archive (a source distribution?)", "<project>"
        yield Hit(
            f.path,
            f"{what} in packages/: the runtime does not build or unpack it, so its modules cannot be imported",
            f"{install_command(ctx, repr(pin))} && rm {f.path} (no wheel for the target? build one on Linux x86_64 or pick another release)",
        )
    yield from _egg_infos(ctx)


def _egg_infos(ctx: Context) -> Iterator[Hit]:
    """`packages/*.egg-info` without a matching dist-info: left by `setup.py install`/`develop`."""
    dists = {d.name for d in ctx.index.distributions}
    eggs = sorted(
        d for d in ctx.index.dirs if d.startswith(PACKAGES + "/") and d.count("/") == 1 and d.endswith(".egg-info")
    )
    for egg in eggs:
        stem = egg.rsplit("/", 1)[-1][: -len(".egg-info")]
        name = canonicalize_name(stem.split("-", 1)[0])
        if name in dists:
            continue
        inside = tuple(f.path for f in ctx.index.files if f.path.startswith(egg + "/"))
        yield Hit(
            egg + "/",
            f"{stem} is a legacy egg-info install without a dist-info: what it installed and for which platform cannot be checked",
            f"reinstall it as a wheel: {install_command(ctx, repr(name))}",
            paths=inside,
        )
