"""`agentzip explain --log` on .NET: each start-up and restore failure explained against the bundle's files."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from agentzip import api
from agentzip.cli import main
from agentzip.errors import UsageError
from agentzip.explain import Diagnosis
from tests.dotnetshapes import GNU_SO, IL_DLL, PROJECT, PUBLISH, csproj, deps, runtimeconfig, sqlite_portable

# hostfxr's words for a net9.0 app on the .NET 10 image
FRAMEWORK_MISSING = """\
You must install or update .NET to run this application.

App: /app/EchoAgent.dll
Architecture: x64
Framework: 'Microsoft.NETCore.App', version '9.0.0' (x64)
.NET location: /usr/share/dotnet

The following frameworks were found:
  10.0.0 at [/usr/share/dotnet/shared/Microsoft.NETCore.App]
"""
WINDOWS_DESKTOP = """\
You must install or update .NET to run this application.
App: /app/EchoAgent.dll
Framework: 'Microsoft.WindowsDesktop.App', version '10.0.0' (x64)
"""
APP_MISSING = "The application to execute does not exist: '/app/{}'.\n"
NATIVE = (
    "Unhandled exception. System.DllNotFoundException: Unable to load shared library 'e_sqlite3' or one of its "
    "dependencies. In order to help diagnose loading problems, consider using a tool like strace.\n"
    "   at SQLitePCL.SQLite3Provider_e_sqlite3.NativeMethods.sqlite3_libversion_number()\n"
)
ASSEMBLY = (
    "Unhandled exception. System.IO.FileNotFoundException: Could not load file or assembly 'Azure.Identity, "
    "Version=1.13.2.0, Culture=neutral, PublicKeyToken=92742159e12e44c8'. The system cannot find the file specified.\n"
)
NU1015 = (
    "/src/EchoAgent.csproj : error NU1015: The following PackageReference item(s) do not have a version "
    "specified: Azure.Identity\n"
)
NETSDK1129 = (
    "/usr/share/dotnet/sdk/10.0.100/Sdks/Microsoft.NET.Sdk/targets/Microsoft.NET.Sdk.CrossTargeting.targets(31,5): "
    "error NETSDK1129: The 'Publish' target is not supported without specifying a target framework. The current "
    "project targets multiple frameworks, you must specify one of the following frameworks in order to publish: "
    "net8.0, net10.0\n"
)
NU1101 = (
    "/src/EchoAgent.csproj : error NU1101: Unable to find package Contoso.Internal. No packages exist with this id "
    "in source(s): contoso, nuget.org\n"
)
AZURE_IDENTITY = {"Azure.Identity/1.13.2": {"runtime": {"lib/net8.0/Azure.Identity.dll": {}}}}
PRIVATE_FEED = (
    '<configuration><packageSources><add key="contoso" value="https://pkgs.dev.azure.com/contoso/_packaging/'
    'feed/nuget/v3/index.json" /></packageSources></configuration>'
)


def explained(path: Any, log: str, **settings: Any) -> Diagnosis:
    (d,) = api.explain(path, log=log, **settings).diagnoses
    return d


def publish(**changes: Any) -> dict[str, Any]:
    return {k: v for k, v in {**PUBLISH, **changes}.items() if v is not None}


@pytest.mark.parametrize(
    ("files", "log", "cause", "code", "words"),
    [
        (
            publish(**{"EchoAgent.runtimeconfig.json": runtimeconfig("9.0.0")}),
            FRAMEWORK_MISSING,
            "framework-missing",
            "AZ803",
            ["Microsoft.NETCore.App 9.0.0", "runtimeconfig.json asks for Microsoft.NETCore.App 9.0.0", "RollForward"],
        ),
        (
            PUBLISH,
            FRAMEWORK_MISSING,
            "bundle-differs",
            "AZ803",
            ["asks for Microsoft.NETCore.App 10.0.0", "another build"],
        ),
        (
            publish(**{"EchoAgent.runtimeconfig.json": runtimeconfig("9.0.0", roll="Major")}),
            FRAMEWORK_MISSING,
            "bundle-differs",
            "AZ803",
            ["rollForward Major"],
        ),
        (
            PROJECT | {"EchoAgent.csproj": csproj("net9.0")},
            FRAMEWORK_MISSING,
            "framework-missing",
            "AZ803",
            ["EchoAgent.csproj targets net9.0"],
        ),
        (PUBLISH, WINDOWS_DESKTOP, "framework-missing", "AZ806", ["Windows only"]),
        (PROJECT, FRAMEWORK_MISSING, "bundle-differs", "AZ803", ["EchoAgent.csproj targets net10.0", "another build"]),
    ],
)
def test_framework_missing(make_bundle, files, log, cause, code, words) -> None:  # type: ignore[no-untyped-def]
    d = explained(make_bundle(files), log)
    assert (d.module, d.cause, d.code) == (log.split("'")[1], cause, code)
    assert all(w in d.message + d.fix for w in words), d.message
    assert d.verdict == ("unknown" if cause == "bundle-differs" else "fails")
    assert d.log == "You must install or update .NET to run this application."


@pytest.mark.parametrize(
    ("files", "dll", "cause", "words", "suggestions"),
    [
        (PUBLISH, "echoagent.dll", "app-missing", ["has EchoAgent.dll", "case-sensitive"], ("EchoAgent.dll",)),
        (PUBLISH, "MyAgent.dll", "app-missing", ["app is EchoAgent.dll"], ("EchoAgent.dll",)),
        ({f"publish/{k}": v for k, v in PUBLISH.items()}, "EchoAgent.dll", "app-missing", ["at publish/"], ()),
        (PROJECT, "EchoAgent.dll", "app-missing", ["sources", "remote_build"], ()),
        (PUBLISH, "EchoAgent.dll", "bundle-differs", ["another build"], ()),
    ],
)
def test_app_missing(make_bundle, files, dll, cause, words, suggestions) -> None:  # type: ignore[no-untyped-def]
    settings = {"runtime": "dotnet_10", "mode": "bundled", "entry_point": "EchoAgent.dll"}
    d = explained(make_bundle(files), APP_MISSING.format(dll), **settings)
    assert (d.module, d.cause, d.code) == (dll, cause, "AZ102")
    assert all(w in d.message + d.fix for w in words), d.message
    assert d.suggestions == suggestions


@pytest.mark.parametrize(
    ("files", "cause", "words"),
    [
        (
            publish(**{"libe_sqlite3.so": None}),
            "native-missing",
            ["SQLitePCLRaw.lib.e_sqlite3 2.1.10", "at libe_sqlite3.so"],
        ),
        (
            publish(
                **{"EchoAgent.deps.json": deps(None, sqlite_portable("win-x64", "osx-arm64")), "libe_sqlite3.so": None}
            ),
            "native-not-for-linux",
            ["for osx-arm64, win-x64 only", "nothing for linux-x64"],
        ),
        (
            publish(
                **{
                    "EchoAgent.deps.json": deps(None, sqlite_portable("linux-x64", "win-x64")),
                    "libe_sqlite3.so": None,
                }
            ),
            "native-missing",
            ["at runtimes/linux-x64/native/libe_sqlite3.so"],
        ),
        (
            publish(
                **{
                    "EchoAgent.deps.json": deps(None, sqlite_portable("linux-x64")),
                    "runtimes/linux-x64/native/libe_sqlite3.so": GNU_SO,
                    "libe_sqlite3.so": None,
                }
            ),
            "bundle-differs",
            ["is in this bundle for linux-x64", "ldd"],
        ),
        (publish(**{"EchoAgent.deps.json": deps("linux-x64")}), "native-missing", ["no package in deps.json ships it"]),
    ],
)
def test_native_library(make_bundle, files, cause, words) -> None:  # type: ignore[no-untyped-def]
    d = explained(make_bundle(files), NATIVE)
    assert (d.module, d.cause, d.code) == ("e_sqlite3", cause, "AZ808")
    assert all(w in d.message for w in words), d.message


def test_a_win_x64_publish_ships_only_windows_natives(make_bundle) -> None:  # type: ignore[no-untyped-def]
    sqlite = {"SQLitePCLRaw.lib.e_sqlite3/2.1.10": {"native": {"runtimes/win-x64/native/e_sqlite3.dll": {}}}}
    files = publish(**{"EchoAgent.deps.json": deps("win-x64", sqlite), "libe_sqlite3.so": None, "e_sqlite3.dll": b"MZ"})
    d = explained(make_bundle(files), NATIVE)
    assert d.cause == "native-not-for-linux" and "for win-x64 only" in d.message


@pytest.mark.parametrize(
    ("files", "cause", "words"),
    [
        (publish(**{"EchoAgent.deps.json": deps("linux-x64", AZURE_IDENTITY)}), "assembly-missing", ["1.13.2"]),
        (
            publish(**{"EchoAgent.deps.json": deps("linux-x64", AZURE_IDENTITY), "Azure.Identity.dll": IL_DLL}),
            "bundle-differs",
            ["at the root", "newer version"],
        ),
        (PUBLISH, "assembly-not-referenced", ["in no deps.json library", "PackageReference"]),
        (publish(**{"Azure.Identity.dll": IL_DLL}), "assembly-not-referenced", ["at the root, but no deps.json"]),
        (PROJECT, "bundle-differs", ["references Azure.Identity"]),
    ],
)
def test_assembly_missing(make_bundle, files, cause, words) -> None:  # type: ignore[no-untyped-def]
    d = explained(make_bundle(files), ASSEMBLY, runtime="dotnet_10")
    assert (d.module, d.cause) == ("Azure.Identity", cause)
    assert all(w in d.message + d.fix for w in words), d.message


def test_restore_errors_point_at_the_project(make_bundle) -> None:  # type: ignore[no-untyped-def]
    project = csproj(
        plural=True, tfm="net8.0;net10.0", packages=(("Azure.Identity", None), ("Contoso.Internal", "1.0.0"))
    )
    path = make_bundle({**PROJECT, "EchoAgent.csproj": project, "nuget.config": PRIVATE_FEED})
    nu1015, netsdk1129, nu1101 = api.explain(path, log=NU1015 + NETSDK1129 + NU1101).diagnoses
    assert (nu1015.cause, nu1015.code, nu1015.paths) == ("package-version-missing", "AZ805", ("EchoAgent.csproj",))
    assert "Azure.Identity" in nu1015.message and "Directory.Packages.props" in nu1015.message + nu1015.fix
    assert (netsdk1129.cause, netsdk1129.code) == ("multi-target", "AZ804")
    assert "<TargetFrameworks>net8.0;net10.0</TargetFrameworks>" in netsdk1129.message
    assert "<TargetFramework>net10.0</TargetFramework>" in netsdk1129.fix
    assert (nu1101.module, nu1101.cause, nu1101.code) == ("Contoso.Internal", "package-not-found", "AZ811")
    assert "contoso, nuget.org" in nu1101.message and "pkgs.dev.azure.com" in nu1101.fix


def test_a_module_on_a_dotnet_target_is_a_usage_error(make_bundle) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match=r"modules are Python.*--log"):
        api.explain(make_bundle(PUBLISH), modules=["yaml"])
    result = CliRunner().invoke(main, ["explain", str(make_bundle(PROJECT)), "-m", "yaml"])
    assert result.exit_code == 2 and "modules are Python" in result.output


def test_a_python_log_on_a_dotnet_target_says_so(make_bundle) -> None:  # type: ignore[no-untyped-def]
    expl = api.explain(make_bundle(PUBLISH), log="ModuleNotFoundError: No module named 'yaml'\n")
    assert expl.diagnoses == () and "the log shows no .NET start-up or restore failure" in expl.notes


def test_dotnet_failures_in_a_python_targets_log_are_explained_too(make_bundle) -> None:  # type: ignore[no-untyped-def]
    path = make_bundle({"main.py": "import yaml\n", "requirements.txt": "pyyaml\n"})
    expl = api.explain(path, log=["ModuleNotFoundError: No module named 'yaml'", *NATIVE.splitlines()])
    assert [d.module for d in expl.diagnoses] == ["yaml", "e_sqlite3"]


def test_cli_text_and_json(make_bundle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = str(make_bundle(publish(**{"EchoAgent.runtimeconfig.json": runtimeconfig("9.0.0")})))
    log = tmp_path / "log.txt"
    log.write_text(FRAMEWORK_MISSING + NATIVE)
    result = CliRunner().invoke(main, ["explain", path, "--log", str(log)])
    assert result.exit_code == 1, result.output
    assert "[AZ803 dotnet-target-framework]" in result.output and "e_sqlite3" in result.output
    result = CliRunner().invoke(main, ["explain", path, "--log", "-", "--format", "json"], input=FRAMEWORK_MISSING)
    doc = json.loads(result.output)
    assert [(e["module"], e["cause"], e["verdict"]) for e in doc["explanations"]] == [
        ("Microsoft.NETCore.App", "framework-missing", "fails")
    ]


@pytest.mark.network
def test_real_runtime_natives_are_found_in_a_real_deps_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from fixtures import dotnetbins

    log = "System.DllNotFoundException: Unable to load shared library 'libSystem.Native' or one of its dependencies."
    linux = tmp_path / "linux"
    shutil.copytree(dotnetbins.bundle("linux-x64"), linux)
    assert explained(linux, log).cause == "bundle-differs"
    (linux / "System.Native.so").unlink()
    d = explained(linux, log)
    assert (d.cause, d.paths) == ("native-missing", ("System.Native.so",))
    assert "runtime.linux-x64.Microsoft.NETCore.App 3.1.23" in d.message
    clrjit = "System.DllNotFoundException: Unable to load DLL 'clrjit' or one of its dependencies."
    d = explained(dotnetbins.bundle("win-x64"), clrjit)
    assert d.cause == "native-not-for-linux" and "for win-x64 only" in d.message
