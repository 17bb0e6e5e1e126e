"""`--format junit`: one testsuite per checked bundle, one testcase per finding, for CI test-report views."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from agentzip.validator.findings import Report

# XML 1.0 cannot carry most control characters, and hostile zip names may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _suite(report: Report) -> ET.Element:
    suite = ET.Element("testsuite", name=_x(f"agentzip {report.input.path}"))
    failures = 0
    for f in report.findings:
        where = f.path or report.input.path
        case = ET.SubElement(suite, "testcase", classname=_x(f"agentzip.{f.code}.{f.rule}"), name=_x(where))
        body = f.message + (f"\nfix: {f.hint}" if f.hint else "")
        if f.severity >= report.fail_on:
            failures += 1
            failure = ET.SubElement(case, "failure", type=f.severity.label, message=_x(f.message))
            failure.text = _x(body)
        else:
            # Below --fail-on: a passing case that still shows the finding.
            out = ET.SubElement(case, "system-out")
            out.text = _x(f"{f.severity.label}: {body}")
    if not report.findings:
        ET.SubElement(suite, "testcase", classname="agentzip", name=_x(report.input.path))
    suite.set("tests", str(max(1, len(report.findings))))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    return suite


def render_all(reports: Sequence[Report], *, color: bool = False) -> str:
    root = ET.Element("testsuites", name="agentzip")
    suites = [_suite(r) for r in reports]
    root.extend(suites)
    root.set("tests", str(sum(int(s.get("tests", "0")) for s in suites)))
    root.set("failures", str(sum(int(s.get("failures", "0")) for s in suites)))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(report: Report, *, color: bool = False) -> str:
    return render_all([report], color=color)
