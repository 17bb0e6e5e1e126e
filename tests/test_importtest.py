"""The import test runs a real CPython 3.13 on the extracted bundle: skipped with a reason without one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agentzip import api, importtest, interpreters
from agentzip.foundry import RUNTIMES as FOUNDRY_RUNTIMES
from agentzip.validator.context import Context
from agentzip.validator.findings import Finding


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
    monkeypatch.setattr(interpreters, "_candidates", lambda version: iter(()))
    (tmp_path / "main.py").write_text("import json\n")
    test = importtest.run(_ctx(tmp_path))
    assert test.results == ()
    assert test.skipped is not None and "no CPython 3.13 found" in test.skipped


def test_an_explicit_interpreter_of_the_wrong_version_is_refused(tmp_path: Path) -> None:
    import sys

    with pytest.raises(importtest.NotRunnable, match=r"the target needs 3\.14"):
        importtest.find_interpreter((3, 14), sys.executable if sys.version_info[:2] != (3, 14) else "/bin/false")


# -- AZ406 import-failed: the import test as a check ------------------------------------------------

RAISES = {
    "main.py": "import os\nfrom helper import VALUE\n",
    "helper.py": "VALUE = 1\nraise RuntimeError('no config here')\n",
}
MISSING_NAME = {
    "main.py": "import json\n\nfrom lib import missing\n",
    "packages/lib/__init__.py": "present = 1\n",
    "packages/lib-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: lib\nVersion: 1.0\n",
}
CLEAN = {
    "main.py": "import json\nfrom lib import present\n",
    "packages/lib/__init__.py": "present = 1\n",
    "packages/lib-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: lib\nVersion: 1.0\n",
}


def _az406(path: Path, **settings: object) -> tuple[list[Finding], tuple[str, ...]]:
    report = api.check(path, import_test=True, select=["AZ406"], **settings)
    return [f for f in report.findings if f.code == "AZ406"], report.notes


@needs_313
def test_az406_a_module_that_raises_at_import(make_bundle: Callable[[dict[str, str]], Path]) -> None:
    found, notes = _az406(make_bundle(RAISES))
    assert len(found) == 1
    (f,) = found
    assert (f.path, f.line, f.rule) == ("main.py", 2, "import-failed")
    assert f.message.startswith("`import helper` fails under the real interpreter: RuntimeError: no config here")
    assert 'File "helper.py", line 2, in <module>' in f.message  # the bundle's path, not the temp folder
    assert "agentzip-import-" not in f.message
    assert "<frozen" not in f.message and "importlib/__init__.py" not in f.message  # the import system's frames
    assert f.hint  # explain has no words for a RuntimeError: the generic fix
    assert any(n.startswith("import test: 2 module(s) tried under CPython 3.13") for n in notes)


@needs_313
def test_az406_a_name_the_module_does_not_have(make_bundle: Callable[[dict[str, str]], Path]) -> None:
    found, _ = _az406(make_bundle(MISSING_NAME))
    assert [(f.path, f.line) for f in found] == [("main.py", 3)]
    assert "cannot import name 'missing' from 'lib' (packages/lib/__init__.py)" in found[0].message


@needs_313
def test_az406_clean_bundle_has_no_finding(make_bundle: Callable[[dict[str, str]], Path]) -> None:
    found, notes = _az406(make_bundle(CLEAN))
    assert found == []
    assert [n for n in notes if n.startswith("import test:")] == [
        f"import test: 2 module(s) tried under {PY313.describe() if PY313 else ''}, all imported"
    ]


def test_az406_without_an_interpreter_says_so_once_and_finds_nothing(
    make_bundle: Callable[[dict[str, str]], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(interpreters, "_candidates", lambda version: iter(()))
    report = api.check(make_bundle(RAISES), import_test=True)
    assert [f for f in report.findings if f.code == "AZ406"] == []
    said = [n for n in report.notes if n.startswith("import test:")]
    assert len(said) == 1 and said[0].startswith("import test: did not run: no CPython 3.13 found")


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"main.py": "print(1)\n"}, "the entry point imports nothing at module level"),
        ({"Program.cs": "class P {}\n", "app.csproj": "<Project/>\n"}, "is not a Python runtime"),
    ],
)
def test_az406_notes_when_the_test_cannot_run(
    make_bundle: Callable[[dict[str, str]], Path], files: dict[str, str], reason: str
) -> None:
    runtime = "python_3_13" if "main.py" in files else "dotnet_10"
    assert runtime in FOUNDRY_RUNTIMES
    report = api.check(make_bundle(files), import_test=True, runtime=runtime)
    said = [n for n in report.notes if n.startswith("import test:")]
    assert len(said) == 1 and reason in said[0]
    assert not [f for f in report.findings if f.code == "AZ406"]


def test_az406_off_by_default_costs_nothing(
    make_bundle: Callable[[dict[str, str]], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("the import test ran without being asked for")

    monkeypatch.setattr(importtest, "run", boom)
    report = api.check(make_bundle(RAISES))
    assert not [n for n in report.notes if n.startswith("import test")]


def test_az406_on_another_host_says_why(
    make_bundle: Callable[[dict[str, str]], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(interpreters.platform, "machine", lambda: "arm64")
    report = api.check(make_bundle(CLEAN), import_test=True)
    assert [n for n in report.notes if n.startswith("import test:")] == [
        "import test: did not run: the runtime is Linux x86_64 and this host is linux arm64"
    ]


@needs_313
def test_check_cli_import_test_flag(make_bundle: Callable[[dict[str, str]], Path]) -> None:
    from click.testing import CliRunner

    from agentzip.cli import main

    assert PY313 is not None
    result = CliRunner().invoke(main, ["check", "--import-test", "--python", PY313.path, str(make_bundle(RAISES))])
    assert result.exit_code == 1, result.output
    assert "AZ406 import-failed" in result.output and "RuntimeError: no config here" in result.output
    assert "import test: 2 module(s) tried under CPython 3.13" in result.output


@pytest.mark.network
@needs_313
def test_az406_on_real_agent_framework_bundles() -> None:
    from fixtures import realwheels

    mcp2, _ = _az406(realwheels.bundle_zip("agent-framework-mcp2"))
    assert [(f.path, f.line) for f in mcp2] == [("main.py", 1)]
    assert "cannot import name 'McpError' from 'mcp.shared.exceptions'" in mcp2[0].message
    assert 'File "packages/agent_framework/_agents.py", line 15' in mcp2[0].message
    assert "mcp" in mcp2[0].hint
    pinned, notes = _az406(realwheels.bundle("agent-framework-pinned"))
    assert pinned == []
    assert any(n.endswith("all imported") for n in notes)
