"""Archive rules about entry names (AZ0xx): unsafe, backslashed, duplicated, case-colliding, not UTF-8."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from agentzip.rules.archive.common import CONTROL, REBUILD, archive, capped, shown
from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.registry import rule

_DRIVE = re.compile(r"^[A-Za-z]:")
# One search per name finds every candidate; _unsafe() then says why (most names never get there).
_SUSPECT = re.compile(r"^[/\\]|^[A-Za-z]:|(?:^|[/\\])\.\.(?:[/\\]|$)|[\x00-\x1f\x7f]")


def _unsafe(name: str) -> list[str]:
    why = []
    if name.startswith(("/", "\\")):
        why.append("an absolute path")
    if _DRIVE.match(name):
        why.append(f"a drive letter ({name[:2]})")
    if ".." in re.split(r"[/\\]", name):
        why.append("a `..` component that climbs out of the extraction folder")
    bad = sorted({f"U+{ord(c):04X}" for c in CONTROL.findall(name)})
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
    a = archive(ctx)
    if a is None:
        return
    lines = a.names_text
    # The usual zip has no candidate at all: one pass over all names at C speed says so (a name
    # holding a newline is not printable, so it cannot hide a line start).
    if not any(s in lines for s in ("\n/", "\n\\", "..", ":")) and "".join(a.filenames).isprintable():
        return

    def hits() -> Iterator[Hit]:
        suspect = _SUSPECT.search
        for e in a.entries:
            name = e.filename
            # C-speed string tests first: a regex search per name is most of this rule's time
            if not (name[:1] in ("/", "\\") or ".." in name or name[1:2] == ":" or not name.isprintable()):
                continue
            why = _unsafe(name) if suspect(name) else None
            if why:
                yield Hit(shown(e.filename), "unsafe entry name: " + ", ".join(why), REBUILD)

    yield from capped(hits(), "entries with unsafe names", REBUILD)


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
    a = archive(ctx)
    if a is None:
        return
    if "\\" not in a.names_text:
        return  # the usual zip, told by one scan
    names = [e.filename for e in a.entries if "\\" in e.filename]
    first = names[0]
    *folders, leaf = first.rstrip("\\").split("\\")
    meant = f"`{leaf}` inside `{'/'.join(folders)}/`" if folders else "a folder"
    yield Hit(
        shown(first),
        f"{len(names):,} entr{'y uses' if len(names) == 1 else 'ies use'} `\\` as the folder separator: "
        f"on Linux `{shown(first)}` extracts as one file with backslashes in its name, at the root, "
        f"not as {shown(meant)}",
        "re-create the zip with forward slashes: tar -a -c -f agent-code.zip * (Windows 10+), or agentzip build",
        paths=tuple(shown(n) for n in names),
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
    a = archive(ctx)
    if a is None:
        return
    if len(set(a.filenames)) == len(a.entries):
        return  # the usual case, decided by one set: no name twice, files or folders
    files = [e for e in a.entries if not e.is_dir]
    seen: dict[str, list[int]] = defaultdict(list)
    for e in files:
        seen[e.filename].append(e.index)
    dups = ((n, idx) for n, idx in seen.items() if len(idx) > 1)
    hint = "delete the zip and build it again from scratch: rm agent-code.zip && zip -r agent-code.zip ."
    yield from capped(
        (
            Hit(
                shown(n),
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
    paths = {f.path for f in ctx.bundle.files}
    joined = "\0".join(paths)
    # casefold maps each character on its own, so names that are all their own casefold cannot
    # collide: the usual case, decided by one pass over one string
    if joined.casefold() == joined or len({p.casefold() for p in paths}) == len(paths):
        return
    groups: dict[str, set[str]] = defaultdict(set)
    for f in ctx.bundle.files:  # in bundle order, so the hits listed before the cap are stable
        groups[f.path.casefold()].add(f.path)
    hint = "rename or remove one of them"
    yield from capped(
        (
            Hit(
                shown(ps[0]),
                "paths that differ only in case: "
                + ", ".join(f"`{shown(p)}`" for p in ps)
                + "; Windows and macOS keep only one of them",
                hint,
                paths=tuple(shown(p) for p in ps),
            )
            for ps in (sorted(v) for v in groups.values() if len(v) > 1)
        ),
        "case collisions",
        hint,
    )


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
    a = archive(ctx)
    if a is None:
        return
    # a name is ASCII when its bytes are (any other decoding yields a character past ASCII)
    if a.names_text.isascii() or {e.encoding for e in a.entries} <= {"ascii", "utf-8"}:
        return  # the usual zip, told by one flag of one string, else by one set
    hint = "rename the file to an ASCII name, or re-create the zip with agentzip build (it marks names UTF-8)"

    def hits() -> Iterator[Hit]:
        for e in a.entries:
            if e.encoding == "utf-8-unflagged":
                seen = e.raw_name.decode("cp437")
                yield Hit(
                    shown(e.filename),
                    "UTF-8 name without the UTF-8 flag: Python's zipfile reads it as code page 437 and "
                    f"extracts `{shown(seen)}`",
                    hint,
                )
            elif e.encoding == "cp437":
                yield Hit(
                    shown(e.filename),
                    f"name bytes {e.raw_name!r} are not UTF-8 and not marked: read as code page 437 they "
                    "give this name, tools that guess another code page give another",
                    hint,
                )
            elif e.encoding == "invalid":
                yield Hit(
                    shown(e.filename),
                    f"name marked UTF-8 but its bytes {e.raw_name!r} are not: Python's zipfile refuses "
                    "the whole archive (UnicodeDecodeError)",
                    hint,
                    severity=Severity.ERROR,
                )

    yield from capped(hits(), "entries with non-UTF-8 names", hint)
