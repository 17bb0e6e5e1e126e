"""Bundle: one read-only view of a zip or a folder (the folder as the zip it would become)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agentzip.errors import ArchiveError, UsageError

if TYPE_CHECKING:
    from agentzip.validator.zip import ZipArchive, ZipEntry

CHUNK = 1 << 20
AGENTIGNORE = ".agentignore"


@dataclass(slots=True, unsafe_hash=True)
class BundleFile:
    """One entry as the runtime would see it after extraction: a posix path relative to the root.

    Read-only by convention, not frozen: a frozen dataclass costs 2.5x as much to build, and a
    zip can have 200,000 entries that are all built before the first rule runs. A zip's files
    are its ZipEntry objects (a subclass), so each entry is built once.
    """

    path: str  # directories end without '/'; zip names are kept as written (backslashes too)
    size: int
    is_dir: bool = False
    is_symlink: bool = False
    mode: int | None = None
    compressed_size: int | None = None  # zip members only

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
        path: Path,
        files: list[BundleFile],
        size: int,
        archive: ZipArchive | None = None,
        ignored: int = 0,
    ) -> None:
        self.kind = kind
        self.path = path
        self.files = files
        self.size = size
        self.archive = archive
        self.ignored = ignored  # files a folder's .agentignore keeps out of the zip
        self._top: set[str] | None = None

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Bundle:
        """A Bundle for a zip file or a folder; UsageError when there is nothing there."""
        p = Path(path)
        if p.is_dir():
            return cls._from_folder(p)
        if p.is_file():
            return cls._from_zip(p)
        if p.exists():
            raise UsageError(f"{path}: not a zip file or a folder")
        raise UsageError(f"{path}: no such file or folder")

    @classmethod
    def _from_zip(cls, p: Path) -> Bundle:
        from agentzip.validator.zip import ZipArchive

        archive = ZipArchive.open(p)
        files: list[BundleFile] = list(archive.entries)  # each entry is its own BundleFile
        return cls("zip", p, files, archive.size, archive=archive)

    @classmethod
    def _from_folder(cls, root: Path) -> Bundle:
        ignore = _agentignore(root)
        files: list[BundleFile] = []
        total = 0
        ignored = 0
        # Iterative scandir: no recursion limit, never follows a symlink out of the tree.
        stack = [""]
        while stack:
            rel = stack.pop()
            try:
                it = os.scandir(root / rel if rel else root)
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
                        files.append(BundleFile(path, 0, is_dir=True, mode=st.st_mode))
                        stack.append(path)
                    else:
                        is_link = stat.S_ISLNK(st.st_mode)
                        size = 0 if is_link else st.st_size
                        total += size
                        files.append(BundleFile(path, size, is_symlink=is_link, mode=st.st_mode))
        files.sort(key=lambda f: f.path)
        return cls("folder", root, files, total, ignored=ignored)

    # -- derived views -------------------------------------------------------------------------

    def top_level_names(self) -> set[str]:
        """First path segments of every entry: what sits at the zip root."""
        if self._top is None:
            self._top = {f.top for f in self.files}
        return self._top

    def sha256(self) -> str | None:
        """The zip's lowercase hex SHA-256 (the upload's x-ms-code-zip-sha256); None for a folder."""
        if self.kind != "zip":
            return None
        import hashlib

        h = hashlib.sha256()
        with open(self.path, "rb") as fh:
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
        try:
            with open(self.path / f.path, "rb") as fh:
                return fh.read(n)
        except OSError as e:
            raise ArchiveError(f"{f.path}: {e.strerror}") from None

    def read(self, f: BundleFile, limit: int) -> bytes:
        """The whole file, at most `limit` bytes (ArchiveError beyond: never unbounded memory)."""
        if f.is_dir or f.is_symlink:
            return b""
        if self.archive is not None:
            return self.archive.read(self._member(f), limit)
        try:
            with open(self.path / f.path, "rb") as fh:
                data = fh.read(limit + 1)
        except OSError as e:
            raise ArchiveError(f"{f.path}: {e.strerror}") from None
        if len(data) > limit:
            raise ArchiveError(f"{f.path}: larger than {limit} bytes")
        return data

    def _member(self, f: BundleFile) -> ZipEntry:
        from agentzip.validator.zip import ZipEntry

        if not isinstance(f, ZipEntry):
            raise ArchiveError(f"{f.path}: not a member of {self.path.name}")
        return f

    def chunks(self, f: BundleFile) -> Iterator[bytes]:
        """The whole file as a stream of bounded chunks."""
        if f.is_dir or f.is_symlink:
            return
        if self.archive is not None:
            yield from self.archive.iter_chunks(self._member(f), CHUNK)
            return
        try:
            with open(self.path / f.path, "rb") as fh:
                yield from iter(lambda: fh.read(CHUNK), b"")
        except OSError as e:
            raise ArchiveError(f"{f.path}: {e.strerror}") from None


def _agentignore(root: Path):  # type: ignore[no-untyped-def]
    """The folder's `.agentignore` as azd reads it (gitignore syntax, root file only), or None."""
    try:
        text = (root / AGENTIGNORE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(text.splitlines())
