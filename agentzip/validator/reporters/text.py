"""`--format text`: findings grouped by rule, paths and hints, a summary line; coloured on a tty."""

from __future__ import annotations

from itertools import groupby

from agentzip.terminal import style
from agentzip.validator.findings import Finding, Report, Severity

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
MAX_PATHS = 5


def render(report: Report, *, color: bool = False) -> str:
    out: list[str] = []
    # Group by rule, worst rules first, so one cause reads as one block.
    order = sorted(report.findings, key=lambda f: (-int(f.severity), f.code, f.path or "", f.message))
    for (code, name, sev), group in groupby(order, key=lambda f: (f.code, f.rule, f.severity)):
        items: list[Finding] = list(group)
        head = f"{code} {name} ({sev.label})"
        out.append(style(head, color, fg=_COLOURS[sev], bold=True))
        for f in items:
            where = f"{f.path}{f':{f.line}' if f.line else ''}: " if f.path else ""
            out.append(f"  {style(where, color, bold=True)}{f.message}")
            extra = [p for p in f.paths if p != f.path]
            for p in extra[:MAX_PATHS]:
                out.append(f"      {p}")
            if len(extra) > MAX_PATHS:
                out.append(f"      ... and {len(extra) - MAX_PATHS} more (all of them in --format json)")
            if f.hint:
                out.append("    " + style("fix: ", color, fg="green") + f.hint)
        out.append("")
    s = report.summary()
    counts = ", ".join(f"{n} {label}{'' if n == 1 else 's'}" for label, n in s.items())
    what = f"{report.input.path} ({report.input.kind})"
    t = report.target
    verdict = "no problems found" if not report.findings else counts
    colour = "red" if s["error"] else ("yellow" if s["warning"] else "green")
    out.append(style(f"{what}: {verdict}", color, fg=colour, bold=True))
    out.append(f"  target: {t['runtime']}, {t['mode']}, entry point {' '.join(t['entry_point'])}")
    for note in report.notes:
        out.append(f"  {note}")
    return "\n".join(out) + "\n"
