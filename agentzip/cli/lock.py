"""`agentzip lock`: pin requirements.txt for the target, so what is tested is what gets deployed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from agentzip.cli.common import _fail, _with_definition_options, exit_status_help, request_from_flags
from agentzip.foundry import MODES, REQUIREMENTS, RUNTIMES


@click.command(
    short_help="Pin requirements.txt as resolved for the target.",
    epilog=exit_status_help("uv could not resolve requirements.txt for the target"),
)
@click.argument("path", required=False, default=".", type=click.Path(file_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help=f"Write the pinned file here (default: PATH/{REQUIREMENTS}, rewritten in place).",
)
@click.option("--runtime", type=click.Choice(RUNTIMES), help="Target runtime (default: as build settles it).")
@click.option("--mode", type=click.Choice(MODES), help="Dependency resolution (default: as build settles it).")
@click.option("--glibc", help="Newest glibc the runtime is assumed to have (default 2.17).")
@_with_definition_options
@click.option("--dry-run", is_flag=True, help="Print the pinned file; write nothing.")
@click.option("--exclude-newer", hidden=True, help="uv --exclude-newer: resolve as of this date (reproducible pins).")
def lock(
    path: str,
    output: str | None,
    runtime: str | None,
    mode: str | None,
    glibc: str | None,
    dry_run: bool,
    exclude_newer: str | None,
    settings: dict[str, Any],
) -> None:
    """Pin every requirement of PATH/requirements.txt (default: the current folder) for the target.

    Resolves with uv for Linux x86_64 at the glibc floor and the target's Python (wheels only in
    bundled mode) and rewrites requirements.txt: your lines keep their place, comments, extras and
    markers with `==version`; what they pull in follows, pinned. No backup is written (it would be
    zipped with the agent): keep requirements.txt in version control, or look first with --dry-run.
    """
    import os

    from agentzip.builder import lock as locking
    from agentzip.builder import settings as build_settings
    from agentzip.errors import AgentzipError

    request = request_from_flags(
        **settings,
        runtime=runtime,
        mode=mode,
        glibc=glibc,
    )
    try:
        target = build_settings.resolve(Path(path), request)
        job = locking.LockJob(
            requirements=target.src / REQUIREMENTS,
            python_version=target.python_version,
            glibc=target.glibc,
            mode=target.mode,
            exclude_newer=exclude_newer or os.environ.get(locking.EXCLUDE_NEWER_ENV) or None,
        )
        header = f"{locking.HEADER} for {target.runtime} on linux x86_64 (glibc {target.glibc[0]}.{target.glibc[1]})"
        if target.mode == "bundled":
            header += ", wheels only"
        text = locking.lock(job, header)
    except AgentzipError as e:
        _fail(str(e), e.exit_code)
    if dry_run:
        click.echo(text, nl=False)
        return
    dest = Path(output) if output else job.requirements
    try:
        dest.write_text(text, encoding="utf-8")
    except OSError as e:
        _fail(f"cannot write {dest}: {e.strerror}")
    count = sum(1 for ln in text.splitlines() if "==" in ln and not ln.lstrip().startswith("#"))
    click.echo(f"pinned {count} distributions for {target.describe()} in {dest}")
