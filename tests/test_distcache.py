"""The distributions of an unchanged set of dist-info folders are read once (validator/distcache.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from agentzip.validator.bundle import Bundle
from agentzip.validator.distributions import load_distributions
from tests.conftest import Files
from tests.test_memo import MARKED


@pytest.fixture
def cache_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("AGENTZIP_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg"


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The dist-info members read from here on."""
    seen: list[str] = []
    plain = Bundle.read

    def read(self: Bundle, f, limit):  # type: ignore[no-untyped-def]
        if ".dist-info/" in f.path:
            seen.append(f.path)
        return plain(self, f, limit)

    monkeypatch.setattr(Bundle, "read", read)
    return seen


def test_a_second_read_opens_no_dist_info_file_and_finds_the_same(
    make_bundle: Callable[[Files], Path], cache_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_bundle(MARKED)
    first = load_distributions(Bundle.open(path))
    reads = _reads(monkeypatch)
    second = load_distributions(Bundle.open(path))
    assert reads == []
    assert second == first and [str(r) for d in second for r in d.requires_dist] == [
        str(r) for d in first for r in d.requires_dist
    ]
    assert {d.name: sorted(map(str, d.tags)) for d in second} == {d.name: sorted(map(str, d.tags)) for d in first}


def test_a_changed_metadata_is_read_again(tmp_path: Path, cache_on: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import write_folder

    folder = write_folder(tmp_path / "agent", MARKED)
    (web,) = [d for d in load_distributions(Bundle.open(folder)) if d.name == "web"]
    assert web.requires_python == ">=3.9"
    meta = folder / "packages/web-1.0.dist-info/METADATA"
    meta.write_bytes(meta.read_bytes().replace(b"Requires-Python: >=3.9", b"Requires-Python: >=3.10"))
    st = meta.stat()
    os.utime(meta, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a later stamp, whatever the clock
    reads = _reads(monkeypatch)
    (web,) = [d for d in load_distributions(Bundle.open(folder)) if d.name == "web"]
    assert web.requires_python == ">=3.10" and reads


def test_a_corrupt_entry_is_read_again(
    make_bundle: Callable[[Files], Path], cache_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_bundle(MARKED)
    first = load_distributions(Bundle.open(path))
    entries = [p for p in cache_on.rglob("*") if p.is_file()]
    assert entries
    for p in entries:
        p.write_bytes(p.read_bytes()[:40] + b"\x00" * 30)  # the digest no longer fits: not an entry we wrote
    reads = _reads(monkeypatch)
    assert load_distributions(Bundle.open(path)) == first and reads


@pytest.mark.network
def test_the_real_bundle_reads_back_as_it_was_read(cache_on: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fixtures import realwheels

    for path in (realwheels.bundle("good"), realwheels.bundle_zip("good")):
        first = load_distributions(Bundle.open(path))
        reads = _reads(monkeypatch)
        second = load_distributions(Bundle.open(path))
        assert reads == [] and second == first and len(first) == 72
        monkeypatch.undo()
        monkeypatch.delenv("AGENTZIP_NO_CACHE", raising=False)
        monkeypatch.setenv("XDG_CACHE_HOME", str(cache_on))
