""".NET rules AZ8xx: a clean case that must not fire and bad cases that must, as zip and as folder."""

from __future__ import annotations

from typing import Any

import pytest

from agentzip.api import check
from tests.conftest import codes
from tests.dotnetshapes import (
    GNU_SO,
    IL_DLL,
    PROJECT,
    PUBLISH,
    R2R_LINUX,
    R2R_MACOS,
    R2R_WINDOWS,
    csproj,
    deps,
    runtimeconfig,
    sqlite_portable,
)

REMOTE: dict[str, Any] = {"runtime": "dotnet_10", "mode": "remote_build"}
BUNDLED: dict[str, Any] = {"runtime": "dotnet_10", "mode": "bundled"}
NUGET_PRIVATE = """<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
    <add key="{key}" value="{value}" />
  </packageSources>
</configuration>
"""
PORTABLE = {**PUBLISH, "EchoAgent.deps.json": deps(None, sqlite_portable("linux-x64", "win-x64"))}
del PORTABLE["libe_sqlite3.so"]
PORTABLE["runtimes/linux-x64/native/libe_sqlite3.so"] = GNU_SO

CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    # (rule, files, check kwargs, fires)
    ("dotnet-project-file", PROJECT, {}, False),
    ("dotnet-project-file", {"src/EchoAgent/EchoAgent.csproj": csproj(), "README.md": "x"}, REMOTE, True),
    ("dotnet-project-file", {**PROJECT, "Tests.csproj": csproj()}, {}, True),
    ("dotnet-project-file", PUBLISH, {}, False),  # bundled: no project needed
    ("dotnet-build-output", PROJECT, {}, False),
    ("dotnet-build-output", {**PROJECT, "bin/Debug/net10.0/EchoAgent.dll": IL_DLL}, {}, True),
    ("dotnet-build-output", {**PROJECT, "obj/project.assets.json": "{}"}, {}, True),
    ("dotnet-build-output", {**PROJECT, "publish/EchoAgent.dll": IL_DLL}, {}, True),
    ("dotnet-build-output", PUBLISH, {}, False),
    ("dotnet-target-framework", PROJECT, {}, False),
    ("dotnet-target-framework", {**PROJECT, "EchoAgent.csproj": csproj("net9.0")}, {}, True),
    ("dotnet-target-framework", {**PROJECT, "EchoAgent.csproj": csproj("net10.0-windows")}, {}, True),
    (
        "dotnet-target-framework",
        {
            **PROJECT,
            "EchoAgent.csproj": csproj(
                "net8.0", extra="<PropertyGroup><RollForward>Major</RollForward></PropertyGroup>"
            ),
        },
        {},
        False,
    ),
    ("dotnet-target-framework", PUBLISH, {}, False),
    ("dotnet-target-framework", {**PUBLISH, "EchoAgent.runtimeconfig.json": runtimeconfig("9.0.0")}, {}, True),
    (
        "dotnet-target-framework",
        {**PUBLISH, "EchoAgent.runtimeconfig.json": runtimeconfig("8.0.0", roll="LatestMajor")},
        {},
        False,
    ),
    ("dotnet-multi-target", PROJECT, {}, False),
    ("dotnet-multi-target", {**PROJECT, "EchoAgent.csproj": csproj("net10.0", plural=True)}, {}, True),
    ("dotnet-props-outside", PROJECT, {}, False),
    ("dotnet-props-outside", {**PROJECT, "EchoAgent.csproj": csproj(packages=(("Azure.Identity", None),))}, {}, True),
    (
        "dotnet-props-outside",
        {
            **PROJECT,
            "EchoAgent.csproj": csproj(packages=(("Azure.Identity", None),)),
            "Directory.Packages.props": "<Project />",
        },
        {},
        False,
    ),
    (
        "dotnet-props-outside",
        {
            **PROJECT,
            "EchoAgent.csproj": csproj(
                extra='<ItemGroup><ProjectReference Include="..\\Shared\\Shared.csproj" /></ItemGroup>'
            ),
        },
        {},
        True,
    ),
    (
        "dotnet-props-outside",
        {
            **PROJECT,
            "Shared/Shared.csproj": "<Project />",
            "EchoAgent.csproj": csproj(
                extra='<ItemGroup><ProjectReference Include="Shared/Shared.csproj" /></ItemGroup>'
            ),
        },
        {},
        False,
    ),
    ("dotnet-runtimeconfig", PUBLISH, {}, False),
    (
        "dotnet-runtimeconfig",
        {k: v for k, v in PUBLISH.items() if not k.endswith("runtimeconfig.json")},
        BUNDLED | {"entry_point": "EchoAgent.dll"},
        True,
    ),
    ("dotnet-runtimeconfig", {**PUBLISH, "EchoAgent.runtimeconfig.json": "{not json"}, {}, True),
    (
        "dotnet-runtimeconfig",
        {**PUBLISH, "EchoAgent.runtimeconfig.json": '{"runtimeOptions": {"tfm": "net10.0"}}'},
        {},
        True,
    ),
    (
        "dotnet-runtimeconfig",
        {
            **PUBLISH,
            "EchoAgent.runtimeconfig.json": runtimeconfig(
                framework={"name": "Microsoft.WindowsDesktop.App", "version": "10.0.0"}
            ),
        },
        {},
        True,
    ),
    ("dotnet-wrong-rid", PUBLISH, {}, False),
    ("dotnet-wrong-rid", PORTABLE, {}, False),
    ("dotnet-wrong-rid", {**PUBLISH, "EchoAgent.deps.json": deps("win-x64")}, {}, True),
    ("dotnet-wrong-rid", {**PUBLISH, "EchoAgent.deps.json": deps("linux-musl-x64")}, {}, True),
    ("dotnet-wrong-rid", {**PUBLISH, "EchoAgent.deps.json": deps("osx-arm64")}, {}, True),
    ("dotnet-native-missing", PUBLISH, {}, False),
    ("dotnet-native-missing", {k: v for k, v in PUBLISH.items() if k != "libe_sqlite3.so"}, {}, True),
    ("dotnet-native-missing", PORTABLE, {}, False),
    ("dotnet-native-missing", {k: v for k, v in PORTABLE.items() if not k.startswith("runtimes/")}, {}, True),
    (
        "dotnet-native-missing",
        {**PUBLISH, "EchoAgent.deps.json": deps(None, sqlite_portable("win-x64", "osx-arm64"))},
        {},
        True,
    ),
    ("dotnet-readytorun-os", {**PUBLISH, "EchoAgent.dll": R2R_LINUX}, {}, False),
    ("dotnet-readytorun-os", PUBLISH, {}, False),
    ("dotnet-readytorun-os", {**PUBLISH, "EchoAgent.dll": R2R_WINDOWS}, {}, True),
    ("dotnet-readytorun-os", {**PUBLISH, "EchoAgent.dll": R2R_MACOS}, {}, True),
    ("dotnet-global-json", PROJECT, {}, False),
    ("dotnet-global-json", {**PROJECT, "global.json": '{"sdk": {"version": "10.0.100"}}'}, {}, False),
    ("dotnet-global-json", {**PROJECT, "global.json": '{"sdk": {"version": "8.0.404"}}'}, {}, True),
    (
        "dotnet-global-json",
        {**PROJECT, "global.json": '{"sdk": {"version": "8.0.404", "rollForward": "latestMajor"}}'},
        {},
        False,
    ),
    ("dotnet-private-feed", PROJECT, {}, False),
    (
        "dotnet-private-feed",
        {**PROJECT, "nuget.config": NUGET_PRIVATE.format(key="local", value="./feed"), "feed/x.nupkg": b"PK"},
        {},
        False,
    ),
    (
        "dotnet-private-feed",
        {
            **PROJECT,
            "nuget.config": NUGET_PRIVATE.format(
                key="internal", value="https://pkgs.dev.azure.com/contoso/_packaging/internal/nuget/v3/index.json"
            ),
        },
        {},
        True,
    ),
    (
        "dotnet-private-feed",
        {**PROJECT, "NuGet.Config": NUGET_PRIVATE.format(key="disk", value="../packages")},
        {},
        True,
    ),
    ("dotnet-dev-settings", PROJECT, {}, False),
    ("dotnet-dev-settings", {**PROJECT, "Properties/launchSettings.json": "{}"}, {}, True),
    ("dotnet-dev-settings", {**PROJECT, "appsettings.Development.json": "{}"}, {}, True),
    ("dotnet-dev-settings", {**PUBLISH, "secrets.json": "{}"}, {}, True),
    (
        "dotnet-dev-settings",
        {"main.py": "x", "requirements.txt": "", "secrets.json": "{}"},
        {},
        False,
    ),  # Python: not ours
]


@pytest.mark.parametrize(("rule", "files", "kwargs", "fires"), CASES)
def test_dotnet_rule(make_bundle, rule, files, kwargs, fires) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle(files), select=[rule], **kwargs)
    assert (rule in codes(report)) is fires, report.findings


def test_every_dotnet_rule_has_a_firing_and_a_clean_case() -> None:
    from agentzip.validator.registry import all_rules

    names = {r.name for r in all_rules() if r.code.startswith("AZ8")}
    assert names == {c[0] for c in CASES if c[3]} == {c[0] for c in CASES if not c[3]}


def test_severities_split_where_the_issue_says(make_bundle) -> None:  # type: ignore[no-untyped-def]
    several = check(make_bundle({**PROJECT, "EchoAgent.sln": ""}), select=["dotnet-project-file"]).findings
    assert [f.severity.label for f in several] == ["warning"]
    no_linux = {**PUBLISH, "EchoAgent.deps.json": deps(None, sqlite_portable("win-x64"))}
    (f,) = check(make_bundle(no_linux), select=["dotnet-native-missing"]).findings
    assert f.severity.label == "warning" and "win-x64" in f.message and "DllNotFoundException" in f.message


def test_readytorun_message_names_the_machine(make_bundle) -> None:  # type: ignore[no-untyped-def]
    (f,) = check(make_bundle({**PUBLISH, "EchoAgent.dll": R2R_MACOS}), select=["dotnet-readytorun-os"]).findings
    assert "macos-x86_64 (machine 0xc020)" in f.message and f.severity.label == "warning"


NUGET_CREDENTIALS = """<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="contoso" value="https://pkgs.dev.azure.com/contoso/_packaging/internal/nuget/v3/index.json" />
  </packageSources>
  <packageSourceCredentials>
    <contoso>
      <add key="Username" value="build" />
      <add key="{key}" value="{value}" />
    </contoso>
  </packageSourceCredentials>
</configuration>
"""


@pytest.mark.parametrize(
    ("key", "value", "fires"),
    [
        ("ClearTextPassword", "q7x2-not-a-real-token", True),
        ("Password", "AQAAANCMnd8BFdERjHoAwE", False),  # DPAPI-encrypted: usable on its own machine only
        ("ClearTextPassword", "", False),
    ],
)
def test_a_nuget_feed_password_in_clear_text_is_a_secret(make_bundle, key: str, value: str, fires: bool) -> None:  # type: ignore[no-untyped-def]
    files = {**PROJECT, "nuget.config": NUGET_CREDENTIALS.format(key=key, value=value)}
    findings = check(make_bundle(files), select=["secret-file"]).findings
    assert [(f.path, f.severity.label) for f in findings] == ([("nuget.config", "error")] if fires else [])
    if fires:
        assert "contoso" in findings[0].message and "q7x2" not in findings[0].message


def test_the_wrapper_hint_zips_a_deep_publish_folder_beside_the_project(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import zip_of

    inner = "EchoAgent/bin/Release/net10.0/linux-x64/publish"
    files = {**{f"EchoAgent/{k}": v for k, v in PROJECT.items()}, **{f"{inner}/{k}": v for k, v in PUBLISH.items()}}
    path = tmp_path / "agent.zip"
    path.write_bytes(zip_of(files))
    (f,) = check(path, select=["wrapper-folder"], runtime="dotnet_10").findings
    assert f.hint == f"cd {inner} && zip -r ../../../../../../agent.zip . -x '*.pdb'"
    assert f"the publish output is `{inner}/`" in f.message
