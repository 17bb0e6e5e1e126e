"""The command line: parse flags, call the library, map errors to exit codes. No logic here.

Each command lives in its own module, imported only when it is named, so `agentzip --version`
and a pre-commit `agentzip check` pay for nothing else.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar

import click

from agentzip import __version__
from agentzip.cli.common import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    _fail,
    exit_status_help,
    request_from_flags,
)

__all__ = ["_fail", "exit_status_help", "main", "request_from_flags"]

DEBUG_KEY = "agentzip.debug"


class _LazyGroup(click.Group):
    """A group whose heavier commands are imported when named (click's documented lazy loading)."""

    lazy: ClassVar[dict[str, tuple[str, str]]] = {
        "build": ("agentzip.builder.command", "build_command"),
        "check": ("agentzip.cli.check", "check"),
        "explain": ("agentzip.cli.explain", "explain"),
        "fix": ("agentzip.cli.fix", "fix"),
        "lock": ("agentzip.cli.lock", "lock"),
        "rules": ("agentzip.cli.rules", "rules"),
        "size": ("agentzip.cli.size", "size"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            import importlib

            module, attr = self.lazy[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        """The last line of defence: a bug is one line and exit 3, never a traceback (unless --debug)."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            sys.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise  # click's own: --help, usage errors, exits
        except Exception as exc:
            where = ctx.invoked_subcommand or "agentzip"
            if ctx.meta.get(DEBUG_KEY):
                import traceback

                traceback.print_exc(file=sys.stderr)
            click.echo(f"agentzip: internal error in {where}: {type(exc).__name__}: {exc}; please report it", err=True)
            sys.exit(EXIT_INTERNAL)


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=exit_status_help("findings at or above --fail-on (each command says)"),
)
@click.version_option(__version__, "-V", "--version", prog_name="agentzip")
@click.option("--debug", is_flag=True, help="Print the traceback of an internal error (exit 3).")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Stop broken Foundry hosted-agent deployments before they are uploaded."""
    ctx.meta[DEBUG_KEY] = debug


if __name__ == "__main__":  # pragma: no cover
    main()
