"""Staging: the files of SRC that go into the zip (.agentignore plus defaults that always apply)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from agentzip.builder.zipwriter import Member
from agentzip.foundry import PACKAGES

AGENTIGNORE = ".agentignore"

# Never useful in the runtime, and some are harmful (secrets, a host venv, host bytecode): these
# apply even when the user's .agentignore replaces azd's defaults (FOUNDRY.md: it does, entirely).
ALWAYS_EXCLUDED: tuple[str, ...] = (
    ".venv/",
    "venv/",
    ".git/",
    ".hg/",
    ".svn/",
    ".env",
    ".env.*",
    "__pycache__/",
    "*.pyc",
    "*.pyo",
    ".mypy_cache/",
    ".pytest_cache/",
    ".ruff_cache/",
    ".tox/",
    ".nox/",
    ".ipynb_checkpoints/",
    ".DS_Store",
    "__MACOSX/",
    "node_modules/",
    ".azure/",
)

# azd's own defaults (FOUNDRY.md, "The tools users already have"), used when there is no
# .agentignore, so the zip is the one `azd up` would have made.
AZD_DEFAULTS: tuple[str, ...] = (
    "agent.yaml",
    "azure.yaml",
    ".agentignore",
    ".env",
    ".env.*",
    ".azure/",
    ".git/",
    "__pycache__/",
    ".venv/",
    "venv/",
    "*.pyc",
    "*.pyo",
    ".mypy_cache/",
    ".pytest_cache/",
    "bin/",
    "obj/",
    "*.user",
    "*.suo",
    ".vs/",
    "node_modules/",
    "Dockerfile",
    ".dockerignore",
)

# Tool caches and VCS folders a distribution can ship by mistake (a wheel built from a dirty
# tree): never read at run time, pruned from packages/ (the same set as the AZ607 rule reports).
CACHE_DIRS = frozenset(
    {".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox", ".ipynb_checkpoints", ".git", ".hg", ".svn"}
)

# The build installs dependencies afresh into packages/ (PACKAGES); an old copy from SRC would mix with them.


@dataclass
class Staged:
    """The files chosen from SRC, and what was left out (counts by reason, for the summary)."""

    members: list[Member] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def skip(self, reason: str) -> None:
        self.excluded[reason] = self.excluded.get(reason, 0) + 1


def _spec(lines: Iterable[str]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(list(lines))


def read_agentignore(src: Path) -> pathspec.GitIgnoreSpec | None:
    """SRC's root `.agentignore`, read as `check` reads it: bounded, regular files only, and without
    the lines that cannot be matched in bounded time (check reports those as AZ605)."""
    from agentzip.validator.ignore import load_agentignore

    spec, _notes = load_agentignore(src)
    return spec


def stage(src: Path, *, exclude_paths: Iterable[Path] = ()) -> Staged:
    """Walk SRC (never writing to it) and return the members of the zip, sorted by name.

    Symlinks are followed only while they stay inside SRC (a link out would ship the host's files);
    `exclude_paths` are absolute paths to leave out, such as the output zip when it sits in SRC.
    """
    root = src.resolve()
    walk = _Walk(root, read_agentignore(root), {Path(p).resolve() for p in exclude_paths})
    stack: list[tuple[str, Path]] = [("", root)]
    while stack:
        rel, folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            walk.out.notes.append(f"skipped {rel or '.'}/: {e.strerror}")
            continue
        for entry in entries:
            child = walk.visit(rel, entry)
            if child is not None:
                stack.append(child)
    walk.out.members.sort(key=lambda m: m.name)
    return walk.out


class _Walk:
    """One staging walk: the ignore rules, what was chosen, and the folders already entered."""

    def __init__(self, root: Path, user: pathspec.GitIgnoreSpec | None, excluded: set[Path]) -> None:
        self.root = root
        self.always = _spec(ALWAYS_EXCLUDED)
        self.user = user
        self.rules = user if user is not None else _spec(AZD_DEFAULTS)
        self.excluded = excluded
        self.out = Staged()
        self.seen_dirs = {root}

    def visit(self, rel: str, entry: os.DirEntry[str]) -> tuple[str, Path] | None:
        """Stage one entry; a folder to walk into comes back as (its path in the zip, its real path)."""
        out = self.out
        path = f"{rel}/{entry.name}" if rel else entry.name
        real = Path(entry.path).resolve() if entry.is_symlink() else Path(entry.path)
        if entry.is_symlink():
            if not real.is_relative_to(self.root):
                out.skip("symlink out of the folder")
                return None
            if self.always.match_file(real.relative_to(self.root).as_posix()):
                out.skip("always excluded")  # a link to .env is still .env
                return None
        try:
            st = os.stat(real)
        except OSError:
            out.skip("unreadable or dangling symlink")
            return None
        is_dir = stat.S_ISDIR(st.st_mode)
        probe = path + "/" if is_dir else path
        if self.always.match_file(probe):
            out.skip("always excluded")
            return None
        if self.rules.match_file(probe):
            out.skip(".agentignore" if self.user is not None else "azd default ignore")
            return None
        if not rel and entry.name == PACKAGES and is_dir:
            out.notes.append("left out the folder's own packages/: the build makes it afresh")
            out.skip("old packages/ (rebuilt)")
            return None
        if is_dir:
            if real in self.seen_dirs:  # a symlink loop
                out.skip("symlink loop")
                return None
            self.seen_dirs.add(real)
            return path, real
        if not stat.S_ISREG(st.st_mode):
            out.skip("not a regular file")
            return None
        if real in self.excluded:
            out.skip("the output zip")
            return None
        executable = bool(st.st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))
        out.members.append(Member(path, real, executable))
        return None


def stage_tree(folder: Path, prefix: str) -> list[Member]:
    """Every regular file under an installer's target folder, named `prefix/...` in the zip."""
    members: list[Member] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        rel = os.path.relpath(dirpath, folder)
        base = prefix if rel == "." else f"{prefix}/{Path(rel).as_posix()}"
        for name in sorted(filenames):
            p = Path(dirpath, name)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            executable = bool(st.st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))
            members.append(Member(f"{base}/{name}", p, executable))
    return members


def record_without(text: str, gone: Callable[[str], bool]) -> str:
    """A RECORD (PEP 376 CSV) without the rows whose path `gone` says was removed, so the
    dist-info stays true to the files that ship (`dist-info-broken` checks it)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in csv.reader(io.StringIO(text)):
        if row and not gone(row[0]):
            writer.writerow(row)
    return out.getvalue()


def prune_caches(site: Path) -> list[str]:
    """Remove CACHE_DIRS folders under an installed site folder and their rows from every RECORD;
    one line per folder removed (`somelib/.mypy_cache/: 1,204 files, 58.1 MB`)."""
    import shutil

    removed: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, _ in os.walk(site):
        for name in sorted(d for d in dirnames if d in CACHE_DIRS):
            folder = Path(dirpath, name)
            files = [Path(p, f) for p, _, fs in os.walk(folder) for f in fs]
            size = sum(p.lstat().st_size for p in files)
            removed[folder.relative_to(site).as_posix() + "/"] = (len(files), size)
            shutil.rmtree(folder, ignore_errors=True)
        dirnames[:] = [d for d in dirnames if d not in CACHE_DIRS]
    if not removed:
        return []
    prefixes = tuple(removed)
    for record in site.glob("*.dist-info/RECORD"):
        text = record.read_text(encoding="utf-8", errors="replace")
        pruned = record_without(text, lambda p: p.startswith(prefixes))
        if pruned != text:
            record.write_text(pruned, encoding="utf-8")
    return [f"{p}: {n:,} files, {size / 1e6:.1f} MB" for p, (n, size) in sorted(removed.items())]
