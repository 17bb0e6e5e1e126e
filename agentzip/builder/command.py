"""The `agentzip build` click command: flags in, `build()` called, errors mapped to exit codes."""

from __future__ import annotations

from pathlib import Path

import click

from agentzip.builder.options import DEFAULT_OUTPUT
from agentzip.builder.settings import BUILD_DEFAULTS
from agentzip.cli.common import Choice
from agentzip.cli.plain import _fail, exit_status_help, request_from_flags
from agentzip.foundry import DEFAULT_GLIBC, MODES, RUNTIMES

_FLOOR = ".".join(map(str, DEFAULT_GLIBC))


@click.command(
    "build",
    epilog=exit_status_help("the installer failed or the built zip fails check (kept)"),
    short_help="Build the deployment zip of an agent folder.",
)
@click.argument("src", required=False, default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("-o", "--output", default=DEFAULT_OUTPUT, show_default=True, type=click.Path(), help="The zip to write.")
@click.option(
    "--mode",
    type=Choice(MODES),
    help=f"Dependency resolution (default: from config or the definition file, else {BUILD_DEFAULTS['mode']}).",
)
@click.option(
    "--runtime",
    type=Choice(RUNTIMES),
    help=f"Target runtime (default: from config or the definition file, else {BUILD_DEFAULTS['runtime']}).",
)
@click.option(
    "--entry-point",
    help="Entry point file or command (default: from config or the definition file, "
    f"else {BUILD_DEFAULTS['entry_point']}).",
)
@click.option(
    "--installer",
    type=Choice(["uv", "pip"]),
    default="uv",
    show_default=True,
    help="What installs requirements.txt in bundled mode.",
)
@click.option(
    "--glibc",
    help=f"Newest glibc the runtime is assumed to have (default: config, else {_FLOOR}): "
    "2.28 accepts manylinux_2_28 wheels.",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="Read settings from this file "
    "(default: the nearest agentzip.toml or [tool.agentzip] in pyproject.toml above SRC).",
)
@click.option("--no-config", is_flag=True, help="Ignore config files.")
@click.option(
    "--definition",
    type=click.Path(dir_okay=False),
    help="Agent definition: azure.yaml, agent.yaml or the REST metadata JSON (default: found as check finds it).",
)
@click.option("--service", help="The azure.yaml agent service to build.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Resolve requirements.txt for the target (wheels only); write no zip. In remote_build, also install "
    "the resolved wheels in a temporary folder and check that they import (AZ405, AZ406).",
)
@click.option("--keep-pdb", is_flag=True, help=".NET bundled: keep the *.pdb debug symbols of the publish output.")
@click.option("--no-check", is_flag=True, help="Do not run `check` on the zip.")
@click.option(
    "--no-import-test",
    is_flag=True,
    help="Do not import the entry point's modules under a real CPython of the target's version after building.",
)
@click.option(
    "--python",
    type=click.Path(dir_okay=False),
    help="The CPython for the import test (default: uv python find, python3.X on PATH, pyenv).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
def build_command(
    src: str,
    output: str,
    mode: str | None,
    runtime: str | None,
    entry_point: str | None,
    installer: str,
    glibc: str | None,
    config: str | None,
    no_config: bool,
    definition: str | None,
    service: str | None,
    dry_run: bool,
    keep_pdb: bool,
    no_check: bool,
    no_import_test: bool,
    python: str | None,
    quiet: bool,
) -> None:
    """Build the deployment zip of an agent folder (default: the current folder).

    \b
    Examples:
      agentzip build src/my-agent -o agent-code.zip
      agentzip build . --mode bundled --runtime python_3_14
      agentzip build . --mode bundled --dry-run
    """
    from agentzip.builder import BuildOptions, build
    from agentzip.errors import AgentzipError

    request = request_from_flags(
        runtime=runtime,
        mode=mode,
        entry_point=entry_point,
        glibc=glibc,
        config=config,
        no_config=no_config,
        definition=definition,
        service=service,
    )
    options = BuildOptions(
        src=Path(src),
        output=Path(output),
        request=request,
        installer=installer,
        dry_run=dry_run,
        keep_pdb=keep_pdb,
        check=not no_check,
        import_test=not no_import_test,
        python=python,
        quiet=quiet,
        progress=None if not quiet else False,
    )
    try:
        build(options, click.echo)
    except AgentzipError as e:
        _fail(str(e), e.exit_code)
