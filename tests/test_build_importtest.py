"""build runs the import test on the zip it wrote by default; a remote_build dry run proves the resolved wheels."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from agentzip import importtest, interpreters
from tests.conftest import write_folder
from tests.test_importtest import PY313, needs_313

RAISES = {"main.py": "import helper\n", "helper.py": "raise RuntimeError('no config here')\n", "requirements.txt": ""}
IMPORTS = {"main.py": "import helper\n", "helper.py": "X = 1\n", "requirements.txt": ""}


def run_build(*args: str) -> tuple[int, str]:
    from agentzip import cli

    result = CliRunner().invoke(cli.main, ["build", *args], catch_exceptions=False)
    return result.exit_code, result.output


@needs_313
def test_build_runs_the_import_test_by_default_and_fails_on_an_import_error(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "a", RAISES)
    code, out = run_build(str(src), "-o", str(tmp_path / "o.zip"), "--mode", "remote_build")
    assert code == 1, out
    assert "import   1 module(s) tried under CPython 3.13" in out and ", 1 failed" in out
    assert "AZ406 import-failed: main.py: `import helper` fails" in out and "kept at" in out
    assert (tmp_path / "o.zip").exists()


@needs_313
def test_build_says_the_import_test_passed(tmp_path: Path) -> None:
    assert PY313 is not None
    src = write_folder(tmp_path / "a", IMPORTS)
    code, out = run_build(str(src), "-o", str(tmp_path / "o.zip"), "--mode", "remote_build", "--python", PY313.path)
    assert code == 0, out
    assert f"  import   1 module(s) tried under CPython 3.13 at {PY313.path} (--python), all imported" in out


def test_no_import_test_skips_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("the import test ran after --no-import-test")

    monkeypatch.setattr(importtest, "run", boom)
    src = write_folder(tmp_path / "a", RAISES)
    code, out = run_build(str(src), "-o", str(tmp_path / "o.zip"), "--mode", "remote_build", "--no-import-test")
    assert code == 0, out
    assert "import " not in out.replace("import helper", "")


def test_build_says_when_the_import_test_cannot_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interpreters, "_candidates", lambda version: iter(()))
    src = write_folder(tmp_path / "a", RAISES)
    code, out = run_build(str(src), "-o", str(tmp_path / "o.zip"), "--mode", "remote_build")
    assert code == 0, out
    lines = [ln for ln in out.splitlines() if ln.startswith("  import ")]
    assert len(lines) == 1 and lines[0].startswith("  import   did not run: no CPython 3.13 found")


@pytest.mark.network
def test_remote_build_dry_run_proves_the_resolved_wheels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentzip.builder.lock import EXCLUDE_NEWER_ENV
    from fixtures.realwheels import AGENT_FRAMEWORK, AGENT_FRAMEWORK_MAIN, EXCLUDE_NEWER

    monkeypatch.setenv(EXCLUDE_NEWER_ENV, EXCLUDE_NEWER)
    src = write_folder(tmp_path / "a", {"main.py": AGENT_FRAMEWORK_MAIN, "requirements.txt": f"{AGENT_FRAMEWORK}\n"})
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, out = run_build(str(src), "--mode", "remote_build", "--dry-run")
    assert code == 1, out
    assert "mcp==2.3.0" in out and "AZ405 missing-import-name" in out and "`mcp<2`" in out
    if PY313 is not None:
        assert "AZ406 import-failed: main.py:1:" in out and "McpError" in out
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written outside a temporary folder
    (src / "requirements.txt").write_text(f"{AGENT_FRAMEWORK}\nmcp<2\n")
    code, out = run_build(str(src), "--mode", "remote_build", "--dry-run")
    assert code == 0, out
    assert "the resolved wheels pass the import closure (AZ405)" in out
