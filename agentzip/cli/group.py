"""The click group: every command line but the two fast ones (see agentzip.entry) comes here.

Each command lives in its own module, imported only when it is named, so a command pays for
nothing else.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar

import click

from agentzip import __version__
from agentzip.cli.plain import EXIT_INTERRUPTED, exit_status_help, internal_error

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
            internal_error(ctx.invoked_subcommand or "agentzip", exc, debug=bool(ctx.meta.get(DEBUG_KEY)))


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
