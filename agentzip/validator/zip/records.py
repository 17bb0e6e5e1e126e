"""Zip record layouts (PKWARE APPNOTE 6.3.x, section 4.3), the entry type and the extra fields we read."""

import mmap
import stat
import struct
import zlib

from agentzip.records import NamedTuple
from agentzip.validator.bundle import BundleFile

# Record layouts. Pad bytes (x) skip the fields nobody reads, so one unpack yields only what is used.
# 4.3.12 central directory file header: signature, creator's system (the high byte of "version made
# by"), flags, method, CRC-32, compressed and uncompressed size, name/extra/comment lengths,
# external attributes, local header offset. Skipped: versions, time, date, disk, internal attributes.
CEN = struct.Struct("<4sxB2xHH4x3L3H4x2L")
# 4.3.7 local file header: signature, flags, method, CRC-32, sizes, name and extra lengths.
LOC = struct.Struct("<4s2xHH4x3L2H")
EOCD = struct.Struct("<4s4H2LH")  # 4.3.16 end of central directory record (+ comment)
LOC64 = struct.Struct("<4sLQL")  # 4.3.15 zip64 end of central directory locator
EOCD64 = struct.Struct("<4sQ2H2L4Q")  # 4.3.14 zip64 end of central directory record
EXTRA = struct.Struct("<2H")  # 4.5.1 extra field header: tag, length
_Q = struct.Struct("<Q")
_L = struct.Struct("<L")

CEN_SIZE = CEN.size  # 46
LOC_SIZE = LOC.size  # 30
EOCD_SIZE = EOCD.size  # 22
LOC64_SIZE = LOC64.size  # 20
EOCD64_SIZE = EOCD64.size  # 56
# The bytes a local header shares with its central record, from the version needed to extract to
# the name length (version, flags, method, time, date, CRC-32, sizes, name length): the local
# header's first 28 bytes are its signature and these, so one compare says the headers agree.
CEN_VERSION_AT = 6
CEN_SHARED_END = 30
EOCD_COMMENT_LEN = 20  # offset of the comment length inside the end record

CEN_SIG = b"PK\x01\x02"
LOC_SIG = b"PK\x03\x04"
EOCD_SIG = b"PK\x05\x06"
LOC64_SIG = b"PK\x06\x07"
EOCD64_SIG = b"PK\x06\x06"
DIGSIG_SIG = b"PK\x05\x05"  # 4.3.13 digital signature: the last record of a central directory
MAX_COMMENT = 0xFFFF
U16 = 0xFFFF
U32 = 0xFFFFFFFF
ZIP64_EXTRA = 0x0001  # 4.5.3
UPATH_EXTRA = 0x7075  # 4.6.9, Info-ZIP Unicode Path

FLAG_ENCRYPTED = 0x1
FLAG_DATA_DESCRIPTOR = 0x8
FLAG_UTF8 = 0x800  # 4.4.4 bit 11, "language encoding flag"
DOS_DIRECTORY = 0x10  # MS-DOS attribute byte: directory

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
_S_IFMT, _S_IFDIR, _S_IFLNK = 0o170000, stat.S_IFDIR, stat.S_IFLNK  # module constants: read per entry

# How an entry's name was decoded (see decode_name).
ASCII = "ascii"
UTF8 = "utf-8"  # flagged
UTF8_UNFLAGGED = "utf-8-unflagged"  # macOS Archive Utility, 7-Zip
CP437 = "cp437"  # not flagged, not UTF-8
INVALID = "invalid"  # flagged, but not UTF-8


Buffer = mmap.mmap | bytes


class Anomaly(NamedTuple):
    """Something wrong with the archive itself: kind is corrupt, differential, overlap or limit."""

    kind: str
    path: str | None
    message: str


class ZipEntry(BundleFile):
    """One central-directory entry, decoded: the bundle's file for it, with the zip's own facts.

    One object per entry serves the reader, the archive rules and every other rule (as the
    BundleFile it is), so a 200,000-entry zip builds 200,000 objects, not twice that.
    """

    __slots__ = (
        "crc",
        "create_system",
        "data_offset",
        "encoding",
        "external_attr",
        "filename",
        "flags",
        "index",
        "local_header_offset",
        "method",
        "overlaps",
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
        hi = external_attr >> 16
        kind = hi & _S_IFMT
        # a trailing '/', the MS-DOS directory attribute, or S_IFDIR in the Unix mode
        if name[-1:] == "/" or external_attr & DOS_DIRECTORY or kind == _S_IFDIR:
            self.path = name.rstrip("/")
            self.is_dir = True
        else:
            self.path = name
            self.is_dir = False
        self.size = file_size
        self.is_symlink = kind == _S_IFLNK
        # st_mode bits from the upper half of external_attr, when the writer put them there
        self.mode = hi if create_system == SYSTEM_UNIX or hi else None
        self.compressed_size = compressed_size
        self.mtime = None  # a folder file's; a member's content is keyed by its CRC
        self.index = index
        self.filename = name  # as stored: directories keep their trailing '/' (path does not)
        self.raw_name = raw_name
        self.encoding = encoding
        self.method = method
        self.flags = flags
        self.crc = crc
        self.create_system = create_system
        self.external_attr = external_attr
        # where the local header really is: the claimed offset plus any data glued in front
        self.local_header_offset = local_header_offset
        # first byte of the member's data; -1 when its local header is missing or unusable
        self.data_offset = data_offset
        # shares bytes with another entry or the central directory: never read (overlapping-entries)
        self.overlaps = False

    compressed_size: int  # narrowed: every zip entry has one

    # Identity, not the dataclass's field equality: two entries with one name are two entries.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return (
            f"ZipEntry({self.index}, {self.filename!r}, method={self.method}, "
            f"size={self.size}, compressed={self.compressed_size})"
        )

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
    """The name as Python's zipfile decodes it, and which encoding that was (ASCII ... INVALID)."""
    if raw.isascii():
        return raw.decode("ascii"), ASCII
    if flags & FLAG_UTF8:
        try:
            return raw.decode("utf-8"), UTF8
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace"), INVALID
    try:
        return raw.decode("utf-8"), UTF8_UNFLAGGED
    except UnicodeDecodeError:
        # APPNOTE appendix D: without bit 11 the name is IBM code page 437
        return raw.decode("cp437"), CP437


def zip64_fields(x: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int] | None:
    """Replace the 0xFFFFFFFF ones of (usize, csize, offset) from a zip64 extra field (4.5.3).

    The field holds only the values whose header slot is 0xFFFFFFFF, in that order.
    """
    pos = 0
    while pos + EXTRA.size <= len(x):
        tag, ln = EXTRA.unpack_from(x, pos)
        body = pos + EXTRA.size
        if tag == ZIP64_EXTRA:
            out = [usize, csize, offset]
            at = body
            for k in range(3):
                if out[k] == U32:
                    if at + _Q.size > body + ln or at + _Q.size > len(x):
                        return None
                    (out[k],) = _Q.unpack_from(x, at)
                    at += _Q.size
            return out[0], out[1], out[2]
        pos = body + ln
    return None


def unicode_path(x: bytes, raw: bytes) -> str | None:
    """The Info-ZIP Unicode Path name, when its CRC matches the header name (4.6.9)."""
    pos = 0
    while pos + EXTRA.size <= len(x):
        tag, ln = EXTRA.unpack_from(x, pos)
        body = pos + EXTRA.size
        # version byte 1, then the CRC-32 of the header name, then the UTF-8 name
        if tag == UPATH_EXTRA and ln >= 5 and body + ln <= len(x) and x[body] == 1:
            (crc,) = _L.unpack_from(x, body + 1)
            if crc != zlib.crc32(raw):
                return None  # stale: the name was changed after the field was written
            try:
                return x[body + 5 : body + ln].decode("utf-8")
            except UnicodeDecodeError:
                return None
        pos = body + ln
    return None


class Listed:
    """Anomalies of one family: the first `cap` in full, the rest as one count."""

    __slots__ = ("cap", "items", "kind", "more", "what")

    def __init__(self, what: str, cap: int) -> None:
        self.what = what
        self.cap = cap
        self.items: list[Anomaly] = []
        self.kind = ""
        self.more = 0

    def add(self, kind: str, path: str | None, message: str) -> None:
        if len(self.items) < self.cap:
            self.items.append(Anomaly(kind, path, message))
            self.kind = kind
        else:
            self.more += 1

    def close(self) -> list[Anomaly]:
        """The listed anomalies and, when some were left out, one that counts them."""
        if self.more:
            return [*self.items, Anomaly(self.kind, None, f"{self.more:,} more {self.what} not listed")]
        return self.items
