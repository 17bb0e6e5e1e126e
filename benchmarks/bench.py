"""Speed of `agentzip check` and start-up: one table, each case against its floor, CPU time, interleaved.

    python benchmarks/bench.py [--entries 20000] [--repeat 7] [--no-network] [--here] [--python PY]
    python benchmarks/bench.py --profile zip|real-zip|real-folder [--entries 20000]

Every command runs in a fresh interpreter, as a pre-commit hook would, from a regular install in
a fresh virtual environment (`pip install .`, as pre-commit installs a hook): an editable install
imports its path finder (pathlib, importlib.util) into every interpreter, `python -c pass`
included, which flatters every ratio. --here times the current environment (so does a failed
install). A command's cost is the CPU time (user + system) of the child, from
getrusage(RUSAGE_CHILDREN), so a machine shared with other work moves the numbers less than wall
time would. Each repetition runs every case and every floor once, in turn, and the table shows
medians. Beside each ratio is the ratio to a minimal struct parser of
the zip's central directory (EOCD, then one unpack_from per record, nothing else): the floor to
approach next. Exit status 1 when a case is over its target, so CI can hold the line if it wants.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

PY = sys.executable  # the interpreter every command runs under; main() may swap in a fresh install's
ROOT = Path(__file__).resolve().parent.parent
INFOLIST = "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).infolist()"
HEADS = "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); [z.open(i).read(64) for i in z.infolist()]"
WALK = "import os, sys; [os.stat(os.path.join(d, f)) for d, _, fs in os.walk(sys.argv[1]) for f in fs]"
# The modules outside agentzip that a check of the small folder loads, found by running it once:
# the floor under start-up that agentzip's own modules sit on (the table's reference row).
LOADED = """
import sys
before = set(sys.modules)
sys.argv = ["agentzip", "check", sys.argv[1]]
from agentzip.entry import run
try:
    run()
except SystemExit:
    pass
new = {m for m in set(sys.modules) - before if not m.startswith("agentzip") and not m.startswith("_")}
print(" ".join(sorted(m for m in new if m.rpartition(".")[0] not in new)))
"""
# The floor under every zip reader: find the end record, walk the central directory, keep the names.
STRUCT = """
import struct, sys
with open(sys.argv[1], "rb") as fh:
    fh.seek(0, 2); size = fh.tell(); fh.seek(max(0, size - 65557)); tail = fh.read()
e = tail.rfind(b"PK\\x05\\x06")
n, cd_size, cd_off = struct.unpack_from("<xxxxxxxxHII", tail, e + 2)
with open(sys.argv[1], "rb") as fh:
    fh.seek(cd_off); cd = fh.read(cd_size)
rec = struct.Struct("<4s6xH4xIII2HH8xI")
pos, names = 0, []
for _ in range(n):
    sig, method, crc, csize, usize, nlen, xlen, clen, off = rec.unpack_from(cd, pos)
    names.append(cd[pos + 46 : pos + 46 + nlen].decode("utf-8", "replace"))
    pos += 46 + nlen + xlen + clen
"""


@dataclass
class Case:
    """One row: our command, its floor, the struct parser on the matching zip, and the target ratio."""

    name: str
    floor_name: str
    ours: list[str]
    floor: list[str]
    struct_zip: Path | None
    target: float | None  # None: a reference row, not held to a target
    times: dict[str, list[float]] = field(default_factory=lambda: {"ours": [], "floor": [], "struct": []})


def fresh_install(root: Path, base: str) -> str | None:
    """A new virtual environment of `base` with agentzip installed as a user installs it; its python, or None."""
    venv = root / "venv"
    try:
        subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True)
        py = venv / "bin" / "python"
        subprocess.run([str(py), "-m", "pip", "install", "-q", str(ROOT)], check=True, capture_output=True)
    except (subprocess.CalledProcessError, OSError) as e:
        detail = e.stderr.decode(errors="replace")[-300:] if isinstance(e, subprocess.CalledProcessError) else e
        print(f"fresh install failed ({detail}); timing the current environment", file=sys.stderr)
        return None
    return str(py)


def agentzip(via_module: bool) -> list[str]:
    """The installed console script (what a hook runs), else `python -m agentzip`."""
    script = Path(PY).parent / "agentzip"
    return [str(script)] if script.exists() and not via_module else [PY, "-m", "agentzip"]


# An installed package has its bytecode compiled; a PYTHONDONTWRITEBYTECODE shell would time the compiler.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cpu(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """CPU seconds (user + system) the command's process used (exit on a status other than 0 or 1)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env=env or ENV)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode(errors='replace')}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def synthetic_zip(root: Path, entries: int) -> Path:
    """A zip of N small files under packages/ (names and sizes like an installed tree)."""
    z = root / "synthetic.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("main.py", "print('hi')\n")
        zf.writestr("requirements.txt", "")
        for i in range(max(0, entries - 2)):
            zf.writestr(f"packages/pkg{i // 500}/mod{i}.py", f"X = {i}\n" * 20)
    return z


def zip_folder(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(folder).as_posix())
    return out


def real_bundle() -> tuple[Path, Path] | None:
    """The `good` real-wheel bundle (fixtures/realwheels.py) as a zip and as a folder, built once and cached."""
    sys.path.insert(0, str(ROOT))
    try:
        from fixtures import realwheels

        return realwheels.bundle_zip("good"), realwheels.bundle("good")
    except Exception as e:  # no network and no cache: the table says so
        print(f"real bundle unavailable ({e}); run once with network to cache it", file=sys.stderr)
        return None


def needed(folder: Path) -> str:
    """`import ...` of what a check of FOLDER loads from outside agentzip (its output discarded)."""
    out = subprocess.run([PY, "-c", LOADED, str(folder)], capture_output=True, text=True).stdout.splitlines()
    names = out[-1].split() if out else []
    print(f"a check of {folder.name} imports, outside agentzip: {' '.join(names)}", file=sys.stderr)
    return f"import {', '.join(names)}" if names else "pass"


def cases(root: Path, entries: int, network: bool, via_module: bool) -> list[Case]:
    az = agentzip(via_module)
    PASS = [PY, "-c", "pass"]
    # Every case is the pre-commit hooks' own command line, `agentzip check PATH` (text report).
    small = ROOT / "examples" / "good-agent"
    small_zip = zip_folder(small, root / "small.zip")
    big = synthetic_zip(root, entries)
    out = [
        Case("check small folder", "python -c pass", [*az, "check", str(small)], PASS, small_zip, 4.0),
        Case("agentzip --version", "python -c pass", [*az, "--version"], PASS, small_zip, 2.0),
        # What no check can avoid: the interpreter and the imports every check needs, agentzip's excluded.
        Case("(ref) the imports a check needs", "python -c pass", [PY, "-c", needed(small)], PASS, None, None),
        Case(
            f"check zip, {entries:,} entries",
            "infolist",
            [*az, "check", str(big)],
            [PY, "-c", INFOLIST, str(big)],
            big,
            1.5,
        ),
    ]
    real = real_bundle() if network else None
    if real is not None:
        rz, rf = real
        out.append(
            Case(
                "check real bundle zip (72 dists)",
                "infolist + 64 B each",
                [*az, "check", str(rz)],
                [PY, "-c", HEADS, str(rz)],
                rz,
                1.5,
            )
        )
        out.append(
            Case(
                "check real bundle folder",
                "os.walk + stat",
                [*az, "check", str(rf)],
                [PY, "-c", WALK, str(rf)],
                rz,
                3.0,
            )
        )
    return out


def run(all_cases: list[Case], repeat: int) -> None:
    """Warm the caches once, then `repeat` rounds of every command in turn (interleaved)."""
    structs = {c.struct_zip for c in all_cases if c.struct_zip is not None}
    struct_times: dict[Path, list[float]] = {z: [] for z in structs}
    for c in all_cases:
        cpu(c.ours)
        cpu(c.floor)
    for z in structs:
        cpu([PY, "-c", STRUCT, str(z)])
    for _ in range(repeat):
        for c in all_cases:
            c.times["ours"].append(cpu(c.ours))
            c.times["floor"].append(cpu(c.floor))
        for z in structs:
            struct_times[z].append(cpu([PY, "-c", STRUCT, str(z)]))
    for c in all_cases:
        if c.struct_zip is not None:
            c.times["struct"] = struct_times[c.struct_zip]


def table(all_cases: list[Case], repeat: int) -> bool:
    """Print the table; True when every case is within its target."""
    ok = True
    print(
        f"{'case':34} {'CPU ms':>7}  {'floor':22} {'ms':>6} {'ratio':>6} {'target':>7}  {'struct ms':>9} {'ratio':>6}"
    )
    for c in all_cases:
        ours = statistics.median(c.times["ours"])
        floor = statistics.median(c.times["floor"])
        ratio = ours / floor if floor else float("inf")
        within = c.target is None or ratio <= c.target
        ok = ok and within
        struct = statistics.median(c.times["struct"]) if c.times["struct"] else 0.0
        sratio = f"{ours / struct:6.1f}" if struct else "     -"
        mark = "" if c.target is None else "ok" if within else "OVER"
        bound = "-" if c.target is None else "<=" + format(c.target, ".1f")
        print(
            f"{c.name:34} {ours * 1000:7.0f}  {c.floor_name:22} {floor * 1000:6.0f} {ratio:6.2f} "
            f"{bound:>5} {mark:4} {struct * 1000:6.0f} {sratio}"
        )
    version = subprocess.run([PY, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True)
    print(f"python {version.stdout.strip()}, {os.cpu_count()} CPUs, CPU time (user+sys), median of {repeat}")
    return ok


def profile(root: Path, which: str, entries: int) -> None:
    """cProfile one warm in-process check of a case's input (the per-entry work, without start-up)."""
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT))
    from agentzip import api

    real = real_bundle() if which != "zip" else None
    if which != "zip" and real is None:
        sys.exit("the real bundle is not available")
    path = synthetic_zip(root, entries) if real is None else real[0] if which == "real-zip" else real[1]
    api.check(path)  # warm: imports, and the disk caches a repeat check reads
    prof = cProfile.Profile()
    prof.runcall(api.check, path)
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=20_000, help="entries in the synthetic zip")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-network", action="store_true", help="skip the real-wheel bundle (built from PyPI once)")
    ap.add_argument("--via-module", action="store_true", help="time `python -m agentzip` (say, another checkout)")
    ap.add_argument("--here", action="store_true", help="time the current environment, not a fresh install")
    ap.add_argument(
        "--python", default=sys.executable, help="the interpreter the fresh install is made with (say, a 3.13)"
    )
    ap.add_argument("--profile", choices=["zip", "real-zip", "real-folder"], help="profile one check in process")
    args = ap.parse_args()
    if args.profile:
        with tempfile.TemporaryDirectory() as tmp:
            profile(Path(tmp), args.profile, args.entries)
        return
    global PY
    with tempfile.TemporaryDirectory() as tmp:
        fresh = None if args.here else fresh_install(Path(tmp), args.python)
        PY = fresh or sys.executable
        print(f"timing {'a fresh `pip install .`' if fresh else 'the current environment'}: {PY}", file=sys.stderr)
        all_cases = cases(Path(tmp), args.entries, not args.no_network, args.via_module)
        run(all_cases, args.repeat)
        ok = table(all_cases, args.repeat)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
