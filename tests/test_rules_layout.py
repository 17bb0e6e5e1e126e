"""Layout rules: each with a clean case that must not fire and bad cases that must, zip and folder."""

from __future__ import annotations

import pytest

from agentzip.api import check
from tests.conftest import codes

GOOD = {"main.py": "print('hi')\n", "requirements.txt": "requests==2.32.3\n"}

CASES = [
    # (rule, files, check kwargs, fires)
    ("wrapper-folder", GOOD, {}, False),
    ("wrapper-folder", {"my-agent/main.py": "x=1\n", "my-agent/requirements.txt": ""}, {}, True),
    (
        "wrapper-folder",
        {"my-agent/main.py": "x=1\n", "__MACOSX/my-agent/._main.py": b"\0", ".DS_Store": b"\0"},
        {},
        True,
    ),
    ("wrapper-folder", {"src/main.py": "x=1\n", "requirements.txt": ""}, {}, False),
    ("wrapper-folder", {"app/main.py": "x=1\n"}, {"entry_point": "app/main.py"}, False),
    ("entry-point-missing", GOOD, {}, False),
    ("entry-point-missing", {"Main.py": "x\n", "requirements.txt": ""}, {}, True),
    ("entry-point-missing", {"app.py": "x\n", "requirements.txt": ""}, {}, True),
    ("entry-point-missing", {"agent.py": "x\n", "requirements.txt": ""}, {"entry_point": "agent.py"}, False),
    ("entry-point-missing", {"my-agent/main.py": "x\n"}, {}, False),  # wrapper-folder's cause
    ("requirements-missing", GOOD, {}, False),
    ("requirements-missing", {"main.py": "x\n", "pyproject.toml": "", "uv.lock": ""}, {"mode": "remote_build"}, True),
    ("requirements-missing", {"main.py": "x\n"}, {"runtime": "dotnet_10", "entry_point": "main.py"}, False),
    ("empty-bundle", GOOD, {}, False),
    ("empty-bundle", {"emptydir/": b""}, {}, True),
    ("packages-in-remote-build", GOOD, {}, False),
    ("packages-in-remote-build", {**GOOD, "packages/requests/__init__.py": "x\n"}, {"mode": "remote_build"}, True),
    ("packages-in-remote-build", {**GOOD, "packages/requests/__init__.py": "x\n"}, {"mode": "bundled"}, False),
]


@pytest.mark.parametrize(("rule", "files", "kwargs", "fires"), CASES)
def test_layout_rule(make_bundle, rule, files, kwargs, fires) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle(files), select=[rule], **kwargs)
    assert (rule in codes(report)) is fires, report.findings


def test_wrapper_hint_rezips_flat(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import zip_of

    z = tmp_path / "agent.zip"
    z.write_bytes(zip_of({"my-agent/main.py": "x\n", "my-agent/requirements.txt": ""}))
    (f,) = check(z, select=["wrapper-folder"]).findings
    assert f.path == "my-agent/"
    assert f.hint.startswith("cd my-agent && zip -r ../agent.zip .")


def test_requirements_missing_is_a_warning_in_bundled_mode(make_bundle) -> None:  # type: ignore[no-untyped-def]
    (f,) = check(make_bundle({"main.py": "x\n"}), mode="bundled", select=["requirements-missing"]).findings
    assert f.severity.label == "warning"


def test_entry_point_near_miss_is_named(make_bundle) -> None:  # type: ignore[no-untyped-def]
    (f,) = check(make_bundle({"Main.py": "x\n", "requirements.txt": ""}), select=["entry-point-missing"]).findings
    assert "Main.py" in f.message
