"""Python dependency rules (AZ2xx): what was bundled against what the agent and the target need."""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from ipaddress import ip_address
from urllib.parse import urlsplit

from packaging.requirements import Requirement
from packaging.tags import Tag
from packaging.utils import InvalidSdistFilename, canonicalize_name, parse_sdist_filename

from agentzip.foundry import PACKAGES
from agentzip.validator.context import Context
from agentzip.validator.depcheck import Unmet, applies, by_name, satisfied_by, unmet_dependencies
from agentzip.validator.distributions import SCHEME_DIRS, Distribution
from agentzip.validator.findings import SHOWN, Hit, Severity
from agentzip.validator.hints import install_command, python_version, rebuild_hint, target_description
from agentzip.validator.registry import rule
from agentzip.validator.requirements import RequirementLine
from agentzip.validator.target import Target

PYPI_HOSTS = frozenset({"pypi.org", "pypi.python.org", "files.pythonhosted.org", "test.pypi.org"})
# Package feeds that always need a token: unreachable from the service's build.
PRIVATE_FEEDS = ("pkgs.dev.azure.com", "pkgs.visualstudio.com", ".jfrog.io", ".pkg.github.com", "codeartifact.")
_MANYLINUX = re.compile(r"^manylinux_(\d+)_(\d+)_")
_LEGACY_GLIBC = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def _bundled(ctx: Context) -> bool:
    return ctx.target.is_python and ctx.target.mode == "bundled"


def _names(paths: list[str]) -> str:
    more = f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else ""
    return ", ".join(paths[:SHOWN]) + more


@rule("AZ201", "raw-wheel", Severity.ERROR)
def raw_wheel(ctx: Context) -> Iterator[Hit]:
    """A `.whl` file is shipped instead of the modules it contains.

    ## What it does
    Finds `.whl` files anywhere in a Python bundle (most often in `packages/`) and describes each:
    project, version, wheel tags (from the file name; for a folder also its modules and
    dependencies, read by wheel-inspect) and whether those tags fit the target.

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
        folder = posixpath.dirname(w.path) or "."
        if ctx.target.mode == "remote_build" and _referenced(ctx, w.path):
            continue  # remote build pip-installs it from requirements.txt: a legitimate local wheel
        if w.project is None:
            yield Hit(w.path, f"a .whl file the runtime will not install, and {w.problem}", f"remove {w.path}")
            continue
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
            fit += f"; wheel-inspect: {w.problem}"
        msg = f"raw wheel ({'; '.join(facts)}): the runtime does not install wheels, so its modules cannot be imported{fit}"
        glob = f"{folder}/*.whl" if folder != "." else "*.whl"
        if w.fits is False:
            hint = f"install the target's build instead, then delete this file: {install_command(ctx, repr(f'{w.project}=={w.version}'))}"
        else:
            dest = "." if ctx.index.site == "root" else PACKAGES
            hint = (
                f"pip install --target {dest} --no-deps --platform manylinux2014_x86_64 --python-version {python_version(ctx.target)} "
                f"--implementation cp --only-binary=:all: {glob} && rm {glob} (or: agentzip build --mode bundled)"
            )
        yield Hit(w.path, msg, hint)


def _referenced(ctx: Context, path: str) -> bool:
    """True when requirements.txt installs this file (a path line or a --find-links folder)."""
    for ln in ctx.index.requirements.lines:
        target = ln.value if ln.option == "--find-links" else ln.url
        if target and _local(ln, target) in (path, posixpath.dirname(path)):
            return True
    return False


@rule("AZ202", "packages-missing", Severity.ERROR)
def packages_missing(ctx: Context) -> Iterator[Hit]:
    """Bundled mode, requirements to meet, and no installed distribution anywhere.

    ## What it does
    In Python bundled mode with a non-empty `requirements.txt`, looks for `*.dist-info` folders
    in `packages/` (the documented layout) and at the zip root (`pip install -t .`), and says
    what it found instead (raw wheels, modules without metadata, dist-infos one level too deep).

    ## Why is this bad
    Bundled mode runs the zip as is: nothing installs `requirements.txt`, so the first import
    of a dependency fails with `ModuleNotFoundError`. It is the one check azd makes before a
    bundled deploy.

    ## Example
    `dependency_resolution: bundled`, `requirements.txt` lists `azure-identity`, the zip has only
    `main.py` and `requirements.txt`.

    ## How to fix
    Install the requirements for the target into `packages/`:
    `pip install -r requirements.txt --target packages --platform manylinux2014_x86_64 --python-version 3.13 --implementation cp --only-binary=:all:`,
    or `agentzip build --mode bundled`; or deploy with `remote_build`.
    """
    if not _bundled(ctx) or ctx.index.distributions or ctx.index.wrapper_dir is not None:
        return
    wanted = [
        ln
        for ln in ctx.index.requirements.requirements
        if ln.requirement is None or applies(ln.requirement.marker, ctx.target.marker_environment())
    ]
    if not wanted:
        return
    seen: list[str] = []
    in_packages = [f for f in ctx.index.files if f.path.startswith(PACKAGES + "/")]
    if in_packages:
        wheels = [f for f in in_packages if f.name.endswith(".whl")]
        what = (
            f"{len(in_packages)} files, {len(wheels)} of them raw .whl files"
            if wheels
            else f"{len(in_packages)} files but no *.dist-info (modules copied without their metadata?)"
        )
        seen.append(f"packages/ holds {what}")
    deeper = sorted({d for d in ctx.index.dirs if d.endswith(".dist-info") and not ctx.index.is_junk(d + "/x")})
    if deeper:
        seen.append(
            f"{len(deeper)} *.dist-info elsewhere ({_names(deeper)}): the runtime is only known to use packages/ or the root"
        )
    found = "; " + "; ".join(seen) if seen else ""
    yield Hit(
        PACKAGES + "/",
        f"bundled mode and requirements.txt names {len(wanted)} requirement(s), but no *.dist-info was found in packages/ or at the zip root{found}",
        f"{install_command(ctx)} (or: agentzip build --mode bundled; or deploy with remote_build)",
    )


@rule("AZ203", "requirement-not-bundled", Severity.ERROR)
def requirement_not_bundled(ctx: Context) -> Iterator[Hit]:
    """A requirement of `requirements.txt` is not bundled, or not in the version it asks for.

    ## What it does
    For each requirement whose marker holds on the target (Python 3.13/3.14 on Linux x86_64,
    never the machine that runs the check), looks for an installed distribution of that
    (normalized) name and checks its version against the specifier.

    ## Why is this bad
    A missing distribution is a `ModuleNotFoundError` at start-up; a wrong version is an import
    or runtime error later. The classic cause is pip evaluating markers for the build machine:
    building for 3.13 from 3.11 skips `typing_extensions; python_version >= "3.12"`.

    ## Example
    `requirements.txt` pins `azure-identity==1.19.0`, `packages/` has `azure_identity-1.17.1.dist-info`.

    ## How to fix
    Reinstall for the target with a tool that evaluates markers for it:
    `uv pip install -r requirements.txt --target packages --python-platform x86_64-manylinux_2_17 --python-version 3.13 --only-binary :all:`,
    or `agentzip build --mode bundled`.
    """
    if not _bundled(ctx) or not ctx.index.distributions:
        return
    env = ctx.target.marker_environment()
    present = by_name(ctx.index.distributions)
    for ln in ctx.index.requirements.requirements:
        req = ln.requirement
        if req is None or not applies(req.marker, env):
            continue
        found = present.get(canonicalize_name(req.name), [])
        if not found:
            text = f" (`{ln.text}`)" if ln.text != req.name else ""
            yield Hit(
                ln.file,
                f"{req.name}{text} is required on the target but no {req.name} distribution is bundled in {_sites(ctx)}",
                f"{install_command(ctx, repr(_pin(req)))} (or: agentzip build --mode bundled)",
                line=ln.line,
            )
        elif not any(satisfied_by(req, d) for d in found):
            versions = ", ".join(f"{d.version} ({d.path})" for d in found)
            yield Hit(
                ln.file,
                f"requirements.txt asks for {req.name}{req.specifier} but the bundle has {versions}",
                f"{install_command(ctx, repr(_pin(req)))} --upgrade (or: agentzip build --mode bundled)",
                paths=tuple(d.path for d in found),
                line=ln.line,
            )


def _pin(req: Requirement) -> str:
    """The requirement without its marker: pip would evaluate the marker for the host again."""
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    return f"{req.name}{extras} @ {req.url}" if req.url else f"{req.name}{extras}{req.specifier}"


def _sites(ctx: Context) -> str:
    return {"packages": "packages/", "root": "the zip root"}.get(ctx.index.site or "", "packages/ or the zip root")


@rule("AZ204", "dependency-not-bundled", Severity.ERROR)
def dependency_not_bundled(ctx: Context) -> Iterator[Hit]:
    """A bundled distribution needs another one that is missing or in the wrong version.

    ## What it does
    `pip check` for the target: every Requires-Dist of every bundled distribution whose marker
    holds on the target (extras count when `requirements.txt` or a dependent asked for them)
    must be bundled in a version its specifier accepts. One finding per missing distribution,
    naming everything that needs it.

    ## Why is this bad
    The import of the dependent distribution fails at start-up (`ModuleNotFoundError`) or
    misbehaves at run time. Usual causes: `--no-deps`, a hand-copied package, markers evaluated
    for the build machine, two installs into the same folder.

    ## Example
    `packages/azure_identity-1.19.0.dist-info` requires `msal>=1.30.0`; no msal is bundled.

    ## How to fix
    Install the requirements with their dependencies, for the target:
    `pip install -r requirements.txt --target packages --platform manylinux2014_x86_64 --python-version 3.13 --implementation cp --only-binary=:all: --upgrade`,
    or `agentzip build --mode bundled`.
    """
    if not _bundled(ctx) or not ctx.index.distributions:
        return
    roots = [ln.requirement for ln in ctx.index.requirements.requirements if ln.requirement is not None]
    unmet = unmet_dependencies(ctx.index.distributions, roots, ctx.target.marker_environment())
    missing: dict[str, list[Unmet]] = defaultdict(list)
    for u in unmet:
        if not u.found:
            missing[u.name].append(u)
            continue
        have = ", ".join(sorted({d.version for d in u.found}))
        wanted = _pin(u.requirement)
        yield Hit(
            u.requirer.path,
            f"{u.requirer.display_name} {u.requirer.version} requires {wanted} but the bundle has {u.requirement.name} {have}",
            f"{install_command(ctx, repr(wanted))} --upgrade (or: agentzip build --mode bundled)",
            paths=(u.requirer.path, *(d.path for d in u.found)),
        )
    for name in sorted(missing):
        needers = missing[name]
        shown = needers[0].requirement.name
        yield Hit(
            needers[0].requirer.path,
            f"{shown} is not bundled, yet {len(needers)} bundled distribution(s) need it on the target: "
            + _names([f"{u.requirer.display_name} {u.requirer.version} ({u.requirement})" for u in needers]),
            f"{install_command(ctx, repr(_pin(needers[0].requirement)))} (or: agentzip build --mode bundled)",
            paths=tuple(u.requirer.path for u in needers),
        )


@rule("AZ205", "incompatible-wheel-tag", Severity.ERROR)
def incompatible_wheel_tag(ctx: Context) -> Iterator[Hit]:
    """A bundled distribution was installed from a wheel built for another Python or platform.

    ## What it does
    Compares the tags in each distribution's `WHEEL` file with every tag the target accepts
    (CPython 3.13/3.14, Linux x86_64, manylinux up to the glibc floor): `cp312`/`cp314` against
    `cp313`, `win_amd64`, `macosx_*`, `aarch64`, `musllinux` all fail. A manylinux tag newer
    than the glibc floor is a warning: the runtime's glibc is not documented.

    ## Why is this bad
    Extension modules built for another Python, OS or CPU do not load: `ImportError` or
    `ModuleNotFoundError` at start-up. The usual cause is `pip install --target packages` run
    without `--platform`/`--python-version`, so pip picked wheels for the build machine.

    ## Example
    `packages/pydantic_core-2.27.2.dist-info/WHEEL` says `Tag: cp313-cp313-win_amd64`.

    ## How to fix
    Reinstall for the target: `pip install -r requirements.txt --target packages --platform manylinux2014_x86_64 --python-version 3.13 --implementation cp --only-binary=:all: --upgrade`,
    or `agentzip build --mode bundled`. If you know the runtime's glibc, set the floor with `--glibc 2.28`.
    """
    if not _bundled(ctx):
        return
    t = ctx.target
    supported = t.supported_tags
    relaxed: frozenset[Tag] | None = None
    for d in ctx.index.distributions:
        if not d.tags or d.tags & supported:
            continue
        if relaxed is None:
            relaxed = replace(t, glibc_floor=(2, 99)).supported_tags
        built = ", ".join(d.tag_text) or ", ".join(sorted(map(str, d.tags)))
        if d.tags & relaxed:
            need = min(g for g in (_glibc(tag.platform) for tag in d.tags & relaxed) if g is not None)
            yield Hit(
                d.path,
                f"{d.display_name} {d.version} is built for {built}: it needs glibc {need[0]}.{need[1]}, newer than the floor "
                f"{t.glibc_floor[0]}.{t.glibc_floor[1]} (manylinux2014, the only documented promise); it runs only if the runtime's glibc is that new",
                f"set the floor with --glibc {need[0]}.{need[1]} if you know the runtime has it, or install an older {d.display_name} with a manylinux2014 wheel",
                severity=Severity.WARNING,
            )
            continue
        yield Hit(
            d.path,
            f"{d.display_name} {d.version} is built for {built} ({_why_incompatible(d, t)}); the target is {target_description(t)}",
            rebuild_hint(ctx),
        )


def _glibc(platform: str) -> tuple[int, int] | None:
    """The glibc an x86_64 manylinux platform tag needs (PEP 600, and the legacy aliases)."""
    if not platform.endswith("_x86_64"):
        return None
    m = _MANYLINUX.match(platform)
    if m:
        return int(m.group(1)), int(m.group(2))
    return _LEGACY_GLIBC.get(platform[: -len("_x86_64")])


def _platform_kind(platform: str) -> str:
    if platform.startswith("win"):
        return "Windows"
    if platform.startswith("macosx"):
        return "macOS"
    if platform.startswith("musllinux"):
        return "musl libc (Alpine), not glibc"
    if platform.endswith(("aarch64", "arm64", "armv7l", "ppc64le", "s390x", "i686")):
        return "another CPU than x86_64"
    return "not manylinux x86_64"


def _why_incompatible(d: Distribution, t: Target) -> str:
    platforms = {tag.platform for tag in d.tags}
    reasons = []
    if "any" not in platforms and not platforms & set(t.platforms) and not any(_glibc(p) for p in platforms):
        kinds = sorted({_platform_kind(p) for p in platforms})
        reasons.append(f"platform {', '.join(sorted(platforms))}: {', '.join(kinds)}")
    probe = ("any", *t.platforms[:1])
    if not any(Tag(tag.interpreter, tag.abi, p) in t.supported_tags for tag in d.tags for p in probe):
        interp = ", ".join(sorted({f"{tag.interpreter}-{tag.abi}" for tag in d.tags}))
        reasons.append(f"Python {interp} is not {t.python_tag}")
    return "; ".join(reasons) or "no tag matches"


@rule("AZ206", "requires-python-mismatch", Severity.ERROR)
def requires_python_mismatch(ctx: Context) -> Iterator[Hit]:
    """A bundled distribution declares it does not support the target's Python.

    ## What it does
    Checks each distribution's `Requires-Python` (from its METADATA) against the target's
    Python version (3.13 for `python_3_13`, 3.14 for `python_3_14`).

    ## Why is this bad
    The project says it does not work there: it may fail to import (syntax, removed stdlib
    modules) or misbehave. pip only enforces Requires-Python for the interpreter it runs on, so a
    bundle built with the wrong `--python-version` (or none) slips through.

    ## Example
    `Requires-Python: <3.13` in `packages/oldlib-1.0.dist-info/METADATA` with `python_3_13`.

    ## How to fix
    Install a version that supports the target: rebuild with `--python-version 3.13`
    (`agentzip build --mode bundled`), or pin a newer release of the project.
    """
    if not _bundled(ctx):
        return
    version = python_version(ctx.target)
    for d in ctx.index.distributions:
        if d.requires_python is not None and not d.requires_python.contains(version, prereleases=True):
            yield Hit(
                d.path,
                f"{d.display_name} {d.version} requires Python {d.requires_python}; the target runs Python {version}",
                install_command(ctx, repr(d.display_name))
                + " --upgrade (or pin a release that supports "
                + version
                + ")",
            )


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
        own = sorted(p for p in (d.site_path(r) for r in d.record) if p and _is_editable_file(p))
        claimed.update(own)
        where = f" from {d.direct_url}" if d.direct_url else ""
        yield Hit(
            d.path,
            f"{d.display_name} {d.version} is an editable install{where}: it points at the build machine's source folder, not code in the bundle",
            f"reinstall it without -e: pip install --target {d.site or '.'} <path to {d.display_name}> (or copy its package into the zip)",
            paths=(d.path, *own),
        )
    for f in ctx.index.files:
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
    if not _bundled(ctx):
        return
    for f in ctx.index.files:
        parts = f.path.split("/")
        if len(parts) != 2 or parts[0] != PACKAGES:
            continue
        lower = f.name.lower()
        if not lower.endswith((".tar.gz", ".tgz", ".tar.bz2", ".zip")):
            continue
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


@rule("AZ209", "duplicate-distribution", Severity.ERROR)
def duplicate_distribution(ctx: Context) -> Iterator[Hit]:
    """The same distribution is installed twice (two versions, or in both `packages/` and the root).

    ## What it does
    Groups the bundle's `*.dist-info` folders by normalized project name and reports each name
    found more than once, with every version and location.

    ## Why is this bad
    Two installs share module folders: files of the older version are left behind or mixed with
    the newer one, and which metadata Python sees is an accident of directory order. It comes
    from running `pip install --target` twice into the same folder, or from both
    `pip install -t .` and `-t packages`.

    ## Example
    `packages/requests-2.31.0.dist-info` and `packages/requests-2.32.3.dist-info`.

    ## How to fix
    Delete the folder and install once: `rm -rf packages && pip install -r requirements.txt --target packages ...`,
    or `agentzip build --mode bundled`.
    """
    if not ctx.target.is_python:
        return
    for name, found in sorted(by_name(ctx.index.distributions).items()):
        if len(found) < 2 or not name:
            continue
        versions = ", ".join(f"{d.version} in {d.path}" for d in found)
        where = (
            "packages/ and the zip root"
            if len({d.location for d in found}) > 1
            else (_sites(ctx) if found[0].site else "the zip root")
        )
        yield Hit(
            found[0].path,
            f"{found[0].display_name} is installed {len(found)} times ({where}): {versions}",
            f"remove the folder and install once: rm -rf {PACKAGES} && {install_command(ctx)} (or: agentzip build --mode bundled)",
            paths=tuple(d.path for d in found),
        )


@rule("AZ210", "remote-requirement-unbuildable", Severity.ERROR)
def remote_requirement_unbuildable(ctx: Context) -> Iterator[Hit]:
    """`requirements.txt` names something the service's remote build cannot reach.

    ## What it does
    In remote_build mode, checks each line of `requirements.txt` (and the files it includes):
    `-e` and local paths or `file:` URLs (errors when they point outside the bundle, warnings
    inside it: whether the build runs from the zip root is undocumented), VCS URLs over SSH or
    with `${VAR}` credentials, `--index-url`/`--extra-index-url`/`--find-links` to a private
    feed or a local folder, `--no-index`. Names the line.

    ## Why is this bad
    The service pip-installs `requirements.txt` in the cloud: it has no SSH keys, none of your
    environment variables, no access to private feeds (Azure Artifacts, a company mirror) and
    none of your local paths. The version stays `creating` and then fails.

    ## Example
    `-e ../shared-lib`, `mylib @ git+ssh://git@github.com/org/mylib.git`,
    `--extra-index-url https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/`.

    ## How to fix
    Publish the package to PyPI or vendor it into the zip, or switch to bundled mode and install
    everything yourself: `agentzip build --mode bundled`.
    """
    if not ctx.target.is_python or ctx.target.mode != "remote_build":
        return
    for ln in ctx.index.requirements.lines:
        hit = _unbuildable(ctx, ln)
        if hit is not None:
            yield replace(hit, line=ln.line)


def _unbuildable(ctx: Context, ln: RequirementLine) -> Hit | None:
    bundled_hint = "or deploy in bundled mode with everything installed: agentzip build --mode bundled"
    at = f"`{ln.text}`"
    if ln.option == "--no-index":
        return Hit(
            ln.file,
            f"{at}: the remote build may not use PyPI, so nothing can be installed",
            f"remove --no-index, {bundled_hint}",
        )
    if ln.option in ("--index-url", "--extra-index-url", "--find-links") and ln.value:
        return _remote_source(ctx, ln, at, ln.value, bundled_hint)
    url = ln.url
    if url is None:
        return None
    scheme = (
        url.split(":", 1)[0].lower()
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url) and not re.match(r"^[A-Za-z]:[\\/]", url)
        else ""
    )
    authority = url.split("//", 1)[-1].split("/", 1)[0]
    if url.startswith("git@"):  # scp-style `git@github.com:org/repo.git`
        scheme = "ssh"
    if scheme.startswith(("git+", "hg+", "svn+", "bzr+")) or scheme in ("git", "ssh"):
        if "ssh" in scheme or scheme == "git" or authority.startswith("git@"):
            return Hit(
                ln.file,
                f"{at}: a VCS URL over SSH; the remote build has no SSH key",
                f"publish {_req_name(ln)} to PyPI or vendor it into the zip, {bundled_hint}",
            )
        if "${" in url:
            return Hit(
                ln.file,
                f"{at}: the URL's credentials come from an environment variable the remote build does not have",
                f"publish it to PyPI or vendor it into the zip, {bundled_hint}",
            )
        return Hit(
            ln.file,
            f"{at}: a VCS URL needs git and network access in the remote build, which is undocumented, and fails for a private repository",
            f"pin a release from PyPI instead, {bundled_hint}",
            severity=Severity.WARNING,
        )
    if scheme in ("http", "https"):
        if "${" in url or _private_host(urlsplit(url).hostname or ""):
            return Hit(
                ln.file,
                f"{at}: a URL the remote build cannot reach (a private host or credentials from the environment)",
                f"publish it to PyPI or vendor it into the zip, {bundled_hint}",
            )
        return None
    local = _local(ln, url)
    if local is None:
        return None
    if local in ctx.index.by_path or local in ctx.index.dirs:
        return Hit(
            ln.file,
            f"{at}: a local path ({local}, in the bundle); whether remote build installs from the zip's folder is undocumented"
            + (" and an editable install there is fragile" if ln.editable else ""),
            f"install it as a regular requirement from PyPI, {bundled_hint}",
            severity=Severity.WARNING,
        )
    return Hit(
        ln.file,
        f"{at}: {'an editable install of ' if ln.editable else ''}a local path that is not in the bundle ({url}): it exists only on the build machine",
        f"publish it to PyPI or copy it into the zip, {bundled_hint}",
    )


def _remote_source(ctx: Context, ln: RequirementLine, at: str, value: str, bundled_hint: str) -> Hit | None:
    parts = urlsplit(value)
    if parts.scheme in ("http", "https"):
        host = (parts.hostname or "").lower()
        if host in PYPI_HOSTS:
            return None
        if "${" in value or _private_host(host) or any(host == f.lstrip(".") or f in host for f in PRIVATE_FEEDS):
            return Hit(
                ln.file,
                f"{at}: a private package feed; the remote build cannot reach it or authenticate to it",
                f"remove {ln.option} and use packages from PyPI, {bundled_hint}",
            )
        if parts.username or parts.password:
            return Hit(
                ln.file,
                f"{at}: an index with credentials written into requirements.txt: it may work, but the zip now ships the secret",
                f"remove the credentials, {bundled_hint}",
                severity=Severity.WARNING,
            )
        if ln.option == "--find-links":
            return None
        return Hit(
            ln.file,
            f"{at}: a non-PyPI index ({host}); the remote build reaches it only if it is public and needs no authentication",
            f"use PyPI, {bundled_hint}",
            severity=Severity.WARNING,
        )
    local = _local(ln, value)
    if local is not None and ln.option == "--find-links":
        inside = local in ctx.index.dirs or local in ctx.index.by_path
        return Hit(
            ln.file,
            f"{at}: --find-links to a local folder{' (in the bundle; whether remote build runs from the zip folder is undocumented)' if inside else ' that is not in the bundle'}",
            f"install from PyPI, {bundled_hint}",
            severity=Severity.WARNING if inside else None,
        )
    return Hit(
        ln.file, f"{at}: the remote build cannot use a local or non-HTTP package source", f"use PyPI, {bundled_hint}"
    )


def _local(ln: RequirementLine, target: str) -> str | None:
    """A local path or file: URL of a requirements line as a bundle path (None for other URLs)."""
    path = target.split("#", 1)[0].split(";", 1)[0].strip()
    if path.startswith("file:"):
        path = urlsplit(path).path
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path):
        return None
    path = path.split("[", 1)[0]  # `./lib[extra]`
    if path.startswith(("/", "~")) or re.match(r"^[A-Za-z]:[\\/]", path):
        return path  # absolute: a build-machine path, never a bundle path
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(ln.file), path.replace("\\", "/")))
    return "." if joined in ("", ".") else joined


def _private_host(host: str) -> bool:
    if not host:
        return True
    if host == "localhost" or "." not in host or host.endswith((".local", ".internal", ".corp", ".lan", ".home")):
        return True
    try:
        ip = ip_address(host)
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local


def _req_name(ln: RequirementLine) -> str:
    return ln.requirement.name if ln.requirement is not None else "the package"


@rule("AZ211", "dist-info-broken", Severity.ERROR)
def dist_info_broken(ctx: Context) -> Iterator[Hit]:
    """A `*.dist-info` folder is unreadable, or its RECORD names files the bundle lacks.

    ## What it does
    Reports distributions whose METADATA is missing or has no Name/Version (or invalid
    Requires-Dist / Requires-Python), and those whose RECORD lists files that are not in the
    bundle, with the count and the first few (`__pycache__`/`.pyc` entries and paths outside
    the install folder, like `../../bin/`, are not expected and are skipped).

    ## Why is this bad
    Missing files are missing modules: the distribution's import fails at start-up or later.
    They usually come from a zip tool or ignore file that dropped part of `packages/` (azd's
    default `bin/` pattern matches every `bin/` folder, at any depth) or from files deleted to
    save space. Unreadable metadata hides the distribution from `importlib.metadata`, which many
    libraries query for their own version.

    ## Example
    `packages/torch-2.5.1.dist-info/RECORD` lists `torch/bin/torch_shm_manager`, which the zip lacks.

    ## How to fix
    Reinstall into a clean folder and zip all of it: `rm -rf packages && pip install -r requirements.txt --target packages ...`
    (or `agentzip build --mode bundled`); check `.agentignore` for patterns that match inside `packages/`.
    """
    if not _bundled(ctx):
        return
    have = ctx.index.by_path
    for d in ctx.index.distributions:
        if d.problems:
            yield Hit(
                d.path,
                f"{d.display_name or d.path}: {'; '.join(d.problems)}",
                f"reinstall it: {install_command(ctx, repr(d.display_name or '<project>'))} --upgrade --force-reinstall",
            )
        missing: list[str] = []
        for r in d.record:
            p = d.site_path(r)
            if p is None or "__pycache__/" in p or p.endswith((".pyc", ".pyo")) or "\\" in p:
                continue
            if r.split("/", 1)[0] in SCHEME_DIRS:
                continue  # console scripts and data files: azd's default `bin/` ignore drops them harmlessly
            if p not in have:
                missing.append(p)
        if missing:
            yield Hit(
                d.path,
                f"{d.display_name} {d.version}: RECORD lists {len(missing)} file(s) the bundle lacks: {_names(missing)}",
                f"reinstall it and zip every file: {install_command(ctx, repr(d.display_name))} --upgrade --force-reinstall; check .agentignore",
                paths=tuple(missing),
            )
