"""What every cause needs: the bundle's facts, the finder, and the check rules' own findings."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from agentzip.errors import UsageError
from agentzip.explain.model import Cause, Diagnosis, Verdict
from agentzip.foundry import DEFAULT_RUNTIME, PACKAGES, PYTHON_RUNTIMES
from agentzip.validator.context import Context
from agentzip.validator.finder import Finder, Resolution, Spec
from agentzip.validator.findings import Finding
from agentzip.validator.importnames import candidate_projects
from agentzip.validator.importrun import ImportRun
from agentzip.validator.projectname import canonicalize_name

if TYPE_CHECKING:
    from agentzip.validator.bundle import BundleFile
    from agentzip.validator.distributions import Distribution
    from agentzip.validator.requirements import RequirementLine


class Session:
    """One explain run over one bundle and target; facts shared with `check` through ctx.index."""

    def __init__(self, ctx: Context) -> None:
        if not ctx.target.is_python:
            raise UsageError(
                f"explain walks Python imports; the target runtime is {ctx.target.runtime} "
                "(pass --runtime python_3_13 or python_3_14 if the agent is Python)"
            )
        self.ctx = ctx
        self.index = ctx.index
        self.version = ctx.target.python_version or PYTHON_RUNTIMES[DEFAULT_RUNTIME]
        self.finder = Finder.of(self.index, self.version)
        self.suffixes = self.finder.suffixes
        self._findings: dict[str, list[Finding]] = {}
        self._done: dict[tuple[str, str | None], Diagnosis] = {}
        self._spent = 0  # source bytes read, against TOTAL_SOURCE_BUDGET

    @property
    def entries(self) -> tuple[str, ...]:
        """The bundle's sys.path entries, in order: the entry point's folder, then packages/."""
        return self.finder.entries

    @property
    def files(self) -> dict[str, BundleFile]:
        """Every file of the bundle by path (the Index's own table)."""
        return self.index.by_path

    @cached_property
    def runner(self) -> ImportRun:
        """What runs at import, followed through the bundle's sources (one parse per file)."""
        from agentzip.errors import ArchiveError
        from agentzip.explain.native import ELF_LIMIT, SOURCE_LIMIT

        def read(path: str, limit: int = SOURCE_LIMIT) -> bytes | None:
            f = self.index.by_path.get(path)
            if f is None:
                return None
            try:
                return self.ctx.bundle.read(f, limit)
            except ArchiveError:
                return None

        broken = {n.path: n.reason for n in self.index.natives if n.problem is not None}
        return ImportRun(self.finder, read, broken, read_binary=lambda p: read(p, ELF_LIMIT))

    def rule_findings(self, code: str) -> list[Finding]:
        """What one check rule finds on this bundle, run once."""
        if code not in self._findings:
            from agentzip.validator.engine import run_rules
            from agentzip.validator.registry import find_rule

            r = find_rule(code)
            self._findings[code] = run_rules(self.ctx, [r]) if r is not None else []
        return self._findings[code]

    def finding(self, code: str, paths: Iterable[str]) -> Finding | None:
        """The check rule's own finding covering one of these paths, when it fires on this bundle."""
        wanted = set(paths)
        for f in self.rule_findings(code):
            covered = {f.path, *f.paths} if f.path else set(f.paths)
            if covered & wanted or any(p.startswith(tuple(w for w in wanted if w.endswith("/"))) for p in covered if p):
                return f
        return None

    def owner(self, path: str) -> Distribution | None:
        """The distribution that installed a file or folder (RECORD), if any."""
        if not path.endswith("/"):
            return self.index.owner_of(path)
        for candidate in (f"{path}__init__.py", *(f"{path}__init__{s}" for s in self.suffixes)):
            d = self.index.owner_of(candidate)
            if d is not None:
                return d
        for p, d in self.index.owners.items():
            if p.startswith(path):
                return d
        return None

    def _provider(self, spec: Spec) -> dict[str, str]:
        path = spec.path or ""
        d = self.owner(path)
        if d is not None:
            return {"kind": "distribution", "path": path, "distribution": d.display_name, "version": d.version}
        if spec.entry == PACKAGES:
            return {"kind": "packages", "path": path}
        return {"kind": "agent", "path": path}

    def walk(self, name: str, skip: str | None = None) -> Resolution:
        """The finder's walk of a dotted name (`skip`: one sys.path entry left out)."""
        return self.finder.find(name, skip)

    def diagnose(self, module: str, name: str | None) -> Diagnosis:
        """One module's diagnosis, computed once (the explainer dispatches to the causes)."""
        raise NotImplementedError

    @property
    def _v(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"

    def _install(self, what: str) -> str:
        from agentzip.validator.hints import install_command

        return install_command(self.ctx, what)

    def _required_project(self, module: str) -> RequirementLine | None:
        wanted = candidate_projects(module)
        for ln in self.index.requirements.requirements:
            if ln.requirement is not None and canonicalize_name(ln.requirement.name) in wanted:
                return ln
        return None

    def _diagnosis_with_rule(
        self,
        code: str,
        rule_paths: Iterable[str],
        module: str,
        verdict: Verdict,
        cause: Cause,
        message: str,
        fix: str,
        **kw: Any,
    ) -> Diagnosis:
        """A diagnosis whose cause a check rule knows: its code, and the fix its finding gives when it
        fired on one of `rule_paths` (none given: the rule's findings cannot be told apart by path)."""
        from agentzip.validator.registry import find_rule

        r = find_rule(code)
        f = self.finding(code, [p for p in rule_paths if p]) if r is not None else None
        if f is not None and f.hint:
            fix = f.hint
        return Diagnosis(
            module, verdict, cause, message, fix, code=r.code if r else None, rule=r.name if r else None, **kw
        )
