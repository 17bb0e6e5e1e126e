"""Native binary rules (AZ3xx): compiled code the Linux x86_64 runtime cannot load.

Decided from header bytes (validator/natives.py), never from file names, except for the CPython
ABI of an extension module, which only its name (PEP 3149) and its wheel's tags carry. One
finding per cause and distribution (or top-level folder, for code no dist-info owns): 400 `.pyd`
files from 12 distributions are 12 findings, each with every path.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentzip.validator.context import Context
from agentzip.validator.findings import SHOWN, Hit, Severity
from agentzip.validator.hints import python_version, rebuild_hint
from agentzip.validator.natives import Native, group_key
from agentzip.validator.registry import rule

_WHY = {
    "windows": "Linux cannot load Windows (PE) code",
    "macos": "Linux cannot load macOS (Mach-O) code",
    "architecture": "the runtime is 64-bit Linux on x86_64",
    "musl": "the runtime's libc is glibc, so the loader fails with "
    "'libc.musl-x86_64.so.1: cannot open shared object file'",
    "abi": "CPython {py} only imports `<name>.cpython-{tag}-x86_64-linux-gnu.so`, `<name>.abi3.so` or `<name>.so`, "
    "so the import fails with ModuleNotFoundError",
}
ROOT = "."  # the group of a .NET bundle's root files
_NOUN = {  # (one, many)
    "windows": ("Windows binary", "Windows binaries"),
    "macos": ("macOS binary", "macOS binaries"),
    "architecture": ("binary for another platform", "binaries for another platform"),
    "musl": ("musl binary", "musl binaries"),
    "glibc": ("binary needing a newer glibc", "binaries needing a newer glibc"),
    "abi": ("extension for another CPython", "extensions for another CPython"),
}


def _counted(n: int, problem: str) -> str:
    one, many = _NOUN[problem]
    return f"1 {one}" if n == 1 else f"{n} {many}"


def _shown(paths: list[str]) -> str:
    more = f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else ""
    return ", ".join(paths[:SHOWN]) + more


def _hits(ctx: Context, problem: str) -> Iterator[Hit]:
    groups: dict[str, list[Native]] = {}
    for n in ctx.index.natives:
        if n.problem == problem:
            # a .NET publish output is flat: its root files are one cause, not one finding each
            key = ROOT if ctx.target.is_dotnet and "/" not in n.path else group_key(n)
            groups.setdefault(key, []).append(n)
    t = ctx.target
    for key, natives in sorted(groups.items()):
        paths = sorted(n.path for n in natives)
        owner = natives[0].owner
        who = "the publish output at the root" if key == ROOT else f"{key} (no dist-info owns it)"
        if owner is not None:
            who = f"{owner.display_name} {owner.version}".strip()
        kinds = sorted({n.reason for n in natives})
        facts = kinds[0] if len(kinds) == 1 else "; ".join(kinds[:SHOWN]) + ("; ..." if len(kinds) > SHOWN else "")
        if problem == "glibc":
            need = max(n.elf.glibc_max for n in natives if n.elf is not None and n.elf.glibc_max is not None)
            why = (
                f"the only documented promise is glibc {t.glibc_floor[0]}.{t.glibc_floor[1]} (manylinux2014); "
                "on an older "
                f'glibc the loader fails with "version `GLIBC_{need[0]}.{need[1]}\' not found"'
            )
        else:
            py = python_version(t)
            why = _WHY[problem].format(py=py, tag=py.replace(".", ""))
        message = f"{who}: {_counted(len(paths), problem)} ({facts}) in {_shown(paths)}; {why}"
        yield Hit(
            key if owner is not None else paths[0],
            message,
            _fix(ctx, problem, owner is not None, key),
            paths=tuple(paths),
        )


def _fix(ctx: Context, problem: str, owned: bool, key: str) -> str:
    t = ctx.target
    if t.is_dotnet:
        return (
            "publish for the runtime: dotnet publish -c Release -r linux-x64 --self-contained false, "
            "and zip that output"
        )
    if problem == "glibc":
        floor = f"{t.glibc_floor[0]}.{t.glibc_floor[1]}"
        return (
            "install a release with a manylinux2014 wheel, "
            f"or raise the floor (--glibc) if you know the runtime's glibc is newer than {floor}"
        )
    if owned:
        return rebuild_hint(ctx)
    return (
        f"replace {key} with its build for Linux x86_64 (manylinux2014, glibc, CPython {python_version(t)}), "
        "or list the project in requirements.txt and let the build install it"
    )


@rule("AZ301", "windows-binary", Severity.ERROR)
def windows_binary(ctx: Context) -> Iterator[Hit]:
    """Windows code (PE: `.pyd`, `.dll`, `.exe`) where the runtime is Linux.

    ## What it does
    Reads the first bytes of every file that is not text or data by its suffix and reports PE
    images, whatever their names: a `.pyd`, a DLL renamed to `.so`. .NET assemblies (IL) run on
    Linux and are not reported; native Windows code is, one finding per distribution (or
    top-level folder) with the count and every path. For a .NET bundle, `runtimes/<rid>/` folders
    for other platforms are left alone: the host only loads `runtimes/linux-x64/`.

    ## Why is this bad
    The runtime is Linux x86_64: a Windows extension module is never imported (CPython on Linux
    does not even look for `.pyd`), so the agent dies with `ModuleNotFoundError` at start-up. The
    usual cause is `pip install --target packages` run on Windows without `--platform`.

    ## Example
    `packages/pydantic_core/_pydantic_core.cp313-win_amd64.pyd`.

    ## How to fix
    Reinstall for the target: `pip install -r requirements.txt --target packages
    --platform manylinux2014_x86_64 --python-version 3.13 --implementation cp --only-binary=:all: --upgrade`,
    or `agentzip build --mode bundled`.
    """
    yield from _hits(ctx, "windows")


@rule("AZ302", "macos-binary", Severity.ERROR)
def macos_binary(ctx: Context) -> Iterator[Hit]:
    """macOS code (Mach-O, thin or universal) where the runtime is Linux.

    ## What it does
    Reports Mach-O files found from their header bytes, including universal (fat) binaries and
    `.so` files built on a Mac (`_rust.abi3.so` from a `macosx_11_0_arm64` wheel has the same name
    as the Linux one), one finding per distribution or top-level folder.

    ## Why is this bad
    Linux cannot load Mach-O code: `ImportError: ... invalid ELF header` at start-up. It happens
    when the bundle is built on a Mac with a plain `pip install --target packages`.

    ## Example
    `packages/cryptography/hazmat/bindings/_rust.abi3.so` is a Mach-O arm64 library.

    ## How to fix
    Reinstall for the target with `--platform manylinux2014_x86_64 --python-version 3.13
    --implementation cp --only-binary=:all:`, or `agentzip build --mode bundled`.
    """
    yield from _hits(ctx, "macos")


@rule("AZ303", "wrong-architecture", Severity.ERROR)
def wrong_architecture(ctx: Context) -> Iterator[Hit]:
    """Linux code for another CPU (aarch64, i386...) or another ELF operating system.

    ## What it does
    Reports ELF files whose machine is not x86_64, that are 32-bit, or whose OS ABI is not
    Linux or System V (FreeBSD, Solaris...), read from the ELF header.

    ## Why is this bad
    The runtime is Linux on x86_64: `ImportError: ... cannot open shared object file` or
    `wrong ELF class`. The usual cause is building the bundle on an ARM machine (Apple silicon
    in Docker, Graviton, a Raspberry Pi) without `--platform manylinux2014_x86_64`.

    ## Example
    `packages/_cffi_backend.cpython-313-aarch64-linux-gnu.so`.

    ## How to fix
    Reinstall for the target with `--platform manylinux2014_x86_64`, or `agentzip build --mode bundled`.
    """
    yield from _hits(ctx, "architecture")


@rule("AZ304", "musl-binary", Severity.ERROR)
def musl_binary(ctx: Context) -> Iterator[Hit]:
    """Linux x86_64 code linked against musl libc (Alpine, musllinux wheels).

    ## What it does
    Reads the dynamic table of every x86_64 ELF file (the way the loader does, from the program
    headers) and reports those that need `libc.musl-x86_64.so.1` or use the musl loader.

    ## Why is this bad
    The runtime's C library is glibc; musl-linked code fails to load with
    `libc.musl-x86_64.so.1: cannot open shared object file`. It happens when the bundle is built
    in an Alpine container, where pip picks `musllinux` wheels.

    ## Example
    `packages/cryptography/hazmat/bindings/_rust.abi3.so` needs `libc.musl-x86_64.so.1`.

    ## How to fix
    Build on a glibc system or cross-install with `--platform manylinux2014_x86_64`, or `agentzip build --mode bundled`.
    """
    yield from _hits(ctx, "musl")


@rule("AZ305", "glibc-too-new", Severity.WARNING)
def glibc_too_new(ctx: Context) -> Iterator[Hit]:
    """Linux x86_64 code that needs a newer glibc than the runtime is known to have.

    ## What it does
    Reads the `GLIBC_x.y` symbol versions each x86_64 ELF file needs (`.gnu.version_r`) and warns
    when the newest is above the floor: 2.17 (manylinux2014) by default, `--glibc` or the
    `glibc` config key to change it.

    ## Why is this bad
    The runtime's glibc version is not documented; manylinux2014 is the only safe promise. On an
    older glibc the import fails with ``version `GLIBC_2.28' not found``. It happens with wheels
    tagged `manylinux_2_28` or with libraries compiled on a recent distribution and copied in.

    ## Example
    `mylib/_fast.so` needs `GLIBC_2.34`.

    ## How to fix
    Install a release that has a manylinux2014 wheel, or raise the floor with `--glibc 2.28` if
    you know the runtime has it.
    """
    yield from _hits(ctx, "glibc")


@rule("AZ306", "extension-abi-mismatch", Severity.ERROR)
def extension_abi_mismatch(ctx: Context) -> Iterator[Hit]:
    """A Linux x86_64 extension module built for another CPython version or ABI.

    ## What it does
    Reads the CPython tag in each native extension's file name (`cpython-312`, `cp314`, the
    free-threaded `cpython-313t`) and, for stable-ABI `.abi3.so` files, the oldest Python their
    wheel's `cp3XX-abi3` tag allows, and compares them with the target's Python.

    ## Why is this bad
    CPython 3.13 only imports `<name>.cpython-313-x86_64-linux-gnu.so`, `<name>.abi3.so` and
    `<name>.so`: a module built for 3.12 is never found (`ModuleNotFoundError`), and an abi3
    module for 3.14 may use functions 3.13 lacks. It happens when the bundle is built with the
    wrong `--python-version` (or none, on a 3.12 machine).

    ## Example
    `packages/pydantic_core/_pydantic_core.cpython-312-x86_64-linux-gnu.so` for `python_3_13`.

    ## How to fix
    Reinstall with `--python-version 3.13` (the runtime's), or `agentzip build --mode bundled`.
    """
    yield from _hits(ctx, "abi")
