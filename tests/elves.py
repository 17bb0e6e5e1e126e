"""Small but real ELF64 shared objects for tests: what the loader reads, nothing else.

One PT_LOAD maps the whole file at address 0 (so addresses are offsets), PT_DYNAMIC points at a
dynamic table placed after `padding` bytes (real libraries keep it after their code), and the
dynamic strings and .gnu.version_r sit near the start, as a linker lays them out.
"""

from __future__ import annotations

import struct

DT_NULL, DT_NEEDED, DT_STRTAB, DT_STRSZ = 0, 1, 5, 10
DT_VERNEED, DT_VERNEEDNUM = 0x6FFFFFFE, 0x6FFFFFFF
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3


def shared_object(
    needed: tuple[str, ...] = ("libc.so.6",),
    glibc: tuple[str, ...] = ("GLIBC_2.2.5",),
    *,
    machine: int = 62,
    interp: str | None = None,
    padding: int = 0,
) -> bytes:
    """An x86_64 (by default) ELF shared object needing `needed` and the `glibc` symbol versions of libc.so.6."""
    strings = bytearray(b"\0")

    def add(s: str) -> int:
        at = len(strings)
        strings.extend(s.encode() + b"\0")
        return at

    needed_at = [add(n) for n in needed]
    libc_at = add("libc.so.6")
    version_at = [add(v) for v in glibc]
    phnum = 3 if interp else 2
    at = 64 + 56 * phnum
    interp_bytes = interp.encode() + b"\0" if interp else b""
    interp_at = at
    at += len(interp_bytes)
    strtab_at = at
    at += len(strings)
    at = (at + 7) & ~7
    verneed_at = at
    verneed = b""
    if glibc:
        verneed = struct.pack("<HHIII", 1, len(glibc), libc_at, 16, 0)
        for i, v in enumerate(version_at):
            last = i == len(version_at) - 1
            verneed += struct.pack("<IHHII", 0, 0, i + 2, v, 0 if last else 16)
    at += len(verneed) + padding
    at = (at + 7) & ~7
    dynamic_at = at
    tags = [(DT_NEEDED, n) for n in needed_at] + [(DT_STRTAB, strtab_at), (DT_STRSZ, len(strings))]
    if glibc:
        tags += [(DT_VERNEED, verneed_at), (DT_VERNEEDNUM, 1)]
    tags.append((DT_NULL, 0))
    dynamic = b"".join(struct.pack("<qQ", t, v) for t, v in tags)
    size = dynamic_at + len(dynamic)

    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 3, machine, 1, 0, 64, 0, 0, 64, 56, phnum, 64, 0, 0)
    phdrs = struct.pack("<IIQQQQQQ", PT_LOAD, 5, 0, 0, 0, size, size, 0x1000)
    phdrs += struct.pack("<IIQQQQQQ", PT_DYNAMIC, 6, dynamic_at, dynamic_at, dynamic_at, len(dynamic), len(dynamic), 8)
    if interp:
        phdrs += struct.pack(
            "<IIQQQQQQ", PT_INTERP, 4, interp_at, interp_at, interp_at, len(interp_bytes), len(interp_bytes), 1
        )
    out = bytearray(size)
    out[: len(ehdr)] = ehdr
    out[64 : 64 + len(phdrs)] = phdrs
    out[interp_at : interp_at + len(interp_bytes)] = interp_bytes
    out[strtab_at : strtab_at + len(strings)] = strings
    out[verneed_at : verneed_at + len(verneed)] = verneed
    out[dynamic_at : dynamic_at + len(dynamic)] = dynamic
    return bytes(out)
