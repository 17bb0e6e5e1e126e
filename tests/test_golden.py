"""Golden output: the whole `agentzip check` text report of a few real bundles, byte for byte.

A change to a message, a hint, the order or the summary shows up here as a diff a reviewer can
read. After an intended change, refresh the files and review them like code:

    AGENTZIP_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentzip.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_ENV = "AGENTZIP_UPDATE_GOLDEN"
# What a person reading a plain terminal gets: no colour, a fixed width.
ENV = {"NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
PINNED = ["--mode", "bundled", "--runtime", "python_3_13"]


def _example() -> Path:
    return ROOT / "examples" / "broken-agent.zip"


def _realwheels(name: str) -> Callable[[], Path]:
    def make() -> Path:
        realwheels = pytest.importorskip(
            "fixtures.realwheels", reason="the real-wheel recipes are not in this checkout"
        )
        path: Path = realwheels.bundle_zip(name)
        return path

    return make


CASES = [
    pytest.param("broken-agent", _example, [], id="broken-agent"),
    # The recipes pin their resolution (--exclude-newer), so the report of each is stable.
    pytest.param("realwheels-good", _realwheels("good"), PINNED, id="realwheels-good", marks=pytest.mark.network),
    pytest.param(
        "realwheels-win-amd64", _realwheels("win-amd64"), PINNED, id="realwheels-win-amd64", marks=pytest.mark.network
    ),
]


def render(bundle: Path, args: list[str]) -> str:
    """The report as the CLI prints it, with the bundle's varying location replaced by <bundle>."""
    result = CliRunner().invoke(main, ["check", str(bundle), "--no-color", *args], env=ENV)
    text = result.stdout.replace(str(bundle), "<bundle>").replace(str(bundle.parent), "<dir>")
    return f"{text}[exit {result.exit_code}]\n"


@pytest.mark.parametrize(("name", "make", "args"), CASES)
def test_check_text_report_matches_golden(name: str, make: Callable[[], Path], args: list[str]) -> None:
    actual = render(make(), args)
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get(UPDATE_ENV):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"{golden} is missing: run with {UPDATE_ENV}=1 to write it, then review it"
    expected = golden.read_text(encoding="utf-8")
    assert actual == expected, f"the report differs from {golden.name}; if intended, refresh with {UPDATE_ENV}=1"


def test_render_normalizes_the_location(tmp_path: Path) -> None:
    """Golden files never hold a temporary path: the same bundle elsewhere gives the same text."""
    copy = tmp_path / "deep" / "agent.zip"
    copy.parent.mkdir()
    copy.write_bytes(_example().read_bytes())
    text = render(copy, [])
    assert str(tmp_path) not in text and "<bundle> (zip)" in text
    assert text == render(_example(), [])
