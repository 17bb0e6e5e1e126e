"""The build: stage SRC, install dependencies for the target, write a deterministic zip, check it."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from agentzip.builder import install, resolve, settings, staging, zipwriter
from agentzip.builder.options import BuildOptions, BuildResult, Contributor
from agentzip.builder.progress import Spinner
from agentzip.errors import BuildError, UsageError

REQUIREMENTS = "requirements.txt"
PACKAGES = "packages"
# Files an installer leaves in --target that are not part of any distribution: uv's lock file.
INSTALLER_DEBRIS = (".lock",)

Echo = Callable[[str], None]


def build(options: BuildOptions, echo: Echo) -> BuildResult:
    """Make the zip `options` describe and return what went in.

    UsageError (exit 2) for bad input, BuildError (exit 1) for an installer failure or a zip
    that fails `check` (the zip is kept for inspection). SRC is never written to.
    """
    src = Path(options.src)
    if not src.exists():
        raise UsageError(f"{src}: no such folder")
    if not src.is_dir():
        raise UsageError(f"{src}: not a folder (build takes the agent's source folder)")
    target = settings.resolve(
        src,
        options.runtime,
        options.mode,
        options.entry_point,
        glibc=options.glibc,
        config=options.config,
        no_config=options.no_config,
        definition=options.definition,
        service=options.service,
    )
    src = target.src
    options = replace(options, glibc=target.glibc)
    say: Echo = (lambda _msg: None) if options.quiet else echo
    show_progress = not options.quiet if options.progress is None else options.progress

    entry = target.entry_file
    if not (src / entry).is_file():
        near = sorted(p.name for p in src.glob("*.py"))[:5]
        hint = f" (Python files here: {', '.join(near)})" if near else ""
        raise UsageError(f"no entry point: {entry} is not in {src}{hint}; pass --entry-point")
    requirements = src / REQUIREMENTS
    bundled = target.mode == "bundled"
    if bundled and not requirements.is_file():
        raise UsageError(
            f"bundled mode installs {REQUIREMENTS}, and {src} has none: add one "
            f"(`uv pip compile pyproject.toml -o {REQUIREMENTS}` makes one), or use --mode remote_build"
        )
    job = install.Install(
        requirements=requirements.resolve(),
        target_dir=Path(),  # set once the staging folder exists
        python_version=target.python_version,
        glibc=target.glibc,
        installer=options.installer,
        cwd=src.resolve(),
    )
    if options.installer not in install.INSTALLERS:
        raise UsageError(f"unknown installer {options.installer!r}; choose uv or pip")
    described = ", ".join(
        f"{v} ({target.sources[k]})" if target.sources[k] != "flag" else v
        for k, v in (("runtime", target.runtime), ("mode", target.mode))
    )

    if options.dry_run:
        return _dry_run(target, job, described, say, show_progress)

    output = _output_path(Path(options.output))
    staged = staging.stage(src, exclude_paths=[output])
    members = list(staged.members)
    package_members: list[zipwriter.Member] = []
    distributions: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="agentzip-build-"))
    try:
        if bundled and _has_requirements(requirements):
            job = _with_target(job, tmp / PACKAGES)
            step = f"installing {REQUIREMENTS} for {target.runtime} (linux x86_64) with {job.installer}"
            say(f"{step} ...")
            with Spinner(step, enabled=show_progress) as spin:
                install.run(job, echo)
            say(f"installed in {spin.elapsed:.1f}s")
            for debris in INSTALLER_DEBRIS:
                (job.target_dir / debris).unlink(missing_ok=True)
            _drop_bytecode(job.target_dir)
            package_members = staging.stage_tree(job.target_dir, PACKAGES)
            distributions = _distributions(job.target_dir)
        elif bundled:
            say(f"{REQUIREMENTS} names no requirement: nothing to install")

        # Write beside the output, then rename: a failed build never leaves half a zip behind.
        partial = tmp / "agent-code.zip.partial"
        with Spinner(f"writing {output.name}", enabled=show_progress):
            written = zipwriter.write_zip(partial, members + package_members)
        try:
            shutil.move(str(partial), output)
        except OSError as e:
            raise UsageError(f"cannot write {output}: {e.strerror}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    largest = _largest(written.members)
    result = BuildResult(
        path=output,
        runtime=target.runtime,
        mode=target.mode,
        entry_point=target.entry_point,
        size=written.size,
        sha256=written.sha256,
        files=len(members),
        package_files=len(package_members),
        distributions=tuple(distributions),
        largest=tuple(largest),
        notes=tuple(staged.notes),
    )
    _summarize(result, staged, described, say)
    if options.check:
        result = _check(result, options, echo, say)
    return result


def _dry_run(target: settings.Settings, job: install.Install, described: str, say: Echo, progress: bool) -> BuildResult:
    """Resolve requirements.txt for the target with wheels only; no install, no zip."""
    if not job.requirements.is_file():
        raise UsageError(f"nothing to resolve: {job.requirements} does not exist")
    with tempfile.TemporaryDirectory(prefix="agentzip-resolve-") as scratch:
        job = _with_target(job, Path(scratch) / "t")
        with Spinner(f"resolving {REQUIREMENTS} for {target.runtime} with {job.installer}", enabled=progress):
            pinned = resolve.resolve(job)
    say(f"{REQUIREMENTS} resolves for {described} with wheels only ({len(pinned)} distributions):")
    for pin in pinned:
        say(f"  {pin}")
    return BuildResult(None, target.runtime, target.mode, target.entry_point, resolved=tuple(pinned))


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
    if result.mode == "bundled":
        line += f", {result.package_files} in {PACKAGES}/ from {len(result.distributions)} distributions"
    say(line)
    if staged.excluded:
        left = ", ".join(f"{n} {why}" for why, n in sorted(staged.excluded.items()))
        say(f"  left out {left}")
    if result.largest:
        say("  largest  " + ", ".join(f"{c.name} {human(c.compressed)}" for c in result.largest))
    for note in result.notes:
        say(f"  note: {note}")


def _check(result: BuildResult, options: BuildOptions, echo: Echo, say: Echo) -> BuildResult:
    """Run `check` on the zip; BuildError when it has errors (the zip stays for inspection)."""

    assert result.path is not None
    try:
        from agentzip import api
        from agentzip.validator.findings import Severity

        report = api.check(
            result.path,
            runtime=result.runtime,
            mode=result.mode,
            entry_point=list(result.entry_point),
            glibc_floor=options.glibc,
            with_sha256=False,
        )
    except ImportError as e:  # a validator without its zip reader: the zip itself is still sound
        say(f"  check    skipped: the validator is incomplete ({e})")
        return result
    result = replace(result, report=report)
    counts = report.summary()
    errors = [f for f in report.findings if f.severity >= Severity.ERROR]
    if not errors:
        say(f"  check    {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info")
        for f in report.findings:
            if f.severity >= Severity.WARNING:
                say(f"    {f.severity.label} {f.code} {f.rule}: {f.path or '-'}: {f.message}")
        return result
    n = f"{len(errors)} error" + ("s" if len(errors) > 1 else "")
    lines = [f"the built zip fails check ({n}); kept at {result.path} for inspection:"]
    for f in errors:
        lines.append(f"  {f.code} {f.rule}: {f.path or '-'}: {f.message}")
        if f.hint:
            lines.append(f"    fix: {f.hint}")
    raise BuildError("\n".join(lines))
