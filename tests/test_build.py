"""`agentzip build`: staging rules, the deterministic zip, installer command lines, error paths."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from agentzip.builder import BuildOptions, build, install, settings, staging
from agentzip.builder.zipwriter import DOS_EPOCH, Member, write_zip
from agentzip.errors import BuildError, UsageError
from tests.conftest import Files, write_folder

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


# -- staging --------------------------------------------------------------------------------------

STAGING_CASES: list[tuple[str, Files, set[str]]] = [
    ("clean", {**AGENT, "lib/util.py": "X = 1\n"}, {"main.py", "requirements.txt", "lib/util.py"}),
    ("dirty: defaults always apply", DIRTY, {"main.py", "requirements.txt", "lib/util.py"}),
    (
        "no .agentignore: azd's defaults (definition files, Dockerfile, bin/)",
        {**AGENT, "azure.yaml": "", "agent.yaml": "", "Dockerfile": "", "bin/x": "", "obj/y": ""},
        {"main.py", "requirements.txt"},
    ),
    (
        ".agentignore replaces azd's defaults, but never the always-excluded set",
        {**DIRTY, ".agentignore": "*.md\n", "README.md": "", "Dockerfile": "", "azure.yaml": ""},
        {"main.py", "requirements.txt", "lib/util.py", "Dockerfile", "azure.yaml", ".agentignore"},
    ),
    (
        ".agentignore: folders, globs and negation (gitignore syntax)",
        {
            **AGENT,
            ".agentignore": "data/\ntests/\n*.log\n!keep.log\n/docs\n",
            "data/big.bin": b"\x00",
            "tests/test_x.py": "",
            "a.log": "",
            "keep.log": "",
            "docs/x.md": "",
            "lib/docs/y.md": "",
        },
        {"main.py", "requirements.txt", ".agentignore", "keep.log", "lib/docs/y.md"},
    ),
    (
        "an old packages/ is rebuilt, not shipped",
        {**AGENT, "packages/requests/__init__.py": "", "lib/packages/x.py": ""},
        {"main.py", "requirements.txt", "lib/packages/x.py"},
    ),
    (
        "a !negation cannot bring back what is always excluded",
        {**AGENT, ".agentignore": "!.env\n!.venv/\n", ".env": "S=1", ".venv/x": ""},
        {"main.py", "requirements.txt", ".agentignore"},
    ),
]


@pytest.mark.parametrize("files,expected", [c[1:] for c in STAGING_CASES], ids=[c[0] for c in STAGING_CASES])
def test_staging(tmp_path: Path, files: Files, expected: set[str]) -> None:
    src = write_folder(tmp_path / "agent", files)
    before = sorted((p, p.stat().st_mtime_ns) for p in src.rglob("*"))
    staged = staging.stage(src)
    assert {m.name for m in staged.members} == expected
    assert [m.name for m in staged.members] == sorted(m.name for m in staged.members)
    assert sorted((p, p.stat().st_mtime_ns) for p in src.rglob("*")) == before  # SRC untouched


def test_staging_leaves_out_the_output_zip_and_links_out_of_src(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "agent", {**AGENT, "agent-code.zip": b"PK", "data.txt": "x", ".env": "S=1"})
    (tmp_path / "outside.txt").write_text("host file")
    (src / "link-out.txt").symlink_to(tmp_path / "outside.txt")
    (src / "link-in.txt").symlink_to(src / "data.txt")
    (src / "settings.txt").symlink_to(src / ".env")  # a link to a secret is the secret
    (src / "loop").symlink_to(src, target_is_directory=True)
    staged = staging.stage(src, exclude_paths=[src / "agent-code.zip"])
    assert {m.name for m in staged.members} == {"main.py", "requirements.txt", "data.txt", "link-in.txt"}
    assert staged.excluded["the output zip"] == 1
    assert staged.excluded["symlink out of the folder"] == 1
    assert staged.excluded["always excluded"] == 2


# -- the deterministic zip ------------------------------------------------------------------------


def _tree(root: Path, mtime: float) -> list[Member]:
    files = {"b.py": "B\n", "a/z.py": "Z\n" * 100, "a/b/c.txt": "", "run.sh": "#!/bin/sh\n"}
    write_folder(root, files)
    (root / "run.sh").chmod(0o775)
    (root / "b.py").chmod(0o600)  # a private file on the host still ships readable
    for p in root.rglob("*"):
        os.utime(p, (mtime, mtime))
    return staging.stage_tree(root, "pkg")


def test_zip_is_byte_identical_with_different_mtimes_and_order(tmp_path: Path) -> None:
    one = write_zip(tmp_path / "1.zip", _tree(tmp_path / "t1", 1_600_000_000))
    members = _tree(tmp_path / "t2", 1_700_000_000)
    two = write_zip(tmp_path / "2.zip", list(reversed(members)))
    assert (tmp_path / "1.zip").read_bytes() == (tmp_path / "2.zip").read_bytes()
    assert one.sha256 == two.sha256 == hashlib.sha256((tmp_path / "1.zip").read_bytes()).hexdigest()
    assert one.size == (tmp_path / "1.zip").stat().st_size


def test_zip_layout_modes_and_timestamps(tmp_path: Path) -> None:
    write_zip(tmp_path / "o.zip", _tree(tmp_path / "t", 1_600_000_000))
    with zipfile.ZipFile(tmp_path / "o.zip") as zf:
        assert zf.testzip() is None
        infos = zf.infolist()
        assert [i.filename for i in infos] == ["pkg/a/b/c.txt", "pkg/a/z.py", "pkg/b.py", "pkg/run.sh"]
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos)
        assert all("\\" not in i.filename for i in infos)
        assert {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in infos} == {
            "pkg/a/b/c.txt": 0o644,
            "pkg/a/z.py": 0o644,
            "pkg/b.py": 0o644,
            "pkg/run.sh": 0o755,
        }
        assert all(stat.S_ISREG(i.external_attr >> 16) for i in infos)
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
        assert zf.read("pkg/a/z.py") == b"Z\n" * 100


@pytest.mark.parametrize(
    "epoch,expected",
    [("1700000000", (2023, 11, 14, 22, 13, 20)), ("0", (1980, 1, 1, 0, 0, 0)), ("junk", (1980, 1, 1, 0, 0, 0))],
)
def test_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str, expected: tuple[int, ...]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    write_zip(tmp_path / "o.zip", _tree(tmp_path / "t", time.time()))
    with zipfile.ZipFile(tmp_path / "o.zip") as zf:
        assert {i.date_time for i in zf.infolist()} == {expected}


def test_zip64_end_record_beyond_65535_entries(tmp_path: Path) -> None:
    one = tmp_path / "x.py"
    one.write_text("")
    write_zip(tmp_path / "o.zip", [Member(f"m/{i:05d}.py", one) for i in range(65_540)], epoch=DOS_EPOCH)
    with zipfile.ZipFile(tmp_path / "o.zip") as zf:
        assert len(zf.infolist()) == 65_540


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    one = tmp_path / "x.py"
    one.write_text("")
    with pytest.raises(BuildError, match="same name"):
        write_zip(tmp_path / "o.zip", [Member("a.py", one), Member("a.py", one)])


# -- installer command lines and failures ---------------------------------------------------------


def _job(installer: str, glibc: tuple[int, int] = (2, 17), version: tuple[int, int] = (3, 13)) -> install.Install:
    return install.Install(Path("requirements.txt"), Path("/tmp/t/packages"), version, glibc, installer)


@pytest.mark.parametrize(
    "glibc,uv,pip",
    [
        ((2, 17), "x86_64-manylinux_2_17", ["manylinux2014_x86_64"]),
        (
            (2, 28),
            "x86_64-manylinux_2_28",
            [f"manylinux_2_{m}_x86_64" for m in range(28, 17, -1)] + ["manylinux2014_x86_64"],
        ),
        (
            (2, 27),
            "x86_64-manylinux_2_17",
            [f"manylinux_2_{m}_x86_64" for m in range(27, 17, -1)] + ["manylinux2014_x86_64"],
        ),
        ((2, 99), "x86_64-manylinux_2_40", None),
    ],
)
def test_platform_flags_for_glibc(glibc: tuple[int, int], uv: str, pip: list[str] | None) -> None:
    assert install.uv_platform(glibc) == uv
    if pip is not None:
        assert install.pip_platforms(glibc) == pip


def test_glibc_below_the_floor_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        install.uv_platform((2, 12))


def test_uv_command_line() -> None:
    cmd = install.command(_job("uv", version=(3, 14)))
    assert cmd[1:3] == ["pip", "install"]
    text = " ".join(cmd)
    for part in (
        "--target /tmp/t/packages",
        "--python-platform x86_64-manylinux_2_17",
        "--python-version 3.14",
        "--only-binary :all:",
        "-r requirements.txt",
    ):
        assert part in text


def test_pip_command_line_never_compiles() -> None:
    cmd = install.command(_job("pip"))
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"]
    text = " ".join(cmd)
    for part in (
        "--platform manylinux2014_x86_64",
        "--python-version 3.13",
        "--implementation cp",
        "--only-binary=:all:",
        "--no-compile",
        "--target /tmp/t/packages",
    ):
        assert part in text


UV_SDIST = """error: No solution found when resolving dependencies
  cause: Because docopt==0.6.2 has no usable wheels and you require docopt==0.6.2, we can conclude that your requirements are unsatisfiable.

hint: Wheels are required for `docopt` because building from source is disabled for all packages (i.e., with `--no-build`)"""
UV_PLATFORM = """  cause: Because onnxruntime==1.20.1 has no wheels with a matching platform tag (e.g., `manylinux_2_17_x86_64`) and you require onnxruntime==1.20.1, we can conclude that your requirements are unsatisfiable."""
UV_MISSING = """  cause: Because nosuchpkg-zzqx was not found in the package registry and you require nosuchpkg-zzqx, we can conclude that your requirements are unsatisfiable."""
PIP_NONE = """ERROR: Could not find a version that satisfies the requirement docopt==0.6.2 (from versions: none)
ERROR: No matching distribution found for docopt==0.6.2"""


@pytest.mark.parametrize(
    "output,expected",
    [
        (UV_SDIST, [install.Failure("docopt==0.6.2", "sdist-only")]),
        (UV_PLATFORM, [install.Failure("onnxruntime==1.20.1", "platform")]),
        (UV_MISSING, [install.Failure("nosuchpkg-zzqx", "not-found")]),
        (PIP_NONE, [install.Failure("docopt==0.6.2", "unknown")]),
        ("error: network unreachable", []),
    ],
)
def test_installer_failures_are_named(output: str, expected: list[install.Failure]) -> None:
    assert install.failures(output) == expected


def test_failure_message_keeps_the_installer_output_and_says_the_ways_out() -> None:
    message = install.explain_failure(UV_PLATFORM, _job("uv"))
    assert "onnxruntime==1.20.1 has no wheels with a matching platform tag" in message
    assert "--glibc 2.28" in message and "remote_build" in message


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
    s = settings.resolve(tmp_path / "src/a", None, None, None)
    assert (s.runtime, s.mode, s.entry_point, s.python_version) == (
        "python_3_14",
        "remote_build",
        ("python", "app.py"),
        (3, 14),
    )
    s = settings.resolve(tmp_path / "src/a", "python_3_13", "bundled", None)
    assert (s.runtime, s.mode, s.sources["mode"]) == ("python_3_13", "bundled", "flag")
    s = settings.resolve(tmp_path / "nowhere", None, None, None)
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
    s = settings.resolve(tmp_path / "src/a", None, None, None)
    # config beats the definition, as in check; the definition fills in the rest
    assert (s.mode, s.sources["mode"], s.glibc, s.runtime) == ("remote_build", "config", (2, 28), "python_3_14")
    assert settings.resolve(tmp_path / "src/a", None, None, None, no_config=True).mode == "bundled"
    # built from the repository root, azure.yaml's project is what goes in the zip
    assert settings.resolve(tmp_path, None, None, None).src.resolve() == (tmp_path / "src/a").resolve()


def test_several_agents_need_a_service(tmp_path: Path) -> None:
    svc = "    host: azure.ai.agent\n    project: {0}\n    codeConfiguration: {{runtime: python_3_13, entryPoint: main.py}}\n"
    write_folder(
        tmp_path,
        {
            "azure.yaml": "services:\n  a:\n" + svc.format("a") + "  b:\n" + svc.format("b"),
            "a/main.py": "",
            "b/main.py": "",
        },
    )
    with pytest.raises(UsageError, match="several agents"):
        settings.resolve(tmp_path, None, None, None)
    assert settings.resolve(tmp_path, None, None, None, service="b").src.name == "b"


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
    result = build(BuildOptions(src=src, output=tmp_path / "o.zip", mode="bundled", check=False), lambda _m: None)
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
    lines: list[str] = []
    result = build(BuildOptions(src=src, output=out, **kw), lines.append)
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

    def fake_check(path: Path, **kw: Any) -> Report:
        seen.update(kw, path=path)
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
        ["python", "main.py"],
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
