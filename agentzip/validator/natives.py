"""Native files of a bundle, read from their header bytes, and what keeps each from loading.

Which files: everything outside junk folders except what is text or data by its suffix (`.py`,
`.json`, dist-info metadata...), because reading a member's head costs a seek and an inflate and
a bundle has thousands of them. A DLL renamed to `.so`, a Mach-O without a suffix or an ELF in
`bin/` are all read. For an x86_64 ELF the loader's view (DT_NEEDED, the GLIBC_x.y versions) is
read too, which needs the dynamic table: deep inside the file, so at most DEEP_LIMIT bytes, and
only when no manylinux wheel tag already vouches for it (see _vouched).
"""

import re
from collections.abc import Callable
from functools import partial

from agentzip.errors import ArchiveError
from agentzip.foundry import PACKAGES
from agentzip.records import NamedTuple
from agentzip.validator.bundle import Bundle, BundleFile
from agentzip.validator.target import Target

TYPE_CHECKING = False
if TYPE_CHECKING:  # the header readers load only for a bundle with a file worth reading
    from collections.abc import Mapping

    from agentzip.validator.binaries import BinaryInfo
    from agentzip.validator.distributions import Distribution
    from agentzip.validator.elf import ElfDetails

# Suffixes that are never native code worth a read (text, sources, data, images, archives).
SKIP_SUFFIXES = frozenset(
    [
        "py",
        "pyi",
        "pyc",
        "pyo",
        "pyx",
        "pxd",
        "pxi",
        "txt",
        "md",
        "rst",
        "json",
        "toml",
        "yaml",
        "yml",
        "cfg",
        "ini",
        "conf",
        "html",
        "htm",
        "css",
        "js",
        "mjs",
        "ts",
        "map",
        "typed",
        "pem",
        "crt",
        "cer",
        "key",
        "csv",
        "tsv",
        "xml",
        "xsd",
        "proto",
        "h",
        "hpp",
        "c",
        "cc",
        "cpp",
        "rs",
        "go",
        "java",
        "jinja",
        "jinja2",
        "j2",
        "tmpl",
        "template",
        "sql",
        "sh",
        "bat",
        "ps1",
        "cmd",
        "lock",
        "in",
        "svg",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "ico",
        "webp",
        "bmp",
        "woff",
        "woff2",
        "ttf",
        "otf",
        "eot",
        "whl",
        "zip",
        "gz",
        "tgz",
        "bz2",
        "xz",
        "zst",
        "tar",
        "egg",
        "ipynb",
        "mo",
        "po",
        "pot",
        "license",
        "LICENSE",
    ]
)
SMALLEST_NATIVE = 20  # an ELF identification and header start; nothing shorter is native code
DEEP_LIMIT = 64 << 20  # bytes inflated per ELF to reach its dynamic table; beyond: not verified

# CPython's extension file names (PEP 3149, and PEP 703's 't' for free-threaded builds):
# `_x.cpython-313-x86_64-linux-gnu.so`, `_x.cpython-313t-...so`, `_x.cp313-win_amd64.pyd`.
# Patterns as text, compiled by re on first use (and cached there): most checks meet no native
# file and no .NET runtimes/ folder, and compiling them costs a check's start-up almost a millisecond.
_EXT_TAG = (
    r"\.(?:cpython-(?P<v>\d)(?P<m>\d+)(?P<flags>[a-z]*)-[^./]+|cp(?P<v2>\d)(?P<m2>\d+)(?P<t>t?)-[^./]+)\.(?:so|pyd)$"
)

# A .NET publish output carries native assets for every runtime identifier (runtimes/<rid>/);
# the host picks linux-x64 and never opens the others.
_DOTNET_RID = r"(?:^|/)runtimes/(?P<rid>[^/]+)/"

Problem = str  # "windows" | "macos" | "architecture" | "musl" | "glibc" | "abi"
CODES = {
    "windows": "AZ301",
    "macos": "AZ302",
    "architecture": "AZ303",
    "musl": "AZ304",
    "glibc": "AZ305",
    "abi": "AZ306",
}


class Native(NamedTuple):
    """One native file and, when it will not load on the target, why (in plain words)."""

    path: str
    size: int
    info: "BinaryInfo"
    elf: "ElfDetails | None"  # x86_64 ELF only: what the loader reads
    owner: "Distribution | None"  # the distribution whose RECORD lists the file
    problem: Problem | None = None
    reason: str = ""  # "a Windows x86_64 DLL (PE)"; for problem None, what it is

    @property
    def code(self) -> str | None:
        return CODES.get(self.problem) if self.problem else None


def describe(info: "BinaryInfo") -> str:
    """'a Windows x86_64 DLL (PE)', 'a macOS arm64, x86_64 universal library (Mach-O)'..."""
    archs = ", ".join(info.archs)
    if info.format == "pe":
        what = ".NET assembly" if info.managed else ("DLL" if info.kind == "shared" else "executable")
        if info.managed and info.il_only is False:
            what = "mixed-mode .NET assembly (no ILONLY flag: native code inside)"
        elif info.x86_only:
            what = ".NET assembly for 32-bit x86 only (32BITREQUIRED)"
        elif info.readytorun:
            what = "ReadyToRun .NET assembly"
        elif info.il_only:
            return "an IL-only .NET assembly (PE)"
        os_name = f"{info.osabi} " if info.osabi else "Windows "
        return f"a {os_name}{archs} {what} (PE)"
    if info.format == "macho":
        what = "universal binary" if info.universal else ("executable" if info.kind == "executable" else "library")
        return f"a macOS {archs} {what} (Mach-O)"
    what = {"shared": "shared library", "executable": "executable"}.get(info.kind, info.kind or "file")
    osabi = f", {info.osabi} ABI" if info.osabi not in ("", "sysv", "linux") else ""
    return f"a {info.bits}-bit {archs} ELF {what}{osabi}"


def candidates(
    files: list[BundleFile],
    extensions: "Mapping[str, list[int]]",
    is_junk: Callable[[str], bool],
    target: Target,
) -> list[BundleFile]:
    """The files worth reading a head of; `extensions` is `files` grouped by lowercase suffix (Index.extensions).

    A text or data suffix's group (`py`, `json`...) is dropped whole when every name in it ends in
    exactly that suffix after a stem, which one pass of C calls tells; `X.PY` and the dotfile
    `.py` are read (the suffix test is case-sensitive and needs a stem), so such a group is
    tested name by name. What is left is tested file by file, folder facts once per folder.
    """
    keep: list[int] = []
    rid = re.compile(_DOTNET_RID).search if target.is_dotnet else None
    skipped: dict[str, bool] = {}  # folder -> its files are skipped (dist-info, egg-info, junk)
    for ext, members in extensions.items():
        if ext in SKIP_SUFFIXES:
            members = _suffix_kept(files, ext, members)
        for n in members:
            f = files[n]
            if f.is_symlink or f.size < SMALLEST_NATIVE:
                continue
            path = f.path
            slash = path.rfind("/")
            if slash < 0:
                if path[:-1].endswith(_METADATA) or is_junk(path):
                    continue  # path[:slash] of a root file, as it always was read
            else:
                parent = path[:slash]
                skip = skipped.get(parent)
                if skip is None:
                    skip = skipped[parent] = parent.endswith(_METADATA) or is_junk(path)
                if skip:
                    continue
            if rid is not None:
                m = rid(path)
                if m and m.group("rid") not in ("linux-x64", "unix", "linux"):
                    continue
            keep.append(n)
    keep.sort()
    return [files[n] for n in keep]


def _suffix_kept(files: list[BundleFile], ext: str, members: list[int]) -> list[int]:
    """The members of a skipped suffix's group whose own suffix is not skipped (`X.PY`, `.py`)."""
    tail = "." + ext
    paths = [files[n].path for n in members]
    # One string, each name between NULs: when the NULs are only those separators, counting
    # `tail NUL` counts the names that end in it, and a dotfile shows as `NUL tail NUL` or
    # `/ tail NUL`. Four scans in C instead of two calls per name.
    joined = "\0" + "\0".join(paths) + "\0"
    end = tail + "\0"
    if (
        joined.count("\0") == len(paths) + 1
        and joined.count(end) == len(paths)
        and "\0" + end not in joined
        and "/" + end not in joined
    ):
        return []  # the usual group: `x.py` everywhere
    kept = []
    for n, path in zip(members, paths, strict=True):
        slash = path.rfind("/")
        dot = path.rfind(".")
        if not (dot > slash + 1 and path[dot + 1 :] in SKIP_SUFFIXES):
            kept.append(n)
    return kept


_METADATA = (".dist-info", ".egg-info")


def find_natives(
    bundle: Bundle,
    files: list[BundleFile],
    target: Target,
    owner_of: "Callable[[str], Distribution | None]",
) -> list[Native]:
    """Every native file among `files`, with its problem on the target; never raises."""
    out: list[Native] = []
    if not files:
        return out
    from agentzip.validator.binaries import HEAD_BYTES, classify
    from agentzip.validator.clrheader import managed_info

    for f in files:
        try:
            head = bundle.head(f, HEAD_BYTES)
        except ArchiveError:
            continue  # the archive rules report unreadable members
        info = classify(head)
        if info is None:
            continue
        if info.managed:
            info = managed_info(info, head, partial(bundle.head, f), f.size)
        owner = owner_of(f.path)
        loadable_elf = info.format == "elf" and info.runs_on_linux_x86_64
        elf = _deep(bundle, f, head) if loadable_elf and not _vouched(owner, target) else None
        problem, reason = _problem(f, info, elf, owner, target)
        out.append(Native(f.path, f.size, info, elf, owner, problem, reason))
    return out


def _vouched(owner: "Distribution | None", target: Target) -> bool:
    """Whether the file's wheel promises glibc (not musl) no newer than the floor.

    A manylinux tag the target accepts is that promise, checked by auditwheel when the wheel was
    repaired, so the dynamic table (often megabytes into the file) need not be inflated. Code
    no dist-info owns, `linux_x86_64` (never audited), musllinux and too-new manylinux tags
    are read.
    """
    if owner is None:
        return False
    supported = target.supported_tags
    return any(t.platform.startswith("manylinux") and t in supported for t in owner.tags)


def _deep(bundle: Bundle, f: BundleFile, head: bytes) -> "ElfDetails | None":
    """elf_details over as many leading bytes as the dynamic table and its strings need."""
    from agentzip.validator.elf import elf_details, elf_extent

    data = head
    for _ in range(2):  # see elf_extent: the dynamic table says where its strings are
        need = elf_extent(data)
        if need is None or need <= len(data) or len(data) >= f.size:
            break
        if need > DEEP_LIMIT:
            return None
        try:
            data = bundle.head(f, need)
        except ArchiveError:
            return None
    return elf_details(data)


def _problem(
    f: BundleFile, info: "BinaryInfo", elf: "ElfDetails | None", owner: "Distribution | None", target: Target
) -> tuple[Problem | None, str]:
    what = describe(info)
    if info.format == "pe":
        if info.runs_on_linux_x86_64:
            return None, what
        return ("architecture" if info.x86_only else "windows"), what
    if info.format == "macho":
        return "macos", what
    if not info.runs_on_linux_x86_64:
        return "architecture", what
    if elf is not None and elf.musl:
        return "musl", f"{what} linked against musl libc ({_musl_evidence(elf)})"
    glibc = elf.glibc_max if elf is not None else None
    if glibc is not None and glibc > target.glibc_floor:
        return "glibc", f"{what} that needs GLIBC_{glibc[0]}.{glibc[1]}"
    abi = _abi_problem(f.name, owner, target)
    if abi:
        return "abi", f"{what}: {abi}"
    return None, what


def _musl_evidence(elf: "ElfDetails") -> str:
    if elf.interpreter and "ld-musl" in elf.interpreter:
        return f"interpreter {elf.interpreter}"
    return "needs " + next(n for n in elf.needed if n.startswith("libc.musl-"))


def _abi_problem(name: str, owner: "Distribution | None", target: Target) -> str | None:
    """Why CPython of the target will not import this extension module, from its file name.

    CPython only looks for `<name>.cpython-313-x86_64-linux-gnu.so`, `<name>.abi3.so` and
    `<name>.so`: a module built for 3.12 or for the free-threaded 3.13t is never even found.
    """
    version = target.python_version
    if version is None:
        return None
    m = re.search(_EXT_TAG, name)
    if m:
        major = int(m.group("v") or m.group("v2"))
        minor = int(m.group("m") or m.group("m2"))
        flags = m.group("flags") if m.group("flags") is not None else m.group("t")
        if (major, minor) != version:
            return f"an extension for CPython {major}.{minor}, not {version[0]}.{version[1]}"
        if "t" in (flags or ""):
            return f"an extension for the free-threaded CPython {major}.{minor}t, which the runtime is not"
        return None
    if name.endswith(".abi3.so") and owner is not None:
        # abi3 wheels say the oldest CPython they need: cp314-abi3 does not load on 3.13.
        needs = [int(t.interpreter[3:]) for t in owner.tags if t.abi == "abi3" and t.interpreter.startswith("cp3")]
        if needs and min(needs) > version[1]:
            low = min(needs)
            who = owner.display_name
            return f"a stable-ABI extension for CPython 3.{low} and newer ({who} is tagged cp3{low}-abi3)"
    return None


def group_key(n: Native) -> str:
    """One finding per cause: the owning distribution, else the top-level folder it sits in."""
    if n.owner is not None:
        return n.owner.path
    parts = n.path.split("/")
    if parts[0] == PACKAGES and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0] if len(parts) > 1 else n.path
