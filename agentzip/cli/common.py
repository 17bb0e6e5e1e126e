"""What every command shares: exit codes, the target and definition flags, errors and output."""

from __future__ import annotations

import functools
from typing import Any

import click

from agentzip.cli.plain import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    _fail,
    _size_charts,
    _split,
    _write,
    close_match,
    did_you_mean,
    exit_status_help,
    parse_outputs,
    request_from_flags,
    use_color,
)
from agentzip.foundry import MODES, RUNTIMES

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Choice",
    "_fail",
    "_size_charts",
    "_split",
    "_with_definition_options",
    "_with_target_options",
    "_write",
    "close_match",
    "did_you_mean",
    "exit_status_help",
    "parse_outputs",
    "request_from_flags",
    "use_color",
]


class Choice(click.Choice):  # type: ignore[type-arg]
    """click.Choice that names the closest choice: `--format jsn` -> did you mean 'json'?"""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as e:
            hint = did_you_mean(str(value), [str(c) for c in self.choices])
            if not hint:
                raise
            raise click.BadParameter(e.message.rstrip(".") + hint, ctx=e.ctx, param=e.param) from None


target_options = [
    click.option(
        "--runtime",
        type=Choice(RUNTIMES),
        help="Target runtime (default: from config or definition, else inferred).",
    ),
    click.option(
        "--mode",
        type=Choice(MODES),
        help="Dependency resolution (default: inferred from the bundle).",
    ),
    click.option("--entry-point", help="Entry point file or command, e.g. main.py."),
    click.option("--glibc", help="Newest glibc the runtime is assumed to have (default 2.17)."),
]


def _folding(names: tuple[str, ...], options: list[Any], f: Any) -> Any:
    """Add `options` to the command `f`, handing their values to it as one `settings` dict (merged
    with what an outer group of options folded), so commands pass them on without naming each."""

    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        folded = {name: kwargs.pop(name) for name in names}
        return f(*args, settings={**kwargs.pop("settings", {}), **folded}, **kwargs)

    for opt in reversed(options):
        command = opt(command)
    return command


TARGET_FLAGS = ("runtime", "mode", "entry_point", "glibc")
DEFINITION_FLAGS = ("config", "no_config", "definition", "service")


def _with_target_options(f: Any) -> Any:
    """--runtime, --mode, --entry-point, --glibc, folded into the command's `settings`."""
    return _folding(TARGET_FLAGS, target_options, f)


definition_options = [
    click.option(
        "--config",
        type=click.Path(dir_okay=False),
        help="Read settings from this file "
        "(default: the nearest agentzip.toml or [tool.agentzip] in pyproject.toml above PATH).",
    ),
    click.option("--no-config", is_flag=True, help="Ignore config files."),
    click.option(
        "--definition",
        type=click.Path(dir_okay=False),
        help="Agent definition: azure.yaml, agent.yaml or the REST metadata JSON (default: found beside a folder).",
    ),
    click.option("--service", help="The azure.yaml agent service to check (default: each)."),
]


def _with_definition_options(f: Any) -> Any:
    """--config, --no-config, --definition, --service, folded into the command's `settings`."""
    return _folding(DEFINITION_FLAGS, definition_options, f)
