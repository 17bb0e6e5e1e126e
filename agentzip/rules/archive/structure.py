"""Archive rules about the zip's structure (AZ0xx): corrupt, links, encrypted, methods, overlaps, differentials."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from agentzip.errors import ArchiveError
from agentzip.rules.archive.common import REBUILD, anomaly_hits, archive, capped, shown
from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.registry import rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # a folder check never loads the zip reader
    from agentzip.validator.zip import ZipArchive, ZipEntry


@rule("AZ001", "corrupt-archive", Severity.ERROR)
def corrupt_archive(ctx: Context) -> Iterator[Hit]:
    """The file is not a readable zip, or parts of it cannot be read.

    ## What it does
    Reads the end-of-central-directory record, the central directory and every local header
    without extracting anything, and reports what cannot be read: an empty file, a file that is
    not a zip at all, a truncated download, a central directory entry with a bad signature,
    member data that runs past the end of the file. A directory over the reader's caps
    (200,000 entries, 64 MiB) is reported with its count: only the entries within them were
    checked.

    ## Why is this bad
    The service rejects the upload or fails to extract it, and the version ends up `failed`
    with little explanation. Entries after a broken central-directory record are invisible to
    every reader, so whatever they hold never ships.

    ## Example
    `agent.zip` is a 0-byte file, or a text file renamed `.zip`, or a download that stopped
    halfway and lost its end record.

    ## How to fix
    Re-create the zip from the source folder (`zip -r agent-code.zip .`, or `agentzip build`)
    and check it again before uploading.
    """
    yield from anomaly_hits(ctx, "corrupt", REBUILD)
    yield from anomaly_hits(
        ctx,
        "limit",
        "leave out what the agent does not need at run time (caches, tests, data, virtual environments); "
        "the entries past the cap were not checked",
    )


def _link_target(a: ZipArchive, e: ZipEntry) -> str:
    try:
        target = a.head(e, 256)
    except ArchiveError:
        return ""
    return f" pointing at `{shown(target.decode('utf-8', 'replace'))}`" if target else ""


@rule("AZ006", "symlink-entry", Severity.ERROR)
def symlink_entry(ctx: Context) -> Iterator[Hit]:
    """The zip stores a symbolic link.

    ## What it does
    Flags entries whose Unix mode says symlink (`S_IFLNK`, mode 0o120777), and names the
    target stored as the entry's content.

    ## Why is this bad
    Extractors disagree: Info-ZIP `unzip` creates the link, Python's `zipfile` writes a small
    regular file holding the target path, Windows tools skip it. A link to `/etc/passwd` or
    `../../` lets a later entry written "through" it land outside the extraction folder. And
    a link to a file that exists only on your machine is dangling in the container.

    ## Example
    `packages/libfoo.so -> libfoo.so.1`, written by `zip -y` or by a build that zipped a venv.

    ## How to fix
    Store the file itself: zip again without `-y` (Info-ZIP `zip` follows links by default),
    or replace the link with a copy of its target.
    """
    a = archive(ctx)
    if a is None:
        return
    hint = "store the file instead of the link: zip again without -y, or copy the target over the link"
    yield from capped(
        (
            Hit(shown(e.filename), f"symbolic link (mode {e.mode or 0:#o}){_link_target(a, e)}", hint)
            for e in a.entries
            if e.is_symlink
        ),
        "symlinks",
        hint,
    )


@rule("AZ007", "encrypted-entry", Severity.ERROR)
def encrypted_entry(ctx: Context) -> Iterator[Hit]:
    """An entry is password-protected.

    ## What it does
    Flags entries with the encryption flag (general purpose bit 0): traditional PKWARE
    encryption or WinZip AES (method 99).

    ## Why is this bad
    The runtime extracts without a password, so the file cannot be read: the version fails
    to start or the module is missing. agentzip cannot inspect its content either.

    ## Example
    A zip made with `zip -e`, or with a password set in 7-Zip.

    ## How to fix
    Re-create the zip without a password. Keep secrets out of the zip altogether: pass them
    as environment variables of the agent definition or read them from Key Vault.
    """
    a = archive(ctx)
    if a is None:
        return
    from agentzip.validator.zip.records import FLAG_ENCRYPTED

    if not any(f & FLAG_ENCRYPTED for f in {e.flags for e in a.entries}):
        return  # the usual zip: one set of the few flag values, no generator step per entry
    hint = "re-create the zip without a password (no -e / -P): zip -r agent-code.zip ."
    yield from capped(
        (
            Hit(
                shown(e.filename),
                f"encrypted ({'WinZip AES' if e.method == 99 else 'PKWARE traditional'}): "
                "the runtime cannot extract it without the password",
                hint,
            )
            for e in a.entries
            if e.is_encrypted
        ),
        "encrypted entries",
        hint,
    )


_WHO_WRITES = {
    9: 'Windows Explorer\'s "Send to > Compressed (zipped) folder" switches to it for large inputs '
    "(around 2 GB and more), and 7-Zip writes it when chosen",
    12: "7-Zip or `zip -Z bzip2` wrote it",
    14: "7-Zip wrote it",
    93: "7-Zip (with the zstd codec) or WinZip wrote it",
    95: "7-Zip or WinZip wrote it",
    98: "7-Zip or WinZip wrote it",
}


@rule("AZ008", "unsupported-compression", Severity.ERROR)
def unsupported_compression(ctx: Context) -> Iterator[Hit]:
    """An entry uses a compression method other than stored or deflate.

    ## What it does
    Flags entries compressed with anything but stored (0) or deflate (8): Deflate64 (9),
    bzip2 (12), LZMA (14), Zstandard (93), xz (95), PPMd (98), and the legacy methods.
    Encrypted entries are left to encrypted-entry.

    ## Why is this bad
    Stored and deflate are the only methods every extractor reads. Python's `zipfile` refuses
    Deflate64 and Zstandard (before 3.14), .NET's `ZipFile` refuses everything but deflate,
    Deflate64 and stored, and zlib (which most tools use) knows only deflate. Deflate64 is the
    usual surprise: Windows Explorer's "Send to > Compressed (zipped) folder" writes it for
    large inputs, so a zip that grows past about 2 GB of content quietly changes format.

    ## Example
    A zip made in Windows Explorer from a folder with a large `packages/`, listed by
    `7z l -slt` as `Method = Deflate64`.

    ## How to fix
    Re-create the zip with deflate: `tar -a -c -f agent-code.zip *` on Windows, `zip -r` on
    Linux or macOS, or `agentzip build`.
    """
    a = archive(ctx)
    if a is None:
        return
    from agentzip.validator.zip import DEFLATED, STORED

    if {e.method for e in a.entries} <= {STORED, DEFLATED}:
        return  # the usual zip, told by one set
    by_method: dict[int, list[ZipEntry]] = defaultdict(list)
    for e in a.entries:
        if e.method not in (STORED, DEFLATED) and not e.is_encrypted:
            by_method[e.method].append(e)
    for method, entries in sorted(by_method.items()):
        name = entries[0].method_name
        who = _WHO_WRITES.get(method)
        yield Hit(
            shown(entries[0].filename),
            f"{len(entries):,} entr{'y is' if len(entries) == 1 else 'ies are'} compressed with "
            f"{name} (method {method}), which most extractors cannot read" + (f"; {who}" if who else ""),
            "re-create the zip with deflate: tar -a -c -f agent-code.zip * (Windows), zip -r (Linux, macOS), "
            "or agentzip build",
            paths=tuple(shown(e.filename) for e in entries),
        )


@rule("AZ009", "overlapping-entries", Severity.ERROR)
def overlapping_entries(ctx: Context) -> Iterator[Hit]:
    """Entries share bytes: a zip bomb or a tampered archive.

    ## What it does
    Compares every entry's byte range (local header to end of data) with the others and with
    the central directory, sorted by offset, without decompressing anything.

    ## Why is this bad
    No tool that writes zips produces overlapping entries. David Fifield's "better zip bomb"
    points thousands of entries at one compressed kernel: 46 MB that extract to 4.5 PB. An
    entry reaching into the central directory is a crafted archive that extractors read in
    different ways.

    ## Example
    2,000 entries whose local header offset is 0, each declaring 1 MiB.

    ## How to fix
    Do not deploy it. Rebuild the zip from the source files and find out where this one came
    from.
    """
    yield from anomaly_hits(ctx, "overlap", "do not deploy this zip: rebuild it from the source files (agentzip build)")


@rule("AZ010", "archive-differential", Severity.ERROR)
def archive_differential(ctx: Context) -> Iterator[Hit]:
    """Different zip readers would see different contents in this archive.

    ## What it does
    Flags structure that readers resolve differently: data before the archive (a
    self-extractor stub or a glued-on file), data after the end record, end-record counts or
    sizes that disagree with the central directory, zip64 and classic end records that
    disagree, a local header that is missing or disagrees with its central-directory entry
    (name, method, sizes, CRC), and an Info-ZIP Unicode Path field naming another file.

    ## Why is this bad
    Readers that walk local headers (streaming extractors) and readers that trust the central
    directory (most others) then extract different files, so what agentzip or a reviewer
    checked is not what the service runs. It is the classic way to smuggle content past a
    scanner; it is also what a damaged zip or a half-patched one looks like.

    ## Example
    `cat stub.exe agent.zip > agent.zip2`, or a zip edited in place by a script that
    changed a name in the central directory only.

    ## How to fix
    Rebuild the zip from the source files. For prepended data alone, `zip -J agent-code.zip`
    strips it.
    """
    a = archive(ctx)
    if a is None:
        return
    for x in a.anomalies:
        if x.kind != "differential":
            continue
        hint = (
            "strip the prepended data: zip -J agent-code.zip (or rebuild the zip)"
            if "before the archive" in x.message
            else REBUILD
        )
        yield Hit(shown(x.path) if x.path is not None else None, x.message, hint)
