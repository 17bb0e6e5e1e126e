"""Bundle: one read-only view of a zip or a folder (the folder as the zip it would become)."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator

from agentzip.errors import ArchiveError, UsageError
from agentzip.validator.userfile import pathstr

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import BinaryIO

    from agentzip.validator.zip import ZipArchive, ZipEntry

CHUNK = 1 << 20
AGENTIGNORE = ".agentignore"


class BundleFile:
    """One entry as the runtime would see it after extraction: a posix path relative to the root.

    Read-only by convention, not frozen: a frozen class costs 2.5x as much to build, and a zip
    can have 200,000 entries that are all built before the first rule runs. A zip's files are
    its ZipEntry objects (a subclass), so each entry is built once. A slotted plain class, not a
    dataclass: as fast to build and read, and nothing generated at import (every check imports it).
    """

    __slots__ = ("compressed_size", "is_dir", "is_symlink", "mode", "mtime", "path", "size")

    def __init__(
        self,
        path: str,
        size: int,
        is_dir: bool = False,
        is_symlink: bool = False,
        mode: int | None = None,
        compressed_size: int | None = None,
        mtime: int | None = None,
    ) -> None:
        self.path = path  # directories end without '/'; zip names are kept as written (backslashes too)
        self.size = size
        self.is_dir = is_dir
        self.is_symlink = is_symlink
        self.mode = mode
        self.compressed_size = compressed_size  # zip members only
        # a folder entry's st_mtime_ns, from the scan's own lstat: with the size it keys the disk caches
        # (not part of equality: the same file, stamped or not)
        self.mtime = mtime

    # Equality and hash spell the fields out, as the dataclass did: a helper call per hash costs 30%.
    def __eq__(self, other: object) -> bool:
        # the same class only, as a dataclass compares (the isinstance is for the type checker)
        if other.__class__ is not self.__class__ or not isinstance(other, BundleFile):
            return NotImplemented
        return (self.path, self.size, self.is_dir, self.is_symlink, self.mode, self.compressed_size) == (
            other.path,
            other.size,
            other.is_dir,
            other.is_symlink,
            other.mode,
            other.compressed_size,
        )

    def __hash__(self) -> int:
        return hash((self.path, self.size, self.is_dir, self.is_symlink, self.mode, self.compressed_size))

    def __repr__(self) -> str:
        return (
            f"BundleFile(path={self.path!r}, size={self.size!r}, is_dir={self.is_dir!r}, "
            f"is_symlink={self.is_symlink!r}, mode={self.mode!r}, compressed_size={self.compressed_size!r})"
        )

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def top(self) -> str:
        return self.path.partition("/")[0]


class Bundle:
    """A zip (read through our own hardened reader, never extracted) or a folder on disk."""

    def __init__(
        self,
        kind: str,
        path: str | os.PathLike[str],
        files: list[BundleFile],
        size: int,
        archive: ZipArchive | None = None,
        ignored: int = 0,
    ) -> None:
        self.kind = kind
        # The zip or folder as str(Path(path)) prints it: what reports name, and what each file read is
        # joined to. A plain check never builds a Path (pathlib is ~10 ms of its start-up).
        self.pathname = pathstr(path)
        self._path: Path | None = None
        self.files = files
        self.size = size
        self.archive = archive
        self.ignored = ignored  # files a folder's .agentignore keeps out of the zip
        self.special: list[str] = []  # a folder's FIFOs, sockets and devices: listed, never opened
        self.notes: list[str] = []  # what reading the folder itself had to say (an unusable ignore line)
        self._top: set[str] | None = None

    @property
    def path(self) -> Path:
        """The zip or folder as a Path, built on first use."""
        if self._path is None:
            from pathlib import Path

            self._path = Path(self.pathname)
        return self._path

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Bundle:
        """A Bundle for a zip file or a folder; UsageError when there is nothing there."""
        p = pathstr(path)
        try:
            st = os.stat(p)
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise UsageError(f"{path}: a symlink loop (the link points back to itself)") from None
            if e.errno in (errno.ENOENT, errno.ENOTDIR):
                raise UsageError(f"{path}: no such file or folder") from None
            raise UsageError(f"{path}: cannot read it ({e.strerror})") from None
        except ValueError:
            raise UsageError(f"{path}: not a path (it contains a NUL character)") from None
        if stat.S_ISDIR(st.st_mode):
            return cls._from_folder(p)
        if stat.S_ISREG(st.st_mode):
            return cls._from_zip(p)
        raise UsageError(f"{path}: not a zip file or a folder")

    @classmethod
    def _from_zip(cls, p: str) -> Bundle:
        from agentzip.validator.zip import ZipArchive

        archive = ZipArchive.open(p)
        files: list[BundleFile] = list(archive.entries)  # each entry is its own BundleFile
        return cls("zip", p, files, archive.size, archive=archive)

    @classmethod
    def _from_folder(cls, root: str) -> Bundle:
        from agentzip.validator.ignore import load_agentignore

        ignore, notes = load_agentignore(root)
        files: list[BundleFile] = []
        special: list[str] = []
        total = 0
        ignored = 0
        # Iterative scandir: no recursion limit, never follows a symlink out of the tree.
        stack = [""]
        while stack:
            rel = stack.pop()
            try:
                it = os.scandir(os.path.join(root, rel) if rel else root)
            except OSError:
                continue
            with it:
                for d in it:
                    path = f"{rel}/{d.name}" if rel else d.name
                    try:
                        st = d.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    is_dir = stat.S_ISDIR(st.st_mode)
                    if ignore is not None and ignore.match_file(path + "/" if is_dir else path):
                        ignored += 1
                        continue
                    if is_dir:
                        files.append(BundleFile(path, 0, True, False, st.st_mode, None, st.st_mtime_ns))
                        stack.append(path)
                    elif stat.S_ISLNK(st.st_mode):
                        files.append(BundleFile(path, 0, False, True, st.st_mode, None, st.st_mtime_ns))
                    elif stat.S_ISREG(st.st_mode):
                        total += st.st_size
                        files.append(BundleFile(path, st.st_size, False, False, st.st_mode, None, st.st_mtime_ns))
                    else:  # a FIFO blocks the first open() forever; a device reads without end
                        special.append(path)
        files.sort(key=lambda f: f.path)
        bundle = cls("folder", root, files, total, ignored=ignored)
        bundle.special = sorted(special)
        bundle.notes = notes
        return bundle

    # -- derived views -------------------------------------------------------------------------

    def top_level_names(self) -> set[str]:
        """First path segments of every entry: what sits at the zip root."""
        if self._top is None:
            self._top = {f.path.partition("/")[0] for f in self.files}  # f.top, without a call per entry
        return self._top

    def sha256(self) -> str | None:
        """The zip's lowercase hex SHA-256 (the upload's x-ms-code-zip-sha256); None for a folder."""
        if self.kind != "zip":
            return None
        import hashlib

        h = hashlib.sha256()
        with open(self.pathname, "rb") as fh:
            for block in iter(lambda: fh.read(CHUNK), b""):
                h.update(block)
        return h.hexdigest()

    # -- reading members -----------------------------------------------------------------------

    def head(self, f: BundleFile, n: int) -> bytes:
        """The first n bytes of a file; ArchiveError when it cannot be read."""
        if f.is_dir or f.is_symlink:
            return b""
        if self.archive is not None:
            return self.archive.head(self._member(f), n)
        if n < 0:
            with self._open_file(f) as fh:
                return fh.read(n)
        return self._read_file(f, n)

    def read(self, f: BundleFile, limit: int) -> bytes:
        """The whole file, at most `limit` bytes (ArchiveError beyond: never unbounded memory)."""
        if f.is_dir or f.is_symlink:
            return b""
        if self.archive is not None:
            return self.archive.read(self._member(f), limit)
        data = self._read_file(f, limit + 1)
        if len(data) > limit:
            raise ArchiveError(f"{f.path}: larger than {limit} bytes")
        return data

    def _member(self, f: BundleFile) -> ZipEntry:
        from agentzip.validator.zip import ZipEntry

        if not isinstance(f, ZipEntry):
            raise ArchiveError(f"{f.path}: not a member of {os.path.basename(self.pathname)}")
        return f

    def chunks(self, f: BundleFile) -> Iterator[bytes]:
        """The whole file as a stream of bounded chunks."""
        if f.is_dir or f.is_symlink:
            return
        if self.archive is not None:
            yield from self.archive.iter_chunks(self._member(f), CHUNK)
            return
        with self._open_file(f) as fh:
            yield from iter(lambda: fh.read(CHUNK), b"")

    def samples(self, f: BundleFile, count: int, size: int) -> list[bytes]:
        """`count` pieces of `size` bytes spread evenly over a folder's file (for estimates of big files)."""
        if self.archive is not None or f.is_dir or f.is_symlink:
            raise ArchiveError(f"{f.path}: samples are read from a folder's files only")
        step = max(size, f.size // count)
        with self._open_file(f) as fh:
            out = []
            for i in range(count):
                fh.seek(i * step)
                out.append(fh.read(size))
            return [piece for piece in out if piece]

    def _open_file(self, f: BundleFile) -> BinaryIO:
        """A folder's file opened for reading, if it is still a regular file (never blocks)."""
        fd, _ = self._open_fd(f)
        try:
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise

    def _read_file(self, f: BundleFile, want: int) -> bytes:
        """Up to `want` bytes of a folder's file, by os.read alone: sized by fstat, so a small file
        takes one read and no buffer of `want` bytes (RECORD's limit is 16 MiB) is ever allocated."""
        fd, size = self._open_fd(f)
        try:
            parts: list[bytes] = []
            got = 0
            step = size + 1  # one byte past the size shows a file that grew (or the end)
            while got < want:
                piece = os.read(fd, min(want - got, step))
                if not piece:
                    break
                parts.append(piece)
                got += len(piece)
                step = CHUNK
            return parts[0] if len(parts) == 1 else b"".join(parts)
        finally:
            os.close(fd)

    def _open_fd(self, f: BundleFile) -> tuple[int, int]:
        """A folder's file as (descriptor, size), if it is still a regular file (never blocks)."""
        try:
            fd = os.open(
                os.path.join(self.pathname, f.path),
                os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0),
            )
        except OSError as e:
            raise ArchiveError(f"{f.path}: {e.strerror}") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise ArchiveError(f"{f.path}: not a regular file")
            return fd, st.st_size
        except BaseException:
            os.close(fd)
            raise
