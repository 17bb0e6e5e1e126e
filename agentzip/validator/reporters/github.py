"""`--format github`: GitHub Actions workflow commands, one annotation per finding."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agentzip.validator.findings import Report, Severity
from agentzip.validator.reporters.locations import locate, repo_root

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """The message part, as @actions/core escapes it (toolkit command.ts escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file=, title=): the message escapes plus ':' and ',' (escapeProperty)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, *, color: bool = False, root: Path | None = None) -> str:
    root = root or repo_root()
    out: list[str] = []
    for f in report.findings:
        where = locate(report, f, root)
        props = [f"file={escape_property(where.file)}"]
        if where.line:
            props.append(f"line={where.line}")
        props.append(f"title={escape_property(f'{f.code} {f.rule}')}")
        message = f.message if where.inner is None else f"{where.inner}: {f.message}"
        if f.hint:
            message += f"\nfix: {f.hint}"
        out.append(f"::{COMMANDS[f.severity]} {','.join(props)}::{escape_data(message)}")
    s = report.summary()
    counts = ", ".join(f"{n} {label}{'' if n == 1 else 's'}" for label, n in s.items())
    out.append(f"agentzip: {report.input.path}: {counts if report.findings else 'no problems found'}")
    return "\n".join(out) + "\n"


def render_all(reports: Sequence[Report], *, color: bool = False) -> str:
    """Each report's annotations and summary line, then the grand total when there are several."""
    chunks = "".join(render(r) for r in reports)
    if len(reports) < 2:
        return chunks
    from agentzip.validator.reporters.text import total

    return chunks + f"agentzip: {total(reports)}\n"
