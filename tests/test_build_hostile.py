"""build reads .agentignore as check does: bounded, regular files only, no catastrophic patterns."""

from __future__ import annotations

import os
import time
from pathlib import Path

from agentzip.builder import staging
from tests.conftest import write_folder


def test_a_backtracking_ignore_pattern_against_a_deep_path_ends_fast(tmp_path: Path) -> None:
    deep = "/".join(["a" * 3] * 40)
    src = write_folder(
        tmp_path / "src", {"main.py": "x = 1\n", f"{deep}/x.txt": "x", ".agentignore": "*a*a*a*a*a*a*a*b\n"}
    )
    start = time.process_time()
    staged = staging.stage(src)
    assert time.process_time() - start < 2.0
    assert {m.name for m in staged.members} >= {"main.py", f"{deep}/x.txt"}


def test_a_fifo_named_agentignore_does_not_block(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "src", {"main.py": "x = 1\n"})
    os.mkfifo(src / ".agentignore")
    staged = staging.stage(src)
    assert "main.py" in {m.name for m in staged.members}


def test_a_lone_backslash_line_is_left_out_not_raised(tmp_path: Path) -> None:
    src = write_folder(tmp_path / "src", {"main.py": "x = 1\n", "notes.txt": "n", ".agentignore": "\\\nnotes.txt\n"})
    staged = staging.stage(src)
    names = {m.name for m in staged.members}
    assert "main.py" in names and "notes.txt" not in names
