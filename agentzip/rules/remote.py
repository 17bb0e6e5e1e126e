"""Remote-build rule (AZ210): what the service's pip cannot reach from requirements.txt."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from agentzip.foundry import REMOTE_BUILD
from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
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
            yield replace(hit, line=ln.line)


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
