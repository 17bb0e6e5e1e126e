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


def test_check_and_build_say_which_mode_in_the_same_words(tmp_path: Path) -> None:
    from agentzip import api
    from agentzip.builder import settings

    (tmp_path / "main.py").write_text("print('hi')\n")
    (tmp_path / "requirements.txt").write_text("requests\n")
    report = api.check(tmp_path, no_config=True)
    checked = [n for n in report.notes if n.startswith("mode: ")]
    assert checked == [
        "mode: remote_build, inferred because the bundle has no packages/ or installed *.dist-info "
        "(build's default is bundled); set it with --mode or the definition's dependency resolution"
    ]
    built = settings.resolve(tmp_path, api.CheckRequest(no_config=True))
    assert built.mode_note.startswith("mode: bundled, build's default (the documented bundled build")
    assert built.mode_note.endswith(checked[0].rsplit(";", 1)[1])  # the same way to set it
    flagged = settings.resolve(tmp_path, api.CheckRequest(no_config=True, mode="remote_build"))
    assert flagged.mode_note == "mode: remote_build, from the flag"
