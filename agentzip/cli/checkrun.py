"""`agentzip check` once its flags are parsed, and the click-free path a pre-commit hook takes.

The hook runs `agentzip check` or `agentzip check a.zip b.zip`: nothing but paths. For that
command line agentzip.entry comes straight here, and the run costs no click import; any flag
sends the command line through click (agentzip.cli.check), which calls the same run_check.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from agentzip.cli.plain import (
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    _fail,
    _size_charts,
    _split,
    _write,
    did_you_mean,
    internal_error,
    parse_outputs,
    request_from_flags,
    use_color,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn

# The eight target and definition flags at their defaults: what click hands run_check when none is given.
NO_SETTINGS: Mapping[str, Any] = {
    "runtime": None,
    "mode": None,
    "entry_point": None,
    "glibc": None,
    "config": None,
    "no_config": False,
    "definition": None,
    "service": None,
}


def is_plain(args: list[str]) -> bool:
    """True for `check PATH...` with no flag at all (a path that starts with '-' goes through click)."""
    return args[:1] == ["check"] and not any(a.startswith("-") for a in args[1:])


def quick(args: list[str]) -> NoReturn:
    """Run `check PATH...` (is_plain) as click would, with every flag at its default."""
    try:
        _settle_imports()
        run_check(tuple(args[1:]))
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:
        internal_error("check", exc, debug=False)


def _settle_imports() -> None:
    """Import what every check runs, with the cyclic collector off, then freeze it (gc.freeze).

    This process ends after one check, and the modules, classes and functions imported now live
    until then: a collection during the imports finds nothing to free, and each later full
    collection (interpreter shutdown included) would walk them all again. Frozen, they are
    never walked. The check itself runs with the collector on, as before: the freeze changes
    what a collection looks at, not what it frees. 11% of the instructions of a check of
    examples/good-agent (valgrind: 222M -> 198M).
    """
    import gc

    gc.disable()
    try:
        from agentzip import api
        from agentzip.validator import reporters  # noqa: F401

        api.load_rules()
        gc.freeze()
    finally:
        gc.enable()


def run_check(
    paths: tuple[str, ...],
    *,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    fail_on: str | None = None,
    fmt: str = "text",
    outputs: tuple[str, ...] = (),
    color: bool | None = None,
    size_report: bool = False,
    import_test: bool = False,
    python: str | None = None,
    settings: Mapping[str, Any] = NO_SETTINGS,
) -> NoReturn:
    """Check each path, write the reports, exit 0 or 1 (2 for a usage error)."""
    from agentzip import api
    from agentzip.errors import AgentzipError
    from agentzip.validator import reporters

    sel, ign = _split(select), _split(ignore)
    if sel or ign:  # rule modules load only when a selector needs checking against them
        _check_selectors(sel + ign)
    output, extra = parse_outputs(outputs)
    request = request_from_flags(
        **settings,
        select=tuple(sel) or None,
        ignore=tuple(ign) or None,
        fail_on=fail_on,
        with_sha256=any(f != "text" for f in (fmt, *extra)),
        import_test=import_test or python is not None,
        python=python,
    )
    reports = []
    for path in paths or (".",):
        try:
            reports += api.check_all(path, request)
        except AgentzipError as e:
            _fail(str(e), e.exit_code)
    _write(reporters.render_all(fmt, reports, color=use_color(color, to_file=output is not None)), output)
    for other, path in extra.items():
        _write(reporters.render_all(other, reports, color=use_color(color, to_file=True)), path)
    if size_report:
        # The chart goes where a person reads it: never into a machine-readable stdout.
        to_stderr = fmt != "text" and output is None
        _size_charts([r.input.path for r in reports], color=use_color(color, to_file=False), err=to_stderr)
    sys.exit(EXIT_FINDINGS if any(r.failed for r in reports) else EXIT_OK)


def _check_selectors(words: list[str]) -> None:
    """Exit 2 when a --select/--ignore word names no rule: a typo must not silently select nothing."""
    from agentzip.api import load_rules
    from agentzip.validator.registry import all_rules, unknown_selectors

    load_rules()
    bad = unknown_selectors(words)
    if bad:
        known = [r.name for r in all_rules()] + [r.code for r in all_rules()]
        _fail(f"no rule matches {', '.join(bad)}{did_you_mean(bad[0], known)} (see `agentzip rules`)")
