"""Python dependency rules (AZ2xx): what was installed against what the agent and the target need."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping

from agentzip.foundry import PACKAGES
from agentzip.validator.context import Context
from agentzip.validator.depcheck import Unmet, by_name, holds, satisfied_by, unmet_dependencies
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.hints import (
    bundled,
    install_command,
    names,
    pin,
    python_version,
    rebuild_hint,
    sites,
    target_description,
)
from agentzip.validator.projectname import canonicalize_name
from agentzip.validator.registry import rule
from agentzip.validator.target import Target, glibc_of, platform_kind

TYPE_CHECKING = False
if TYPE_CHECKING:  # the METADATA reader loads only when a bundle has distributions
    from agentzip.validator.distributions import Distribution
    from agentzip.validator.wheeltags import Tag


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
    if not bundled(ctx) or ctx.index.distributions or ctx.index.wrapper_dir is not None:
        return
    wanted = [
        ln
        for ln in ctx.index.requirements.requirements
        if ln.requirement is None or holds(ln.requirement, ctx.target.marker_environment())
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
            f"{len(deeper)} *.dist-info elsewhere ({names(deeper)}): the runtime is only known to use packages/ or the root"
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
    if not bundled(ctx) or not ctx.index.distributions:
        return
    env = ctx.target.marker_environment()
    present = by_name(ctx.index.distributions)
    for ln in ctx.index.requirements.requirements:
        req = ln.requirement
        if req is None or not holds(req, env):
            continue
        found = present.get(canonicalize_name(req.name), [])
        if not found:
            text = f" (`{ln.text}`)" if ln.text != req.name else ""
            yield Hit(
                ln.file,
                f"{req.name}{text} is required on the target but no {req.name} distribution is bundled in {sites(ctx)}",
                f"{install_command(ctx, repr(pin(req)))} (or: agentzip build --mode bundled)",
                line=ln.line,
            )
        elif not any(satisfied_by(req, d) for d in found):
            versions = ", ".join(f"{d.version} ({d.path})" for d in found)
            yield Hit(
                ln.file,
                f"requirements.txt asks for {req.name}{req.specifier} but the bundle has {versions}",
                f"{install_command(ctx, repr(pin(req)))} --upgrade (or: agentzip build --mode bundled)",
                paths=tuple(d.path for d in found),
                line=ln.line,
            )


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
    if not bundled(ctx) or not ctx.index.distributions:
        return
    roots = [ln.requirement for ln in ctx.index.requirements.requirements if ln.requirement is not None]
    unmet = unmet_dependencies(ctx.index.distributions, roots, ctx.target.marker_environment())
    missing: dict[str, list[Unmet]] = defaultdict(list)
    for u in unmet:
        if not u.found:
            missing[u.name].append(u)
            continue
        have = ", ".join(sorted({d.version for d in u.found}))
        wanted = pin(u.requirement)
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
            + names([f"{u.requirer.display_name} {u.requirer.version} ({u.requirement})" for u in needers]),
            f"{install_command(ctx, repr(pin(needers[0].requirement)))} (or: agentzip build --mode bundled)",
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
    if not bundled(ctx):
        return
    t = ctx.target
    supported = t.supported_tags
    relaxed: frozenset[Tag] | None = None
    for d in ctx.index.distributions:
        if not d.tags or d.tags & supported:
            continue
        if relaxed is None:
            relaxed = t.replace(glibc_floor=(2, 99)).supported_tags
        built = ", ".join(d.tag_text) or ", ".join(sorted(map(str, d.tags)))
        if d.tags & relaxed:
            need = min(g for g in (glibc_of(tag.platform) for tag in d.tags & relaxed) if g is not None)
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


def _why_incompatible(d: Distribution, t: Target) -> str:
    from agentzip.validator.wheeltags import Tag  # only for a bundle with an incompatible wheel

    platforms = {tag.platform for tag in d.tags}
    reasons = []
    if "any" not in platforms and not platforms & set(t.platforms) and not any(glibc_of(p) for p in platforms):
        kinds = sorted({platform_kind(p) for p in platforms})
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
    if not bundled(ctx) or not ctx.index.distributions:
        return
    from agentzip.validator.memo import memo

    version = python_version(ctx.target)
    answers = memo()
    for d in ctx.index.distributions:
        if d.requires_python is not None and answers.fits(d.requires_python, version) is False:
            yield Hit(
                d.path,
                f"{d.display_name} {d.version} requires Python {d.requires_python}; the target runs Python {version}",
                install_command(ctx, repr(d.display_name))
                + " --upgrade (or pin a release that supports "
                + version
                + ")",
            )
    answers.save()


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
            else (sites(ctx) if found[0].site else "the zip root")
        )
        yield Hit(
            found[0].path,
            f"{found[0].display_name} is installed {len(found)} times ({where}): {versions}",
            f"remove the folder and install once: rm -rf {PACKAGES} && {install_command(ctx)} (or: agentzip build --mode bundled)",
            paths=tuple(d.path for d in found),
        )


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
    if not bundled(ctx):
        return
    have = ctx.index.by_path
    for d in ctx.index.distributions:
        if d.problems:
            yield Hit(
                d.path,
                f"{d.display_name or d.path}: {'; '.join(d.problems)}",
                f"reinstall it: {install_command(ctx, repr(d.display_name or '<project>'))} --upgrade --force-reinstall",
            )
        missing = _missing_files(d, have)
        if missing:
            yield Hit(
                d.path,
                f"{d.display_name} {d.version}: RECORD lists {len(missing)} file(s) the bundle lacks: {names(missing)}",
                f"reinstall it and zip every file: {install_command(ctx, repr(d.display_name))} --upgrade --force-reinstall; check .agentignore",
                paths=tuple(missing),
            )


def _missing_files(d: Distribution, have: Mapping[str, object]) -> list[str]:
    """RECORD paths the bundle lacks, leaving out bytecode and the install-scheme folders."""
    from agentzip.validator.distributions import SCHEME_DIRS

    missing: list[str] = []
    for r, p in zip(d.record, d.site_paths, strict=True):
        if p is None or p in have:
            continue  # most RECORD lines: present, so no filter below can matter
        if "__pycache__/" in p or p.endswith((".pyc", ".pyo")) or "\\" in p:
            continue
        if r.split("/", 1)[0] in SCHEME_DIRS:
            continue  # console scripts and data files: azd's default `bin/` ignore drops them harmlessly
        missing.append(p)
    return missing
