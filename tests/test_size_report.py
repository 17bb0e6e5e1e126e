"""`agentzip size` and `check --size-report`: sorted bars, zipped and unzipped, headroom to the limit."""

from __future__ import annotations

import os
import random
from pathlib import Path

from click.testing import CliRunner

from agentzip.cli import main
from agentzip.sizereport import measure_path, render
from tests.conftest import write_folder


def _noise(n: int) -> bytes:
    return random.Random(n).randbytes(n)


def agent(tmp_path: Path) -> Path:
    return write_folder(
        tmp_path / "agent",
        {
            "main.py": "print('hi')\n",
            "requirements.txt": "numpy\n",
            "packages/numpy/core.so": _noise(300_000),
            "packages/numpy/readme.txt": "x" * 400_000,  # compresses to almost nothing
            "packages/numpy-2.0.dist-info/METADATA": "Name: numpy\n",
            "packages/requests/api.py": _noise(50_000),
            "data/model.bin": _noise(120_000),
        },
    )


def test_measure_groups_by_distribution_sorted_by_zipped_size(tmp_path: Path) -> None:
    b = measure_path(agent(tmp_path))
    names = [r.name for r in b.rows]
    assert names[:3] == ["packages/numpy", "data/", "packages/requests"]
    numpy = b.rows[0]
    assert numpy.files == 3 and numpy.unzipped > 700_000 and 300_000 <= numpy.zipped < 320_000
    assert b.total < b.unzipped and b.headroom == b.limit - b.total


def test_chart(tmp_path: Path) -> None:
    b = measure_path(agent(tmp_path))
    text = render(b, width=100, ascii=False, top=2)
    lines = text.splitlines()
    assert "of 250 MiB (262,144,000 bytes)" in lines[2] and "MiB headroom" in lines[2]
    rows = [line for line in lines if line.startswith("  packages/") or line.startswith("  data/") or "more)" in line]
    assert [r.split()[0] for r in rows] == ["packages/numpy", "data/", "(3"]
    numpy_bar = rows[0].rsplit("  ", 1)[-1]
    assert "█" in numpy_bar and "░" in numpy_bar  # zipped, then the extra once unzipped
    assert all(len(line) <= 100 for line in lines[1:])
    ascii_text = render(b, width=80, ascii=True)
    assert ascii_text.isascii() and "#" in ascii_text


def test_over_the_limit_says_by_how_much(tmp_path: Path) -> None:
    b = measure_path(agent(tmp_path), limit=100_000)
    assert "over the limit" in render(b, ascii=True).splitlines()[2]


def test_cli_size_and_check_size_report(tmp_path: Path) -> None:
    folder = agent(tmp_path)
    result = CliRunner().invoke(main, ["size", str(folder), "--ascii"])
    assert result.exit_code == 0 and "packages/numpy" in result.output
    result = CliRunner().invoke(main, ["check", str(folder), "--size-report", "--no-config"])
    assert "packages/numpy" in result.output and "headroom" in result.output
    result = CliRunner().invoke(main, ["size", os.fspath(tmp_path / "nope")])
    assert result.exit_code == 2
