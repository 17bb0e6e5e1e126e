"""Speed of `agentzip check` and of start-up, as ratios against floors measured in the same run.

    python benchmarks/bench_check.py [--entries 20000] [--repeat 7]

Inputs are built in a temporary folder: a zip of N small entries, the same files as a
folder; and the bundled zip of real wheels from fixtures/realwheels.py (72 distributions,
built from PyPI on first use and cached). Each command runs in a fresh interpreter, as a pre-commit hook would; the median of
the repeats is compared with the floor measured alongside it, so a noisy machine moves both.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

PY = sys.executable


def build_inputs(root: Path, entries: int) -> tuple[Path, Path]:
    folder = root / "agent"
    z = root / "agent.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("main.py", "print('hi')\n")
        zf.writestr("requirements.txt", "")
        for i in range(entries - 2):
            name = f"packages/pkg{i // 500}/mod{i}.py"
            zf.writestr(name, f"X = {i}\n" * 20)
    with zipfile.ZipFile(z) as zf:
        zf.extractall(folder)
    return z, folder


def real_bundle() -> Path | None:
    """The `good` real-wheel bundle zip (fixtures/realwheels.py): azure-ai-agentserver-responses + azure-identity."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    try:
        from fixtures import realwheels
    except ImportError:
        return None
    try:
        path: Path = realwheels.bundle_zip("good")
    except Exception as e:
        print(f"real bundle unavailable ({e}); run with network to include it", file=sys.stderr)
        return None
    return path


def median_time(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument(
        "--no-network", action="store_true", help="skip the bundle of real wheels (built from PyPI once, then cached)"
    )
    args = ap.parse_args()
    agentzip = [PY, "-m", "agentzip"]
    with tempfile.TemporaryDirectory() as tmp:
        z, folder = build_inputs(Path(tmp), args.entries)
        rows = []
        floor = median_time(
            [PY, "-c", "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).infolist()", str(z)], args.repeat
        )
        ours = median_time([*agentzip, "check", str(z), "--format", "json"], args.repeat)
        rows.append((f"check zip ({args.entries:,} entries) / zipfile.infolist", ours, floor, 3.0))
        floor_walk = median_time(
            [
                PY,
                "-c",
                "import os,sys; [os.stat(os.path.join(d,f)) for d,_,fs in os.walk(sys.argv[1]) for f in fs]",
                str(folder),
            ],
            args.repeat,
        )
        ours_f = median_time([*agentzip, "check", str(folder)], args.repeat)
        rows.append((f"check folder ({args.entries:,} files) / os.walk+stat", ours_f, floor_walk, None))
        real = real_bundle() if not args.no_network else None
        if real is not None:
            head64 = "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); [z.open(i).read(64) for i in z.infolist()]"
            floor_real = median_time([PY, "-c", head64, str(real)], args.repeat)
            ours_real = median_time([*agentzip, "check", str(real), "--format", "json"], args.repeat)
            rows.append(("check real bundle (72 dists) / infolist + 64 B of each", ours_real, floor_real, 3.0))
        floor_py = median_time([PY, "-c", "pass"], args.repeat)
        version = median_time([*agentzip, "--version"], args.repeat)
        print(f"{'measure':60} {'agentzip':>9} {'floor':>9} {'ratio':>6}  budget")
        for name, a, b, budget in rows:
            ok = "" if budget is None else ("ok" if a / b <= budget else "OVER") + f" (<= {budget}x)"
            print(f"{name:60} {a * 1000:8.0f}ms {b * 1000:8.0f}ms {a / b:6.2f}  {ok}")
        extra = (version - floor_py) * 1000
        print(
            f"{'agentzip --version minus python -c pass':60} {version * 1000:8.0f}ms {floor_py * 1000:8.0f}ms {extra:5.0f}ms  {'ok' if extra <= 100 else 'OVER'} (<= 100 ms)"
        )
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, median of {args.repeat}")


if __name__ == "__main__":
    main()
