"""The build: stage SRC, install dependencies for the target, write a deterministic zip, check it."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from agentzip.builder import install, resolve, settings, staging, zipwriter
from agentzip.builder.options import BuildOptions, BuildResult, Contributor
from agentzip.builder.progress import Spinner
from agentzip.errors import BuildError, UsageError
from agentzip.foundry import ARCH, BUNDLED, DOTNET_RUNTIMES, PACKAGES, REQUIREMENTS

# Files an installer leaves in --target that are not part of any distribution: uv's lock file.
INSTALLER_DEBRIS = (".lock",)

if TYPE_CHECKING:
    from agentzip.validator.findings import Report

Echo = Callable[[str], None]


@dataclass(frozen=True)
class _Voice:
    """Where a build speaks: `echo` always (installer output, errors), `say` unless --quiet."""

    echo: Echo
    say: Echo
    progress: bool  # a spinner on long steps


def build(options: BuildOptions, echo: Echo) -> BuildResult:
    """Make the zip `options` describe and return what went in.

    UsageError (exit 2) for bad input, BuildError (exit 1) for an installer failure or a zip
    that fails `check` (the zip is kept for inspection). SRC is never written to.
    """
    target = settings.resolve(_source_folder(Path(options.src)), options.request)
    voice = _Voice(
        echo=echo,
        say=(lambda _msg: None) if options.quiet else echo,
        progress=not options.quiet if options.progress is None else options.progress,
    )
    if target.runtime in DOTNET_RUNTIMES:
        from agentzip.builder import dotnet

        return dotnet.build(target, options, voice)
    job = _install_job(target, options.installer)
    if options.dry_run:
        return _dry_run(target, job, voice, options)
    output = _output_path(Path(options.output))
    staged = staging.stage(target.src, exclude_paths=[output])
    written, packages, distributions = _install_and_write(target, job, staged, output, voice)
    result = result_of(target, output, written, staged, package_files=len(packages), distributions=tuple(distributions))
    _summarize(result, staged, target.describe(), voice.say)
    voice.say(f"  {target.mode_note}")
    if options.check:
        result = _check(result, target, voice.say, options)
    return result


def _source_folder(src: Path) -> Path:
    """SRC, or UsageError when it is not a folder."""
    if not src.exists():
        raise UsageError(f"{src}: no such folder")
    if not src.is_dir():
        raise UsageError(f"{src}: not a folder (build takes the agent's source folder)")
    return src


def _install_job(target: settings.Settings, installer: str) -> install.Install:
    """The installer run the target needs; UsageError for a missing entry point or requirements.txt."""
    src = target.src
    if not (src / target.entry_file).is_file():
        near = sorted(p.name for p in src.glob("*.py"))[:5]
        hint = f" (Python files here: {', '.join(near)})" if near else ""
        raise UsageError(f"no entry point: {target.entry_file} is not in {src}{hint}; pass --entry-point")
    requirements = src / REQUIREMENTS
    if target.mode == BUNDLED and not requirements.is_file():
        raise UsageError(
            f"bundled mode installs {REQUIREMENTS}, and {src} has none: add one "
            f"(`uv pip compile pyproject.toml -o {REQUIREMENTS}` makes one), or use --mode remote_build"
        )
    if installer not in install.INSTALLERS:
        raise UsageError(f"unknown installer {installer!r}; choose {' or '.join(install.INSTALLERS)}")
    return install.Install(
        requirements=requirements.resolve(),
        target_dir=Path(),  # set once the staging folder exists
        python_version=target.python_version,
        glibc=target.glibc,
        installer=installer,
        cwd=src.resolve(),
    )


def _install_and_write(
    target: settings.Settings, job: install.Install, staged: staging.Staged, output: Path, voice: _Voice
) -> tuple[zipwriter.Written, list[zipwriter.Member], list[str]]:
    """Install packages/ (bundled mode) and write the zip: (written, package members, distributions)."""
    package_members: list[zipwriter.Member] = []
    distributions: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="agentzip-build-"))
    try:
        if target.mode == BUNDLED and _has_requirements(job.requirements):
            package_members, distributions = _install(target, _with_target(job, tmp / PACKAGES), voice)
        elif target.mode == BUNDLED:
            voice.say(f"{REQUIREMENTS} names no requirement: nothing to install")
        # Write beside the output, then rename: a failed build never leaves half a zip behind.
        partial = tmp / "agent-code.zip.partial"
        with Spinner(f"writing {output.name}", enabled=voice.progress):
            written = zipwriter.write_zip(partial, [*staged.members, *package_members])
        try:
            shutil.move(str(partial), output)
        except OSError as e:
            raise UsageError(f"cannot write {output}: {e.strerror}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return written, package_members, distributions


def _install(
    target: settings.Settings, job: install.Install, voice: _Voice
) -> tuple[list[zipwriter.Member], list[str]]:
    """Run the installer into packages/ and tidy it: (its members, its distributions)."""
    step = f"installing {REQUIREMENTS} for {target.runtime} (linux {ARCH}) with {job.installer}"
    voice.say(f"{step} ...")
    with Spinner(step, enabled=voice.progress) as spin:
        install.run(job, voice.echo)
    voice.say(f"installed in {spin.elapsed:.1f}s")
    for debris in INSTALLER_DEBRIS:
        (job.target_dir / debris).unlink(missing_ok=True)
    _drop_bytecode(job.target_dir)
    _prune_caches(job.target_dir, voice)
    return staging.stage_tree(job.target_dir, PACKAGES), _distributions(job.target_dir)


def _prune_caches(site: Path, voice: _Voice) -> None:
    """Tool caches a wheel shipped (a `.mypy_cache/` of 58 MB in one real case) never run: prune
    them, and their RECORD lines, so packages/ stays consistent."""
    for line in staging.prune_caches(site):
        voice.say(f"pruned {PACKAGES}/{line}: shipped by the distribution, never read")


def _dry_run(target: settings.Settings, job: install.Install, voice: _Voice, options: BuildOptions) -> BuildResult:
    """Resolve requirements.txt for the target with wheels only; in remote_build, also prove the
    resolved wheels import (remoteproof.py). Nothing is written outside a temporary folder."""
    if not job.requirements.is_file():
        raise UsageError(f"nothing to resolve: {job.requirements} does not exist")
    with tempfile.TemporaryDirectory(prefix="agentzip-resolve-") as scratch:
        job = _with_target(job, Path(scratch) / "t")
        with Spinner(f"resolving {REQUIREMENTS} for {target.runtime} with {job.installer}", enabled=voice.progress):
            pinned = resolve.resolve(job)
    voice.say(f"{REQUIREMENTS} resolves for {target.describe()} with wheels only ({len(pinned)} distributions):")
    for pin in pinned:
        voice.say(f"  {pin}")
    result = BuildResult(None, target.runtime, target.mode, target.entry_point, resolved=tuple(pinned))
    if target.mode != BUNDLED and pinned and options.check:
        from agentzip.builder import remoteproof

        report = remoteproof.prove(target, job, pinned, options, voice.echo, voice.say)
        result = replace(result, report=report)
    return result


def _with_target(job: install.Install, target_dir: Path) -> install.Install:
    return replace(job, target_dir=target_dir)


def _output_path(output: Path) -> Path:
    """The absolute output path; UsageError now, before minutes of installing, if unwritable."""
    out = output.expanduser().absolute()
    if out.is_dir():
        raise UsageError(f"{output}: is a folder; give the zip's file name, e.g. -o agent-code.zip")
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {output}: folder {out.parent} does not exist")
    if not os.access(out.parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UsageError(f"cannot write {output}: permission denied")
    return out


def _has_requirements(path: Path) -> bool:
    """True when requirements.txt names something (an empty or comment-only file installs nothing)."""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.split("#", 1)[0].strip():
            return True
    return False


def _drop_bytecode(folder: Path) -> None:
    """Host bytecode in packages/ is waste (the runtime is another Python): pip without
    --no-compile, or a wheel that ships it, would put it there."""
    for dirpath, dirnames, filenames in os.walk(folder):
        if "__pycache__" in dirnames:
            shutil.rmtree(Path(dirpath, "__pycache__"), ignore_errors=True)
            dirnames.remove("__pycache__")
        for name in filenames:
            if name.endswith((".pyc", ".pyo")):
                Path(dirpath, name).unlink(missing_ok=True)


def _distributions(folder: Path) -> list[str]:
    """'azure-identity 1.19.0' for each `*.dist-info` folder the installer wrote."""
    out = []
    for p in folder.iterdir():
        if p.name.endswith(".dist-info") and p.is_dir():
            name, _, version = p.name[: -len(".dist-info")].rpartition("-")
            out.append(f"{name.replace('_', '-')} {version}")
    return sorted(out, key=str.lower)


def result_of(
    target: settings.Settings, output: Path, written: zipwriter.Written, staged: staging.Staged, **extra: object
) -> BuildResult:
    """What a build made, for its summary and its caller (Python and .NET builds alike)."""
    return BuildResult(
        path=output,
        runtime=target.runtime,
        mode=target.mode,
        entry_point=target.entry_point,
        size=written.size,
        sha256=written.sha256,
        files=len(staged.members),
        largest=tuple(_largest(written.members)),
        notes=tuple(staged.notes),
        **extra,  # type: ignore[arg-type]
    )


def _largest(members: tuple[tuple[str, int, int], ...], count: int = 5) -> list[Contributor]:
    """The biggest top-level units by compressed size: `packages/azure`, `main.py`, ..."""
    groups: dict[str, list[int]] = {}
    for name, size, compressed in members:
        parts = name.split("/")
        # a folder counts as one unit; inside packages/, each top-level module or dist-info does
        depth = 2 if parts[0] == PACKAGES and len(parts) > 1 else 1
        key = "/".join(parts[:depth]) + ("/" if len(parts) > depth else "")
        acc = groups.setdefault(key, [0, 0])
        acc[0] += size
        acc[1] += compressed
    ranked = sorted(groups.items(), key=lambda kv: (-kv[1][1], kv[0]))[:count]
    return [Contributor(k, v[0], v[1]) for k, v in ranked]


def human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"


def _summarize(result: BuildResult, staged: staging.Staged, described: str, say: Echo) -> None:
    say(f"built {result.path} for {described}")
    say(f"  size     {result.size:,} bytes ({human(result.size)})")
    say(f"  sha256   {result.sha256}  (x-ms-code-zip-sha256)")
    line = f"  files    {result.files} of the agent"
    if result.mode == BUNDLED:
        line += f", {result.package_files} in {PACKAGES}/ from {len(result.distributions)} distributions"
    say(line)
    if staged.excluded:
        left = ", ".join(f"{n} {why}" for why, n in sorted(staged.excluded.items()))
        say(f"  left out {left}")
    if result.largest:
        say("  largest  " + ", ".join(f"{c.name} {human(c.compressed)}" for c in result.largest))
    for note in result.notes:
        say(f"  note: {note}")


def _check(result: BuildResult, target: settings.Settings, say: Echo, options: BuildOptions) -> BuildResult:
    """Run `check` on the zip, with the import test unless told not to; BuildError when it has
    errors (the zip stays for inspection)."""
    path = result.path
    assert path is not None
    try:
        from agentzip import api
        from agentzip.settings import CheckRequest

        request = CheckRequest(
            runtime=result.runtime,
            mode=result.mode,
            entry_point=result.entry_point,
            glibc_floor=target.glibc,
            with_sha256=False,
            import_test=options.import_test,
            python=options.python,
        )
        report = api.check(path, request)
    except ImportError as e:  # a validator without its zip reader: the zip itself is still sound
        say(f"  check    skipped: the validator is incomplete ({e})")
        return result
    result = replace(result, report=report)
    _report_check(report, path, say)
    return result


def _report_check(report: Report, path: Path, say: Echo) -> None:
    """Say what check found; BuildError with each error and its fix when it found any."""
    from agentzip.validator.findings import Severity

    counts = report.summary()
    for note in report.notes:
        if note.startswith("import test: "):  # whether it ran, said once, pass or fail
            say(f"  import   {note[len('import test: ') :]}")
    errors = [f for f in report.findings if f.severity >= Severity.ERROR]
    if not errors:
        say(f"  check    {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info")
        for f in report.findings:
            if f.severity >= Severity.WARNING:
                say(f"    {f.severity.label} {f.code} {f.rule}: {f.path or '-'}: {f.message}")
        return
    n = f"{len(errors)} error" + ("s" if len(errors) > 1 else "")
    lines = [f"the built zip fails check ({n}); kept at {path} for inspection:"]
    for f in errors:
        lines.append(f"  {f.code} {f.rule}: {f.path or '-'}: {f.message}")
        if f.hint:
            lines.append(f"    fix: {f.hint}")
    raise BuildError("\n".join(lines))
