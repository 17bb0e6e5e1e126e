"""What an ELF file links and which glibc it needs, read the way the dynamic loader reads it."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from elftools.elf.elffile import ELFFile

from agentzip.validator.binaries import elf_header

PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3  # p_type values elf_extent reads
DT_STRTAB, DT_STRSZ, DT_VERNEED = 5, 10, 0x6FFFFFFE  # d_tag values it follows


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
        if elf_header(stream.read(64)) is None:
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
    info = elf_header(data)
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
