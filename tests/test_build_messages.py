"""What `build` says and tidies: caches pruned from packages/ with RECORD kept true, installer failures explained."""

from __future__ import annotations

from pathlib import Path

from agentzip.builder import staging


def test_prune_caches_removes_the_folders_and_their_record_rows(tmp_path: Path) -> None:
    site = tmp_path / "packages"
    (site / "somelib/.mypy_cache/3.12").mkdir(parents=True)
    (site / "somelib/.mypy_cache/3.12/a.json").write_text("x" * 1000)
    (site / "somelib/__init__.py").write_text("")
    (site / "somelib-1.0.dist-info").mkdir()
    record = site / "somelib-1.0.dist-info/RECORD"
    record.write_text(
        "somelib/__init__.py,,\nsomelib/.mypy_cache/3.12/a.json,sha256=x,1000\nsomelib-1.0.dist-info/RECORD,,\n"
    )
    lines = staging.prune_caches(site)
    assert lines == ["somelib/.mypy_cache/: 1 files, 0.0 MB"]
    assert not (site / "somelib/.mypy_cache").exists() and (site / "somelib/__init__.py").exists()
    assert record.read_text() == "somelib/__init__.py,,\nsomelib-1.0.dist-info/RECORD,,\n"


def test_prune_caches_leaves_a_clean_site_alone(tmp_path: Path) -> None:
    site = tmp_path / "packages"
    (site / "lib").mkdir(parents=True)
    (site / "lib/__init__.py").write_text("")
    assert staging.prune_caches(site) == []
    assert (site / "lib/__init__.py").exists()
