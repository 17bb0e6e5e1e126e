"""The .NET build: a project's sources for remote_build, a `dotnet publish` output zipped flat for bundled.

FOUNDRY.md: remote_build ships the sources and the service restores and publishes the project
file; bundled ships `dotnet publish -c Release -r linux-x64 --self-contained false` output at the
zip root, run as `dotnet <AssemblyName>.dll` on an image with the runtime and no SDK.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pathspec

from agentzip.builder import staging, zipwriter
from agentzip.builder.options import BuildOptions, BuildResult
from agentzip.builder.settings import Settings
from agentzip.builder.staging import Staged
from agentzip.errors import BuildError, UsageError
from agentzip.foundry import BUNDLED, REMOTE_BUILD
from agentzip.validator.dotnet import PROJECT_SUFFIXES
from agentzip.validator.dotnetfacts import DEPS, is_runtimeconfig
from agentzip.validator.ignore import load_agentignore

if TYPE_CHECKING:
    from agentzip.builder.pipeline import Echo, _Voice

SDK_MAJOR = 10
RID = "linux-x64"
# The publish the platform documents; no apphost: the runtime starts `dotnet <App>.dll`.
PUBLISH_ARGS = ("-c", "Release", "-r", RID, "--self-contained", "false", "-p:UseAppHost=false")
PUBLISH_TIMEOUT = 30 * 60  # a first restore downloads every package: minutes, never hours
SDK_TIMEOUT = 60
# Never part of what the service builds or runs: build output, IDE state, development settings.
# They apply even when a .agentignore replaces azd's defaults, as staging.ALWAYS_EXCLUDED does.
SOURCE_EXCLUDED: tuple[str, ...] = (
    "bin/",
    "obj/",
    ".vs/",
    "*.user",
    "publish/",
    ".checkpoints/",
    "appsettings.Development.json",
    "/Properties/launchSettings.json",
    "secrets.json",
)
# What a publish output holds that the runtime never reads, or that must not ship.
PUBLISH_EXCLUDED: tuple[str, ...] = (
    ".env",
    ".env.*",
    "appsettings.Development.json",
    "secrets.json",
    ".DS_Store",
)
_SDK_LINE = re.compile(r"^(\d+)\.(\d+)\.(\d+)\S*\s+\[(.*)\]\s*$")


def build(target: Settings, options: BuildOptions, voice: _Voice) -> BuildResult:
    """Make the .NET zip `options` describe: sources (remote_build) or a publish output (bundled), checked."""
    from agentzip.builder import pipeline

    if options.dry_run:
        raise UsageError("--dry-run resolves requirements.txt for Python; a .NET build has nothing to resolve")
    src = target.src
    output = pipeline._output_path(Path(options.output))
    with tempfile.TemporaryDirectory(prefix="agentzip-build-") as scratch:
        tmp = Path(scratch)
        if target.mode == REMOTE_BUILD:
            staged = _sources(src, output)
        elif is_publish_folder(src):
            staged = stage_publish(src, keep_pdb=options.keep_pdb, exclude_paths=[output])
        else:
            project = _project_file(src, BUNDLED)
            published = publish(src, project, tmp, voice)
            staged = stage_publish(published, keep_pdb=options.keep_pdb)
        if not staged.members:
            raise UsageError(f"{src}: nothing to zip (every file was left out)")
        partial = tmp / "agent-code.zip.partial"
        written = zipwriter.write_zip(partial, staged.members)
        try:
            shutil.move(str(partial), output)
        except OSError as e:
            raise UsageError(f"cannot write {output}: {e.strerror}") from None
    result = pipeline.result_of(target, output, written, staged)
    _summarize(result, staged, target.describe(), voice.say)
    if options.check:
        result = pipeline._check(result, target, voice.say, options)
    return result


def _summarize(result: BuildResult, staged: Staged, described: str, say: Echo) -> None:
    """The build's summary, as the Python build words it, with no packages/ line (a .NET zip has none)."""
    from agentzip.builder.pipeline import human

    say(f"built {result.path} for {described}")
    say(f"  size     {result.size:,} bytes ({human(result.size)})")
    say(f"  sha256   {result.sha256}  (x-ms-code-zip-sha256)")
    what = "of the publish output" if result.mode == BUNDLED else "of the project's sources"
    say(f"  files    {result.files} {what}")
    if staged.excluded:
        say("  left out " + ", ".join(f"{n} {why}" for why, n in sorted(staged.excluded.items())))
    if result.largest:
        say("  largest  " + ", ".join(f"{c.name} {human(c.compressed)}" for c in result.largest))
    for note in result.notes:
        say(f"  note: {note}")


def is_publish_folder(folder: Path) -> bool:
    """A `dotnet publish` output: a runtimeconfig and a deps.json at the top, and no project file."""
    try:
        names = [e.name for e in os.scandir(folder) if e.is_file()]
    except OSError:
        return False
    if any(n.lower().endswith(PROJECT_SUFFIXES) for n in names):
        return False
    return any(is_runtimeconfig(n) for n in names) and any(n.endswith(DEPS) for n in names)


def _project_file(src: Path, mode: str) -> Path:
    """The project the service builds: the first root project file (as azd picks it); UsageError for none."""
    try:
        projects = sorted(e.name for e in os.scandir(src) if e.is_file() and e.name.lower().endswith(PROJECT_SUFFIXES))
    except OSError as e:
        raise UsageError(f"cannot read {src}: {e.strerror}") from None
    if projects:
        return src / projects[0]
    if mode == REMOTE_BUILD:
        raise UsageError(
            f"remote_build ships a .NET project's sources, and {src} has no *.csproj or *.fsproj at its top: "
            "build the folder that holds the project file"
        )
    raise UsageError(
        f"{src} has no project file and is not a publish output (a *.runtimeconfig.json and a *.deps.json): "
        "build the project folder, or the folder `dotnet publish` wrote"
    )


def _sources(src: Path, output: Path) -> Staged:
    """remote_build: the project's sources; a publish output cannot be rebuilt by the service."""
    if is_publish_folder(src):
        raise UsageError(
            f"{src} is a publish output, not a project: zip it with --mode bundled, "
            "or build the project folder for remote_build"
        )
    _project_file(src, REMOTE_BUILD)
    return stage_sources(src, exclude_paths=[output])


def _spec(lines: tuple[str, ...] | list[str]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(list(lines))


def stage_sources(src: Path, *, exclude_paths: list[Path] | tuple[Path, ...] = ()) -> Staged:
    """Every source file of SRC the service needs, sorted: no build output, no secrets, no dev settings.

    The .agentignore (bounded, validator/ignore.py) replaces azd's defaults as azd does; the
    always-excluded lists apply either way. Linked folders are not entered, linked files only
    while they stay inside SRC.
    """
    root = src.resolve()
    user, notes = load_agentignore(root)
    rules = user if user is not None else _spec(staging.AZD_DEFAULTS)
    always = _spec([*staging.ALWAYS_EXCLUDED, *SOURCE_EXCLUDED])
    excluded = {Path(p).resolve() for p in exclude_paths}
    out = Staged(notes=list(notes))
    for dirpath, dirnames, filenames in os.walk(root):  # followlinks=False: no loops, no way out
        rel = Path(dirpath).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        kept = []
        for d in sorted(dirnames):
            reason = _left_out(prefix + d + "/", always, rules, user is not None)
            if reason is None and os.path.islink(os.path.join(dirpath, d)):
                reason = "linked folder"
            if reason is None:
                kept.append(d)
            else:
                out.skip(reason)
        dirnames[:] = kept
        for name in sorted(filenames):
            reason = _left_out(prefix + name, always, rules, user is not None)
            if reason is None:
                reason = _add_file(out, prefix + name, Path(dirpath, name), root, excluded)
            if reason is not None:
                out.skip(reason)
    out.members.sort(key=lambda m: m.name)
    return out


def _left_out(probe: str, always: pathspec.GitIgnoreSpec, rules: pathspec.GitIgnoreSpec, user: bool) -> str | None:
    if always.match_file(probe):
        return "always excluded"
    if rules.match_file(probe):
        return ".agentignore" if user else "azd default ignore"
    return None


def _add_file(out: Staged, name: str, path: Path, root: Path, excluded: set[Path]) -> str | None:
    """Stage one file; why not, when it is not a regular file inside the root."""
    real = path.resolve() if path.is_symlink() else path
    if path.is_symlink() and not real.is_relative_to(root):
        return "symlink out of the folder"
    try:
        st = os.stat(real)
    except OSError:
        return "unreadable or dangling symlink"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file"
    if real.resolve() in excluded:
        return "the output zip"
    out.members.append(zipwriter.Member(name, real, bool(st.st_mode & 0o111)))
    return None


def stage_publish(folder: Path, *, keep_pdb: bool = False, exclude_paths: list[Path] | tuple[Path, ...] = ()) -> Staged:
    """Every file of a publish output at the zip root (`runtimes/` and resource folders keep their paths)."""
    drop = _spec([*PUBLISH_EXCLUDED, *(() if keep_pdb else ("*.pdb",))])
    excluded = {Path(p).resolve() for p in exclude_paths}
    root = folder.resolve()
    out = Staged()
    for member in staging.stage_tree(root, "."):
        name = member.name[2:]  # stage_tree names them "./..."
        if drop.match_file(name):
            out.skip("debug symbols (--keep-pdb keeps them)" if name.endswith(".pdb") else "dev settings or secrets")
        elif member.source.resolve() in excluded:
            out.skip("the output zip")
        else:
            out.members.append(zipwriter.Member(name, member.source, member.executable))
    return out


def find_sdk() -> tuple[str | None, list[str]]:
    """The `dotnet` on PATH when it has a 10.x SDK, and the SDK versions it listed."""
    exe = shutil.which("dotnet")
    if exe is None:
        return None, []
    try:
        done = subprocess.run(
            [exe, "--list-sdks"], capture_output=True, text=True, timeout=SDK_TIMEOUT, env=_dotnet_env(), check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None, []
    versions = [m.group(0).split()[0] for m in map(_SDK_LINE.match, done.stdout.splitlines()) if m]
    usable = [v for v in versions if v.split(".")[0] == str(SDK_MAJOR)]
    return (exe if usable else None), versions


def _dotnet_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1", DOTNET_SKIP_FIRST_TIME_EXPERIENCE="1")
    return env


def _no_sdk(src: Path, versions: list[str]) -> UsageError:
    found = f"the dotnet on PATH has SDKs {', '.join(versions)}, none 10.x" if versions else "no dotnet on PATH"
    return UsageError(
        f"bundled mode publishes {src} with the .NET {SDK_MAJOR} SDK, and there is none ({found}). Either:\n"
        f"  install the .NET {SDK_MAJOR} SDK (https://dot.net/download) and run this again;\n"
        f"  or publish elsewhere (`dotnet publish -c Release -r {RID} --self-contained false`) and build that "
        f"folder: agentzip build bin/Release/net{SDK_MAJOR}.0/{RID}/publish --runtime dotnet_{SDK_MAJOR} "
        "--mode bundled;\n"
        "  or let the service build it: agentzip build --mode remote_build"
    )


def publish(src: Path, project: Path, tmp: Path, voice: _Voice) -> Path:
    """`dotnet publish` the sources remote_build would ship, in a scratch copy (SRC is never written
    to, and no MSBuild file above SRC takes part, as on the service); the output folder."""
    exe, versions = find_sdk()
    if exe is None:
        raise _no_sdk(src, versions)
    work, out = tmp / "src", tmp / "publish"
    for m in stage_sources(src).members:
        dest = work / m.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(m.source, dest)
    command = [exe, "publish", project.name, *PUBLISH_ARGS, "-o", str(out)]
    voice.say(f"publishing {project.name}: dotnet {' '.join(command[1:-2])} -o <scratch>")
    try:
        done = subprocess.run(
            command,
            cwd=work,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=PUBLISH_TIMEOUT,
            env=_dotnet_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BuildError(f"dotnet publish ran over {PUBLISH_TIMEOUT // 60} minutes and was stopped") from None
    except OSError as e:
        raise BuildError(f"cannot run {exe}: {e.strerror}") from None
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-30:]
        raise BuildError(
            f"dotnet publish failed (exit {done.returncode}):\n"
            + "\n".join(f"  {line}" for line in tail)
            + "\n(`agentzip explain . --log FILE` explains NU1015, NETSDK1129 and NU1101 in a saved log)"
        )
    if not is_publish_folder(out):
        raise BuildError(f"dotnet publish wrote no runtimeconfig and deps.json to {out}: nothing to zip")
    return out
