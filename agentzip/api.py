"""The library entry points: what the CLI, `build` and `explain` call."""

from __future__ import annotations

import os
from collections.abc import Iterable

from agentzip.validator.findings import Report


def check(
    path: str | os.PathLike[str],
    *,
    runtime: str | None = None,
    mode: str | None = None,
    entry_point: str | list[str] | tuple[str, ...] | None = None,
    glibc_floor: tuple[int, int] | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    size_limit: int | None = None,
    per_path_ignores: dict[str, list[str]] | None = None,
    with_sha256: bool = True,
) -> Report:
    """Check a zip or a folder against the target and return the sorted report.

    Raises UsageError for an input that does not exist; a corrupt archive is a finding.
    """
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.engine import Context, Options, make_report, run_rules
    from agentzip.validator.registry import select as select_rules
    from agentzip.validator.target import resolve_target

    bundle = Bundle.open(path)
    target = resolve_target(
        bundle, runtime=runtime, mode=mode, entry_point=entry_point, glibc_floor=glibc_floor
    )
    options = Options()
    if size_limit is not None:
        options.size_limit = size_limit
    if per_path_ignores:
        options.per_path_ignores = dict(per_path_ignores)
    ctx = Context(bundle, target, options)
    findings = run_rules(ctx, select_rules(select, ignore))
    return make_report(ctx, findings, with_sha256=with_sha256)
