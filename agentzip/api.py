"""The library entry points: what the CLI, `build` and `explain` call."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from agentzip.validator.findings import Report

if TYPE_CHECKING:
    from agentzip.explain import Explanation
    from agentzip.validator.config import Config
    from agentzip.validator.context import Context


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
    fail_on: str | None = None,
    config: str | os.PathLike[str] | None = None,
    no_config: bool = False,
    definition: str | os.PathLike[str] | None = None,
    service: str | None = None,
) -> Report:
    """Check a zip or a folder against the target and return the sorted report.

    Settings: arguments > config file (`config`, else the nearest agentzip.toml or
    [tool.agentzip] above PATH, unless `no_config`) > agent definition (`definition`, else the
    azure.yaml / agent.yaml a user would expect, see validator.definition.resolve) > inference.
    Raises UsageError for an input that does not exist, a bad config or definition file, and
    for an azure.yaml with several agent services and no `service` (check_all checks each).
    A corrupt archive is a finding.
    """
    reports = check_all(
        path,
        runtime=runtime,
        mode=mode,
        entry_point=entry_point,
        glibc_floor=glibc_floor,
        select=select,
        ignore=ignore,
        size_limit=size_limit,
        per_path_ignores=per_path_ignores,
        with_sha256=with_sha256,
        fail_on=fail_on,
        config=config,
        no_config=no_config,
        definition=definition,
        service=service,
    )
    if len(reports) != 1:
        from agentzip.errors import UsageError

        names = ", ".join(str(r.target.get("definition", {}).get("service")) for r in reports)
        raise UsageError(f"{path}: several agent services ({names}): choose one with service=, or call check_all")
    return reports[0]


def check_all(
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
    fail_on: str | None = None,
    config: str | os.PathLike[str] | None = None,
    no_config: bool = False,
    definition: str | os.PathLike[str] | None = None,
    service: str | None = None,
) -> list[Report]:
    """check() for each agent PATH stands for: one report per azure.yaml service it names."""
    import dataclasses

    from agentzip.validator.engine import make_report, run_rules
    from agentzip.validator.findings import Severity
    from agentzip.validator.registry import select as select_rules

    reports: list[Report] = []
    for ctx, cfg in contexts(
        path,
        runtime=runtime,
        mode=mode,
        entry_point=entry_point,
        glibc_floor=glibc_floor,
        size_limit=size_limit,
        per_path_ignores=per_path_ignores,
        config=config,
        no_config=no_config,
        definition=definition,
        service=service,
    ):
        sel = select if select is not None else cfg.select
        ign = ignore if ignore is not None else cfg.ignore
        findings = run_rules(ctx, select_rules(sel, ign))
        report = make_report(ctx, findings, with_sha256=with_sha256)
        notes = [*report.notes, *_setting_notes(ctx, cfg)]
        target_json = dict(report.target)
        if ctx.definition is not None:
            d = ctx.definition
            target_json["definition"] = {"path": d.display, "kind": d.kind, "service": d.service}
        reports.append(
            dataclasses.replace(
                report,
                target=target_json,
                notes=tuple(notes),
                fail_on=Severity.parse(fail_on or cfg.fail_on or "error"),
            )
        )
    return reports


def explain(
    path: str | os.PathLike[str],
    *,
    modules: Iterable[str] = (),
    log: str | Iterable[str] | None = None,
    runtime: str | None = None,
    mode: str | None = None,
    entry_point: str | list[str] | tuple[str, ...] | None = None,
    glibc_floor: tuple[int, int] | None = None,
    config: str | os.PathLike[str] | None = None,
    no_config: bool = False,
    definition: str | os.PathLike[str] | None = None,
    service: str | None = None,
    with_sha256: bool = True,
) -> Explanation:
    """Why each module (and each import failure a log shows) will or will not import in the runtime.

    The bundle and target are settled as `check` settles them. Raises UsageError for a bad
    input, a module name that is not one, a .NET target, or several azure.yaml services and no
    `service`.
    """
    from agentzip.errors import UsageError
    from agentzip.explain import Explanation, explain_all
    from agentzip.logscan import Failures, scan
    from agentzip.validator.engine import make_report

    found = list(
        contexts(
            path,
            runtime=runtime,
            mode=mode,
            entry_point=entry_point,
            glibc_floor=glibc_floor,
            config=config,
            no_config=no_config,
            definition=definition,
            service=service,
        )
    )
    if len(found) != 1:
        names = ", ".join(str(c.definition.service) for c, _ in found if c.definition)
        raise UsageError(f"{path}: several agent services ({names}): choose one with --service")
    ctx, cfg = found[0]
    failures = scan(log) if log is not None else Failures()
    diagnoses = tuple(explain_all(ctx, modules, failures))
    base = make_report(ctx, [], with_sha256=with_sha256)
    notes = [*base.notes, *_setting_notes(ctx, cfg)]
    if log is not None and not failures:
        notes.append("the log shows no ModuleNotFoundError or ImportError")
    left = failures.note()
    if left:
        notes.append(left)
    return Explanation(base.input, base.target, diagnoses, tuple(notes))


def contexts(
    path: str | os.PathLike[str],
    *,
    runtime: str | None = None,
    mode: str | None = None,
    entry_point: str | list[str] | tuple[str, ...] | None = None,
    glibc_floor: tuple[int, int] | None = None,
    size_limit: int | None = None,
    per_path_ignores: dict[str, list[str]] | None = None,
    config: str | os.PathLike[str] | None = None,
    no_config: bool = False,
    definition: str | os.PathLike[str] | None = None,
    service: str | None = None,
) -> Iterator[tuple[Context, Config]]:
    """The bundle, target and options each agent PATH stands for, settled as `check` settles them:
    arguments > config file > agent definition > inference."""
    from agentzip.validator import config as config_file
    from agentzip.validator import definition as definition_file
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.context import Context, Options
    from agentzip.validator.target import MODES, RUNTIMES, resolve_target

    for bundle_path, defn in definition_file.resolve(path, definition=definition, service=service):
        cfg = config_file.load(bundle_path, config=config, no_config=no_config)
        # A definition value the service would reject is reported by its AZ7xx rule; the bundle
        # is then checked against what inference finds rather than against a runtime that does
        # not exist.
        d_runtime = defn.runtime if defn and defn.runtime in RUNTIMES else None
        d_mode = defn.dependency_resolution if defn and defn.dependency_resolution in MODES else None
        bundle = Bundle.open(bundle_path)
        target = resolve_target(
            bundle,
            runtime=runtime or cfg.runtime or d_runtime,
            mode=mode or cfg.mode or d_mode,
            entry_point=entry_point or cfg.entry_point or (defn.entry_point if defn else None) or None,
            glibc_floor=glibc_floor or cfg.glibc_floor,
        )
        ppi = per_path_ignores if per_path_ignores is not None else cfg.per_path_ignores
        options = Options.make(size_limit=size_limit or cfg.size_limit, per_path_ignores=ppi)
        yield Context(bundle, target, options, definition=defn), cfg


def _setting_notes(ctx: Context, cfg: Config) -> list[str]:
    """Where the settings came from, for the report's notes."""
    notes = []
    if ctx.definition is not None:
        notes.append(f"definition: {ctx.definition.describe()}")
    if cfg.source is not None:
        notes.append(f"config: {cfg.describe()}")
    return notes
