"""Loader and native-code causes: a binary that will not load, a shared library or glibc the image lacks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from agentzip.errors import ArchiveError
from agentzip.explain.model import Diagnosis, Step, as_cause, by, with_
from agentzip.explain.session import Session
from agentzip.logscan import ImportFailure
from agentzip.validator.finder import Spec
from agentzip.validator.findings import SHOWN

if TYPE_CHECKING:
    from agentzip.validator.imports import ImportRef
    from agentzip.validator.natives import Native

SOURCE_LIMIT = 4 << 20  # bytes of one source file read (a name's definition, a native's importers)
SOURCE_BUDGET = 32 << 20  # bytes of a package's sources read to find who imports its natives
TOTAL_SOURCE_BUDGET = 128 << 20  # and of all packages' sources, for one explain run
ELF_LIMIT = 64 << 20  # bytes of one shared library read for its DT_NEEDED list

# musl's loader and C library: only binaries built for musllinux (Alpine) ask for them.
MUSL_LIBRARIES = ("libc.musl-", "ld-musl-")

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


class NativeCauses(Session):
    """Causes found in native files: which will not load, who imports them, what the loader lacks."""

    def _broken_natives(self, spec: Spec) -> list[Native]:
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
        package = self.finder.find_in(folder, stem)
        if package is not None and package.kind == "package":
            return True
        if file[len(stem) :] in self.suffixes:
            return False
        return any(base + s in self.files for s in (*self.suffixes, ".py"))

    def _first_lazy_use(self, top: Spec, broken: list[Native]) -> ImportRef | None:
        """The first place (in path order) where the package's own code imports one of its broken natives
        inside a function: the call that loads it. Test code is left out (it never runs in the container);
        only sources that name a broken native are parsed, and the search stops at the first hit."""
        from agentzip.validator.imports import imports_in, is_test_path

        folder = top.path if top.path and top.path.endswith("/") else None
        entry = self.finder.entry_of(top.path or "") if top.path else None
        if folder is None or entry is None:
            return None
        prefix = entry + "/" if entry else ""
        # dotted name of each broken native -> its path
        wanted = {name: n.path for n in broken if (name := self.finder.module_name(n.path)) is not None}
        leaves = {name.rsplit(".", 1)[-1].encode() for name in wanted}
        spent = 0
        for path in sorted(p for p in self.files if p.startswith(folder) and p.endswith(".py")):
            if is_test_path(path[len(prefix) :]):
                continue
            f = self.index.by_path[path]
            if spent + f.size > SOURCE_BUDGET or self._spent + f.size > TOTAL_SOURCE_BUDGET:
                break  # what is left unread is not searched: the message names no call
            try:
                data = self.ctx.bundle.read(f, SOURCE_LIMIT)
            except ArchiveError:
                continue
            spent += len(data)
            self._spent += len(data)
            if not any(leaf in data for leaf in leaves):
                continue  # names none of them: no need to parse it
            for ref in imports_in(data, path, path[len(prefix) :]):
                hit = ref.name in wanted or any(f"{ref.name}.{n}" in wanted for n in ref.names)
                if hit and ref.function and not ref.type_checking:
                    return ref
        return None

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
            f"{lead or f'`{module}` is found{by(provider)}{tags}, but its native code will not load:'} {shown} "
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
            as_cause(first.problem),
            message,
            rebuild_hint(self.ctx),
            steps=steps,
            provider=provider,
            paths=paths,
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
            for name in self.finder.children(folder)
            if name.split(".", 1)[0] == parts[-1]
        }
        return [n for n in self.index.natives if n.path in wanted and n.problem is not None]

    def _only_native(self, module: str, natives: list[Native]) -> str:
        owner = natives[0].owner
        who = f" ({owner.display_name} {owner.version}, tags {', '.join(owner.tag_text)})" if owner else ""
        return f"`{module}` exists only as native code that Python {self._v} on Linux cannot load{who}:"

    def _native_failure(self, failure: ImportFailure) -> Diagnosis:
        """The loader's own errors: a shared library the image lacks, or a glibc too old."""
        detail = failure.detail or failure.module
        if failure.kind == "glibc":
            return self._glibc_failure(failure, detail)
        return self._library_failure(failure, detail)

    def _glibc_failure(self, failure: ImportFailure, detail: str) -> Diagnosis:
        """`version GLIBC_2.28 not found (required by x.so)`: a wheel for a newer manylinux."""
        file = failure.module
        natives = [n for n in self.index.natives if n.path.rsplit("/", 1)[-1] == file]
        paths = tuple(n.path for n in natives)
        owner = next((n.owner for n in natives if n.owner is not None), None)
        who = f" ({owner.display_name} {owner.version})" if owner else ""
        where = f"{paths[0]}{who}" if paths else f"`{file}` (not found in this bundle: is the log from another build?)"
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

    def _library_failure(self, failure: ImportFailure, library: str) -> Diagnosis:
        """`libGL.so.1: cannot open shared object file`: a library the image lacks."""
        if library.startswith(MUSL_LIBRARIES):
            musl = [n for n in self.index.natives if n.problem == "musl"]
            if musl:  # not a library to add: the binaries that need it are built for Alpine
                d = self._native_diagnosis(
                    library, musl, (), {}, lead=f"`{library}` is musl's C library, which the runtime (glibc) lacks:"
                )
                return with_(d, log=failure.line)
        vendored = sorted(p for p in self.files if p.rsplit("/", 1)[-1] == library)
        needers = self._needing(library)
        who = ", ".join(
            f"{n.path}{f' ({n.owner.display_name} {n.owner.version})' if n.owner else ''}" for n in needers[:SHOWN]
        )
        message = f"the shared library `{library}` is not in the runtime image"
        if who:
            message += f"; {who} {'needs' if len(needers) == 1 else 'need'} it"
        if vendored:
            message += (
                f"; the bundle has {vendored[0]}, but not where the loader looks "
                "(the RPATH of the library that needs it)"
            )
        fix = SYSTEM_LIBRARY_FIXES.get(library) or (
            "use a wheel that bundles it (auditwheel-repaired manylinux wheels carry their libraries in "
            "`<name>.libs/`), "
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
        from agentzip.validator.elf import elf_details

        out = []
        for n in self.index.natives:
            if n.info.format != "elf" or not n.info.runs_on_linux_x86_64:
                continue
            details = n.elf
            if details is None:
                f = self.index.by_path.get(n.path)
                if f is None or f.size > ELF_LIMIT:
                    continue
                try:
                    details = elf_details(self.ctx.bundle.read(f, ELF_LIMIT))
                except ArchiveError:
                    continue
            if library in details.needed:
                out.append(n)
        return out
