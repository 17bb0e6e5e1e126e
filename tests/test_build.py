"""`agentzip build` end to end: settings, error paths, real installs, the post-build check (steps: test_build_steps)."""

from __future__ import annotations

import hashlib
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from agentzip.builder import BuildOptions, build, settings
from agentzip.errors import UsageError
from agentzip.settings import CheckRequest
from tests.conftest import write_folder

AGENT: dict[str, bytes | str] = {"main.py": "print('hi')\n", "requirements.txt": "\n"}
DIRTY: dict[str, bytes | str] = {
    **AGENT,
    "lib/util.py": "X = 1\n",
    ".venv/bin/python": "#!",
    ".venv/lib/site.py": "",
    "venv/pyvenv.cfg": "",
    ".git/HEAD": "ref: main\n",
    ".env": "SECRET=1\n",
    ".env.local": "SECRET=2\n",
    "__pycache__/main.cpython-311.pyc": b"\x00",
    "lib/__pycache__/util.cpython-311.pyc": b"\x00",
    "old.pyc": b"\x00",
    ".pytest_cache/v/x": "",
    ".mypy_cache/x.json": "",
    "node_modules/x/index.js": "",
    ".DS_Store": b"\x00",
}


def run_build(*args: str) -> tuple[int, str]:
    """`agentzip build ARGS` as a user types it: through the CLI's group."""
    from agentzip import cli

    result = CliRunner().invoke(cli.main, ["build", *args], catch_exceptions=False)
    return result.exit_code, result.output


def names(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as zf:
        return zf.namelist()


# -- settings -------------------------------------------------------------------------------------


def test_settings_from_azure_yaml_and_flags(tmp_path: Path) -> None:
    write_folder(
        tmp_path,
        {
            "azure.yaml": "services:\n  a:\n    host: azure.ai.agent\n    project: src/a\n"
            "    codeConfiguration: {runtime: python_3_14, entryPoint: app.py, dependencyResolution: remote_build}\n",
            "src/a/app.py": "",
        },
    )
    s = settings.resolve(tmp_path / "src/a")
    assert (s.runtime, s.mode, s.entry_point, s.python_version) == (
        "python_3_14",
        "remote_build",
        ("python", "app.py"),
        (3, 14),
    )
    assert s.sources["runtime"] == s.sources["mode"] and s.sources["mode"].endswith("azure.yaml (service a)")
    s = settings.resolve(tmp_path / "src/a", CheckRequest(runtime="python_3_13", mode="bundled"))
    assert (s.runtime, s.mode, s.sources["mode"]) == ("python_3_13", "bundled", "flag")
    (tmp_path / "nowhere").mkdir()
    s = settings.resolve(tmp_path / "nowhere")
    assert (s.runtime, s.mode, s.entry_file, s.sources["mode"]) == ("python_3_13", "bundled", "main.py", "default")


def test_settings_from_config_and_the_definition_above(tmp_path: Path) -> None:
    write_folder(
        tmp_path,
        {
            "pyproject.toml": "[tool.agentzip]\nmode = 'remote_build'\nglibc-floor = '2.28'\n",
            "azure.yaml": "services:\n  a:\n    host: azure.ai.agent\n    project: src/a\n"
            "    codeConfiguration: {runtime: python_3_14, entryPoint: app.py, dependencyResolution: bundled}\n",
            "src/a/app.py": "",
        },
    )
    s = settings.resolve(tmp_path / "src/a")
    # config beats the definition, as in check; the definition fills in the rest
    assert (s.mode, s.sources["mode"], s.glibc, s.runtime) == ("remote_build", "config", (2, 28), "python_3_14")
    assert settings.resolve(tmp_path / "src/a", no_config=True).mode == "bundled"
    # built from the repository root, azure.yaml's project is what goes in the zip
    assert settings.resolve(tmp_path).src.resolve() == (tmp_path / "src/a").resolve()


def test_several_agents_need_a_service(tmp_path: Path) -> None:
    svc = (
        "    host: azure.ai.agent\n    project: {0}\n"
        "    codeConfiguration: {{runtime: python_3_13, entryPoint: main.py}}\n"
    )
    write_folder(
        tmp_path,
        {
            "azure.yaml": "services:\n  a:\n" + svc.format("a") + "  b:\n" + svc.format("b"),
            "a/main.py": "",
            "b/main.py": "",
        },
    )
    with pytest.raises(UsageError, match="several agents"):
        settings.resolve(tmp_path)
    assert settings.resolve(tmp_path, CheckRequest(service="b")).src.name == "b"


def test_build_summary_says_where_each_value_came_from(tmp_path: Path) -> None:
    src = write_folder(
        tmp_path / "a", {"main.py": "", "requirements.txt": "", "agentzip.toml": "mode = 'remote_build'\n"}
    )
    code, out = run_build(str(src), "-o", str(tmp_path / "o.zip"), "--no-check")
    assert code == 0, out
    assert "for python_3_13 (default), remote_build (config)" in out


# -- bad input: exit 2 with a clear message -------------------------------------------------------


def test_missing_src_exits_2(tmp_path: Path) -> None:
    code, out = run_build(str(tmp_path / "nope"), "-o", str(tmp_path / "o.zip"))
    assert code == 2 and "no such folder" in out


def test_no_entry_point_exits_2(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "a", {"app.py": "", "requirements.txt": ""})
    code, out = run_build(str(src), "-o", str(tmp_path / "o.zip"), "--mode", "remote_build")
    assert code == 2 and "main.py" in out and "app.py" in out and "--entry-point" in out


def test_bundled_without_requirements_exits_2(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "a", {"main.py": ""})
    code, out = run_build(str(src), "-o", str(tmp_path / "o.zip"), "--mode", "bundled")
    assert code == 2 and "requirements.txt" in out and not (tmp_path / "o.zip").exists()


@pytest.mark.parametrize("output", ["missing-dir/o.zip", "."])
def test_unwritable_output_exits_2(tmp_path: Path, output: str) -> None:
    src = write_folder(tmp_path / "a", AGENT)
    code, out = run_build(str(src), "-o", str(tmp_path / output), "--mode", "remote_build")
    assert (code == 2 and "cannot write" in out) or "is a folder" in out


def test_bad_glibc_exits_2(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "a", AGENT)
    code, out = run_build(str(src), "--glibc", "two", "-o", str(tmp_path / "o.zip"))
    assert code == 2 and "glibc" in out


def test_remote_build_zip_is_flat_and_sources_only(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "a", {**DIRTY, "requirements.txt": "requests\n"})
    before = sorted(p.relative_to(src).as_posix() for p in src.rglob("*"))
    code, out = run_build(str(src), "-o", str(tmp_path / "o.zip"), "--mode", "remote_build")
    assert code == 0, out
    assert names(tmp_path / "o.zip") == ["lib/util.py", "main.py", "requirements.txt"]
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*")) == before
    sha = hashlib.sha256((tmp_path / "o.zip").read_bytes()).hexdigest()
    assert sha in out and "x-ms-code-zip-sha256" in out


def test_output_inside_src_is_not_zipped_into_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = write_folder(tmp_path / "a", AGENT)
    monkeypatch.chdir(src)
    for _ in range(2):
        code, out = run_build("--mode", "remote_build")
        assert code == 0, out
    assert names(src / "agent-code.zip") == ["main.py", "requirements.txt"]


def test_bundled_with_empty_requirements_installs_nothing(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "a", {"main.py": "", "requirements.txt": "# nothing yet\n"})
    result = build(
        BuildOptions(src=src, output=tmp_path / "o.zip", request=CheckRequest(mode="bundled"), check=False),
        lambda _m: None,
    )
    assert result.distributions == () and names(tmp_path / "o.zip") == ["main.py", "requirements.txt"]


# -- end to end: real installs (package index) ----------------------------------------------------


def _api_ready() -> bool:
    try:
        import importlib

        importlib.import_module("agentzip.validator.zip")  # check() reads zips through it
        from agentzip import api  # noqa: F401
    except ImportError:
        return False
    return True


def _build(src: Path, out: Path, **kw: Any) -> Any:
    """build() with BuildOptions fields and CheckRequest settings (runtime=, mode=) mixed, as a test writes them."""
    lines: list[str] = []
    own = {k: kw.pop(k) for k in ("installer", "check", "dry_run", "quiet", "progress") if k in kw}
    result = build(BuildOptions(src=src, output=out, request=CheckRequest.make(**kw), **own), lines.append)
    return result, "\n".join(lines)


SAMPLE: dict[str, bytes | str] = {
    "main.py": (
        "from azure.ai.agentserver.responses import ResponsesAgentServerHost\n"
        "from azure.identity import DefaultAzureCredential\n\n"
        "app = ResponsesAgentServerHost()\n\n"
        "if __name__ == '__main__':\n    app.run()\n"
    ),
    "requirements.txt": "azure-ai-agentserver-responses\nazure-identity\n",
    ".venv/lib/python3.11/site-packages/x.py": "",
    ".env": "AZURE_CLIENT_SECRET=x\n",
    "__pycache__/main.cpython-311.pyc": b"\x00",
}


@pytest.mark.network
def test_sample_agent_bundled_end_to_end(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "agent", SAMPLE)
    first, out = _build(src, tmp_path / "1.zip", mode="bundled")
    listed = names(tmp_path / "1.zip")
    assert {"main.py", "requirements.txt"} <= set(listed)
    assert not any(n.startswith((".venv/", "__pycache__/")) or n == ".env" for n in listed)
    assert not any(n.endswith((".pyc", ".pyo")) or "/__pycache__/" in n for n in listed)
    assert "packages/.lock" not in listed
    tops = {n.split("/")[1] for n in listed if n.startswith("packages/")}
    assert any(t.startswith("azure_identity-") and t.endswith(".dist-info") for t in tops)
    assert any(t.startswith("azure_ai_agentserver_responses-") for t in tops)
    assert any(d.startswith("azure-identity ") for d in first.distributions)
    assert first.sha256 in out and first.largest
    if _api_ready():
        assert first.report is not None
        errors = [f for f in first.report.findings if f.severity.label == "error"]
        assert errors == []
    time.sleep(1.1)
    os.utime(src / "main.py")  # a later mtime must not change a byte
    second, _ = _build(src, tmp_path / "2.zip", mode="bundled", check=False)
    assert (tmp_path / "1.zip").read_bytes() == (tmp_path / "2.zip").read_bytes()
    assert first.sha256 == second.sha256


@pytest.mark.network
def test_binary_wheel_for_the_target_not_the_host(tmp_path: Path) -> None:
    src = write_folder(
        tmp_path / "a",
        {"main.py": "import markupsafe\n", "requirements.txt": "markupsafe==3.0.3\ntomli; python_version < '3.12'\n"},
    )
    result, _ = _build(src, tmp_path / "o.zip", mode="bundled", runtime="python_3_14", check=False)
    listed = names(tmp_path / "o.zip")
    assert any(n.startswith("packages/markupsafe/_speedups.cpython-314-x86_64-linux-gnu") for n in listed)
    # uv evaluates markers for the target (3.14): no tomli, which pip on a 3.11 host would install
    assert result.distributions == ("markupsafe 3.0.3",)


@pytest.mark.network
def test_pip_installer_warns_about_host_markers(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "a", {"main.py": "", "requirements.txt": "six==1.16.0\n"})
    result, out = _build(src, tmp_path / "o.zip", mode="bundled", installer="pip", check=False)
    assert result.distributions == ("six 1.16.0",)
    assert "markers" in out
    assert not any(n.endswith(".pyc") for n in names(tmp_path / "o.zip"))


@pytest.mark.network
@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_sdist_only_requirement_is_named(tmp_path: Path, installer: str) -> None:
    src = write_folder(tmp_path / "a", {"main.py": "", "requirements.txt": "docopt==0.6.2\n"})
    code, out = run_build(str(src), "-o", str(tmp_path / "o.zip"), "--mode", "bundled", "--installer", installer)
    assert code == 1
    assert "docopt==0.6.2" in out and "remote_build" in out
    assert not (tmp_path / "o.zip").exists()


@pytest.mark.network
def test_dry_run_resolves_without_writing(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "a", {"main.py": "", "requirements.txt": "six==1.16.0\n"})
    code, out = run_build(str(src), "-o", str(tmp_path / "o.zip"), "--mode", "remote_build", "--dry-run")
    assert code == 0 and "six==1.16.0" in out
    assert not (tmp_path / "o.zip").exists()
    (src / "requirements.txt").write_text("docopt==0.6.2\n")
    code, out = run_build(str(src), "--mode", "remote_build", "--dry-run")
    assert code == 1 and "docopt" in out and "from source" in out


# -- the post-build check -------------------------------------------------------------------------


def test_a_zip_that_fails_check_is_kept_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentzip import api
    from agentzip.validator.findings import Finding, InputInfo, Report, Severity

    seen: dict[str, Any] = {}

    def fake_check(path: Path, request: CheckRequest) -> Report:
        seen.update(request._asdict(), path=path)
        bad = Finding("AZ104", "requirements-missing", Severity.ERROR, None, "no requirements.txt", "add one")
        return Report.build(InputInfo(str(path), "zip", 0, None), {}, [bad])

    monkeypatch.setattr(api, "check", fake_check)
    src = write_folder(tmp_path / "a", AGENT)
    code, out = run_build(str(src), "-o", str(tmp_path / "o.zip"), "--mode", "remote_build", "--runtime", "python_3_14")
    assert code == 1 and "requirements-missing" in out and "kept at" in out
    assert (tmp_path / "o.zip").exists()
    assert seen["path"] == tmp_path / "o.zip"
    assert (seen["runtime"], seen["mode"], seen["entry_point"]) == (
        "python_3_14",
        "remote_build",
        ("python", "main.py"),
    )


class _Tty:
    """A stream that says it is a terminal, and keeps what was written."""

    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, s: str) -> int:
        self.text += s
        return len(s)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("tty,enabled,shown", [(True, True, True), (False, True, False), (True, False, False)])
def test_spinner_names_the_step_only_on_a_terminal(tty: bool, enabled: bool, shown: bool) -> None:
    from agentzip.builder.progress import Spinner

    stream = _Tty(tty)
    with Spinner("installing requirements.txt with uv", enabled=enabled, stream=stream):  # type: ignore[arg-type]
        time.sleep(0.25)
    assert ("installing requirements.txt with uv" in stream.text) is shown
    assert stream.text.endswith("\r") or not shown  # the line is erased for the next message
