"""The result of `agentzip explain`: a Diagnosis per module, and the JSON document it becomes.

`agentzip explain --format json` prints one document (schema 1; fields are added, never changed):

- `agentzip`: the version that wrote it; `schema`: 1.
- `input`: the bundle (`path`, `kind` zip|folder, `bytes`, `sha256`), as in `check`.
- `target`: `runtime`, `mode`, `entry_point`, as in `check`.
- `explanations`: one object per module asked about or failure read from a log:
  - `module`: the dotted name (or the shared library / file a loader error names);
  - `verdict`: a Verdict, what the import statement does on the target:
    "fails": it raises (`agentzip explain` exits 1 when any module fails);
    "fails-when-used": it imports, but a native part it loads later will not load (named in
      `paths`; `message` names the first call that loads it when the sources show one);
    "imports-fallback": it imports, using slower pure-Python code in place of a native part;
    "imports": it imports; "unknown": agentzip cannot tell (why in `message`);
  - `cause`: a Cause, a stable key ("ok", "shadowed", "raw-wheel", "windows-binary", ...);
  - `code`, `rule`: the check rule that knows the cause, or null;
  - `message`: the cause with its evidence; `fix`: one line, the command when there is one;
  - `provider`: what provides the module: {"kind": "stdlib"|"namespace"|"agent"|"packages"|
    "distribution", "path", "distribution", "version"}, or null;
  - `chain`: where the runtime looked, in order: [{"where": "./"|"packages/"|"stdlib"|"builtin",
    "found": path or null, "kind": package|module|extension|bytecode|namespace|stdlib|builtin|null}];
  - `paths`: the bundle paths involved; `suggestions`: close names or projects;
  - `name` (only for `cannot import name X`): X; `log` (only for `--log`): the line it answers.
- `summary`: {verdict: n} for every verdict; `notes`: lines about the run.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Literal, get_args

from agentzip.validator.finder import Step
from agentzip.validator.findings import InputInfo

__all__ = ["CAUSES", "DOTTED", "Cause", "Diagnosis", "Explanation", "Step", "Verdict", "by", "rule_name", "with_"]

DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")

Verdict = Literal["fails", "fails-when-used", "imports-fallback", "imports", "unknown"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)

# Causes are stable keys: JSON readers switch on them. Native problems (windows-binary, ...)
# and the archive rule names explain reports through (corrupt-archive) are causes too.
Cause = Literal[
    "ok",
    "ok-degraded",
    "lazy-native",
    "namespace-not-extension",
    "dependency-lazy-native",
    "dependency-missing",
    "not-followed",
    "needs-system-library",
    "shadowed",
    "foreign-bytecode",
    "name-missing",
    "name-unknown",
    "name-defined",
    "not-in-stdlib",
    "not-importable",
    "namespace-lost",
    "no-submodule",
    "case-mismatch",
    "removed-stdlib-module",
    "windows-only",
    "stdlib-too-new",
    "raw-wheel",
    "not-on-sys-path",
    "files-missing",
    "requirement-not-bundled",
    "declared-not-installed",
    "dependency-not-bundled",
    "marker-excludes",
    "remote-build",
    "no-requirements",
    "not-bundled",
    "nowhere",
    "empty-bundle",
    "corrupt-archive",
    "wrapper-folder",
    "glibc-too-new",
    "system-library-missing",
    # native files that will not load (validator/natives.py problems), "native" for any other
    "windows",
    "macos",
    "architecture",
    "musl",
    "glibc",
    "abi",
    "native",
]
CAUSES: frozenset[str] = frozenset(get_args(Cause))


def as_cause(key: str | None) -> Cause:
    """A native problem or rule name as a Cause; "native" for one this version does not know."""
    return key if key in CAUSES else "native"  # type: ignore[return-value]


@dataclass(frozen=True)
class Diagnosis:
    """Why one module imports or not, with the evidence and the fix."""

    module: str
    verdict: Verdict
    cause: Cause
    message: str
    fix: str = ""
    code: str | None = None  # the check rule that knows this cause
    rule: str | None = None
    provider: dict[str, str] | None = None  # {"kind", "path", "distribution", "version"}
    steps: tuple[Step, ...] = ()
    paths: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    name: str | None = None  # `cannot import name X`: X
    log: str | None = None  # the log line this answers

    @property
    def fails(self) -> bool:
        return self.verdict == "fails"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "module": self.module,
            "verdict": self.verdict,
            "cause": self.cause,
            "code": self.code,
            "rule": self.rule,
            "message": self.message,
            "fix": self.fix,
            "provider": self.provider,
            "chain": [s.to_json() for s in self.steps],
            "paths": list(self.paths),
            "suggestions": list(self.suggestions),
        }
        if self.name is not None:
            data["name"] = self.name
        if self.log is not None:
            data["log"] = self.log
        return data


@dataclass(frozen=True)
class Explanation:
    """Every diagnosis for one bundle and target."""

    input: InputInfo
    target: dict[str, Any]
    diagnoses: tuple[Diagnosis, ...]
    notes: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return any(d.fails for d in self.diagnoses)

    def summary(self) -> dict[str, int]:
        return {v: sum(d.verdict == v for d in self.diagnoses) for v in VERDICTS}

    def to_json(self) -> dict[str, Any]:
        from agentzip import __version__

        return {
            "agentzip": __version__,
            "schema": 1,
            "input": self.input.to_json(),
            "target": self.target,
            "explanations": [d.to_json() for d in self.diagnoses],
            "summary": self.summary(),
            "notes": list(self.notes),
        }


def by(provider: dict[str, str] | None) -> str:
    """ " (PyYAML 6.0.2)" or " (the agent's own code)" after a path; "" when nothing is known."""
    if not provider:
        return ""
    if provider.get("distribution"):
        return f" ({provider['distribution']} {provider.get('version', '')})".replace(" )", ")")
    if provider.get("kind") == "agent":
        return " (the agent's own code)"
    return ""


def rule_name(code: str | None) -> str | None:
    from agentzip.validator.registry import find_rule

    r = find_rule(code) if code else None
    return r.name if r else None


def with_(d: Diagnosis, **changes: Any) -> Diagnosis:
    return dataclasses.replace(d, **changes)
