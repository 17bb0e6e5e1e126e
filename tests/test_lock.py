"""Pinned resolution: AZ212 unpinned-requirement, and `agentzip lock` writing the pins build reproduces."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agentzip import api
from agentzip.validator.findings import Finding, Severity

Make = Callable[[dict[str, str]], Path]


def _az212(path: Path, mode: str) -> list[Finding]:
    report = api.check(path, mode=mode, runtime="python_3_13", select=["AZ212"])
    return list(report.findings)


@pytest.mark.parametrize(
    "requirements",
    [
        "azure-identity==1.19.0\nopenai===1.2.3\n",
        "# comments only\n\n",
        "requests @ https://example.org/requests-2.0-py3-none-any.whl\n",
        "requests\n-c constraints.txt\n",  # the constraints file pins it
    ],
)
@pytest.mark.parametrize("mode", ["remote_build", "bundled"])
def test_az212_pinned_requirements_do_not_fire(make_bundle: Make, requirements: str, mode: str) -> None:
    files = {"main.py": "print(1)\n", "requirements.txt": requirements, "constraints.txt": "requests==2.32.3\n"}
    assert _az212(make_bundle(files), mode) == []


def test_az212_lists_every_unpinned_name_in_one_finding(make_bundle: Make) -> None:
    files = {
        "main.py": "print(1)\n",
        "requirements.txt": "# the agent\nagent-framework-core\nazure-identity>=1.19\nopenai==1.*\n"
        "httpx==0.28.1\nmcp<2\n-r more.txt\n",
        "more.txt": "pyyaml~=6.0\n",
    }
    found = _az212(make_bundle(files), "remote_build")
    assert [(f.path, f.line, f.severity) for f in found] == [
        ("more.txt", 1, Severity.WARNING),
        ("requirements.txt", 2, Severity.WARNING),
    ]
    msg = found[1].message
    assert msg.startswith("4 requirement(s) without an exact `==` pin (the service resolves them at deploy time): ")
    assert "agent-framework-core (line 2), azure-identity (line 3), openai (line 4) and 1 more" in msg
    assert found[1].hint.startswith("agentzip lock")


def test_az212_is_info_in_bundled_mode(make_bundle: Make) -> None:
    found = _az212(make_bundle({"main.py": "print(1)\n", "requirements.txt": "requests\n"}), "bundled")
    assert [(f.severity, f.line) for f in found] == [(Severity.INFO, 1)]
    assert "the next build may differ" in found[0].message


# -- agentzip lock ---------------------------------------------------------------------------------

USERS = """\
# the agent
--index-url https://pypi.org/simple
agent-framework-core==1.0.0b251223
azure-identity>=1.19  # credentials
uvloop; sys_platform != "win32"
mcp[ws] \\
    >=1.23
./vendored/lib
"""
PINS = {"agent-framework-core": "1.0.0b251223", "azure-identity": "1.27.0", "uvloop": "0.21.0", "mcp": "2.3.0"}
PINS_ALL = {**PINS, "anyio": "4.16.0", "azure-core": "1.41.0"}


def test_pinned_text_keeps_the_users_lines_comments_markers_and_extras() -> None:
    from agentzip.builder.lock import TRANSITIVE, pinned_text

    text = pinned_text(USERS, PINS_ALL, "# pinned by `agentzip lock` for python_3_13")
    assert text.splitlines() == [
        "# pinned by `agentzip lock` for python_3_13",
        "# the agent",
        "--index-url https://pypi.org/simple",
        "agent-framework-core==1.0.0b251223",
        "azure-identity==1.27.0  # credentials",
        'uvloop==0.21.0; sys_platform != "win32"',
        "mcp[ws]==2.3.0",
        "./vendored/lib",
        "",
        TRANSITIVE,
        "anyio==4.16.0",
        "azure-core==1.41.0",
    ]


def test_locking_a_locked_file_gives_the_same_file() -> None:
    from agentzip.builder.lock import pinned_text, users_part

    once = pinned_text(USERS, PINS_ALL, "# pinned by `agentzip lock` for python_3_13")
    again = pinned_text(users_part(once), PINS_ALL, "# pinned by `agentzip lock` for python_3_13")
    assert again == once


def test_lock_cli_dry_run_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from agentzip.builder import lock as locking
    from agentzip.cli import main

    seen: list[list[str]] = []

    def fake_resolve(job: locking.LockJob) -> dict[str, str]:
        seen.append(locking.command(job))
        return {"requests": "2.32.3", "idna": "3.10"}

    monkeypatch.setattr(locking, "resolve", fake_resolve)
    (tmp_path / "main.py").write_text("import requests\n")
    (tmp_path / "requirements.txt").write_text("requests\n")
    result = CliRunner().invoke(main, ["lock", "--dry-run", "--runtime", "python_3_14", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "requests==2.32.3\n" in result.output and "idna==3.10\n" in result.output
    assert (tmp_path / "requirements.txt").read_text() == "requests\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.py", "requirements.txt"]
    cmd = seen[0]
    assert cmd[cmd.index("--python-version") + 1] == "3.14"
    assert cmd[cmd.index("--python-platform") + 1] == "x86_64-manylinux_2_17"
    assert "--only-binary" in cmd  # bundled: wheels only

    result = CliRunner().invoke(main, ["lock", "--mode", "remote_build", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "--only-binary" not in seen[1]  # the service may build from source
    assert (tmp_path / "requirements.txt").read_text().splitlines()[1:] == [
        "requests==2.32.3",
        "",
        "# pulled in by the requirements above (pinned by agentzip lock)",
        "idna==3.10",
    ]


def test_lock_without_requirements_is_a_usage_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from agentzip.cli import main

    (tmp_path / "main.py").write_text("print(1)\n")
    result = CliRunner().invoke(main, ["lock", str(tmp_path)])
    assert result.exit_code == 2
    assert "nothing to lock" in result.output


@pytest.mark.network
def test_lock_pins_what_build_then_installs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from agentzip.builder import BuildOptions, build
    from agentzip.builder.lock import EXCLUDE_NEWER_ENV
    from agentzip.cli import main
    from fixtures.realwheels import AGENT_FRAMEWORK, EXCLUDE_NEWER

    monkeypatch.setenv(EXCLUDE_NEWER_ENV, EXCLUDE_NEWER)  # uv reads it in lock and build alike
    src = tmp_path / "agent"
    src.mkdir()
    (src / "main.py").write_text("from agent_framework import ChatAgent\n")
    (src / "requirements.txt").write_text(f"{AGENT_FRAMEWORK}\n")
    result = CliRunner().invoke(main, ["lock", str(src)])
    assert result.exit_code == 0, result.output
    locked = (src / "requirements.txt").read_text()
    pins = dict(ln.split("==") for ln in locked.splitlines() if "==" in ln and not ln.startswith("#"))
    assert pins["mcp"] == "2.3.0" and pins["agent-framework-core"] == "1.0.0b251223"
    assert len(pins) > 20
    built = build(BuildOptions(src=src, output=tmp_path / "agent.zip", check=False, quiet=True), lambda _m: None)
    from packaging.utils import canonicalize_name

    installed = {canonicalize_name(d.split(" ")[0]): d.split(" ")[1] for d in built.distributions}
    assert installed == {canonicalize_name(k): v for k, v in pins.items()}


def test_pinned_text_never_raises_and_keeps_every_unpinned_line() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from agentzip.builder.lock import pinned_text

    alphabet = st.sampled_from([*"abc-_=<>!~[];#@ .\\\"'\n\t1", "==", "requests", "python_version"])

    @settings(max_examples=200, deadline=None)
    @given(st.lists(alphabet, max_size=60).map("".join))
    def prop(text: str) -> None:
        out = pinned_text(text, {}, "# h")
        assert out.splitlines()[1:] == text.rstrip("\n").splitlines()  # nothing to pin: the file as written

    prop()
