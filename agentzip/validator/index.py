"""Facts derived once, lazily, from a bundle: a rule that is not selected costs nothing."""

from __future__ import annotations

from functools import cached_property

from agentzip.foundry import PACKAGES
from agentzip.validator.bundle import Bundle, BundleFile
from agentzip.validator.sizes import ZipSize, measure
from agentzip.validator.target import Target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from agentzip.validator.closure import Closure
    from agentzip.validator.distributions import Distribution
    from agentzip.validator.dotnetfacts import DotnetFacts
    from agentzip.validator.imports import ImportScan, LocalModule
    from agentzip.validator.natives import Native
    from agentzip.validator.requirements import Requirements
    from agentzip.validator.wheelfiles import RawWheel

# Folders whose contents are never the agent's own code or its installed dependencies.
JUNK_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "__MACOSX",
        "node_modules",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".idea",
        ".vs",
        ".azure",
        ".ipynb_checkpoints",
    }
)
JUNK_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


class Index:
    """Derived facts shared by rules; each computed on first use."""

    def __init__(self, bundle: Bundle, target: Target, size_limit: int) -> None:
        self.bundle = bundle
        self.target = target
        self.size_limit = size_limit

    @cached_property
    def files(self) -> list[BundleFile]:
        """Regular files and symlinks (no directory entries)."""
        return [f for f in self.bundle.files if not f.is_dir]

    @cached_property
    def by_path(self) -> dict[str, BundleFile]:
        return {f.path: f for f in self.files}

    @cached_property
    def folders(self) -> dict[str | None, list[int]]:
        """Each folder's files (None for the root) as ascending positions in `files`.

        Most facts about a file (junk, dependency, contributor, dist-info member) hang on its
        folder alone, so rules work them out once per folder and skip whole folders: a 20,000-file
        zip has a few dozen folders. (The root is None: `/etc/x` sits in the folder "".)
        """
        return self._grouped[0]

    @cached_property
    def extensions(self) -> dict[str, list[int]]:
        """Positions in `files` by the lowercase text after the last dot of the name ("" for none)."""
        return self._grouped[1]

    @cached_property
    def _grouped(self) -> tuple[dict[str | None, list[int]], dict[str, list[int]]]:
        """folders and extensions, from one pass over the files.

        Neighbours mostly share a folder and an extension (a zip lists a folder's files together),
        so a string compare with the last one usually saves hashing a new slice for a lookup.
        rpartition, not rfind and a slice: it takes its one argument without the argument parsing
        that costs rfind most of its time, and hands back the folder and the name in one call.
        """
        folders: dict[str | None, list[int]] = {}
        extensions: dict[str, list[int]] = {}
        last_parent: object = 0  # neither a folder nor an extension
        last_ext: object = 0
        in_folder: list[int] = []
        with_ext: list[int] = []
        for n, f in enumerate(self.files):
            head, slash, name = f.path.rpartition("/")
            parent = head if slash else None
            if parent != last_parent:
                in_folder = folders.setdefault(parent, [])
                last_parent = parent
            in_folder.append(n)
            _, dot, ext = name.rpartition(".")
            if not dot:
                ext = ""
            if ext != last_ext:
                with_ext = extensions.setdefault(ext.lower(), [])
                last_ext = ext
            with_ext.append(n)
        return folders, extensions

    def with_extension(self, *exts: str) -> list[BundleFile]:
        """Files whose name ends in `.EXT` for one of `exts` (lowercase, no dot), in bundle order."""
        table = self.extensions
        found = [n for ext in exts for n in table.get(ext, ())]
        if len(exts) > 1:
            found.sort()
        files = self.files
        return [files[n] for n in found]

    @cached_property
    def dirs(self) -> set[str]:
        """Every folder, whether the zip has an entry for it or only paths under it."""
        out: set[str] = {f.path for f in self.bundle.files if f.is_dir}
        seen: set[str] = set()  # parents already walked up from
        for p in self._parents:
            if p:
                out.add(p)
            while (i := p.rfind("/")) > 0:
                p = p[:i]
                if p in seen:
                    break
                seen.add(p)
                out.add(p)
        return out

    @cached_property
    def _parents(self) -> set[str]:
        """The folder of every file not at the root, each once: per-folder facts are then per folder."""
        return {p for p in self.folders if p is not None}

    @cached_property
    def root_files(self) -> set[str]:
        files = self.files
        return {files[n].path for n in self.folders.get(None, ())}

    @cached_property
    def wrapper_dir(self) -> str | None:
        """The one folder everything sits in, when the entry point is not at the root.

        `my-agent/main.py` is the classic mistake (Finder and "Send to compressed folder" both
        make it). macOS litter beside the folder (`__MACOSX/`, `.DS_Store`) does not count.
        """
        tops = {p.split("/", 1)[0] for p in self._parents} - JUNK_DIRS
        at_root = [p for p in self.root_files if p not in JUNK_FILES]
        if len(tops) != 1 or at_root:
            return None
        entry = self.target.entry_file
        if entry and entry in self.by_path:
            return None
        (top,) = tops
        return top

    def is_junk(self, path: str) -> bool:
        """True for paths inside junk folders (.venv/, .git/, __MACOSX/, ...)."""
        i = path.rfind("/")
        if i < 0:
            return path in JUNK_DIRS
        parent = path[:i]
        junk = self._junk_parents.get(parent)
        if junk is None:  # once per folder, not once per file
            junk = self._junk_parents[parent] = not JUNK_DIRS.isdisjoint(parent.split("/"))
        return junk or path in JUNK_DIRS

    @cached_property
    def _junk_parents(self) -> dict[str, bool]:
        return {}

    def is_dependency(self, path: str) -> bool:
        """True inside `packages/` or an installed distribution at the root (`pip install -t .`)."""
        i = path.find("/")
        top = path if i < 0 else path[:i]
        return top == PACKAGES or top.endswith((".dist-info", ".data"))

    @cached_property
    def agent_files(self) -> list[BundleFile]:
        """The agent's own files: not junk, not installed dependencies."""
        files = self.files
        keep: list[int] = []
        for parent, at in self.folders.items():
            if parent is None:  # root files: each its own verdict
                keep += [n for n in at if not self.is_junk(files[n].path) and not self.is_dependency(files[n].path)]
            elif not self.is_junk(p := files[at[0]].path) and not self.is_dependency(p):
                keep += at  # both tests hang on the folder alone
        keep.sort()
        return [files[n] for n in keep]

    @cached_property
    def zip_size(self) -> ZipSize:
        """The zip's size, or the size of the zip a folder would make (see sizes.measure)."""
        return measure(self.bundle, self.files, self.size_limit, folders=self.folders)

    @cached_property
    def dotnet(self) -> DotnetFacts:
        """The root's .NET files (project, runtimeconfig, deps.json, global.json, nuget.config), read lazily."""
        from agentzip.validator.dotnetfacts import DotnetFacts

        return DotnetFacts(self.bundle, {f.path: f for f in self.files if "/" not in f.path})

    # -- Python dependencies (distributions.py, requirements.py, wheelfiles.py) ------------------

    @cached_property
    def distributions(self) -> list[Distribution]:
        """Every `*.dist-info` in `packages/` or at the root, parsed; packages/ first."""
        # one scan of one string in C, not a generator step per path
        if ".dist-info" not in "\0".join([f.path for f in self.bundle.files]):
            return []  # the common agent folder: no METADATA reader to load, no paths to split
        from agentzip.validator.distributions import load_distributions

        return load_distributions(self.bundle)

    @cached_property
    def provided_modules(self) -> dict[str, list[Distribution]]:
        """Import name -> the distributions that install it."""
        out: dict[str, list[Distribution]] = {}
        for d in self.distributions:
            for name in sorted(d.import_names):
                out.setdefault(name, []).append(d)
        return out

    @cached_property
    def site(self) -> str | None:
        """Where dependencies were installed: "packages", "root" (`pip install -t .`) or None."""
        if not self.distributions:
            return None
        from agentzip.validator.distributions import site_of

        return site_of(self.distributions)

    @cached_property
    def requirements(self) -> Requirements:
        """The root requirements.txt and the files it includes (empty when there is none)."""
        from agentzip.validator.requirements import load_requirements

        return load_requirements(self.bundle, self.by_path)

    @cached_property
    def raw_wheels(self) -> list[RawWheel]:
        """Every `.whl` file in the bundle, described (the runtime never installs them)."""
        wheels = [f for f in self.with_extension("whl") if not self.is_junk(f.path)]
        if not wheels:
            return []
        from agentzip.validator.wheelfiles import find_raw_wheels

        return find_raw_wheels(self.bundle, wheels, self.target)

    @cached_property
    def owners(self) -> dict[str, Distribution]:
        """Bundle path -> the distribution whose RECORD lists it."""
        out: dict[str, Distribution] = {}
        for d in self.distributions:
            for p in d.site_paths:
                if p is not None:
                    out.setdefault(p, d)
        return out

    def owner_of(self, path: str) -> Distribution | None:
        return self.owners.get(path) if self.distributions else None

    # -- native binaries (binaries.py, natives.py) -----------------------------------------------

    @cached_property
    def natives(self) -> list[Native]:
        """Every native file (ELF, PE, Mach-O, found from its header bytes) and why it will not load."""
        from agentzip.validator.natives import candidates, find_natives

        files = candidates(self.files, self.extensions, self.is_junk, self.target)
        return find_natives(self.bundle, files, self.target, self.owner_of)

    # -- the agent's Python sources (imports.py) -------------------------------------------------

    @cached_property
    def source_base(self) -> str:
        """The folder `python <entry point>` puts first on sys.path: "" (the root) for `main.py`."""
        from agentzip.validator.imports import entry_base

        return entry_base(self.target.entry_file, self.dirs)

    @cached_property
    def local_modules(self) -> dict[str, LocalModule]:
        """Top-level modules the agent's own folder provides (`foo.py`, `foo/`, `foo.*.so`)."""
        from agentzip.validator.imports import local_modules

        version = self.target.python_version or (3, 13)
        return local_modules(self.own_files, self.dirs, self.source_base, version, self._not_own)

    @cached_property
    def imports(self) -> ImportScan:
        """The agent's own imports (ast, never run); unreadable files are listed, never raised."""
        from agentzip.validator.imports import scan_imports

        return scan_imports(
            self.bundle, self.own_files, self.local_modules, self.source_base, self.target.python_version
        )

    @cached_property
    def import_closure(self) -> Closure:
        """What the entry point's load-time imports take that does not exist (closure.py, AZ405)."""
        from agentzip.validator.closure import closure_of

        return closure_of(self)

    @cached_property
    def installed_at_root(self) -> frozenset[str]:
        """Root entries a root-installed distribution owns (`pip install -t .`: `requests/`, `six.py`)."""
        from agentzip.validator.imports import owned_root_names

        return owned_root_names(self.distributions)

    @cached_property
    def own_files(self) -> list[BundleFile]:
        """The agent's own files, without what `pip install -t .` put at the root."""
        return [f for f in self.agent_files if not self._not_own(f.path)]

    def _not_own(self, path: str) -> bool:
        return self.is_junk(path) or self.is_dependency(path) or path.split("/", 1)[0] in self.installed_at_root
