"""Native files (ELF, PE, Mach-O) classified from their header bytes, never from their names."""

import struct

from agentzip.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

# How many leading bytes classify() needs. ELF wants 20 and a thin Mach-O 16, but a PE header sits
# at e_lfanew, after the DOS stub and MSVC's Rich header (0x80-0x200 in practice), and a universal
# Mach-O lists its slices up front (8 + 32 * 30 bytes at most, see MAX_FAT_ARCHS). One page
# covers both with room to spare and costs no more to inflate from a zip member than less would.
HEAD_BYTES = 4096

if TYPE_CHECKING:  # the type checker's names for the two kinds; plain strings at run time
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


class BinaryInfo(NamedTuple):
    """What a native file is built for, as far as its header says.

    A named tuple, not a dataclass: a bundled check classifies every native file and building a
    dataclass costs a millisecond at import. `machine` stays out of equality, as it did."""

    format: "Format"
    arch: str | tuple[str, ...]  # a tuple only for a universal (fat) Mach-O: one name per slice
    bits: int  # 32 or 64; for a universal file, the widest slice
    endian: "Endian"
    kind: str  # shared, executable, relocatable, bundle, core, universal; "" when unknown
    osabi: str = ""  # ELF EI_OSABI name; for a ReadyToRun PE, the OS it was compiled for
    managed: bool = False  # a PE with a CLI header: a .NET assembly, run by dotnet, not the loader
    # PE: the raw COFF machine (0xFD1D: ReadyToRun x64 for Linux); arch and osabi already say it
    machine: int = 0
    cli_flags: int | None = None  # PE: CLI header Flags; None when not read (not .NET, or past the bytes)
    readytorun: bool = False  # PE: the CLI header names a ReadyToRun header (precompiled code)

    def _compared(self) -> tuple[object, ...]:
        return (*self[:7], *self[8:])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BinaryInfo):
            return NotImplemented
        return self._compared() == other._compared()

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._compared())

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
        return elf_header(head)
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


def elf_header(head: bytes) -> BinaryInfo | None:
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
