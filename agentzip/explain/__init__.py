"""`agentzip explain`: why a module will not import in the runtime.

The import is walked the way the target's PathFinder walks it (validator/finder.py), then
through the code that runs at import (validator/importrun.py), without running anything. When the
walk fails, or finds something that will not load, the cause is named with its evidence, the
code of the check rule that knows it, and the fix; the rule's own finding supplies the words
when it fired.

model.py: Diagnosis, Explanation, verdicts and causes, the JSON document. session.py: what every
cause reads (the bundle, the finder, the import run, the check rules' findings). native.py,
runtime.py (the verdict from the import run, and the loader's errors read from a log), found.py,
requirements.py and missing.py: the causes, each layer building on the one before; explainer.py
dispatches to them. render.py: the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from agentzip.explain.explainer import Explainer
from agentzip.explain.model import Diagnosis, Explanation, Step
from agentzip.explain.render import render_json, render_text
from agentzip.logscan import ImportFailure
from agentzip.validator.context import Context

__all__ = ["Diagnosis", "Explainer", "Explanation", "Step", "explain_all", "render_json", "render_text"]


def explain_all(ctx: Context, modules: Iterable[str], failures: Iterable[ImportFailure]) -> Iterator[Diagnosis]:
    """One diagnosis per module asked about, then per distinct failure in a log."""
    ex = Explainer(ctx)
    seen: set[tuple[str, str | None]] = set()
    key: tuple[str, str | None]
    for m in modules:
        key = (m.strip(), None)
        if key not in seen:
            seen.add(key)
            yield ex.explain(m)
    for failure in failures:
        key = (failure.module, failure.name)
        if key not in seen:
            seen.add(key)
            yield ex.explain(failure.module, failure)
