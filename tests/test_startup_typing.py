"""A plain `agentzip check` of a small bundle never imports `typing` (a few ms of every pre-commit run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_startup import GOOD, heavy_loaded, zip_folder


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_a_small_check_never_imports_typing(as_zip: bool, tmp_path: Path) -> None:
    path = zip_folder(GOOD, tmp_path / "good-agent.zip") if as_zip else GOOD
    # pkgutil imports typing when it loads (functools.singledispatch), so it is watched too
    code, output, loaded = heavy_loaded(path, ["typing", "pkgutil", "stdlib_list"])
    assert code == 0 and "no problems found" in output, output
    assert loaded == {}, f"imported on the check path (module <- who asked): {loaded}"
