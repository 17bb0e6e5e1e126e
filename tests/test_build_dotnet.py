"""`agentzip build --runtime dotnet_10`: sources for remote_build, a publish output (given, or made by the SDK) for bundled."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentzip.builder import BuildOptions, build, settings
from agentzip.builder.dotnet import PUBLISH_ARGS, is_publish_folder
from agentzip.errors import BuildError, UsageError
from agentzip.settings import CheckRequest
from tests.conftest import write_folder
from tests.dotnetshapes import IL_DLL, PROJECT, PUBLISH, csproj

SOURCES: dict[str, bytes | str] = {
    **PROJECT,
    "Agents/EchoHandler.cs": "namespace Echo; public class EchoHandler {}\n",
    "wwwroot/index.html": "<p>ok</p>\n",
}
# What a developer's project folder also holds: none of it belongs in the zip.
DEV_FILES: dict[str, bytes | str] = {
    "bin/Debug/net10.0/EchoAgent.dll": IL_DLL,
    "obj/project.assets.json": "{}",
    "obj/Debug/net10.0/EchoAgent.AssemblyInfo.cs": "",
    ".vs/EchoAgent/v17/.suo": b"\0",
    "EchoAgent.csproj.user": "<Project />",
    "publish/EchoAgent.dll": IL_DLL,
    ".env": "AZURE_OPENAI_KEY=x\n",
    ".env.local": "A=1\n",
    "appsettings.Development.json": "{}",
    "Properties/launchSettings.json": "{}",
    "secrets.json": "{}",
    ".checkpoints/1.json": "{}",
    ".git/HEAD": "ref: main\n",
}


def run_build(*args: str) -> tuple[int, str]:
    from agentzip import cli

    result = CliRunner().invoke(cli.main, ["build", *args], catch_exceptions=False)
    return result.exit_code, result.output


def names(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as zf:
        return zf.namelist()


def errors(result: object) -> list[str]:
    report = result.report  # type: ignore[attr-defined]
    assert report is not None
    return [f.rule for f in report.findings if f.severity.label == "error"]


# -- settings ---------------------------------------------------------------------------------


def test_a_dotnet_folder_is_never_built_as_python(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "a", SOURCES)
    target = settings.resolve(src)
    assert (target.runtime, target.mode, target.entry_point) == ("dotnet_10", "bundled", ("dotnet", "EchoAgent.dll"))
    assert target.sources["runtime"] == "inferred"
    # a runtime flag alone: the entry point is still the project's assembly, never main.py
    flagged = settings.resolve(src, CheckRequest(runtime="dotnet_10", mode="remote_build"))
    assert (flagged.entry_point, flagged.entry_file) == (("dotnet", "EchoAgent.dll"), "EchoAgent.dll")


def test_an_azure_yaml_without_services_beside_a_project_builds_the_project(tmp_path: Path) -> None:
    yaml = "name: echo\n# services:\n#   echo:\n#     host: azure.ai.agent\n"
    src = write_folder(tmp_path / "repo", {**SOURCES, "azure.yaml": yaml})
    code, out = run_build(str(src), "--mode", "remote_build", "-o", str(tmp_path / "a.zip"))
    assert code == 0 and "main.py" not in out and "requirements.txt" not in out, out
    assert names(tmp_path / "a.zip") == sorted(SOURCES)


def test_a_python_folder_built_for_dotnet_is_told_what_is_missing(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "a", {"main.py": "", "requirements.txt": ""})
    code, out = run_build(str(src), "--runtime", "dotnet_10", "-o", str(tmp_path / "a.zip"))
    assert code == 2 and "has no project file and is not a publish output" in out


def test_unknown_runtimes_are_still_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot make a zip for the runtime 'node_20'"):
        settings.refuse_unbuildable("node_20")


# -- remote_build -----------------------------------------------------------------------------


def test_remote_build_zips_exactly_the_sources_and_checks_clean(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "EchoAgent", {**SOURCES, **DEV_FILES})
    before = sorted(p.relative_to(src).as_posix() for p in src.rglob("*"))
    code, out = run_build(str(src), "--runtime", "dotnet_10", "--mode", "remote_build", "-o", str(tmp_path / "a.zip"))
    assert code == 0, out
    assert names(tmp_path / "a.zip") == sorted(SOURCES)
    assert "check    0 errors, 0 warnings, 0 info" in out
    assert f"files    {len(SOURCES)} of the project's sources" in out
    # byte-identical on a second build, and SRC untouched
    code, out = run_build(str(src), "--runtime", "dotnet_10", "--mode", "remote_build", "-o", str(tmp_path / "b.zip"))
    assert code == 0, out
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*")) == before


def test_remote_build_honours_agentignore_and_still_leaves_out_build_output(tmp_path: Path) -> None:
    files = {**SOURCES, **DEV_FILES, ".agentignore": "wwwroot/\n", "docs/notes.md": "x\n"}
    src = write_folder(tmp_path / "a", files)
    result = build(
        BuildOptions(src=src, output=tmp_path / "a.zip", request=CheckRequest(mode="remote_build")), lambda _: None
    )
    kept = names(tmp_path / "a.zip")
    assert "wwwroot/index.html" not in kept and "docs/notes.md" in kept and ".agentignore" in kept
    assert not [n for n in kept if n.startswith(("bin/", "obj/", "publish/", ".env"))]
    assert errors(result) == []


def test_remote_build_zip_inside_src_is_not_zipped_into_itself(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "a", SOURCES)
    (src / "agent-code.zip").write_bytes(b"old")
    build(BuildOptions(src=src, output=src / "agent-code.zip", request=CheckRequest(mode="remote_build")), print)
    assert "agent-code.zip" not in names(src / "agent-code.zip")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"Program.cs": "x", "main.py": ""}, "no \\*.csproj or \\*.fsproj"),
        (PUBLISH, "is a publish output, not a project"),
    ],
)
def test_remote_build_needs_a_project(tmp_path: Path, files: dict[str, bytes | str], message: str) -> None:
    src = write_folder(tmp_path / "a", files)
    with pytest.raises(UsageError, match=message):
        build(
            BuildOptions(
                src=src, output=tmp_path / "a.zip", request=CheckRequest(runtime="dotnet_10", mode="remote_build")
            ),
            print,
        )
    assert not (tmp_path / "a.zip").exists()


# -- bundled: a publish folder ----------------------------------------------------------------


def test_a_publish_folder_is_zipped_flat_without_pdb(tmp_path: Path) -> None:
    files = {**PUBLISH, "EchoAgent.pdb": b"BSJB", "appsettings.Development.json": "{}", "runtimes/x.txt": "x"}
    pub = write_folder(tmp_path / "bin/Release/net10.0/linux-x64/publish", files)
    assert is_publish_folder(pub)
    out = tmp_path / "agent-code.zip"
    code, text = run_build(str(pub), "--runtime", "dotnet_10", "--mode", "bundled", "-o", str(out))
    assert code == 0, text
    assert names(out) == sorted([*PUBLISH, "runtimes/x.txt"])
    assert "debug symbols (--keep-pdb keeps them)" in text and "check    0 errors" in text
    assert "files    6 of the publish output" in text
    code, text = run_build(str(pub), "--keep-pdb", "-o", str(out))  # runtime and mode inferred from the output
    assert code == 0, text
    assert "EchoAgent.pdb" in names(out) and "dotnet_10 (inferred), bundled" in text


def test_a_broken_publish_folder_fails_its_check(tmp_path: Path) -> None:
    files = {k: v for k, v in PUBLISH.items() if k != "libe_sqlite3.so"}
    pub = write_folder(tmp_path / "publish", files)
    code, text = run_build(str(pub), "--runtime", "dotnet_10", "--mode", "bundled", "-o", str(tmp_path / "a.zip"))
    assert code == 1 and "dotnet-native-missing" in text and "kept at" in text


# -- bundled: the SDK -------------------------------------------------------------------------

FAKE_DOTNET = """#!{python}
import json, os, shutil, sys
args = sys.argv[1:]
if args == ["--list-sdks"]:
    print(os.environ["FAKE_SDKS"].replace(";", "\\n"))
    sys.exit(0)
with open(os.environ["FAKE_LOG"], "a") as fh:
    fh.write(json.dumps({{"args": args, "cwd": os.getcwd(), "files": sorted(os.listdir("."))}}) + "\\n")
if os.environ.get("FAKE_FAIL"):
    print(os.environ["FAKE_FAIL"])
    sys.exit(1)
shutil.copytree(os.environ["FAKE_OUTPUT"], args[args.index("-o") + 1], dirs_exist_ok=True)
"""


@pytest.fixture
def fake_sdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `dotnet` on PATH that lists a 10.x SDK and "publishes" a prepared output; its calls go to the log."""
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    exe = bindir / "dotnet"
    exe.write_text(FAKE_DOTNET.format(python=sys.executable))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    output = write_folder(tmp_path / "fake-output", {**PUBLISH, "EchoAgent.pdb": b"BSJB"})
    log = tmp_path / "dotnet-calls.jsonl"
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_SDKS", "8.0.404 [/usr/share/dotnet/sdk];10.0.100 [/usr/share/dotnet/sdk]")
    monkeypatch.setenv("FAKE_OUTPUT", str(output))
    monkeypatch.setenv("FAKE_LOG", str(log))
    return log


def test_bundled_runs_the_documented_publish_on_a_scratch_copy(tmp_path: Path, fake_sdk: Path) -> None:
    src = write_folder(tmp_path / "EchoAgent", {**SOURCES, **DEV_FILES})
    before = sorted(p.relative_to(src).as_posix() for p in src.rglob("*"))
    out = tmp_path / "agent-code.zip"
    code, text = run_build(str(src), "-o", str(out))
    assert code == 0, text
    (call,) = [json.loads(line) for line in fake_sdk.read_text().splitlines()]
    assert call["args"][:-1] == ["publish", "EchoAgent.csproj", *PUBLISH_ARGS, "-o"]
    assert PUBLISH_ARGS == ("-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:UseAppHost=false")
    # the SDK saw the sources remote_build would ship, never SRC itself (no bin/, obj/ or secrets)
    assert Path(call["cwd"]) != src and sorted(call["files"]) == sorted({n.split("/")[0] for n in SOURCES})
    assert names(out) == sorted(PUBLISH)
    assert "check    0 errors, 0 warnings, 0 info" in text
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*")) == before


def test_a_failed_publish_shows_its_errors(tmp_path: Path, fake_sdk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "FAKE_FAIL",
        "/src/EchoAgent.csproj : error NU1015: The following PackageReference item(s) do not have a version "
        "specified: Azure.Identity",
    )
    src = write_folder(tmp_path / "a", {**PROJECT, "EchoAgent.csproj": csproj(packages=(("Azure.Identity", None),))})
    with pytest.raises(BuildError, match="dotnet publish failed \\(exit 1\\)") as e:
        build(BuildOptions(src=src, output=tmp_path / "a.zip"), lambda _: None)
    assert "NU1015" in str(e.value) and "agentzip explain" in str(e.value)
    assert not (tmp_path / "a.zip").exists()


def test_an_sdk_other_than_10_is_not_used(tmp_path: Path, fake_sdk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_SDKS", "8.0.404 [/usr/share/dotnet/sdk]")
    src = write_folder(tmp_path / "a", SOURCES)
    code, text = run_build(str(src), "-o", str(tmp_path / "a.zip"))
    assert code == 2 and "SDKs 8.0.404, none 10.x" in text
    assert not fake_sdk.exists()  # publish never ran


def test_without_an_sdk_the_error_names_every_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    src = write_folder(tmp_path / "a", SOURCES)
    code, text = run_build(str(src), "--runtime", "dotnet_10", "--mode", "bundled", "-o", str(tmp_path / "a.zip"))
    assert code == 2 and "Traceback" not in text
    assert "no dotnet on PATH" in text and "install the .NET 10 SDK" in text
    assert "agentzip build bin/Release/net10.0/linux-x64/publish --runtime dotnet_10 --mode bundled" in text
    assert "--mode remote_build" in text


def test_dry_run_is_for_python(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "a", SOURCES)
    code, text = run_build(str(src), "--dry-run")
    assert code == 2 and "a .NET build has nothing to resolve" in text


# -- real .NET binaries -----------------------------------------------------------------------


@pytest.mark.network
def test_a_real_linux_publish_builds_and_checks_clean(tmp_path: Path) -> None:
    from fixtures import dotnetbins

    pub = tmp_path / "publish"
    shutil.copytree(dotnetbins.bundle("linux-x64"), pub)
    (pub / f"{dotnetbins.APP}.pdb").write_bytes(b"BSJB")
    want = sorted(p.relative_to(pub).as_posix() for p in pub.rglob("*") if p.is_file() and p.suffix != ".pdb")
    result = build(BuildOptions(src=pub, output=tmp_path / "a.zip"), lambda _: None)
    assert names(tmp_path / "a.zip") == want
    assert errors(result) == [] and result.runtime == "dotnet_10" and result.mode == "bundled"
