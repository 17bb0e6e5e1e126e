"""The size of the zip a bundle is, or would be: measured (big folder files estimated from spread samples)."""

import marshal
import os
from collections import Counter
from collections.abc import Mapping

from agentzip.errors import ArchiveError
from agentzip.foundry import PACKAGES
from agentzip.records import NamedTuple
from agentzip.validator.bundle import Bundle, BundleFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from agentzip.validator.namecache import DiskCache

NEAR = 0.9
# Files above this are estimated from samples (16 x 256 KiB = 4 MiB read, about 0.1 s at level 6).
SAMPLE_OVER = 32 << 20
SAMPLES = 16
SAMPLE_BYTES = 256 << 10
# Local header + central directory record per entry, plus the end record (APPNOTE 4.3).
LOCAL_HEADER, CENTRAL_HEADER, END_RECORD = 30, 46, 22


class ZipSize(NamedTuple):
    """Bytes of the zip, compressed bytes per contributor, and whether it was measured."""

    total: int
    per_contributor: Counter[str]
    measured: bool
    # bytes once extracted, and file counts, per contributor (the size report draws both)
    uncompressed: Counter[str]
    files: Counter[str]


def contributor(path: str) -> str:
    """What a person would call a contributor: a top-level entry, or one distribution in packages/."""
    parts = path.split("/", 2)
    if parts[0] == PACKAGES and len(parts) > 2:
        name = parts[1]
        for suffix in (".dist-info", ".data"):
            if name.endswith(suffix):
                name = name[: -len(suffix)].split("-")[0]
        return f"{PACKAGES}/{name}"
    return parts[0] + ("/" if len(parts) > 1 else "")


def deflated_size(bundle: Bundle, f: BundleFile) -> int:
    """Bytes a file takes once deflated, by streaming compression (level 6, as zip -r).

    A folder's file over SAMPLE_OVER is estimated from evenly spread samples: compressing a
    sparse 2 GiB `.so` whole took 17 s, for a number the size check needs only roughly.
    """
    if bundle.archive is None and f.size > SAMPLE_OVER:
        return sampled_deflated_size(bundle, f)
    import zlib  # only for a folder near the size limit: a zip's sizes are in its directory

    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    n = 0
    for chunk in bundle.chunks(f):
        n += len(comp.compress(chunk))
    return n + len(comp.flush())


def sampled_deflated_size(bundle: Bundle, f: BundleFile) -> int:
    """Deflated size extrapolated from SAMPLES pieces of SAMPLE_BYTES spread over the file."""
    pieces = bundle.samples(f, SAMPLES, SAMPLE_BYTES)
    read = sum(len(p) for p in pieces)
    if not read:
        return 0
    import zlib

    packed = 0
    for piece in pieces:
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed += len(comp.compress(piece)) + len(comp.flush())
    return min(f.size, -(-packed * f.size // read))


def group_by_folder(files: list[BundleFile]) -> dict[str | None, list[int]]:
    """Positions of each folder's files (None for the root); Index.folders, for callers without an Index."""
    out: dict[str | None, list[int]] = {}
    for n, f in enumerate(files):
        i = f.path.rfind("/")
        out.setdefault(f.path[:i] if i >= 0 else None, []).append(n)
    return out


def _by_contributor(files: list[BundleFile], folders: Mapping[str | None, list[int]]) -> list[tuple[str, list[int]]]:
    """Each contributor's files, contributors in the order their first file comes (as Counter keys were)."""
    named: dict[str, list[int]] = {}
    for parent, members in folders.items():
        if parent is None:
            for n in members:
                named.setdefault(files[n].path, []).append(n)
        else:  # contributor() depends on the folder alone
            named.setdefault(contributor(files[members[0]].path), []).extend(members)
    return sorted(named.items(), key=lambda item: min(item[1]))


def measure(
    bundle: Bundle,
    files: list[BundleFile],
    limit: int,
    *,
    compress: bool = False,
    folders: Mapping[str | None, list[int]] | None = None,
) -> ZipSize:
    """A zip is its file size. A folder is the zip it would become.

    While a folder's raw size plus headers stays under the warning threshold no compression can
    push it over, so only then is each file really compressed (the slow part, on big folders),
    unless `compress` asks for real numbers anyway (the size report). `folders` is `files`
    grouped by folder (Index.folders) when the caller has it: sums are then taken per folder.
    """
    per: Counter[str] = Counter()
    raw_per: Counter[str] = Counter()
    count: Counter[str] = Counter()
    groups = _by_contributor(files, group_by_folder(files) if folders is None else folders)
    for name, ns in groups:
        raw_per[name] = sum([files[n].size for n in ns])
        count[name] = len(ns)
    if bundle.kind == "zip":
        for name, ns in groups:
            per[name] = sum([files[n].compressed_size or 0 for n in ns])
        return ZipSize(bundle.size, per, True, raw_per, count)
    overhead = END_RECORD + sum(LOCAL_HEADER + CENTRAL_HEADER + 2 * len(f.path.encode()) for f in files)
    raw = overhead + sum(f.size for f in files)
    # Deflate can grow incompressible data by a few bytes per 16 KiB block; 1% covers it.
    if not compress and raw * 1.01 < NEAR * limit:
        return ZipSize(raw, Counter(raw_per), False, raw_per, count)
    from agentzip.validator.namecache import DiskCache

    disk = DiskCache()
    try:
        for name, ns in groups:
            per[name] = _contributor_deflated(bundle, [files[n] for n in ns], name, disk)
    finally:
        disk.close()
    return ZipSize(overhead + sum(per.values()), per, True, raw_per, count)


def _contributor_deflated(bundle: Bundle, files: list[BundleFile], name: str, disk: "DiskCache") -> int:
    """Deflated bytes of one contributor's files, from the disk cache when none of them changed.

    Deflating a folder near the limit is the slowest thing a check does (a 1 GB tree took 90 s of
    CPU), and between two commits packages/ rarely changes: each contributor's total is kept,
    keyed by every one of its files' path, size and st_mtime_ns (a file the scan did not stamp
    turns the cache off for that contributor).
    """
    from agentzip.validator.namecache import blob_name, seal, unseal_int

    key = None
    if disk.folder is not None and all(f.mtime is not None for f in files):
        key = blob_name("deflated", os.path.abspath(bundle.pathname), name, [(f.path, f.size, f.mtime) for f in files])
        data = disk.read(key)
        cached = unseal_int(data) if data is not None else None
        if cached is not None:
            return cached
    total = 0
    for f in files:
        try:
            total += min(deflated_size(bundle, f), f.size)  # zip tools store what deflate would grow
        except ArchiveError:
            total += f.size
    if key is not None:
        disk.write(key, seal(marshal.dumps(total)))
    return total
