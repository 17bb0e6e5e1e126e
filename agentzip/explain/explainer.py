"""The explainer: one diagnosis per module, dispatched to the found, missing and native causes."""

from __future__ import annotations

from agentzip.errors import UsageError
from agentzip.explain.missing import MissingCauses
from agentzip.explain.model import DOTTED, Diagnosis, as_cause, with_
from agentzip.foundry import PACKAGES
from agentzip.logscan import ImportFailure


class Explainer(MissingCauses):
    """Diagnoses for one bundle and target, each computed once."""

    def explain(self, module: str, failure: ImportFailure | None = None) -> Diagnosis:
        module = module.strip()
        if failure is not None and failure.kind in ("shared-library", "glibc"):
            return self._native_failure(failure)
        if failure is not None and failure.kind == "bad-binary":
            return self._bad_binary(failure)
        if failure is not None and failure.kind == "windows-wheel":
            return self._windows_wheel(failure)
        if failure is not None and failure.kind == "raised":
            return self._raised_at_load(failure)
        if not DOTTED.match(module):
            raise UsageError(f"{module!r} is not a module name (expected a dotted name like yaml or azure.identity)")
        d = self.diagnose(module, failure.name if failure else None)
        if failure is not None:
            d = with_(d, log=failure.line, name=failure.name)
            if "partially initialized" in failure.line and d.verdict == "fails":
                d = with_(
                    d,
                    message="Python stopped part-way through an import it calls circular; here the cause is "
                    f"an import that fails inside it: {d.message}",
                )
            if d.verdict == "imports":
                d = with_(
                    d,
                    message=d.message + " in this bundle: the log must come from another build of it, "
                    "or from another runtime or mode than the one explained here (see target)",
                )
        return d

    def _raised_at_load(self, failure: ImportFailure) -> Diagnosis:
        """An error the log's patterns do not know: the module whose load raised it (the innermost
        module-level frame in the bundle) is explained as `explain -m` explains it."""
        path = next((p for f in reversed(failure.frames) if (p := self._bundle_path(f)) is not None), None)
        module = self.finder.module_name(path) if path else None
        if path is None or module is None:
            return Diagnosis(
                failure.module,
                "unknown",
                "not-followed",
                f"the log's `{failure.line}` is raised while {failure.module} loads, which is not a module of "
                "this bundle: is the log from another build of it?",
                log=failure.line,
            )
        d = self.diagnose(module, None)
        if d.verdict != "fails":
            return with_(
                d,
                verdict="unknown",
                cause="not-followed",
                message=f"{d.message}, as far as agentzip follows it; the log's `{failure.line}` is raised by the "
                f"code of {path} as it loads (the traceback's lines there say why)",
                log=failure.line,
            )
        return with_(d, log=failure.line)

    def diagnose(self, module: str, name: str | None) -> Diagnosis:
        key = (module, name)
        if key not in self._done:
            self._done[key] = self._diagnose_once(module, name)
        return self._done[key]

    def _diagnose_once(self, module: str, name: str | None) -> Diagnosis:
        if not self.index.files:
            return self._unreadable(module)
        wrapper = self.index.wrapper_dir
        if wrapper is not None:
            return self._wrapped(module, wrapper)
        w = self.walk(module)
        parts = module.split(".")
        if len(w.specs) == len(parts):
            return self._found(module, w, name)
        return self._missing(module, w)

    def _unreadable(self, module: str) -> Diagnosis:
        """No files at all: a zip no reader can open, or an empty bundle."""
        for code in ("AZ001", "AZ104"):
            found = self.rule_findings(code)
            if found:
                f = found[0]
                return Diagnosis(
                    module,
                    "fails",
                    as_cause(f.rule),
                    f"nothing in the bundle can be imported: {f.message}",
                    f.hint,
                    code=f.code,
                    rule=f.rule,
                )
        return Diagnosis(
            module, "fails", "empty-bundle", "the bundle has no files", "", code="AZ104", rule="empty-bundle"
        )

    def _wrapped(self, module: str, wrapper: str) -> Diagnosis:
        if self.finder.is_stdlib_top(module.split(".", 1)[0]):
            w = self.walk(module)  # the standard library does not need the bundle's layout
            if w.found:
                return self._found(module, w, None)
        rel = module.replace(".", "/")
        inside = [
            p
            for p in (f"{wrapper}/{rel}", f"{wrapper}/{PACKAGES}/{rel}")
            if p in self.index.dirs or any(p + s in self.files for s in (".py", *self.suffixes))
        ]
        found = f"; it is at {inside[0]}" if inside else ""
        return self._diagnosis_with_rule(
            "AZ101",
            [wrapper + "/"],
            module,
            "fails",
            "wrapper-folder",
            f"everything in the bundle is inside `{wrapper}/`: the runtime looks for the entry point and the "
            f"modules at the zip root, where there is only that folder{found}",
            f"zip the folder's contents, not the folder: cd {wrapper} && zip -r ../agent-code.zip .",
            paths=tuple(inside),
        )
