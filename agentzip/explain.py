"""`agentzip explain`: why a module will not import in the runtime.

The import is walked the way CPython's PathFinder walks it on the target, without running
anything: built-in modules first, then each `sys.path` entry in order (the entry point's folder,
then `packages/`), then the target's standard library; a regular package (with `__init__`) or a
module stops the search, folders without `__init__` gather into a namespace package. Submodules
are looked for only in their parent's folders. When the walk fails, or finds something that will
not load, the cause is named with its evidence, the code of the check rule that knows it, and
the fix; the rule's own finding supplies the words when it fired.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from packaging.utils import canonicalize_name

from agentzip.errors import ArchiveError, UsageError
from agentzip.foundry import PACKAGES
from agentzip.logscan import ImportFailure
from agentzip.validator.context import Context
from agentzip.validator.findings import SHOWN, Finding, InputInfo
from agentzip.validator.importnames import (
    IMPORT_TO_PROJECTS,
    NAMESPACE_ROOTS,
    candidate_projects,
    import_key,
    import_names_for_project,
)
from agentzip.validator.imports import extension_suffixes
from agentzip.validator.stdlib import (
    NEEDS_SYSTEM_LIBRARY,
    UNSHADOWABLE,
    added_after,
    is_windows_only,
    removal,
    stdlib_modules,
    stdlib_top_level,
)

if TYPE_CHECKING:
    from agentzip.validator.bundle import BundleFile
    from agentzip.validator.distributions import Distribution
    from agentzip.validator.imports import ImportRef
    from agentzip.validator.natives import Native
    from agentzip.validator.requirements import RequirementLine

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
SOURCE_LIMIT = 4 << 20  # bytes of one source file read (a name's definition, a native's importers)
SOURCE_BUDGET = 32 << 20  # bytes of a package's sources read to find who imports its natives
TOTAL_SOURCE_BUDGET = 128 << 20  # and of all packages' sources, for one explain run

# Shared libraries the runtime image may lack, and the usual way out.
SYSTEM_LIBRARY_FIXES: dict[str, str] = {
    "libGL.so.1": "use opencv-python-headless instead of opencv-python (it needs no OpenGL)",
    "libgthread-2.0.so.0": "use opencv-python-headless instead of opencv-python",
    "libglib-2.0.so.0": "use opencv-python-headless instead of opencv-python",
    "libSM.so.6": "use opencv-python-headless instead of opencv-python",
    "libXext.so.6": "use opencv-python-headless instead of opencv-python",
    "libXrender.so.1": "use opencv-python-headless instead of opencv-python",
    "libtk8.6.so": "avoid tkinter: a server has no display",
    "libtcl8.6.so": "avoid tkinter: a server has no display",
}


# -- the result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One place the runtime looks, and what it finds there."""

    where: str  # "./" (the entry point's folder), "packages/", "stdlib", "builtin"
    found: str | None  # the path (or "Python 3.13 standard library") found, None when not there
    kind: str | None = None  # "package", "module", "extension", "namespace", "stdlib"

    def to_json(self) -> dict[str, Any]:
        return {"where": self.where, "found": self.found, "kind": self.kind}


@dataclass(frozen=True)
class Diagnosis:
    """Why one module imports or not, with the evidence and the fix."""

    module: str
    verdict: str  # "imports" | "fails" | "unknown"
    cause: str  # a stable key: "ok", "not-bundled", "windows-binary", "shadowed", ...
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
        return {v: sum(d.verdict == v for d in self.diagnoses) for v in ("fails", "unknown", "imports")}

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


# -- the walk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """What the finder found for one dotted name."""

    kind: str  # "package", "module", "extension", "bytecode", "namespace", "stdlib", "builtin"
    path: str | None  # the file or folder ("packages/yaml/"); None for the stdlib
    search: tuple[str, ...] = ()  # where its submodules are looked for (__path__)
    entry: str | None = None  # the sys.path entry it was found in ("" = the root); None: merged namespace


@dataclass
class _Walk:
    """The finder's progress over a dotted name: the specs found, and the steps for people."""

    specs: list[_Spec] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    @property
    def last(self) -> _Spec | None:
        return self.specs[-1] if self.specs else None


def _label(entry: str) -> str:
    return f"{entry}/" if entry else "./"


class Explainer:
    """Diagnoses for one bundle and target; facts shared with `check` through ctx.index."""

    def __init__(self, ctx: Context) -> None:
        if not ctx.target.is_python:
            raise UsageError(
                f"explain walks Python imports; the target runtime is {ctx.target.runtime} "
                "(pass --runtime python_3_13 or python_3_14 if the agent is Python)"
            )
        self.ctx = ctx
        self.index = ctx.index
        self.version = ctx.target.python_version or (3, 13)
        self.suffixes = extension_suffixes(self.version)
        self._findings: dict[str, list[Finding]] = {}
        self._done: dict[tuple[str, str | None], Diagnosis] = {}
        self._spent = 0  # source bytes read, against TOTAL_SOURCE_BUDGET

    # -- facts ---------------------------------------------------------------------------------

    @cached_property
    def entries(self) -> tuple[str, ...]:
        """The bundle's sys.path entries, in order: the entry point's folder, then packages/."""
        base = self.index.source_base
        out = [base]
        if PACKAGES in self.index.dirs and base != PACKAGES:
            out.append(PACKAGES)
        return tuple(out)

    @property
    def files(self) -> dict[str, BundleFile]:
        """Every file of the bundle by path (the Index's own table)."""
        return self.index.by_path

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

    # -- the finder ------------------------------------------------------------------------------

    def _find_in(self, folder: str, leaf: str) -> _Spec | None:
        """FileFinder: a package, a module or a namespace portion named `leaf` in `folder`."""
        base = f"{folder}/{leaf}" if folder else leaf
        is_namespace = False
        if base in self.index.dirs:
            for suffix in (*self.suffixes, ".py", ".pyc"):
                if f"{base}/__init__{suffix}" in self.files:
                    return _Spec("package", base + "/", (base,))
            is_namespace = True
        for suffix, kind in (*((s, "extension") for s in self.suffixes), (".py", "module"), (".pyc", "bytecode")):
            if base + suffix in self.files:
                return _Spec(kind, base + suffix)
        return _Spec("namespace", base + "/", (base,)) if is_namespace else None

    def walk(self, name: str, skip: str | None = None) -> _Walk:
        """Find each component of a dotted name as the target's import system would.

        `skip` leaves one sys.path entry out: what would be imported without the agent's file.
        """
        w = _Walk()
        parts = name.split(".")
        top = parts[0]
        stdlib = top in stdlib_top_level(self.version) and not is_windows_only(top)
        if stdlib and top in UNSHADOWABLE:
            w.specs.append(_Spec("builtin", None))
            w.steps.append(Step("builtin", f"Python {self._v} (loaded before any sys.path entry)", "builtin"))
        else:
            portions: list[str] = []
            found: _Spec | None = None
            for entry in self.entries:
                if entry == skip:
                    continue
                spec = self._find_in(entry, top)
                w.steps.append(Step(_label(entry), spec.path if spec else None, spec.kind if spec else None))
                if spec is None:
                    continue
                if spec.kind == "namespace":
                    portions.extend(spec.search)
                    continue
                found = _Spec(spec.kind, spec.path, spec.search, entry)
                break
            if found is None:
                w.steps.append(
                    Step(
                        "stdlib", f"Python {self._v} standard library" if stdlib else None, "stdlib" if stdlib else None
                    )
                )
                if stdlib:
                    found = _Spec("stdlib", None)
                elif portions:
                    found = _Spec("namespace", portions[0] + "/", tuple(portions), None)
            if found is None:
                return w
            w.specs.append(found)
        for i in range(1, len(parts)):
            parent = w.specs[-1]
            dotted = ".".join(parts[: i + 1])
            if parent.kind in ("stdlib", "builtin"):
                if dotted not in stdlib_modules(self.version):
                    return w
                w.specs.append(_Spec("stdlib", None))
                continue
            portions = []
            child: _Spec | None = None
            for folder in parent.search:
                spec = self._find_in(folder, parts[i])
                if spec is None:
                    continue
                if spec.kind == "namespace":
                    portions.extend(spec.search)
                    continue
                child = _Spec(spec.kind, spec.path, spec.search, self._entry_of(folder))
                break
            if child is None and portions:
                child = _Spec("namespace", portions[0] + "/", tuple(portions), None)
            if child is None:
                return w
            w.specs.append(child)
        return w

    def _entry_of(self, path: str) -> str | None:
        """The sys.path entry a bundle path lies under (the longest that contains it)."""
        best: str | None = None
        for e in self.entries:
            if (e == "" or path == e or path.startswith(e + "/")) and (best is None or len(e) > len(best)):
                best = e
        return best

    @property
    def _v(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"

    # -- diagnosis -------------------------------------------------------------------------------

    def explain(self, module: str, failure: ImportFailure | None = None) -> Diagnosis:
        module = module.strip()
        if failure is not None and failure.kind in ("shared-library", "glibc"):
            return self._native_failure(failure)
        if not _DOTTED.match(module):
            raise UsageError(f"{module!r} is not a module name (expected a dotted name like yaml or azure.identity)")
        d = self._diagnose(module, failure.name if failure else None)
        if failure is not None:
            d = _with(d, log=failure.line, name=failure.name)
            if d.verdict == "imports":
                d = _with(
                    d,
                    message=d.message + " in this bundle: the log must come from another build of it, "
                    "or from another runtime or mode than the one explained here (see target)",
                )
        return d

    def _diagnose(self, module: str, name: str | None) -> Diagnosis:
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

    # found: does it load, and is it the module the code wants? ---------------------------------

    def _found(self, module: str, w: _Walk, name: str | None) -> Diagnosis:
        spec = w.specs[-1]
        steps = tuple(w.steps)
        if spec.kind in ("stdlib", "builtin"):
            top = module.split(".", 1)[0]
            if top in NEEDS_SYSTEM_LIBRARY:
                return Diagnosis(
                    module,
                    "unknown",
                    "needs-system-library",
                    f"`{module}` is in Python {self._v}'s standard library but needs {NEEDS_SYSTEM_LIBRARY[top]}, "
                    "which the runtime image does not document; slim images lack it, and then the import fails",
                    "avoid the module on a server (no display there), or deploy a container image that installs the library",
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
        shadow = self._shadowed(module, w)
        if shadow is not None:
            return shadow
        provider = self._provider(spec)
        if spec.kind == "namespace":
            beside = self._unloadable(module)
            if beside:
                return self._native_diagnosis(module, beside, steps, provider, lead=self._only_native(module, beside))
        # The package the module belongs to (its first regular component: `azure/identity/` for
        # azure.identity.aio): a broken native anywhere in it breaks the modules that import it.
        package = next((s for s in w.specs if s.kind != "namespace"), spec)
        if package.kind == "namespace":  # a namespace alone (`azure`) belongs to no distribution
            return Diagnosis(
                module,
                "imports",
                "ok",
                f"`{module}` imports as a namespace package from {', '.join(p + '/' for p in spec.search)}",
                steps=steps,
                provider={"kind": "namespace", "path": spec.path or ""},
            )
        broken = self._broken_natives(package)
        if broken:
            fatal, optional = self._uses(package, broken)
            if fatal:
                return self._native_diagnosis(module, broken, steps, provider, fatal)
            if not optional:
                d = self._native_diagnosis(module, broken, steps, provider)
                return _with(
                    d,
                    verdict="unknown",
                    message=d.message + "; no Python file of the package imports it directly, so the import "
                    "may work until something loads it",
                )
            note = (
                f"; {len(broken)} native file(s) in {package.path} will not load ({broken[0].reason}), but its code "
                f"imports them only under `try: ... except ImportError:` ({optional[0].where}), so it falls back to "
                "slower pure-Python code"
            )
            return Diagnosis(
                module,
                "imports",
                "ok-degraded",
                f"`{module}` imports from {spec.path}{_by(provider)}{note}",
                f"rebuild packages/ for the target to get the fast code: {self._install('-r requirements.txt')}",
                code=broken[0].code,
                rule=_rule_name(broken[0].code),
                steps=steps,
                provider=provider,
                paths=tuple(n.path for n in broken),
            )
        if spec.kind == "bytecode":
            return self._bytecode(module, spec, steps, provider)
        dependency = self._broken_dependency(module, package, steps, provider)
        if dependency is not None:
            return dependency
        checked = self._name_check(module, spec, steps, provider, name)
        if checked is not None:
            return checked
        return Diagnosis(
            module,
            "imports",
            "ok",
            f"`{module}` imports from {spec.path}{_by(provider)}",
            steps=steps,
            provider=provider,
            paths=(spec.path,) if spec.path else (),
        )

    def _provider(self, spec: _Spec) -> dict[str, str]:
        path = spec.path or ""
        d = self.owner(path)
        if d is not None:
            return {"kind": "distribution", "path": path, "distribution": d.display_name, "version": d.version}
        if spec.entry == PACKAGES:
            return {"kind": "packages", "path": path}
        return {"kind": "agent", "path": path}

    def _shadowed(self, module: str, w: _Walk) -> Diagnosis | None:
        """The agent's own file or folder found where a dependency or the stdlib was wanted."""
        base = self.index.source_base
        own = [
            s for s in w.specs if s.entry == base and s.kind != "namespace" and s.path and self.owner(s.path) is None
        ]
        if not own or base not in self.entries:
            return None
        hidden = self.walk(module, skip=base)
        mine = own[0]
        if len(hidden.specs) == len(module.split(".")):
            real = hidden.specs[-1]
            if real.kind in ("stdlib", "builtin"):
                what = "the standard library's"
            elif real.kind == "namespace":
                owners = sorted({d.display_name for d in self.index.provided_modules.get(module.split(".", 1)[0], [])})
                listed = f" ({', '.join(owners[:4])}{' and more' if len(owners) > 4 else ''})" if owners else ""
                what = f"the `{module}` namespace package in {', '.join(p + '/' for p in real.search)}{listed}"
            else:
                what = f"{real.path}{_by(self._provider(real))}"
        else:
            project = self._required_project(module)
            if project is None or self.ctx.target.mode == "bundled":
                return None
            what = f"{project.requirement.name if project.requirement else project.text} from requirements.txt"
        return self._diagnosis_with_rule(
            "AZ403",
            [mine.path or "", (mine.path or "").rstrip("/")],
            module,
            "fails",
            "shadowed",
            f"`{module}` resolves to the agent's own `{mine.path}`, which hides {what}: the entry point's "
            "folder comes first on sys.path",
            f"rename `{mine.path}` (e.g. `{module.split('.', 1)[0]}_local`) and update the imports of it",
            steps=tuple(w.steps),
            paths=(mine.path or "",),
        )

    def _broken_natives(self, spec: _Spec) -> list[Native]:
        """Native files of the found module that will not load, with no loadable fallback beside them."""
        if spec.path is None:
            return []
        prefix = spec.path
        inside = [
            n
            for n in self.index.natives
            if n.problem is not None and (n.path == prefix or (n.path.startswith(prefix) and prefix.endswith("/")))
        ]
        return [n for n in inside if not self._has_fallback(n.path)]

    def _has_fallback(self, path: str) -> bool:
        """True when the finder never picks a native that will not load, so it cannot break an import.

        A file named like an extension of the target (`x.abi3.so`, `x.cpython-313-...so`) is
        picked, and fails to load, unless a regular package `x/` comes first. A name the target
        does not load (`x.pyd`, `x.cpython-312-...so`) is passed over for whatever else is called
        `x`: `x.py`, a loadable extension or a regular package (a bare folder of `.pyi` stubs is
        an empty namespace package, not a fallback)."""
        folder, _, file = path.rpartition("/")
        stem = file.split(".", 1)[0]
        base = f"{folder}/{stem}" if folder else stem
        package = self._find_in(folder, stem)
        if package is not None and package.kind == "package":
            return True
        if file[len(stem) :] in self.suffixes:
            return False
        return any(base + s in self.files for s in (*self.suffixes, ".py"))

    def _broken_dependency(
        self, module: str, package: _Spec, steps: tuple[Step, ...], provider: dict[str, str]
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
                    sub = self._diagnose(name, None)
                    if sub.verdict == "fails" and sub.code and sub.code.startswith("AZ3"):
                        path = " -> ".join(chain[dep])
                        return _with(
                            sub,
                            module=module,
                            provider=provider,
                            steps=steps,
                            message=f"`{module}` is found{_by(provider)}, but it needs {found.display_name} "
                            f"{found.version} ({path}), which will not import: {sub.message}",
                        )
        return None

    def _uses(self, top: _Spec, broken: list[Native]) -> tuple[list[ImportRef], list[ImportRef]]:
        """Where the package's own code imports its broken natives: (plain imports, guarded ones)."""
        from agentzip.validator.imports import imports_in

        folder = top.path if top.path and top.path.endswith("/") else None
        entry = self._entry_of(top.path or "") if top.path else None
        if folder is None or entry is None:
            return [], []
        prefix = entry + "/" if entry else ""
        wanted: dict[str, str] = {}  # dotted name of each broken native -> its path
        for n in broken:
            rel = n.path[len(prefix) :] if n.path.startswith(prefix) else n.path
            folder_rel, _, file = rel.rpartition("/")
            wanted[".".join([*filter(None, folder_rel.split("/")), file.split(".", 1)[0]])] = n.path
        fatal: list[ImportRef] = []
        optional: list[ImportRef] = []
        spent = 0
        for path in sorted(p for p in self.files if p.startswith(folder) and p.endswith(".py")):
            f = self.index.by_path[path]
            if spent + f.size > SOURCE_BUDGET or self._spent + f.size > TOTAL_SOURCE_BUDGET:
                break  # what is left unread counts as not importing them: the verdict becomes "unknown"
            try:
                data = self.ctx.bundle.read(f, SOURCE_LIMIT)
            except ArchiveError:
                continue
            spent += len(data)
            self._spent += len(data)
            for ref in imports_in(data, path, path[len(prefix) :]):
                hit = ref.name in wanted or any(f"{ref.name}.{n}" in wanted for n in ref.names)
                if hit and not ref.type_checking:
                    (optional if ref.optional else fatal).append(ref)
        return fatal, optional

    def _native_diagnosis(
        self,
        module: str,
        broken: list[Native],
        steps: tuple[Step, ...],
        provider: dict[str, str],
        users: list[ImportRef] | None = None,
        lead: str | None = None,
    ) -> Diagnosis:
        first = broken[0]
        code = first.code or "AZ3"
        paths = tuple(sorted(n.path for n in broken))
        owner = first.owner
        tags = (
            f", installed from a wheel tagged {', '.join(owner.tag_text)}"
            if owner is not None and owner.tag_text
            else ""
        )
        shown = ", ".join(paths[:SHOWN]) + (f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else "")
        message = (
            f"{lead or f'`{module}` is found{_by(provider)}{tags}, but its native code will not load:'} {shown} "
            f"{'is' if len(paths) == 1 else 'are'} {first.reason}"
        )
        if users:
            message += f"; imported at {users[0].where}" + (
                f" and {len(users) - 1} more place(s)" if len(users) > 1 else ""
            )
        from agentzip.validator.hints import rebuild_hint

        return self._diagnosis_with_rule(
            code,
            paths,
            module,
            "fails",
            first.problem or "native",
            message,
            rebuild_hint(self.ctx),
            steps=steps,
            provider=provider,
            paths=paths,
        )

    def _bytecode(self, module: str, spec: _Spec, steps: tuple[Step, ...], provider: dict[str, str]) -> Diagnosis:
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
        self, module: str, spec: _Spec, steps: tuple[Step, ...], provider: dict[str, str], name: str | None
    ) -> Diagnosis | None:
        """`cannot import name X from M`: is X a submodule, or written anywhere in M's source?"""
        if name is None:
            return None
        sub = self.walk(f"{module}.{name}")
        if len(sub.specs) == len(module.split(".")) + 1:
            return None
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
                f"`{module}` is found{_by(provider)}, but agentzip cannot read its source to look for `{name}`",
                "",
                steps=steps,
                provider=provider,
                name=name,
            )
        if re.search(rf"\b{re.escape(name)}\b", source):
            return Diagnosis(
                module,
                "unknown",
                "name-defined",
                f"`{module}`{_by(provider)} does mention `{name}`: the import may fail inside it (a circular "
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
            f"`{module}` is found{_by(provider)}, but it has no `{name}`: neither a submodule nor a name in its "
            f"source{f' (the code expects another version than{version})' if who else ''}",
            fix,
            steps=steps,
            provider=provider,
            paths=(spec.path or "",),
            name=name,
        )

    def _source_of(self, spec: _Spec) -> str | None:
        path = spec.path or ""
        if spec.kind == "package":
            path = path + "__init__.py"
        if not path.endswith(".py") or path not in self.index.by_path:
            return None
        try:
            return self.ctx.bundle.read(self.index.by_path[path], SOURCE_LIMIT).decode("utf-8", "replace")
        except ArchiveError:
            return None

    # not found: where is it, then? -----------------------------------------------------------

    def _missing(self, module: str, w: _Walk) -> Diagnosis:
        parts = module.split(".")
        depth = len(w.specs)  # components found
        steps = tuple(w.steps)
        key_depth = len(import_key(module).split("."))
        if depth >= 1:
            shadow = self._shadowed(".".join(parts[:depth]), self.walk(".".join(parts[:depth])))
            if shadow is not None and depth < key_depth + 1:
                return _with(
                    shadow,
                    module=module,
                    steps=steps,
                    message=shadow.message + f", so `{module}` is looked for only there and not found",
                )
        if depth and depth >= key_depth:
            return self._no_submodule(module, w)
        return self._not_provided(module, steps)

    def _no_submodule(self, module: str, w: _Walk) -> Diagnosis:
        parts = module.split(".")
        parent = w.specs[-1]
        leaf = parts[len(w.specs)]
        missing = ".".join(parts[: len(w.specs) + 1])
        steps = tuple(w.steps)
        parent_name = ".".join(parts[: len(w.specs)])
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
            for name in self._children(folder)
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
        lost = self._lost_portion(parent_name, leaf, parent)
        if lost is not None:
            return Diagnosis(
                module,
                "fails",
                "namespace-lost",
                f"`{missing}` is at {lost}, but `{parent_name}` resolves to the regular package {parent.path}"
                f"{_by(provider)}, which ends the search: a folder without __init__.py joins a namespace package "
                "only when no regular package of that name is on sys.path",
                f"rename the agent's `{lost.rsplit('/', 2)[0] if lost.endswith('/') else lost.rsplit('/', 1)[0]}/` "
                "folder (e.g. with a `_local` suffix) and update the imports of it",
                steps=steps,
                provider=provider,
                paths=(lost,),
            )
        children = sorted({c.split(".", 1)[0] for folder in parent.search for c in self._children(folder)})
        case = [c for c in children if c.lower() == leaf.lower()]
        if case:
            return self._case(module, missing, f"{parent.search[0]}/{case[0]}", steps, provider)
        near = difflib.get_close_matches(leaf, [c for c in children if _DOTTED.match(c)], n=3)
        who = provider.get("distribution")
        version = provider.get("version", "")
        if who:
            message = f"`{parent_name}` is found{_by(provider)}, but {who} {version} has no `{missing}`"
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

    def _unloadable(self, module: str, folders: Iterable[str] | None = None) -> list[Native]:
        """Native files named like the module's last part, in the folders it is looked for in
        (its parent's, or every sys.path entry for a top-level name), that will not load."""
        parts = module.split(".")
        if folders is None:
            if len(parts) == 1:
                folders = self.entries
            else:
                parent = self.walk(".".join(parts[:-1]))
                folders = parent.last.search if parent.last and len(parent.specs) == len(parts) - 1 else ()
        wanted = {
            f"{folder}/{name}" if folder else name
            for folder in folders
            for name in self._children(folder)
            if name.split(".", 1)[0] == parts[-1]
        }
        return [n for n in self.index.natives if n.path in wanted and n.problem is not None]

    def _only_native(self, module: str, natives: list[Native]) -> str:
        owner = natives[0].owner
        who = f" ({owner.display_name} {owner.version}, tags {', '.join(owner.tag_text)})" if owner else ""
        return f"`{module}` exists only as native code that Python {self._v} on Linux cannot load{who}:"

    def _lost_portion(self, parent_name: str, leaf: str, parent: _Spec) -> str | None:
        """`leaf` in a folder of the same dotted name on another sys.path entry, which the regular
        package that was found hides (`tools/mine.py` beside `packages/tools/__init__.py`)."""
        if parent.kind != "package":
            return None
        rel = parent_name.replace(".", "/")
        for entry in self.entries:
            folder = f"{entry}/{rel}" if entry else rel
            if folder in parent.search or folder not in self.index.dirs:
                continue
            spec = self._find_in(folder, leaf)
            if spec is not None and spec.path:
                return spec.path
        return None

    @cached_property
    def _tree(self) -> dict[str, set[str]]:
        """Folder -> the file and folder names directly inside it ("" is the root)."""
        out: dict[str, set[str]] = {}
        for p in (*self.files, *self.index.dirs):
            folder, _, name = p.rpartition("/")
            out.setdefault(folder, set()).add(name)
        return out

    def _children(self, folder: str) -> list[str]:
        """File and folder names directly inside a folder of the bundle."""
        return sorted(self._tree.get(folder, ()))

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
                f"in {' and '.join(_label(e) for e in self.entries)})",
                (
                    "move it into packages/ (dependencies) or next to the entry point (the agent's own code)"
                    if not misplaced.startswith(".venv/") and "/site-packages/" not in misplaced
                    else "a virtual environment is never used by the runtime: install the requirements into packages/ "
                    "(agentzip build --mode bundled) and leave .venv/ out of the zip"
                ),
                steps=steps,
                paths=(misplaced,),
            )
        if self.ctx.target.mode == "bundled":
            return self._not_bundled(module, key, steps)
        return self._remote(module, key, steps)

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
                names = self._children(folder)
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

    def _install(self, what: str) -> str:
        from agentzip.validator.hints import install_command

        return install_command(self.ctx, what)

    def _required_project(self, module: str) -> RequirementLine | None:
        wanted = candidate_projects(module)
        for ln in self.index.requirements.requirements:
            if ln.requirement is not None and canonicalize_name(ln.requirement.name) in wanted:
                return ln
        return None

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
        from agentzip.validator.depcheck import applies

        env = self.ctx.target.marker_environment()
        ln = self._required_project(module)
        site = "packages/" if self.index.site != "root" else "the zip root"
        if ln is not None and ln.requirement is not None:
            req = ln.requirement
            if not applies(req.marker, env):
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
                    f"{d.display_name} {d.version} is installed ({d.path}) but `{key}` is not among its files in {site}: "
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
                f"install the requirements for the target: {self._install('-r requirements.txt')} (or: agentzip build --mode bundled)",
                steps=steps,
                paths=(ln.file,),
            )
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
                f"import the module {d.display_name} really provides ({', '.join(sorted(n for n in d.import_names if n != top)) or 'none'})",
                steps=steps,
                paths=(d.path,),
            )
        requirers = self._requirers(module)
        if requirers:
            d, req_text = requirers[0]
            others = f" (and {len(requirers) - 1} more)" if len(requirers) > 1 else ""
            return self._diagnosis_with_rule(
                "AZ204",
                (),
                module,
                "fails",
                "dependency-not-bundled",
                f"{d.display_name} {d.version} requires {req_text}{others}, which provides `{key}`, but {site} lacks it: "
                "packages/ was installed without its dependencies (--no-deps?) or partly deleted",
                f"reinstall with dependencies: {self._install('-r requirements.txt')} (or: agentzip build --mode bundled)",
                steps=steps,
                paths=(d.path,),
            )
        return self._unknown_module(module, key, steps)

    def _marker_excludes(
        self, module: str, ln: RequirementLine, steps: tuple[Step, ...], consequence: str
    ) -> Diagnosis:
        req = ln.requirement
        rebuild = f", then rebuild: {self._install('-r requirements.txt')}" if self.ctx.target.mode == "bundled" else ""
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
                f"add requirements.txt with {self._project_for(module)[0]}",
                code="AZ103",
                rule="requirements-missing",
                steps=steps,
            )
        return self._unknown_module(module, key, steps)

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
        bundled = self.ctx.target.mode == "bundled"
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
            names.update(c.split(".", 1)[0] for c in self._children(entry))
        names = {n for n in names if _DOTTED.match(n) and (not n.startswith("_") or key.startswith("_"))}
        names.discard(key)
        return difflib.get_close_matches(key, sorted(names), n=3, cutoff=0.75)

    # wrapper folder, failures of the loader -------------------------------------------------

    def _unreadable(self, module: str) -> Diagnosis:
        """No files at all: a zip no reader can open, or an empty bundle."""
        for code in ("AZ001", "AZ104"):
            found = self.rule_findings(code)
            if found:
                f = found[0]
                return Diagnosis(
                    module,
                    "fails",
                    f.rule,
                    f"nothing in the bundle can be imported: {f.message}",
                    f.hint,
                    code=f.code,
                    rule=f.rule,
                )
        return Diagnosis(
            module, "fails", "empty-bundle", "the bundle has no files", "", code="AZ104", rule="empty-bundle"
        )

    def _wrapped(self, module: str, wrapper: str) -> Diagnosis:
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

    def _native_failure(self, failure: ImportFailure) -> Diagnosis:
        """The loader's own errors: a shared library the image lacks, or a glibc too old."""
        detail = failure.detail or failure.module
        if failure.kind == "glibc":
            file = failure.module
            natives = [n for n in self.index.natives if n.path.rsplit("/", 1)[-1] == file]
            paths = tuple(n.path for n in natives)
            owner = next((n.owner for n in natives if n.owner is not None), None)
            who = f" ({owner.display_name} {owner.version})" if owner else ""
            where = (
                f"{paths[0]}{who}" if paths else f"`{file}` (not found in this bundle: is the log from another build?)"
            )
            return self._diagnosis_with_rule(
                "AZ305",
                list(paths),
                file,
                "fails",
                "glibc-too-new",
                f"{where} needs {detail}, which the runtime's glibc does not have",
                "install wheels for an older manylinux: "
                f"{self._install('-r requirements.txt')} (manylinux2014 is glibc 2.17), or pin an older release",
                paths=paths,
                log=failure.line,
            )
        library = detail
        vendored = sorted(p for p in self.files if p.rsplit("/", 1)[-1] == library)
        needers = self._needing(library)
        who = ", ".join(
            f"{n.path}{f' ({n.owner.display_name} {n.owner.version})' if n.owner else ''}" for n in needers[:SHOWN]
        )
        message = f"the shared library `{library}` is not in the runtime image"
        if who:
            message += f"; {who} {'needs' if len(needers) == 1 else 'need'} it"
        if vendored:
            message += f"; the bundle has {vendored[0]}, but not where the loader looks (the RPATH of the library that needs it)"
        fix = SYSTEM_LIBRARY_FIXES.get(library) or (
            "use a wheel that bundles it (auditwheel-repaired manylinux wheels carry their libraries in `<name>.libs/`), "
            "or deploy a container image that installs it"
        )
        return Diagnosis(
            library,
            "fails",
            "system-library-missing",
            message,
            fix,
            paths=tuple(n.path for n in needers) + tuple(vendored),
            log=failure.line,
        )

    def _needing(self, library: str) -> list[Native]:
        from agentzip.validator.binaries import elf_details

        out = []
        for n in self.index.natives:
            if n.info.format != "elf" or not n.info.runs_on_linux_x86_64:
                continue
            details = n.elf
            if details is None:
                f = self.index.by_path.get(n.path)
                if f is None or f.size > (64 << 20):
                    continue
                try:
                    details = elf_details(self.ctx.bundle.read(f, 64 << 20))
                except ArchiveError:
                    continue
            if library in details.needed:
                out.append(n)
        return out

    # -- helpers -------------------------------------------------------------------------------

    def _diagnosis_with_rule(
        self,
        code: str,
        rule_paths: Iterable[str],
        module: str,
        verdict: str,
        cause: str,
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


def _by(provider: dict[str, str] | None) -> str:
    if not provider:
        return ""
    if provider.get("distribution"):
        return f" ({provider['distribution']} {provider.get('version', '')})".replace(" )", ")")
    if provider.get("kind") == "agent":
        return " (the agent's own code)"
    return ""


def _rule_name(code: str | None) -> str | None:
    from agentzip.validator.registry import find_rule

    r = find_rule(code) if code else None
    return r.name if r else None


def _with(d: Diagnosis, **changes: Any) -> Diagnosis:
    import dataclasses

    return dataclasses.replace(d, **changes)


def explain_all(ctx: Context, modules: Iterable[str], failures: Iterable[ImportFailure]) -> Iterator[Diagnosis]:
    """One diagnosis per module asked about, then per distinct failure in a log."""
    ex = Explainer(ctx)
    seen: set[tuple[str, str | None]] = set()
    key: tuple[str, str | None]
    for m in modules:
        key = (m.strip(), None)
        if key not in seen:
            seen.add(key)
            yield ex.explain(m)
    for failure in failures:
        key = (failure.module, failure.name)
        if key not in seen:
            seen.add(key)
            yield ex.explain(failure.module, failure)


# -- output -------------------------------------------------------------------------------------

_VERDICT = {
    "imports": ("imports", "green"),
    "fails": ("will not import", "red"),
    "unknown": ("may not import", "yellow"),
}


def render_text(expl: Explanation, *, color: bool = False) -> str:
    """For people: one block per module (verdict, cause, fix, where the runtime looked), a summary."""
    from agentzip.terminal import style

    out: list[str] = []
    for d in expl.diagnoses:
        word, colour = _VERDICT[d.verdict]
        what = f"{d.module}" + (f" (cannot import name {d.name})" if d.name else "")
        code = f"  [{d.code} {d.rule}]" if d.code else ""
        out.append(style(f"{what}: {word}", color, fg=colour, bold=True) + code)
        if d.log:
            out.append(f"  log:    {d.log}")
        out.append(f"  why:    {d.message}")
        for p in [p for p in d.paths if p and p not in d.message][:SHOWN]:
            out.append(f"          {p}")
        if d.fix:
            out.append("  " + style("fix:", color, fg="green") + "    " + d.fix)
        if d.suggestions and d.cause in ("nowhere", "no-submodule", "not-in-stdlib"):
            out.append(f"  close:  {', '.join(d.suggestions)}")
        if d.steps:
            path = "; ".join(
                f"{s.where} {s.found or '-'}" if s.where != "stdlib" else f"stdlib {'yes' if s.found else '-'}"
                for s in d.steps
            )
            out.append(f"  looked: {path}")
        out.append("")
    s = expl.summary()
    n = len(expl.diagnoses)
    counts = ", ".join(f"{k} {v}" for v, k in s.items() if k) or "nothing to explain"
    head = (
        f"{expl.input.path}: {n} module{'' if n == 1 else 's'} explained ({counts})"
        if n
        else f"{expl.input.path}: nothing to explain"
    )
    out.append(style(head, color, fg="red" if s["fails"] else ("yellow" if s["unknown"] else "green"), bold=True))
    t = expl.target
    out.append(f"  target: {t['runtime']}, {t['mode']}, entry point {' '.join(t['entry_point'])}")
    out.extend(f"  {note}" for note in expl.notes)
    return "\n".join(out) + "\n"


def render_json(expl: Explanation) -> str:
    import json

    return json.dumps(expl.to_json(), indent=2) + "\n"
