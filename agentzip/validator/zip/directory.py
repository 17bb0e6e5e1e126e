"""The end records (EOCD, zip64 locator and record) and the central directory, read in one pass."""

from __future__ import annotations

import struct

from agentzip.validator.zip.consistency import Placement, locate, trailing_data
from agentzip.validator.zip.records import (
    ASCII,
    CEN,
    CEN_SHARED_END,
    CEN_SIG,
    CEN_SIZE,
    CEN_VERSION_AT,
    DIGSIG_SIG,
    EOCD,
    EOCD64,
    EOCD64_SIG,
    EOCD64_SIZE,
    EOCD_COMMENT_LEN,
    EOCD_SIG,
    EOCD_SIZE,
    FLAG_UTF8,
    LOC64,
    LOC64_SIG,
    LOC64_SIZE,
    LOC_SIG,
    LOC_SIZE,
    MAX_COMMENT,
    U16,
    U32,
    Anomaly,
    Buffer,
    Listed,
    ZipEntry,
    decode_name,
    unicode_path,
    zip64_fields,
)

# Hostile archives repeat one problem thousands of times: list this many per family, then count.
MAX_LISTED = 20
# A central record's signature and its name, extra and comment lengths: enough to step over it.
_SIG_AND_LENGTHS = struct.Struct("<4s24x3H")  # 4.3.12: signature, 24 bytes on, the three lengths


# Plain classes, not dataclasses: this module is imported by every check, and building a
# dataclass at import time costs more than these two are worth.
class Directory:
    """What one pass over the end records, the central directory and the local headers found."""

    __slots__ = ("anomalies", "claimed", "comment", "entries", "span")

    def __init__(self) -> None:
        self.entries: list[ZipEntry] = []
        self.anomalies: list[Anomaly] = []
        self.comment = b""
        self.claimed = 0  # entries the end record claims
        self.span = (0, 0)  # where the central directory was read: its bytes fix every entry's facts


class _End:
    """The end record's claims, zip64 values in place where there are some."""

    __slots__ = ("cd_end", "cd_offset", "cd_size", "entries")

    def __init__(self, cd_end: int, entries: int, cd_size: int, cd_offset: int) -> None:
        self.cd_end = cd_end  # where the central directory must stop: the end record, or the zip64 record
        self.entries = entries
        self.cd_size = cd_size
        self.cd_offset = cd_offset


def parse(buf: Buffer, size: int, max_entries: int, max_cd_bytes: int) -> Directory:
    """Read the whole structure without inflating anything; every problem is an anomaly."""
    d = Directory()
    out = d.anomalies
    if size == 0:
        out.append(Anomaly("corrupt", None, "empty file: not a zip archive"))
        return d
    eocd = find_end(buf, size)
    if eocd < 0:
        if buf[:4] == LOC_SIG:
            msg = "truncated: starts like a zip but has no end-of-central-directory record"
        else:
            msg = "not a zip archive: no end-of-central-directory record in the last 65,557 bytes"
        out.append(Anomaly("corrupt", None, msg))
        return d
    end, d.comment = _read_end(buf, size, eocd, out)
    d.claimed = end.entries
    located = locate(buf, size, end.cd_end, end.cd_size, end.cd_offset, end.entries, out)
    if located is None:
        return d
    start, prefix = located
    d.span = (start, end.cd_end)
    reader = _Reader(buf, size, start, end.cd_end, prefix, max_entries, max_cd_bytes, end.entries)
    complete = reader.read(d.entries)
    out += reader.close(d.entries)
    if complete and len(d.entries) != end.entries:
        out.append(
            Anomaly(
                "differential",
                None,
                f"the end record claims {end.entries:,} entries but the central directory holds {len(d.entries):,}",
            )
        )
    out += reader.placement.close()
    return d


def find_end(buf: Buffer, size: int) -> int:
    """The last end record whose comment fits in the file; -1 when there is none."""
    lo = max(0, size - (EOCD_SIZE + MAX_COMMENT))
    pos = buf.rfind(EOCD_SIG, lo)
    while pos >= 0:
        if pos + EOCD_SIZE <= size:
            clen = buf[pos + EOCD_COMMENT_LEN] | buf[pos + EOCD_COMMENT_LEN + 1] << 8
            if pos + EOCD_SIZE + clen <= size:
                return pos
        pos = buf.rfind(EOCD_SIG, lo, pos)
    return -1


def _read_end(buf: Buffer, size: int, eocd: int, out: list[Anomaly]) -> tuple[_End, bytes]:
    """The end record and, when there is one, the zip64 end record it defers to."""
    (_, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, clen) = EOCD.unpack_from(buf, eocd)
    comment = bytes(buf[eocd + EOCD_SIZE : eocd + EOCD_SIZE + clen])
    trailing = trailing_data(size, eocd + EOCD_SIZE, clen)
    if trailing is not None:
        out.append(trailing)
    if disk or cd_disk:
        out.append(Anomaly("differential", None, f"the end record names disk {disk} / {cd_disk}: a split archive"))
    if n_disk != n_total:
        msg = f"the end record counts {n_disk:,} entries on this disk but {n_total:,} in total"
        out.append(Anomaly("differential", None, msg))
    end = _End(eocd, n_total, cd_size, cd_offset)
    wide = _zip64(buf, eocd, out)
    if wide is None:
        return end, comment
    for what, classic, value, sentinel in (
        ("entries", n_total, wide.entries, U16),
        ("central directory size", cd_size, wide.cd_size, U32),
        ("central directory offset", cd_offset, wide.cd_offset, U32),
    ):
        if classic not in (sentinel, value):
            msg = (
                f"the end record gives {what} {classic:,} but the zip64 end record {value:,}: "
                "readers that honour one or the other see different archives"
            )
            out.append(Anomaly("differential", None, msg))
    return wide, comment


def _zip64(buf: Buffer, eocd: int, out: list[Anomaly]) -> _End | None:
    """The zip64 end record's claims, when a locator sits right before the end record."""
    loc = eocd - LOC64_SIZE
    if loc < 0 or buf[loc : loc + 4] != LOC64_SIG:
        return None
    _, _, rec_offset, disks = LOC64.unpack_from(buf, loc)
    if disks > 1:
        out.append(Anomaly("differential", None, f"the zip64 locator says the archive spans {disks} disks"))
    # The record is usually right before the locator; an extensible data sector can push it
    # earlier, so the claimed offset is tried first.
    adjacent = loc - EOCD64_SIZE
    for pos in [rec_offset, adjacent] if rec_offset != adjacent else [rec_offset]:
        if pos >= 0 and pos + EOCD64_SIZE <= loc and buf[pos : pos + 4] == EOCD64_SIG:
            (_, _, _, _, _, _, _, total, cd_size, cd_offset) = EOCD64.unpack_from(buf, pos)
            return _End(pos, total, cd_size, cd_offset)
    msg = f"the zip64 locator points at offset {rec_offset:,}, where there is no zip64 end record"
    out.append(Anomaly("differential", None, msg))
    return None


class _Reader:
    """The central directory, record by record: each unpacked once, its local header checked on the way."""

    def __init__(
        self,
        buf: Buffer,
        size: int,
        start: int,
        cd_end: int,
        prefix: int,
        max_entries: int,
        max_cd_bytes: int,
        claimed: int,
    ) -> None:
        self.buf = buf
        self.claimed = claimed
        self.start = start
        self.cd_end = cd_end
        self.prefix = prefix
        self.max_entries = max_entries
        self.max_cd_bytes = max_cd_bytes
        self.stop = min(cd_end, start + max_cd_bytes)
        self.placement = Placement(buf, size, start, cd_end, MAX_LISTED)
        self.zip64_broken = Listed("entries with a broken zip64 extra field", MAX_LISTED)
        self.upath = Listed("entries whose Unicode Path field names them differently", MAX_LISTED)
        self.ended: list[Anomaly] = []  # why the directory was not read to its end, if it was not

    def read(self, entries: list[ZipEntry]) -> bool:
        """Decode entries until the directory ends or a cap is hit; True when read to its end.

        Each record is unpacked once and its local header checked on the way. The usual case takes
        two slice compares: the local header's signature, version, flags, method, time, date,
        CRC-32, sizes and name length equal to the central record's (one concatenation), then the
        name; the entries in file order, apart, and before the directory. Anything else goes to
        Placement.place, which says what is wrong.
        """
        buf, stop, prefix, cd_start = self.buf, self.stop, self.prefix, self.start
        unpack = CEN.unpack_from
        place = self.placement.place
        append = entries.append
        max_entries = self.max_entries
        reach = 0  # where the data of the last entry placed the usual way ends
        pos = self.start
        i = 0
        while pos < stop:
            if i >= max_entries:
                return self._over_cap(pos)
            if pos + CEN_SIZE > stop:
                return self._stopped(pos, i, pos + CEN_SIZE)
            (sig, system, flags, method, crc, csize, usize, nlen, xlen, clen, ea, offset) = unpack(buf, pos)
            if sig != CEN_SIG:
                return self._bad_signature(pos, i, sig)
            name_at = pos + CEN_SIZE
            end = name_at + nlen + xlen + clen
            if end > stop:
                return self._stopped(pos, i, end)
            raw = buf[name_at : name_at + nlen]
            if raw.isascii():
                name = raw.decode()  # UTF-8, the same for ASCII, without parsing an argument
                encoding = ASCII
            else:
                name, encoding = decode_name(raw, flags)
            plain = csize != U32 and usize != U32
            usable = True
            # the extra field matters for zip64 values and for a Unicode Path beside a non-UTF-8
            # name; the usual one (Info-ZIP's timestamps and uid/gid) is not even sliced
            if not plain or offset == U32 or (xlen and encoding != ASCII and not flags & FLAG_UTF8):
                extra = buf[name_at + nlen : name_at + nlen + xlen]
                usable, usize, csize, offset = self._extras(extra, raw, name, encoding, flags, usize, csize, offset)
            lo = offset + prefix
            at = lo + LOC_SIZE  # the local header's copy of the name
            data = -1  # where the member's data starts: -1 until its local header is found usable
            if (
                usable
                and plain
                and reach <= lo
                and buf[lo : at - 2] == LOC_SIG + buf[pos + CEN_VERSION_AT : pos + CEN_SHARED_END]
                and buf[at : at + nlen] == raw
            ):
                data = at + nlen + (buf[at - 2] | buf[at - 1] << 8)  # after the local extra field
                if data + csize <= cd_start:
                    reach = data + csize
                else:
                    data = -1
            e = ZipEntry(i, name, raw, encoding, csize, usize, method, flags, crc, system, ea, lo, data)
            append(e)
            if usable and data < 0:
                place(e)
            pos = end
            i += 1
        return pos >= self.cd_end or self._stopped(pos, i, pos)

    def _extras(
        self, x: bytes, raw: bytes, name: str, encoding: str, flags: int, usize: int, csize: int, offset: int
    ) -> tuple[bool, int, int, int]:
        """(usable, sizes and offset) after the zip64 field; a Unicode Path naming another file is noted."""
        usable = True
        if usize == U32 or csize == U32 or offset == U32:
            wide = zip64_fields(x, usize, csize, offset) if x else None
            if wide is None:
                what = "the zip64 extra field is missing or short" if x else "there is no zip64 extra field"
                self.zip64_broken.add("corrupt", name, f"sizes or offset are 0xFFFFFFFF but {what}")
                usable = False
            else:
                usize, csize, offset = wide
        if x and not flags & FLAG_UTF8 and encoding != ASCII:
            other = unicode_path(x, raw)
            if other is not None and other != name:
                self.upath.add(
                    "differential",
                    name,
                    f"the Unicode Path extra field names this entry {other!r}: Info-ZIP "
                    "unzip uses that name, Python's zipfile the header's",
                )
        return usable, usize, csize, offset

    def _over_cap(self, pos: int) -> bool:
        """More entries than the cap: say how many, from the end record or counted past the cap."""
        n = self.claimed
        if n > self.max_entries:
            count = f"its end record counts {n:,} entries"
        else:  # the end record says fewer (a 16-bit count that wrapped, or a lie): count the rest
            buf, stop, n = self.buf, self.stop, self.max_entries
            while pos + CEN_SIZE <= stop:
                sig, nlen, xlen, clen = _SIG_AND_LENGTHS.unpack_from(buf, pos)
                if sig != CEN_SIG:
                    break
                pos += CEN_SIZE + nlen + xlen + clen
                n += 1
            # counting stops at max_cd_bytes too: past it, say "more than"
            more = "more than " if stop < self.cd_end and pos + CEN_SIZE > stop else ""
            count = f"the central directory holds {more}{n:,} entries"
        self.ended.append(
            Anomaly(
                "limit",
                None,
                f"{count}, more than the {self.max_entries:,} this check reads: "
                f"only the first {self.max_entries:,} were checked",
            )
        )
        return False

    def _stopped(self, pos: int, i: int, end: int) -> bool:
        """A record that runs past the directory's end (corrupt), or past max_cd_bytes (a limit)."""
        if end > self.cd_end:
            msg = (
                f"central-directory entry {i} at offset {pos:,} runs past the end of the "
                f"directory; the {i:,} entries before it were checked"
            )
            self.ended.append(Anomaly("corrupt", None, msg))
        else:
            msg = (
                f"the central directory is {self.cd_end - self.start:,} bytes, more than the "
                f"{self.max_cd_bytes:,} this check reads: only the first {i:,} entries were checked"
            )
            self.ended.append(Anomaly("limit", None, msg))
        return False

    def _bad_signature(self, pos: int, i: int, sig: bytes) -> bool:
        if sig == DIGSIG_SIG:
            return True
        self.ended.append(
            Anomaly(
                "corrupt",
                None,
                f"central-directory entry {i} at offset {pos:,} has a bad signature; the "
                f"{i:,} entries before it were checked",
            )
        )
        return False

    def close(self, entries: list[ZipEntry]) -> list[Anomaly]:
        """The directory's anomalies, after the overlap sweep has marked what overlaps."""
        self.placement.sweep(entries)
        return [*self.zip64_broken.close(), *self.upath.close(), *self.ended]
