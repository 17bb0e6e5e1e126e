"""Native file classification and ELF details: real host and PyPI binaries, hand-made and broken headers."""

from __future__ import annotations

import functools
import platform
import struct
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

from agentzip.validator.binaries import HEAD_BYTES, BinaryInfo, classify
from agentzip.validator.elf import ElfDetails, elf_details, elf_extent

HOST_X86_64 = sys.platform == "linux" and platform.machine() == "x86_64"
needs_x86_64_linux = pytest.mark.skipif(not HOST_X86_64, reason="host binaries are Linux x86_64 ones")


def _host_elves() -> list[Path]:
    """Real ELF files of this machine: an extension module from the venv, libc, the interpreter."""
    out: list[Path] = []
    site = Path(sysconfig.get_paths()["platlib"])
    out += sorted(site.glob("yaml/_yaml*.so"))[:1] or sorted(site.glob("*/*.so"))[:1]
    out += [p for p in (Path("/usr/lib/x86_64-linux-gnu/libc.so.6"), Path("/lib64/libc.so.6")) if p.is_file()][:1]
    out.append(Path(sys.executable).resolve())
    return out


HOST_ELVES = _host_elves() if HOST_X86_64 else []


@needs_x86_64_linux
@pytest.mark.parametrize("path", HOST_ELVES, ids=[p.name for p in HOST_ELVES])
def test_host_elf(path: Path) -> None:
    data = path.read_bytes()
    info = classify(data[:HEAD_BYTES])
    assert info is not None
    assert (info.format, info.arch, info.bits, info.endian) == ("elf", "x86_64", 64, "little")
    assert info.runs_on_linux_x86_64
    details = elf_details(data)
    assert details.error is None
    assert not details.musl
    assert "libc.so.6" in details.needed or details.soname == "libc.so.6"
    assert details.glibc_max is not None and details.glibc_max >= (2, 2)
    with path.open("rb") as f:  # callers pass an open file for folders
        assert elf_details(f) == details


@needs_x86_64_linux
@pytest.mark.parametrize("path", HOST_ELVES, ids=[p.name for p in HOST_ELVES])
def test_elf_extent_is_enough(path: Path) -> None:
    data = path.read_bytes()
    assert _settled_extent(data) <= len(data)
    assert elf_details(data[: _settled_extent(data)]) == elf_details(data)


def _settled_extent(data: bytes) -> int:
    """What a capped reader does: read the head, then what elf_extent asks for, until it asks no more."""
    have = HEAD_BYTES
    for _ in range(3):
        extent = elf_extent(data[:have])
        assert extent is not None
        if extent <= have:
            return extent
        have = extent
    raise AssertionError("elf_extent did not settle in three rounds")


@needs_x86_64_linux
def test_section_headers_stripped() -> None:
    data = bytearray(HOST_ELVES[0].read_bytes())
    struct.pack_into("<Q", data, 0x28, 0)  # e_shoff
    struct.pack_into("<HHH", data, 0x3A, 0, 0, 0)  # e_shentsize, e_shnum, e_shstrndx
    full = elf_details(HOST_ELVES[0].read_bytes())
    assert elf_details(bytes(data)) == full


@needs_x86_64_linux
@pytest.mark.parametrize("cut", [0, 3, 4, 19, 20, 63, 64, 200, 4096, 20_000, 200_000])
def test_truncated_elf_never_raises(cut: int) -> None:
    data = HOST_ELVES[0].read_bytes()[:cut]
    info = classify(data)
    assert info is None if cut < 20 else (info is not None and info.arch == "x86_64")
    details = elf_details(data)
    assert isinstance(details, ElfDetails)
    if cut < 64:
        assert details.error is not None


# Real foreign binaries out of real wheels (pinned: the expectations are about these files).
# markupsafe 3.0.4 has no universal2 wheel for cp313; 3.0.2 was the last one with it.
MARKUPSAFE = "markupsafe==3.0.4"
WHEELS: list[tuple[str, str, str, str, dict[str, Any]]] = [
    # id, spec, platform tag, member glob, expected BinaryInfo fields
    (
        "win_amd64-pyd",
        MARKUPSAFE,
        "win_amd64",
        "*.pyd",
        {"format": "pe", "arch": "x86_64", "bits": 64, "kind": "shared", "managed": False},
    ),
    ("win32-pyd", MARKUPSAFE, "win32", "*.pyd", {"format": "pe", "arch": "i386", "bits": 32}),
    ("win_arm64-pyd", MARKUPSAFE, "win_arm64", "*.pyd", {"format": "pe", "arch": "arm64", "bits": 64}),
    (
        "macos-arm64",
        MARKUPSAFE,
        "macosx_11_0_arm64",
        "*.so",
        {"format": "macho", "arch": "arm64", "bits": 64, "endian": "little", "kind": "bundle"},
    ),
    ("macos-x86_64", MARKUPSAFE, "macosx_10_13_x86_64", "*.so", {"format": "macho", "arch": "x86_64"}),
    (
        "macos-universal2",
        "markupsafe==3.0.2",
        "macosx_10_13_universal2",
        "*.so",
        {"format": "macho", "arch": ("x86_64", "arm64"), "bits": 64, "kind": "universal"},
    ),
    (
        "manylinux-aarch64",
        MARKUPSAFE,
        "manylinux2014_aarch64",
        "*.so",
        {"format": "elf", "arch": "aarch64", "bits": 64, "kind": "shared"},
    ),
    (
        "musllinux-x86_64",
        MARKUPSAFE,
        "musllinux_1_2_x86_64",
        "*.so",
        {"format": "elf", "arch": "x86_64", "bits": 64, "kind": "shared"},
    ),
    ("manylinux-x86_64", MARKUPSAFE, "manylinux2014_x86_64", "*.so", {"format": "elf", "arch": "x86_64"}),
    # pythonnet's managed assembly: a PE that dotnet runs anywhere, AnyCPU hence i386 in PE32
    (
        "dotnet-assembly",
        "pythonnet==3.2.1",
        "any",
        "*/Python.Runtime.dll",
        {"format": "pe", "arch": "i386", "bits": 32, "managed": True},
    ),
]
RUNS = {"manylinux-x86_64", "musllinux-x86_64", "dotnet-assembly"}  # architecture-wise; musl aside


@functools.cache
def _member(spec: str, platform_tag: str, pattern: str) -> bytes:
    from fixtures.realwheels import download, wheel_member

    return wheel_member(download(spec, platform_tag), pattern)[1]


@pytest.mark.network
@pytest.mark.parametrize(
    ("spec", "platform_tag", "pattern", "expected"), [w[1:] for w in WHEELS], ids=[w[0] for w in WHEELS]
)
def test_wheel_binary(
    spec: str, platform_tag: str, pattern: str, expected: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    info = classify(_member(spec, platform_tag, pattern)[:HEAD_BYTES])
    assert info is not None
    assert {k: getattr(info, k) for k in expected} == expected
    assert info.runs_on_linux_x86_64 == (request.node.callspec.id in RUNS)


@pytest.mark.network
@pytest.mark.parametrize(
    ("platform_tag", "musl", "glibc_at_most"),
    [
        ("manylinux2014_x86_64", False, (2, 17)),
        ("manylinux2014_aarch64", False, (2, 17)),
        ("musllinux_1_2_x86_64", True, None),
    ],
)
def test_wheel_elf_details(platform_tag: str, musl: bool, glibc_at_most: tuple[int, int] | None) -> None:
    details = elf_details(_member(MARKUPSAFE, platform_tag, "*.so"))
    assert details.error is None
    assert details.musl is musl
    if glibc_at_most is None:
        assert details.glibc_max is None and "libc.musl-x86_64.so.1" in details.needed
    else:
        assert details.glibc_max is not None and (2, 2) <= details.glibc_max <= glibc_at_most


@pytest.mark.network
def test_strings_moved_to_the_end_by_patchelf() -> None:
    # auditwheel's patchelf moved this vendored libgcc's .dynstr past its dynamic table, to the end.
    data = _member("cryptography==50.0.2", "musllinux_1_2_x86_64", "cryptography.libs/libgcc_s-*")
    first = elf_extent(data[:HEAD_BYTES])
    assert first is not None and first < len(data)
    partial = elf_details(data[:first])  # names unreadable yet: an error, never "" as a library name
    assert partial.error is not None and "DT_STRTAB" in partial.error and "" not in partial.needed
    full = elf_details(data)
    assert full.error is None and full.musl and full.needed == ("libc.musl-x86_64.so.1",)
    assert elf_details(data[: _settled_extent(data)]) == full


@pytest.mark.network
def test_windows_dll_renamed_to_so(tmp_path: Path) -> None:
    # What a user gets from copying site-packages off Windows and renaming: the name lies, the bytes do not.
    path = tmp_path / "_speedups.cpython-313-x86_64-linux-gnu.so"
    path.write_bytes(_member(MARKUPSAFE, "win_amd64", "*.pyd"))
    with path.open("rb") as f:
        info = classify(f.read(HEAD_BYTES))
        f.seek(0)
        details = elf_details(f)
    assert info is not None and (info.format, info.arch, info.runs_on_linux_x86_64) == ("pe", "x86_64", False)
    assert details.error is not None and details.needed == ()


def elf_header(
    *, cls: int = 2, data: int = 1, machine: int = 62, osabi: int = 0, etype: int = 3, version: int = 1
) -> bytes:
    """An ELF header (gABI "ELF Header") with no program or section headers."""
    order = "<" if data == 1 else ">"
    ident = b"\x7fELF" + bytes([cls, data, version, osabi]) + bytes(8)
    if cls == 2:
        rest = struct.pack(order + "HHIQQQIHHHHHH", etype, machine, 1, 0, 0, 0, 0, 64, 56, 0, 64, 0, 0)
    else:
        rest = struct.pack(order + "HHIIIIIHHHHHH", etype, machine, 1, 0, 0, 0, 0, 52, 32, 0, 40, 0, 0)
    return ident + rest


@pytest.mark.parametrize(
    ("header", "arch", "bits", "endian", "runs"),
    [
        (elf_header(), "x86_64", 64, "little", True),
        (elf_header(osabi=3), "x86_64", 64, "little", True),
        (elf_header(osabi=9), "x86_64", 64, "little", False),  # FreeBSD: same CPU, another kernel
        (elf_header(cls=1, machine=62), "x32", 32, "little", False),
        (elf_header(cls=1, machine=3), "i386", 32, "little", False),
        (elf_header(cls=1, machine=40), "arm", 32, "little", False),
        (elf_header(machine=183), "aarch64", 64, "little", False),
        (elf_header(machine=21), "ppc64le", 64, "little", False),
        (elf_header(data=2, machine=21), "ppc64", 64, "big", False),
        (elf_header(data=2, machine=22), "s390x", 64, "big", False),
        (elf_header(machine=243), "riscv64", 64, "little", False),
        (elf_header(machine=258), "loongarch64", 64, "little", False),
        (elf_header(machine=0x1234), "unknown-0x1234", 64, "little", False),
    ],
    ids=[
        "x86_64",
        "x86_64-gnu-osabi",
        "x86_64-freebsd",
        "x32",
        "i386",
        "arm",
        "aarch64",
        "ppc64le",
        "ppc64-be",
        "s390x",
        "riscv64",
        "loongarch64",
        "weird-machine",
    ],
)
def test_handmade_elf(header: bytes, arch: str, bits: int, endian: str, runs: bool) -> None:
    info = classify(header)
    assert info is not None
    assert (info.format, info.arch, info.bits, info.endian, info.runs_on_linux_x86_64) == (
        "elf",
        arch,
        bits,
        endian,
        runs,
    )
    assert elf_extent(header) == (64 if bits == 64 else 52)
    assert elf_details(header) == ElfDetails()  # no program headers: nothing needed, nothing wrong


def pe_file(machine: int, *, dll: bool = True, pe32plus: bool = True, clr: bool = False, lfanew: int = 0x80) -> bytes:
    """MZ stub + PE signature + COFF header + optional header with 16 data directories."""
    opt_size = 240 if pe32plus else 224
    characteristics = 0x0002 | (0x2000 if dll else 0)
    coff = struct.pack("<HHIIIHH", machine, 0, 0, 0, 0, opt_size, characteristics)
    opt = bytearray(opt_size)
    struct.pack_into("<H", opt, 0, 0x20B if pe32plus else 0x10B)
    count_at = 108 if pe32plus else 92
    struct.pack_into("<I", opt, count_at, 16)
    if clr:
        struct.pack_into("<II", opt, count_at + 4 + 14 * 8, 0x2008, 0x48)
    stub = bytearray(lfanew)
    stub[:2] = b"MZ"
    struct.pack_into("<I", stub, 0x3C, lfanew)
    return bytes(stub) + b"PE\0\0" + coff + bytes(opt)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (pe_file(0x8664), BinaryInfo("pe", "x86_64", 64, "little", "shared")),
        (pe_file(0x8664, dll=False), BinaryInfo("pe", "x86_64", 64, "little", "executable")),
        (pe_file(0xAA64), BinaryInfo("pe", "arm64", 64, "little", "shared")),
        (pe_file(0x014C, pe32plus=False), BinaryInfo("pe", "i386", 32, "little", "shared")),
        (pe_file(0x014C, pe32plus=False, clr=True), BinaryInfo("pe", "i386", 32, "little", "shared", managed=True)),
        # ReadyToRun assembly compiled for linux-x64: machine 0x8664 ^ 0x7B79
        (pe_file(0x8664 ^ 0x7B79, clr=True), BinaryInfo("pe", "x86_64", 64, "little", "shared", "linux", True)),
        (pe_file(0x8664 ^ 0x4644, clr=True), BinaryInfo("pe", "x86_64", 64, "little", "shared", "macos", True)),
        (pe_file(0x1234), BinaryInfo("pe", "unknown-0x1234", 64, "little", "shared")),
        (pe_file(0x8664, lfanew=0x400), BinaryInfo("pe", "x86_64", 64, "little", "shared")),
    ],
    ids=["amd64-dll", "amd64-exe", "arm64", "i386", "dotnet-anycpu", "r2r-linux", "r2r-macos", "unknown", "far-header"],
)
def test_handmade_pe(data: bytes, expected: BinaryInfo) -> None:
    info = classify(data)
    assert info == expected
    # IL runs here, and ReadyToRun code for another OS is ignored and JIT-compiled (FOUNDRY.md, .NET):
    # dotnet-readytorun-os warns about it; native Windows code never runs
    assert info.runs_on_linux_x86_64 is expected.managed


def macho(magic: int, cputype: int, subtype: int = 0, filetype: int = 8, order: str = "<") -> bytes:
    return struct.pack(order + "IIIIIII", magic, cputype, subtype, filetype, 0, 0, 0) + bytes(4)


def fat(*slices: tuple[int, int], wide: bool = False) -> bytes:
    out = struct.pack(">II", 0xCAFEBABF if wide else 0xCAFEBABE, len(slices))
    for cputype, subtype in slices:
        out += struct.pack(">IIQQII" if wide else ">IIIII", cputype, subtype, 0x4000, 0x100, 14, *([0] if wide else []))
    return out


@pytest.mark.parametrize(
    ("data", "arch", "bits", "endian", "kind"),
    [
        (macho(0xFEEDFACF, 0x0100000C), "arm64", 64, "little", "bundle"),
        (macho(0xFEEDFACF, 0x0100000C, 0x80000002, filetype=6), "arm64e", 64, "little", "shared"),
        (macho(0xFEEDFACF, 0x01000007, filetype=2), "x86_64", 64, "little", "executable"),
        (macho(0xFEEDFACE, 7), "i386", 32, "little", "bundle"),
        (macho(0xFEEDFACE, 18, order=">"), "ppc", 32, "big", "bundle"),
        (fat((0x01000007, 3), (0x0100000C, 0)), ("x86_64", "arm64"), 64, "big", "universal"),
        (fat((7, 3), (18, 0)), ("i386", "ppc"), 32, "big", "universal"),
        (fat((0x0100000C, 2), wide=True), ("arm64e",), 64, "big", "universal"),
    ],
    ids=["arm64", "arm64e", "x86_64-exe", "i386", "ppc-be", "universal2", "fat32", "fat64"],
)
def test_handmade_macho(data: bytes, arch: str | tuple[str, ...], bits: int, endian: str, kind: str) -> None:
    info = classify(data)
    assert info is not None
    assert (info.format, info.arch, info.bits, info.endian, info.kind) == ("macho", arch, bits, endian, kind)
    assert not info.runs_on_linux_x86_64


NOT_NATIVE = [
    ("empty", b""),
    ("text", b"import os\nprint('hello')\n" * 10),
    ("shebang", b"#!/usr/bin/env python3\n"),
    ("elf-magic-only", b"\x7fELF"),
    ("elf-short", elf_header()[:19]),
    ("elf-bad-class", elf_header(cls=3)),
    ("elf-bad-data", elf_header(data=0)),
    ("elf-bad-version", elf_header(version=0)),
    ("mz-only", b"MZ"),
    ("mz-zeros", b"MZ" + bytes(200)),  # e_lfanew 0: no PE signature there
    ("mz-header-past-head", pe_file(0x8664, lfanew=0x400)[:0x200]),
    ("dos-program", b"MZ" + bytes(0x3A) + struct.pack("<I", 0x40) + b"NE" + bytes(100)),
    ("java-class", b"\xca\xfe\xba\xbe\x00\x00\x00\x41" + bytes(100)),  # Java 21: major 65
    ("java-class-old", b"\xca\xfe\xba\xbe\x00\x03\x00\x2d" + bytes(100)),  # JDK 1.0: 45.3
    ("fat-truncated", fat((0x01000007, 3), (0x0100000C, 0))[:30]),
    ("fat-zero-archs", b"\xca\xfe\xba\xbe\x00\x00\x00\x00"),
    ("macho-short", b"\xcf\xfa\xed\xfe\x07\x00"),
    ("zip", b"PK\x03\x04" + bytes(100)),
    ("random", bytes(range(256)) * 4),
]


@pytest.mark.parametrize("data", [d for _, d in NOT_NATIVE], ids=[n for n, _ in NOT_NATIVE])
def test_not_native(data: bytes) -> None:
    assert classify(data) is None
    assert elf_extent(data) is None
    details = elf_details(data)
    assert details.error is not None and details.needed == () and not details.musl


@pytest.mark.parametrize("n", range(0, 80))
def test_every_prefix_of_a_header_is_clean(n: int) -> None:
    for data in (elf_header(), pe_file(0x8664), macho(0xFEEDFACF, 0x0100000C), fat((7, 3), (12, 0))):
        info = classify(data[:n])
        assert info is None or isinstance(info, BinaryInfo)


def test_glibc_versions_parse() -> None:
    details = ElfDetails(
        version_needs=(
            ("libc.so.6", "GLIBC_2.2.5"),
            ("libc.so.6", "GLIBC_2.14"),
            ("libm.so.6", "GLIBC_2.29"),
            ("libc.so.6", "GLIBC_PRIVATE"),
            ("libc.so.6", "GLIBC_ABI_DT_RELR"),
            ("libstdc++.so.6", "GLIBCXX_3.4.29"),
        )
    )
    assert details.glibc_versions == ((2, 2), (2, 14), (2, 29))
    assert details.glibc_max == (2, 29)
    assert ElfDetails(interpreter="/lib/ld-musl-x86_64.so.1").musl


def test_pyelftools_is_imported_lazily() -> None:
    code = "import sys, agentzip.validator.binaries; print('elftools' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
