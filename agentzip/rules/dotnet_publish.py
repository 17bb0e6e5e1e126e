""".NET publish-output rules (AZ8xx): runtimeconfig, deps.json RIDs, native assets, ReadyToRun code."""

from __future__ import annotations

from collections.abc import Iterator

from agentzip.foundry import BUNDLED
from agentzip.validator.context import Context
from agentzip.validator.findings import SHOWN, Hit, Severity
from agentzip.validator.registry import rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # the .NET readers load only when a .NET target is checked
    from agentzip.validator.dotnet import DepsJson, DepsLibrary

PUBLISH_HINT = "dotnet publish -c Release -r linux-x64 --self-contained false -p:UseAppHost=false"
RUNTIME_RID = "linux-x64"
# The host's fallback for linux-x64 (the RID graph): the first of these a package ships wins.
LINUX_RIDS = ("linux-x64", "linux", "unix-x64", "unix", "any")


def _bundled(ctx: Context) -> bool:
    return ctx.target.is_dotnet and ctx.target.mode == BUNDLED


@rule("AZ806", "dotnet-runtimeconfig", Severity.ERROR)
def dotnet_runtimeconfig(ctx: Context) -> Iterator[Hit]:
    """The entry assembly's `*.runtimeconfig.json` is missing, unreadable, or names no usable framework.

    ## What it does
    In bundled mode, looks for `<entry>.runtimeconfig.json` beside the entry assembly and reads
    it: it must parse and name a framework (`framework`/`frameworks`) or, for a self-contained
    app, `includedFrameworks`; `Microsoft.WindowsDesktop.App` is an error.

    ## Why is this bad
    `dotnet MyAgent.dll` reads the runtimeconfig to know which shared framework to load.
    Without it the host treats the app as self-contained and fails ("A fatal error was
    encountered. The library 'libhostpolicy.so' required to execute the application was not
    found"). WindowsDesktop (WPF, WinForms) exists only on Windows.

    ## Example
    A zip with `MyAgent.dll` and `MyAgent.deps.json` but no `MyAgent.runtimeconfig.json`.

    ## How to fix
    Zip the whole publish output (`dotnet publish` writes the runtimeconfig), and target
    `net10.0`, not `net10.0-windows`.
    """
    if not _bundled(ctx) or ctx.index.wrapper_dir is not None:
        return
    entry = ctx.target.entry_file
    if not entry or not entry.endswith(".dll") or entry not in ctx.index.by_path:
        return  # entry-point-missing says so
    want = entry[: -len(".dll")] + ".runtimeconfig.json"
    config = ctx.index.dotnet.runtimeconfig_for(entry)
    if config is None:
        yield Hit(
            want,
            f"`{want}` is missing: `dotnet {entry}` cannot tell which framework to load",
            f"zip the complete publish output ({PUBLISH_HINT})",
        )
        return
    if config.error is not None:
        yield Hit(want, f"`{want}` cannot be read: {config.error}", f"publish again ({PUBLISH_HINT})")
        return
    if not config.frameworks and not config.included:
        yield Hit(want, f"`{want}` names no framework (runtimeOptions.framework)", f"publish again ({PUBLISH_HINT})")
    from agentzip.validator.dotnet import WINDOWS_FRAMEWORKS

    for name, version in config.frameworks + config.included:
        if name in WINDOWS_FRAMEWORKS:
            yield Hit(
                want,
                f"`{want}` needs {name} {version}, which exists only on Windows",
                "target net10.0 (not net10.0-windows) and drop WPF/WinForms (UseWPF, UseWindowsForms)",
            )


@rule("AZ807", "dotnet-wrong-rid", Severity.ERROR)
def dotnet_wrong_rid(ctx: Context) -> Iterator[Hit]:
    """The publish output was built for another platform (`win-x64`, `osx-arm64`, `linux-musl-x64`...).

    ## What it does
    Reads `runtimeTarget.name` of every root `*.deps.json` and fires when it names a runtime
    identifier other than `linux-x64` (a portable publish names none and is fine).

    ## Why is this bad
    A RID-specific publish carries native libraries and sometimes a whole runtime for that
    platform only: on the Linux x86_64 runtime they fail to load (`DllNotFoundException`), or
    the app does not start at all.

    ## Example
    `MyAgent.deps.json` with `"runtimeTarget": {"name": ".NETCoreApp,Version=v10.0/win-x64"}`.

    ## How to fix
    Publish for the runtime: `dotnet publish -c Release -r linux-x64 --self-contained false`.
    """
    if not ctx.target.is_dotnet:
        return
    for deps in ctx.index.dotnet.deps:
        rid = deps.rid
        if rid is None or rid == RUNTIME_RID:
            continue
        contained = " (self-contained: it ships a runtime for that platform)" if _self_contained(deps) else ""
        yield Hit(
            deps.path,
            f"published for `{rid}`{contained}; the runtime is Linux x86_64 ({RUNTIME_RID})",
            PUBLISH_HINT,
        )


def _self_contained(deps: DepsJson) -> bool:
    # .NET 5+: runtimepack.Microsoft.NETCore.App.Runtime.<rid>; .NET Core 3: runtime.<rid>.Microsoft.NETCore.App
    return any(
        lib.name.startswith("runtimepack.") or (lib.name.startswith("runtime.") and "Microsoft.NETCore.App" in lib.name)
        for lib in deps.libraries
    )


def _missing(ctx: Context, deps: DepsJson) -> Iterator[Hit]:
    """RID-specific publish: every runtime and native asset sits at the root, by file name."""
    missing: dict[str, list[str]] = {}
    for lib in deps.libraries:
        for asset in lib.assets:
            name = asset.path.rsplit("/", 1)[-1]
            if asset.rid is None and name not in ctx.index.root_files:
                missing.setdefault(f"{lib.name} {lib.version}", []).append(name)
    for who, names in sorted(missing.items()):
        shown = ", ".join(names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
        yield Hit(
            deps.path,
            f"{who}: {deps.path} lists {shown}, which is not at the root: loading it fails "
            "(FileNotFoundException or DllNotFoundException)",
            f"zip the complete publish output ({PUBLISH_HINT})",
            paths=tuple(names),
        )


def _portable(ctx: Context, deps: DepsJson, lib: DepsLibrary) -> Iterator[Hit]:
    natives = [a for a in lib.rid_assets if a.kind == "native"]
    if not natives:
        return
    for rid in LINUX_RIDS:
        chosen = [a for a in natives if a.rid == rid]
        if chosen:
            absent = [a.path for a in chosen if a.path not in ctx.index.by_path]
            if absent:
                yield Hit(
                    absent[0],
                    f"{lib.name} {lib.version}: {deps.path} lists `{absent[0]}` for {rid}, which is not in the bundle",
                    f"zip the complete publish output ({PUBLISH_HINT})",
                    paths=tuple(absent),
                )
            return
    rids = sorted({a.rid for a in natives if a.rid})
    yield Hit(
        deps.path,
        f"{lib.name} {lib.version} ships native code for {', '.join(rids[:6])} only, none for {RUNTIME_RID}: "
        "the first call into it fails with DllNotFoundException",
        f"use a package version with linux-x64 natives, then {PUBLISH_HINT}",
        severity=Severity.WARNING,
    )


@rule("AZ808", "dotnet-native-missing", Severity.ERROR)
def dotnet_native_missing(ctx: Context) -> Iterator[Hit]:
    """An asset `deps.json` lists is missing, or a package has no native code for linux-x64.

    ## What it does
    For a `linux-x64` publish, checks that every runtime and native asset the root `*.deps.json`
    lists is at the root. For a portable publish, checks each package's `runtimeTargets`: the
    Linux asset the host would pick (`linux-x64`, then `linux`, `unix`, `any`) must be at its
    path (error), and a package with native code but none for Linux is a warning.

    ## Why is this bad
    The host loads what `deps.json` lists and nothing else. A missing `libe_sqlite3.so` or a
    package built only for Windows is silent until first use, then `DllNotFoundException:
    Unable to load shared library 'e_sqlite3'`.

    ## Example
    `MyAgent.deps.json` lists `runtimes/linux-x64/native/libe_sqlite3.so` (SQLitePCLRaw) and the
    zip has no `libe_sqlite3.so` at its root.

    ## How to fix
    Zip the complete publish output of `dotnet publish -c Release -r linux-x64
    --self-contained false`; for a Windows-only package, pick one with Linux support.
    """
    if not _bundled(ctx):
        return
    for deps in ctx.index.dotnet.deps:
        if deps.error is not None:
            continue
        if deps.rid == RUNTIME_RID:
            yield from _missing(ctx, deps)
        elif deps.rid is None:
            for lib in deps.libraries:
                yield from _portable(ctx, deps, lib)


@rule("AZ809", "dotnet-readytorun-os", Severity.WARNING)
def dotnet_readytorun_os(ctx: Context) -> Iterator[Hit]:
    """ReadyToRun assemblies hold precompiled code for another OS or CPU.

    ## What it does
    Reads the CLI header of every .NET assembly: a ReadyToRun image whose COFF machine, with
    the OS override removed (Linux 0x7B79, Apple 0x4644, FreeBSD 0xADC4, NetBSD 0x1993, Windows
    0), is not x64 code for Linux (`0x8664 ^ 0x7B79 = 0xFD1D`) is reported.

    ## Why is this bad
    The runtime ignores precompiled code for another platform and compiles every method with
    the JIT: the app works, but starts slower and uses more memory, which defeats the reason
    for `PublishReadyToRun`.

    ## Example
    `MyAgent.dll` published with `-r win-x64 -p:PublishReadyToRun=true` (machine 0x8664).

    ## How to fix
    Publish ReadyToRun for the runtime: `dotnet publish -c Release -r linux-x64 -p:PublishReadyToRun=true`.
    """
    if not ctx.target.is_dotnet:
        return
    groups: dict[str, list[str]] = {}
    for n in ctx.index.natives:
        info = n.info
        if info.format == "pe" and info.readytorun and (info.osabi != "linux" or info.arch != "x86_64"):
            platform = f"{info.osabi or 'windows'}-{info.arch} (machine {info.machine:#06x})"
            groups.setdefault(platform, []).append(n.path)
    for platform, paths in sorted(groups.items()):
        paths.sort()
        shown = ", ".join(paths[:SHOWN]) + (f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else "")
        yield Hit(
            paths[0],
            f"{len(paths)} ReadyToRun assemblies precompiled for {platform}, not linux-x64 (0xfd1d): {shown}; "
            "the runtime ignores that code and JIT-compiles every method (slower start)",
            "dotnet publish -c Release -r linux-x64 -p:PublishReadyToRun=true",
            paths=tuple(paths),
        )
