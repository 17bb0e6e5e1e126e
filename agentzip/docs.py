"""Rule documentation generated from the registry: `agentzip rules` and docs/rules.md."""

from __future__ import annotations

import json

from agentzip.validator.registry import Rule, all_rules

HEADER = """# agentzip rules

Generated from the rule registry by `agentzip rules --format markdown`; a test fails when this
file is stale. Codes and names are stable: never renamed, never reused.
"""


def _all_rules() -> list[Rule]:
    """Every rule, its module loaded first (the registry does not import the rules itself)."""
    from agentzip.api import load_rules

    load_rules()
    return all_rules()


def catalogue(fmt: str = "text") -> str:
    rules = _all_rules()
    if fmt == "json":
        return (
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "severity": r.severity.label,
                        "family": r.family,
                        "summary": r.summary,
                    }
                    for r in rules
                ],
                indent=2,
            )
            + "\n"
        )
    if fmt == "markdown":
        return markdown(rules)
    width = max(len(r.name) for r in rules)
    return "".join(f"{r.code}  {r.name:<{width}}  {r.severity.label:<7}  {r.summary}\n" for r in rules)


def rule_page(r: Rule, fmt: str = "text") -> str:
    if fmt == "json":
        return (
            json.dumps(
                {
                    "code": r.code,
                    "name": r.name,
                    "severity": r.severity.label,
                    "family": r.family,
                    "summary": r.summary,
                    "docs": r.docs,
                },
                indent=2,
            )
            + "\n"
        )
    title = f"{r.code} {r.name} ({r.severity.label} by default)"
    if fmt == "markdown":
        return f"## {r.code} {r.name}\n\nDefault severity: {r.severity.label}. {r.summary}\n\n{_demote(r.docs)}\n"
    return f"{title}\n{r.summary}\n\n{r.docs}\n"


def _demote(docs: str) -> str:
    """Docstring section titles ('## What it does') become third-level headings."""
    return "\n".join("#" + line if line.startswith("## ") else line for line in docs.splitlines())


def table(rules: list[Rule] | None = None, link: str = "") -> str:
    """The markdown rule table; `link` prefixes the anchors (README links into docs/rules.md)."""
    rules = rules if rules is not None else _all_rules()
    lines = ["| code | name | severity | summary |", "| --- | --- | --- | --- |"]
    lines += [
        f"| [{r.code}]({link}#{r.code.lower()}-{r.name}) | {r.name} | {r.severity.label} | {r.summary} |" for r in rules
    ]
    return "\n".join(lines) + "\n"


def markdown(rules: list[Rule] | None = None) -> str:
    rules = rules if rules is not None else _all_rules()
    lines = [HEADER, table(rules)]
    body = "\n".join(rule_page(r, "markdown") for r in rules)
    return "\n".join(lines) + "\n" + body


README_START, README_END = "<!-- rules:start -->", "<!-- rules:end -->"


def readme_with_table(readme: str) -> str:
    """README.md with the rule table between its markers replaced by the registry's."""
    head, _, rest = readme.partition(README_START)
    _, _, tail = rest.partition(README_END)
    return f"{head}{README_START}\n{table(link='docs/rules.md')}{README_END}{tail}"


if __name__ == "__main__":  # `python -m agentzip.docs` regenerates docs/rules.md and README's table
    from pathlib import Path

    root = Path.cwd()
    (root / "docs" / "rules.md").write_text(markdown(), encoding="utf-8")
    readme = root / "README.md"
    readme.write_text(readme_with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
