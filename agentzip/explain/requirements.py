"""Causes for a module nothing in the bundle provides, read from requirements.txt and the distributions."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from agentzip.explain.found import FoundCauses
from agentzip.explain.model import DOTTED, Diagnosis, Step
from agentzip.foundry import BUNDLED, PACKAGES
from agentzip.validator.importnames import (
    IMPORT_TO_PROJECTS,
    NAMESPACE_ROOTS,
    candidate_projects,
    dropped_from,
    import_names_for_project,
)
from agentzip.validator.projectname import canonicalize_name
from agentzip.validator.requirements import RequirementLine
from agentzip.validator.stdlib import stdlib_top_level

if TYPE_CHECKING:
    from agentzip.validator.distributions import Distribution


class RequirementCauses(FoundCauses):
    """What the requirements and the bundled distributions say about a module that is not there."""

    def _requirers(self, module: str) -> list[tuple[Distribution, str]]:
        """Bundled distributions whose Requires-Dist (applying on the target) names the module's project."""
        from agentzip.validator.depcheck import applies

        wanted = set(candidate_projects(module))
        env = self.ctx.target.marker_environment()
        out = []
        for d in self.index.distributions:
            for r in d.requires_dist:
                if canonicalize_name(r.name) in wanted and applies(r.marker, env, ()):
                    out.append((d, str(r)))
        return out

    def _not_bundled(self, module: str, key: str, steps: tuple[Step, ...]) -> Diagnosis:
        ln = self._required_project(module)
        site = f"{PACKAGES}/" if self.index.site != "root" else "the zip root"
        if ln is not None and ln.requirement is not None:
            return self._listed_not_bundled(module, key, ln, steps, site)
        top = key.split(".", 1)[0]
        claimed = [] if top in NAMESPACE_ROOTS else self.index.provided_modules.get(top, [])
        if claimed:
            d = claimed[0]
            return Diagnosis(
                module,
                "fails",
                "declared-not-installed",
                f"{d.display_name} {d.version} names `{top}` among its modules (top_level.txt), but no `{top}` file "
                f"or folder is installed in {site}: the distribution declares a module it does not ship",
                f"import the module {d.display_name} really provides "
                f"({', '.join(sorted(n for n in d.import_names if n != top)) or 'none'})",
                steps=steps,
                paths=(d.path,),
            )
        requirers = self._requirers(module)
        dropped = self._dropped(module, key, requirers, steps)
        if dropped is not None:
            return dropped
        if requirers:
            d, req_text = requirers[0]
            others = f" (and {len(requirers) - 1} more)" if len(requirers) > 1 else ""
            return self._diagnosis_with_rule(
                "AZ204",
                (),
                module,
                "fails",
                "dependency-not-bundled",
                f"{d.display_name} {d.version} requires {req_text}{others}, which provides `{key}`, "
                f"but {site} lacks it: "
                "packages/ was installed without its dependencies (--no-deps?) or partly deleted",
                f"reinstall with dependencies: {self._install('-r requirements.txt')} "
                "(or: agentzip build --mode bundled)",
                steps=steps,
                paths=(d.path,),
            )
        return self._unknown_module(module, key, steps)

    def _dropped(
        self, module: str, key: str, requirers: list[tuple[Distribution, str]], steps: tuple[Step, ...]
    ) -> Diagnosis | None:
        """A bundled dependency that is installed but no longer ships the module (importnames.DROPPED_MODULES:
        setuptools 82 and later have no pkg_resources, which requirers import all the same)."""
        if not requirers:
            return None
        wanted = set(candidate_projects(module))
        installed = next((d for d in self.index.distributions if d.name in wanted), None)
        if installed is None:
            return None
        d, req_text = requirers[0]
        rebuild = f"rebuild packages/: {self._install('-r requirements.txt')}"
        gone = dropped_from(key)
        if gone is not None and installed.name == gone[0]:
            project, first = gone
            why = f"{project} {first} and later no longer ship {key.partition('.')[0]}"
            fix = f'add "{project}<{first}" to requirements.txt and {rebuild}'
        else:
            why = f"this version of {installed.display_name} does not ship it"
            fix = f"require the version of {installed.display_name} that provides `{key}` and {rebuild}"
        return Diagnosis(
            module,
            "fails",
            "dependency-missing",
            f"{d.display_name} {d.version} requires {req_text}, which provides `{key}`; {installed.display_name} "
            f"{installed.version} is bundled, but {why}",
            fix,
            steps=steps,
            paths=(installed.path,),
        )

    def _listed_not_bundled(
        self, module: str, key: str, ln: RequirementLine, steps: tuple[Step, ...], site: str
    ) -> Diagnosis:
        """requirements.txt lists the project, but the bundle lacks its files (or its marker excludes it)."""
        from agentzip.validator.depcheck import applies

        req = ln.requirement
        assert req is not None
        if not applies(req.marker, self.ctx.target.marker_environment()):
            return self._marker_excludes(module, ln, steps, f"it was rightly left out of {site}")
        installed = [d for d in self.index.distributions if d.name == canonicalize_name(req.name)]
        if installed:
            d = installed[0]
            return self._diagnosis_with_rule(
                "AZ211",
                [d.path],
                module,
                "fails",
                "files-missing",
                f"{d.display_name} {d.version} is installed ({d.path}) but `{key}` is not among its files "
                f"in {site}: "
                "the install is incomplete, or the project's import name is not "
                f"`{key}` (it provides {', '.join(sorted(d.import_names)) or 'no module'})",
                f"reinstall it: {self._install(repr(str(req)))} --upgrade",
                steps=steps,
                paths=(d.path,),
            )
        return self._diagnosis_with_rule(
            "AZ203",
            (),
            module,
            "fails",
            "requirement-not-bundled",
            f"{ln.where} lists {req}, which provides `{key}`, but {site} has no {req.name} installed",
            f"install the requirements for the target: {self._install('-r requirements.txt')} "
            "(or: agentzip build --mode bundled)",
            steps=steps,
            paths=(ln.file,),
        )

    def _marker_excludes(
        self, module: str, ln: RequirementLine, steps: tuple[Step, ...], consequence: str
    ) -> Diagnosis:
        req = ln.requirement
        rebuild = f", then rebuild: {self._install('-r requirements.txt')}" if self.ctx.target.mode == BUNDLED else ""
        return Diagnosis(
            module,
            "fails",
            "marker-excludes",
            f"{ln.where} lists {req} only where `{req.marker if req else ''}` holds, which is false on "
            f"{self.ctx.target.runtime} (Linux x86_64): {consequence}",
            f"drop or widen the marker on {ln.where}{rebuild}",
            steps=steps,
            paths=(ln.file,),
        )

    def _remote(self, module: str, key: str, steps: tuple[Step, ...]) -> Diagnosis:
        from agentzip.validator.depcheck import applies

        ln = self._required_project(module)
        if ln is not None and ln.requirement is not None:
            req = ln.requirement
            if not applies(req.marker, self.ctx.target.marker_environment()):
                return self._marker_excludes(module, ln, steps, "the remote build skips it")
            return Diagnosis(
                module,
                "unknown",
                "remote-build",
                f"`{key}` is not in the zip; {ln.where} lists {req}, which the service's remote build installs. "
                "If the runtime still cannot import it, the remote build failed or installed another version: "
                "its log says which",
                "predict the remote build locally: agentzip build --mode remote_build --dry-run",
                steps=steps,
                paths=(ln.file,),
            )
        if self.index.requirements.path is None:
            return Diagnosis(
                module,
                "fails",
                "no-requirements",
                f"`{key}` is not in the zip, and there is no requirements.txt for the remote build to install it from",
                f"add requirements.txt with {self._to_add(module)}",
                code="AZ103",
                rule="requirements-missing",
                steps=steps,
            )
        listed = [ln.requirement.name for ln in self.index.requirements.requirements if ln.requirement is not None]
        if listed:
            some = ", ".join(listed[:4]) + (f" or one of {len(listed) - 4} more" if len(listed) > 4 else "")
            return Diagnosis(
                module,
                "unknown",
                "remote-build",
                f"`{key}` is not in the zip and no requirement names it: it is installed by the remote build if "
                f"{some} depends on it (requirements.txt lists {len(listed)} project(s))",
                f"if the agent's own code imports `{key}`, add {self._to_add(module)} to requirements.txt; "
                "predict the remote build locally: agentzip build --mode remote_build --dry-run",
                steps=steps,
                paths=(self.index.requirements.path,) if self.index.requirements.path else (),
            )
        return self._unknown_module(module, key, steps)

    def _to_add(self, module: str) -> str:
        """What to add to requirements.txt for MODULE: its project, or for a bare shared namespace
        (`azure`, `google`) how to find one, since the project named after it is never the right one."""
        if module in NAMESPACE_ROOTS:
            return f"the project of the `{module}.*` module it imports (`{module}` is a namespace many projects share)"
        return f"`{self._project_for(module)[0]}`"

    def _project_for(self, module: str) -> tuple[str, bool]:
        """The project to add for a module, and whether agentzip knows it (curated or namespaced)."""
        known = any(".".join(module.split(".")[:i]) in IMPORT_TO_PROJECTS for i in range(1, len(module.split(".")) + 1))
        projects = candidate_projects(module)
        if known:
            parts = module.split(".")
            for i in range(len(parts), 0, -1):
                curated = IMPORT_TO_PROJECTS.get(".".join(parts[:i]))
                if curated:
                    return curated[0], True
        if module.split(".", 1)[0] in NAMESPACE_ROOTS and projects:
            return projects[-1], True
        return (projects[0] if projects else module), False

    def _unknown_module(self, module: str, key: str, steps: tuple[Step, ...]) -> Diagnosis:
        """Not in the bundle, not required: the project to add, or close matches when agentzip cannot tell."""
        project, known = self._project_for(module)
        near = self._close_matches(key)
        sites = [
            r.where
            for r in self.index.imports.imports
            if r.name == module or r.name.startswith(key + ".") or r.name == key
        ]
        where = f" (imported at {sites[0]}{f' and {len(sites) - 1} more' if len(sites) > 1 else ''})" if sites else ""
        bundled = self.ctx.target.mode == BUNDLED
        looked = "the agent's code" + (", packages/" if bundled else "") + f" or Python {self._v}'s standard library"
        if known:
            message = (
                f"`{key}`{where} is not in {looked}; it is installed by the PyPI project {project}, which "
                f"{'no requirement or bundled distribution names' if bundled else 'requirements.txt does not list'}"
            )
            fix = f"add `{project}` to requirements.txt" + (
                f", then: {self._install('-r requirements.txt')}" if bundled else ""
            )
        else:
            did = f"; close names: {', '.join(near)}" if near else ""
            message = (
                f"`{key}`{where} is found nowhere: not in {looked}, and no requirement names a project for it{did}"
            )
            fix = (
                f"if `{key}` is a typo, fix the import; if it is a PyPI project (perhaps `{project}`, but import and "
                "project names often differ), add it to requirements.txt"
                + (" and rebuild packages/" if bundled else "")
            )
        code = "AZ402" if sites else None
        return Diagnosis(
            module,
            "fails",
            "not-bundled" if known else "nowhere",
            message,
            fix,
            code=code,
            rule="unresolved-import" if code else None,
            steps=steps,
            suggestions=((project,) if known else ()) + tuple(near),
        )

    def _close_matches(self, key: str) -> list[str]:
        names: set[str] = (
            set(stdlib_top_level(self.version)) | set(self.index.provided_modules) | set(self.index.local_modules)
        )
        names |= {n for n in IMPORT_TO_PROJECTS}
        for ln in self.index.requirements.requirements:
            if ln.requirement is not None:
                names.update(import_names_for_project(ln.requirement.name))
        for entry in self.entries:
            names.update(c.split(".", 1)[0] for c in self.finder.children(entry))
        names = {n for n in names if DOTTED.match(n) and (not n.startswith("_") or key.startswith("_"))}
        names.discard(key)
        return difflib.get_close_matches(key, sorted(names), n=3, cutoff=0.75)
