"""A persistent cache of parsed module names (names.py), so a second check of the same wheels parses nothing.

Entries live under the user cache folder (`$XDG_CACHE_HOME/agentzip/closure`, by default
`~/.cache/agentzip/closure`), one small `marshal` file each (plain data: never code), keyed by
what fixes a file's content: size and CRC-32 for a zip member (from the central directory, so a
hit reads nothing from the zip), size and modification time for a folder file. Writes are
atomic (a temporary file, then a rename); a corrupt or foreign entry is ignored; the folder is
pruned, oldest first, past MAX_TOTAL bytes. `AGENTZIP_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING

from agentzip.validator.names import ImportStmt, ModuleNames

if TYPE_CHECKING:
    from agentzip.validator.closure import Closure

SCHEMA = 1  # bump when ModuleNames or the parse changes meaning
MAX_ENTRY = 1 << 20  # an entry bigger than this is not kept
MAX_TOTAL = 64 << 20  # bytes kept in the folder; past it the oldest entries go
_ENV_OFF = "AGENTZIP_NO_CACHE"


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    if os.environ.get(_ENV_OFF, "") not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "agentzip" / "closure"


def _name(key: Hashable, full: bool) -> str | None:
    """A file name for a cache key, or None for keys that do not fix the content."""
    if not isinstance(key, tuple) or len(key) != 4:
        return None
    kind, path, size, stamp = key
    # a zip member's size and CRC fix its content wherever it lies; a folder file's stamp is its own
    what = (kind, size, stamp) if kind == "zip" else (kind, path, size, stamp)
    return blob_name("names", full, what)


_Stmt = tuple[int, int, str, tuple[str, ...], bool, bool, bool, bool]


def _stmts(ss: tuple[ImportStmt, ...]) -> tuple[_Stmt, ...]:
    return tuple((s.line, s.level, s.module, s.names, s.is_from, s.guarded, s.type_checking, s.conditional) for s in ss)


def blob_name(*parts: object) -> str:
    """A file name for an entry keyed by its parts (the schema and the host Python are added)."""
    raw = repr((SCHEMA, sys.version_info[:2], parts))
    return hashlib.blake2b(raw.encode("utf-8", "replace"), digest_size=16).hexdigest()


def _pack(m: ModuleNames) -> bytes:
    return marshal.dumps(
        (
            SCHEMA,
            m.defined,
            m.all_names,
            m.all_dynamic,
            _stmts(m.star_imports),
            m.getattr_hook,
            m.edits_modules,
            _stmts(m.imports),
            m.unknown,
            m.partial,
        )
    )


def _unpack(data: bytes) -> ModuleNames | None:
    try:
        schema, defined, all_names, all_dynamic, stars, hook, edits, imports, unknown, partial = marshal.loads(data)
        if schema != SCHEMA:
            return None
        return ModuleNames(
            frozenset(defined),
            all_names,
            all_dynamic,
            tuple(ImportStmt(*s) for s in stars),
            hook,
            edits,
            tuple(ImportStmt(*s) for s in imports),
            unknown,
            partial,
        )
    except (ValueError, EOFError, TypeError):
        return None  # corrupt, truncated or written by another version: parse again


class DiskCache:
    """The cache for one run: reads entries, writes new ones, prunes once at the end."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else cache_dir()
        self.written = 0

    def get(self, key: Hashable | None, full: bool) -> ModuleNames | None:
        name = _name(key, full) if self.folder is not None and key is not None else None
        data = self.read(name) if name is not None else None
        return _unpack(data) if data is not None else None

    def read(self, name: str) -> bytes | None:
        """The bytes of one entry, or None."""
        if self.folder is None:
            return None
        try:
            with open(os.path.join(self.folder, name[:2], name), "rb") as f:
                return f.read(MAX_ENTRY + 1)
        except OSError:
            return None

    def put(self, key: Hashable | None, full: bool, value: ModuleNames) -> None:
        name = _name(key, full) if self.folder is not None and key is not None else None
        if name is not None:
            self.write(name, _pack(value))

    def write(self, name: str, data: bytes) -> None:
        """Store one entry atomically; a failure turns the cache off for the rest of the run."""
        if self.folder is None or len(data) > MAX_ENTRY:
            return
        shard = self.folder / name[:2]
        tmp = shard / f".{name}.{os.getpid()}.tmp"
        try:
            shard.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, shard / name)
            self.written += len(data)
        except OSError:
            self.folder = None  # read-only, full or not a folder: stop trying for this run
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def close(self) -> None:
        """Prune the folder when this run wrote to it and it has grown past MAX_TOTAL."""
        if self.written and self.folder is not None:
            prune(self.folder, MAX_TOTAL)


def prune(folder: Path, limit: int) -> None:
    """Delete the oldest entries until the folder holds at most three quarters of `limit` bytes."""
    entries: list[tuple[float, int, str]] = []
    try:
        for shard in os.scandir(folder):
            if shard.is_dir(follow_symlinks=False):
                for e in os.scandir(shard.path):
                    st = e.stat(follow_symlinks=False)
                    entries.append((st.st_mtime, st.st_size, e.path))
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    if total <= limit:
        return
    for _, size, path in sorted(entries):
        if total <= limit * 3 // 4:
            break
        try:
            os.unlink(path)
        except OSError:
            continue
        total -= size


def pack_closure(c: Closure) -> bytes:
    """A whole closure's result, for a bundle whose every file is unchanged."""
    missing = tuple(
        (m.name, m.module, m.module_path, m.importer, m.line, m.chain, m.suggestions, m.kind) for m in c.missing
    )
    counts = (c.unknown_count, c.modules_visited, c.files_parsed, c.bytes_parsed)
    return marshal.dumps((SCHEMA, missing, tuple(c.unknown), counts))


def unpack_closure(data: bytes) -> Closure | None:
    from agentzip.validator.closure import Closure, MissingName

    try:
        schema, missing, unknown, (unknown_count, visited, files, size) = marshal.loads(data)
        if schema != SCHEMA:
            return None
        return Closure([MissingName(*m) for m in missing], list(unknown), unknown_count, visited, files, size)
    except (ValueError, EOFError, TypeError):
        return None
