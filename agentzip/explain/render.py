"""Text and JSON output of `agentzip explain`."""

from __future__ import annotations

import json

from agentzip.explain.model import Explanation
from agentzip.terminal import style
from agentzip.validator.findings import SHOWN

_VERDICT = {
    "imports": ("imports", "green"),
    "fails": ("will not import", "red"),
    "fails-when-used": ("imports, but fails when used", "red"),
    "imports-fallback": ("imports with a slower pure-Python fallback", "yellow"),
    "unknown": ("may not import", "yellow"),
}


def render_text(expl: Explanation, *, color: bool = False) -> str:
    """For people: one block per module (verdict, cause, fix, where the runtime looked), a summary."""
    out: list[str] = []
    for d in expl.diagnoses:
        word, colour = _VERDICT[d.verdict]
        what = f"{d.module}" + (f" (cannot import name {d.name})" if d.name else "")
        code = f"  [{d.code} {d.rule}]" if d.code else ""
        out.append(style(f"{what}: {word}", color, fg=colour, bold=True) + code)
        if d.log:
            out.append(f"  log:    {d.log}")
        out.append(f"  why:    {d.message}")
        for p in [p for p in d.paths if p and p not in d.message][:SHOWN]:
            out.append(f"          {p}")
        if d.fix:
            out.append("  " + style("fix:", color, fg="green") + "    " + d.fix)
        if d.suggestions and d.cause in ("nowhere", "no-submodule", "not-in-stdlib"):
            out.append(f"  close:  {', '.join(d.suggestions)}")
        if d.steps:
            path = "; ".join(
                f"{s.where} {s.found or '-'}" if s.where != "stdlib" else f"stdlib {'yes' if s.found else '-'}"
                for s in d.steps
            )
            out.append(f"  looked: {path}")
        out.append("")
    s = expl.summary()
    n = len(expl.diagnoses)
    counts = ", ".join(f"{k} {v}" for v, k in s.items() if k) or "nothing to explain"
    head = (
        f"{expl.input.path}: {n} module{'' if n == 1 else 's'} explained ({counts})"
        if n
        else f"{expl.input.path}: nothing to explain"
    )
    out.append(style(head, color, fg="red" if s["fails"] else ("yellow" if s["unknown"] else "green"), bold=True))
    t = expl.target
    out.append(f"  target: {t['runtime']}, {t['mode']}, entry point {' '.join(t['entry_point'])}")
    out.extend(f"  {note}" for note in expl.notes)
    return "\n".join(out) + "\n"


def render_json(expl: Explanation) -> str:
    return json.dumps(expl.to_json(), indent=2) + "\n"
