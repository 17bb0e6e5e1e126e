"""A deterministic zip: sorted entries, fixed timestamps, normalized modes, deflate."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import struct
import time
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from agentzip.errors import BuildError
from agentzip.foundry import SIZE_LIMIT

# DOS time cannot encode anything before 1980-01-01 (APPNOTE 4.4.6); it is also our fixed default.
DOS_EPOCH = 315532800
LEVEL = 6  # zlib's default: the same bytes on every run of the same zlib
ZIP32_LIMIT = 0xFFFFFFFF
VERSION_MADE_BY = (3 << 8) | 20  # Unix, spec 2.0: so the mode bits in external_attr are honoured
VERSION_NEEDED = 20  # deflate
FLAG_UTF8 = 0x800  # names are always UTF-8 (APPNOTE 4.4.4 bit 11)
DEFLATED = 8
BATCH_BYTES = 1 << 20
BATCH_FILES = 256
# Record signatures (APPNOTE 4.3.7, 4.3.12, 4.3.14, 4.3.15, 4.3.16).
LOCAL_SIG, CENTRAL_SIG, END_SIG = 0x04034B50, 0x02014B50, 0x06054B50
ZIP64_END_SIG, ZIP64_LOCATOR_SIG = 0x06064B50, 0x07064B50
UPLOAD_LIMIT = f"{SIZE_LIMIT >> 20} MiB"


@dataclass(frozen=True)
class Member:
    """One file to store: its name in the zip (posix, relative) and where its bytes are."""

    name: str
    source: Path
    executable: bool = False


@dataclass(frozen=True)
class Written:
    """What went in: per-member sizes, the zip's size and its SHA-256."""

    path: Path
    size: int
    sha256: str
    members: tuple[tuple[str, int, int], ...]  # (name, size, compressed size), in zip order


def source_date_epoch() -> int:
    """SOURCE_DATE_EPOCH (reproducible-builds.org) when set and valid, else 1980-01-01; clamped."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        value = int(raw) if raw else DOS_EPOCH
    except ValueError:
        value = DOS_EPOCH
    # The DOS format covers 1980..2107 with 2-second steps.
    return min(max(value, DOS_EPOCH), 4354819199)


def dos_datetime(epoch: int) -> tuple[int, int]:
    """(date, time) fields in UTC, so the same epoch gives the same bytes in every time zone."""
    t = time.gmtime(epoch)
    dos_time = (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2)
    dos_date = ((t.tm_year - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday
    return dos_date, dos_time


def _compress(member: Member) -> tuple[bytes, int, int]:
    """(deflated bytes, crc32, size); zlib releases the GIL, so threads compress in parallel."""
    try:
        data = member.source.read_bytes()
    except OSError as e:
        raise BuildError(f"cannot read {member.source}: {e.strerror}") from None
    if len(data) >= ZIP32_LIMIT:
        raise BuildError(f"{member.name} is over 4 GiB: far beyond the {UPLOAD_LIMIT} upload limit")
    c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def _batches(members: list[Member]) -> Iterator[list[Member]]:
    """Runs of members of about BATCH_BYTES: one task per tiny file would cost more than zlib."""
    batch: list[Member] = []
    size = 0
    for m in members:
        batch.append(m)
        with contextlib.suppress(OSError):  # _compress reports it
            size += m.source.stat().st_size
        if size >= BATCH_BYTES or len(batch) >= BATCH_FILES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _compress_batch(batch: list[Member]) -> list[tuple[bytes, int, int]]:
    return [_compress(m) for m in batch]


def _compressed(members: list[Member], workers: int) -> Iterator[tuple[bytes, int, int]]:
    """Compress ahead in a bounded window of batches, yield in order: bounded memory."""
    window = workers * 2
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[list[tuple[bytes, int, int]]]] = deque()
        queued = _batches(members)
        for batch in queued:
            pending.append(pool.submit(_compress_batch, batch))
            if len(pending) >= window:
                break
        while pending:
            results = pending.popleft().result()
            nxt = next(queued, None)
            if nxt is not None:
                pending.append(pool.submit(_compress_batch, nxt))
            yield from results


class _Sink:
    """The zip file being written: every byte also goes into the SHA-256, and the offset is counted."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.digest = hashlib.sha256()
        self.offset = 0

    def emit(self, chunk: bytes) -> None:
        self.fh.write(chunk)
        self.digest.update(chunk)
        self.offset += len(chunk)


def _local_header(name: bytes, dos: tuple[int, int], crc: int, compressed: int, size: int) -> bytes:
    """APPNOTE 4.3.7: the local file header, with no extra field."""
    dos_date, dos_time = dos
    fields = (LOCAL_SIG, VERSION_NEEDED, FLAG_UTF8, DEFLATED, dos_time, dos_date, crc, compressed, size, len(name), 0)
    return struct.pack("<IHHHHHIIIHH", *fields) + name


def _central_record(
    name: bytes, dos: tuple[int, int], crc: int, compressed: int, size: int, mode: int, header_offset: int
) -> bytes:
    """APPNOTE 4.3.12: the central directory record; the Unix mode sits in external_attr's high half."""
    dos_date, dos_time = dos
    fields = (
        CENTRAL_SIG,
        VERSION_MADE_BY,
        VERSION_NEEDED,
        FLAG_UTF8,
        DEFLATED,
        dos_time,
        dos_date,
        crc,
        compressed,
        size,
        len(name),
        0,  # extra field length
        0,  # comment length
        0,  # disk number
        0,  # internal attributes
        mode << 16,
        header_offset,
    )
    return struct.pack("<IHHHHHHIIIHHHHHII", *fields) + name


def _end_records(sink: _Sink, count: int, cd_offset: int, cd_size: int) -> None:
    """The end of central directory record, after a zip64 one when the entry count needs it."""
    if count > 0xFFFF or cd_offset >= ZIP32_LIMIT:
        # Zip64 end record and locator (APPNOTE 4.3.14-15): only the entry count can get here.
        zip64_offset = sink.offset
        sink.emit(
            struct.pack("<IQHHIIQQQQ", ZIP64_END_SIG, 44, VERSION_MADE_BY, 45, 0, 0, count, count, cd_size, cd_offset)
        )
        sink.emit(struct.pack("<IIQI", ZIP64_LOCATOR_SIG, 0, zip64_offset, 1))
        count16, offset32 = 0xFFFF, min(cd_offset, ZIP32_LIMIT)
    else:
        count16, offset32 = count, cd_offset
    sink.emit(struct.pack("<IHHHHIIH", END_SIG, 0, 0, count16, count16, cd_size, offset32, 0))


def write_zip(out: Path, members: Iterable[Member], epoch: int | None = None) -> Written:
    """Write the members, sorted by name, to `out`; the same inputs give the same bytes."""
    ordered = sorted(members, key=lambda m: m.name)
    names = [m.name for m in ordered]
    dupes = sorted({n for a, n in itertools.pairwise(names) if a == n})
    if dupes:
        raise BuildError(f"two files would have the same name in the zip: {', '.join(dupes[:5])}")
    dos = dos_datetime(source_date_epoch() if epoch is None else epoch)
    workers = min(8, os.cpu_count() or 1)
    central: list[bytes] = []
    recorded: list[tuple[str, int, int]] = []
    with open(out, "wb") as fh:
        sink = _Sink(fh)
        for m, (data, crc, size) in zip(ordered, _compressed(ordered, workers), strict=True):
            if sink.offset >= ZIP32_LIMIT:
                raise BuildError(f"the zip would be over 4 GiB: far beyond the {UPLOAD_LIMIT} upload limit")
            name = m.name.encode("utf-8")
            header_offset = sink.offset
            sink.emit(_local_header(name, dos, crc, len(data), size))
            sink.emit(data)
            mode = 0o100755 if m.executable else 0o100644
            central.append(_central_record(name, dos, crc, len(data), size, mode, header_offset))
            recorded.append((m.name, size, len(data)))
        cd_offset = sink.offset
        for record in central:
            sink.emit(record)
        _end_records(sink, len(central), cd_offset, sink.offset - cd_offset)
    return Written(out, sink.offset, sink.digest.hexdigest(), tuple(recorded))
