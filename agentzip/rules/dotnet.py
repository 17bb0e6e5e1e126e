""".NET project rules (AZ8xx): what the service's restore and publish of a remote_build project need.

The publish-output rules (runtimeconfig, deps.json, binaries) are in dotnet_publish.py.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from agentzip.foundry import REMOTE_BUILD
from agentzip.validator.context import Context
from agentzip.validator.findings import Hit, Severity
from agentzip.validator.registry import rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # the .NET readers load only when a .NET target is checked
    from agentzip.validator.dotnet import Project

RUNTIME_MAJOR = 10
PUBLISH_HINT = "dotnet publish -c Release -r linux-x64 --self-contained false -p:UseAppHost=false"


def _remote(ctx: Context) -> bool:
    return ctx.target.is_dotnet and ctx.target.mode == REMOTE_BUILD


@rule("AZ801", "dotnet-project-file", Severity.ERROR)
def dotnet_project_file(ctx: Context) -> Iterator[Hit]:
    """A remote_build .NET bundle has no project file at its root, or more than one.

    ## What it does
    In remote_build, fires when the root has no `*.csproj` or `*.fsproj` (an error, naming one
    found deeper), and warns when the root has several project or solution files.

    ## Why is this bad
    The service restores and publishes the project file at the zip root; without one there is
    nothing to build. With several, which one it picks is not documented (azd takes the first).

    ## Example
    `src/MyAgent/MyAgent.csproj` with nothing at the root; or `MyAgent.csproj` beside `Tests.csproj`.

    ## How to fix
    Zip the project's folder itself, so its `.csproj` is at the root, and keep one project there.
    """
    if not _remote(ctx) or not ctx.index.files or ctx.index.wrapper_dir is not None:
        return
    facts = ctx.index.dotnet
    if not facts.projects:
        deeper = sorted(f.path for f in ctx.index.agent_files if f.path.lower().endswith((".csproj", ".fsproj")))
        seen = f"; found {', '.join(deeper[:3])}" if deeper else ""
        where = posixpath.dirname(deeper[0]) if deeper else "the project folder"
        yield Hit(
            None,
            f"no .csproj or .fsproj at the root: remote build has nothing to publish{seen}",
            f"zip the contents of {where} so its project file is at the root",
        )
        return
    several = [p.path for p in facts.projects] + facts.solutions
    if len(several) > 1:
        yield Hit(
            several[0],
            f"{len(several)} project or solution files at the root ({', '.join(several[:4])}): "
            f"which one the service publishes is not documented (azd takes {facts.projects[0].path})",
            "keep one project file at the root; move tests and other projects out of the zip",
            severity=Severity.WARNING,
            paths=tuple(several),
        )


BUILD_DIRS = ("bin", "obj", "publish")


@rule("AZ802", "dotnet-build-output", Severity.ERROR)
def dotnet_build_output(ctx: Context) -> Iterator[Hit]:
    """Build output (`bin/`, `obj/`, `publish/`, built assemblies) in a remote_build bundle.

    ## What it does
    In remote_build, reports `bin/`, `obj/` and `publish/` folders and `.dll`/`.pdb` files at the
    root: what `dotnet build` or `dotnet publish` left behind on the developer's machine.

    ## Why is this bad
    The service builds the sources itself. `obj/project.assets.json` holds the developer's
    absolute paths and restore state, which can break or skew the service's restore; `bin/` is
    dead weight that counts against the 250 MiB limit. azd leaves `bin/` and `obj/` out, but a
    zip made by hand does not, and `publish/` travels even with azd.

    ## Example
    `MyAgent.csproj`, `Program.cs`, `bin/Debug/net10.0/MyAgent.dll`, `obj/project.assets.json`.

    ## How to fix
    Zip the sources only: `zip -r agent.zip . -x 'bin/*' 'obj/*' 'publish/*'`, or use
    `agentzip build`. To ship what you built, use `dependency_resolution: bundled`.
    """
    if not _remote(ctx):
        return
    folders: dict[str, list[str]] = {}
    for f in ctx.index.agent_files:
        parts = f.path.split("/")
        for i, part in enumerate(parts[:-1]):
            if part.lower() in BUILD_DIRS:
                folders.setdefault("/".join(parts[: i + 1]), []).append(f.path)
                break
        else:
            if "/" not in f.path and f.path.lower().endswith((".dll", ".pdb", ".exe")):
                folders.setdefault(f.path, []).append(f.path)
    for where, paths in sorted(folders.items()):
        is_dir = where not in ctx.index.by_path
        size = sum(ctx.index.by_path[p].size for p in paths)
        what = f"`{where}/` ({len(paths)} files, {size / 1e6:.1f} MB)" if is_dir else f"the built file `{where}`"
        yield Hit(
            where + "/" if is_dir else where,
            f"{what} is build output in a remote_build bundle: the service builds the project itself",
            "leave bin/, obj/ and publish/ out of the zip (agentzip build does), "
            "or deploy the publish output as bundled",
            paths=tuple(paths[:1000]),
        )


def _rolls(ctx: Context, project: Project | None) -> bool:
    return bool(project and (project.roll_forward or "").lower() in ("major", "latestmajor"))


@rule("AZ803", "dotnet-target-framework", Severity.ERROR)
def dotnet_target_framework(ctx: Context) -> Iterator[Hit]:
    """The project or publish output targets a .NET other than 10, or Windows.

    ## What it does
    Reads `TargetFramework` from the root project file and `tfm`/framework versions from the
    entry point's `*.runtimeconfig.json`, and fires when the major version is not 10 (unless
    `RollForward`/`rollForward` is `Major` or `LatestMajor`), or when the TFM is `-windows`.

    ## Why is this bad
    The image has the .NET 10 runtime only, and the default roll-forward never crosses a major
    version: a net8.0 or net9.0 app stops at start-up with "You must install or update .NET to
    run this application". A `net10.0-windows` project needs Windows-only packs.

    ## Example
    `<TargetFramework>net9.0</TargetFramework>`, or `"tfm": "net8.0"` in `MyAgent.runtimeconfig.json`.

    ## How to fix
    Target `net10.0` (`<TargetFramework>net10.0</TargetFramework>`) and publish again, or
    set `<RollForward>Major</RollForward>` if you have tested the app on .NET 10.
    """
    if not ctx.target.is_dotnet:
        return
    facts = ctx.index.dotnet
    project = facts.project
    if project is not None and project.error is None:
        for tfm in project.frameworks:
            yield from _tfm_hit(project.path, tfm, _rolls(ctx, project), "TargetFramework")
    entry = ctx.target.entry_file
    config = facts.runtimeconfig_for(entry) if entry else None
    if config is None or config.error is not None or project is not None:
        return
    if config.tfm:
        yield from _tfm_hit(config.path, config.tfm, config.rolls_across_majors, "tfm")
        from agentzip.validator.dotnet import tfm_major

        if tfm_major(config.tfm) is not None:
            return
    for name, version in config.frameworks:
        major = version.split(".", 1)[0]
        if major.isdigit() and int(major) != RUNTIME_MAJOR and not config.rolls_across_majors:
            yield Hit(
                config.path,
                f"needs {name} {version}; the runtime has .NET {RUNTIME_MAJOR} and the default roll-forward "
                f'never crosses a major version ("You must install or update .NET to run this application")',
                "target net10.0 and publish again, or set <RollForward>Major</RollForward>",
            )


def _tfm_hit(path: str, tfm: str, rolls: bool, what: str) -> Iterator[Hit]:
    from agentzip.validator.dotnet import tfm_major, tfm_platform

    platform = tfm_platform(tfm)
    if platform == "windows":
        yield Hit(path, f"{what} `{tfm}` is Windows-only; the runtime is Linux", "target net10.0 (no -windows suffix)")
        return
    major = tfm_major(tfm)
    if major is None or major == RUNTIME_MAJOR or (rolls and major < RUNTIME_MAJOR):
        return
    yield Hit(
        path,
        f"{what} `{tfm}` is .NET {major}; the runtime has .NET {RUNTIME_MAJOR} only, and a .NET {major} app "
        'stops at start-up with "You must install or update .NET to run this application"',
        "target net10.0 (<TargetFramework>net10.0</TargetFramework>) and publish again",
    )


@rule("AZ804", "dotnet-multi-target", Severity.ERROR)
def dotnet_multi_target(ctx: Context) -> Iterator[Hit]:
    """The project uses `<TargetFrameworks>`, which the service's publish cannot handle.

    ## What it does
    In remote_build, fires when the root project file sets `<TargetFrameworks>` (plural), even
    with a single value.

    ## Why is this bad
    The service runs `dotnet publish` on the project without `-f`; with `<TargetFrameworks>`
    that fails with NETSDK1129 ("The 'Publish' target is not supported without specifying a
    target framework").

    ## Example
    `<TargetFrameworks>net8.0;net10.0</TargetFrameworks>`.

    ## How to fix
    Use `<TargetFramework>net10.0</TargetFramework>` (singular) in the project you deploy.
    """
    if not _remote(ctx):
        return
    project = ctx.index.dotnet.project
    if project is not None and project.target_frameworks:
        yield Hit(
            project.path,
            f"`<TargetFrameworks>{project.target_frameworks}</TargetFrameworks>`: the service publishes without -f, "
            "which fails with NETSDK1129",
            "use <TargetFramework>net10.0</TargetFramework> (singular)",
        )


def _leaves(base: str, ref: str) -> bool:
    """Whether a path written in a project file points outside the bundle (`../Shared/x.csproj`)."""
    ref = ref.replace("\\", "/")
    if ref.startswith("/") or (len(ref) > 1 and ref[1] == ":"):
        return True
    return posixpath.normpath(posixpath.join(base, ref)).startswith("../")


@rule("AZ805", "dotnet-props-outside", Severity.ERROR)
def dotnet_props_outside(ctx: Context) -> Iterator[Hit]:
    """The project depends on files that will not travel in the zip.

    ## What it does
    In remote_build, reports `PackageReference`s without a version when the bundle has no
    `Directory.Packages.props`, and `ProjectReference`/`Import` paths that leave the bundle
    (errors). When a folder is checked, it also reports `Directory.Build.props`/`.targets`,
    `Directory.Packages.props`, `NuGet.config` and `global.json` in the folders above it (an
    error for `Directory.Packages.props` when versions come from it, a warning otherwise).

    ## Why is this bad
    The service restores the zip alone. Central package versions live in a repository-level
    `Directory.Packages.props`; without it a version-less reference is error NU1015 since
    .NET 10. A `../Shared` project is simply not there. Properties set in a parent
    `Directory.Build.props` (TFM, package versions, analyzers) silently disappear.

    ## Example
    `<PackageReference Include="Azure.Identity" />` with `Directory.Packages.props` one folder
    up; `<ProjectReference Include="../Shared/Shared.csproj" />`.

    ## How to fix
    Put versions on the references (`Version="1.13.2"`) or copy `Directory.Packages.props`
    into the project folder; move shared projects inside it; or deploy a publish output as bundled.
    """
    if not _remote(ctx):
        return
    facts = ctx.index.dotnet
    project = facts.project
    if project is None or project.error is not None:
        return
    central = facts.has("Directory.Packages.props")
    unversioned = [p.name for p in project.packages if p.version is None]
    if unversioned and not central:
        yield Hit(
            project.path,
            f"{len(unversioned)} PackageReference without a version ({', '.join(unversioned[:3])}) and no "
            "Directory.Packages.props in the bundle: restore fails with NU1015",
            'add Version="..." to each PackageReference, or ship Directory.Packages.props beside the project',
        )
    for kind, refs in (("ProjectReference", project.project_refs), ("Import", project.imports)):
        for ref in refs:
            if "$(" not in ref and _leaves("", ref):
                yield Hit(
                    project.path,
                    f"{kind} `{ref}` points outside the bundle: the service's restore will not find it",
                    "move the referenced project inside this folder, or deploy the publish output as bundled",
                )
    for name, where in facts.outside:
        if facts.has(name):
            continue
        breaks = name == "Directory.Packages.props" and bool(unversioned)
        yield Hit(
            None,
            f"{where} applies to this project on your machine but is not in the bundle: "
            + (
                "the package versions it sets are lost (NU1015)"
                if breaks
                else "what it sets is lost in the service's build"
            ),
            f"copy {name} into the project folder, or set what it sets in the project file",
            severity=Severity.ERROR if breaks else Severity.WARNING,
        )


@rule("AZ810", "dotnet-global-json", Severity.WARNING)
def dotnet_global_json(ctx: Context) -> Iterator[Hit]:
    """A `global.json` pins a .NET SDK whose major version is not 10.

    ## What it does
    In remote_build, reads `sdk.version` from the root `global.json` and warns when its major is
    not 10 and `rollForward` does not allow a newer major.

    ## Why is this bad
    The service builds with a .NET 10 SDK. A `global.json` asking for an 8.0 or 9.0 SDK makes
    the `dotnet` command refuse to run ("A compatible .NET SDK was not found").

    ## Example
    `{"sdk": {"version": "8.0.404"}}`.

    ## How to fix
    Pin a 10.0 SDK (`"version": "10.0.100"`), add `"rollForward": "latestMajor"`, or leave
    `global.json` out of the zip.
    """
    if not _remote(ctx):
        return
    g = ctx.index.dotnet.global_json
    if g is None or g.error is not None or not g.sdk_version:
        return
    major = g.sdk_version.split(".", 1)[0]
    if not major.isdigit() or int(major) == RUNTIME_MAJOR:
        return
    if int(major) < RUNTIME_MAJOR and (g.roll_forward or "").lower() in ("latestmajor", "major"):
        return
    yield Hit(
        g.path,
        f"global.json pins SDK {g.sdk_version}; the service builds with a .NET {RUNTIME_MAJOR} SDK "
        '("A compatible .NET SDK was not found")',
        'pin "version": "10.0.100" or add "rollForward": "latestMajor"',
    )


@rule("AZ811", "dotnet-private-feed", Severity.WARNING)
def dotnet_private_feed(ctx: Context) -> Iterator[Hit]:
    """`nuget.config` names package feeds the service may not reach.

    ## What it does
    In remote_build, reads every root `nuget.config` and reports feeds other than nuget.org
    and folders inside the bundle.

    ## Why is this bad
    The service restores in its own network with no credentials of yours: a private Azure
    Artifacts or GitHub Packages feed, or a folder on your disk, makes restore fail (NU1101,
    NU1301). A local feed folder shipped inside the zip is honoured.

    ## Example
    `<add key="internal" value="https://pkgs.dev.azure.com/contoso/_packaging/internal/nuget/v3/index.json" />`.

    ## How to fix
    Deploy as bundled: `dotnet publish -c Release -r linux-x64 --self-contained false` and zip the
    output; or ship the packages in a folder feed inside the project.
    """
    if not _remote(ctx):
        return
    from agentzip.validator.dotnet import is_public_feed, is_url

    for config in ctx.index.dotnet.nuget_configs:
        for key, value in config.feeds:
            if is_url(value):
                if is_public_feed(value):
                    continue
                why = "a feed the service may not reach, and it has no credentials of yours"
            elif _leaves("", value) or not any(
                d == posixpath.normpath(value.replace("\\", "/")) for d in ctx.index.dirs
            ):
                why = "a folder that is not in the bundle"
            else:
                continue
            yield Hit(
                config.path,
                f"package source `{key}` ({value}) is {why}: restore fails with NU1101 or NU1301",
                f"deploy as bundled ({PUBLISH_HINT}), or ship the packages in a folder feed inside the project",
            )


DEV_FILES = ("appsettings.development.json", "launchsettings.json", "secrets.json")


@rule("AZ812", "dotnet-dev-settings", Severity.WARNING)
def dotnet_dev_settings(ctx: Context) -> Iterator[Hit]:
    """Development-only settings (`appsettings.Development.json`, `launchSettings.json`...) are shipped.

    ## What it does
    Reports `appsettings.Development.json`, `Properties/launchSettings.json`, `secrets.json` and
    `.checkpoints/` in a .NET bundle.

    ## Why is this bad
    They hold local URLs, ports, connection strings and often secrets meant for your machine.
    azd does not leave them out. `launchSettings.json` can set `ASPNETCORE_URLS` to a port the
    platform does not route (it listens on 8088).

    ## Example
    `Properties/launchSettings.json`, `appsettings.Development.json`.

    ## How to fix
    Leave them out of the zip (`.agentignore`: `appsettings.Development.json`, `Properties/`), or
    use `agentzip build`.
    """
    if not ctx.target.is_dotnet:
        return
    checkpoints: list[str] = []
    for f in ctx.index.agent_files:
        if f.path.split("/", 1)[0] == ".checkpoints":
            checkpoints.append(f.path)
        elif f.name.lower() in DEV_FILES:
            yield Hit(
                f.path,
                f"`{f.path}` holds development-only settings (local URLs, ports, secrets) and is shipped",
                f"leave {f.path} out of the zip (.agentignore)",
            )
    if checkpoints:
        yield Hit(
            ".checkpoints/",
            f"`.checkpoints/` ({len(checkpoints)} files) is local development state and is shipped",
            "leave .checkpoints/ out of the zip (.agentignore)",
            paths=tuple(checkpoints),
        )
