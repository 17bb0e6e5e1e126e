""".NET inputs in their documented shapes: project files, runtimeconfig, deps.json, and managed PE images."""

from __future__ import annotations

import json
import struct
from typing import Any

from tests.elves import shared_object

GNU_SO = shared_object(glibc=("GLIBC_2.2.5", "GLIBC_2.14"))
COMIMAGE_ILONLY, COMIMAGE_32BITREQUIRED = 0x1, 0x2


def csproj(
    tfm: str = "net10.0",
    *,
    plural: bool = False,
    assembly: str | None = "EchoAgent",
    packages: tuple[tuple[str, str | None], ...] = (("Azure.Identity", "1.13.2"),),
    extra: str = "",
) -> str:
    """An SDK-style project as `dotnet new web` writes it, with the agent's package references."""
    tag = "TargetFrameworks" if plural else "TargetFramework"
    name = f"\n    <AssemblyName>{assembly}</AssemblyName>" if assembly else ""
    refs = "".join(
        f'\n    <PackageReference Include="{n}"' + (f' Version="{v}"' if v else "") + " />" for n, v in packages
    )
    return (
        '<Project Sdk="Microsoft.NET.Sdk.Web">\n  <PropertyGroup>\n'
        f"    <{tag}>{tfm}</{tag}>\n    <Nullable>enable</Nullable>{name}\n  </PropertyGroup>\n"
        f"  <ItemGroup>{refs}\n  </ItemGroup>{extra}\n</Project>\n"
    )


PROGRAM_CS = (
    'var app = WebApplication.CreateBuilder(args).Build();\napp.MapGet("/readiness", () => "ok");\napp.Run();\n'
)
PROJECT: dict[str, Any] = {"EchoAgent.csproj": csproj(), "Program.cs": PROGRAM_CS, "appsettings.json": "{}\n"}


def runtimeconfig(version: str = "10.0.0", tfm: str | None = None, roll: str | None = None, **extra: Any) -> str:
    """`<App>.runtimeconfig.json` of a framework-dependent app (ASP.NET Core apps name two frameworks)."""
    major, minor = version.split(".")[:2]
    options: dict[str, Any] = {
        "tfm": tfm or f"net{major}.{minor}",
        "frameworks": [
            {"name": "Microsoft.NETCore.App", "version": version},
            {"name": "Microsoft.AspNetCore.App", "version": version},
        ],
    }
    if roll:
        options["rollForward"] = roll
    options.update(extra)
    return json.dumps({"runtimeOptions": options}, indent=2)


def deps(rid: str | None = "linux-x64", libs: dict[str, dict[str, Any]] | None = None, app: str = "EchoAgent") -> str:
    """`<App>.deps.json` as the SDK writes it: runtimeTarget, targets[runtimeTarget], libraries."""
    target = ".NETCoreApp,Version=v10.0" + (f"/{rid}" if rid else "")
    entries: dict[str, Any] = {f"{app}/1.0.0": {"runtime": {f"{app}.dll": {}}}}
    entries.update(libs or {})
    libraries = {k: {"type": "project" if k.startswith(app) else "package", "serviceable": False} for k in entries}
    return json.dumps(
        {
            "runtimeTarget": {"name": target, "signature": ""},
            "compilationOptions": {},
            "targets": {target: entries},
            "libraries": libraries,
        },
        indent=2,
    )


SQLITE_RID_SPECIFIC = {
    "SQLitePCLRaw.lib.e_sqlite3/2.1.10": {
        "native": {"runtimes/linux-x64/native/libe_sqlite3.so": {"fileVersion": "0.0.0.0"}}
    },
}


def sqlite_portable(*rids: str) -> dict[str, Any]:
    """A package with native code per RID (runtimeTargets), as a portable publish lists it."""
    names = {"win-x64": "e_sqlite3.dll", "osx-arm64": "libe_sqlite3.dylib"}
    targets = {
        f"runtimes/{rid}/native/{names.get(rid, 'libe_sqlite3.so')}": {"rid": rid, "assetType": "native"}
        for rid in rids
    }
    return {"SQLitePCLRaw.lib.e_sqlite3/2.1.10": {"runtimeTargets": targets}}


def managed_pe(machine: int = 0x14C, flags: int = COMIMAGE_ILONLY, *, readytorun: bool = False) -> bytes:
    """A .NET assembly laid out as compilers do: one `.text` section at RVA 0x2000, file offset 0x200,
    the CLI header (ECMA-335 II.25.3.3) at RVA 0x2008 and, for ReadyToRun, the READYTORUN_HEADER
    ('RTR') its ManagedNativeHeader points to."""
    pe32plus = machine != 0x14C
    opt_size = 240 if pe32plus else 224
    coff = struct.pack("<HHIIIHH", machine, 1, 0, 0, 0, opt_size, 0x2022)
    opt = bytearray(opt_size)
    struct.pack_into("<H", opt, 0, 0x20B if pe32plus else 0x10B)
    count_at = 108 if pe32plus else 92
    struct.pack_into("<I", opt, count_at, 16)
    struct.pack_into("<II", opt, count_at + 4 + 14 * 8, 0x2008, 72)
    section = struct.pack("<8sIIIIIIHHI", b".text", 0x1000, 0x2000, 0x1000, 0x200, 0, 0, 0, 0, 0x60000020)
    stub = bytearray(0x80)
    stub[:2] = b"MZ"
    struct.pack_into("<I", stub, 0x3C, 0x80)
    head = bytes(stub) + b"PE\0\0" + coff + bytes(opt) + section
    body = bytearray(0x1000)
    struct.pack_into("<IHHIII", body, 8, 72, 2, 5, 0x2100, 0x100, flags)
    if readytorun:
        struct.pack_into("<II", body, 8 + 64, 0x2050, 16)
        struct.pack_into("<IHH", body, 0x50, 0x00525452, 9, 2)
    return head.ljust(0x200, b"\0") + bytes(body)


IL_DLL = managed_pe()
R2R_LINUX = managed_pe(0x8664 ^ 0x7B79, 0x4, readytorun=True)
R2R_WINDOWS = managed_pe(0x8664, 0x4, readytorun=True)
R2R_MACOS = managed_pe(0x8664 ^ 0x4644, 0x4, readytorun=True)
MIXED_MODE = managed_pe(0x8664, 0x0)  # C++/CLI: a CLI header without ILONLY
X86_ONLY = managed_pe(0x14C, COMIMAGE_ILONLY | COMIMAGE_32BITREQUIRED)

PUBLISH: dict[str, Any] = {
    "EchoAgent.dll": IL_DLL,
    "EchoAgent.runtimeconfig.json": runtimeconfig(),
    "EchoAgent.deps.json": deps("linux-x64", SQLITE_RID_SPECIFIC),
    "libe_sqlite3.so": GNU_SO,
    "appsettings.json": "{}\n",
}
