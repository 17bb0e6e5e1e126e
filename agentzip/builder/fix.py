"""`fix`: repair what is mechanical in a bundle built elsewhere, into a new zip (the input is never written)."""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agentzip.builder import fixapply as apply
from agentzip.builder import staging, zipwriter
from agentzip.errors import ArchiveError, UsageError
from agentzip.foundry import BUNDLED, PACKAGES
from agentzip.settings import CheckRequest
from agentzip.validator.index import JUNK_DIRS, JUNK_FILES

if TYPE_CHECKING:
    from agentzip.api import Settled
    from agentzip.validator.bundle import Bundle, BundleFile
    from agentzip.validator.context import Context
    from agentzip.validator.distributions import Distribution
    from agentzip.validator.findings import Report

Echo = Callable[[str], None]

# The groups of changes, in the order they are listed, and each group's heading.
GROUPS = {
    "flatten": "flatten the wrapper folder",
    "drop": "drop what never runs in the agent",
    "wheel": f"install raw wheels into {PACKAGES}/",
    "reinstall": "reinstall for the target",
    "secret": "secrets",
    "left": "left as is (not mechanical: fix by hand)",
}
RECORD_LIMIT = 16 * 1024 * 1024  # a RECORD is a few hundred KB even for the largest distributions
_WHY = {
    ".git": "version-control history",
    ".hg": "version-control history",
    ".svn": "version-control history",
    "__MACOSX": "macOS resource forks added by Finder's Compress",
    "node_modules": "JavaScript dependencies",
    "__pycache__": "bytecode of another Python (the runtime compiles its own)",
}


@dataclass(frozen=True)
class Change:
    """One repair (or one thing reported and left), for the listing."""

    group: str  # a key of GROUPS
    path: str
    detail: str


@dataclass(frozen=True)
class FixOptions:
    """Flags of `agentzip fix`."""

    src: Path
    output: Path | None = None  # None: a dry run
    request: CheckRequest = field(default_factory=CheckRequest)
    installer: str = "uv"
    drop_secrets: bool = False


@dataclass(frozen=True)
class FixResult:
    """What was changed, the zip written (None for a dry run) and check's report of it."""

    changes: tuple[Change, ...]
    output: Path | None = None
    report: Report | None = None


@dataclass
class Plan:
    """The new bundle: files kept (name in OUT -> file in IN), rewritten bytes, and what to install."""

    keep: dict[str, BundleFile] = field(default_factory=dict)
    rewrites: dict[str, bytes] = field(default_factory=dict)
    wheels: dict[str, BundleFile] = field(default_factory=dict)  # wheel file name -> file in IN
    pins: list[str] = field(default_factory=list)  # name==version to reinstall for the target
    changes: list[Change] = field(default_factory=list)
    site: str = PACKAGES  # where installs go: "packages" or "" (a `pip install -t .` bundle)


def fix(options: FixOptions, echo: Echo) -> FixResult:
    """Plan the repairs of options.src, list them, and (unless a dry run) write and check the new zip."""
    from agentzip import api

    src = Path(options.src)
    out = _output_path(src, options.output) if options.output is not None else None
    found = list(api.contexts(src, options.request))
    if len(found) != 1:
        raise UsageError(f"{src} defines several agents: choose one with --service")
    ctx, wrapper, outside = flattened(found[0])
    plan = make_plan(ctx, wrapper, outside, drop_secrets=options.drop_secrets)
    for line in describe(plan.changes):
        echo(line)
    if out is None:
        return FixResult(tuple(plan.changes))
    tmp = Path(tempfile.mkdtemp(prefix="agentzip-fix-"))
    try:
        members = apply.stage(ctx.bundle, plan, tmp)
        if plan.wheels or plan.pins:
            members += apply.install(ctx, plan, options.installer, tmp, echo)
        partial = tmp / "fixed.zip.partial"
        written = zipwriter.write_zip(partial, members)
        try:
            shutil.move(str(partial), out)
        except OSError as e:
            raise UsageError(f"cannot write {out}: {e.strerror}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    echo(f"wrote {out} ({written.size:,} bytes, sha256 {written.sha256})")
    return FixResult(tuple(plan.changes), out, api.check(out, _out_request(options.request, found[0], ctx)))


def _out_request(request: CheckRequest, settled: Settled, ctx: Context) -> CheckRequest:
    """OUT is checked against the target IN was settled to: a definition beside IN does not sit
    beside OUT, so what it (or a flag, or the config) said travels as settings."""
    t = ctx.target
    values = {"runtime": t.runtime, "mode": t.mode, "entry_point": t.entry_point, "glibc_floor": t.glibc_floor}
    given = {k: v for k, v in values.items() if settled.sources.get(k) not in (None, "inferred", "default")}
    return request.with_(definition=None, service=None, **given)


def _output_path(src: Path, output: Path) -> Path:
    """OUT as an absolute path; UsageError when it is IN itself or cannot be written."""
    out = output.expanduser().absolute()
    if src.exists() and out.exists() and os.path.samefile(src, out):
        raise UsageError(f"{output}: fix never overwrites its input; give another -o")
    if out.is_dir():
        raise UsageError(f"{output}: is a folder; give the zip's file name, e.g. -o fixed.zip")
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {output}: folder {out.parent} does not exist")
    return out


def flattened(settled: Settled) -> tuple[Context, str | None, list[str]]:
    """The Context of the bundle as it will be: a wrapper folder's contents moved to the root
    (the target re-inferred where nothing settled it), the wrapper's name and what sat beside it."""
    from agentzip.validator.context import Context
    from agentzip.validator.target import resolve_target

    ctx = settled.context
    wrapper = ctx.index.wrapper_dir
    if wrapper is None:
        return ctx, None, []
    view = _without_wrapper(ctx.bundle, wrapper)
    outside = [f.path for f in ctx.index.files if not f.path.startswith(wrapper + "/")]
    t = ctx.target
    given = {k for k, origin in settled.sources.items() if origin != "inferred"}
    target = resolve_target(
        view,
        runtime=t.runtime if "runtime" in given else None,
        mode=t.mode if "mode" in given else None,
        entry_point=t.entry_point if "entry_point" in given else None,
        glibc_floor=t.glibc_floor,
    )
    return Context(view, target, ctx.options, definition=ctx.definition), wrapper, outside


def _without_wrapper(bundle: Bundle, wrapper: str) -> Bundle:
    """The bundle seen from inside its wrapper folder; what sits beside the folder is left out."""
    from agentzip.validator.bundle import Bundle

    if bundle.kind == "folder":
        return Bundle.open(bundle.path / wrapper)
    prefix = wrapper + "/"
    files = []
    for f in bundle.files:
        if f.path.startswith(prefix):
            moved = copy.copy(f)  # the reader finds a member by its offsets, never by its name
            moved.path = f.path[len(prefix) :]
            files.append(moved)
    return Bundle("zip", bundle.path, files, bundle.size, archive=bundle.archive)


def make_plan(ctx: Context, wrapper: str | None, outside: list[str], *, drop_secrets: bool = False) -> Plan:
    """What fix will do to the bundle `ctx` sees (already flattened): every change, grouped."""
    plan = Plan()
    index = ctx.index
    if wrapper is not None:
        plan.changes.append(Change("flatten", wrapper + "/", f"{len(index.files)} files moved to the zip root"))
    beside: dict[str, int] = defaultdict(int)  # one line per top-level name: __MACOSX/ holds hundreds
    for path in outside:
        top, sep, _ = path.partition("/")
        beside[top + sep] += 1
    for top, count in sorted(beside.items()):
        plan.changes.append(Change("drop", top, f"{count} file(s) beside the wrapper folder: not part of the agent"))
    dropped = _drop_junk(ctx, plan)
    _secrets(ctx, plan, drop_secrets)
    bundled = ctx.target.mode == BUNDLED
    if index.site == "root":
        plan.site = ""
    installed = {d.name: d for d in index.distributions}
    for name in sorted(plan.keep):
        if not (name.endswith(".whl") and bundled):
            continue
        f = plan.keep.pop(name)
        project = _wheel_project(f.name)
        if project is None:
            plan.keep[name] = f
            plan.changes.append(Change("left", name, "not a valid wheel file name, so no installer takes it"))
        elif project in installed:
            d = installed[project]
            plan.changes.append(Change("drop", name, f"a raw wheel of {d.display_name} {d.version}, already installed"))
        else:
            plan.wheels[f.name] = f
            plan.changes.append(Change("wheel", name, f"installed into {plan.site or 'the root'}/, the .whl left out"))
    for name in sorted(plan.keep):
        if name.lower().endswith(".zip") and not index.is_dependency(name):
            plan.changes.append(Change("left", name, "a zip inside the bundle: delete it if it is an old build"))
    if bundled and ctx.target.is_python:
        _reinstall(ctx, plan, dropped)
    _prune_records(ctx, plan, dropped)
    return plan


def _wheel_project(filename: str) -> str | None:
    """The canonical project name of a wheel file name, None when it is not a valid one."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    try:
        return str(parse_wheel_filename(filename)[0])
    except InvalidWheelFilename:
        return None


def _junk_key(name: str, venvs: set[str]) -> str | None:
    """The junk folder or kind a path belongs to (`.venv/`, `__pycache__/`, `.DS_Store`), or None."""
    parts = name.split("/")
    for i, part in enumerate(parts[:-1]):
        prefix = "/".join(parts[: i + 1])
        if part in JUNK_DIRS or prefix in venvs:
            return prefix + "/"
        if part == "__pycache__":
            return "__pycache__/"
    if name.endswith((".pyc", ".pyo")):
        return "__pycache__/"
    return parts[-1] if parts[-1] in JUNK_FILES else None


def _unsafe(name: str) -> bool:
    parts = name.split("/")
    return name.startswith("/") or "\\" in name or "\x00" in name or ".." in parts or ":" in parts[0]


def _drop_junk(ctx: Context, plan: Plan) -> set[str]:
    """Keep every file but junk, caches, bytecode, venvs, symlinks and unsafe names; the dropped paths."""
    files = ctx.index.files
    venvs = {f.path.rsplit("/", 1)[0] for f in files if f.name == "pyvenv.cfg" and "/" in f.path}
    groups: dict[str, list[BundleFile]] = defaultdict(list)
    dropped: set[str] = set()
    for f in files:
        key = _junk_key(f.path, venvs)
        if key is None and f.is_symlink:
            plan.changes.append(Change("drop", f.path, "a symlink entry (the service's extraction does not keep it)"))
        elif key is None and _unsafe(f.path):
            plan.changes.append(Change("drop", f.path, "an unsafe name (absolute, '..', backslash or drive letter)"))
        elif key is None:
            plan.keep[f.path] = f
            continue
        else:
            groups[key].append(f)
        dropped.add(f.path)
    for key, members in sorted(groups.items()):
        base = key.rstrip("/").rsplit("/", 1)[-1]
        why = _WHY.get(base, "a virtual environment" if key.rstrip("/") in venvs else "a cache or tool litter")
        if base in (".venv", "venv"):
            why = "a virtual environment built for another machine"
        size = sum(f.size for f in members)
        plan.changes.append(Change("drop", key, f"{len(members)} file(s), {size / 1e6:.1f} MB: {why}"))
    return dropped


def _secrets(ctx: Context, plan: Plan, drop: bool) -> None:
    """Report each secret the secret-file rule finds; drop it only when asked to."""
    from agentzip.validator.engine import run_rules
    from agentzip.validator.registry import select

    for finding in run_rules(ctx, select(("secret-file",), ())):
        for path in finding.paths or ((finding.path,) if finding.path else ()):
            if path not in plan.keep:
                continue  # already dropped with its junk folder (.git/, .venv/)
            if drop:
                del plan.keep[path]
                plan.changes.append(Change("secret", path, "dropped (--drop-secrets)"))
            else:
                plan.changes.append(Change("secret", path, f"KEPT: {finding.message}; drop it with --drop-secrets"))


def foreign(ctx: Context) -> dict[str, tuple[Distribution, str]]:
    """Distributions built for another platform or Python: canonical name -> (it, why, in words)."""
    supported = ctx.target.supported_tags
    out: dict[str, tuple[Distribution, str]] = {}
    for d in ctx.index.distributions:
        if d.tags and not d.tags & supported:
            out[d.name] = (d, f"built for {', '.join(d.tag_text)}")
    for n in ctx.index.natives:
        if n.problem is not None and n.owner is not None and n.owner.name not in out:
            out[n.owner.name] = (n.owner, f"{n.path.rsplit('/', 1)[-1]} is {n.reason}")
    return out


def _reinstall(ctx: Context, plan: Plan, dropped: set[str]) -> None:
    """Remove each foreign distribution's files and pin it for reinstalling from the target's wheels."""
    for name, (d, why) in sorted(foreign(ctx).items()):
        if not d.version:
            plan.changes.append(Change("left", d.path, f"{why}; its version is unknown, so it cannot be pinned"))
            continue
        owned = {p for r in d.record if (p := d.site_path(r)) is not None}
        for path in list(plan.keep):
            if path in owned or path.startswith(d.path + "/"):
                del plan.keep[path]
                dropped.add(path)
        plan.pins.append(f"{name}=={d.version}")
        plan.changes.append(Change("reinstall", f"{name}=={d.version}", why))
    for n in ctx.index.natives:
        if n.problem is not None and n.owner is None and n.path in plan.keep:
            plan.changes.append(Change("left", n.path, f"{n.reason}, not from an installed distribution"))


def _prune_records(ctx: Context, plan: Plan, dropped: set[str]) -> None:
    """RECORDs of kept distributions without the files fix dropped (a cache a wheel shipped)."""
    for d in ctx.index.distributions:
        record = f"{d.path}/RECORD"
        if record not in plan.keep or not d.has_record:
            continue
        gone = {r for r in d.record if d.site_path(r) in dropped}
        if not gone:
            continue
        try:
            text = ctx.bundle.read(plan.keep[record], RECORD_LIMIT).decode("utf-8", "replace")
        except ArchiveError:
            continue
        plan.rewrites[record] = staging.record_without(text, gone.__contains__).encode("utf-8")


def describe(changes: list[Change]) -> list[str]:
    """The listing: one heading per group with its count, one line per change."""
    if not changes:
        return ["nothing to fix"]
    lines: list[str] = []
    for group, heading in GROUPS.items():
        mine = [c for c in changes if c.group == group]
        if mine:
            lines.append(f"{heading} ({len(mine)}):")
            lines += [f"  {c.path}: {c.detail}" for c in mine]
    return lines
