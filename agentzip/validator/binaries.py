"""Native files (ELF, PE, Mach-O) classified from their header bytes, never from their names."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

if TYPE_CHECKING:
    from elftools.elf.elffile import ELFFile

# How many leading bytes classify() needs. ELF wants 20 and a thin Mach-O 16, but a PE header sits
# at e_lfanew, after the DOS stub and MSVC's Rich header (0x80-0x200 in practice), and a universal
# Mach-O lists its slices up front (8 + 32 * 30 bytes at most, see MAX_FAT_ARCHS). One page
# covers both with room to spare and costs no more to inflate from a zip member than less would.
HEAD_BYTES = 4096

Format = Literal["elf", "pe", "macho"]
Endian = Literal["little", "big"]

# ELF gABI, e_machine (Linux include/uapi/linux/elf-em.h). Names follow `uname -m` / wheel tags.
ELF_MACHINES = {
    2: "sparc",
    3: "i386",
    8: "mips",
    15: "parisc",
    18: "sparc",
    20: "ppc",
    21: "ppc64",
    22: "s390x",
    40: "arm",
    43: "sparc64",
    50: "ia64",
    62: "x86_64",
    183: "aarch64",
    243: "riscv64",
    247: "bpf",
    258: "loongarch64",
}
EM_X86_64, EM_PPC64, EM_S390 = 62, 21, 22
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3  # p_type values elf_extent reads
DT_STRTAB, DT_STRSZ, DT_VERNEED = 5, 10, 0x6FFFFFFE  # d_tag values it follows
ELF_TYPES = {1: "relocatable", 2: "executable", 3: "shared", 4: "core"}
# EI_OSABI names; a Linux loader accepts System V (0) and GNU/Linux (3) only (runs_on_linux_x86_64).
ELF_OSABI_NAMES = {0: "sysv", 3: "linux", 6: "solaris", 9: "freebsd", 12: "openbsd", 2: "netbsd"}

# PE/COFF IMAGE_FILE_MACHINE_* (Microsoft PE and COFF specification, "Machine Types").
PE_MACHINES = {
    0x014C: "i386",
    0x8664: "x86_64",
    0xAA64: "arm64",
    0x01C0: "arm",
    0x01C4: "arm",
    0xA641: "arm64ec",
    0xA64E: "arm64x",
    0x0200: "ia64",
}
# .NET ReadyToRun images XOR the machine with a per-OS value (CoreCLR pedecoder.h
# IMAGE_FILE_MACHINE_NATIVE_OS_OVERRIDE; crossgen2's MachineOSOverride; Windows is 0):
# 0x8664 ^ 0x7B79 = 0xFD1D is x64 code compiled for Linux.
PE_OS_OVERRIDES = {0x7B79: "linux", 0x4644: "macos", 0xADC4: "freebsd", 0x1993: "netbsd", 0x1992: "sunos"}
IMAGE_FILE_DLL = 0x2000
PE32_MAGIC, PE32PLUS_MAGIC = 0x10B, 0x20B
CLI_HEADER_DIRECTORY = 14  # IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR: present only in .NET assemblies
# ECMA-335 II.25.3.3: the CLI header is 72 bytes; Flags at 16, ManagedNativeHeader (RVA, size) at 64.
CLI_HEADER_SIZE = 72
COMIMAGE_FLAGS_ILONLY, COMIMAGE_FLAGS_32BITREQUIRED, COMIMAGE_FLAGS_32BITPREFERRED = 0x1, 0x2, 0x20000
# dotnet/runtime readytorun.h: READYTORUN_HEADER starts with this signature ('RTR').
READYTORUN_SIGNATURE = 0x00525452

# Mach-O <mach/machine.h>: cputype, with CPU_ARCH_ABI64 (0x01000000) set for 64-bit.
CPU_ARCH_ABI64, CPU_ARCH_ABI64_32 = 0x01000000, 0x02000000
MACHO_CPUS = {
    7: "i386",
    12: "arm",
    18: "ppc",
    7 | CPU_ARCH_ABI64: "x86_64",
    12 | CPU_ARCH_ABI64: "arm64",
    18 | CPU_ARCH_ABI64: "ppc64",
    12 | CPU_ARCH_ABI64_32: "arm64_32",
}
CPU_SUBTYPE_ARM64E = 2
MACHO_TYPES = {1: "relocatable", 2: "executable", 6: "shared", 8: "bundle", 9: "shared"}
MH_MAGIC, MH_MAGIC_64 = 0xFEEDFACE, 0xFEEDFACF
FAT_MAGIC, FAT_MAGIC_64 = 0xCAFEBABE, 0xCAFEBABF
# Java class files also start with 0xCAFEBABE; what follows is minor/major version (major >= 45),
# where a fat header has its slice count. Like file(1)'s magic, a small count means Mach-O.
MAX_FAT_ARCHS = 30


@dataclass(frozen=True)
class BinaryInfo:
    """What a native file is built for, as far as its header says."""

    format: Format
    arch: str | tuple[str, ...]  # a tuple only for a universal (fat) Mach-O: one name per slice
    bits: int  # 32 or 64; for a universal file, the widest slice
    endian: Endian
    kind: str  # shared, executable, relocatable, bundle, core, universal; "" when unknown
    osabi: str = ""  # ELF EI_OSABI name; for a ReadyToRun PE, the OS it was compiled for
    managed: bool = False  # a PE with a CLI header: a .NET assembly, run by dotnet, not the loader
    # PE: the raw COFF machine (0xFD1D: ReadyToRun x64 for Linux); arch and osabi already say it
    machine: int = field(default=0, compare=False)
    cli_flags: int | None = None  # PE: CLI header Flags; None when not read (not .NET, or past the bytes)
    readytorun: bool = False  # PE: the CLI header names a ReadyToRun header (precompiled code)

    @property
    def il_only(self) -> bool | None:
        """ILONLY (or ReadyToRun, whose images clear it yet keep their IL); None when not read."""
        if self.cli_flags is None:
            return None
        return bool(self.cli_flags & COMIMAGE_FLAGS_ILONLY) or self.readytorun

    @property
    def x86_only(self) -> bool:
        """32BITREQUIRED without 32BITPREFERRED: the assembly refuses a 64-bit process."""
        flags = self.cli_flags or 0
        return bool(flags & COMIMAGE_FLAGS_32BITREQUIRED) and not flags & COMIMAGE_FLAGS_32BITPREFERRED

    @property
    def archs(self) -> tuple[str, ...]:
        return self.arch if isinstance(self.arch, tuple) else (self.arch,)

    @property
    def universal(self) -> bool:
        return isinstance(self.arch, tuple)

    @property
    def runs_on_linux_x86_64(self) -> bool:
        """Whether the Foundry runtime (Linux x86_64) can load it at all (glibc and musl aside)."""
        if self.format == "elf":
            return self.arch == "x86_64" and self.bits == 64 and self.osabi in ("sysv", "linux")
        if self.format == "pe":
            # IL runs wherever dotnet does; AnyCPU assemblies carry i386 in a PE32 header, and
            # ReadyToRun code for another OS is ignored (JIT), not fatal. A CLI header without
            # ILONLY is mixed-mode (C++/CLI) Windows code; an unread header is given the benefit.
            if not self.managed or self.il_only is False or self.x86_only:
                return False
            return self.readytorun or self.arch in ("i386", "x86_64")
        return False


def classify(head: bytes) -> BinaryInfo | None:
    """Classify a file from its first bytes (HEAD_BYTES suffice); None when it is not native code."""
    if head[:4] == b"\x7fELF":
        return _elf(head)
    if head[:2] == b"MZ":
        return _pe(head)
    if len(head) >= 4:
        magic_be = int.from_bytes(head[:4], "big")
        magic_le = int.from_bytes(head[:4], "little")
        if magic_be in (MH_MAGIC, MH_MAGIC_64):
            return _macho(head, ">")
        if magic_le in (MH_MAGIC, MH_MAGIC_64):
            return _macho(head, "<")
        if magic_be in (FAT_MAGIC, FAT_MAGIC_64):
            return _fat(head, ">", magic_be == FAT_MAGIC_64)
        if magic_le in (FAT_MAGIC, FAT_MAGIC_64):
            return _fat(head, "<", magic_le == FAT_MAGIC_64)
    return None


def _elf(head: bytes) -> BinaryInfo | None:
    if len(head) < 20:
        return None
    ei_class, ei_data, ei_version, ei_osabi = head[4], head[5], head[6], head[7]
    if ei_class not in (1, 2) or ei_data not in (1, 2) or ei_version != 1:
        return None
    order = "<" if ei_data == 1 else ">"
    e_type, e_machine = struct.unpack_from(order + "HH", head, 16)
    bits = 32 if ei_class == 1 else 64
    arch = ELF_MACHINES.get(e_machine, f"unknown-{e_machine:#x}")
    if e_machine == EM_X86_64 and bits == 32:
        arch = "x32"  # the ILP32 x86_64 ABI: not loadable by a 64-bit CPython
    elif e_machine == EM_PPC64 and order == "<":
        arch = "ppc64le"
    elif e_machine == EM_S390 and bits == 32:
        arch = "s390"
    return BinaryInfo(
        format="elf",
        arch=arch,
        bits=bits,
        endian="little" if order == "<" else "big",
        kind=ELF_TYPES.get(e_type, ""),
        osabi=ELF_OSABI_NAMES.get(ei_osabi, f"osabi-{ei_osabi}"),
    )


def _pe(head: bytes) -> BinaryInfo | None:
    if len(head) < 64:
        return None
    (pe_offset,) = struct.unpack_from("<I", head, 0x3C)
    # A PE header past the head cannot be verified; a plain DOS program or a file that merely
    # starts with "MZ" is not worth a finding.
    if pe_offset + 24 > len(head) or head[pe_offset : pe_offset + 4] != b"PE\0\0":
        return None
    coff = pe_offset + 4
    machine, _, _, _, _, opt_size, characteristics = struct.unpack_from("<HHIIIHH", head, coff)
    osabi = ""
    arch = PE_MACHINES.get(machine)
    if arch is None:
        for override, os_name in PE_OS_OVERRIDES.items():
            if (machine ^ override) in PE_MACHINES:
                arch, osabi = PE_MACHINES[machine ^ override], os_name
                break
    if arch is None:
        arch = f"unknown-{machine:#x}"
    opt = coff + 20
    magic = struct.unpack_from("<H", head, opt)[0] if opt_size >= 2 and opt + 2 <= len(head) else 0
    bits = {PE32_MAGIC: 32, PE32PLUS_MAGIC: 64}.get(magic, 64 if arch in ("x86_64", "arm64", "ia64") else 32)
    managed = False
    if magic in (PE32_MAGIC, PE32PLUS_MAGIC):
        count_at = opt + (92 if magic == PE32_MAGIC else 108)
        entry_at = count_at + 4 + CLI_HEADER_DIRECTORY * 8
        if entry_at + 8 <= min(len(head), opt + opt_size):
            (count,) = struct.unpack_from("<I", head, count_at)
            rva, size = struct.unpack_from("<II", head, entry_at)
            managed = count > CLI_HEADER_DIRECTORY and rva != 0 and size != 0
    return BinaryInfo(
        format="pe",
        arch=arch,
        bits=bits,
        endian="little",
        kind="shared" if characteristics & IMAGE_FILE_DLL else "executable",
        osabi=osabi,
        managed=managed,
        machine=machine,
    )


def _macho_arch(cputype: int, subtype: int) -> str:
    name = MACHO_CPUS.get(cputype, f"unknown-{cputype:#x}")
    # The high byte of cpusubtype holds capability bits, not the subtype (CPU_SUBTYPE_MASK).
    if name == "arm64" and subtype & 0x00FFFFFF == CPU_SUBTYPE_ARM64E:
        name = "arm64e"
    return name


def _macho(head: bytes, order: str) -> BinaryInfo | None:
    if len(head) < 16:
        return None
    magic, cputype, subtype, filetype = struct.unpack_from(order + "IiiI", head, 0)
    cputype &= 0xFFFFFFFF
    return BinaryInfo(
        format="macho",
        arch=_macho_arch(cputype, subtype & 0xFFFFFFFF),
        bits=64 if magic == MH_MAGIC_64 else 32,
        endian="little" if order == "<" else "big",
        kind=MACHO_TYPES.get(filetype, ""),
    )


def _fat(head: bytes, order: str, wide: bool) -> BinaryInfo | None:
    if len(head) < 8:
        return None
    (count,) = struct.unpack_from(order + "I", head, 4)
    entry = 32 if wide else 20  # fat_arch_64 has 64-bit offset and size, and a reserved word
    if not 0 < count <= MAX_FAT_ARCHS or 8 + count * entry > len(head):
        return None  # a Java class file, or too little of the header to say
    archs: list[str] = []
    bits = 32
    for i in range(count):
        cputype, subtype = struct.unpack_from(order + "II", head, 8 + i * entry)
        archs.append(_macho_arch(cputype, subtype))
        if cputype & CPU_ARCH_ABI64:
            bits = 64
    # Slices are Mach-O files of their own, in either byte order; "big" names the fat header's.
    return BinaryInfo(
        format="macho",
        arch=tuple(archs),
        bits=bits,
        endian="little" if order == "<" else "big",
        kind="universal",
    )


@dataclass(frozen=True)
class ElfDetails:
    """Facts about an ELF file that need more than its head: what it links and which glibc."""

    needed: tuple[str, ...] = ()  # DT_NEEDED, in order
    soname: str | None = None
    interpreter: str | None = None  # PT_INTERP: executables only
    # (file, version) pairs from .gnu.version_r: ("libc.so.6", "GLIBC_2.14"), ("libstdc++.so.6", ...)
    version_needs: tuple[tuple[str, str], ...] = ()
    error: str | None = None  # what stopped the reading; the fields hold what was read before

    @property
    def musl(self) -> bool:
        """Linked against musl libc (a musllinux wheel): it will not load on a glibc system."""
        if self.interpreter and "ld-musl" in self.interpreter:
            return True
        return any(name.startswith("libc.musl-") for name in self.needed)

    @property
    def glibc_versions(self) -> tuple[tuple[int, int], ...]:
        """Every GLIBC_x.y symbol version required, as sorted (major, minor) pairs."""
        out: set[tuple[int, int]] = set()
        for _, version in self.version_needs:
            parsed = _glibc_version(version)
            if parsed is not None:
                out.add(parsed)
        return tuple(sorted(out))

    @property
    def glibc_max(self) -> tuple[int, int] | None:
        """The newest glibc the file needs (manylinux_2_17 => (2, 17) at most), None if none."""
        versions = self.glibc_versions
        return versions[-1] if versions else None


def _glibc_version(name: str) -> tuple[int, int] | None:
    # GLIBC_2.2.5 (the x86_64 baseline) counts as 2.2; GLIBC_PRIVATE and GLIBC_ABI_* are not versions.
    if not name.startswith("GLIBC_"):
        return None
    parts = name[len("GLIBC_") :].split(".")
    if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit()):
        return None
    return int(parts[0]), int(parts[1])


def elf_details(data: bytes | BinaryIO) -> ElfDetails:
    """Read DT_NEEDED, DT_SONAME, PT_INTERP and the symbol versions needed; never raises.

    Read the way the dynamic loader reads: program headers and the dynamic segment only. Section
    headers sit at the end of the file, past a caller's capped buffer, and the loader ignores them.
    """
    stream: BinaryIO = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
    found = _Found()
    step = "ELF header"
    # Hostile or truncated input makes pyelftools raise anything from ELFError to struct.error,
    # KeyError or UnicodeDecodeError: every one of them is a fact about the file, not a bug here.
    try:
        stream.seek(0)
        if _elf(stream.read(64)) is None:
            raise ValueError("not an ELF file (magic, class, data or version)")
        from elftools.elf.elffile import ELFFile  # imported here: `agentzip --help` must start fast
        from elftools.elf.segments import InterpSegment

        elf = ELFFile(stream)
        elf.header["e_shoff"] = 0  # no section headers: pyelftools then resolves via DT_* tags
        step = "program headers"
        dynamic = None
        for segment in elf.iter_segments():
            if isinstance(segment, InterpSegment):
                found.interpreter = segment.get_interp_name()
            elif segment["p_type"] == "PT_DYNAMIC" and dynamic is None:
                dynamic = segment
        if dynamic is not None:
            step = "dynamic section"
            _read_dynamic(elf, dynamic, found)
    except Exception as exc:
        return found.details(f"{step}: {type(exc).__name__}: {exc}")
    return found.details(None)


def elf_extent(data: bytes) -> int | None:
    """How many leading bytes of an ELF file elf_details needs; None if `data` cannot tell.

    The dynamic table sits in the writable segment after the code, often megabytes in, and
    patchelf (auditwheel repair) may move the dynamic strings to a new segment at the very end.
    So: call it with the head; when the answer exceeds len(data), read that much and call again,
    because only the dynamic table says where its strings are. Two rounds settle it.
    """
    info = _elf(data)
    if info is None:
        return None
    order = "<" if info.endian == "little" else ">"
    # Elf64_Ehdr: e_phoff at 32, e_phentsize/e_phnum at 54; Elf32_Ehdr: 28 and 42 (gABI, "ELF Header").
    # Elf64_Phdr puts p_flags second; Elf32_Phdr puts it after p_memsz.
    wide = info.bits == 64
    header_size, word, phoff_at, counts_at = (64, "Q", 32, 54) if wide else (52, "I", 28, 42)
    if len(data) < header_size:
        return None
    phdr_fmt = order + ("IIQQQQ" if wide else "IIIIII")
    (phoff,) = struct.unpack_from(order + word, data, phoff_at)
    phentsize, phnum = struct.unpack_from(order + "HH", data, counts_at)
    table_end = phoff + phentsize * phnum
    if phentsize < struct.calcsize(phdr_fmt) or table_end > len(data):
        return None
    loads: list[tuple[int, int, int]] = []  # (p_vaddr, p_offset, p_filesz) of PT_LOAD segments
    dynamic: tuple[int, int] | None = None
    end: int = max(header_size, table_end)
    for i in range(phnum):
        values = struct.unpack_from(phdr_fmt, data, phoff + i * phentsize)
        p_type: int = values[0]
        fields = (2, 3, 5) if wide else (1, 2, 4)  # p_offset, p_vaddr, p_filesz
        p_offset, p_vaddr, p_filesz = (int(values[i]) for i in fields)
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type in (PT_DYNAMIC, PT_INTERP):
            end = max(end, p_offset + p_filesz)
            if p_type == PT_DYNAMIC and dynamic is None:
                dynamic = (p_offset, p_filesz)
    if dynamic is None or dynamic[0] + dynamic[1] > len(data):
        return end

    def file_end(address: int, size: int | None) -> int:
        # Where the table at this address ends in the file; unknown size: its segment's end.
        for vaddr, offset, filesz in loads:
            if vaddr <= address < vaddr + filesz:
                return offset + (address - vaddr) + size if size is not None else offset + filesz
        return 0

    tags: dict[int, int] = {}
    entry = order + word + word
    for at in range(dynamic[0], dynamic[0] + dynamic[1] - struct.calcsize(entry) + 1, struct.calcsize(entry)):
        tag, value = struct.unpack_from(entry, data, at)
        if tag == 0:  # DT_NULL
            break
        tags.setdefault(tag, value)
    if DT_STRTAB in tags:
        end = max(end, file_end(tags[DT_STRTAB], tags.get(DT_STRSZ)))
    if DT_VERNEED in tags:
        end = max(end, file_end(tags[DT_VERNEED], None))
    return int(end)


class _Found:
    """What elf_details has read so far, kept when a later step fails."""

    def __init__(self) -> None:
        self.needed: list[str] = []
        self.soname: str | None = None
        self.interpreter: str | None = None
        self.version_needs: list[tuple[str, str]] = []

    def details(self, error: str | None) -> ElfDetails:
        return ElfDetails(
            needed=tuple(self.needed),
            soname=self.soname,
            interpreter=self.interpreter,
            version_needs=tuple(self.version_needs),
            error=error,
        )


# Caps on counts read from the file, so a corrupt one cannot make us loop for long.
MAX_DYNAMIC_TAGS = 10_000
MAX_VERNEED = 1_000


def _read_dynamic(elf: ELFFile, dynamic: Any, found: _Found) -> None:
    from elftools.elf.gnuversions import GNUVerNeedSection

    limit = min(MAX_DYNAMIC_TAGS, dynamic["p_filesz"] // max(elf.structs.Elf_Dyn.sizeof(), 1))
    verneed_addr = verneed_count = None
    for n, tag in enumerate(dynamic.iter_tags()):
        if n >= limit:
            break
        kind = tag.entry.d_tag
        if kind == "DT_NEEDED":
            found.needed.append(str(tag.needed))
        elif kind == "DT_SONAME":
            found.soname = str(tag.soname)
        elif kind == "DT_VERNEED":
            verneed_addr = tag.entry.d_val
        elif kind == "DT_VERNEEDNUM":
            verneed_count = tag.entry.d_val
    if verneed_addr is None or not verneed_count:
        _check_strings(found)
        return
    offset = next(elf.address_offsets(verneed_addr), None)
    if offset is None:
        raise ValueError(f"DT_VERNEED address {verneed_addr:#x} is in no loaded segment")
    # .gnu.version_r as the loader finds it: DT_VERNEED/DT_VERNEEDNUM name what sh_offset/sh_info
    # would, and the strings are in the dynamic string table (DT_STRTAB) like DT_NEEDED's.
    header = {
        "sh_offset": offset,
        "sh_info": min(verneed_count, MAX_VERNEED),
        "sh_flags": 0,
        "sh_size": 0,
        "sh_addralign": 0,
        "sh_type": "SHT_GNU_verneed",
        "sh_name": 0,
    }
    table = GNUVerNeedSection(header, ".gnu.version_r", elf, dynamic._get_stringtable())  # type: ignore[arg-type]
    for verneed, auxiliaries in table.iter_versions():
        for aux in auxiliaries:
            found.version_needs.append((str(verneed.name), str(aux.name)))
    _check_strings(found)


def _check_strings(found: _Found) -> None:
    # pyelftools reads a string past the end of the data as "": a name we did not read, not an
    # empty name (elf_extent says how much to read).
    if "" in found.needed or any("" in pair for pair in found.version_needs):
        found.needed = [n for n in found.needed if n]
        found.version_needs = [p for p in found.version_needs if "" not in p]
        raise ValueError("the dynamic string table (DT_STRTAB) lies past the end of the data")
