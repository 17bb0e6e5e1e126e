"""`--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it: repository-relative URIs, rules from the registry."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agentzip import __version__
from agentzip.validator.findings import Report, Severity
from agentzip.validator.reporters.locations import locate, repo_root

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rules() -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every registered rule as a reportingDescriptor, and each code's index."""
    from agentzip.validator.registry import all_rules

    out: list[dict[str, Any]] = []
    for r in all_rules():
        what = r.docs.split("## Why is this bad", 1)[0].replace("## What it does", "").strip()
        out.append(
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": " ".join(what.split()) or r.summary},
                "help": {"text": r.docs, "markdown": r.docs},
                "defaultConfiguration": {"level": LEVELS[r.severity]},
                "properties": {"tags": ["agentzip", r.family]},
            }
        )
    return out, {d["id"]: i for i, d in enumerate(out)}


def document(reports: Sequence[Report], root: Path | None = None) -> dict[str, Any]:
    """One run with every report's results (GitHub refuses several runs of one tool and category)."""
    root = root or repo_root()
    rules, index = _rules()
    results: list[dict[str, Any]] = []
    seen: Counter[str] = Counter()
    for report in reports:
        for f in report.findings:
            where = locate(report, f, root)
            artifact: dict[str, Any] = {"uri": where.uri}
            if where.relative:
                artifact["uriBaseId"] = SRCROOT
            location: dict[str, Any] = {
                "physicalLocation": {"artifactLocation": artifact, "region": {"startLine": where.line or 1}}
            }
            if where.inner is not None:
                location["logicalLocations"] = [
                    {"name": where.inner, "fullyQualifiedName": f"{where.file}/{where.inner}"}
                ]
            text = f.message + (f"\nfix: {f.hint}" if f.hint else "")
            if where.inner is not None:
                text = f"{where.inner}: {text}"
            # Stable across runs: messages carry sizes that change, so they stay out of the key;
            # the occurrence count keeps two findings of one rule at one spot apart.
            key = "\0".join((f.code, where.file, where.inner or "", str(where.line or ""), f.path or ""))
            seen[key] += 1
            digest = hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()[:32]
            result: dict[str, Any] = {
                "ruleId": f.code,
                "ruleIndex": index.get(f.code, -1),
                "level": LEVELS[f.severity],
                "message": {"text": text},
                "locations": [location],
                "partialFingerprints": {"agentzipFinding/v1": digest},
                "properties": {"rule": f.rule, "hint": f.hint, "input": report.input.path},
            }
            if f.code not in index:
                del result["ruleIndex"]
            if f.paths:
                result["properties"]["paths"] = list(f.paths)
            results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "agentzip",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri() + "/"}},
                "results": results,
                "columnKind": "unicodeCodePoints",
                "properties": {
                    "inputs": [
                        {"path": r.input.path, "kind": r.input.kind, "sha256": r.input.sha256, "target": r.target}
                        for r in reports
                    ]
                },
            }
        ],
    }


def render_all(reports: Sequence[Report], *, color: bool = False) -> str:
    return json.dumps(document(reports), indent=2, ensure_ascii=False) + "\n"


def render(report: Report, *, color: bool = False) -> str:
    return render_all([report], color=color)
