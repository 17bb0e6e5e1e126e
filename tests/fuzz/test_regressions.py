"""Minimized inputs the fuzz runs found, kept as explicit tests."""

from __future__ import annotations

import time
from pathlib import Path

from tests.fuzz.folders import write
from tests.fuzz.runner import invoke

AGENT = {"main.py": b"import yaml\n", "requirements.txt": b"pyyaml\n"}


def _timed(*args: str, stdin: str | None = None) -> float:
    """CPU seconds of one in-process run: other jobs on a loaded machine do not count."""
    start = time.process_time()
    invoke(*args, stdin=stdin)
    return time.process_time() - start


def test_one_long_requirements_line_is_linear(tmp_path: Path) -> None:
    # shlex.split was quadratic: a 1 MB line took 62 s
    root = write(tmp_path / "agent", {**AGENT, "requirements.txt": b"x" * 1_000_000 + b"\n"}, [])
    assert _timed("check", str(root)) < 2.0


def test_a_log_with_many_distinct_modules_is_capped(tmp_path: Path) -> None:
    # every distinct module was explained: 2,000 names took 16 s
    root = write(tmp_path / "agent", AGENT, [])
    log = "\n".join(f"ModuleNotFoundError: No module named 'm{i}'" for i in range(2000))
    assert _timed("explain", str(root), "--log", "-", stdin=log) < 2.0


def test_a_fifo_named_like_every_file_a_check_reads(tmp_path: Path) -> None:
    root = write(tmp_path / "agent", {"main.py": b"import yaml\n"}, ["requirements.txt", "x.py", "METADATA", "y.whl"])
    code, out = invoke("check", str(root))
    assert code == 1 and out.count("special-file") == 1 and "y.whl" in out


def test_a_zip_whose_only_entry_points_past_the_end(tmp_path: Path) -> None:
    from tests.fuzz.zips import Member, build

    m = Member(b"main.py", b"import os\n", 8, 0, b"", 0, 0, 10**6, 0)
    (tmp_path / "a.zip").write_bytes(build([m], 1000, -22, b"", b""))
    code, out = invoke("check", str(tmp_path / "a.zip"))
    assert code == 1 and "AZ0" in out
