"""The remote_build dry run's proof: install the resolved wheels in a temporary folder and check them.

The service resolves requirements.txt at deploy time; the dry run resolves it the same way, installs
those wheels beside the sources in a temporary bundle, and runs the static import closure (AZ405)
and, when a CPython of the target's version is found, the import test (AZ406), as `check` reports
them. Nothing is written outside the temporary folder.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from agentzip.builder import install, staging, zipwriter
from agentzip.builder.options import BuildOptions
from agentzip.builder.progress import Spinner
from agentzip.errors import BuildError
from agentzip.foundry import BUNDLED, PACKAGES

if TYPE_CHECKING:
    from agentzip.builder.settings import Settings
    from agentzip.validator.findings import Report

Echo = Callable[[str], None]
PROOF_RULES = ("AZ405", "AZ406")


def prove(
    target: Settings, job: install.Install, pinned: list[str], options: BuildOptions, echo: Echo, say: Echo
) -> Report:
    """Install `pinned` with the sources into a temporary zip and check its imports; BuildError on errors."""
    from agentzip import api
    from agentzip.settings import CheckRequest

    tmp = Path(tempfile.mkdtemp(prefix="agentzip-proof-"))
    try:
        pins = tmp / "requirements.txt"
        pins.write_text("".join(f"{p}\n" for p in pinned), encoding="utf-8")
        packages = tmp / PACKAGES
        with Spinner(f"installing the {len(pinned)} resolved wheels to check their imports", enabled=False):
            install.run(replace(job, requirements=pins, target_dir=packages), echo)
        (packages / ".lock").unlink(missing_ok=True)
        staged = staging.stage(target.src)
        zip_path = tmp / "proof.zip"
        zipwriter.write_zip(zip_path, [*staged.members, *staging.stage_tree(packages, PACKAGES)])
        request = CheckRequest(
            runtime=target.runtime,
            mode=BUNDLED,  # the bundle the service will have built: sources + the resolved packages/
            entry_point=target.entry_point,
            glibc_floor=target.glibc,
            select=PROOF_RULES,
            with_sha256=False,
            import_test=options.import_test,
            python=options.python,
        )
        report = api.check(zip_path, request)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _say(report, say)
    return report


def _say(report: Report, say: Echo) -> None:
    """The findings as check words them; BuildError when the resolved wheels will not import."""
    from agentzip.validator.findings import Severity

    tested = False
    for note in report.notes:
        if note.startswith("import test: "):
            say(f"  import   {note[len('import test: ') :]}")
            tested = not note.startswith("import test: did not run")
    errors = [f for f in report.findings if f.severity >= Severity.ERROR]
    if not errors:
        also = " and the import test (AZ406)" if tested else ""
        say(f"  imports  the resolved wheels pass the import closure (AZ405){also}")
        return
    lines = [f"with these versions the agent will not start ({len(errors)} error(s)):"]
    for f in errors:
        where = f"{f.path}:{f.line}" if f.path and f.line else (f.path or "-")
        lines.append(f"  {f.code} {f.rule}: {where}: {f.message}")
        if f.hint:
            lines.append(f"    fix: {f.hint}")
    raise BuildError("\n".join(lines))
