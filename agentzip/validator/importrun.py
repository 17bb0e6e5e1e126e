"""What runs when a module is imported: the finder's walk, then each module's own top-level imports.

The import model of validator/finder.py, followed through the code that really runs at import:
importing `a.b` imports `a` first; a package or module runs its top-level import statements in
order (not those inside a function, under `if TYPE_CHECKING`, or in a platform or version branch
the target does not take); an import that raises ends the module unless an enclosing `try`
catches that exception type (`except ModuleNotFoundError` does not catch the ImportError a native
file that will not load raises; `except ImportError` and `except Exception` do; a handler that
ends in `raise` catches nothing for good). A branch beside one that raises runs whenever the module
goes on (PyYAML's `_yaml` shim); a name the module binds once to a constant decides an `if`
(numpy's `__NUMPY_SETUP__`). A folder a module appends to sys.path, built from `__file__`, is
searched after the standard library once that module ran (setuptools' `_vendor`); setuptools
serves `distutils` once `_distutils_hack.override` ran, and a module that puts an importer on
sys.meta_path serves its own submodules (six.moves). Native files
that will not load raise ImportError when picked; one the target's suffixes do not match is not
an extension at all, so the name is whatever else is there (a namespace folder, or nothing:
ModuleNotFoundError). Sources are parsed once each, within a budget; past it the answer is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from agentzip.validator.finder import Finder, Resolution, Spec
from agentzip.validator.importparse import ImportRef, read_imports

MAX_FILES = 4000  # sources parsed for one bundle, across every module asked about
MAX_BYTES = 48 << 20
MAX_DEPTH = 120  # nested imports followed (Python's own recursion would stop long before)

NOT_FOUND = "ModuleNotFoundError"
IMPORT_ERROR = "ImportError"
# `from x import *` and a module `__getattr__` define names nobody can list.
_DEFINES_ANY = re.compile(rb"import\s*\*|def __getattr__")
_WORD = re.compile(rb"\w+")
_CATCH_ALL = frozenset({"*", "Exception", "BaseException"})
# setuptools imports this first; from then on `import distutils` gets setuptools._distutils.
_DISTUTILS_HACK = "_distutils_hack.override"


def _keep(into: dict[str, Caught], caught: Iterable[Caught]) -> None:
    """Add caught failures that left a native file unloaded, the first per file."""
    for c in caught:
        if c.outcome.native is not None:
            into.setdefault(c.outcome.native, c)


def catches(names: tuple[str, ...], raised: str) -> bool:
    """True when handlers catching `names` catch the exception `raised` (ModuleNotFoundError or ImportError)."""
    return any(n in _CATCH_ALL or n in (IMPORT_ERROR, raised) for n in names)


@dataclass(frozen=True)
class Caught:
    """An import that raised and was caught: the module falls back to other code."""

    ref: ImportRef
    outcome: Outcome


@dataclass(frozen=True)
class Outcome:
    """What `import name` does: nothing raised, an exception (and why), or unknown (and why)."""

    raises: str | None = None  # "ModuleNotFoundError" | "ImportError"; None when the import works
    why: str = ""  # the interpreter's words, roughly: "No module named 'x'", "cannot import name ..."
    native: str | None = None  # the bundle path of the native file at the bottom of it, if any
    chain: tuple[ImportRef, ...] = ()  # the import statements it went through, outermost first
    unknown: str | None = None  # why the answer is unknown (a budget, a file that does not parse)
    # failures caught on the way that left a native file unloaded: the first per file, so a module's
    # outcome stays as small as the bundle's broken natives however many paths lead to them
    caught: tuple[Caught, ...] = field(default=(), compare=False)

    @property
    def ok(self) -> bool:
        return self.raises is None and self.unknown is None

    def through(self, ref: ImportRef) -> Outcome:
        return Outcome(self.raises, self.why, self.native, (ref, *self.chain), self.unknown)


class ImportRun:
    """Follows imports over one bundle; each module's outcome computed once."""

    def __init__(
        self,
        finder: Finder,
        read: Callable[[str], bytes | None],
        broken: Mapping[str, str],
        *,
        read_binary: Callable[[str], bytes | None] | None = None,
        max_files: int = MAX_FILES,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.finder = finder
        self.read = read
        self.broken = broken  # native path -> why it will not load
        self.read_binary = read_binary
        self.max_files = max_files
        self.max_bytes = max_bytes
        self.files_parsed = 0
        self.bytes_parsed = 0
        self._done: dict[str, Outcome] = {}
        self._running: set[str] = set()
        self._refs: dict[str, list[ImportRef] | str] = {}
        self._edits: dict[str, list[tuple[int, str]]] = {}  # source -> (line, folder it adds to sys.path)
        self._added: list[Finder] = []  # one per folder a module run so far appended to sys.path
        self._words: dict[str, frozenset[bytes] | None] = {}  # None: the source may define any name
        self._serving: set[str] = set()  # sources that put an importer on sys.meta_path

    def _find(self, name: str) -> Resolution:
        """The finder's walk, then the folders modules added to sys.path (after the standard library)."""
        w = self.finder.find(name)
        for extra in self._added if not w.found else ():
            found = extra.find(name)
            if found.found:
                return found
        return w

    def _spec(self, name: str) -> Spec | None:
        """`_find(name).spec`, from the finders' memo: statements ask about the same names again and again."""
        spec = self.finder.spec_of(name)
        for extra in self._added if spec is None else ():
            spec = extra.spec_of(name)
            if spec is not None:
                break
        return spec

    def _served(self, name: str) -> bool:
        """A submodule of a module whose source put an importer on sys.meta_path and imported."""
        parts = name.split(".")
        for i in range(1, len(parts)):
            spec = self.finder.spec_of(".".join(parts[:i]))
            source = self.finder.source_file(spec) if spec is not None else None
            if source in self._serving and self._done.get(".".join(parts[:i]), Outcome(NOT_FOUND)).ok:
                return True
        return False

    def _add_path(self, folder: str) -> None:
        if (
            folder in self.finder.dirs
            and folder not in self.finder.entries
            and all(f.entries[0] != folder for f in self._added)
        ):
            self._added.append(Finder(self.finder.files, self.finder.dirs, folder, self.finder.version, packages=False))

    def run(self, name: str) -> Outcome:
        """What `import name` does on the target."""
        if name in self._done:
            return self._done[name]
        if name in self._running or len(self._running) > MAX_DEPTH:
            return Outcome()  # partly initialised already: Python hands out the module as it is
        self._running.add(name)
        try:
            out = self._run(name)
        finally:
            self._running.discard(name)
        self._done[name] = out
        return out

    def _run(self, name: str) -> Outcome:
        parent, _, leaf = name.rpartition(".")
        if parent:
            above = self.run(parent)
            if not above.ok:
                return above
        if (name == "distutils" or name.startswith("distutils.")) and self._done.get(
            _DISTUTILS_HACK, Outcome(NOT_FOUND)
        ).ok:
            return self.run("setuptools._" + name)  # setuptools' meta path finder serves its own copy
        spec = self._spec(name)
        if spec is None and self._served(name):
            return Outcome()  # the importer its package put on sys.meta_path serves it (six.moves)
        if spec is None:
            return self._not_found(name, self._spec(parent) if parent else None, leaf)
        if spec.kind == "extension":
            why = self.broken.get(spec.path or "")
            return Outcome(IMPORT_ERROR, f"{spec.path}: {why}", spec.path) if why else self._loads(spec.path or "")
        source = self.finder.source_file(spec)
        return self._execute(source) if source else Outcome()

    def _not_found(self, name: str, parent: Spec | None, leaf: str) -> Outcome:
        """ModuleNotFoundError, with the native file the target passed over when there is one."""
        folders = parent.search if parent is not None else self.finder.entries
        native = next(
            (
                p
                for folder in folders
                for child in self.finder.children(folder)
                if child.split(".", 1)[0] == leaf and (p := f"{folder}/{child}" if folder else child) in self.broken
            ),
            None,
        )
        return Outcome(NOT_FOUND, f"No module named '{name}'", native)

    def _loads(self, path: str) -> Outcome:
        """An extension that loads may import modules when it initialises (pyo3 and cffi bindings do):
        a top-level module that will not load, named inside the binary, fails it too."""
        names = (self.finder.module_name(p) for p in self.broken)
        suspects = {n for n in names if n is not None and "." not in n and len(n) > 3}
        if not suspects or self.read_binary is None:
            return Outcome()
        data = self.read_binary(path)
        for name in sorted(suspects):
            if data and name.encode() in data:
                out = self.run(name)
                if out.raises is not None:
                    return Outcome(
                        out.raises, f"{out.why} (`{name}` is named in {path}, which imports it as it loads)", out.native
                    )
        return Outcome()

    def _may_define(self, spec: Spec, name: str) -> bool:
        """Whether a package's `__init__` may define `name` (it is written there, or a `*` import brings
        names nobody listed); False means `from package import name` raises ImportError."""
        path = self.finder.source_file(spec)
        if path is None:
            return True
        if path not in self._words:  # the words of each __init__, read once: many statements ask of one
            data = self.read(path)
            self._words[path] = None if data is None or _DEFINES_ANY.search(data) else frozenset(_WORD.findall(data))
        words = self._words[path]
        return words is None or name.encode() in words

    def _beside(self, name: str) -> str | None:
        """A native file named like a namespace package that the target passed over for the folder."""
        w = self._find(name)
        if not w.found or w.specs[-1].kind != "namespace":
            return None
        parent = w.specs[-2] if len(w.specs) > 1 else None
        return self._not_found(name, parent, name.rpartition(".")[2]).native

    def refs(self, path: str) -> list[ImportRef] | str:
        """The import statements of one source (decided for the target), or why they are unknown."""
        if path in self._refs:
            return self._refs[path]
        data = None
        if self.files_parsed < self.max_files and self.bytes_parsed < self.max_bytes:
            data = self.read(path)
        if data is None:
            out: list[ImportRef] | str = f"{path} was not read (over the budget of sources followed, or unreadable)"
        else:
            self.files_parsed += 1
            self.bytes_parsed += len(data)
            entry = max(
                (e for e in (*self.finder.entries, *(f.entries[0] for f in self._added)) if path.startswith(e + "/")),
                key=len,
                default="",
            )
            rel = path[len(entry) + 1 :] if entry else path
            if b"import" not in data:
                out = []  # nothing to follow: no need to parse it
            else:
                parsed = read_imports(data, path, rel, self.finder.version)
                out = f"{path} {parsed.problem}" if parsed.problem else parsed.imports
                self._edits[path] = parsed.path_edits
                if parsed.adds_finder:
                    self._serving.add(path)
        self._refs[path] = out
        return out

    def _execute(self, path: str) -> Outcome:
        """Run a source's top-level imports in order; the first uncaught failure ends it."""
        refs = self.refs(path)
        if isinstance(refs, str):
            return Outcome(unknown=refs)
        caught: dict[str, Caught] = {}
        edits = list(self._edits.get(path, ()))
        for ref in refs:
            while edits and edits[0][0] < ref.line:
                self._add_path(edits.pop(0)[1])
            if ref.function is not None or ref.type_checking or ref.handler or (ref.optional and not ref.catches):
                continue  # runs later, never, only when another import failed, or on another platform
            out = self._statement(ref)
            if out.ok:
                _keep(caught, out.caught)
                continue
            if out.raises and catches(ref.catches, out.raises):
                _keep(caught, (Caught(ref, out),))
                continue
            if ref.conditional or (out.unknown and catches(ref.catches, IMPORT_ERROR)):
                continue  # under a test not known before it runs: it may not run at all
            return out.through(ref)
        for _, folder in edits:
            self._add_path(folder)
        return Outcome(caught=tuple(caught.values()))

    def _statement(self, ref: ImportRef) -> Outcome:
        """One `import a.b` or `from a import b, c`."""
        out = self.run(ref.name)
        if not out.ok or not ref.names:
            return out
        caught: dict[str, Caught] = {}
        _keep(caught, out.caught)
        spec = self._spec(ref.name)
        for n in ref.names:
            if n == "*":
                continue
            sub = f"{ref.name}.{n}"
            if self._spec(sub) is not None:
                o = self.run(sub)
                if not o.ok:
                    return o
                _keep(caught, o.caught)
            elif spec is not None and spec.search:
                # A namespace package has no attributes but its submodules; a regular one may define
                # the name, but not when the name is a native file the target passes over.
                native = self._not_found(sub, spec, n).native or self._beside(ref.name)
                if spec.kind == "namespace" or native is not None or not self._may_define(spec, n):
                    where = "unknown location" if spec.kind == "namespace" else spec.path
                    return Outcome(IMPORT_ERROR, f"cannot import name '{n}' from '{ref.name}' ({where})", native)
        return Outcome(caught=tuple(caught.values()))
