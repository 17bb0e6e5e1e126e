"""Speed of `agentzip explain` against `agentzip check` on the same foreign-platform bundle: one table.

    python benchmarks/bench_explain.py [--repeat 5] [--bundles data-py312 data-win-amd64] [-m numpy ...]

Bundles are recipes of fixtures/realwheels.py (numpy, pandas, lxml, pillow, orjson, pydantic and
PyYAML beside the echo agent, built for the wrong Python or OS), zipped. Each command runs in a
fresh interpreter; its cost is the child's CPU time (user + system, getrusage), cold
(AGENTZIP_NO_CACHE=1: nothing parsed before) and warm (the parsed-names cache filled). Every round
runs every command once, in turn, and the table shows medians. The target is explain within 2x of
check; exit status 1 when a row is over it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

import bench  # benchmarks/bench.py, beside this file (the script's folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TARGET = 2.0
MODULES = ("numpy", "pandas", "yaml", "_yaml", "lxml.etree", "PIL.Image", "orjson", "pydantic")


def cpu(cmd: list[str], cold: bool) -> float:
    """CPU seconds (user + system) of one run of the command (bench.cpu), cold or warm."""
    return bench.cpu(cmd, {**bench.ENV, "AGENTZIP_NO_CACHE": "1"} if cold else bench.ENV)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--bundles", nargs="+", default=["data-py312", "data-win-amd64"])
    parser.add_argument("-m", "--module", dest="modules", action="append", help="modules to explain")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from fixtures import realwheels

    az = [str(Path(PY).parent / "agentzip")]
    modules = args.modules or list(MODULES)
    rows: dict[tuple[str, str, bool], list[float]] = {}
    commands: list[tuple[str, str, bool, list[str]]] = []
    for name in args.bundles:
        path = str(realwheels.bundle_zip(name))
        for cold in (True, False):
            commands.append((name, "check", cold, [*az, "check", path]))
            commands.extend((name, f"explain -m {m}", cold, [*az, "explain", path, "-m", m]) for m in modules)
    for _, _, cold, cmd in commands:  # once, unmeasured: the bytecode and the warm cache exist after it
        cpu(cmd, cold)
    for _ in range(args.repeat):
        for name, what, cold, cmd in commands:
            rows.setdefault((name, what, cold), []).append(cpu(cmd, cold))
    ok = True
    print(f"{'bundle':16} {'cache':5} {'command':22} {'CPU s':>6} {'check s':>7} {'ratio':>6}")
    for (name, what, cold), times in rows.items():
        ours = statistics.median(times)
        check = statistics.median(rows[(name, "check", cold)])
        ratio = ours / check if check else float("inf")
        ok = ok and ratio <= TARGET
        mark = "" if ratio <= TARGET else " OVER"
        print(f"{name:16} {'cold' if cold else 'warm':5} {what:22} {ours:6.2f} {check:7.2f} {ratio:6.2f}{mark}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, CPU time (user+sys), median of {args.repeat}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
