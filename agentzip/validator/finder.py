"""The one import model: the target CPython's PathFinder and FileFinder walked over the bundle's files.

Nothing is extracted and no interpreter runs. The order is the target's: built-in modules
first, then each `sys.path` entry (the entry point's folder, then `packages/`), then the
target's standard library (stdlib-list, never the host's). In each folder FileFinder tries a
regular package (`x/__init__` with an extension suffix, `.py` or `.pyc`), then an extension
module named for the target (`x.cpython-313-x86_64-linux-gnu.so`, `x.abi3.so`, `x.so`), then
`x.py`, then `x.pyc`; a folder without `__init__` is remembered as a namespace portion and the
search goes on. A regular package or module ends the search; portions gather into a namespace
package only when nothing else is found. Submodules are looked for only in their parent's
`__path__` (its folder, or every portion of a namespace).
"""

from collections.abc import Mapping, Set
from functools import cached_property

from agentzip.foundry import DEFAULT_RUNTIME, PACKAGES, PYTHON_RUNTIMES
from agentzip.records import NamedTuple
from agentzip.validator.stdlib import UNSHADOWABLE, is_windows_only, stdlib_modules, stdlib_top_level

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    from agentzip.validator.context import Context
    from agentzip.validator.index import Index

    Kind = Literal["package", "module", "extension", "bytecode", "namespace", "stdlib", "builtin"]


def extension_suffixes(version: tuple[int, int]) -> tuple[str, ...]:
    """What CPython on Linux x86_64 loads as an extension module (importlib.machinery.EXTENSION_SUFFIXES)."""
    return (f".cpython-{version[0]}{version[1]}-x86_64-linux-gnu.so", ".abi3.so", ".so")


def entry_label(entry: str) -> str:
    """How a sys.path entry is shown: "./" for the root, "packages/" for packages."""
    return f"{entry}/" if entry else "./"


class Spec(NamedTuple):
    """What the finder found for one dotted name (a ModuleSpec without the loader)."""

    kind: "Kind"
    path: str | None  # the file or folder ("packages/yaml/"); None for the stdlib and built-ins
    search: tuple[str, ...] = ()  # where its submodules are looked for (__path__)
    entry: str | None = None  # the sys.path entry it was found in ("" = the root); None: merged namespace


class Step(NamedTuple):
    """One place the runtime looks, and what it finds there (explain's "looked:" chain)."""

    where: str  # "./" (the entry point's folder), "packages/", "stdlib", "builtin"
    found: str | None  # the path (or "Python 3.13 standard library") found; None when not there
    kind: str | None = None  # a Kind, None when nothing was found

    def to_json(self) -> "dict[str, Any]":
        return {"where": self.where, "found": self.found, "kind": self.kind}


class Resolution(NamedTuple):
    """The finder's answer for a dotted name: a spec per component found, and the steps it took.

    `found` is true when every component resolved; otherwise `specs` stops at the last parent
    found and `missing` names the first component that was not.
    """

    name: str
    specs: tuple[Spec, ...] = ()
    steps: tuple[Step, ...] = ()

    @property
    def parts(self) -> list[str]:
        return self.name.split(".")

    @property
    def found(self) -> bool:
        return len(self.specs) == len(self.parts)

    @property
    def spec(self) -> Spec | None:
        """The module's own spec when found, else None."""
        return self.specs[-1] if self.found else None

    @property
    def last(self) -> Spec | None:
        """The deepest component found (the parent of what is missing)."""
        return self.specs[-1] if self.specs else None

    @property
    def missing(self) -> str | None:
        """The dotted name of the first component not found, or None."""
        return None if self.found else ".".join(self.parts[: len(self.specs) + 1])

    @property
    def reason(self) -> str:
        """Why not found, in a few words (empty when found)."""
        if self.found:
            return ""
        if not self.specs:
            return f"no `{self.parts[0]}` on sys.path nor in the standard library"
        parent = ".".join(self.parts[: len(self.specs)])
        return f"`{parent}` has no `{self.parts[len(self.specs)]}` in its __path__"


class Finder:
    """The target's import system over one bundle: sys.path entries, suffixes and stdlib of the target."""

    def __init__(
        self, files: Mapping[str, object], dirs: Set[str], base: str, version: tuple[int, int], packages: bool = True
    ) -> None:
        self.files = files
        self.dirs = dirs
        self.version = version
        self.suffixes = extension_suffixes(version)
        out = [base]
        if packages and PACKAGES in dirs and base != PACKAGES:
            out.append(PACKAGES)
        self.entries: tuple[str, ...] = tuple(out)

    @classmethod
    def of(cls, index: "Index", version: tuple[int, int]) -> "Finder":
        """The finder for a bundle's Index (the entry point's folder, then packages/)."""
        return cls(index.by_path, index.dirs, index.source_base, version)

    @classmethod
    def for_context(cls, ctx: "Context") -> "Finder":
        """The finder for the context's bundle and target (the default runtime's Python for a non-Python target)."""
        return cls.of(ctx.index, ctx.target.python_version or PYTHON_RUNTIMES[DEFAULT_RUNTIME])

    @property
    def label(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"

    # -- FileFinder ------------------------------------------------------------------------------

    def find_in(self, folder: str, leaf: str) -> Spec | None:
        """FileFinder: a package, a module or a namespace portion named `leaf` in `folder`."""
        base = f"{folder}/{leaf}" if folder else leaf
        is_namespace = False
        if base in self.dirs:
            for suffix in (*self.suffixes, ".py", ".pyc"):
                if f"{base}/__init__{suffix}" in self.files:
                    return Spec("package", base + "/", (base,))
            is_namespace = True
        kinds: tuple[tuple[str, Kind], ...] = (
            *((s, "extension") for s in self.suffixes),
            (".py", "module"),
            (".pyc", "bytecode"),
        )
        for suffix, kind in kinds:
            if base + suffix in self.files:
                return Spec(kind, base + suffix)
        return Spec("namespace", base + "/", (base,)) if is_namespace else None

    # -- PathFinder ------------------------------------------------------------------------------

    def find(self, name: str, skip: str | None = None) -> Resolution:
        """Find each component of a dotted name as the target's import system would.

        `skip` leaves one sys.path entry out: what would be imported without the agent's file.
        """
        parts = name.split(".")
        specs: list[Spec] = []
        steps: list[Step] = []
        top = self._find_top(parts[0], skip, steps)
        if top is None:
            return Resolution(name, (), tuple(steps))
        specs.append(top)
        for i in range(1, len(parts)):
            child = self._find_child(specs[-1], ".".join(parts[: i + 1]), parts[i])
            if child is None:
                break
            specs.append(child)
        return Resolution(name, tuple(specs), tuple(steps))

    def spec_of(self, name: str) -> Spec | None:
        """`find(name).spec`, memoized and built on the parent's answer: for walks that ask about many names."""
        memo = self._specs
        if name not in memo:
            parent, _, leaf = name.rpartition(".")
            if parent:
                up = self.spec_of(parent)
                memo[name] = None if up is None else self._find_child(up, name, leaf)
            else:
                memo[name] = self._find_top(name, None, [])
        return memo[name]

    @cached_property
    def _specs(self) -> dict[str, Spec | None]:
        return {}

    def is_stdlib_top(self, top: str) -> bool:
        """A top-level module of the target's standard library on Linux."""
        return top in stdlib_top_level(self.version) and not is_windows_only(top)

    def _find_top(self, top: str, skip: str | None, steps: list[Step]) -> Spec | None:
        stdlib = self.is_stdlib_top(top)
        if stdlib and top in UNSHADOWABLE:
            steps.append(Step("builtin", f"Python {self.label} (loaded before any sys.path entry)", "builtin"))
            return Spec("builtin", None)
        portions: list[str] = []
        for entry in self.entries:
            if entry == skip:
                continue
            spec = self.find_in(entry, top)
            steps.append(Step(entry_label(entry), spec.path if spec else None, spec.kind if spec else None))
            if spec is None:
                continue
            if spec.kind == "namespace":
                portions.extend(spec.search)
                continue
            return Spec(spec.kind, spec.path, spec.search, entry)
        where = f"Python {self.label} standard library" if stdlib else None
        steps.append(Step("stdlib", where, "stdlib" if stdlib else None))
        if stdlib:
            return Spec("stdlib", None)
        if portions:
            return Spec("namespace", portions[0] + "/", tuple(portions), None)
        return None

    def _find_child(self, parent: Spec, dotted: str, leaf: str) -> Spec | None:
        """A submodule, looked for only in its parent's __path__."""
        if parent.kind in ("stdlib", "builtin"):
            return Spec("stdlib", None) if dotted in stdlib_modules(self.version) else None
        portions: list[str] = []
        for folder in parent.search:
            spec = self.find_in(folder, leaf)
            if spec is None:
                continue
            if spec.kind == "namespace":
                portions.extend(spec.search)
                continue
            return Spec(spec.kind, spec.path, spec.search, self.entry_of(folder))
        if portions:
            return Spec("namespace", portions[0] + "/", tuple(portions), None)
        return None

    # -- paths and names -------------------------------------------------------------------------

    def source_file(self, spec: Spec) -> str | None:
        """The `.py` file whose code runs when the module is imported (a package's `__init__.py`), if any."""
        if spec.kind == "module":
            return spec.path
        if spec.kind == "package" and spec.path is not None and f"{spec.path}__init__.py" in self.files:
            return f"{spec.path}__init__.py"
        return None

    def module_name(self, path: str) -> str | None:
        """The dotted name a bundle file is imported as from its sys.path entry
        (`packages/yaml/_yaml.abi3.so` -> 'yaml._yaml', `pkg/__init__.py` -> 'pkg'); None off sys.path."""
        entry = self.entry_of(path)
        if entry is None:
            return None
        rel = path[len(entry) + 1 :] if entry else path
        folder, _, file = rel.rpartition("/")
        parts = [*filter(None, folder.split("/")), file.split(".", 1)[0]]
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts) or None

    # -- the bundle's tree -----------------------------------------------------------------------

    def entry_of(self, path: str) -> str | None:
        """The sys.path entry a bundle path lies under (the longest that contains it)."""
        best: str | None = None
        for e in self.entries:
            if (e == "" or path == e or path.startswith(e + "/")) and (best is None or len(e) > len(best)):
                best = e
        return best

    @cached_property
    def _tree(self) -> dict[str, set[str]]:
        """Folder -> the file and folder names directly inside it ("" is the root)."""
        out: dict[str, set[str]] = {}
        for p in (*self.files, *self.dirs):
            folder, _, name = p.rpartition("/")
            out.setdefault(folder, set()).add(name)
        return out

    def children(self, folder: str) -> list[str]:
        """File and folder names directly inside a folder of the bundle, sorted."""
        return sorted(self._tree.get(folder, ()))
