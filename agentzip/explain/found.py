"""Causes for a module the finder finds that still will not import: shadowed, broken natives, names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agentzip.errors import ArchiveError
from agentzip.explain.closure import closure_diagnosis
from agentzip.explain.model import Diagnosis, Step, by, with_
from agentzip.explain.native import SOURCE_LIMIT
from agentzip.explain.runtime import RuntimeCauses
from agentzip.foundry import BUNDLED
from agentzip.validator.finder import Resolution, Spec
from agentzip.validator.projectname import canonicalize_name
from agentzip.validator.stdlib import NEEDS_SYSTEM_LIBRARY

if TYPE_CHECKING:
    pass


class FoundCauses(RuntimeCauses):
    """The module is on sys.path: does it load, and is it the module the code wants?"""

    def _found(self, module: str, w: Resolution, name: str | None) -> Diagnosis:
        spec = w.specs[-1]
        steps = tuple(w.steps)
        if spec.kind in ("stdlib", "builtin"):
            return self._stdlib(module, spec, steps, name)
        shadow = self._shadowed(module, w)
        if shadow is not None:
            return shadow
        provider = self._provider(spec)
        if spec.kind == "namespace":
            beside = self._unloadable(module)
            if beside:
                return self._namespace_not_extension(module, spec, beside, steps, provider, name)
        # The package the module belongs to (its first regular component: `azure/identity/` for
        # azure.identity.aio): a broken native anywhere in it breaks the modules that use it.
        package = next((s for s in w.specs if s.kind != "namespace"), spec)
        if package.kind == "namespace" or (len(w.specs) == 1 and self._declared_namespace(spec)):
            # a declaration runs code all the same: `__import__("pkg_resources")` needs a setuptools before 82
            out = self.runner.run(module)
            if out.raises is not None:
                return self._raised(module, out, steps, provider)
            where = ", ".join(p + "/" for p in spec.search) or spec.path
            return Diagnosis(
                module,
                "imports",
                "ok",
                f"`{module}` imports as a namespace package from {where}",
                steps=steps,
                provider={"kind": "namespace", "path": spec.path or ""},
            )
        if spec.kind == "bytecode":
            return self._bytecode(module, spec, steps, provider)
        ran = self._from_run(module, spec, package, steps, provider)
        # A module missing from an installed distribution is, more often than not, a version that
        # dropped it; when the closure shows such a version break, its cause and pin win over "add
        # the distribution" (which is installed).
        if (
            ran is not None
            and ran.cause == "dependency-missing"
            and (closure := closure_diagnosis(module, self.ctx)) is not None
        ):
            return with_(closure, steps=steps, provider=provider)
        if ran is not None and not (name is not None and ran.verdict != "fails"):
            return ran
        checked = self._name_check(module, spec, steps, provider, name)
        if checked is not None:
            return checked
        if (closure := closure_diagnosis(module, self.ctx)) is not None:
            return with_(closure, steps=steps, provider=provider)
        return Diagnosis(
            module,
            "imports",
            "ok",
            f"`{module}` imports from {spec.path}{by(provider)}",
            steps=steps,
            provider=provider,
            paths=(spec.path,) if spec.path else (),
        )

    def _stdlib(self, module: str, spec: Spec, steps: tuple[Step, ...], name: str | None) -> Diagnosis:
        """A standard-library module: it imports, unless it needs a system library or lacks the name."""
        top = module.split(".", 1)[0]
        if top in NEEDS_SYSTEM_LIBRARY:
            return Diagnosis(
                module,
                "unknown",
                "needs-system-library",
                f"`{module}` is in Python {self._v}'s standard library but needs {NEEDS_SYSTEM_LIBRARY[top]}, "
                "which the runtime image does not document; slim images lack it, and then the import fails",
                "avoid the module on a server (no display there), or deploy a container image that installs "
                "the library",
                steps=steps,
                provider={"kind": "stdlib"},
            )
        return self._name_check(module, spec, steps, {"kind": "stdlib"}, name) or Diagnosis(
            module,
            "imports",
            "ok",
            f"`{module}` is part of Python {self._v}'s standard library",
            steps=steps,
            provider={"kind": "stdlib"},
        )

    def _shadowed(self, module: str, w: Resolution) -> Diagnosis | None:
        """The agent's own file or folder found where a dependency or the stdlib was wanted."""
        base = self.index.source_base
        own = [
            s for s in w.specs if s.entry == base and s.kind != "namespace" and s.path and self.owner(s.path) is None
        ]
        if not own or base not in self.entries:
            return None
        hidden = self.walk(module, skip=base)
        mine = own[0]
        mine_name = ".".join(module.split(".")[: w.specs.index(mine) + 1])
        itself = w.found and w.specs[-1] == mine
        if len(hidden.specs) == len(module.split(".")):
            real = hidden.specs[-1]
            if real.kind in ("stdlib", "builtin"):
                what = "the standard library's"
            elif real.kind == "namespace":
                owners = sorted({d.display_name for d in self.index.provided_modules.get(module.split(".", 1)[0], [])})
                listed = f" ({', '.join(owners[:4])}{' and more' if len(owners) > 4 else ''})" if owners else ""
                what = f"the `{module}` namespace package in {', '.join(p + '/' for p in real.search)}{listed}"
            else:
                what = f"{real.path}{by(self._provider(real))}"
        else:
            project = self._required_project(module)
            if project is None or self.ctx.target.mode == BUNDLED:
                return None
            what = f"{project.requirement.name if project.requirement else project.text} from requirements.txt"
        return self._diagnosis_with_rule(
            "AZ403",
            [mine.path or "", (mine.path or "").rstrip("/")],
            module,
            # importing the agent's own module works (it is the wrong one); its missing submodules do not
            "fails-when-used" if itself else "fails",
            "shadowed",
            f"{'' if itself else f'`{module}` will not import: '}`{mine_name}` resolves to the agent's own "
            f"`{mine.path}`, which hides {what}: the entry point's folder comes first on sys.path",
            f"rename `{mine.path}` (e.g. `{module.split('.', 1)[0]}_local`) and update the imports of it",
            steps=tuple(w.steps),
            paths=(mine.path or "",),
        )

    def _broken_dependency(
        self, module: str, package: Spec, steps: tuple[Step, ...], provider: dict[str, str]
    ) -> Diagnosis | None:
        """A bundled dependency (Requires-Dist, transitively) whose own import fails on native code."""
        from agentzip.validator.depcheck import applies, by_name

        start = self.owner(package.path or "")
        if start is None:
            return None
        suspects = {n.owner.name for n in self.index.natives if n.problem is not None and n.owner is not None}
        suspects.discard(start.name)
        if not suspects:
            return None
        present = by_name(self.index.distributions)
        env = self.ctx.target.marker_environment()
        chain: dict[str, list[str]] = {start.name: [start.display_name]}
        queue = [start]
        while queue:
            d = queue.pop(0)
            for r in d.requires_dist:
                dep = canonicalize_name(r.name)
                if dep in chain or dep not in present or not applies(r.marker, env):
                    continue
                found = present[dep][0]
                chain[dep] = [*chain[d.name], found.display_name]
                queue.append(found)
                if dep not in suspects:
                    continue
                for name in sorted(found.import_names):
                    if "." in name:
                        continue
                    sub = self.diagnose(name, None)
                    if sub.verdict == "fails" and sub.code and sub.code.startswith("AZ3"):
                        path = " -> ".join(chain[dep])
                        return with_(
                            sub,
                            module=module,
                            provider=provider,
                            steps=steps,
                            message=f"`{module}` is found{by(provider)}, but it needs {found.display_name} "
                            f"{found.version} ({path}), which will not import: {sub.message}",
                        )
        return None

    def _bytecode(self, module: str, spec: Spec, steps: tuple[Step, ...], provider: dict[str, str]) -> Diagnosis:
        from agentzip.validator.stdlib import loads_pyc, pyc_version

        path = spec.path or ""
        try:
            head = self.ctx.bundle.head(self.index.by_path[path], 4)
        except ArchiveError:
            head = b""
        if loads_pyc(head, self.version):
            return Diagnosis(
                module,
                "imports",
                "ok",
                f"`{module}` imports from the bytecode file {path} (no source beside it)",
                steps=steps,
                provider=provider,
                paths=(path,),
            )
        v = pyc_version(head)
        built = f"CPython {v[0]}.{v[1]}" if v else "another Python"
        return self._diagnosis_with_rule(
            "AZ404",
            [path],
            module,
            "fails",
            "foreign-bytecode",
            f"`{module}` is only the bytecode file {path}, compiled for {built}: Python {self._v} stops with "
            "`ImportError: bad magic number`",
            f"ship the source `{path[:-1]}` instead of the .pyc",
            steps=steps,
            provider=provider,
            paths=(path,),
        )

    def _name_check(
        self, module: str, spec: Spec, steps: tuple[Step, ...], provider: dict[str, str], name: str | None
    ) -> Diagnosis | None:
        """`cannot import name X from M`: is X a submodule, or written anywhere in M's source?"""
        if name is None:
            return None
        sub = self.walk(f"{module}.{name}")
        if len(sub.specs) == len(module.split(".")) + 1:
            return None
        natives = self._unloadable(f"{module}.{name}", spec.search) if spec.search else []
        if natives:  # `from lxml import etree` where etree is an extension for another Python or platform
            lead = self._only_native(f"{module}.{name}", natives)
            return with_(self._native_diagnosis(module, natives, steps, provider, lead=lead), name=name)
        if spec.kind == "stdlib":
            return Diagnosis(
                module,
                "fails",
                "name-missing",
                f"Python {self._v}'s `{module}` has no `{name}` (removed or renamed in this version, or never there)",
                f"check the {self._v} documentation of `{module}` for what replaces `{name}`",
                steps=steps,
                provider=provider,
                name=name,
            )
        source = self._source_of(spec)
        if source is None:
            return Diagnosis(
                module,
                "unknown",
                "name-unknown",
                f"`{module}` is found{by(provider)}, but agentzip cannot read its source to look for `{name}`",
                "",
                steps=steps,
                provider=provider,
                name=name,
            )
        return self._name_in_source(module, spec, steps, provider, name, source)

    def _name_in_source(
        self, module: str, spec: Spec, steps: tuple[Step, ...], provider: dict[str, str], name: str, source: str
    ) -> Diagnosis:
        """The module's source mentions the name (it fails inside), or not (another version was expected)."""
        if re.search(rf"\b{re.escape(name)}\b", source):
            return Diagnosis(
                module,
                "unknown",
                "name-defined",
                f"`{module}`{by(provider)} does mention `{name}`: the import may fail inside it (a circular "
                "import, or an error while it loads); the full traceback names the first failing line",
                "read the traceback lines above the ImportError",
                steps=steps,
                provider=provider,
                name=name,
            )
        version = f" {provider['version']}" if provider.get("version") else ""
        who = provider.get("distribution")
        fix = (
            f"require the version of {who} that provides `{name}` in requirements.txt (its changelog says when it "
            "appeared or was removed), then rebuild packages/"
            if who
            else f"define `{name}` in {spec.path}, or import it from the module that has it"
        )
        return Diagnosis(
            module,
            "fails",
            "name-missing",
            f"`{module}` is found{by(provider)}, but it has no `{name}`: neither a submodule nor a name in its "
            f"source{f' (the code expects another version than{version})' if who else ''}",
            fix,
            steps=steps,
            provider=provider,
            paths=(spec.path or "",),
            name=name,
        )

    def _source_of(self, spec: Spec) -> str | None:
        """The source that runs when the module is imported, or None (an extension, bytecode, unreadable)."""
        path = self.finder.source_file(spec)
        if path is None or path not in self.index.by_path:
            return None
        try:
            return self.ctx.bundle.read(self.index.by_path[path], SOURCE_LIMIT).decode("utf-8", "replace")
        except ArchiveError:
            return None
