"""The closure's disk cache (namecache.py): a second check parses nothing, bad entries are ignored, size is bounded."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from agentzip.validator import namecache
from agentzip.validator import names as names_mod
from agentzip.validator.bundle import Bundle
from agentzip.validator.closure import Closure, closure_of
from agentzip.validator.index import Index
from agentzip.validator.target import Target
from tests.conftest import Files, zip_of

FILES = {
    "main.py": "from lib import hello\nfrom lib import gone  # namecache\n",
    "packages/lib/__init__.py": "def hello():\n    pass\n",
}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("AGENTZIP_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(names_mod, "_CACHE", {})
    return tmp_path / "cache" / "agentzip" / "closure"


def _closure(path: Path) -> Closure:
    return closure_of(Index(Bundle.open(path), Target(runtime="python_3_13", mode="bundled"), 1 << 30))


def _facts(c: Closure) -> list[tuple[str, str, int]]:
    return [(m.name, m.importer, m.line) for m in c.missing]


def test_a_second_run_parses_nothing_and_agrees(
    make_bundle: Callable[[Files], Path], cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = make_bundle(FILES)
    first = _closure(bundle)
    assert _facts(first) == [("gone", "main.py", 2)] and first.files_parsed == 4  # fast and full, two files
    assert any(cache.rglob("*")), "the first run fills the cache"
    monkeypatch.setattr(names_mod, "_CACHE", {})  # a new process: only the disk remembers
    second = _closure(bundle)
    assert _facts(second) == _facts(first)
    assert second.files_parsed == 0 or second.seconds == 0.0  # per-file hits (folder) or the whole result (zip)


def test_a_folder_reuses_its_whole_closure_until_a_file_changes(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "agent"
    for rel, text in FILES.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    assert _facts(_closure(folder)) == [("gone", "main.py", 2)]
    monkeypatch.setattr(names_mod, "_CACHE", {})
    again = _closure(folder)
    assert _facts(again) == [("gone", "main.py", 2)] and again.seconds == 0.0  # the whole result, nothing walked
    lib = folder / "packages/lib/__init__.py"
    lib.write_text("def hello():\n    pass\n\ngone = 1\n")
    os.utime(lib, ns=(lib.stat().st_atime_ns, lib.stat().st_mtime_ns + 10**9))  # a coarse clock still moves
    monkeypatch.setattr(names_mod, "_CACHE", {})
    changed = _closure(folder)
    assert _facts(changed) == [] and changed.files_parsed > 0


def test_a_zip_is_keyed_by_its_central_directory(tmp_path: Path, cache: Path) -> None:
    def key(name: str, files: Files) -> str | None:
        path = tmp_path / name
        path.write_bytes(zip_of(files))
        index = Index(Bundle.open(path), Target(runtime="python_3_13", mode="bundled"), 1 << 30)
        return namecache.closure_key(index, "main.py", 1, 2)

    same = [key(f"same{n}.zip", FILES) for n in range(2)]
    other = key("other.zip", {**FILES, "packages/lib/__init__.py": "def hello():\n    return 1\n"})
    renamed = key("renamed.zip", {**FILES, "packages/lib/__init__.py": "", "packages/lib/x.py": "def hello(): ..."})
    assert same[0] == same[1] and None not in same  # the same members, written twice: one key
    assert len({same[0], other, renamed}) == 3  # another CRC, another listing: another key


def test_corrupt_entries_are_ignored(
    make_bundle: Callable[[Files], Path], cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = make_bundle(FILES)
    _closure(bundle)
    entries = [p for p in cache.rglob("*") if p.is_file()]
    assert entries
    for p in entries:
        p.write_bytes(b"\x00garbage")
    monkeypatch.setattr(names_mod, "_CACHE", {})
    again = _closure(bundle)
    assert _facts(again) == [("gone", "main.py", 2)] and again.files_parsed == 4


def test_the_cache_is_off_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTZIP_NO_CACHE", "1")
    assert namecache.cache_dir() is None
    monkeypatch.setenv("AGENTZIP_NO_CACHE", "0")
    assert namecache.cache_dir() is not None


def test_prune_keeps_the_newest_under_the_limit(tmp_path: Path) -> None:
    shard = tmp_path / "ab"
    shard.mkdir()
    now = time.time()
    for i in range(10):
        p = shard / f"entry{i}"
        p.write_bytes(b"x" * 100)
        os.utime(p, (now - 100 + i, now - 100 + i))
    namecache.prune(tmp_path, 500)
    left = sorted(p.name for p in shard.iterdir())
    assert left == [f"entry{i}" for i in range(7, 10)]  # 300 bytes: three quarters of the limit, newest kept
    namecache.prune(tmp_path, 10_000)
    assert len(list(shard.iterdir())) == 3  # under the limit: nothing goes


def test_an_unwritable_cache_is_not_an_error(
    make_bundle: Callable[[Files], Path], cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_text("a file where the folder should be")
    assert _facts(_closure(make_bundle(FILES))) == [("gone", "main.py", 2)]


def test_an_entry_reads_back_as_it_was_written() -> None:
    source = (
        b"import os\ntry:\n    from x import y\nexcept ImportError:\n    y = None\n__all__ = ['f']\ndef f(): pass\n"
    )
    parsed = names_mod.module_names(source, full=True)
    assert namecache._unpack(namecache._pack(parsed)) == parsed
