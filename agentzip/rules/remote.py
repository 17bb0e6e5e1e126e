"""Requirement rules: what the service's pip cannot reach (AZ210), versions left unpinned (AZ212)."""

from __future__ import annotations

from collections.abc import Iterator

from agentzip.foundry import REMOTE_BUILD
from agentzip.validator.context import Context
from agentzip.validator.findings import SHOWN, Hit, Severity
from agentzip.validator.plainrequirement import specifier_clauses
from agentzip.validator.projectname import canonicalize_name
from agentzip.validator.registry import rule
from agentzip.validator.requirements import RequirementLine, Source, SourceKind


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
    if not ctx.target.is_python or ctx.target.mode != REMOTE_BUILD:
        return
    for ln in ctx.index.requirements.lines:
        hit = _unbuildable(ctx, ln)
        if hit is not None:
            yield hit._replace(line=ln.line)


_BUNDLED_HINT = "or deploy in bundled mode with everything installed: agentzip build --mode bundled"


def _unbuildable(ctx: Context, ln: RequirementLine) -> Hit | None:
    at = f"`{ln.text}`"
    if ln.option == "--no-index":
        return Hit(
            ln.file,
            f"{at}: the remote build may not use PyPI, so nothing can be installed",
            f"remove --no-index, {_BUNDLED_HINT}",
        )
    src = ln.source
    if src is None:
        return None
    if ln.option in ("--index-url", "--extra-index-url", "--find-links"):
        return _package_source(ctx, ln, at, src)
    if src.kind is SourceKind.VCS:
        return _vcs(ln, at, src)
    if src.kind is SourceKind.HTTP:
        if src.env_credentials or src.private_host:
            return Hit(
                ln.file,
                f"{at}: a URL the remote build cannot reach (a private host or credentials from the environment)",
                f"publish it to PyPI or vendor it into the zip, {_BUNDLED_HINT}",
            )
        return None
    if src.kind is not SourceKind.LOCAL or src.path is None:
        return None
    local = src.path
    if local in ctx.index.by_path or local in ctx.index.dirs:
        return Hit(
            ln.file,
            f"{at}: a local path ({local}, in the bundle); whether remote build installs from the zip's folder is undocumented"
            + (" and an editable install there is fragile" if ln.editable else ""),
            f"install it as a regular requirement from PyPI, {_BUNDLED_HINT}",
            severity=Severity.WARNING,
        )
    return Hit(
        ln.file,
        f"{at}: {'an editable install of ' if ln.editable else ''}a local path that is not in the bundle ({src.text}): it exists only on the build machine",
        f"publish it to PyPI or copy it into the zip, {_BUNDLED_HINT}",
    )


def _vcs(ln: RequirementLine, at: str, src: Source) -> Hit:
    if src.ssh:
        name = ln.requirement.name if ln.requirement is not None else "the package"
        return Hit(
            ln.file,
            f"{at}: a VCS URL over SSH; the remote build has no SSH key",
            f"publish {name} to PyPI or vendor it into the zip, {_BUNDLED_HINT}",
        )
    if src.env_credentials:
        return Hit(
            ln.file,
            f"{at}: the URL's credentials come from an environment variable the remote build does not have",
            f"publish it to PyPI or vendor it into the zip, {_BUNDLED_HINT}",
        )
    return Hit(
        ln.file,
        f"{at}: a VCS URL needs git and network access in the remote build, which is undocumented, and fails for a private repository",
        f"pin a release from PyPI instead, {_BUNDLED_HINT}",
        severity=Severity.WARNING,
    )


def _package_source(ctx: Context, ln: RequirementLine, at: str, src: Source) -> Hit | None:
    """--index-url, --extra-index-url, --find-links."""
    if src.kind is SourceKind.HTTP:
        return _remote_index(ln, at, src)
    if src.kind is SourceKind.LOCAL and ln.option == "--find-links":
        inside = src.path in ctx.index.dirs or src.path in ctx.index.by_path
        return Hit(
            ln.file,
            f"{at}: --find-links to a local folder{' (in the bundle; whether remote build runs from the zip folder is undocumented)' if inside else ' that is not in the bundle'}",
            f"install from PyPI, {_BUNDLED_HINT}",
            severity=Severity.WARNING if inside else None,
        )
    return Hit(
        ln.file, f"{at}: the remote build cannot use a local or non-HTTP package source", f"use PyPI, {_BUNDLED_HINT}"
    )


def _remote_index(ln: RequirementLine, at: str, src: Source) -> Hit | None:
    if src.pypi:
        return None
    if src.env_credentials or src.private_host or src.private_feed:
        return Hit(
            ln.file,
            f"{at}: a private package feed; the remote build cannot reach it or authenticate to it",
            f"remove {ln.option} and use packages from PyPI, {_BUNDLED_HINT}",
        )
    if src.credentials:
        return Hit(
            ln.file,
            f"{at}: an index with credentials written into requirements.txt: it may work, but the zip now ships the secret",
            f"remove the credentials, {_BUNDLED_HINT}",
            severity=Severity.WARNING,
        )
    if ln.option == "--find-links":
        return None
    return Hit(
        ln.file,
        f"{at}: a non-PyPI index ({src.host}); the remote build reaches it only if it is public and needs no authentication",
        f"use PyPI, {_BUNDLED_HINT}",
        severity=Severity.WARNING,
    )


@rule("AZ212", "unpinned-requirement", Severity.WARNING)
def unpinned_requirement(ctx: Context) -> Iterator[Hit]:
    """Requirements without an exact `==` pin: what was tested is not what will be installed.

    ## What it does
    Lists every requirement of `requirements.txt` (and the files it includes) that has no `==`
    or `===` version, one finding per file with each name and line. A `==` in a `-c` constraints
    file counts as a pin; URLs and local paths are AZ210's. A warning in remote_build, where the
    service resolves the versions at deploy time; info in bundled mode, where `packages/` holds
    what was installed but the next build may resolve something else.

    ## Why is this bad
    A range (`>=1.23`) or a bare name takes the newest release on the day of the install: a new
    major version of a dependency (mcp 2.x dropped `McpError`) breaks an agent that imported fine
    yesterday, and the versions running in the cloud are not the ones tested on your machine.

    ## Example
    `agent-framework-core`, `azure-identity>=1.19` in a remote_build requirements.txt.

    ## How to fix
    Resolve and pin everything for the target: `agentzip lock` rewrites requirements.txt with
    `name==version` lines for Linux x86_64 and the target's Python.
    """
    if not ctx.target.is_python:
        return
    reqs = ctx.index.requirements
    pinned = {
        canonicalize_name(ln.requirement.name)
        for ln in reqs.lines
        if ln.constraint and ln.requirement is not None and _pinned(ln)
    }
    by_file: dict[str, list[RequirementLine]] = {}
    for ln in reqs.requirements:
        r = ln.requirement
        if r is None or r.url or _pinned(ln) or canonicalize_name(r.name) in pinned:
            continue
        by_file.setdefault(ln.file, []).append(ln)
    severity = Severity.WARNING if ctx.target.mode == REMOTE_BUILD else Severity.INFO
    where = "the service resolves them at deploy time" if severity is Severity.WARNING else "the next build may differ"
    for file, lines in by_file.items():
        named = [f"{ln.requirement.name if ln.requirement else ln.text} (line {ln.line})" for ln in lines]
        more = f" and {len(named) - SHOWN} more" if len(named) > SHOWN else ""
        yield Hit(
            file,
            f"{len(lines)} requirement(s) without an exact `==` pin ({where}): {', '.join(named[:SHOWN])}{more}",
            "agentzip lock (writes requirements.txt pinned for the target)",
            severity=severity,
            line=lines[0].line,
        )


def _pinned(ln: RequirementLine) -> bool:
    """`==1.2.3` or `===1.2.3`: one version, not a wildcard (`==1.*` is a range)."""
    r = ln.requirement
    return r is not None and any(op == "===" or (op == "==" and "*" not in v) for op, v in specifier_clauses(r))
