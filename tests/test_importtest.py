"""The import test runs a real CPython 3.13 on the extracted bundle: skipped with a reason without one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agentzip import api, importtest
from agentzip.validator.context import Context


def _interpreter() -> importtest.Interpreter | None:
    try:
        return importtest.find_interpreter((3, 13))
    except importtest.NotRunnable:
        return None


PY313 = _interpreter()
needs_313 = pytest.mark.skipif(PY313 is None, reason="no CPython 3.13 for Linux x86_64 here (pyenv, uv or PATH)")


def _ctx(path: Path) -> Context:
    ((ctx, _cfg),) = list(api.contexts(path))
    return ctx


def _errors(test: importtest.ImportTest) -> dict[str, str | None]:
    return {r.module: r.error for r in test.results}


@needs_313
def test_imports_what_the_entry_point_imports_with_the_names_it_takes(
    make_bundle: Callable[[dict[str, str]], Path],
) -> None:
    bundle = make_bundle(
        {
            "main.py": "import json\nfrom os import path, nosuch\nimport helper\nimport absent\n",
            "helper.py": "from lib import VALUE\n",
            "packages/lib/__init__.py": "VALUE = 1\n",
            "packages/lib-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: lib\nVersion: 1.0\n",
        }
    )
    test = importtest.run(_ctx(bundle))
    assert test.skipped is None
    errors = _errors(test)
    assert set(errors) == {"json", "os", "helper", "absent"}  # not the entry itself
    assert errors["json"] is None and errors["helper"] is None
    assert errors["os"] is not None and "cannot import name 'nosuch' from 'os'" in errors["os"]
    assert errors["absent"] == "ModuleNotFoundError: No module named 'absent'"
    assert [r.module for r in test.failures] == ["os", "absent"]


@needs_313
def test_the_interpreter_is_isolated_from_the_host(make_bundle: Callable[[dict[str, str]], Path]) -> None:
    # agentzip itself is installed on the host: the bundle must not see it, nor PYTHONPATH.
    bundle = make_bundle({"main.py": "import agentzip\n"})
    test = importtest.run(_ctx(bundle))
    assert _errors(test) == {"agentzip": "ModuleNotFoundError: No module named 'agentzip'"}


@needs_313
def test_a_hang_or_a_crash_names_the_module_and_the_rest_still_run(tmp_path: Path) -> None:
    assert PY313 is not None
    root = tmp_path / "b"
    root.mkdir()
    (root / "hangs.py").write_text("while True:\n    pass\n")
    (root / "dies.py").write_text("import os\nos._exit(9)\n")
    (root / "fine.py").write_text("X = 1\n")
    results = importtest.import_modules(PY313, root, ["fine", "hangs", "dies", "fine"], timeout=3)
    got = [(r.module, r.error) for r in results]
    assert got[0] == ("fine", None)
    assert got[1][0] == "hangs" and "did not finish within 3 s" in str(got[1][1])
    assert got[2][0] == "dies" and "status 9" in str(got[2][1])
    assert got[3] == ("fine", None)


def test_extraction_writes_only_inside_the_folder(tmp_path: Path) -> None:
    from agentzip.validator.bundle import Bundle
    from fixtures.hostile import traversal_names

    zpath = tmp_path / "deep" / "evil.zip"
    zpath.parent.mkdir()
    zpath.write_bytes(traversal_names())
    dest = tmp_path / "deep" / "out"
    dest.mkdir()
    left_out = importtest.extract(Bundle.open(zpath), dest)
    assert (dest / "main.py").read_bytes() == b"print(1)\n"
    assert sorted(p.name for p in dest.rglob("*")) == ["main.py"]
    assert not (tmp_path / "etc").exists() and not Path("/abs.py").exists()
    assert len(left_out) == 2


def test_without_an_interpreter_it_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importtest, "_candidates", lambda version: iter(()))
    (tmp_path / "main.py").write_text("import json\n")
    test = importtest.run(_ctx(tmp_path))
    assert test.results == ()
    assert test.skipped is not None and "no CPython 3.13 found" in test.skipped


def test_an_explicit_interpreter_of_the_wrong_version_is_refused(tmp_path: Path) -> None:
    import sys

    with pytest.raises(importtest.NotRunnable, match=r"the target needs 3\.14"):
        importtest.find_interpreter((3, 14), sys.executable if sys.version_info[:2] != (3, 14) else "/bin/false")
