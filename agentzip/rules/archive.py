"""Archive rules (AZ0xx): a zip the runtime cannot extract as intended, or that extractors read differently."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from agentzip.errors import ArchiveError
from agentzip.validator.archive import DEFLATED, STORED, ZipArchive, ZipEntry
from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.registry import rule

# A hostile zip repeats one problem thousands of times: name this many, then one hit for the rest.
MAX_HITS = 50
REBUILD = (
    "rebuild the zip from the source folder: cd my-agent && zip -r ../agent-code.zip . (or agentzip build my-agent)"
)
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# One search per name finds every candidate; _unsafe() then says why (most names never get there).
_SUSPECT = re.compile(r"^[/\\]|^[A-Za-z]:|(?:^|[/\\])\.\.(?:[/\\]|$)|[\x00-\x1f\x7f]")


def _archive(ctx: Context) -> ZipArchive | None:
    return ctx.bundle.archive


def _shown(name: str) -> str:
    """A name safe to print: control characters as escapes (a NUL or ESC must not reach a terminal)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)


def _capped(hits: Iterable[Hit], what: str, hint: str) -> Iterator[Hit]:
    rest: list[str] = []
    for n, h in enumerate(hits):
        if n < MAX_HITS:
            yield h
        elif h.path is not None:
            rest.append(h.path)
    if rest:
        yield Hit(None, f"{len(rest):,} more {what} not listed", hint, paths=tuple(rest))


def _anomaly_hits(ctx: Context, kind: str, hint: str) -> Iterator[Hit]:
    a = _archive(ctx)
    if a is None:
        return
    for x in a.anomalies:
        if x.kind == kind:
            yield Hit(_shown(x.path) if x.path is not None else None, x.message, hint)


@rule("AZ001", "corrupt-archive", Severity.ERROR)
def corrupt_archive(ctx: Context) -> Iterator[Hit]:
    """The file is not a readable zip, or parts of it cannot be read.

    ## What it does
    Reads the end-of-central-directory record, the central directory and every local header
    without extracting anything, and reports what cannot be read: an empty file, a file that is
    not a zip at all, a truncated download, a central directory entry with a bad signature,
    member data that runs past the end of the file, or a directory over the reader's caps
    (200,000 entries, 64 MiB).

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
    yield from _anomaly_hits(ctx, "corrupt", REBUILD)


def _unsafe(name: str) -> list[str]:
    why = []
    if name.startswith(("/", "\\")):
        why.append("an absolute path")
    if _DRIVE.match(name):
        why.append(f"a drive letter ({name[:2]})")
    if ".." in re.split(r"[/\\]", name):
        why.append("a `..` component that climbs out of the extraction folder")
    bad = sorted({f"U+{ord(c):04X}" for c in _CONTROL.findall(name)})
    if bad:
        why.append(f"control characters ({', '.join(bad)})")
    return why


@rule("AZ002", "unsafe-path", Severity.ERROR)
def unsafe_path(ctx: Context) -> Iterator[Hit]:
    """An entry's name points outside the extraction folder or hides control characters.

    ## What it does
    Flags entry names that are absolute (`/abs.py`, `\\x.py`), carry a drive letter (`C:x.py`),
    contain a `..` component (with `/` or `\\` as separator), or contain control characters
    (a NUL, a newline, an escape).

    ## Why is this bad
    This is "zip slip": a naive extractor writes `../../etc/cron.d/x` outside the target
    folder. Careful extractors drop or rewrite such names instead, so the file lands somewhere
    else than intended or not at all. Python's zipfile cuts a name at its first NUL, so
    `main.py\\x00.txt` becomes `main.py` there and stays whole in other tools.

    ## Example
    `../../etc/cron.d/x`, `/abs.py`, `C:\\agent\\main.py`.

    ## How to fix
    Build the zip from inside the agent folder with relative paths:
    `cd my-agent && zip -r ../agent-code.zip .`, or `agentzip build my-agent`.
    """
    a = _archive(ctx)
    if a is None:
        return

    def hits() -> Iterator[Hit]:
        suspect = _SUSPECT.search
        for e in a.entries:
            name = e.name
            # C-speed string tests first: a regex search per name is most of this rule's time
            if not (name[:1] in ("/", "\\") or ".." in name or name[1:2] == ":" or not name.isprintable()):
                continue
            why = _unsafe(name) if suspect(name) else None
            if why:
                yield Hit(_shown(e.name), "unsafe entry name: " + ", ".join(why), REBUILD)

    yield from _capped(hits(), "entries with unsafe names", REBUILD)


@rule("AZ003", "backslash-path", Severity.ERROR)
def backslash_path(ctx: Context) -> Iterator[Hit]:
    """Entry names use `\\` as the folder separator.

    ## What it does
    Flags entries whose names contain a backslash, as Windows PowerShell 5.1's
    `Compress-Archive` and some older .NET tools write them.

    ## Why is this bad
    The zip format's separator is `/` (APPNOTE 4.4.17). On the Linux runtime `lib\\util.py`
    is not `util.py` inside `lib/`: it extracts as one flat file at the root whose name
    contains a backslash. Packages then have no folders, so every `import` of them fails with
    `ModuleNotFoundError`, although the zip looks right in Windows Explorer.

    ## Example
    `packages\\requests\\__init__.py`, `src\\agent.py`.

    ## How to fix
    Re-create the zip with a tool that writes `/`: `tar -a -c -f agent-code.zip *` (bsdtar,
    part of Windows 10 and later), `zip -r`, or `agentzip build`.
    """
    a = _archive(ctx)
    if a is None:
        return
    names = [e.name for e in a.entries if "\\" in e.name]
    if not names:
        return
    first = names[0]
    *folders, leaf = first.rstrip("\\").split("\\")
    meant = f"`{leaf}` inside `{'/'.join(folders)}/`" if folders else "a folder"
    yield Hit(
        _shown(first),
        f"{len(names):,} entr{'y uses' if len(names) == 1 else 'ies use'} `\\` as the folder separator: "
        f"on Linux `{_shown(first)}` extracts as one file with backslashes in its name, at the root, "
        f"not as {_shown(meant)}",
        "re-create the zip with forward slashes: tar -a -c -f agent-code.zip * (Windows 10+), or agentzip build",
        paths=tuple(_shown(n) for n in names),
    )


@rule("AZ004", "duplicate-entry", Severity.ERROR)
def duplicate_entry(ctx: Context) -> Iterator[Hit]:
    """The same path is stored more than once.

    ## What it does
    Flags file names that appear in two or more central-directory entries.

    ## Why is this bad
    Which copy is extracted depends on the tool: most overwrite the first copy with the last,
    some keep the first, and .NET's `ZipFile.ExtractToDirectory` stops with "file already
    exists". The code that runs may not be the code you reviewed. Duplicates come from
    appending to an existing zip (Python's `zipfile` in mode "a", scripted builds).

    ## Example
    Two `main.py` entries, one from an old build and one from the new one.

    ## How to fix
    Delete the zip and build it again from scratch so each path is written once:
    `rm agent-code.zip && zip -r agent-code.zip .`, or `agentzip build`.
    """
    a = _archive(ctx)
    if a is None:
        return
    seen: dict[str, list[int]] = defaultdict(list)
    for e in a.entries:
        if not e.is_dir:
            seen[e.name].append(e.index)
    dups = ((n, idx) for n, idx in seen.items() if len(idx) > 1)
    hint = "delete the zip and build it again from scratch: rm agent-code.zip && zip -r agent-code.zip ."
    yield from _capped(
        (
            Hit(
                _shown(n),
                f"stored {len(idx)} times (entries {', '.join(map(str, idx[:5]))}"
                f"{', ...' if len(idx) > 5 else ''}): extractors disagree on which copy wins",
                hint,
            )
            for n, idx in dups
        ),
        "duplicated names",
        hint,
    )


@rule("AZ005", "case-collision", Severity.WARNING)
def case_collision(ctx: Context) -> Iterator[Hit]:
    """Two paths differ only in letter case.

    ## What it does
    Flags paths that are equal when compared case-insensitively (`Main.py` and `main.py`,
    `Lib/` and `lib/`), in a zip or in a folder.

    ## Why is this bad
    The Linux runtime keeps both, but extracting or building on Windows or macOS (both
    case-insensitive by default) keeps only one, so what you test locally is not what runs.
    It is also an easy way to hide a second `main.py` from a reviewer.

    ## Example
    `utils.py` and `Utils.py` side by side.

    ## How to fix
    Rename or remove one of them.
    """
    groups: dict[str, set[str]] = defaultdict(set)
    for f in ctx.bundle.files:
        groups[f.path.casefold()].add(f.path)
    hint = "rename or remove one of them"
    yield from _capped(
        (
            Hit(
                _shown(ps[0]),
                "paths that differ only in case: "
                + ", ".join(f"`{_shown(p)}`" for p in ps)
                + "; Windows and macOS keep only one of them",
                hint,
                paths=tuple(_shown(p) for p in ps),
            )
            for ps in (sorted(v) for v in groups.values() if len(v) > 1)
        ),
        "case collisions",
        hint,
    )


def _link_target(a: ZipArchive, e: ZipEntry) -> str:
    try:
        target = a.head(e, 256)
    except ArchiveError:
        return ""
    return f" pointing at `{_shown(target.decode('utf-8', 'replace'))}`" if target else ""


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
    a = _archive(ctx)
    if a is None:
        return
    hint = "store the file instead of the link: zip again without -y, or copy the target over the link"
    yield from _capped(
        (
            Hit(_shown(e.name), f"symbolic link (mode {e.unix_mode or 0:#o}){_link_target(a, e)}", hint)
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
    a = _archive(ctx)
    if a is None:
        return
    hint = "re-create the zip without a password (no -e / -P): zip -r agent-code.zip ."
    yield from _capped(
        (
            Hit(
                _shown(e.name),
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
    a = _archive(ctx)
    if a is None:
        return
    by_method: dict[int, list[ZipEntry]] = defaultdict(list)
    for e in a.entries:
        if e.method not in (STORED, DEFLATED) and not e.is_encrypted:
            by_method[e.method].append(e)
    for method, entries in sorted(by_method.items()):
        name = entries[0].method_name
        who = _WHO_WRITES.get(method)
        yield Hit(
            _shown(entries[0].name),
            f"{len(entries):,} entr{'y is' if len(entries) == 1 else 'ies are'} compressed with "
            f"{name} (method {method}), which most extractors cannot read" + (f"; {who}" if who else ""),
            "re-create the zip with deflate: tar -a -c -f agent-code.zip * (Windows), zip -r (Linux, macOS), or agentzip build",
            paths=tuple(_shown(e.name) for e in entries),
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
    yield from _anomaly_hits(
        ctx, "overlap", "do not deploy this zip: rebuild it from the source files (agentzip build)"
    )


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
    a = _archive(ctx)
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
        yield Hit(_shown(x.path) if x.path is not None else None, x.message, hint)


@rule("AZ011", "non-utf8-name", Severity.WARNING)
def non_utf8_name(ctx: Context) -> Iterator[Hit]:
    """An entry name is not marked UTF-8, so extractors may decode it differently.

    ## What it does
    Flags non-ASCII names without the UTF-8 flag (general purpose bit 11): UTF-8 bytes
    without the flag (macOS Archive Utility, 7-Zip) and names in a legacy code page. A name
    flagged UTF-8 whose bytes are not UTF-8 is an error.

    ## Why is this bad
    Without the flag the zip format says the name is code page 437. Python's `zipfile` reads
    it that way, so `café.py` stored as unflagged UTF-8 extracts as `caf├⌐.py` and the import
    of `café` fails; other tools guess another code page. A flagged name that is not UTF-8
    makes Python's `zipfile` refuse the whole archive with `UnicodeDecodeError`.

    ## Example
    `données.py` zipped by macOS Archive Utility.

    ## How to fix
    Prefer ASCII file names in deployed code, or re-create the zip with a tool that sets the
    UTF-8 flag (Info-ZIP `zip` 3.0, Python's `zipfile`, `agentzip build`).
    """
    a = _archive(ctx)
    if a is None:
        return
    hint = "rename the file to an ASCII name, or re-create the zip with agentzip build (it marks names UTF-8)"

    def hits() -> Iterator[Hit]:
        for e in a.entries:
            if e.encoding == "utf-8-unflagged":
                seen = e.raw_name.decode("cp437")
                yield Hit(
                    _shown(e.name),
                    f"UTF-8 name without the UTF-8 flag: Python's zipfile reads it as code page 437 and extracts `{_shown(seen)}`",
                    hint,
                )
            elif e.encoding == "cp437":
                yield Hit(
                    _shown(e.name),
                    f"name bytes {e.raw_name!r} are not UTF-8 and not marked: read as code page 437 they "
                    "give this name, tools that guess another code page give another",
                    hint,
                )
            elif e.encoding == "invalid":
                yield Hit(
                    _shown(e.name),
                    f"name marked UTF-8 but its bytes {e.raw_name!r} are not: Python's zipfile refuses "
                    "the whole archive (UnicodeDecodeError)",
                    hint,
                    severity=Severity.ERROR,
                )

    yield from _capped(hits(), "entries with non-UTF-8 names", hint)
