"""Applying a fix plan: the kept files copied out of the input, raw wheels and pins installed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from agentzip.builder import install as installer_run
from agentzip.builder import staging, zipwriter
from agentzip.errors import ArchiveError, BuildError

if TYPE_CHECKING:
    from agentzip.builder.fix import Echo, Plan
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.context import Context


def stage(bundle: Bundle, plan: Plan, tmp: Path) -> list[zipwriter.Member]:
    """Copy each kept file out of IN (through agentzip's reader) under a numbered name in tmp."""
    blobs = tmp / "files"
    blobs.mkdir()
    members = []
    for i, (name, f) in enumerate(sorted(plan.keep.items())):
        blob = blobs / str(i)
        try:
            if name in plan.rewrites:
                blob.write_bytes(plan.rewrites[name])
            else:
                with open(blob, "wb") as fh:
                    for chunk in bundle.chunks(f):
                        fh.write(chunk)
        except ArchiveError as e:
            raise BuildError(f"cannot read {f.path} from {bundle.path.name}: {e}") from None
        members.append(zipwriter.Member(name, blob, bool((f.mode or 0) & 0o111)))
    return members


def install(ctx: Context, plan: Plan, installer: str, tmp: Path, echo: Echo) -> list[zipwriter.Member]:
    """Install the raw wheels and the pins with build's installer, exactly as listed (--no-deps)."""
    wheels = tmp / "wheels"
    wheels.mkdir()
    lines = list(plan.pins)
    for name, f in sorted(plan.wheels.items()):
        path = wheels / name
        with open(path, "wb") as fh:
            for chunk in ctx.bundle.chunks(f):
                fh.write(chunk)
        lines.append(str(path))
    requirements = tmp / "requirements-fix.txt"
    requirements.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    version = ctx.target.python_version
    assert version is not None  # only Python bundles get here
    job = installer_run.Install(
        requirements=requirements,
        target_dir=tmp / "installed",
        python_version=version,
        glibc=ctx.target.glibc_floor,
        installer=installer,
        cwd=tmp,
        no_deps=True,
    )
    echo(f"installing {len(plan.pins)} pin(s) and {len(plan.wheels)} wheel(s) for {ctx.target.runtime} ...")
    installer_run.run(job, echo)
    from agentzip.builder.pipeline import INSTALLER_DEBRIS, _drop_bytecode

    for debris in INSTALLER_DEBRIS:
        (job.target_dir / debris).unlink(missing_ok=True)
    _drop_bytecode(job.target_dir)
    members = staging.stage_tree(job.target_dir, plan.site or "root")
    if not plan.site:  # a `pip install -t .` bundle: the distributions sit at the zip root
        members = [zipwriter.Member(m.name[len("root/") :], m.source, m.executable) for m in members]
    taken = set(plan.keep)
    clash = sorted(m.name for m in members if m.name in taken)
    if clash:
        raise BuildError(f"an installed file would replace one already in the bundle: {', '.join(clash[:5])}")
    return members
