"""A raw zip writer for fuzzing: writes what zipfile refuses (lying offsets, counts, sizes, extra fields, names)."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from hypothesis import strategies as st

NAMES = [
    b"main.py",
    b"requirements.txt",
    b"packages/x/__init__.py",
    b"packages/x-1.0.dist-info/METADATA",
    b"packages/x-1.0.dist-info/RECORD",
    b"../evil.py",
    b"/abs.py",
    b"a\\b.py",
    b"C:/x.py",
    b"dir/",
    b"\xff\xfe.py",
    b"a\x00b.py",
    b"MAIN.PY",
    b"x.so",
    b"x.whl",
    b"azure.yaml",
    b".env",
    b"",
]


@dataclass
class Member:
    name: bytes
    data: bytes
    method: int  # 0 stored, 8 deflate, anything else unsupported
    flags: int
    extra: bytes
    crc_delta: int  # 0: the true CRC
    size_delta: int  # added to the recorded uncompressed size
    offset_delta: int  # added to the central directory's local header offset
    external: int  # external attributes (unix mode << 16)


def _payload(m: Member) -> bytes:
    if m.method == 8:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return c.compress(m.data) + c.flush()
    return m.data


def build(members: list[Member], count_delta: int, cd_delta: int, prefix: bytes, trailer: bytes) -> bytes:
    """The bytes of a zip with every field as given, true or not."""
    out = bytearray(prefix)
    central = bytearray()
    for m in members:
        payload = _payload(m)
        crc = (zlib.crc32(m.data) + m.crc_delta) & 0xFFFFFFFF
        usize = max(0, min(0xFFFFFFFF, len(m.data) + m.size_delta))
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            m.flags,
            m.method,
            0,
            0x21,
            crc,
            len(payload),
            usize,
            len(m.name),
            len(m.extra),
        )
        out += m.name + m.extra + payload
        lho = max(0, min(0xFFFFFFFF, offset + m.offset_delta))
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            0x031E,
            20,
            m.flags,
            m.method,
            0,
            0x21,
            crc,
            len(payload),
            usize,
            len(m.name),
            len(m.extra),
            0,
            0,
            0,
            m.external,
            lho,
        )
        central += m.name + m.extra
    cd_offset = len(out)
    out += central
    n = max(0, min(0xFFFF, len(members) + count_delta))
    start = max(0, min(0xFFFFFFFF, cd_offset + cd_delta))
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central), start, 0)
    return bytes(out + trailer)


_extra = st.one_of(
    st.just(b""),
    st.binary(max_size=12),
    st.builds(lambda a, b: struct.pack("<HHQQ", 1, 16, a, b), st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1)),
)
members = st.builds(
    Member,
    name=st.one_of(st.sampled_from(NAMES), st.binary(max_size=24)),
    data=st.one_of(
        st.binary(max_size=64), st.sampled_from([b"import os\n", b"requests==2.0\n", b"\x7fELF\x02\x01\x01"])
    ),
    method=st.sampled_from([0, 8, 8, 12, 99]),
    flags=st.sampled_from([0, 0, 1, 8, 0x800]),
    extra=_extra,
    crc_delta=st.sampled_from([0, 0, 0, 1]),
    size_delta=st.sampled_from([0, 0, 0, 1, -1, 2**31]),
    offset_delta=st.sampled_from([0, 0, 0, 1, -1, -30, 10**6]),
    external=st.sampled_from([0, 0o100644 << 16, 0o120777 << 16, 0o040755 << 16, 0o010644 << 16]),
)
raw_zips = st.builds(
    build,
    st.lists(members, max_size=6),
    count_delta=st.sampled_from([0, 0, 0, 1, -1, 1000]),
    cd_delta=st.sampled_from([0, 0, 0, 1, -1, -22]),
    prefix=st.sampled_from([b"", b"#!/bin/sh\n", b"PK\x03\x04"]),
    trailer=st.sampled_from([b"", b"x" * 10, b"PK\x05\x06"]),
)
