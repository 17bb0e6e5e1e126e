"""Run the selected rules over a Context and turn their hits into a Report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from agentzip.validator.bundle import Bundle
from agentzip.validator.definition import Definition
from agentzip.validator.findings import Finding, Hit, InputInfo, Report
from agentzip.validator.index import Index
from agentzip.validator.registry import Rule
from agentzip.validator.target import Target

# Clients enforce 250 * 1024 * 1024 bytes (FOUNDRY.md).
SIZE_LIMIT = 250 * 1024 * 1024


@dataclass
class Options:
    """Settings rules read besides the target (from flags or config)."""

    size_limit: int = SIZE_LIMIT
    # path globs -> selectors ignored there (config `per-path-ignores`)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Context:
    """Everything a rule may read. Rules never open files themselves: they ask the bundle."""

    bundle: Bundle
    target: Target
    options: Options = field(default_factory=Options)
    # azure.yaml / agent.yaml / metadata JSON; None when the user has none (AZ7xx rules then stay quiet)
    definition: Definition | None = None

    @cached_property
    def index(self) -> Index:
        return Index(self.bundle, self.target, self.options.size_limit)


def run_rules(ctx: Context, rules: Iterable[Rule]) -> list[Finding]:
    """Every hit of every rule as a finding; a rule that crashes is one finding, the rest stand."""
    findings: list[Finding] = []
    for r in rules:
        try:
            hits: list[Hit] = list(r(ctx))
        except Exception as exc:  # noqa: BLE001: one broken rule must not sink the report
            findings.append(
                Finding(
                    code=r.code,
                    rule=r.name,
                    severity=r.severity,
                    path=None,
                    message=f"internal error: the rule could not finish ({type(exc).__name__}: {exc})",
                    hint="report this with the input that caused it; the other rules' findings stand",
                )
            )
            continue
        for h in hits:
            findings.append(
                Finding(
                    code=r.code,
                    rule=r.name,
                    severity=h.severity if h.severity is not None else r.severity,
                    path=h.path,
                    message=h.message,
                    hint=h.hint,
                    paths=h.paths,
                    line=h.line,
                )
            )
    if ctx.options.per_path_ignores:
        findings = [f for f in findings if not _ignored_at_path(f, ctx.options.per_path_ignores)]
    return findings


def _ignored_at_path(f: Finding, table: dict[str, list[str]]) -> bool:
    from fnmatch import fnmatchcase

    from agentzip.validator.registry import find_rule, matches

    if f.path is None:
        return False
    r = find_rule(f.code)
    if r is None:
        return False
    return any(fnmatchcase(f.path, glob) and any(matches(r, s) for s in sels) for glob, sels in table.items())


def make_report(ctx: Context, findings: list[Finding], *, with_sha256: bool = True) -> Report:
    b = ctx.bundle
    info = InputInfo(
        path=str(b.path),
        kind=b.kind,
        bytes=b.size,
        sha256=b.sha256() if with_sha256 else None,
    )
    notes = []
    if ctx.target.inferred:
        notes.append("inferred: " + ", ".join(ctx.target.inferred) + " (pass flags or a definition to set them)")
    if b.ignored:
        notes.append(f"{b.ignored} path(s) left out by .agentignore")
    return Report.build(info, ctx.target.to_json(), findings, tuple(notes))
