"""`--format text`: one block per rule, findings that share a fix said once, wrapped to the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from agentzip.terminal import fill, fill_hint, style, width
from agentzip.validator.findings import Finding, Report, Severity
from agentzip.validator.reporters.digest import NBSP_MARK, Entry, Group, Section, digest

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
MAX_PATHS = 5
FIX = "fix: "
_ENTRY, _MORE, _HINT = "  ", "    ", "    "
NBSP = "\xa0"  # textwrap splits at ASCII whitespace only


def _where(f: Finding) -> str:
    return f"{f.path}{f':{f.line}' if f.line else ''}: " if f.path else ""


def _styled_first(lines: list[str], plain: str, styled: str) -> list[str]:
    """The first line's plain prefix swapped for its coloured form (wrapping counts plain characters)."""
    if lines and plain and lines[0].startswith(plain):
        lines[0] = styled + lines[0][len(plain) :]
    return lines


def _entry(e: Entry, g: Group, cols: int, color: bool) -> list[str]:
    f = e.finding
    where = _where(f)
    text = g.message(e) + (f" (also {', '.join(e.also)})" if e.also else "")
    out = _styled_first(
        fill(where + text, cols, _ENTRY, _MORE), _ENTRY + where, _ENTRY + style(where, color, bold=True)
    )
    here = f"{f.path}:{f.line}" if f.line else f.path
    extra = [p for p in f.paths if p not in (f.path, here)]
    if all(p in text for p in extra):  # the message names them all already
        extra = []
    out += [f"{_MORE}  {p}" for p in extra[:MAX_PATHS]]
    if len(extra) > MAX_PATHS:
        out.append(f"{_MORE}  ... and {len(extra) - MAX_PATHS} more (all of them in --format json)")
    return out


def _fix(hint: str, n: int, cols: int, color: bool) -> list[str]:
    label = FIX if n < 2 else ("fix (both): " if n == 2 else f"fix (all {n}): ")
    rest = " " * (len(_HINT) + len(FIX))
    return _styled_first(
        fill_hint(hint, cols, _HINT + label, rest), _HINT + label, _HINT + style(label, color, fg="green")
    )


def _group(code: str, g: Group, cols: int, color: bool) -> list[str]:
    lead = g.lead(code)
    out: list[str] = []
    if lead is not None:
        # A name and its version stay on one line: they wrap as one word.
        lines = fill(lead.replace(NBSP_MARK, NBSP) + (f"; {g.why}" if g.why else ""), cols, _ENTRY, _MORE)
        out += [line.replace(NBSP, " ") for line in lines]
        files = sum(len(e.finding.paths) for e in g.entries)
        if files:
            out.append(f"{_MORE}({files} files in all; --format json lists every path)")
    else:
        for e in g.entries:
            out += _entry(e, g, cols, color)
        if g.why:
            out += fill(f"all {len(g.entries)}: {g.why}", cols, _ENTRY, _MORE)
    if g.hint:
        out += _fix(g.hint, len(g.entries), cols, color)
    return out


def _section(s: Section, cols: int, color: bool) -> list[str]:
    also = f", also {', '.join(s.also)}" if s.also else ""
    head = style(f"{s.code} {s.rule} ({s.severity.label}){also}", color, fg=_COLOURS[s.severity], bold=True)
    out = [head]
    for g in s.groups:
        out += _group(s.code, g, cols, color)
    out.append("")
    return out


def counts(summary: dict[str, int], *, zeros: bool = True) -> str:
    """'2 errors, 1 warning, 0 infos' (or without the zeros)."""
    items = [(label, n) for label, n in summary.items() if zeros or n]
    return ", ".join(f"{n} {label}{'' if n == 1 else 's'}" for label, n in items)


def render(report: Report, *, color: bool = False, cols: int | None = None) -> str:
    cols = cols or width()
    out: list[str] = []
    for s in digest(report.findings):
        out += _section(s, cols, color)
    summary = report.summary()
    what = f"{report.input.path} ({report.input.kind})"
    t = report.target
    verdict = "no problems found" if not report.findings else counts(summary)
    colour = "red" if summary["error"] else ("yellow" if summary["warning"] else "green")
    out.append(style(f"{what}: {verdict}", color, fg=colour, bold=True))
    out += fill(f"target: {t['runtime']}, {t['mode']}, entry point {' '.join(t['entry_point'])}", cols, "  ", "    ")
    for note in report.notes:
        out += fill(note, cols, "  ", "    ")
    return "\n".join(out) + "\n"


def total(reports: Sequence[Report]) -> str:
    """'3 bundles: 2 errors, 1 warning' over every report (several paths, or azure.yaml services)."""
    summed: dict[str, int] = {}
    for r in reports:
        for label, n in r.summary().items():
            summed[label] = summed.get(label, 0) + n
    failing = sum(1 for r in reports if r.failed)
    verdict = counts(summed, zeros=False) or "no problems found"
    fails = f" ({failing} of them fail{'s' if failing == 1 else ''})" if failing else ""
    return f"{len(reports)} bundles: {verdict}{fails}"


def render_all(reports: Sequence[Report], *, color: bool = False) -> str:
    """Each report, then the grand total when there are several."""
    chunks = "\n".join(render(r, color=color) for r in reports)
    if len(reports) < 2:
        return chunks
    summed = sum((r.summary()["error"] for r in reports), 0)
    tone = "red" if summed else "green"
    return chunks + "\n" + style(total(reports), color, fg=tone, bold=True) + "\n"
