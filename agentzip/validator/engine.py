"""Run the selected rules over a Context and turn their hits into a Report."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from agentzip.validator.context import Context, Options
from agentzip.validator.findings import Finding, Hit, InputInfo, Report
from agentzip.validator.registry import Rule

__all__ = ["Context", "Options", "make_report", "run_rules"]


def run_rules(ctx: Context, rules: Iterable[Rule]) -> list[Finding]:
    """Every hit of every rule as a finding; a rule that crashes is one finding, the rest stand."""
    findings: list[Finding] = []
    for r in rules:
        try:
            hits: list[Hit] = list(r(ctx))
        except Exception as exc:  # one broken rule must not sink the report
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


def _ignored_at_path(f: Finding, table: Mapping[str, tuple[str, ...]]) -> bool:
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
        path=b.pathname,
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
