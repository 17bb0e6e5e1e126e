"""Severity, Finding and Report: frozen values (named tuples: cheap to define at start-up) in a stable order."""

import enum
from collections import Counter

from agentzip.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Paths a message names before "and N more"; every path is in the finding's `paths`.
SHOWN = 3


class Severity(enum.IntEnum):
    """How bad a finding is; higher is worse, so `--fail-on` is a comparison."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (error, warning or info)") from None


class Hit(NamedTuple):
    """What a rule yields: where, what is wrong (with the facts), and the one-line fix."""

    path: str | None
    message: str
    hint: str = ""
    # every path this one cause covers (400 .pyd files of one distribution are one hit)
    paths: tuple[str, ...] = ()
    severity: Severity | None = None  # None: the rule's default
    line: int | None = None  # 1-based line in the file at `path` (definition files), when known


class Finding(NamedTuple):
    """A hit turned into a report line by the engine."""

    code: str
    rule: str
    severity: Severity
    path: str | None
    message: str
    hint: str = ""
    paths: tuple[str, ...] = ()
    line: int | None = None

    def sort_key(self) -> tuple[int, str, str, str]:
        return (-int(self.severity), self.path or "", self.code, self.message)

    def to_json(self) -> "dict[str, Any]":
        data: dict[str, Any] = {
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity.label,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }
        if self.paths:
            data["paths"] = list(self.paths)
        if self.line is not None:
            data["line"] = self.line
        return data


class InputInfo(NamedTuple):
    """What was checked: a zip or a folder, its size and (for a zip) its SHA-256."""

    path: str
    kind: str  # "zip" | "folder"
    bytes: int
    sha256: str | None

    def to_json(self) -> "dict[str, Any]":
        return {"path": self.path, "kind": self.kind, "bytes": self.bytes, "sha256": self.sha256}


class Report(NamedTuple):
    """The findings of one check, sorted, plus what was checked and against which target."""

    input: InputInfo
    target: "dict[str, Any]"
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()  # e.g. what was inferred about the target
    fail_on: Severity = Severity.ERROR  # from --fail-on or the config file: what `failed` means

    @classmethod
    def build(
        cls,
        input: InputInfo,
        target: "dict[str, Any]",
        findings: list[Finding],
        notes: tuple[str, ...] = (),
    ) -> "Report":
        return cls(input, target, tuple(sorted(findings, key=Finding.sort_key)), notes)

    def summary(self) -> dict[str, int]:
        counts = Counter(f.severity.label for f in self.findings)
        return {s.label: counts.get(s.label, 0) for s in sorted(Severity, reverse=True)}

    def fails(self, fail_on: Severity) -> bool:
        return any(f.severity >= fail_on for f in self.findings)

    @property
    def failed(self) -> bool:
        """True when a finding reaches the report's own threshold (exit status 1)."""
        return self.fails(self.fail_on)
