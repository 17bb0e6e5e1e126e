"""The benchmark still runs: tiny inputs, one repetition, no network (its numbers are not checked here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"


def test_bench_prints_its_table() -> None:
    cmd = [sys.executable, str(BENCH), "--entries", "50", "--repeat", "1", "--no-network", "--via-module", "--here"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode in (0, 1), out.stderr  # 1: a case over its target on a loaded machine
    rows = out.stdout.splitlines()
    assert rows[0].startswith("case")
    names = [r.split("  ")[0] for r in rows[1:-1]]
    assert names == [
        "check small folder",
        "agentzip --version",
        "(ref) the imports a check needs",
        "check zip, 50 entries",
    ]
    assert all("python -c pass" in r or "infolist" in r for r in rows[1:-1])


def test_bench_profiles_one_case_in_process() -> None:
    cmd = [sys.executable, str(BENCH), "--profile", "zip", "--entries", "50"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=True)
    assert "Ordered by: internal time" in out.stdout and "directory.py" in out.stdout
