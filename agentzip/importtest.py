"""The import test: a real CPython of the target's version imports the bundle's modules, isolated.

The static rules say what should import; this asks the interpreter. The bundle is extracted with
agentzip's own reader into a temporary folder (regular files only, paths checked, a byte budget),
then one child interpreter runs with `-I -S -B` (no user site, no site-packages, no bytecode
written), a scrubbed environment and a timeout, with `sys.path` = the entry point's folder,
`packages/` (bundled mode) and its own standard library: what `python main.py` sees in the runtime.
It imports modules, never the entry point itself, which may start a server.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from agentzip.foundry import PACKAGES
from agentzip.interpreters import Interpreter, NotRunnable, find_interpreter, scrubbed_env

__all__ = ["ImportResult", "ImportTest", "Interpreter", "NotRunnable", "Wanted", "find_interpreter", "run"]

if TYPE_CHECKING:
    from agentzip.validator.bundle import Bundle
    from agentzip.validator.context import Context

# Unzipped bytes written for one test: past this the test does not run (the zip limit is 250 MiB
# compressed; real bundles inflate to two or three times that).
EXTRACT_BUDGET = 2 << 30
TIMEOUT = 120.0  # seconds for one child interpreter
TRACEBACK_LINES = 12  # last lines of a traceback kept in a finding

# The child: imports each module in order, one JSON line per module as soon as it is known, so a
# crash or a timeout still leaves every earlier answer and names the module that was running.
_CHILD = r"""
import importlib, json, sys, traceback
paths, modules, out, keep = json.loads(sys.argv[1])
sys.path[:0] = paths
with open(out, "a", encoding="utf-8") as fh:
    for name, names in modules:
        fh.write(json.dumps({"start": name}) + "\n"); fh.flush()
        try:
            m = importlib.import_module(name)
            for n in names:  # `from name import n`, as the import statement resolves it
                if n != "*" and not hasattr(m, n):
                    try:
                        importlib.import_module(name + "." + n)
                    except ModuleNotFoundError as missing:
                        if missing.name != name + "." + n:
                            raise
                        raise ImportError(f"cannot import name {n!r} from {name!r} ({getattr(m, '__file__', None)})")
            fh.write(json.dumps({"module": name}) + "\n")
        except BaseException as e:
            lines = traceback.format_exception(type(e), e, e.__traceback__)
            fh.write(json.dumps({"module": name, "error": f"{type(e).__name__}: {e}", "tb": lines[-keep:]}) + "\n")
        fh.flush()
"""


@dataclass(frozen=True)
class ImportResult:
    """One module's import under the real interpreter: ok, or the error and the traceback's tail."""

    module: str
    error: str | None = None
    traceback: tuple[str, ...] = ()
    line: int | None = None  # the line of the entry file that imports it, when known

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ImportTest:
    """The outcome: the results, or why the test did not run (`skipped`)."""

    interpreter: Interpreter | None = None
    results: tuple[ImportResult, ...] = ()
    skipped: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def failures(self) -> tuple[ImportResult, ...]:
        return tuple(r for r in self.results if not r.ok)


class Wanted(NamedTuple):
    """A module to import, the names a `from module import a, b` takes from it, and its line."""

    module: str
    names: tuple[str, ...] = ()
    line: int | None = None


def _wanted(items: Iterable[str | tuple[str, Iterable[str]] | Wanted]) -> list[Wanted]:
    out = []
    for i in items:
        if isinstance(i, str):
            out.append(Wanted(i))
        elif isinstance(i, Wanted):
            out.append(i)
        else:
            out.append(Wanted(i[0], tuple(i[1])))
    return out


# -- extracting --------------------------------------------------------------------------------


def _safe_relative(path: str) -> PurePosixPath | None:
    """The member's path when it stays inside the root; None for absolute, `..` or odd names."""
    if not path or "\\" in path or "\x00" in path or path.startswith("/"):
        return None
    p = PurePosixPath(path)
    if any(part in ("", ".", "..") for part in p.parts):
        return None
    return p


def extract(bundle: Bundle, dest: Path, *, budget: int = EXTRACT_BUDGET) -> list[str]:
    """Write the bundle's regular files under `dest`; returns what was left out and why.

    Symlinks, unsafe names and members that fail to read are left out (each is also a check
    finding); NotRunnable when the bytes written pass `budget`.
    """
    from agentzip.errors import ArchiveError

    left_out: list[str] = []
    written = 0
    for f in bundle.files:
        if f.is_dir:
            continue
        rel = _safe_relative(f.path)
        if rel is None or f.is_symlink:
            left_out.append(f"{f.path}: not extracted (unsafe name or symlink)")
            continue
        target = dest.joinpath(*rel.parts)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as fh:
                for chunk in bundle.chunks(f):
                    written += len(chunk)
                    if written > budget:
                        raise NotRunnable(f"the bundle inflates past {budget >> 20} MiB; the import test did not run")
                    fh.write(chunk)
        except (ArchiveError, OSError) as e:
            left_out.append(f"{f.path}: not extracted ({e})")
    return left_out


# -- running -------------------------------------------------------------------------------------


def import_modules(
    interpreter: Interpreter,
    root: Path,
    modules: Iterable[str | tuple[str, Iterable[str]] | Wanted],
    *,
    sys_path: Sequence[str] = ("",),
    timeout: float = TIMEOUT,
) -> list[ImportResult]:
    """Import `modules` in order in one child interpreter with sys.path = root/<each of sys_path>.

    A module the child did not finish (a crash or the timeout) gets an error saying so; the
    modules after it get no answer and are run again, each in a fresh child.
    """
    results: list[ImportResult] = []
    pending = _wanted(modules)
    while pending:
        done = _run_child(interpreter, root, pending, sys_path, timeout)
        results += done
        pending = pending[len(done) :]
    return results


def _run_child(
    interpreter: Interpreter, root: Path, modules: Sequence[Wanted], sys_path: Sequence[str], timeout: float
) -> list[ImportResult]:
    with tempfile.TemporaryDirectory(prefix="agentzip-home-") as home:
        out = Path(home) / "results.jsonl"
        paths = [str(root / p) if p else str(root) for p in sys_path]
        args = [
            interpreter.path,
            "-I",
            "-S",
            "-B",
            "-c",
            _CHILD,
            json.dumps([paths, [[w.module, list(w.names)] for w in modules], str(out), TRACEBACK_LINES]),
        ]
        failure: str | None = None
        try:
            proc = subprocess.run(
                args,
                cwd=root,
                env=scrubbed_env(Path(home)),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=timeout,
                check=False,
            )
            if proc.returncode != 0:
                tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
                failure = f"the interpreter exited with status {proc.returncode} {tail[0]}".strip()
        except subprocess.TimeoutExpired:
            failure = f"the import did not finish within {timeout:g} s"
        lines = out.read_text(encoding="utf-8", errors="replace").splitlines() if out.exists() else []
    return _parse(lines, modules, failure)


def _parse(lines: list[str], modules: Sequence[Wanted], failure: str | None) -> list[ImportResult]:
    results: list[ImportResult] = []
    running: str | None = None
    for text in lines:
        try:
            rec = json.loads(text)
        except ValueError:
            continue
        if "start" in rec:
            running = str(rec["start"])
            continue
        at = modules[len(results)].line if len(results) < len(modules) else None
        results.append(ImportResult(str(rec["module"]), rec.get("error"), tuple(rec.get("tb") or ()), at))
        running = None
    if len(results) < len(modules):
        wanted = modules[len(results)]
        culprit = running or wanted.module
        results.append(ImportResult(culprit, failure or "the interpreter stopped without an answer", line=wanted.line))
    return results


def relocated(results: Iterable[ImportResult], root: Path) -> tuple[ImportResult, ...]:
    """Results with the temporary extraction folder written as bundle paths (`packages/mcp/...`)."""
    prefix = str(root) + os.sep

    def fix(text: str) -> str:
        return text.replace(prefix, "").replace(str(root), ".")

    return tuple(
        ImportResult(r.module, None if r.error is None else fix(r.error), tuple(fix(t) for t in r.traceback), r.line)
        for r in results
    )


# -- the test for a checked bundle ---------------------------------------------------------------


def entry_modules(ctx: Context) -> list[Wanted]:
    """Modules the entry file imports at module level with the names it takes, in the order written."""
    scan = ctx.index.imports
    entry = ctx.target.entry_file
    if entry is None:
        return []
    entry_path = entry if not scan.base else f"{scan.base}/{entry}".replace("//", "/")
    names: dict[str, dict[str, None]] = {}
    lines: dict[str, int] = {}
    for ref in scan.imports:
        if ref.file in (entry, entry_path) and ref.at_runtime and not ref.dynamic:
            names.setdefault(ref.name, {}).update(dict.fromkeys(ref.names))
            lines.setdefault(ref.name, ref.line)
    return [Wanted(m, tuple(n), lines[m]) for m, n in names.items()]


def entry_path(ctx: Context) -> str | None:
    """The entry file's path in the bundle (`main.py`, `src/main.py`), where AZ406 reports."""
    entry = ctx.target.entry_file
    if entry is None:
        return None
    base = ctx.index.imports.base
    inside = f"{base}/{entry}".replace("//", "/") if base else entry
    return entry if entry in ctx.index.by_path or inside not in ctx.index.by_path else inside


def sys_path_of(ctx: Context) -> list[str]:
    """sys.path entries relative to the root: the entry point's folder, then packages/ if present."""
    paths = [ctx.index.imports.base or ""]
    if PACKAGES in ctx.bundle.top_level_names() and PACKAGES not in paths:
        paths.append(PACKAGES)
    return paths


def run(
    ctx: Context,
    *,
    modules: Iterable[str | tuple[str, Iterable[str]] | Wanted] | None = None,
    python: str | None = None,
    timeout: float = TIMEOUT,
) -> ImportTest:
    """The import test for a checked bundle; never raises for a bundle or a host that cannot run it."""
    version = ctx.target.python_version
    if version is None:
        return ImportTest(skipped=f"{ctx.target.runtime} is not a Python runtime")
    try:
        interpreter = find_interpreter(version, python)
    except NotRunnable as e:
        return ImportTest(skipped=str(e))
    wanted = _wanted(modules) if modules is not None else entry_modules(ctx)
    if not wanted:
        return ImportTest(interpreter, skipped="the entry point imports nothing at module level")
    with tempfile.TemporaryDirectory(prefix="agentzip-import-") as tmp:
        root = Path(tmp) / "bundle"
        root.mkdir()
        try:
            left_out = extract(ctx.bundle, root)
        except NotRunnable as e:
            return ImportTest(interpreter, skipped=str(e))
        results = relocated(import_modules(interpreter, root, wanted, sys_path=sys_path_of(ctx), timeout=timeout), root)
    return ImportTest(interpreter, results, notes=tuple(left_out[:5]))
