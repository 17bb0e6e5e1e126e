"""A folder near the limit is deflated once: each contributor's size is kept until one of its files changes."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from agentzip.validator import sizes
from agentzip.validator.bundle import Bundle
from tests.conftest import write_folder

FILES: dict[str, bytes | str] = {
    "main.py": "print('hi')\n" * 50,
    "packages/alpha/__init__.py": "A = 1\n" * 400,
    "packages/alpha/data.txt": os.urandom(3000),
    "packages/beta/__init__.py": "B = 2\n" * 300,
}


def _measure(root: Path) -> sizes.ZipSize:
    bundle = Bundle.open(root)
    return sizes.measure(bundle, [f for f in bundle.files if not f.is_dir], limit=1)  # 1 byte: always deflate


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("AGENTZIP_NO_CACHE", raising=False)
    seen: list[str] = []
    real = sizes.deflated_size

    def deflated(bundle: Bundle, f: sizes.BundleFile) -> int:
        seen.append(f.path)
        return real(bundle, f)

    monkeypatch.setattr(sizes, "deflated_size", deflated)
    return seen


def test_a_second_check_deflates_nothing_and_agrees(tmp_path: Path, counted: list[str]) -> None:
    root = write_folder(tmp_path / "agent", FILES)
    first = _measure(root)
    assert len(counted) == 4
    counted.clear()
    second = _measure(root)
    assert counted == [] and second == first and second.measured


def test_a_changed_file_deflates_its_contributor_again(tmp_path: Path, counted: list[str]) -> None:
    root = write_folder(tmp_path / "agent", FILES)
    _measure(root)
    counted.clear()
    (root / "packages" / "beta" / "__init__.py").write_text("B = 3\n" * 900)
    changed = _measure(root)
    assert counted == ["packages/beta/__init__.py"]
    os.environ["AGENTZIP_NO_CACHE"] = "1"
    try:
        fresh = _measure(root)
    finally:
        del os.environ["AGENTZIP_NO_CACHE"]
    assert changed == fresh


def test_the_measure_matches_the_zip_it_would_become(tmp_path: Path, counted: list[str]) -> None:
    root = write_folder(tmp_path / "agent", FILES)
    _measure(root)
    cached = _measure(root)  # read back from the cache
    z = tmp_path / "agent.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(FILES):
            zf.write(root / path, path)
    # as `zip` does, a member deflate would grow is stored
    deflated = sum(min(i.compress_size, i.file_size) for i in zipfile.ZipFile(z).infolist())
    assert sum(cached.per_contributor.values()) == deflated


def test_a_corrupt_entry_is_recomputed(tmp_path: Path, counted: list[str]) -> None:
    root = write_folder(tmp_path / "agent", FILES)
    first = _measure(root)
    for dirpath, _, names in os.walk(tmp_path / "cache"):
        for n in names:
            Path(dirpath, n).write_bytes(b"\0" * 40)
    counted.clear()
    assert _measure(root) == first and len(counted) == 4
