"""The target's standard library (never the host's): module names, removals, platform-only modules, pyc magic."""

import os
import sys
from functools import lru_cache

from agentzip.records import NamedTuple

# stdlib-list ships one list per minor version. 0.12 knows 3.13 and 3.14; when a runtime newer
# than the installed lists appears, use the newest list it has: the standard library only grows
# by a handful of modules per release, and the removals that matter are curated in REMOVED below
# rather than inferred from the difference between two lists.


class Removal(NamedTuple):
    """A module the standard library dropped, and what to use instead."""

    module: str
    version: tuple[int, int]  # the first Python without it
    pep: str  # where the removal was decided ("PEP 594", "PEP 632", "gh-98040")
    replacement: str  # what to use instead, in a few words
    # PyPI projects that bring the module back under its old import name
    restored_by: tuple[str, ...] = ()

    @property
    def removed_in(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"


def _r(module: str, version: tuple[int, int], pep: str, replacement: str, *restored_by: str) -> Removal:
    return Removal(module, version, pep, replacement, restored_by)


# Python 3.12 and 3.13 removals (What's New 3.12 "Removed", PEP 594 "dead batteries", PEP 632).
# 3.14 removed no public module (only APIs inside modules, and the private `_compression`,
# moved to `compression._common`). The `standard-*` projects are python-deadlib's
# redistributions of the removed modules under their old names.
REMOVED: dict[str, Removal] = {
    r.module: r
    for r in (
        _r("distutils", (3, 12), "PEP 632", "setuptools, or packaging for versions and tags", "setuptools"),
        _r(
            "imp",
            (3, 12),
            "gh-98040",
            "importlib (importlib.util.spec_from_file_location, importlib.reload)",
            "zombie-imp",
        ),
        _r("asynchat", (3, 12), "PEP 594", "asyncio", "standard-asynchat", "pyasynchat"),
        _r("asyncore", (3, 12), "PEP 594", "asyncio", "standard-asyncore", "pyasyncore"),
        _r("smtpd", (3, 12), "PEP 594", "aiosmtpd", "standard-smtpd"),
        _r("aifc", (3, 13), "PEP 594", "soundfile or pydub", "standard-aifc"),
        _r("audioop", (3, 13), "PEP 594", "numpy, or the audioop-lts project", "audioop-lts"),
        _r(
            "cgi",
            (3, 13),
            "PEP 594",
            "email.message for headers, urllib.parse.parse_qsl for query strings, or the legacy-cgi project",
            "legacy-cgi",
            "standard-cgi",
        ),
        _r(
            "cgitb",
            (3, 13),
            "PEP 594",
            "the traceback module, or the legacy-cgi project",
            "legacy-cgi",
            "standard-cgitb",
        ),
        _r("chunk", (3, 13), "PEP 594", "struct, or the standard-chunk project", "standard-chunk"),
        _r("crypt", (3, 13), "PEP 594", "hashlib, or passlib / bcrypt for password hashes"),
        _r("imghdr", (3, 13), "PEP 594", "filetype or puremagic (or Pillow's Image.open)", "standard-imghdr"),
        _r("mailcap", (3, 13), "PEP 594", "mimetypes", "standard-mailcap"),
        _r("msilib", (3, 13), "PEP 594", "nothing on Linux (it was Windows-only)"),
        _r("nis", (3, 13), "PEP 594", "nothing maintained (call the system's tools with subprocess)"),
        _r("nntplib", (3, 13), "PEP 594", "the standard-nntplib project", "standard-nntplib"),
        _r("ossaudiodev", (3, 13), "PEP 594", "an audio library such as sounddevice"),
        _r("pipes", (3, 13), "PEP 594", "subprocess, with shlex.quote for quoting", "standard-pipes"),
        _r("sndhdr", (3, 13), "PEP 594", "filetype or puremagic", "standard-sndhdr"),
        _r("spwd", (3, 13), "PEP 594", "nothing maintained (python-pam for authentication)"),
        _r("sunau", (3, 13), "PEP 594", "soundfile", "standard-sunau"),
        _r("telnetlib", (3, 13), "PEP 594", "telnetlib3 (asyncio) or Exscript", "standard-telnetlib"),
        _r("uu", (3, 13), "PEP 594", "base64 (binascii.b2a_base64)", "standard-uu"),
        _r("xdrlib", (3, 13), "PEP 594", "struct", "standard-xdrlib"),
        _r("lib2to3", (3, 13), "gh-84540", "parso or libcst (for parsing); ast for Python 3 code"),
    )
}

# Importable only on Windows: in the Linux runtime these raise ModuleNotFoundError, although
# stdlib-list (which merges every platform's modules) lists them.
WINDOWS_ONLY: frozenset[str] = frozenset(
    {"winreg", "_winreg", "msvcrt", "winsound", "_winapi", "_overlapped", "_msi", "_wmi", "nt", "msilib"}
)

# Standard modules built only when a system library is present. The runtime image is not
# documented (FOUNDRY.md); slim images routinely lack Tk, so these may fail to import there.
NEEDS_SYSTEM_LIBRARY: dict[str, str] = {
    "tkinter": "Tcl/Tk (libtk8.6)",
    "_tkinter": "Tcl/Tk (libtk8.6)",
    "turtle": "Tcl/Tk, through tkinter",
    "turtledemo": "Tcl/Tk, through tkinter",
    "idlelib": "Tcl/Tk, through tkinter",
}


# Modules a root file can never hide. Built-in modules (Modules/Setup.bootstrap.in of the Linux
# build) are found by BuiltinImporter before any sys.path entry; frozen and startup modules are
# imported before `python main.py` puts the script's folder on sys.path, so they are already in
# sys.modules when the agent's code runs.
UNSHADOWABLE: frozenset[str] = frozenset(
    {
        "builtins",
        "sys",
        "_imp",
        "_thread",
        "_warnings",
        "_weakref",
        "_io",
        "marshal",
        "posix",
        "time",
        "errno",
        "pwd",
        "itertools",
        "atexit",
        "faulthandler",
        "gc",
        "_abc",
        "_codecs",
        "_collections",
        "_functools",
        "_locale",
        "_operator",
        "_signal",
        "_sre",
        "_stat",
        "_string",
        "_symtable",
        "_tokenize",
        "_tracemalloc",
        "_typing",
        "zipimport",
        "codecs",
        "encodings",
        "abc",
        "io",
        "stat",
        "_collections_abc",
        "genericpath",
        "posixpath",
        "os",
        "_sitebuiltins",
        "site",
        "__main__",
        # never imported by anything the agent runs: a root `test/` or `this.py` hides nothing real
        "test",
        "this",
        "antigravity",
        "idlelib",
        "turtledemo",
    }
)

# The magic number CPython writes in the first two bytes of a .pyc (little-endian, then b"\r\n"),
# from Include/internal/pycore_magic_number.h: each release takes a block of numbers and a
# release only loads its final one. (first of the block, final release's number) per version.
PYC_MAGIC: dict[tuple[int, int], tuple[int, int]] = {
    (3, 5): (3320, 3351),
    (3, 6): (3360, 3379),
    (3, 7): (3390, 3394),
    (3, 8): (3400, 3413),
    (3, 9): (3420, 3425),
    (3, 10): (3430, 3439),
    (3, 11): (3450, 3495),
    (3, 12): (3500, 3531),
    (3, 13): (3550, 3571),
    (3, 14): (3600, 3627),
    (3, 15): (3650, 3699),  # in development: the block, not yet a final number
}


def pyc_version(head: bytes) -> tuple[int, int] | None:
    """The Python a .pyc was compiled for, from its first four bytes; None when not a .pyc."""
    if len(head) < 4 or head[2:4] != b"\r\n":
        return None
    magic = int.from_bytes(head[:2], "little")
    if 62171 <= magic <= 62211:
        return (2, 7)
    for version, (first, _) in sorted(PYC_MAGIC.items(), reverse=True):
        if magic >= first:
            return version if magic < first + 50 or version < (3, 12) else None
    return None


def loads_pyc(head: bytes, version: tuple[int, int]) -> bool:
    """True when the target version loads this .pyc: its magic is exactly that release's."""
    known = PYC_MAGIC.get(version)
    return (
        known is not None and len(head) >= 4 and head[2:4] == b"\r\n" and int.from_bytes(head[:2], "little") == known[1]
    )


def _lists() -> dict[str, str]:
    """stdlib-list's data files, version -> path ("3.13" -> .../stdlib_list/lists/3.13.txt).

    Read where the package keeps them, without importing it: `import stdlib_list` runs pkgutil,
    importlib.util and a namedtuple (8M instructions, 4% of a small check); its own reader,
    pkgutil.get_data, opens the same files. An install that keeps them elsewhere (a zipped
    package) leaves this empty, and the package itself is asked. The folder is found as the
    import system finds a regular package (the first sys.path entry holding it), without
    importlib: its import and warnings' are a millisecond of a small check."""
    loaded = sys.modules.get("stdlib_list")
    where = getattr(loaded, "__file__", None)
    folders = [os.path.dirname(where)] if where else [os.path.join(p or os.curdir, "stdlib_list") for p in sys.path]
    for folder in folders:
        if not os.path.isfile(os.path.join(folder, "__init__.py")):
            continue
        lists = os.path.join(folder, "lists")
        try:
            names = os.listdir(lists)
        except OSError:
            return {}
        return {n[: -len(".txt")]: os.path.join(lists, n) for n in names if n.endswith(".txt")}
    return {}


@lru_cache(maxsize=1)
def known_versions() -> tuple[str, ...]:
    """The X.Y versions stdlib-list has a list for."""
    found = _lists()
    if found:
        return tuple(found)
    import stdlib_list

    return tuple(stdlib_list.short_versions)


@lru_cache(maxsize=32)
def listed(version: str) -> tuple[str, ...]:
    """stdlib-list's module names for one X.Y version (what stdlib_list.stdlib_list returns)."""
    path = _lists().get(version)
    if path is not None:
        try:
            with open(path, "rb") as f:
                data = f.read(1 << 22).decode()
            return tuple(y for x in data.splitlines() if (y := x.strip()))
        except (OSError, UnicodeDecodeError):
            pass
    import stdlib_list

    return tuple(stdlib_list.stdlib_list(version))


def list_version(version: tuple[int, int]) -> str:
    """The stdlib-list version string used for a target: its own, or the newest one known."""
    wanted = f"{version[0]}.{version[1]}"
    known = known_versions()
    if wanted in known:
        return wanted
    # A target newer than the installed lists gets the newest list (see the note at the top).
    py3 = sorted((v for v in known if v.startswith("3.")), key=lambda v: tuple(int(p) for p in v.split(".")))
    if not py3:
        return wanted
    return py3[-1] if version > tuple(int(p) for p in py3[-1].split(".")) else py3[0]


@lru_cache(maxsize=8)
def stdlib_modules(version: tuple[int, int]) -> frozenset[str]:
    """Every module and submodule name (dotted) of the target version's standard library."""
    names = set(listed(list_version(version)))
    # The curated removals win over the list when the list is a fallback for a newer version.
    return frozenset(n for n in names if not _removed_by(n.split(".", 1)[0], version))


@lru_cache(maxsize=8)
def stdlib_top_level(version: tuple[int, int]) -> frozenset[str]:
    """Top-level module and package names of the target version's standard library."""
    return frozenset(n.split(".", 1)[0] for n in stdlib_modules(version))


def is_stdlib(name: str, version: tuple[int, int]) -> bool:
    """True when the top-level part of a dotted name is a standard module of the target version."""
    return name.split(".", 1)[0] in stdlib_top_level(version)


def _removed_by(top: str, version: tuple[int, int]) -> bool:
    r = REMOVED.get(top)
    return r is not None and version >= r.version


def removal(name: str, version: tuple[int, int]) -> Removal | None:
    """The removal that makes a (dotted) module name fail on the target version, if any."""
    r = REMOVED.get(name.split(".", 1)[0])
    return r if r is not None and version >= r.version else None


def added_after(name: str, version: tuple[int, int]) -> str | None:
    """'3.14' when a top-level name is standard only in a newer Python than the target; else None."""
    top = name.split(".", 1)[0]
    if top in stdlib_top_level(version):
        return None
    for v in sorted(known_versions(), key=lambda v: tuple(int(p) for p in v.split("."))):
        parts = tuple(int(p) for p in v.split("."))
        if parts > version and top in {m.split(".", 1)[0] for m in listed(v)}:
            return v
    return None


def is_windows_only(name: str) -> bool:
    return name.split(".", 1)[0] in WINDOWS_ONLY
