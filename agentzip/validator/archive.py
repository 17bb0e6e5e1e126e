"""Read-only, hardened zip reader: one hostile entry is one anomaly, never an exception for the archive."""

from __future__ import annotations

import mmap
import os
import stat
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Union

from agentzip.errors import ArchiveError

# Caps: a central directory that claims more is read this far and said to be cut short.
MAX_ENTRIES = 200_000
MAX_CD_BYTES = 64 << 20
# Hostile archives repeat one problem thousands of times: list this many per family, then count.
MAX_LISTED = 20
# Without mmap (a file system that refuses it) the file is read into memory, up to this size.
MAX_UNMAPPED = 512 << 20

# Record layouts from PKWARE's APPNOTE.TXT 6.3.x, section 4.3.
_EOCD = struct.Struct("<4s4H2LH")  # 4.3.16: end of central directory record, 22 bytes + comment
_LOC64 = struct.Struct("<4sLQL")  # 4.3.15: zip64 end of central directory locator, 20 bytes
_EOCD64 = struct.Struct("<4sQ2H2L4Q")  # 4.3.14: zip64 end of central directory record, 56 bytes
_CEN = struct.Struct("<4s4B4H3L5H2L")  # 4.3.12: central directory file header, 46 bytes
_LOC = struct.Struct("<4s2B4H3L2H")  # 4.3.7: local file header, 30 bytes
_EXTRA = struct.Struct("<2H")
_Q = struct.Struct("<Q")
_EOCD_SIG = b"PK\x05\x06"
_LOC64_SIG = b"PK\x06\x07"
_EOCD64_SIG = b"PK\x06\x06"
_CEN_SIG = b"PK\x01\x02"
_LOC_SIG = b"PK\x03\x04"
_DIGSIG_SIG = b"PK\x05\x05"  # 4.3.13: digital signature, the last record of a central directory
_MAX_COMMENT = 0xFFFF
_U16 = 0xFFFF
_U32 = 0xFFFFFFFF
_ZIP64_EXTRA = 0x0001  # 4.5.3
_UPATH_EXTRA = 0x7075  # 4.6.9, Info-ZIP Unicode Path

FLAG_ENCRYPTED = 0x1
FLAG_DATA_DESCRIPTOR = 0x8
FLAG_UTF8 = 0x800  # 4.4.4 bit 11, "language encoding flag"

STORED = 0
DEFLATED = 8
# 4.4.5; 9 is what Windows Explorer's "Send to compressed folder" writes for large inputs.
METHOD_NAMES = {
    0: "stored",
    1: "shrunk",
    2: "reduced",
    3: "reduced",
    4: "reduced",
    5: "reduced",
    6: "imploded",
    8: "deflate",
    9: "Deflate64",
    10: "PKWARE DCL imploded",
    12: "bzip2",
    14: "LZMA",
    18: "IBM TERSE",
    19: "IBM LZ77",
    93: "Zstandard",
    94: "MP3",
    95: "xz",
    96: "JPEG",
    97: "WavPack",
    98: "PPMd",
    99: "WinZip AES",
}
SYSTEM_UNIX = 3

_IN_CHUNK = 64 << 10
_Buffer = Union[mmap.mmap, bytes]


@dataclass(frozen=True, slots=True)
class Anomaly:
    """Something wrong with the archive itself: kind is corrupt, differential or overlap."""

    kind: str
    path: str | None
    message: str


class ZipEntry:
    """One central-directory entry, decoded. Slotted: a bundle can hold 200,000 of them."""

    __slots__ = (
        "compressed_size",
        "crc",
        "create_system",
        "data_offset",
        "encoding",
        "external_attr",
        "file_size",
        "flags",
        "index",
        "local_header_offset",
        "method",
        "name",
        "raw_name",
    )

    def __init__(
        self,
        index: int,
        name: str,
        raw_name: bytes,
        encoding: str,
        compressed_size: int,
        file_size: int,
        method: int,
        flags: int,
        crc: int,
        create_system: int,
        external_attr: int,
        local_header_offset: int,
        data_offset: int = -1,
    ) -> None:
        self.index = index
        self.name = name
        self.raw_name = raw_name
        # ascii | utf-8 (flagged) | utf-8-unflagged (macOS, 7-Zip) | cp437 | invalid (flagged, not UTF-8)
        self.encoding = encoding
        self.compressed_size = compressed_size
        self.file_size = file_size
        self.method = method
        self.flags = flags
        self.crc = crc
        self.create_system = create_system
        self.external_attr = external_attr
        # where the local header really is: the claimed offset plus any data glued in front
        self.local_header_offset = local_header_offset
        # first byte of the member's data; -1 when its local header is missing or unusable
        self.data_offset = data_offset

    def __repr__(self) -> str:
        return (
            f"ZipEntry({self.index}, {self.name!r}, method={self.method}, "
            f"size={self.file_size}, compressed={self.compressed_size})"
        )

    @property
    def unix_mode(self) -> int | None:
        """st_mode bits from the upper half of external_attr, when the writer put them there."""
        hi = self.external_attr >> 16
        if self.create_system == SYSTEM_UNIX or hi:
            return hi
        return None

    # is_dir and is_symlink run once per entry in several places: plain bit tests, no unix_mode call.
    # When unix_mode is None the upper half is 0, so the S_IFMT tests below are False there too.
    @property
    def is_dir(self) -> bool:
        ea = self.external_attr
        # MS-DOS directory attribute, or S_IFDIR in the Unix mode
        return self.name[-1:] == "/" or bool(ea & 0x10) or (ea >> 16) & 0o170000 == stat.S_IFDIR

    @property
    def is_symlink(self) -> bool:
        return (self.external_attr >> 16) & 0o170000 == stat.S_IFLNK

    @property
    def is_encrypted(self) -> bool:
        return bool(self.flags & FLAG_ENCRYPTED)

    @property
    def has_data_descriptor(self) -> bool:
        return bool(self.flags & FLAG_DATA_DESCRIPTOR)

    @property
    def method_name(self) -> str:
        return METHOD_NAMES.get(self.method, f"method {self.method}")


def decode_name(raw: bytes, flags: int) -> tuple[str, str]:
    """The name as Python's zipfile decodes it, and which encoding that was (see ZipEntry)."""
    if raw.isascii():
        return raw.decode("ascii"), "ascii"
    if flags & FLAG_UTF8:
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace"), "invalid"
    try:
        return raw.decode("utf-8"), "utf-8-unflagged"
    except UnicodeDecodeError:
        # APPNOTE appendix D: without bit 11 the name is IBM code page 437
        return raw.decode("cp437"), "cp437"


class _Listed:
    """Anomalies of one family: the first MAX_LISTED in full, the rest as one count."""

    def __init__(self, out: list[Anomaly], what: str) -> None:
        self.out = out
        self.what = what
        self.kind = ""
        self.listed = 0
        self.more = 0

    def add(self, kind: str, path: str | None, message: str) -> None:
        if self.listed < MAX_LISTED:
            self.out.append(Anomaly(kind, path, message))
            self.listed += 1
            self.kind = kind
        else:
            self.more += 1

    def close(self) -> None:
        if self.more:
            self.out.append(Anomaly(self.kind, None, f"{self.more:,} more {self.what} not listed"))


class ZipArchive:
    """A zip opened read-only: entries and anomalies up front, member data on demand."""

    def __init__(
        self,
        path: str,
        size: int,
        buf: _Buffer,
        entries: list[ZipEntry],
        anomalies: list[Anomaly],
        comment: bytes,
        claimed_entries: int,
    ) -> None:
        self.path = path
        self.size = size
        self._buf = buf
        self.entries = entries
        self.anomalies = anomalies
        self.comment = comment
        self.claimed_entries = claimed_entries

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        max_entries: int = MAX_ENTRIES,
        max_cd_bytes: int = MAX_CD_BYTES,
    ) -> ZipArchive:
        """Parse the end record, the central directory and every local header; never raises."""
        spath = os.fspath(path)
        try:
            buf, size = _map(spath)
        except OSError as exc:
            msg = f"cannot read the file: {exc.strerror or exc}"
            return cls(spath, 0, b"", [], [Anomaly("corrupt", None, msg)], b"", 0)
        p = _Parser(buf, size, max_entries, max_cd_bytes)
        p.parse()
        return cls(spath, size, buf, p.entries, p.anomalies, p.comment, p.claimed)

    def close(self) -> None:
        if isinstance(self._buf, mmap.mmap):
            self._buf.close()

    def __enter__(self) -> ZipArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- member data ---------------------------------------------------------------------------

    def head(self, entry: ZipEntry, n: int) -> bytes:
        """The first n uncompressed bytes; decompresses no further than that."""
        start, end = self._data_range(entry)
        if n <= 0:
            return b""
        buf = self._buf
        if entry.method == STORED:
            return bytes(buf[start : min(end, start + n)])
        d = zlib.decompressobj(-15)
        out: list[bytes] = []
        got = 0
        pos = start
        try:
            while got < n and not d.eof:
                data = d.unconsumed_tail
                if not data and pos < end:
                    data = buf[pos : min(end, pos + _IN_CHUNK)]
                    pos += len(data)
                piece = d.decompress(data, n - got)
                if not piece and not data:
                    raise ArchiveError(f"{entry.name}: compressed data ends early (truncated member)")
                out.append(piece)
                got += len(piece)
        except zlib.error as exc:
            raise ArchiveError(f"{entry.name}: corrupt deflate data ({exc})") from None
        return b"".join(out)

    def read(self, entry: ZipEntry, limit: int) -> bytes:
        """The whole member, CRC-checked; ArchiveError as soon as it grows past `limit` bytes."""
        return b"".join(self._stream(entry, 1 << 20, limit))

    def iter_chunks(self, entry: ZipEntry, chunk: int = 1 << 20) -> Iterator[bytes]:
        """The whole member in pieces of at most `chunk` bytes, never more than it declares."""
        return self._stream(entry, chunk, None)

    def _data_range(self, entry: ZipEntry) -> tuple[int, int]:
        if entry.is_encrypted:
            raise ArchiveError(f"{entry.name}: encrypted (flag bit 0); it cannot be read without the password")
        if entry.method not in (STORED, DEFLATED):
            raise ArchiveError(f"{entry.name}: unsupported compression method {entry.method} ({entry.method_name})")
        if entry.data_offset < 0:
            raise ArchiveError(f"{entry.name}: no usable local header at offset {entry.local_header_offset}")
        end = entry.data_offset + entry.compressed_size
        if end > self.size:
            raise ArchiveError(f"{entry.name}: data runs past the end of the file (truncated archive)")
        return entry.data_offset, end

    def _stream(self, entry: ZipEntry, chunk: int, limit: int | None) -> Iterator[bytes]:
        start, end = self._data_range(entry)
        buf = self._buf
        chunk = max(1, chunk)
        # The declared size is a claim, not a budget: it caps the output so a member that lies
        # about its size (a bomb) stops at the lie instead of inflating without bound.
        cap = entry.file_size if limit is None else min(limit, entry.file_size)
        crc = 0
        total = 0

        def check(piece: bytes) -> None:
            nonlocal crc, total
            total += len(piece)
            if total > cap:
                if limit is not None and total > limit:
                    raise ArchiveError(f"{entry.name}: larger than the {limit:,}-byte limit")
                raise ArchiveError(f"{entry.name}: more data than the {entry.file_size:,} bytes it declares")
            crc = zlib.crc32(piece, crc)

        if entry.method == STORED:
            for pos in range(start, end, chunk):
                piece = buf[pos : min(end, pos + chunk)]
                check(piece)
                yield piece
        else:
            d = zlib.decompressobj(-15)
            pos = start
            while not d.eof:
                data = d.unconsumed_tail
                if not data and pos < end:
                    data = buf[pos : min(end, pos + _IN_CHUNK)]
                    pos += len(data)
                try:
                    piece = d.decompress(data, chunk)
                except zlib.error as exc:
                    raise ArchiveError(f"{entry.name}: corrupt deflate data ({exc})") from None
                if not piece:
                    if not data:
                        raise ArchiveError(f"{entry.name}: compressed data ends early (truncated member)")
                    continue
                check(piece)
                yield piece
        if total != entry.file_size:
            raise ArchiveError(f"{entry.name}: {total:,} bytes of data, but it declares {entry.file_size:,}")
        if crc != entry.crc:
            raise ArchiveError(f"{entry.name}: CRC-32 mismatch (corrupt data)")


def _map(path: str) -> tuple[_Buffer, int]:
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return b"", 0
        try:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ), size
        except (OSError, ValueError):
            if size > MAX_UNMAPPED:
                raise OSError(f"cannot map a {size:,}-byte file into memory") from None
            data = fh.read()
            return data, len(data)


class _Parser:
    """One pass over the end records, the central directory and the local headers."""

    def __init__(self, buf: _Buffer, size: int, max_entries: int, max_cd_bytes: int) -> None:
        self.buf = buf
        self.size = size
        self.max_entries = max_entries
        self.max_cd_bytes = max_cd_bytes
        self.entries: list[ZipEntry] = []
        self.anomalies: list[Anomaly] = []
        self.comment = b""
        self.claimed = 0

    def add(self, kind: str, path: str | None, message: str) -> None:
        self.anomalies.append(Anomaly(kind, path, message))

    def parse(self) -> None:
        buf, size = self.buf, self.size
        if size == 0:
            self.add("corrupt", None, "empty file: not a zip archive")
            return
        eocd = self._find_end()
        if eocd < 0:
            if buf[:4] == _LOC_SIG:
                self.add("corrupt", None, "truncated: starts like a zip but has no end-of-central-directory record")
            else:
                self.add(
                    "corrupt",
                    None,
                    "not a zip archive: no end-of-central-directory record in the last 65,557 bytes",
                )
            return
        (_, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, clen) = _EOCD.unpack_from(buf, eocd)
        self.comment = bytes(buf[eocd + 22 : eocd + 22 + clen])
        trailing = size - (eocd + 22 + clen)
        if trailing:
            self.add(
                "differential",
                None,
                f"{trailing:,} bytes of data after the end record's comment: readers that search "
                "for the end record differently see different archives",
            )
        if disk or cd_disk:
            self.add("differential", None, f"the end record names disk {disk} / {cd_disk}: a split archive")
        if n_disk != n_total:
            self.add(
                "differential",
                None,
                f"the end record counts {n_disk:,} entries on this disk but {n_total:,} in total",
            )
        cd_end = eocd
        z64 = self._zip64(eocd)
        if z64 is not None:
            cd_end, z_total, z_size, z_offset = z64
            for what, classic, wide, sentinel in (
                ("entries", n_total, z_total, _U16),
                ("central directory size", cd_size, z_size, _U32),
                ("central directory offset", cd_offset, z_offset, _U32),
            ):
                if classic != sentinel and classic != wide:
                    self.add(
                        "differential",
                        None,
                        f"the end record gives {what} {classic:,} but the zip64 end record {wide:,}: "
                        "readers that honour one or the other see different archives",
                    )
            n_total, cd_size, cd_offset = z_total, z_size, z_offset
        self.claimed = n_total
        located = self._locate_directory(cd_end, cd_size, cd_offset, n_total)
        if located is None:
            return
        start, prefix = located
        complete = self._read_directory(start, cd_end, prefix)
        if complete and len(self.entries) != n_total:
            self.add(
                "differential",
                None,
                f"the end record claims {n_total:,} entries but the central directory holds {len(self.entries):,}",
            )
        self._check_local_headers()
        self._check_overlaps(start, cd_end)

    def _find_end(self) -> int:
        """The last end record whose comment fits in the file; -1 when there is none."""
        buf, size = self.buf, self.size
        lo = max(0, size - (_EOCD.size + _MAX_COMMENT))
        pos = buf.rfind(_EOCD_SIG, lo)
        while pos >= 0:
            if pos + _EOCD.size <= size:
                (clen,) = struct.unpack_from("<H", buf, pos + 20)
                if pos + _EOCD.size + clen <= size:
                    return pos
            pos = buf.rfind(_EOCD_SIG, lo, pos)
        return -1

    def _zip64(self, eocd: int) -> tuple[int, int, int, int] | None:
        """(record offset, entries, cd size, cd offset) from the zip64 end record, if there is one."""
        buf = self.buf
        loc = eocd - _LOC64.size
        if loc < 0 or buf[loc : loc + 4] != _LOC64_SIG:
            return None
        _, _, rec_offset, disks = _LOC64.unpack_from(buf, loc)
        if disks > 1:
            self.add("differential", None, f"the zip64 locator says the archive spans {disks} disks")
        # The record is usually right before the locator; an extensible data sector can push it
        # earlier, so the claimed offset is tried first.
        adjacent = loc - _EOCD64.size
        candidates = [rec_offset, adjacent] if rec_offset != adjacent else [rec_offset]
        for pos in candidates:
            if pos >= 0 and pos + _EOCD64.size <= loc and buf[pos : pos + 4] == _EOCD64_SIG:
                (_, _, _, _, _, _, _, total, cd_size, cd_offset) = _EOCD64.unpack_from(buf, pos)
                return pos, total, cd_size, cd_offset
        self.add(
            "differential",
            None,
            f"the zip64 locator points at offset {rec_offset:,}, where there is no zip64 end record",
        )
        return None

    def _locate_directory(self, cd_end: int, cd_size: int, cd_offset: int, claimed: int) -> tuple[int, int] | None:
        """(where the central directory starts, bytes glued in front of the archive)."""
        buf = self.buf

        def is_cd(pos: int) -> bool:
            return pos >= 0 and pos + 4 <= cd_end and buf[pos : pos + 4] == _CEN_SIG

        start = cd_end - cd_size
        prefix = start - cd_offset
        if prefix == 0 and (is_cd(start) or (cd_size == 0 and claimed == 0)):
            return start, 0
        if cd_offset < cd_end and is_cd(cd_offset):
            self.add(
                "differential",
                None,
                f"the end record says the central directory is {cd_size:,} bytes at offset "
                f"{cd_offset:,}, but it runs {cd_end - cd_offset:,} bytes to the end record",
            )
            return cd_offset, 0
        if start >= 0 and (is_cd(start) or (cd_size == 0 and claimed == 0)):
            if prefix > 0:
                self.add(
                    "differential",
                    None,
                    f"{prefix:,} bytes of data before the archive (a self-extractor stub or a file "
                    "glued in front): offsets in the archive are off by that much",
                )
            else:
                self.add(
                    "differential",
                    None,
                    f"the end record puts the central directory at offset {cd_offset:,}, "
                    f"{-prefix:,} bytes after where it is",
                )
            return start, prefix
        if cd_size > cd_end or cd_offset + cd_size > self.size:
            self.add(
                "corrupt",
                None,
                f"truncated: the central directory ({cd_size:,} bytes at offset {cd_offset:,}) "
                f"runs past the end of the {self.size:,}-byte file",
            )
        else:
            self.add("corrupt", None, f"no central directory at offset {cd_offset:,}, where the end record puts it")
        return None

    def _read_directory(self, start: int, cd_end: int, prefix: int) -> bool:
        """Decode entries until the directory ends or a cap is hit; True when read to its end."""
        buf = self.buf
        entries = self.entries
        stop = min(cd_end, start + self.max_cd_bytes)
        max_entries = self.max_entries
        unpack = _CEN.unpack_from
        zip64_broken = _Listed(self.anomalies, "entries with a broken zip64 extra field")
        upath = _Listed(self.anomalies, "entries whose Unicode Path field names them differently")
        pos = start
        i = 0
        complete = cut = False
        while True:
            if pos >= stop:
                complete = pos >= cd_end
                cut = not complete
                break
            if i >= max_entries:
                self.add(
                    "corrupt",
                    None,
                    f"the central directory holds more than {max_entries:,} entries; only the first "
                    f"{max_entries:,} were checked",
                )
                break
            if pos + 46 > cd_end:
                self.add(
                    "corrupt",
                    None,
                    f"central-directory entry {i} at offset {pos:,} runs past the end of the "
                    f"directory; the {i:,} entries before it were checked",
                )
                break
            if pos + 46 > stop:
                cut = True
                break
            (
                sig,
                _,
                create_system,
                _,
                _,
                flags,
                method,
                _,
                _,
                crc,
                csize,
                usize,
                nlen,
                xlen,
                clen,
                _,
                _,
                external_attr,
                offset,
            ) = unpack(buf, pos)
            if sig != _CEN_SIG:
                if sig == _DIGSIG_SIG:
                    complete = True
                    break
                self.add(
                    "corrupt",
                    None,
                    f"central-directory entry {i} at offset {pos:,} has a bad signature; the "
                    f"{i:,} entries before it were checked",
                )
                break
            name_at = pos + 46
            end = name_at + nlen + xlen + clen
            if end > cd_end:
                self.add(
                    "corrupt",
                    None,
                    f"central-directory entry {i} at offset {pos:,} runs past the end of the "
                    f"directory; the {i:,} entries before it were checked",
                )
                break
            if end > stop:
                cut = True
                break
            raw = buf[name_at : name_at + nlen]
            name, encoding = decode_name(raw, flags)
            usable = True
            if xlen:
                x = buf[name_at + nlen : name_at + nlen + xlen]
                if usize == _U32 or csize == _U32 or offset == _U32:
                    wide = _zip64_fields(x, usize, csize, offset)
                    if wide is None:
                        zip64_broken.add(
                            "corrupt",
                            name,
                            "sizes or offset are 0xFFFFFFFF but the zip64 extra field is missing or short",
                        )
                        usable = False
                    else:
                        usize, csize, offset = wide
                if not flags & FLAG_UTF8 and encoding != "ascii":
                    other = _unicode_path(x, raw)
                    if other is not None and other != name:
                        upath.add(
                            "differential",
                            name,
                            f"the Unicode Path extra field names this entry {other!r}: Info-ZIP "
                            "unzip uses that name, Python's zipfile the header's",
                        )
            elif usize == _U32 or csize == _U32 or offset == _U32:
                zip64_broken.add("corrupt", name, "sizes or offset are 0xFFFFFFFF but there is no zip64 extra field")
                usable = False
            entry = ZipEntry(
                i,
                name,
                raw,
                encoding,
                csize,
                usize,
                method,
                flags,
                crc,
                create_system,
                external_attr,
                offset + prefix,
            )
            if not usable:
                entry.data_offset = -2  # not -1: tells _check_local_headers to skip it silently
            entries.append(entry)
            pos = end
            i += 1
        if cut:
            self.add(
                "corrupt",
                None,
                f"the central directory is {cd_end - start:,} bytes, more than the "
                f"{self.max_cd_bytes:,} read; only the first {i:,} entries were checked",
            )
        zip64_broken.close()
        upath.close()
        return complete

    def _check_local_headers(self) -> None:
        """Compare each local header with its central-directory entry; note where data starts."""
        buf, size = self.buf, self.size
        unpack = _LOC.unpack_from
        listed = _Listed(self.anomalies, "entries whose local header is missing or disagrees")
        for e in self.entries:
            if e.data_offset == -2:
                e.data_offset = -1
                continue
            off = e.local_header_offset
            if off < 0 or off + 30 > size:
                listed.add("corrupt", e.name, f"local header offset {off:,} is outside the {size:,}-byte file")
                continue
            (sig, _, _, flags, method, _, _, crc, csize, usize, nlen, xlen) = unpack(buf, off)
            if sig != _LOC_SIG:
                listed.add(
                    "differential",
                    e.name,
                    f"no local header at offset {off:,} where the central directory points",
                )
                continue
            data = off + 30 + nlen + xlen
            problems = []
            if nlen != len(e.raw_name) or buf[off + 30 : off + 30 + nlen] != e.raw_name:
                local = buf[off + 30 : off + 30 + nlen].decode("utf-8", "replace")
                problems.append(f"name {local!r}")
            if method != e.method:
                problems.append(f"method {method} (central directory: {e.method})")
            if (flags ^ e.flags) & FLAG_ENCRYPTED:
                problems.append("encryption flag")
            if not e.flags & FLAG_DATA_DESCRIPTOR:
                if (csize == _U32 or usize == _U32) and xlen:
                    # 4.5.3: a local zip64 field carries both sizes, uncompressed first
                    wide = _zip64_fields(buf[off + 30 + nlen : data], _U32, _U32, 0)
                    if wide is not None:
                        usize, csize, _ = wide
                if (crc, csize, usize) != (e.crc, e.compressed_size, e.file_size):
                    problems.append(
                        f"CRC/sizes {crc:08x}/{csize:,}/{usize:,} (central directory: "
                        f"{e.crc:08x}/{e.compressed_size:,}/{e.file_size:,})"
                    )
            if problems:
                listed.add(
                    "differential",
                    e.name,
                    "the local header disagrees with the central directory: " + ", ".join(problems),
                )
            if data > size:
                listed.add("corrupt", e.name, f"local header at offset {off:,} runs past the end of the file")
                continue
            e.data_offset = data
        listed.close()

    def _check_overlaps(self, cd_start: int, cd_end: int) -> None:
        """Entries sharing bytes (David Fifield's "better zip bomb") or reaching into the directory."""
        size = self.size
        spans: list[tuple[int, int, int]] = []
        past_end = _Listed(self.anomalies, "entries whose data runs past the end of the file")
        into_cd = _Listed(self.anomalies, "entries overlapping the central directory")
        for e in self.entries:
            if e.data_offset < 0:
                continue
            start, end = e.local_header_offset, e.data_offset + e.compressed_size
            if end > size:
                past_end.add("corrupt", e.name, f"its {e.compressed_size:,} bytes of data run past the end of the file")
                continue
            if start < cd_end and end > cd_start:
                into_cd.add(
                    "overlap",
                    e.name,
                    f"bytes {start:,}-{end:,} overlap the central directory at {cd_start:,}-{cd_end:,}",
                )
            spans.append((start, end, e.index))
        past_end.close()
        into_cd.close()
        spans.sort()
        pairs = _Listed(self.anomalies, "overlapping entries")
        entries = self.entries
        reach, holder = -1, -1
        for start, end, idx in spans:
            if start < reach:
                a, b = entries[holder], entries[idx]
                pairs.add(
                    "overlap",
                    b.name,
                    f"shares bytes {start:,}-{min(end, reach):,} with {a.name!r}: entries that "
                    "overlap are how zip bombs multiply one compressed kernel",
                )
            if end > reach:
                reach, holder = end, idx
        pairs.close()


def _zip64_fields(x: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int] | None:
    """Replace the 0xFFFFFFFF ones of (usize, csize, offset) from a zip64 extra field (4.5.3).

    The field holds only the values whose header slot is 0xFFFFFFFF, in that order.
    """
    pos = 0
    while pos + 4 <= len(x):
        tag, ln = _EXTRA.unpack_from(x, pos)
        body = pos + 4
        if tag == _ZIP64_EXTRA:
            out = [usize, csize, offset]
            at = body
            for k in range(3):
                if out[k] == _U32:
                    if at + 8 > body + ln or at + 8 > len(x):
                        return None
                    (out[k],) = _Q.unpack_from(x, at)
                    at += 8
            return out[0], out[1], out[2]
        pos = body + ln
    return None


def _unicode_path(x: bytes, raw: bytes) -> str | None:
    """The Info-ZIP Unicode Path name, when its CRC matches the header name (4.6.9)."""
    pos = 0
    while pos + 4 <= len(x):
        tag, ln = _EXTRA.unpack_from(x, pos)
        body = pos + 4
        if tag == _UPATH_EXTRA and ln >= 5 and body + ln <= len(x) and x[body] == 1:
            (crc,) = struct.unpack_from("<L", x, body + 1)
            if crc != zlib.crc32(raw):
                return None  # stale: the name was changed after the field was written
            try:
                return x[body + 5 : body + ln].decode("utf-8")
            except UnicodeDecodeError:
                return None
        pos = body + ln
    return None
