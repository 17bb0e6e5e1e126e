"""`agentzip check PATH...` (the pre-commit hook's command line) skips click and answers exactly as click would."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentzip.cli.check import check as check_command
from agentzip.cli.checkrun import NO_SETTINGS, is_plain, run_check
from agentzip.cli.common import DEFINITION_FLAGS, TARGET_FLAGS

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "examples" / "good-agent"
BROKEN = ROOT / "examples" / "broken-agent.zip"


def agentzip(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[int, str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "agentzip", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )
    return out.returncode, out.stdout, out.stderr


@pytest.mark.parametrize(
    ("args", "plain"),
    [
        (["check"], True),
        (["check", "a.zip", "b"], True),
        (["check", "--format", "json", "a.zip"], False),
        (["check", "a.zip", "-o", "r.txt"], False),
        (["check", "--", "-odd-name"], False),
        (["check", "-h"], False),
        (["explain", "a.zip"], False),
        ([], False),
    ],
)
def test_only_paths_take_the_fast_path(args: list[str], plain: bool) -> None:
    assert is_plain(args) is plain


def test_the_fast_path_never_imports_click() -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['agentzip', 'check', {str(GOOD)!r}]\n"
        "from agentzip.entry import run\n"
        "try:\n    run()\n"
        "except SystemExit as e:\n"
        "    print('exit', e.code, sorted(m for m in sys.modules if m.split('.')[0] == 'click'), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert out.stderr.strip().splitlines()[-1] == "exit 0 []", out.stderr
    assert "no problems found" in out.stdout


@pytest.mark.parametrize(
    ("paths", "status"),
    [
        ([str(GOOD)], 0),  # clean
        ([str(BROKEN)], 1),  # findings
        ([str(GOOD), str(BROKEN)], 1),  # several reports
        (["no-such-agent.zip"], 2),  # usage error: one line on stderr
    ],
    ids=["clean", "findings", "two-paths", "missing"],
)
@pytest.mark.parametrize("color", ["", "1"], ids=["plain", "force-color"])
def test_fast_path_answers_as_click_does(paths: list[str], status: int, color: str) -> None:
    env = {"FORCE_COLOR": color, "NO_COLOR": "", "COLUMNS": "100"}
    fast = agentzip("check", *paths, env=env)
    # `--format text` is the default: the same command line, parsed by click
    slow = agentzip("check", *paths, "--format", "text", env=env)
    assert fast == slow
    assert fast[0] == status, fast


def test_no_path_checks_the_current_folder_either_way() -> None:
    assert agentzip("check", cwd=GOOD) == agentzip("check", "--format", "text", cwd=GOOD)


def test_run_check_defaults_are_the_commands_defaults() -> None:
    """One set of defaults: the fast path passes none, so run_check's must be what click hands it."""
    parsed = check_command.make_context("check", []).params  # every option at click's default
    folded = set(TARGET_FLAGS) | set(DEFINITION_FLAGS)
    own = inspect.signature(run_check).parameters
    assert {k: parsed[k] for k in folded} == dict(NO_SETTINGS)
    rest = {k: v for k, v in parsed.items() if k not in folded and k != "paths"}
    assert rest == {k: own[k].default for k in rest}
    assert set(own) == {*rest, "paths", "settings"}


def test_the_fast_path_runs_the_check_with_the_collector_on_and_the_imports_frozen() -> None:
    # in a child: the freeze is process-wide, and this test process must keep its own collector
    code = (
        "import gc, sys\n"
        "from agentzip.cli import checkrun\n"
        "seen = []\n"
        "checkrun.run_check = lambda paths: seen.append((gc.isenabled(), gc.get_freeze_count())) or sys.exit(0)\n"
        "try:\n"
        "    checkrun.quick(['check', '.'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "enabled, frozen = seen[0]\n"
        "assert enabled and frozen > 10_000 and 'agentzip.rules.imports' in sys.modules, seen\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
