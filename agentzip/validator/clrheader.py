""".NET assemblies past the head: the CLI header (ECMA-335 II.25.3.3) and the ReadyToRun header it names."""

from __future__ import annotations

import struct
from collections.abc import Callable

from agentzip.errors import ArchiveError
from agentzip.validator.binaries import (
    CLI_HEADER_DIRECTORY,
    CLI_HEADER_SIZE,
    PE32_MAGIC,
    PE32PLUS_MAGIC,
    READYTORUN_SIGNATURE,
    BinaryInfo,
)

MAX_PE_SECTIONS = 96  # the PE/COFF specification's limit on NumberOfSections


def _pe_sections(data: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]] | None:
    """(CLI header RVA, section table end, [(virtual address, virtual size, raw size, raw offset)])."""
    if len(data) < 64 or data[:2] != b"MZ":
        return None
    (pe_offset,) = struct.unpack_from("<I", data, 0x3C)
    if pe_offset + 24 > len(data) or data[pe_offset : pe_offset + 4] != b"PE\0\0":
        return None
    coff = pe_offset + 4
    nsec, opt_size = struct.unpack_from("<H", data, coff + 2)[0], struct.unpack_from("<H", data, coff + 16)[0]
    opt = coff + 20
    if opt + 2 > len(data) or nsec > MAX_PE_SECTIONS:
        return None
    magic = struct.unpack_from("<H", data, opt)[0]
    count_at = opt + (92 if magic == PE32_MAGIC else 108)
    entry_at = count_at + 4 + CLI_HEADER_DIRECTORY * 8
    if magic not in (PE32_MAGIC, PE32PLUS_MAGIC) or entry_at + 8 > min(len(data), opt + opt_size):
        return None
    cli_rva = struct.unpack_from("<I", data, entry_at)[0]
    table = opt + opt_size
    end = table + 40 * nsec
    sections = []
    if end <= len(data):
        for i in range(nsec):
            vsize, va, rawsize, rawptr = struct.unpack_from("<IIII", data, table + 40 * i + 8)
            sections.append((va, vsize, rawsize, rawptr))
    return cli_rva, end, sections


def _file_offset(rva: int, sections: list[tuple[int, int, int, int]]) -> int | None:
    for va, vsize, rawsize, rawptr in sections:
        if va <= rva < va + max(vsize, rawsize) and rva - va < rawsize:
            return rawptr + rva - va
    return None


def cli_extent(data: bytes) -> int | None:
    """How many leading bytes of a .NET PE file read_cli needs (call again with that many).

    The CLI header sits in the first section, often past the head (0x236d0 in a ReadyToRun
    System.Private.CoreLib), and the ReadyToRun header it points to lies beyond it. None when
    `data` is no managed PE or its header cannot be located.
    """
    found = _pe_sections(data)
    if found is None or found[0] == 0:
        return None
    cli_rva, table_end, sections = found
    if table_end > len(data):
        return table_end
    at = _file_offset(cli_rva, sections)
    if at is None:
        return None
    need = at + CLI_HEADER_SIZE
    if need > len(data):
        return need
    native_rva = struct.unpack_from("<I", data, at + 64)[0]
    native = _file_offset(native_rva, sections) if native_rva else None
    return max(need, native + 8) if native is not None else need


def read_cli(info: BinaryInfo, data: bytes) -> BinaryInfo:
    """`info` with the CLI header's flags and ReadyToRun-ness, when `data` reaches them."""
    need = cli_extent(data)
    found = _pe_sections(data)
    if need is None or need > len(data) or found is None:
        return info
    cli_rva, _, sections = found
    at = _file_offset(cli_rva, sections)
    if at is None:
        return info
    flags = struct.unpack_from("<I", data, at + 16)[0]
    native_rva = struct.unpack_from("<I", data, at + 64)[0]
    native = _file_offset(native_rva, sections) if native_rva else None
    r2r = native is not None and struct.unpack_from("<I", data, native)[0] == READYTORUN_SIGNATURE
    return info._replace(cli_flags=flags, readytorun=r2r)


CLI_LIMIT = 64 << 20  # bytes inflated per assembly to reach its CLI header; beyond: not verified


def managed_info(info: BinaryInfo, head: bytes, read: Callable[[int], bytes], size: int) -> BinaryInfo:
    """A .NET PE's info completed from its CLI header, reading past the head when it must; never raises."""
    data = head
    try:
        for _ in range(3):  # section table, then the CLI header, then the ReadyToRun header
            need = cli_extent(data)
            if need is None or need <= len(data) or len(data) >= size or need > CLI_LIMIT:
                break
            data = read(need)
        return read_cli(info, data)
    except (ArchiveError, OSError, ValueError, struct.error):
        return info  # the archive rules report unreadable members
