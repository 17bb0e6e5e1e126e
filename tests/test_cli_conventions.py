"""Where users meet the CLI: colour conventions, typos, help, several outputs, totals, config errors, completion."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentzip.cli import main
from tests.conftest import write_folder, zip_of

GOOD = {"main.py": "print('hi')\n", "requirements.txt": "requests==2.32.3\n"}
WRAPPED = {"my-agent/main.py": "print('hi')\n", "my-agent/requirements.txt": ""}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


# -- terminal conventions: NO_COLOR, FORCE_COLOR, TERM=dumb, --color wins ---------------------------


@pytest.mark.parametrize(
    ("env", "flags", "coloured"),
    [
        ({}, [], False),  # not a terminal
        ({"FORCE_COLOR": "1"}, [], True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False),  # NO_COLOR wins, as in CPython
        ({"FORCE_COLOR": "1"}, ["--no-color"], False),  # the flag wins over everything
        ({"NO_COLOR": "1"}, ["--color"], True),
        ({"TERM": "dumb"}, ["--color"], True),
        ({"NO_COLOR": ""}, [], False),  # empty means unset
    ],
)
def test_colour_follows_the_conventions(tmp_path: Path, env: dict[str, str], flags: list[str], coloured: bool) -> None:
    z = tmp_path / "agent.zip"
    z.write_bytes(zip_of(WRAPPED))
    base = {"NO_COLOR": None, "FORCE_COLOR": None, "TERM": "xterm"}
    for args in (["check", str(z), *flags], ["size", str(z), *flags], ["explain", str(z), "-m", "yaml", *flags]):
        result = CliRunner().invoke(main, args, env={**base, **env})
        assert ("\x1b[" in result.output) == coloured, (args, env, result.output)


class _Tty:
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False), ({"TERM": "dumb", "FORCE_COLOR": "1"}, True)],
)
def test_use_color_on_a_terminal(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: bool) -> None:
    from agentzip.terminal import use_color

    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert use_color(None, stream=_Tty()) is expected  # type: ignore[arg-type]
    assert use_color(None, stream=_Tty(), to_file=True) is False  # type: ignore[arg-type]


# -- "did you mean" for mistyped values -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "meant"),
    [
        (["check", ".", "--format", "jsn"], "'json'"),
        (["check", ".", "--runtime", "python_3_12"], "'python_3_13'"),
        (["check", ".", "--mode", "bundle"], "'bundled'"),
        (["check", ".", "--select", "raw-wheels"], "'raw-wheel'"),
        (["check", ".", "--ignore", "AZ2O5"], "'AZ205'"),
        (["check", ".", "--output", "sarfi=x.sarif"], "'sarif'"),
        (["explain", ".", "-m", "yaml", "--format", "jason"], "'json'"),
        (["size", ".", "--format", "jsno"], "'json'"),
        (["rules", "windows-binaries"], "'windows-binary'"),
        (["check", ".", "--fail-on", "warn"], "'warning'"),
        (["build", ".", "--mode", "bundeld"], "'bundled'"),
        (["build", ".", "--runtime", "python_3_31"], "'python_3_13'"),
        (["build", ".", "--installer", "pipx"], "'pip'"),
    ],
)
def test_mistyped_values_suggest_the_right_one(args: list[str], meant: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert f"did you mean {meant}?" in result.output


# -- help: examples, exit codes, a command list that is not cut off ---------------------------------------


@pytest.mark.parametrize("command", ["build", "check", "explain", "size", "rules"])
def test_every_command_shows_examples(command: str) -> None:
    code, out = run(command, "--help")
    assert code == 0 and "Examples:" in out and f"agentzip {command}" in out


def test_the_command_list_is_not_cut_off() -> None:
    code, out = run("--help")
    assert code == 0
    listing = out.split("Commands:", 1)[1].split("Exit status", 1)[0]
    rows = [line for line in listing.splitlines() if line.strip()]
    assert len(rows) >= 5 and not any(line.rstrip().endswith("...") for line in rows), rows


@pytest.mark.parametrize("command", ["check", "explain", "size", "rules"])
def test_format_is_described_in_help(command: str) -> None:
    import click

    cmd = main.get_command(click.Context(main), command)
    assert cmd is not None
    (fmt,) = [p for p in cmd.params if p.name == "fmt"]
    assert isinstance(fmt, click.Option) and fmt.help and "json" in fmt.help


# -- several outputs in one run, size as JSON, a grand total ---------------------------------------------


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    z = tmp_path / "agent.zip"
    z.write_bytes(zip_of(WRAPPED))
    sarif, junit, text = tmp_path / "a.sarif", tmp_path / "r.xml", tmp_path / "report.txt"
    args = ["check", str(z), "--output", f"sarif={sarif}", "--output", f"junit={junit}"]
    result = CliRunner().invoke(main, [*args, "--format", "text"], env={"FORCE_COLOR": "1"})
    assert result.exit_code == 1 and "AZ101 wrapper-folder" in result.output  # text still on stdout
    assert json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"][0]["ruleId"] == "AZ101"
    assert ET.fromstring(junit.read_text(encoding="utf-8")).get("failures") == "1"
    assert "\x1b[" not in sarif.read_text(encoding="utf-8")  # files are plain
    # plain -o FILE still means "the --format report to FILE"
    result = CliRunner().invoke(main, [*args, "-o", str(text), "--format", "json"])
    assert result.exit_code == 1 and result.output == ""
    assert json.loads(text.read_text(encoding="utf-8"))["findings"][0]["code"] == "AZ101"


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        (["-o", "a.txt", "-o", "b.txt"], "given 2 times"),
        (["--output", "json=a.json", "--output", "json=b.json"], "given twice"),
        (["--output", "json="], "name the file"),
    ],
)
def test_bad_outputs_are_usage_errors(tmp_path: Path, outputs: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path), *outputs])
    assert result.exit_code == 2 and message in result.output


def test_size_json_is_the_charts_data(tmp_path: Path) -> None:
    z = tmp_path / "agent.zip"
    z.write_bytes(zip_of({**GOOD, "data/blob.bin": "x" * 5000}))
    result = CliRunner().invoke(main, ["size", str(z), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["schema"] == 1 and len(doc["sizes"]) == 1
    (size,) = doc["sizes"]
    assert size["bytes"] == z.stat().st_size and size["limit"] == 262_144_000
    assert size["headroom"] == size["limit"] - size["bytes"]
    names = [c["name"] for c in size["contributors"]]
    assert names[0] == "data/" and set(names) == {"data/", "main.py", "requirements.txt"}


def test_several_paths_end_with_a_grand_total(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    good.write_bytes(zip_of(GOOD))
    bad.write_bytes(zip_of(WRAPPED))
    code, out = run("check", str(good), str(bad), str(bad))
    assert code == 1
    assert out.rstrip().splitlines()[-1] == "3 bundles: 2 errors (2 of them fail)"
    code, out = run("check", str(good), str(good))
    assert code == 0 and out.rstrip().splitlines()[-1] == "2 bundles: no problems found"
    code, out = run("check", str(good), str(bad), "--format", "github")
    assert out.rstrip().splitlines()[-1] == "agentzip: 2 bundles: 1 error (1 of them fails)"


# -- a broken pyproject.toml found while searching upward is an error, as a broken agentzip.toml is -------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[tool.agentzip\nmode = 'bundled'\n", "not valid TOML"),
        (b"[project]\nname = '\xff'\n", "not UTF-8"),
    ],
)
def test_broken_pyproject_above_the_input_is_a_usage_error(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "pyproject.toml").write_bytes(content)
    agent = write_folder(tmp_path / "src" / "agent", GOOD)
    code, out = run("check", str(agent))
    assert code == 2 and message in out and "--no-config" in out
    code, out = run("check", str(agent), "--no-config")
    assert code == 0, out


def test_shell_completion_as_documented(tmp_path: Path) -> None:
    """docs/workflow.md's completion line works: the script is emitted and choices complete."""
    import os

    script = Path(sys.executable).parent / "agentzip"
    if not script.is_file():
        pytest.skip("the agentzip console script is not installed beside this Python")
    env = {**os.environ, "_AGENTZIP_COMPLETE": "bash_source"}
    source = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert source.returncode == 0 and "_agentzip_completion" in source.stdout
    env.update(_AGENTZIP_COMPLETE="bash_complete", COMP_WORDS="agentzip check --format j", COMP_CWORD="3")
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["plain,json", "plain,junit"]
    docs = (Path(__file__).resolve().parent.parent / "docs" / "workflow.md").read_text(encoding="utf-8")
    assert '"$(_AGENTZIP_COMPLETE=bash_source agentzip)"' in docs
