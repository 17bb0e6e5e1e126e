"""`agentzip rules`: the rule catalogue, or one rule's page."""

from __future__ import annotations

import click

from agentzip.cli.common import _fail, exit_status_help


@click.command(epilog=exit_status_help(None))
@click.argument("rule", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
def rules(rule: str | None, fmt: str) -> None:
    """List the rules, or show one rule's docs (by code or name)."""
    from agentzip import docs

    if rule is None:
        click.echo(docs.catalogue(fmt), nl=False)
        return
    from agentzip.api import load_rules
    from agentzip.validator.registry import find_rule

    load_rules()
    r = find_rule(rule)
    if r is None:
        _fail(f"no rule named {rule!r} (see `agentzip rules`)")
    click.echo(docs.rule_page(r, fmt), nl=False)
