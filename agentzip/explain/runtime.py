"""Verdicts from what really runs at import (validator/importrun.py): raises, falls back, or fails when used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentzip.explain.model import Diagnosis, Step, as_cause, by, rule_name, with_
from agentzip.explain.native import NativeCauses
from agentzip.foundry import BUNDLED
from agentzip.logscan import ImportFailure
from agentzip.validator.finder import Spec
from agentzip.validator.findings import SHOWN
from agentzip.validator.importrun import IMPORT_ERROR, Outcome

if TYPE_CHECKING:
    from agentzip.validator.importparse import ImportRef
    from agentzip.validator.natives import Native

# A package whose __init__ only declares a namespace the old way runs no code of its own.
_DECLARATIONS = ("extend_path(", "declare_namespace(")
_DECLARATION_LIMIT = 4096


def _chain(refs: tuple[ImportRef, ...]) -> str:
    """`jwt/__init__.py:7 (jwt.api_jwk) -> jwt/algorithms.py:12 (cryptography.hazmat...)`."""
    shown = [f"{r.where} (`{r.name}`)" for r in refs[:6]]
    more = f" -> ... ({len(refs) - 6} more)" if len(refs) > 6 else ""
    return " -> ".join(shown) + more


def _uncaught(refs: tuple[ImportRef, ...], raised: str) -> str:
    """Why a guard on the way did not help: `except ModuleNotFoundError` does not catch ImportError."""
    for r in refs:
        if r.catches:
            names = ", ".join(sorted(set(r.catches)))
            return f"; the `except {names}` around {r.where} does not catch the {raised} it raises"
    return ""


class RuntimeCauses(NativeCauses):
    """A found module's verdict from its import run, its own natives and its dependencies'."""

    def _declared_namespace(self, spec: Spec) -> bool:
        """`__path__ = pkgutil.extend_path(...)` or `pkg_resources.declare_namespace(...)` and little else."""
        path = self.finder.source_file(spec)
        f = self.index.by_path.get(path or "")
        if f is None or f.size > _DECLARATION_LIMIT:
            return False
        source = self._source_of(spec) or ""
        return any(d in source for d in _DECLARATIONS)

    def _source_of(self, spec: Spec) -> str | None:
        raise NotImplementedError

    def _broken_dependency(
        self, module: str, package: Spec, steps: tuple[Step, ...], provider: dict[str, str]
    ) -> Diagnosis | None:
        raise NotImplementedError

    def _from_run(
        self, module: str, spec: Spec, package: Spec, steps: tuple[Step, ...], provider: dict[str, str]
    ) -> Diagnosis | None:
        """What the import run says; None when the module imports and nothing it ships is broken."""
        out = self.runner.run(module)
        if out.raises is not None:
            return self._raised(module, out, steps, provider)
        if out.unknown is not None:
            broken = self._broken_natives(package)
            code = broken[0].code if broken else None
            beside = f"; {broken[0].path} beside it is {broken[0].reason}" if broken else ""
            return Diagnosis(
                module,
                "unknown",
                "not-followed",
                f"`{module}` is found{by(provider)}, but what it imports was not followed to the end: "
                f"{out.unknown}{beside}",
                code=code,
                rule=rule_name(code),
                steps=steps,
                provider=provider,
                paths=tuple(n.path for n in broken),
            )
        return self._imports_with_natives(module, spec, package, out, steps, provider)

    def _raised(self, module: str, out: Outcome, steps: tuple[Step, ...], provider: dict[str, str]) -> Diagnosis:
        raised = out.raises or IMPORT_ERROR
        via = f" through {_chain(out.chain)}" if out.chain else ""
        native = next((n for n in self.index.natives if n.path == out.native), None)
        if native is None and out.chain:
            # nothing of that name: a package that ships its native code for another platform only
            folder = out.chain[-1].file.rpartition("/")[0] + "/"
            native = next((n for n in self.index.natives if n.problem and n.path.startswith(folder)), None)
            if native is not None:
                d = self._native_diagnosis(module, [native], steps, provider)
                return with_(
                    d,
                    message=f"`{module}` will not import: {raised}: {out.why}{via}: its native code is only "
                    f"{native.path}, {native.reason}{_uncaught(out.chain, raised)}",
                )
        if native is not None:
            what = (
                ""
                if out.why.startswith(native.path)
                else f"; {native.path} is {native.reason}"
                if raised == IMPORT_ERROR
                else f"; {native.path} ({native.reason}) is not an extension module Python {self._v} on Linux loads"
            )
            d = self._native_diagnosis(module, [native], steps, provider)
            return with_(
                d,
                message=f"`{module}` will not import: {raised}: {out.why}{via}{what}{_uncaught(out.chain, raised)}",
            )
        missing = out.why
        if self.ctx.target.mode != BUNDLED:
            return Diagnosis(
                module,
                "unknown",
                "remote-build",
                f"`{module}` is found{by(provider)}, but it imports a module not in the bundle ({missing}{via}): "
                "the remote build installs it if a listed requirement depends on it",
                steps=steps,
                provider=provider,
            )
        shadow = self._shadowed_import(out)
        if shadow is not None:  # the agent's own folder hides what the dependency imports
            return with_(
                shadow,
                module=module,
                steps=steps,
                provider=provider,
                message=f"`{module}` will not import: {raised}: {missing}{via}: {shadow.message}",
            )
        note, fix = self._missing_fix(out)
        return Diagnosis(
            module,
            "fails",
            "dependency-missing",
            f"`{module}` will not import: {raised}: {missing}{via}{_uncaught(out.chain, raised)}{note}",
            fix,
            steps=steps,
            provider=provider,
        )

    def _shadowed_import(self, out: Outcome) -> Diagnosis | None:
        """The missing module's own diagnosis when the agent's code shadows it (`azure/` hiding azure.core)."""
        name = out.chain[-1].name if out.chain else None
        if name is None or self.walk(name).found:
            return None
        d = self.diagnose(name, None)
        return d if d.cause == "shadowed" else None

    def _missing_fix(self, out: Outcome) -> tuple[str, str]:
        """A note on the missing module and the fix, for a module its project stopped shipping too
        (importnames.DROPPED_MODULES: pkg_resources left setuptools in version 82)."""
        from agentzip.validator.importnames import dropped_from

        rebuild = f"rebuild packages/: {self._install('-r requirements.txt')}"
        gone = dropped_from(out.chain[-1].name) if out.chain else None
        if gone is None:
            return "", f"add the distribution that provides it to requirements.txt and {rebuild}"
        project, first = gone
        top = out.chain[-1].name.partition(".")[0]
        bundled = next((d for d in self.index.distributions if d.name == project), None)
        note = (
            f"; {project} {bundled.version} is bundled, but {project} {first} and later no longer ship {top}"
            if bundled is not None
            else f"; {top} comes with {project} before {first}"
        )
        return note, f'add "{project}<{first}" to requirements.txt and {rebuild}'

    def _imports_with_natives(
        self,
        module: str,
        spec: Spec,
        package: Spec,
        out: Outcome,
        steps: tuple[Step, ...],
        provider: dict[str, str],
    ) -> Diagnosis | None:
        """It imports: are native parts left that fail when used, or replaced by a fallback?"""
        fallen = {c.outcome.native: c for c in out.caught if c.outcome.native}
        own = [n for n in self._broken_natives(package) if n.path not in fallen]
        if own:
            return self._fails_when_used(module, spec, package, own, steps, provider)
        if fallen:
            first = next(iter(fallen.values()))
            natives = [n for n in self.index.natives if n.path in fallen]
            paths = tuple(sorted(fallen)) if natives else ()
            return Diagnosis(
                module,
                "imports-fallback",
                "ok-degraded",
                f"`{module}` imports from {spec.path}{by(provider)}, but {first.outcome.native} will not load "
                f"({first.outcome.why}): the `except` around {first.ref.where} catches that and uses slower "
                "pure-Python code",
                f"rebuild packages/ for the target to get the fast code: {self._install('-r requirements.txt')}",
                code=natives[0].code if natives else None,
                rule=rule_name(natives[0].code) if natives else None,
                steps=steps,
                provider=provider,
                paths=paths,
            )
        dependency = self._broken_dependency(module, package, steps, provider)
        if dependency is not None:
            return with_(dependency, verdict="fails-when-used", cause="dependency-lazy-native")
        return None

    def _fails_when_used(
        self,
        module: str,
        spec: Spec,
        package: Spec,
        broken: list[Native],
        steps: tuple[Step, ...],
        provider: dict[str, str],
    ) -> Diagnosis:
        lazy = self._first_lazy_use(package, broken)
        first = (
            f"; the first call that loads it: `{lazy.function}()` ({lazy.where} imports `{lazy.name}`)" if lazy else ""
        )
        d = self._native_diagnosis(module, broken, steps, provider)
        shown = ", ".join(n.path for n in broken[:SHOWN]) + (
            f" and {len(broken) - SHOWN} more" if len(broken) > SHOWN else ""
        )
        return with_(
            d,
            verdict="fails-when-used",
            cause="lazy-native",
            message=f"`{module}` imports from {spec.path}{by(provider)}, but its native code is loaded later and "
            f"will not load: {shown} {'is' if len(broken) == 1 else 'are'} {broken[0].reason}{first}",
        )

    def _namespace_not_extension(
        self,
        module: str,
        spec: Spec,
        beside: list[Native],
        steps: tuple[Step, ...],
        provider: dict[str, str],
        name: str | None = None,
    ) -> Diagnosis:
        """A folder found as a namespace where the native code of the same name is not an extension here;
        `from module import name` (`name` given) fails, and for the native's own cause."""
        d = self._native_diagnosis(module, beside, steps, provider)
        found = (
            f"`{module}` imports as an empty namespace package ({', '.join(p + '/' for p in spec.search)}), "
            f"not as the native code beside it: {beside[0].path} is {beside[0].reason}, which Python {self._v} on "
            "Linux does not load as an extension"
        )
        if name is not None:
            return with_(d, message=f"`from {module} import {name}` fails: {found}, so the namespace has no `{name}`")
        return with_(
            d,
            verdict="fails-when-used",
            cause=as_cause("namespace-not-extension"),
            message=f"{found}; `from {module} import <name>` fails",
        )

    # -- loader errors read from a log -----------------------------------------------------------

    def _bundle_path(self, path: str) -> str | None:
        """The bundle file an absolute path in a log is (`/app/packages/x/y.so` -> `packages/x/y.so`)."""
        parts = path.strip("/").split("/")
        for i in range(len(parts)):
            candidate = "/".join(parts[i:])
            if candidate in self.index.by_path:
                return candidate
        return None

    def _bad_binary(self, failure: ImportFailure) -> Diagnosis:
        """`ImportError: /abs/x.so: invalid ELF header` (or cannot open): the file's real format, by its header."""
        where = failure.detail or failure.module
        path = self._bundle_path(where)
        native = next((n for n in self.index.natives if n.path == path), None) if path else None
        if native is None or native.problem is None:
            if path is None and "cannot open shared object file" in failure.line:
                return self._library_failure(failure, where.rsplit("/", 1)[-1])
            what = f"{path} is {native.reason}, which should load" if native else f"`{where}` is not in this bundle"
            return Diagnosis(
                failure.module,
                "unknown",
                "native",
                f"the loader rejected {where}; {what}: is the log from another build of it?",
                paths=(path,) if path else (),
                log=failure.line,
            )
        owner = native.owner
        who = f" ({owner.display_name} {owner.version}, tags {', '.join(owner.tag_text)})" if owner else ""
        module = self.finder.module_name(native.path) or failure.module
        d = self._native_diagnosis(module, [native], (), {})
        return with_(
            d,
            message=f"`{module}` will not import: the loader read {native.path}{who}, and it is {native.reason}, "
            f"not a Linux x86_64 library Python {self._v} can load",
            log=failure.line,
        )

    def _windows_wheel(self, failure: ImportFailure) -> Diagnosis:
        """delvewheel's `os.add_dll_directory` call: a Windows wheel's package ran on Linux."""
        path = self._bundle_path(failure.detail) if failure.detail else None
        owner = self.owner(path) if path else None
        if owner is None:
            owner = next((d for d in self.index.distributions if any("win" in t for t in d.tag_text)), None)
        who = (
            f"{owner.display_name} {owner.version} was installed from a Windows wheel "
            f"(tags {', '.join(owner.tag_text)})"
            if owner
            else "a package was installed from a Windows wheel"
        )
        module = self.finder.module_name(path) if path else None
        return Diagnosis(
            module or (owner.display_name if owner else "os.add_dll_directory"),
            "fails",
            "windows",
            f"{who}: delvewheel patched its `__init__` to call `os.add_dll_directory`, which exists only on "
            "Windows, so the import stops there on Linux",
            self._install("-r requirements.txt"),
            code="AZ301",
            rule=rule_name("AZ301"),
            paths=(path,) if path else (),
            log=failure.line,
        )
