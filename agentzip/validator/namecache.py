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
import marshal
import os
import sys
from collections.abc import Hashable

from agentzip.validator.names import ImportStmt, ModuleNames

try:  # hashlib's own blake2b, without the OpenSSL bindings `import hashlib` loads first (5 ms of a check)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter built without it: hashlib has another
    from hashlib import blake2b

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from agentzip.validator.closure import Closure
    from agentzip.validator.index import Index

SCHEMA = 2  # bump when ModuleNames or the parse changes meaning
MAX_ENTRY = 1 << 20  # an entry bigger than this is not kept
MAX_TOTAL = 64 << 20  # bytes kept in the folder; past it the oldest entries go
_ENV_OFF = "AGENTZIP_NO_CACHE"


def cache_dir() -> str | None:
    """The cache folder, or None when caching is off."""
    if os.environ.get(_ENV_OFF, "") not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "agentzip", "closure")


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
    """A file name for an entry keyed by its parts (the schema, agentzip's version and the host Python
    are added: an upgrade never reads what an older release wrote)."""
    from agentzip import __version__

    raw = repr((SCHEMA, __version__, sys.version_info[:2], parts))
    return blake2b(raw.encode("utf-8", "replace"), digest_size=16).hexdigest()


_SEAL = 16  # bytes of blake2b over the payload, written before it


def seal(payload: bytes) -> bytes:
    """The payload behind its own digest: marshal trusts its input (a corrupt length field asks it
    to allocate gigabytes), so nothing reaches marshal.loads unless the digest says we wrote it."""
    return blake2b(payload, digest_size=_SEAL).digest() + payload


def _unseal(data: bytes) -> bytes | None:
    payload = data[_SEAL:]
    if len(data) < _SEAL or blake2b(payload, digest_size=_SEAL).digest() != data[:_SEAL]:
        return None
    return payload


def unseal_int(data: bytes) -> int | None:
    """The int a sealed entry holds, or None for anything else (a torn, foreign or corrupt file)."""
    try:
        value = _loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    return value if type(value) is int and value >= 0 else None


def _loads(data: bytes) -> Any:
    payload = _unseal(data)
    if payload is None:
        raise ValueError("not an entry this cache wrote")
    return marshal.loads(payload)


def _pack(m: ModuleNames) -> bytes:
    return seal(
        marshal.dumps(
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
                m.writes_globals,
            )
        )
    )


def _unpack(data: bytes) -> ModuleNames | None:
    try:
        schema, defined, all_names, all_dynamic, stars, hook, edits, imports, unknown, partial, globs = _loads(data)
        if schema != SCHEMA or not _strs(defined) or not (all_names is None or _strs(all_names)):
            return None
        if not (_is_stmts(stars) and _is_stmts(imports) and (unknown is None or isinstance(unknown, str))):
            return None
        return ModuleNames(
            frozenset(defined),
            all_names,
            bool(all_dynamic),
            tuple(ImportStmt(*s) for s in stars),
            bool(hook),
            bool(edits),
            tuple(ImportStmt(*s) for s in imports),
            unknown,
            bool(partial),
            bool(globs),
        )
    except (ValueError, EOFError, TypeError):
        return None  # corrupt, truncated or written by another version: parse again


def _strs(value: object) -> bool:
    return isinstance(value, (tuple, frozenset)) and all(isinstance(v, str) for v in value)


def _is_stmts(value: object) -> bool:
    """A tuple of import statements as _stmts writes them (what a foreign or damaged file is not)."""
    return isinstance(value, tuple) and all(
        isinstance(s, tuple)
        and len(s) == 8
        and isinstance(s[0], int)
        and isinstance(s[1], int)
        and isinstance(s[2], str)
        and _strs(s[3])
        for s in value
    )


class DiskCache:
    """The cache for one run: reads entries, writes new ones, prunes once at the end."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = os.fspath(folder) if folder is not None else cache_dir()
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
        shard = os.path.join(self.folder, name[:2])
        tmp = os.path.join(shard, f".{name}.{os.getpid()}.tmp")
        try:
            os.makedirs(shard, exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, os.path.join(shard, name))
            self.written += len(data)
        except OSError:
            self.folder = None  # read-only, full or not a folder: stop trying for this run
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def close(self) -> None:
        """Prune the folder when this run wrote to it and it has grown past MAX_TOTAL."""
        if self.written and self.folder is not None:
            prune(self.folder, MAX_TOTAL)


def prune(folder: str | os.PathLike[str], limit: int) -> None:
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


def closure_key(index: Index, entry: str, *budget: int) -> str | None:
    """The cache name of a bundle's closure: what fixes every entry's path, size and content.

    A zip's central directory holds each member's name, size and CRC, so its digest stands for
    them all; a folder lists each entry's path, size and modification time."""
    bundle = index.bundle
    if bundle.archive is not None:
        digest = bundle.archive.directory_digest()
        if digest is None:
            return None
        where = "zip"
    else:
        listing = [(f.path, f.size, f.mtime, f.is_dir) for f in bundle.files]
        if any(t[2] is None for t in listing):
            return None  # an entry the scan did not stamp: its content is not fixed
        digest = blake2b(marshal.dumps(listing, 2), digest_size=16).hexdigest()
        where = os.path.abspath(bundle.pathname)
    return blob_name("closure", where, entry, index.source_base, index.target.python_version, budget, digest)


def pack_closure(c: Closure) -> bytes:
    """A whole closure's result, for a bundle whose every file is unchanged."""
    missing = tuple(
        (m.name, m.module, m.module_path, m.importer, m.line, m.chain, m.suggestions, m.kind) for m in c.missing
    )
    counts = (c.unknown_count, c.modules_visited, c.files_parsed, c.bytes_parsed)
    return seal(marshal.dumps((SCHEMA, missing, tuple(c.unknown), counts)))


def unpack_closure(data: bytes) -> Closure | None:
    from agentzip.validator.closure import Closure, MissingName

    try:
        schema, missing, unknown, (unknown_count, visited, files, size) = _loads(data)
        if (
            schema != SCHEMA
            or not _strs(unknown)
            or not all(isinstance(n, int) for n in (unknown_count, visited, files, size))
        ):
            return None
        rows = [MissingName(*m) for m in missing]
        if not all(isinstance(m.line, int) and _strs(m.chain) and _strs(m.suggestions) for m in rows):
            return None
        if not all(_strs((m.name, m.module, m.module_path, m.importer, m.kind)) for m in rows):
            return None
        out = Closure()
        out.missing, out.unknown = rows, list(unknown)
        out.unknown_count, out.modules_visited, out.files_parsed, out.bytes_parsed = unknown_count, visited, files, size
        return out
    except (ValueError, EOFError, TypeError):
        return None
