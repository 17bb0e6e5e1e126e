"""`agentzip rules`: the rule catalogue, or one rule's page."""

from __future__ import annotations

import click

from agentzip.cli.common import Choice, _fail, did_you_mean, exit_status_help


@click.command(epilog=exit_status_help(None), short_help="List the rules, or show one rule's docs.")
@click.argument("rule", required=False)
@click.option(
    "--format",
    "fmt",
    type=Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for docs, json for tools.",
)
def rules(rule: str | None, fmt: str) -> None:
    """List the rules, or show one rule's docs (by code or name).

    \b
    Examples:
      agentzip rules
      agentzip rules AZ301
      agentzip rules windows-binary --format markdown
    """
    from agentzip import docs

    if rule is None:
        click.echo(docs.catalogue(fmt), nl=False)
        return
    from agentzip.api import load_rules
    from agentzip.validator.registry import find_rule

    load_rules()
    r = find_rule(rule)
    if r is None:
        from agentzip.validator.registry import all_rules

        known = [x.name for x in all_rules()] + [x.code for x in all_rules()]
        _fail(f"no rule named {rule!r}{did_you_mean(rule, known)} (see `agentzip rules`)")
    click.echo(docs.rule_page(r, fmt), nl=False)
