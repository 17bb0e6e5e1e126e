"""A plain `agentzip check` of a small bundle never imports `typing` (a few ms of every pre-commit run)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from agentzip.validator import stdlib
from tests.test_startup import GOOD, heavy_loaded


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_a_small_check_never_imports_typing(as_zip: bool, tmp_path: Path) -> None:
    path = GOOD
    if as_zip:
        path = tmp_path / "good-agent.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(GOOD.rglob("*")):
                if f.is_file():
                    zf.write(f, f.relative_to(GOOD).as_posix())
    # pkgutil imports typing when it loads (functools.singledispatch), so it is watched too
    code, output, loaded = heavy_loaded(path, ["typing", "pkgutil", "stdlib_list"])
    assert code == 0 and "no problems found" in output, output
    assert loaded == {}, f"imported on the check path (module <- who asked): {loaded}"


def test_stdlib_lists_read_without_the_package_match_the_package() -> None:
    import stdlib_list

    assert stdlib._list_files() is not None, "stdlib-list's lists folder was not found: the fallback ran"
    assert stdlib.list_versions() == list(stdlib_list.short_versions)
    for version in stdlib.list_versions():
        assert stdlib.list_names(version) == stdlib_list.stdlib_list(version), version


def test_without_the_lists_folder_the_package_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    import stdlib_list

    monkeypatch.setattr(stdlib, "_list_files", lambda: None)
    assert stdlib.list_versions() == list(stdlib_list.short_versions)
    assert stdlib.list_names("3.13") == stdlib_list.stdlib_list("3.13")
