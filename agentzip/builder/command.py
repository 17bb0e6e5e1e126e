"""The `agentzip build` click command: flags in, `build()` called, errors mapped to exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from agentzip.builder.options import DEFAULT_OUTPUT


@click.command("build")
@click.argument("src", required=False, default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("-o", "--output", default=DEFAULT_OUTPUT, show_default=True, type=click.Path(), help="The zip to write.")
@click.option(
    "--mode",
    type=click.Choice(["remote_build", "bundled"]),
    help="Dependency resolution (default: from config or the definition file, else bundled).",
)
@click.option(
    "--runtime",
    type=click.Choice(["python_3_13", "python_3_14"]),
    help="Target runtime (default: from config or the definition file, else python_3_13).",
)
@click.option(
    "--entry-point", help="Entry point file or command (default: from config or the definition file, else main.py)."
)
@click.option(
    "--installer",
    type=click.Choice(["uv", "pip"]),
    default="uv",
    show_default=True,
    help="What installs requirements.txt in bundled mode.",
)
@click.option(
    "--glibc",
    help="Newest glibc the runtime is assumed to have (default: config, else 2.17): 2.28 accepts manylinux_2_28 wheels.",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="Read settings from this file (default: the nearest agentzip.toml or [tool.agentzip] in pyproject.toml above SRC).",
)
@click.option("--no-config", is_flag=True, help="Ignore config files.")
@click.option(
    "--definition",
    type=click.Path(dir_okay=False),
    help="Agent definition: azure.yaml, agent.yaml or the REST metadata JSON (default: found as check finds it).",
)
@click.option("--service", help="The azure.yaml agent service to build.")
@click.option("--dry-run", is_flag=True, help="Resolve requirements.txt for the target (wheels only); write no zip.")
@click.option("--no-check", is_flag=True, help="Do not run `check` on the zip.")
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
    no_check: bool,
    quiet: bool,
) -> None:
    """Build the deployment zip of an agent folder (default: the current folder)."""
    from agentzip.builder import BuildOptions, build
    from agentzip.errors import AgentzipError
    from agentzip.validator.target import parse_glibc

    try:
        floor = parse_glibc(glibc) if glibc else None
    except ValueError as e:
        click.echo(f"agentzip: error: {e}", err=True)
        sys.exit(2)
    options = BuildOptions(
        src=Path(src),
        output=Path(output),
        mode=mode,
        runtime=runtime,
        entry_point=entry_point,
        installer=installer,
        glibc=floor,
        dry_run=dry_run,
        check=not no_check,
        quiet=quiet,
        progress=None if not quiet else False,
        config=Path(config) if config else None,
        no_config=no_config,
        definition=Path(definition) if definition else None,
        service=service,
    )
    try:
        build(options, click.echo)
    except AgentzipError as e:
        click.echo(f"agentzip: error: {e}", err=True)
        sys.exit(e.exit_code)
