"""Causes for a module the finder does not find: a missing submodule, a wrong case, a folder off sys.path."""

from __future__ import annotations

import difflib

from agentzip.explain.model import DOTTED, Diagnosis, Step, by, with_
from agentzip.explain.requirements import RequirementCauses
from agentzip.foundry import BUNDLED
from agentzip.validator.finder import Resolution, Spec, entry_label
from agentzip.validator.findings import SHOWN
from agentzip.validator.importnames import candidate_projects, import_key
from agentzip.validator.projectname import canonicalize_name
from agentzip.validator.stdlib import added_after, is_windows_only, removal, stdlib_modules


class MissingCauses(RequirementCauses):
    """Not found on sys.path: where is it, then?"""

    def _missing(self, module: str, w: Resolution) -> Diagnosis:
        parts = module.split(".")
        depth = len(w.specs)  # components found
        steps = tuple(w.steps)
        key_depth = len(import_key(module).split("."))
        if depth >= 1:
            shadow = self._shadowed(".".join(parts[:depth]), self.walk(".".join(parts[:depth])))
            if shadow is not None and depth < key_depth + 1:
                return with_(
                    shadow,
                    module=module,
                    verdict="fails",
                    steps=steps,
                    message=f"`{module}` will not import: {shadow.message}, so `{module}` is looked for only there "
                    "and not found",
                )
        if depth and depth >= key_depth:
            return self._no_submodule(module, w)
        return self._not_provided(module, steps)

    def _no_submodule(self, module: str, w: Resolution) -> Diagnosis:
        parts = module.split(".")
        parent = w.specs[-1]
        leaf = parts[len(w.specs)]
        missing = ".".join(parts[: len(w.specs) + 1])
        steps = tuple(w.steps)
        if parent.kind in ("stdlib", "builtin"):
            near = difflib.get_close_matches(missing, sorted(stdlib_modules(self.version)), n=3)
            return Diagnosis(
                module,
                "fails",
                "not-in-stdlib",
                f"Python {self._v}'s standard library has no `{missing}`",
                f"use one of: {', '.join(near)}" if near else "",
                steps=steps,
                provider={"kind": "stdlib"},
                suggestions=tuple(near),
            )
        provider = self._provider(parent)
        # a file of that name that will not load: a native for another platform, or bytecode
        near_files = [
            f"{folder}/{name}"
            for folder in parent.search
            for name in self.finder.children(folder)
            if name.split(".", 1)[0] == leaf
        ]
        natives = self._unloadable(missing, parent.search)
        if natives:
            return self._native_diagnosis(module, natives, steps, provider, lead=self._only_native(missing, natives))
        if near_files:
            return Diagnosis(
                module,
                "fails",
                "not-importable",
                f"`{missing}` exists only as {', '.join(near_files[:SHOWN])}, which Python {self._v} on Linux "
                "does not import (not a .py, nor an extension named for this Python)",
                "install the build of the package made for the target",
                steps=steps,
                provider=provider,
                paths=tuple(near_files),
            )
        return self._no_child(module, w, provider)

    def _no_child(self, module: str, w: Resolution, provider: dict[str, str]) -> Diagnosis:
        """Nothing named like the submodule in the parent's __path__: hidden, miscased, or not there."""
        parts = module.split(".")
        parent = w.specs[-1]
        leaf = parts[len(w.specs)]
        missing = ".".join(parts[: len(w.specs) + 1])
        parent_name = ".".join(parts[: len(w.specs)])
        steps = tuple(w.steps)
        lost = self._lost_portion(parent_name, leaf, parent)
        if lost is not None:
            return Diagnosis(
                module,
                "fails",
                "namespace-lost",
                f"`{missing}` is at {lost}, but `{parent_name}` resolves to the regular package {parent.path}"
                f"{by(provider)}, which ends the search: a folder without __init__.py joins a namespace package "
                "only when no regular package of that name is on sys.path",
                f"rename the agent's `{lost.rsplit('/', 2)[0] if lost.endswith('/') else lost.rsplit('/', 1)[0]}/` "
                "folder (e.g. with a `_local` suffix) and update the imports of it",
                steps=steps,
                provider=provider,
                paths=(lost,),
            )
        # The case check runs on every level: `azure.Identity` against `azure/identity/` too.
        for folder in parent.search:
            case = [c for c in self.finder.children(folder) if c.split(".", 1)[0].lower() == leaf.lower()]
            if case:
                return self._case(module, missing, f"{folder}/{case[0]}", steps, provider)
        children = sorted({c.split(".", 1)[0] for folder in parent.search for c in self.finder.children(folder)})
        near = difflib.get_close_matches(leaf, [c for c in children if DOTTED.match(c)], n=3)
        who = provider.get("distribution")
        if who:
            message = (
                f"`{parent_name}` is found{by(provider)}, but {who} {provider.get('version', '')} has no `{missing}`"
            )
            fix = f"require the version of {who} that has `{missing}` in requirements.txt, then rebuild packages/"
        else:
            message = f"`{parent_name}` is found at {parent.path}, but it has no `{leaf}`"
            fix = f"add `{leaf}` to {parent.path}, or fix the import"
        if near:
            message += f" (it has {', '.join(f'`{n}`' for n in near)})"
        return Diagnosis(
            module,
            "fails",
            "no-submodule",
            message,
            fix,
            steps=steps,
            provider=provider,
            suggestions=tuple(f"{parent_name}.{n}" for n in near),
        )

    def _lost_portion(self, parent_name: str, leaf: str, parent: Spec) -> str | None:
        """`leaf` in a folder of the same dotted name on another sys.path entry, which the regular
        package that was found hides (`tools/mine.py` beside `packages/tools/__init__.py`)."""
        if parent.kind != "package":
            return None
        rel = parent_name.replace(".", "/")
        for entry in self.entries:
            folder = f"{entry}/{rel}" if entry else rel
            if folder in parent.search or folder not in self.index.dirs:
                continue
            spec = self.finder.find_in(folder, leaf)
            if spec is not None and spec.path:
                return spec.path
        return None

    def _case(
        self, module: str, wanted: str, found: str, steps: tuple[Step, ...], provider: dict[str, str] | None = None
    ) -> Diagnosis:
        return Diagnosis(
            module,
            "fails",
            "case-mismatch",
            f"`{wanted}` is not there, but `{found}` is: imports are case-sensitive on Linux (a Windows or macOS "
            "file system forgives the difference)",
            "write the import exactly as the file or folder is named, or rename it",
            steps=steps,
            provider=provider,
            paths=(found,),
        )

    def _not_provided(self, module: str, steps: tuple[Step, ...]) -> Diagnosis:
        key = import_key(module)
        stdlib = self._stdlib_elsewhere(module, steps)
        if stdlib is not None:
            return stdlib
        natives = self._unloadable(module) if "." not in module else []
        if natives:
            provider = (
                {
                    "kind": "distribution",
                    "path": natives[0].path,
                    "distribution": natives[0].owner.display_name,
                    "version": natives[0].owner.version,
                }
                if natives[0].owner
                else None
            )
            return self._native_diagnosis(
                module, natives, steps, provider or {}, lead=self._only_native(module, natives)
            )
        wheel = self._in_raw_wheel(module, steps)
        if wheel is not None:
            return wheel
        case = self._case_elsewhere(key)
        if case is not None:
            return self._case(module, key, case, steps)
        misplaced = self._misplaced(key)
        if misplaced is not None:
            return Diagnosis(
                module,
                "fails",
                "not-on-sys-path",
                f"`{key}` is in the bundle at {misplaced}, but that folder is not on sys.path (the runtime looks "
                f"in {' and '.join(entry_label(e) for e in self.entries)})",
                (
                    "move it into packages/ (dependencies) or next to the entry point (the agent's own code)"
                    if not misplaced.startswith(".venv/") and "/site-packages/" not in misplaced
                    else "a virtual environment is never used by the runtime: install the requirements into packages/ "
                    "(agentzip build --mode bundled) and leave .venv/ out of the zip"
                ),
                steps=steps,
                paths=(misplaced,),
            )
        if self.ctx.target.mode == BUNDLED:
            return self._not_bundled(module, key, steps)
        return self._remote(module, key, steps)

    def _stdlib_elsewhere(self, module: str, steps: tuple[Step, ...]) -> Diagnosis | None:
        """Not in this version's Linux standard library: removed, Windows-only, or newer."""
        top = module.split(".", 1)[0]
        r = removal(module, self.version)
        if r is not None:
            restore = f"; or depend on {' / '.join(r.restored_by[:2])}, which restores `{top}`" if r.restored_by else ""
            return self._diagnosis_with_rule(
                "AZ401",
                (),
                module,
                "fails",
                "removed-stdlib-module",
                f"`{top}` was removed from the standard library in Python {r.removed_in} ({r.pep}), so it does "
                f"not exist on {self.ctx.target.runtime}, and nothing in the bundle restores it",
                f"use {r.replacement} instead{restore}",
                steps=steps,
            )
        if is_windows_only(top):
            return self._diagnosis_with_rule(
                "AZ402",
                (),
                module,
                "fails",
                "windows-only",
                f"`{top}` is a Windows-only standard module; the runtime is Linux",
                'guard the import with `if sys.platform == "win32":` or remove it',
                steps=steps,
            )
        newer = added_after(top, self.version)
        if newer:
            return Diagnosis(
                module,
                "fails",
                "stdlib-too-new",
                f"`{top}` is in the standard library only from Python {newer}, not on {self.ctx.target.runtime}",
                f"deploy with runtime python_{newer.replace('.', '_')}, or avoid `{top}`",
                steps=steps,
            )
        return None

    def _in_raw_wheel(self, module: str, steps: tuple[Step, ...]) -> Diagnosis | None:
        top = module.split(".", 1)[0]
        wanted = set(candidate_projects(module))
        for w in self.index.raw_wheels:
            if top in w.modules or (w.project is not None and canonicalize_name(w.project) in wanted):
                who = f"{w.project} {w.version}" if w.project else w.path
                return self._diagnosis_with_rule(
                    "AZ201",
                    [w.path],
                    module,
                    "fails",
                    "raw-wheel",
                    f"`{module}` is inside {w.path} ({who}, tags {w.tag_text}): a raw wheel, which the runtime "
                    "never installs, so nothing on sys.path provides the module",
                    f"install the wheel into the folder instead: {self._install(f'{w.path} --no-deps')} && rm {w.path}",
                    steps=steps,
                    paths=(w.path,),
                )
        return None

    def _case_elsewhere(self, key: str) -> str | None:
        """A sys.path entry holding `key` in another letter case (`Yaml/` for `yaml`)."""
        parts = key.split(".")
        for entry in self.entries:
            folder = entry
            found: list[str] = []
            for part in parts:
                names = self.finder.children(folder)
                match = next((n for n in names if n.split(".", 1)[0].lower() == part.lower()), None)
                if match is None:
                    break
                found.append(match)
                folder = f"{folder}/{match}" if folder else match
            else:
                if [f.split(".", 1)[0] for f in found] != parts:
                    return folder
        return None

    def _misplaced(self, key: str) -> str | None:
        """A package or module named `key` somewhere in the bundle that no sys.path entry reaches."""
        rel = key.replace(".", "/")
        for d in sorted(self.index.dirs, key=lambda p: (p.count("/"), p)):
            if d == rel or d.endswith("/" + rel):
                parent = d[: -len(rel)].rstrip("/")
                if parent not in self.entries:
                    return d + "/"
        for p in sorted(self.files, key=lambda p: (p.count("/"), p)):
            if p.endswith("/" + rel + ".py") and p[: -len(rel) - 4] not in self.entries:
                return p
        return None
