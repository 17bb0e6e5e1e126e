"""The library entry points: what the CLI, `build` and `explain` call."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

from agentzip.settings import CheckRequest, Origin
from agentzip.validator.findings import Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from agentzip.explain import Explanation
    from agentzip.validator.config import Config
    from agentzip.validator.context import Context
    from agentzip.validator.definition import Definition

__all__ = ["CheckRequest", "Settled", "check", "check_all", "contexts", "explain", "load_rules"]

# The target settings whose origin is tracked: build's summary and the report's notes name it.
TRACKED = ("runtime", "mode", "entry_point", "glibc_floor")


class Settled:
    """One agent PATH stands for: its Context, the config read, and where each target setting came from.

    A plain class, not a dataclass (defined at every start-up, where a dataclass costs ~1 ms), nor a
    named tuple (iterating one yields the two values that contexts() used to yield, not three).
    """

    __slots__ = ("config", "context", "sources")

    def __init__(self, context: Context, config: Config, sources: Mapping[str, Origin] | None = None) -> None:
        self.context = context
        self.config = config
        self.sources: Mapping[str, Origin] = MappingProxyType({}) if sources is None else sources

    def __repr__(self) -> str:
        return f"Settled(context={self.context!r}, config={self.config!r}, sources={self.sources!r})"

    def __iter__(self) -> Iterator[Any]:
        """`for ctx, cfg in api.contexts(...)` keeps working: contexts() used to yield those pairs."""
        return iter((self.context, self.config))


def load_rules() -> None:
    """Register every rule (importing agentzip.rules); the registry never imports its rules itself."""
    import agentzip.rules  # noqa: F401


def check(path: str | os.PathLike[str], request: CheckRequest | None = None, **settings: Any) -> Report:
    """Check a zip or a folder against the target and return the sorted report.

    Settings are a CheckRequest, or its fields as keyword arguments (`runtime="python_3_14"`,
    `select=["AZ2"]`, ...), or both (the keywords then change the request). Precedence:
    arguments > config file (`config`, else the nearest agentzip.toml or [tool.agentzip] above
    PATH, unless `no_config`) > agent definition (`definition`, else the azure.yaml / agent.yaml a
    user would expect, see validator.definition.resolve) > inference.
    Raises UsageError for an input that does not exist, a bad config or definition file, and
    for an azure.yaml with several agent services and no `service` (check_all checks each).
    A corrupt archive is a finding.
    """
    reports = check_all(path, request, **settings)
    if len(reports) != 1:
        from agentzip.errors import UsageError

        names = ", ".join(str(r.target.get("definition", {}).get("service")) for r in reports)
        raise UsageError(f"{path}: several agent services ({names}): choose one with service=, or call check_all")
    return reports[0]


def check_all(path: str | os.PathLike[str], request: CheckRequest | None = None, **settings: Any) -> list[Report]:
    """check() for each agent PATH stands for: one report per azure.yaml service it names."""
    from agentzip.validator.engine import make_report, run_rules
    from agentzip.validator.findings import Severity
    from agentzip.validator.registry import select as select_rules

    req = _request(request, settings)
    reports: list[Report] = []
    for settled in contexts(path, req):
        ctx, cfg = settled.context, settled.config
        sel = req.select if req.select is not None else cfg.select
        ign = req.ignore if req.ignore is not None else cfg.ignore
        findings = run_rules(ctx, select_rules(sel, ign))
        report = make_report(ctx, findings, with_sha256=req.with_sha256)
        target_json = dict(report.target)
        if ctx.definition is not None:
            target_json["definition"] = _definition_json(ctx.definition)
        reports.append(
            report._replace(
                target=target_json,
                notes=(
                    *report.notes,
                    *_setting_notes(ctx, cfg),
                    mode_note(ctx, settled.sources.get("mode")),
                    *_import_test_notes(ctx),
                ),
                fail_on=Severity.parse(req.fail_on or cfg.fail_on or "error"),
            )
        )
    return reports


def explain(
    path: str | os.PathLike[str],
    request: CheckRequest | None = None,
    *,
    modules: Iterable[str] = (),
    log: str | Iterable[str] | None = None,
    **settings: Any,
) -> Explanation:
    """Why each module (and each import failure a log shows) will or will not import in the runtime.

    The bundle and target are settled as `check` settles them (the same CheckRequest or keyword
    settings); a .NET target's log is explained by explain/dotnet.py. Raises UsageError for a bad
    input, a module name that is not one, a module on a .NET target, or several azure.yaml services
    and no `service`.
    """
    from agentzip.errors import UsageError
    from agentzip.explain import Explanation, explain_all
    from agentzip.explain.dotnet import DotnetLog
    from agentzip.logscan import Failures, scan
    from agentzip.validator.engine import make_report

    req = _request(request, settings)
    found = list(contexts(path, req))
    if len(found) != 1:
        names = ", ".join(str(s.context.definition.service) for s in found if s.context.definition)
        raise UsageError(f"{path}: several agent services ({names}): choose one with --service")
    ctx, cfg = found[0].context, found[0].config
    dotnet = DotnetLog(ctx, modules, log)  # .NET failures: the same log lines, read once
    failures = scan(dotnet.lines) if dotnet.lines is not None and dotnet.python else Failures()
    python = explain_all(ctx, modules, failures) if dotnet.python else ()
    diagnoses = (*python, *dotnet.diagnoses())
    base = make_report(ctx, [], with_sha256=req.with_sha256)
    notes = [*base.notes, *_setting_notes(ctx, cfg), *dotnet.notes(bool(failures))]
    left = failures.note()
    if left:
        notes.append(left)
    return Explanation(base.input, base.target, diagnoses, tuple(notes))


def contexts(
    path: str | os.PathLike[str],
    request: CheckRequest | None = None,
    *,
    defaults: Mapping[str, Any] | None = None,
    **settings: Any,
) -> Iterator[Settled]:
    """The bundle, target and options each agent PATH stands for, settled once for check, explain
    and build alike: arguments > config file > agent definition > `defaults` > inference.

    `defaults` replace inference for the settings they name (`build` makes a bundled
    python_3_13 zip unless told otherwise; `check` infers from what the bundle holds).
    """
    from agentzip.validator import config as config_file
    from agentzip.validator import definition as definition_file
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.context import Context, Options
    from agentzip.validator.target import resolve_target

    req = _request(request, settings)
    for bundle_path, defn in definition_file.locate(path, definition=req.definition, service=req.service):
        bundle = Bundle.open(bundle_path)  # a missing input is the first error, before any rule loads
        load_rules()  # the config's select/ignore words are checked against the registry
        cfg = config_file.load(bundle_path, config=req.config, no_config=req.no_config)
        values, sources = _target_settings(req, cfg, defn, defaults or {})
        target = resolve_target(bundle, **values)
        ppi = req.per_path_ignores if req.per_path_ignores is not None else cfg.per_path_ignores
        size_limit = req.size_limit if req.size_limit is not None else cfg.size_limit
        options = Options.make(size_limit, ppi, import_test=req.import_test, python=req.python)
        ctx = Context(bundle, target, options, definition=defn)
        yield Settled(ctx, cfg, MappingProxyType(sources))


def _target_settings(
    req: CheckRequest, cfg: Config, defn: Definition | None, defaults: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Origin]]:
    """Each target setting and its origin: flag > config > definition > default, else inferred (None)."""
    from agentzip.foundry import MODES, RUNTIMES

    origin = defn.describe() if defn is not None else "definition"
    # A definition value the service would reject is reported by its AZ7xx rule; the bundle is
    # then checked against what inference finds rather than against a runtime that does not exist.
    defined: dict[str, Any] = {}
    if defn is not None:
        defined = {
            "runtime": defn.runtime if defn.runtime in RUNTIMES else None,
            "mode": defn.dependency_resolution if defn.dependency_resolution in MODES else None,
            "entry_point": defn.entry_point,
        }
    values: dict[str, Any] = {}
    sources: dict[str, Origin] = {}
    for key in TRACKED:
        candidates = (
            (getattr(req, key), "flag"),
            (getattr(cfg, key), "config"),
            (defined.get(key), origin),
            (defaults.get(key), "default"),
        )
        # An empty value (entry-point = "", select = []) counts as unset, as it always has.
        values[key], sources[key] = next(((v, where) for v, where in candidates if v), (None, "inferred"))
    entry = values["entry_point"]
    if isinstance(entry, (list, tuple)) and len(entry) == 1:
        values["entry_point"] = str(entry[0])  # azd's one-file entryPoint: the runner is added
    if values["glibc_floor"] is None:
        sources["glibc_floor"] = "default"  # the platform's promise, never inferred from the bundle
    return values, sources


def _request(request: CheckRequest | None, settings: Mapping[str, Any]) -> CheckRequest:
    """The request a call stands for: keyword settings alone, or a request they change."""
    if request is None:
        return CheckRequest.make(**settings)
    return request.with_(**settings) if settings else request


def _definition_json(d: Definition) -> dict[str, Any]:
    return {"path": d.display, "kind": d.kind, "service": d.service}


def mode_note(ctx: Context, origin: Origin | None) -> str:
    """The one sentence check's report and build's summary say about the mode: which, and why.

    One rule for both: a value given (flag, config, definition) wins; otherwise `check` infers
    it from what the bundle holds, and `build` makes the documented bundled build.
    """
    mode = ctx.target.mode
    how = "set it with --mode or the definition's dependency resolution"
    if origin in (None, "inferred"):
        shipped = "a publish output at the root" if ctx.target.is_dotnet else "packages/ or installed *.dist-info"
        has = "has" if mode == "bundled" else "has no"
        return f"mode: {mode}, inferred because the bundle {has} {shipped} (build's default is bundled); {how}"
    if origin == "default":
        return f"mode: {mode}, build's default (the documented bundled build; check infers it from the bundle); {how}"
    return f"mode: {mode}, from the {origin}"


def _import_test_notes(ctx: Context) -> list[str]:
    """Whether the import test ran, once: under which interpreter, or why not (never silently)."""
    if "import_test" not in ctx.__dict__:  # not asked for, or AZ406 not selected: it never ran
        return [] if not ctx.options.import_test else ["import test: did not run (rule AZ406 not selected)"]
    test = ctx.import_test
    if test is None:
        return []
    if test.skipped is not None:
        return [f"import test: did not run: {test.skipped}"]
    assert test.interpreter is not None
    failed = len(test.failures)
    head = f"import test: {len(test.results)} module(s) tried under {test.interpreter.describe()}"
    return [head + (f", {failed} failed" if failed else ", all imported"), *test.notes]


def _setting_notes(ctx: Context, cfg: Config) -> list[str]:
    """Where the settings came from, for the report's notes."""
    notes = []
    if ctx.definition is not None:
        notes.append(f"definition: {ctx.definition.describe()}")
    if cfg.source is not None:
        notes.append(f"config: {cfg.describe()}")
    return notes
