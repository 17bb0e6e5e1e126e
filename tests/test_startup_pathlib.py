"""The pre-commit case: `agentzip check` of a small folder or zip never imports `pathlib` (~10 ms at start-up)."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentzip import api
from agentzip.errors import UsageError
from agentzip.validator.userfile import pathstr, real
from tests import test_startup
from tests.test_startup import GOOD, heavy_loaded, zip_folder

# pathlib, with fnmatch, ntpath, urllib.parse and ipaddress under it, was a tenth of a small check's CPU time.
HEAVY = ["pathlib"]

# An editable install's finder (a .pth file) imports pathlib before agentzip starts; a regular install
# does not. Forgetting it first makes the check start as it would from a regular install, so that any
# import of pathlib on the check path shows (the finder keeps the module it already holds).
_FORGET = "import sys\nsys.modules.pop('pathlib', None)\n"

# Bundle.open importing pathlib, defined in the bundle module's namespace so that the probe names it.
_BUNDLE_IMPORTS_IT = """
import agentzip.validator.bundle as b
exec(
    "_plain_open = Bundle.open.__func__\\n"
    "def _open_importing(cls, path):\\n"
    "    import pathlib\\n"
    "    return _plain_open(cls, path)\\n"
    "Bundle.open = classmethod(_open_importing)\\n",
    vars(b),
)
"""


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_a_small_check_never_imports_pathlib(as_zip: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(test_startup, "_WHO", _FORGET + test_startup._WHO)
    path = zip_folder(GOOD, tmp_path / "good-agent.zip") if as_zip else GOOD
    code, output, loaded = heavy_loaded(path, HEAVY)
    assert code == 0, output
    assert "no problems found" in output
    assert loaded == {}, "imported by the check: " + "; ".join(f"{m} (from {chain})" for m, chain in loaded.items())


def test_the_guard_names_a_module_that_imports_pathlib(monkeypatch: pytest.MonkeyPatch) -> None:
    # a guard that cannot fail guards nothing: the same probe must see an import on the check path
    monkeypatch.setattr(test_startup, "_WHO", _FORGET + _BUNDLE_IMPORTS_IT + test_startup._WHO)
    code, output, loaded = heavy_loaded(GOOD, HEAVY)
    assert code == 0, output
    assert "agentzip.validator.bundle" in loaded.get("pathlib", ""), loaded


# -- the str paths keep what users and callers saw -------------------------------------------------------

_PARTS = st.lists(st.text(alphabet="/.ab", max_size=8), min_size=1, max_size=3)


@pytest.mark.skipif(os.name != "posix", reason="pathstr hands non-POSIX paths to pathlib itself")
@given(_PARTS)
def test_pathstr_spells_a_path_as_pathlib_prints_it(parts: list[str]) -> None:
    assert pathstr(*parts) == str(PurePosixPath(*parts))


@pytest.mark.parametrize("spelling", ["examples/good-agent/", "./examples//good-agent", "examples/good-agent"])
def test_the_report_names_the_input_as_it_always_has(spelling: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOOD.parent.parent)
    report = api.check(spelling)
    assert report.input.path == str(Path(spelling)) == "examples/good-agent"
    assert api.check(Path(spelling)).input.path == report.input.path


def test_public_paths_stay_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.definition import resolve

    monkeypatch.chdir(tmp_path)
    (tmp_path / "agent").mkdir()
    (tmp_path / "agent" / "main.py").write_text("print('hi')\n")
    assert resolve("agent/") == [(Path("agent"), None)]
    bundle = Bundle.open("agent/")
    assert bundle.path == Path("agent") and bundle.pathname == "agent"
    (tmp_path / "agentzip.toml").write_text('fail-on = "warning"\n')
    ((_, cfg),) = api.contexts("agent")
    assert cfg.source == tmp_path.resolve() / "agentzip.toml" and cfg.fail_on == "warning"


def test_a_symlink_loop_is_a_usage_error_on_every_python(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(UsageError, match="symlink loop"):
        real(loop)
    assert real(tmp_path / "missing" / "x") == str(tmp_path.resolve() / "missing" / "x")
