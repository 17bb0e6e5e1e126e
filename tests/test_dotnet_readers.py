"""The .NET readers: documented shapes parse, hostile or broken files become an error value, never a raise."""

from __future__ import annotations

import pytest

from agentzip.api import check
from agentzip.validator.dotnet import (
    XML_LIMIT,
    read_deps,
    read_global_json,
    read_nuget_config,
    read_project,
    read_runtimeconfig,
    tfm_major,
    tfm_platform,
)
from tests.conftest import codes
from tests.dotnetshapes import PROJECT, PUBLISH, csproj, deps, runtimeconfig, sqlite_portable

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Project><PropertyGroup><AssemblyName>&lol2;</AssemblyName></PropertyGroup></Project>"""
OLD_STYLE = b"""<?xml version="1.0" encoding="utf-8"?>
<Project ToolsVersion="15.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <PropertyGroup><AssemblyName>Legacy</AssemblyName><TargetFramework>net48</TargetFramework></PropertyGroup>
  <ItemGroup><PackageReference Include="Newtonsoft.Json"><Version>13.0.3</Version></PackageReference></ItemGroup>
  <Import Project="..\\build\\common.props" />
</Project>"""


def test_a_project_file_in_both_styles() -> None:
    p = read_project(
        "EchoAgent.csproj",
        csproj(extra='<ItemGroup><ProjectReference Include="Lib/Lib.csproj" /></ItemGroup>').encode(),
    )
    assert (p.dll, p.frameworks, p.project_refs, p.error) == ("EchoAgent.dll", ("net10.0",), ("Lib/Lib.csproj",), None)
    old = read_project("Legacy.csproj", OLD_STYLE)
    assert (old.dll, old.packages[0].version, old.imports) == ("Legacy.dll", "13.0.3", ("..\\build\\common.props",))


@pytest.mark.parametrize(
    "data",
    [
        BILLION_LAUGHS,
        b"<Project><PropertyGroup>",
        b"\xff\xfe\x00garbage",
        b"<Project>" + b" " * XML_LIMIT + b"</Project>",
    ],
    ids=["entities", "truncated", "binary", "too-large"],
)
def test_hostile_project_files_are_an_error_value(data: bytes) -> None:
    p = read_project("X.csproj", data)
    assert p.error and p.assembly_name is None


def test_hostile_project_file_is_reported_not_raised(make_bundle) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle({**PROJECT, "EchoAgent.csproj": BILLION_LAUGHS}))
    assert report.target["entry_point"] == ["dotnet", "EchoAgent.dll"]  # the stem, never the entity
    assert not any("internal error" in f.message for f in report.findings)


def test_runtimeconfig_shapes() -> None:
    rc = read_runtimeconfig("A.runtimeconfig.json", runtimeconfig("8.0.0", roll="LatestMajor").encode())
    assert (rc.tfm, rc.frameworks[0], rc.rolls_across_majors) == ("net8.0", ("Microsoft.NETCore.App", "8.0.0"), True)
    single = (
        b'{"runtimeOptions": {"tfm": "net10.0", "framework": {"name": "Microsoft.NETCore.App", "version": "10.0.0"}}}'
    )
    assert read_runtimeconfig("B", single).frameworks == (("Microsoft.NETCore.App", "10.0.0"),)
    contained = b'{"runtimeOptions": {"includedFrameworks": [{"name": "Microsoft.NETCore.App", "version": "10.0.1"}]}}'
    assert read_runtimeconfig("C", contained).included == (("Microsoft.NETCore.App", "10.0.1"),)
    assert read_runtimeconfig("D", b'// written by hand\n{"runtimeOptions": {"tfm": "net10.0"}}').tfm == "net10.0"


@pytest.mark.parametrize("data", [b"[" * 100_000, b"null", b'{"runtimeOptions": 3}', b"\xef\xbb\xbf{"])
def test_broken_json_is_an_error_value(data: bytes) -> None:
    assert read_runtimeconfig("X.runtimeconfig.json", data).error
    assert read_deps("X.deps.json", data).runtime_target is None


def test_deps_json_shapes() -> None:
    rid = read_deps("A.deps.json", deps("linux-x64").encode())
    assert (rid.rid, rid.libraries[0].assets[0].path) == ("linux-x64", "EchoAgent.dll")
    portable = read_deps("A.deps.json", deps(None, sqlite_portable("linux-x64", "win-x64")).encode())
    assert portable.rid is None
    assert {(a.rid, a.kind) for a in portable.libraries[1].rid_assets} == {
        ("linux-x64", "native"),
        ("win-x64", "native"),
    }


def test_global_json_and_nuget_config() -> None:
    g = read_global_json("global.json", b'{"sdk": {"version": "9.0.100", "rollForward": "latestFeature"}}')
    assert (g.sdk_version, g.roll_forward) == ("9.0.100", "latestFeature")
    config = b"""<configuration><packageSources><clear /><add key="a" value="https://x/index.json" /></packageSources>
<packageSourceCredentials><a><add key="Username" value="me" /><add key="ClearTextPassword" value="hunter2" /></a>
</packageSourceCredentials></configuration>"""
    n = read_nuget_config("nuget.config", config)
    assert (n.feeds, n.clears, n.cleartext_passwords) == ((("a", "https://x/index.json"),), True, ("a",))


@pytest.mark.parametrize(
    ("tfm", "major", "platform"),
    [
        ("net10.0", 10, None),
        ("net9.0", 9, None),
        ("netcoreapp3.1", 3, None),
        ("net10.0-windows10.0.19041", 10, "windows"),
        ("netstandard2.0", None, None),
        ("net48", None, None),
        ("$(TargetFrameworkVar)", None, None),
    ],
)
def test_tfm_parsing(tfm: str, major: int | None, platform: str | None) -> None:
    assert (tfm_major(tfm), tfm_platform(tfm)) == (major, platform)


def test_checkpoints_are_one_finding(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**PUBLISH, ".checkpoints/a.json": "{}", ".checkpoints/b.json": "{}"}
    assert codes(check(make_bundle(files), select=["dotnet-dev-settings"])) == ["dotnet-dev-settings"]
