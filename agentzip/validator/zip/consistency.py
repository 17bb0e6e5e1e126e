"""Does the archive agree with itself: data around it, local headers against the central directory, overlaps."""

from __future__ import annotations

from agentzip.validator.zip.records import (
    CEN_SIG,
    FLAG_DATA_DESCRIPTOR,
    FLAG_ENCRYPTED,
    LOC,
    LOC_SIG,
    LOC_SIZE,
    U32,
    Anomaly,
    Buffer,
    Listed,
    ZipEntry,
    zip64_fields,
)


def trailing_data(size: int, eocd: int, comment_len: int) -> Anomaly | None:
    """Bytes after the end record's comment: readers that search for it differently disagree."""
    trailing = size - (eocd + comment_len)
    if not trailing:
        return None
    return Anomaly(
        "differential",
        None,
        f"{trailing:,} bytes of data after the end record's comment: readers that search "
        "for the end record differently see different archives",
    )


def locate(
    buf: Buffer, size: int, cd_end: int, cd_size: int, cd_offset: int, claimed: int, out: list[Anomaly]
) -> tuple[int, int] | None:
    """(where the central directory starts, bytes glued in front of the archive), or None."""

    def is_cd(pos: int) -> bool:
        return pos >= 0 and pos + 4 <= cd_end and buf[pos : pos + 4] == CEN_SIG

    start = cd_end - cd_size
    prefix = start - cd_offset
    empty = cd_size == 0 and claimed == 0
    if prefix == 0 and (is_cd(start) or empty):
        return start, 0
    if cd_offset < cd_end and is_cd(cd_offset):
        out.append(
            Anomaly(
                "differential",
                None,
                f"the end record says the central directory is {cd_size:,} bytes at offset "
                f"{cd_offset:,}, but it runs {cd_end - cd_offset:,} bytes to the end record",
            )
        )
        return cd_offset, 0
    if start >= 0 and (is_cd(start) or empty):
        if prefix > 0:
            msg = (
                f"{prefix:,} bytes of data before the archive (a self-extractor stub or a file "
                "glued in front): offsets in the archive are off by that much"
            )
        else:
            msg = (
                f"the end record puts the central directory at offset {cd_offset:,}, "
                f"{-prefix:,} bytes after where it is"
            )
        out.append(Anomaly("differential", None, msg))
        return start, prefix
    if cd_size > cd_end or cd_offset + cd_size > size:
        msg = (
            f"truncated: the central directory ({cd_size:,} bytes at offset {cd_offset:,}) "
            f"runs past the end of the {size:,}-byte file"
        )
    else:
        msg = f"no central directory at offset {cd_offset:,}, where the end record puts it"
    out.append(Anomaly("corrupt", None, msg))
    return None


class Placement:
    """Where entries' bytes are: local headers checked field by field, overlaps found by one sweep.

    The directory reader settles the usual entry itself (see _Reader.read) and hands the rest
    here; once one comes here, the sweep at the end sorts every entry's span.
    """

    def __init__(self, buf: Buffer, size: int, cd_start: int, cd_end: int, cap: int) -> None:
        self.buf = buf
        self.size = size
        self.cd_start = cd_start
        self.cd_end = cd_end
        self.local = Listed("entries whose local header is missing or disagrees", cap)
        self.past_end = Listed("entries whose data runs past the end of the file", cap)
        self.into_cd = Listed("entries overlapping the central directory", cap)
        self.pairs = Listed("overlapping entries", cap)
        self.irregular = False  # some entry came here: out of order, overlapping, or disagreeing

    def place(self, e: ZipEntry) -> None:
        """Check e's local header against its central record; note where its data is."""
        self.irregular = True
        size = self.size
        lo = e.local_header_offset
        if lo < 0 or lo + LOC_SIZE > size:
            self.local.add("corrupt", e.filename, f"local header offset {lo:,} is outside the {size:,}-byte file")
            return
        data = self._compare(e, lo)
        if data < 0:
            return
        if data > size:
            self.local.add("corrupt", e.filename, f"local header at offset {lo:,} runs past the end of the file")
            return
        e.data_offset = data
        end = data + e.compressed_size
        if end > size:
            self.past_end.add(
                "corrupt", e.filename, f"its {e.compressed_size:,} bytes of data run past the end of the file"
            )
            return
        if lo < self.cd_end and end > self.cd_start:
            e.overlaps = True
            self.into_cd.add(
                "overlap",
                e.filename,
                f"bytes {lo:,}-{end:,} overlap the central directory at {self.cd_start:,}-{self.cd_end:,}",
            )

    def _compare(self, e: ZipEntry, lo: int) -> int:
        """The local header field by field: what disagrees, and where the data starts (-1: nowhere)."""
        buf = self.buf
        (sig, flags, method, crc, csize, usize, nlen, xlen) = LOC.unpack_from(buf, lo)
        if sig != LOC_SIG:
            self.local.add(
                "differential", e.filename, f"no local header at offset {lo:,} where the central directory points"
            )
            return -1
        name_at = lo + LOC_SIZE
        data: int = name_at + nlen + xlen
        problems = []
        local_name = buf[name_at : name_at + nlen]
        if local_name != e.raw_name:
            problems.append(f"name {local_name.decode('utf-8', 'replace')!r}")
        if method != e.method:
            problems.append(f"method {method} (central directory: {e.method})")
        if (flags ^ e.flags) & FLAG_ENCRYPTED:
            problems.append("encryption flag")
        if not e.flags & FLAG_DATA_DESCRIPTOR:
            if (csize == U32 or usize == U32) and xlen:
                # 4.5.3: a local zip64 field carries both sizes, uncompressed first
                wide = zip64_fields(buf[name_at + nlen : data], U32, U32, 0)
                if wide is not None:
                    usize, csize, _ = wide
            if (crc, csize, usize) != (e.crc, e.compressed_size, e.size):
                problems.append(
                    f"CRC/sizes {crc:08x}/{csize:,}/{usize:,} (central directory: "
                    f"{e.crc:08x}/{e.compressed_size:,}/{e.size:,})"
                )
        if problems:
            self.local.add(
                "differential",
                e.filename,
                "the local header disagrees with the central directory: " + ", ".join(problems),
            )
        return data

    def sweep(self, entries: list[ZipEntry]) -> None:
        """Entries sharing bytes (David Fifield's "better zip bomb"): one sort, then one pass.

        Each span is compared with the furthest end seen so far, not with the span before it: a
        short entry inside a long one must not hide a third that overlaps the long one.
        """
        if not self.irregular:
            return  # every entry was placed in file order, each after the last one's end
        size = self.size
        spans = [
            (e.local_header_offset, e.data_offset + e.compressed_size, e.index)
            for e in entries
            if e.data_offset >= 0 and e.data_offset + e.compressed_size <= size
        ]
        spans.sort()
        reach, holder = -1, -1
        for start, end, idx in spans:
            if start < reach:
                a, b = entries[holder], entries[idx]
                a.overlaps = b.overlaps = True
                self.pairs.add(
                    "overlap",
                    b.filename,
                    f"shares bytes {start:,}-{min(end, reach):,} with {a.filename!r}: entries that "
                    "overlap are how zip bombs multiply one compressed kernel",
                )
            if end > reach:
                reach, holder = end, idx

    def close(self) -> list[Anomaly]:
        return [*self.local.close(), *self.past_end.close(), *self.into_cd.close(), *self.pairs.close()]
