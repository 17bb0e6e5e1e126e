"""`--format json`: one versioned document (ARCHITECTURE.md); fields are added, never changed."""

from __future__ import annotations

import json
from typing import Any

from agentzip import __version__
from agentzip.validator.findings import Report

SCHEMA = 1


def document(report: Report) -> dict[str, Any]:
    return {
        "agentzip": __version__,
        "schema": SCHEMA,
        "input": report.input.to_json(),
        "target": report.target,
        "findings": [f.to_json() for f in report.findings],
        "summary": report.summary(),
    }


def render(report: Report, *, color: bool = False) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
