"""ZipArchive: a zip opened read-only, its structure read up front, member data inflated on demand."""

from __future__ import annotations

import gc
import mmap
import os
import zlib
from collections.abc import Iterator
from functools import cached_property

from agentzip.errors import ArchiveError
from agentzip.validator.zip.directory import Directory, parse
from agentzip.validator.zip.records import DEFLATED, STORED, Anomaly, Buffer, ZipEntry

# Caps: a central directory that holds more is read this far, and the finding says how many there
# are. An entry costs about 500 bytes decoded and 700 through a whole check, so 200,000 entries
# stay under 200 MB (a million would take 700 MB); tests/test_archive_reader.py measures the peak.
MAX_ENTRIES = 200_000
# 64 MiB of central directory: over 1.4 million minimal records, far past MAX_ENTRIES, so real
# archives meet the entry cap first; this one bounds the bytes walked while counting past it.
MAX_CD_BYTES = 64 << 20
# Member bytes one check may produce (inflated or stored), over all reads. Real bundles read 1-35 MB
# (heads, metadata, sources); every reader has its own per-file cap, and this bounds their sum.
READ_BUDGET = 256 << 20
# Without mmap (a file system that refuses it) the file is read into memory, up to this size.
MAX_UNMAPPED = 512 << 20
# Compressed bytes handed to zlib at a time.
_IN_CHUNK = 64 << 10
_CHUNK = 1 << 20


class ZipArchive:
    """A zip opened read-only: entries and anomalies up front, member data on demand."""

    def __init__(
        self,
        path: str,
        size: int,
        buf: Buffer,
        entries: list[ZipEntry],
        anomalies: list[Anomaly],
        comment: bytes = b"",
        claimed_entries: int = 0,
        read_budget: int = READ_BUDGET,
    ) -> None:
        self.path = path
        self.size = size
        self._buf = buf
        self.entries = entries
        self.anomalies = anomalies
        self.comment = comment
        self.claimed_entries = claimed_entries
        self.read_budget = read_budget
        self.bytes_read = 0  # member bytes produced so far, counted against read_budget
        self.directory_span = (0, 0)  # the central directory's bytes, as parse() read them

    @cached_property
    def filenames(self) -> list[str]:
        """Every entry's name as stored, in directory order: built once for the rules that scan names."""
        return [e.filename for e in self.entries]

    @cached_property
    def names_text(self) -> str:
        """The names, each after a newline: one string for scans in C (`"\\n/" in`, isascii) over all."""
        return "\n" + "\n".join(self.filenames)

    def directory_digest(self) -> str | None:
        """A digest of the central directory as read: every entry's name, flags, sizes, CRC and
        attributes in one C call (what a cache of per-entry facts needs); None when there was none."""
        start, end = self.directory_span
        if end <= start or not self.entries:
            return None
        import hashlib

        return hashlib.blake2b(self._buf[start:end], digest_size=16).hexdigest()

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        max_entries: int | None = None,
        max_cd_bytes: int | None = None,
        read_budget: int | None = None,
    ) -> ZipArchive:
        """Parse the end record, the central directory and every local header; never raises.

        The caps default to this module's MAX_ENTRIES, MAX_CD_BYTES and READ_BUDGET.
        """
        max_entries = MAX_ENTRIES if max_entries is None else max_entries
        max_cd_bytes = MAX_CD_BYTES if max_cd_bytes is None else max_cd_bytes
        read_budget = READ_BUDGET if read_budget is None else read_budget
        spath = os.fspath(path)
        try:
            buf, size = _map(spath)
        except OSError as exc:
            msg = f"cannot read the file: {exc.strerror or exc}"
            return cls(spath, 0, b"", [], [Anomaly("corrupt", None, msg)])
        d = _parse_uncollected(buf, size, max_entries, max_cd_bytes)
        archive = cls(spath, size, buf, d.entries, d.anomalies, d.comment, d.claimed, read_budget)
        archive.directory_span = d.span
        return archive

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
        pieces = self._pieces(entry, max(n, 1), max(n, 0))
        return b"".join(pieces)

    def read(self, entry: ZipEntry, limit: int) -> bytes:
        """The whole member, CRC-checked; ArchiveError as soon as it grows past `limit` bytes."""
        return b"".join(self._checked(entry, _CHUNK, limit))

    def iter_chunks(self, entry: ZipEntry, chunk: int = _CHUNK) -> Iterator[bytes]:
        """The whole member in pieces of at most `chunk` bytes, never more than it declares."""
        return self._checked(entry, chunk, None)

    def _checked(self, entry: ZipEntry, chunk: int, limit: int | None) -> Iterator[bytes]:
        """All of the member, checked against its declared size and CRC-32 and against `limit`."""
        # The declared size is a claim, not a budget: it caps the output so a member that lies
        # about its size (a bomb) stops at the lie instead of inflating without bound.
        cap = entry.size if limit is None else min(limit, entry.size)
        crc = total = 0
        for piece in self._pieces(entry, max(1, chunk), cap + 1):  # one byte past the cap shows a lie
            total += len(piece)
            if total > cap:
                if limit is not None and total > limit:
                    raise ArchiveError(f"{entry.filename}: larger than the {limit:,}-byte limit")
                raise ArchiveError(f"{entry.filename}: more data than the {entry.size:,} bytes it declares")
            crc = zlib.crc32(piece, crc)
            yield piece
        if total != entry.size:
            raise ArchiveError(f"{entry.filename}: {total:,} bytes of data, but it declares {entry.size:,}")
        if crc != entry.crc:
            raise ArchiveError(f"{entry.filename}: CRC-32 mismatch (corrupt data)")

    def _pieces(self, entry: ZipEntry, chunk: int, want: int) -> Iterator[bytes]:
        """The member's first `want` bytes (fewer if it ends first), at most `chunk` at a time.

        The one inflate loop: head(), read() and iter_chunks() all come here, and so every byte
        produced is counted against the archive's read budget.
        """
        start, end = self._data_range(entry)
        buf = self._buf
        if entry.method == STORED:
            end = min(end, start + want)
            for pos in range(start, end, chunk):
                yield self._spend(entry, buf[pos : min(end, pos + chunk)])
            return
        d = zlib.decompressobj(-15)
        pos = start
        got = 0
        while got < want and not d.eof:
            data = d.unconsumed_tail
            if not data and pos < end:
                data = buf[pos : min(end, pos + _IN_CHUNK)]
                pos += len(data)
            try:
                piece = d.decompress(data, min(chunk, want - got))
            except zlib.error as exc:
                raise ArchiveError(f"{entry.filename}: corrupt deflate data ({exc})") from None
            if not piece:
                if not data:
                    raise ArchiveError(f"{entry.filename}: compressed data ends early (truncated member)")
                continue
            got += len(piece)
            yield self._spend(entry, piece)

    def _spend(self, entry: ZipEntry, piece: bytes) -> bytes:
        self.bytes_read += len(piece)
        if self.bytes_read > self.read_budget:
            raise ArchiveError(
                f"{entry.filename}: not read: this check has already read {self.read_budget:,} bytes of member "
                "data, its budget (a zip that expands this much is checked from its listing only)"
            )
        return piece

    def _data_range(self, entry: ZipEntry) -> tuple[int, int]:
        if entry.is_encrypted:
            raise ArchiveError(f"{entry.filename}: encrypted (flag bit 0); it cannot be read without the password")
        if entry.method not in (STORED, DEFLATED):
            raise ArchiveError(f"{entry.filename}: unsupported compression method {entry.method} ({entry.method_name})")
        if entry.data_offset < 0:
            raise ArchiveError(f"{entry.filename}: no usable local header at offset {entry.local_header_offset}")
        if entry.overlaps:
            # A bomb points many entries at one kernel; reading each alias multiplies the work of
            # every rule. overlapping-entries reports them; their content stays unknown.
            raise ArchiveError(f"{entry.filename}: not read: it shares bytes with another entry (overlapping-entries)")
        end = entry.data_offset + entry.compressed_size
        if end > self.size:
            raise ArchiveError(f"{entry.filename}: data runs past the end of the file (truncated archive)")
        return entry.data_offset, end


def _parse_uncollected(buf: Buffer, size: int, max_entries: int, max_cd_bytes: int) -> Directory:
    """parse(), with the cyclic collector kept off the entries it makes.

    The parse makes an object per entry and no reference cycles. A collection in the middle of it
    would walk every object the process holds (imports included) for nothing, and after it the
    young-generation collections would walk each entry twice more before it ages: on a
    20,000-entry zip that was about 5% of a whole check's instructions. So the collector is off
    while it runs, and the new objects are then moved to the oldest generation at once
    (freeze() then unfreeze() splices every tracked object there, without looking at any). That
    step is skipped when the caller has frozen objects of its own (a pre-fork server keeps them
    out of collections on purpose) or runs with the collector off.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return parse(buf, size, max_entries, max_cd_bytes)
    finally:
        if collecting:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _map(path: str) -> tuple[Buffer, int]:
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
