"""The hardened zip reader: anomalies of hostile zips, agreement with zipfile, bounded reads."""

from __future__ import annotations

import contextlib
import io
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from agentzip.errors import ArchiveError
from agentzip.validator.zip import Anomaly, ZipArchive, ZipEntry, reader
from fixtures import hostile as H


def open_bytes(tmp_path: Path, data: bytes, **kw: int) -> ZipArchive:
    p = tmp_path / "t.zip"
    p.write_bytes(data)
    return ZipArchive.open(p, **kw)


def entry(a: ZipArchive, name: str) -> ZipEntry:
    (e,) = [e for e in a.entries if e.filename == name]
    return e


def cd_offset(data: bytes) -> int:
    return struct.unpack_from("<L", data, len(data) - 22 + 16)[0]


Expected = list[tuple[str, "str | None", str]]  # (kind, path, message fragment), in order

CASES: list[tuple[str, int, Expected]] = [
    ("good", 3, []),
    ("empty", 0, [("corrupt", None, "empty file")]),
    ("text-renamed", 0, [("corrupt", None, "not a zip archive: no end-of-central-directory record")]),
    ("cut-short", 0, [("corrupt", None, "truncated: starts like a zip")]),
    ("truncated-directory", 0, [("corrupt", None, "truncated: the central directory (172 bytes at offset 170)")]),
    ("duplicate-names", 3, []),
    ("sfx-prepended", 3, [("differential", None, "512 bytes of data before the archive")]),
    ("trailing-data", 3, [("differential", None, "100 bytes of data after the end record's comment")]),
    ("lying-counts", 3, [("differential", None, "claims 7 entries but the central directory holds 3")]),
    ("local-name-differs", 2, [("differential", "main.py", "disagrees with the central directory: name 'evil.py'")]),
    ("deflate64", 2, []),
    ("encrypted", 2, []),
    ("backslash-names", 3, []),
    ("traversal-names", 3, []),
    ("symlink", 2, []),
    ("cp437-name", 2, []),
    ("utf8-unflagged-name", 2, []),
    ("invalid-utf8-flagged", 2, []),
    ("zip64", 2, []),
    (
        "million-entries-claimed",
        2,
        [("differential", None, "claims 1,000,000 entries but the central directory holds 2")],
    ),
    ("terabyte-directory", 1, [("differential", None, "central directory is 1,099,511,627,776 bytes at offset")]),
    ("terabyte-sizes", 3, []),
    ("unicode-path-differs", 2, [("differential", "café.py", "Unicode Path extra field names this entry 'other.py'")]),
]


@pytest.mark.parametrize(("fixture", "n_entries", "expected"), CASES, ids=[c[0] for c in CASES])
def test_anomalies(tmp_path: Path, fixture: str, n_entries: int, expected: Expected) -> None:
    a = open_bytes(tmp_path, H.ALL[fixture]())
    assert len(a.entries) == n_entries
    got = [(x.kind, x.path, x.message) for x in a.anomalies]
    assert [(k, p) for k, p, _ in got] == [(k, p) for k, p, _ in expected], got
    for (_, _, message), (_, _, fragment) in zip(got, expected, strict=True):
        assert fragment in message


def test_fifield_bomb_is_listed_capped_and_never_inflated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = H.fifield_bomb(entries=2000, kernel=1 << 20)  # claims 2,000 x 1 MiB from ~100 KB

    def no_inflate(*args: object) -> object:
        raise AssertionError("opening must not decompress anything")

    monkeypatch.setattr(reader.zlib, "decompressobj", no_inflate)
    t = time.perf_counter()
    a = open_bytes(tmp_path, data)
    assert time.perf_counter() - t < 2.0
    assert len(a.entries) == 2000 and sum(e.size for e in a.entries) == 2000 << 20
    kinds = [x.kind for x in a.anomalies]
    # every entry after the first points at the first one's local header: 1,999 of each
    assert kinds == ["differential"] * 21 + ["overlap"] * 21
    assert a.anomalies[20] == Anomaly(
        "differential", None, "1,979 more entries whose local header is missing or disagrees not listed"
    )
    assert a.anomalies[21].path == "0001.txt" and "with '0000.txt'" in a.anomalies[21].message
    assert a.anomalies[41] == Anomaly("overlap", None, "1,979 more overlapping entries not listed")


def test_overlapping_entries_are_never_read(tmp_path: Path) -> None:
    a = open_bytes(tmp_path, H.fifield_bomb(entries=2000, kernel=1 << 20))
    assert all(e.overlaps for e in a.entries)
    for e in a.entries:
        with pytest.raises(ArchiveError, match="shares bytes with another entry"):
            a.head(e, 64)
        with pytest.raises(ArchiveError, match="shares bytes with another entry"):
            a.read(e, 1 << 20)
        with pytest.raises(ArchiveError, match="shares bytes with another entry"):
            list(a.iter_chunks(e))
    assert a.bytes_read == 0


def test_overlap_is_measured_from_the_furthest_end(tmp_path: Path) -> None:
    # a spans 0-1000, b 100-200 and c 500-600: c overlaps a, although not b (the span before it)
    a = open_bytes(tmp_path, H.nested_spans())
    assert [(e.filename, e.local_header_offset, e.data_offset + e.compressed_size) for e in a.entries] == [
        ("a", 0, 1000),
        ("b", 100, 200),
        ("c", 500, 600),
    ]
    assert [(x.kind, x.path) for x in a.anomalies] == [("overlap", "b"), ("overlap", "c")]
    assert "shares bytes 100-200 with 'a'" in a.anomalies[0].message
    assert "shares bytes 500-600 with 'a'" in a.anomalies[1].message
    assert [e.overlaps for e in a.entries] == [True, True, True]


def test_entries_apart_and_in_order_are_not_overlaps(tmp_path: Path) -> None:
    # the same three entries, each with its own bytes: the reader's usual path, no anomaly
    data = H.raw_zip([H.Member.of(n, n.encode() * 100, method=0) for n in ("a", "b", "c")])
    a = open_bytes(tmp_path, data)
    assert a.anomalies == [] and not any(e.overlaps for e in a.entries)
    assert [a.read(e, 1000) for e in a.entries] == [b"a" * 100, b"b" * 100, b"c" * 100]


def test_entries_out_of_file_order_are_swept(tmp_path: Path) -> None:
    # the central directory lists c, a, b; their data does not overlap: still no anomaly
    data = H.raw_zip([H.Member.of(n, n.encode() * 100) for n in ("a", "b", "c")])
    cd = cd_offset(data)
    records = [data.index(b"PK\x01\x02", cd)]
    while (nxt := data.find(b"PK\x01\x02", records[-1] + 4)) >= 0:
        records.append(nxt)
    a_rec, b_rec, c_rec = (data[r : r + 47] for r in records)
    shuffled = data[:cd] + c_rec + a_rec + b_rec + data[cd + 3 * 47 :]
    a = open_bytes(tmp_path, shuffled)
    assert [e.filename for e in a.entries] == ["c", "a", "b"] and a.anomalies == []
    assert a.read(a.entries[0], 1000) == b"c" * 100


def test_read_budget_bounds_all_reads_together(tmp_path: Path) -> None:
    data = H.zip_bytes({f"m{i}.bin": b"\0" * 10_000 for i in range(5)})
    a = open_bytes(tmp_path, data, read_budget=25_000)
    assert [len(a.read(e, 1 << 20)) for e in a.entries[:2]] == [10_000, 10_000]
    assert a.head(a.entries[2], 4_000) == b"\0" * 4_000
    with pytest.raises(ArchiveError, match="budget"):
        a.read(a.entries[3], 1 << 20)
    with pytest.raises(ArchiveError, match="budget"):
        a.head(a.entries[4], 10)


def test_overlap_with_central_directory(tmp_path: Path) -> None:
    data = bytearray(H.raw_zip([H.Member.of("main.py", b"print(1)\n" * 10, method=0, flags=8)]))
    cd = cd_offset(bytes(data))
    struct.pack_into("<L", data, cd + 20, cd - (30 + 7) + 10)  # its data now runs 10 bytes into the directory
    a = open_bytes(tmp_path, bytes(data))
    assert [(x.kind, x.path) for x in a.anomalies] == [("overlap", "main.py")]
    assert "overlap the central directory" in a.anomalies[0].message


def test_data_past_the_end_is_corrupt(tmp_path: Path) -> None:
    data = bytearray(H.raw_zip([H.Member.of("main.py", b"print(1)\n", method=0, flags=8)]))
    struct.pack_into("<L", data, cd_offset(bytes(data)) + 20, 10_000)
    a = open_bytes(tmp_path, bytes(data))
    assert [(x.kind, x.path) for x in a.anomalies] == [("corrupt", "main.py")]
    with pytest.raises(ArchiveError, match="past the end"):
        a.head(a.entries[0], 4)


def test_bad_directory_entry_keeps_the_ones_before(tmp_path: Path) -> None:
    data = bytearray(H.good_zip())
    third = data.rindex(b"PK\x01\x02")
    data[third : third + 4] = b"XX\x01\x02"
    a = open_bytes(tmp_path, bytes(data))
    assert [e.filename for e in a.entries] == ["main.py", "requirements.txt"]
    assert [(x.kind, x.path) for x in a.anomalies] == [("corrupt", None)]
    assert (
        "entry 2 at offset" in a.anomalies[0].message
        and "the 2 entries before it were checked" in a.anomalies[0].message
    )


def test_missing_local_header(tmp_path: Path) -> None:
    data = bytearray(H.good_zip())
    data[0:4] = b"XXXX"
    a = open_bytes(tmp_path, bytes(data))
    assert [(x.kind, x.path) for x in a.anomalies] == [("differential", "main.py")]
    assert "no local header at offset 0" in a.anomalies[0].message
    with pytest.raises(ArchiveError, match="no usable local header"):
        a.head(entry(a, "main.py"), 1)
    assert a.head(entry(a, "lib/util.py"), 5) == b"X = 1"


def test_zip64_and_classic_end_records_disagree(tmp_path: Path) -> None:
    data = bytearray(H.zip64_archive())
    struct.pack_into("<2H", data, len(data) - 22 + 8, 5, 5)  # classic counts 5, zip64 record 2
    a = open_bytes(tmp_path, bytes(data))
    assert len(a.entries) == 2 and a.claimed_entries == 2
    assert [(x.kind, x.path) for x in a.anomalies] == [("differential", None)]
    assert "the end record gives entries 5 but the zip64 end record 2" in a.anomalies[0].message


def test_entry_cap(tmp_path: Path) -> None:
    a = open_bytes(tmp_path, H.many_entries(1500), max_entries=1000)
    assert len(a.entries) == 1000
    assert a.anomalies == [
        Anomaly(
            "limit",
            None,
            "its end record counts 1,500 entries, more than the 1,000 this check reads: "
            "only the first 1,000 were checked",
        )
    ]


def test_entry_cap_counts_when_the_end_record_says_fewer(tmp_path: Path) -> None:
    data = bytearray(H.many_entries(1500))
    struct.pack_into("<2H", data, len(data) - 22 + 8, 1500 - 1024, 1500 - 1024)  # as if wrapped
    a = open_bytes(tmp_path, bytes(data), max_entries=1000)
    assert len(a.entries) == 1000
    assert [(x.kind, x.message) for x in a.anomalies] == [
        (
            "limit",
            "the central directory holds 1,500 entries, more than the 1,000 this check reads: "
            "only the first 1,000 were checked",
        )
    ]


def test_directory_size_cap(tmp_path: Path) -> None:
    a = open_bytes(tmp_path, H.many_entries(1000), max_cd_bytes=5400)  # 54 bytes per entry
    assert len(a.entries) == 100
    assert [(x.kind, x.path) for x in a.anomalies] == [("limit", None)]
    assert (
        "the central directory is 54,000 bytes, more than the 5,400 this check reads: "
        "only the first 100 entries were checked" in a.anomalies[0].message
    )


def test_unreadable_path_is_an_anomaly(tmp_path: Path) -> None:
    a = ZipArchive.open(tmp_path)  # a directory: open() fails with OSError
    assert a.entries == [] and [x.kind for x in a.anomalies] == ["corrupt"]
    assert a.anomalies[0].message.startswith("cannot read the file")


# -- entry fields ------------------------------------------------------------------------------

NAME_CASES = [
    # (fixture, name in the archive, expected name, encoding)
    ("good", "main.py", "main.py", "ascii"),
    ("cp437-name", "café.py", "café.py", "cp437"),
    ("utf8-unflagged-name", "café.py", "café.py", "utf-8-unflagged"),
    ("invalid-utf8-flagged", "caf\ufffd.py", "caf\ufffd.py", "invalid"),
    ("backslash-names", "lib\\util.py", "lib\\util.py", "ascii"),
]


@pytest.mark.parametrize(("fixture", "lookup", "name", "encoding"), NAME_CASES)
def test_name_encoding(tmp_path: Path, fixture: str, lookup: str, name: str, encoding: str) -> None:
    e = entry(open_bytes(tmp_path, H.ALL[fixture]()), lookup)
    assert (e.filename, e.encoding) == (name, encoding)


def test_flagged_utf8_name(tmp_path: Path) -> None:
    a = open_bytes(tmp_path, H.zip_bytes({"café.py": "x = 1\n"}))
    (e,) = a.entries
    assert (e.filename, e.encoding, e.raw_name, bool(e.flags & 0x800)) == ("café.py", "utf-8", "café.py".encode(), True)


FIELD_CASES: list[tuple[str, str, Callable[[ZipEntry], object], object]] = [
    ("symlink", "link", lambda e: (e.is_symlink, e.mode, e.is_dir), (True, 0o120777, False)),
    ("symlink", "main.py", lambda e: (e.is_symlink, e.mode), (False, 0o100644)),
    ("encrypted", "secret.py", lambda e: (e.is_encrypted, e.flags & 1), (True, 1)),
    ("encrypted", "main.py", lambda e: e.is_encrypted, False),
    (
        "deflate64",
        "big.bin",
        lambda e: (e.method, e.method_name, e.create_system, e.mode),
        (9, "Deflate64", 0, 0o100644),
    ),
    ("backslash-names", "lib\\", lambda e: (e.is_dir, e.create_system, e.mode), (True, 0, None)),
    ("backslash-names", "lib\\util.py", lambda e: (e.is_dir, e.mode), (False, None)),
    ("traversal-names", "../../etc/cron.d/x", lambda e: e.raw_name, b"../../etc/cron.d/x"),
    ("terabyte-sizes", "model.bin", lambda e: (e.size, e.compressed_size), (1 << 40, 11)),
    ("sfx-prepended", "main.py", lambda e: e.local_header_offset, 512),
]


@pytest.mark.parametrize(("fixture", "name", "get", "value"), FIELD_CASES)
def test_entry_fields(
    tmp_path: Path, fixture: str, name: str, get: Callable[[ZipEntry], object], value: object
) -> None:
    assert get(entry(open_bytes(tmp_path, H.ALL[fixture]()), name)) == value


@pytest.mark.parametrize(
    "fixture", ["good", "zip64", "sfx-prepended", "duplicate-names", "symlink", "utf8-unflagged-name"]
)
def test_agrees_with_zipfile(tmp_path: Path, fixture: str) -> None:
    data = H.ALL[fixture]()
    a = open_bytes(tmp_path, data)
    zf = zipfile.ZipFile(io.BytesIO(data))
    ours = [
        (
            e.crc,
            e.compressed_size,
            e.size,
            e.method,
            e.flags,
            e.create_system,
            e.external_attr,
            e.local_header_offset,
            e.raw_name,
        )
        for e in a.entries
    ]
    theirs = [
        (
            i.CRC,
            i.compress_size,
            i.file_size,
            i.compress_type,
            i.flag_bits,
            i.create_system,
            i.external_attr,
            i.header_offset,
            i.orig_filename.encode("utf-8" if i.flag_bits & 0x800 else "cp437"),
        )
        for i in zf.infolist()
    ]
    assert ours == theirs
    for e, i in zip(a.entries, zf.infolist(), strict=True):
        assert a.read(e, 1 << 20) == zf.read(i)


def test_data_descriptor_entries(tmp_path: Path) -> None:
    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.buf = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            self.buf += b  # type: ignore[operator]
            return len(b)  # type: ignore[arg-type]

    out = Unseekable()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:  # unseekable: bit 3 and a descriptor
        zf.writestr("main.py", "print(1)\n" * 50)
        zf.writestr("b.txt", "b")
    a = open_bytes(tmp_path, bytes(out.buf))
    assert a.anomalies == []
    assert [e.has_data_descriptor for e in a.entries] == [True, True]
    assert a.read(a.entries[0], 1000) == b"print(1)\n" * 50


# -- reading members ---------------------------------------------------------------------------

CONTENT = bytes(range(256)) * 400  # 100 KiB, not very compressible


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_head_read_chunks(tmp_path: Path, method: int) -> None:
    a = open_bytes(tmp_path, H.zip_bytes({"m.bin": CONTENT, "empty": b""}, method=method))
    e, empty = a.entries
    assert a.head(e, 10) == CONTENT[:10]
    assert a.head(e, 0) == b""
    assert a.head(e, 10**9) == CONTENT
    assert a.head(empty, 10) == b""
    assert a.read(e, len(CONTENT)) == CONTENT
    chunks = list(a.iter_chunks(e, 4096))
    assert b"".join(chunks) == CONTENT and max(map(len, chunks)) <= 4096
    assert a.read(empty, 0) == b""
    with pytest.raises(ArchiveError, match="larger than the 1,000-byte limit"):
        a.read(e, 1000)


@pytest.mark.parametrize(
    ("fixture", "name", "error"),
    [
        ("deflate64", "big.bin", "unsupported compression method 9 \\(Deflate64\\)"),
        ("encrypted", "secret.py", "encrypted"),
    ],
)
def test_unreadable_members(tmp_path: Path, fixture: str, name: str, error: str) -> None:
    a = open_bytes(tmp_path, H.ALL[fixture]())
    e = entry(a, name)
    for call in (lambda: a.head(e, 4), lambda: a.read(e, 1 << 20), lambda: list(a.iter_chunks(e))):
        with pytest.raises(ArchiveError, match=error):
            call()


def _patch_cd(data: bytes, field_at: int, fmt: str, value: int) -> bytes:
    """Set a field of the first central-directory entry (offsets as in APPNOTE 4.3.12)."""
    out = bytearray(data)
    struct.pack_into(fmt, out, cd_offset(data) + field_at, value)
    return bytes(out)


def test_crc_mismatch(tmp_path: Path) -> None:
    data = H.raw_zip([H.Member.of("main.py", b"print(1)\n" * 20, flags=8)])
    a = open_bytes(tmp_path, _patch_cd(data, 16, "<L", 0x12345678))
    assert a.head(a.entries[0], 5) == b"print"  # a head does not reach the CRC
    with pytest.raises(ArchiveError, match="CRC-32 mismatch"):
        a.read(a.entries[0], 1 << 20)


def test_member_larger_than_it_declares(tmp_path: Path) -> None:
    data = H.raw_zip([H.Member.of("main.py", b"\0" * 100_000, flags=8)])
    a = open_bytes(tmp_path, _patch_cd(data, 24, "<L", 1000))  # declares 1,000 bytes
    with pytest.raises(ArchiveError, match="more data than the 1,000 bytes it declares"):
        list(a.iter_chunks(a.entries[0], 256))


def test_member_smaller_than_it_declares(tmp_path: Path) -> None:
    a = open_bytes(tmp_path, H.terabyte_sizes())
    e = a.entries[0]
    assert a.head(e, 100) == b"print(1)\n"
    with pytest.raises(ArchiveError, match="9 bytes of data, but it declares 1,099,511,627,776"):
        a.read(e, 1 << 20)


def test_corrupt_deflate_data(tmp_path: Path) -> None:
    m = H.Member.of("main.py", b"x", flags=8)
    m.data = b"\xff" * len(m.data)
    a = open_bytes(tmp_path, H.raw_zip([m]))
    with pytest.raises(ArchiveError, match="corrupt deflate data"):
        a.head(a.entries[0], 1)


def test_truncated_deflate_stream(tmp_path: Path) -> None:
    content = zlib.compress(bytes(range(256)) * 100)  # incompressible-ish: a long stream
    m = H.Member.of("m.bin", content, flags=8)
    full = m.data
    m.data = full[: len(full) // 2]
    a = open_bytes(tmp_path, H.raw_zip([m]))
    with pytest.raises(ArchiveError, match="ends early"):
        a.read(a.entries[0], 1 << 20)


# -- bounded memory and time -------------------------------------------------------------------


def _million_real_entries() -> bytes:
    """1,000,000 central-directory entries (47 MB), all naming one local header."""
    local = struct.pack("<4s2B4H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0) + b"a"
    cen = struct.pack("<4s4B4H3L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0) + b"a"
    n = 1_000_000
    cd = cen * n
    z64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, len(cd), len(local))
    loc = struct.pack("<4sLQL", b"PK\x06\x07", 0, len(local) + len(cd), 1)
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return local + cd + z64 + loc + eocd


@pytest.mark.parametrize(
    "make",
    [H.million_entries_claimed, H.terabyte_directory, H.terabyte_sizes],
    ids=["million-claimed", "terabyte-directory", "terabyte-sizes"],
)
def test_memory_is_bounded(tmp_path: Path, make: Callable[[], bytes]) -> None:
    p = tmp_path / "big.zip"
    p.write_bytes(make())
    tracemalloc.start()
    try:
        a = ZipArchive.open(p)
        for e in a.entries:
            a.head(e, 1 << 16)
            with contextlib.suppress(ArchiveError):  # terabyte-sizes: 1 TiB declared, 9 bytes held
                a.read(e, 1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 << 20, f"peak {peak / 1e6:.1f} MB"
    a.close()


_PEAK = """
import sys, time
from agentzip.validator.bundle import Bundle
t = time.process_time()
a = Bundle.open(sys.argv[1]).archive
# VmHWM is this program's own peak: ru_maxrss carries a forking parent's size across exec
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) * 1024
print(len(a.entries), len(a.anomalies), time.process_time() - t, hwm, a.anomalies[0].kind)
"""


def test_a_million_real_entries_stop_at_the_cap(tmp_path: Path) -> None:
    # tracemalloc slows 200,000 allocations tenfold: measure the peak of a fresh interpreter instead
    import subprocess
    import sys

    p = tmp_path / "million.zip"
    p.write_bytes(_million_real_entries())
    out = subprocess.run([sys.executable, "-c", _PEAK, str(p)], capture_output=True, text=True, check=True).stdout
    entries, anomalies, seconds, peak, kind = out.split()
    assert int(entries) == reader.MAX_ENTRIES
    # the cap, 20 listed overlaps (all share one local header) and their count
    assert int(anomalies) == 22 and kind == "limit"
    assert float(seconds) < 5.0  # CPU seconds: a loaded machine slows the wall clock, not this
    assert int(peak) < 200 << 20, f"peak RSS {int(peak) / 1e6:.0f} MB"


def test_reading_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    import gc

    data = H.ALL["good"]()
    was_enabled = gc.isenabled()
    try:
        gc.enable()
        a = open_bytes(tmp_path, data)
        assert gc.isenabled() and gc.get_freeze_count() == 0
        # the entries were moved to the oldest generation, not left for young collections to walk
        assert gc.is_tracked(a.entries[0])
        assert any(e is a.entries[0] for e in gc.get_objects(generation=2))
        gc.disable()
        open_bytes(tmp_path, data)
        assert not gc.isenabled()
        gc.enable()
        gc.freeze()  # a caller's own frozen objects stay frozen
        frozen = gc.get_freeze_count()
        open_bytes(tmp_path, data)
        assert gc.get_freeze_count() == frozen and gc.isenabled()
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()
        else:
            gc.disable()
