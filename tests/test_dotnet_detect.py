""".NET detection, default entry points and the acceptance cases of the .NET issue, as a user would try them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentzip.api import check
from agentzip.validator.bundle import Bundle
from agentzip.validator.target import resolve_target
from tests.conftest import codes, write_folder
from tests.dotnetshapes import IL_DLL, MIXED_MODE, PROGRAM_CS, PROJECT, PUBLISH, X86_ONLY, csproj

PY_ONLY_RULES = ("requirements-missing", "AZ2", "AZ4")


def target_of(path: Path) -> Any:
    return resolve_target(Bundle.open(path))


def test_a_project_folder_is_dotnet_remote_build_with_the_assembly_name(make_bundle) -> None:  # type: ignore[no-untyped-def]
    t = target_of(make_bundle(PROJECT))
    assert (t.runtime, t.mode, t.entry_point) == ("dotnet_10", "remote_build", ("dotnet", "EchoAgent.dll"))


def test_without_assembly_name_the_project_stem_names_the_dll(make_bundle) -> None:  # type: ignore[no-untyped-def]
    t = target_of(make_bundle({"My.Agent.csproj": csproj(assembly=None), "Program.cs": PROGRAM_CS}))
    assert t.entry_point == ("dotnet", "My.Agent.dll")


def test_a_publish_output_is_bundled_with_its_runtimeconfig_stem(make_bundle) -> None:  # type: ignore[no-untyped-def]
    t = target_of(make_bundle(PUBLISH))
    assert (t.runtime, t.mode, t.entry_point) == ("dotnet_10", "bundled", ("dotnet", "EchoAgent.dll"))


def test_no_made_up_entry_point(make_bundle) -> None:  # type: ignore[no-untyped-def]
    t = target_of(make_bundle({"src/Agent/Agent.csproj": csproj(), "src/Agent/Program.cs": PROGRAM_CS}))
    assert t.runtime == "dotnet_10" and t.entry_file is None and "MyAgent.dll" not in t.entry_point


@pytest.mark.parametrize(
    ("files", "runtime"),
    [
        ({"src/Agent/Agent.csproj": csproj(), "azure.yaml": "# services:\n#   agent: {}\n"}, "dotnet_10"),
        ({"Agent/Program.cs": PROGRAM_CS, "README.md": "x"}, "dotnet_10"),
        ({"main.py": "x", "tools/Helper.cs": "class H {}"}, "python_3_13"),  # any Python: Python
        ({"requirements.txt": "", "native/Helper.cs": ""}, "python_3_13"),
        ({"README.md": "x"}, "python_3_13"),
    ],
)
def test_runtime_inference(make_bundle, files, runtime) -> None:  # type: ignore[no-untyped-def]
    assert target_of(make_bundle(files)).runtime == runtime


def test_a_dotnet_runtime_from_the_definition_is_kept(make_bundle) -> None:  # type: ignore[no-untyped-def]
    t = resolve_target(Bundle.open(make_bundle({"README.md": "x"})), runtime="dotnet_10")
    assert t.is_dotnet and t.entry_point == ("dotnet",)


def test_a_net10_project_checks_clean(make_bundle) -> None:  # type: ignore[no-untyped-def]
    assert check(make_bundle(PROJECT)).findings == ()


def test_a_linux_x64_publish_checks_clean(make_bundle) -> None:  # type: ignore[no-untyped-def]
    assert check(make_bundle(PUBLISH)).findings == ()


def test_a_csharp_repository_is_never_told_about_main_py(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {"src/Agent/Agent.csproj": csproj(), "src/Agent/Program.cs": PROGRAM_CS, "azure.yaml": "# services: {}\n"}
    report = check(make_bundle(files))
    assert not any("main.py" in f.message or "requirements.txt" in f.message for f in report.findings)
    assert "dotnet-project-file" in codes(report)


def test_python_only_rules_stay_silent_on_dotnet(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**PUBLISH, "packages/x/__init__.py": "import cgi\n", "helper.py": "import cgi\n"}
    report = check(make_bundle(files), runtime="dotnet_10", mode="bundled", entry_point="EchoAgent.dll")
    assert [c for c in codes(report) if c.startswith(PY_ONLY_RULES)] == [], report.findings


def test_the_entry_point_case_is_suggested(make_bundle) -> None:  # type: ignore[no-untyped-def]
    (f,) = check(make_bundle(PUBLISH), entry_point="echoagent.dll", select=["entry-point-missing"]).findings
    assert "EchoAgent.dll" in f.message and "echoagent.dll" in f.message


def test_a_remote_build_is_not_told_its_dll_is_missing(make_bundle) -> None:  # type: ignore[no-untyped-def]
    assert check(make_bundle(PROJECT), select=["entry-point-missing"]).findings == ()


@pytest.mark.parametrize("folder", ["publish", "bin/Release/net10.0/publish"])
def test_a_publish_inside_a_folder_is_a_wrapper(make_bundle, folder) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle({f"{folder}/{k}": v for k, v in PUBLISH.items()}), select=["wrapper-folder"])
    (f,) = report.findings
    assert f.path == folder.split("/")[0] + "/" and f"`{folder}/`" in f.message and folder in f.hint


@pytest.mark.parametrize(
    ("data", "fires"),
    [(IL_DLL, False), (MIXED_MODE, True)],
    ids=["il-only", "mixed-mode"],
)
def test_windows_binary_reads_the_cli_header(make_bundle, data, fires) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle({**PUBLISH, "Interop.dll": data}), select=["windows-binary"])
    assert ("windows-binary" in codes(report)) is fires


def test_an_x86_only_assembly_is_the_wrong_architecture(make_bundle) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle({**PUBLISH, "Legacy.dll": X86_ONLY}), select=["AZ3"])
    assert codes(report) == ["wrong-architecture"] and "32BITREQUIRED" in report.findings[0].message


def test_parent_msbuild_files_that_will_not_travel(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_folder(repo, {"Directory.Packages.props": "<Project />", "Directory.Build.props": "<Project />"})
    project = {**PROJECT, "EchoAgent.csproj": csproj(packages=(("Azure.Identity", None),))}
    agent = write_folder(repo / "src" / "agent", project)
    found = check(agent, select=["dotnet-props-outside"]).findings
    by_file = {f.message.split(" ", 1)[0].rsplit("/", 1)[-1]: f.severity.label for f in found if f.path is None}
    assert by_file == {"Directory.Packages.props": "error", "Directory.Build.props": "warning"}
    assert check(write_folder(repo / "src" / "clean", PROJECT), select=["dotnet-props-outside"]).findings != ()


def test_a_stray_dll_beside_the_project_is_build_output(make_bundle) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle({**PROJECT, "EchoAgent.dll": IL_DLL}))
    assert report.target["mode"] == "remote_build" and codes(report) == ["dotnet-build-output"]
