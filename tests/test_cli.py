"""The command line as users and tools call it: exit codes, formats, selection, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentzip import __version__
from agentzip.cli import main
from tests.conftest import write_folder, zip_of

GOOD = {"main.py": "print('hi')\n", "requirements.txt": "requests==2.32.3\n"}
WRAPPED = {"my-agent/main.py": "print('hi')\n", "my-agent/requirements.txt": ""}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_clean_zip_exits_0(tmp_path: Path) -> None:
    z = tmp_path / "agent.zip"
    z.write_bytes(zip_of(GOOD))
    code, out = run("check", str(z))
    assert code == 0, out
    assert "no problems found" in out


def test_wrapper_folder_exits_1_with_the_rezip_command(tmp_path: Path) -> None:
    z = tmp_path / "agent.zip"
    z.write_bytes(zip_of(WRAPPED))
    code, out = run("check", str(z))
    assert code == 1
    assert "AZ101 wrapper-folder (error)" in out
    assert "cd my-agent && zip -r ../agent.zip ." in out


def test_json_contract(tmp_path: Path) -> None:
    import hashlib

    z = tmp_path / "agent.zip"
    z.write_bytes(zip_of(WRAPPED))
    code, out = run("check", str(z), "--format", "json", "--runtime", "python_3_13", "--mode", "remote_build")
    doc = json.loads(out)
    assert code == 1
    assert set(doc) == {"agentzip", "schema", "input", "target", "findings", "summary"}
    assert doc["agentzip"] == __version__ and doc["schema"] == 1
    assert doc["input"] == {
        "path": str(z),
        "kind": "zip",
        "bytes": z.stat().st_size,
        "sha256": hashlib.sha256(z.read_bytes()).hexdigest(),
    }
    assert doc["target"] == {"runtime": "python_3_13", "mode": "remote_build", "entry_point": ["python", "main.py"]}
    (f,) = doc["findings"]
    assert {k: f[k] for k in ("code", "rule", "severity", "path")} == {
        "code": "AZ101",
        "rule": "wrapper-folder",
        "severity": "error",
        "path": "my-agent/",
    }
    assert f["message"] and f["hint"]
    assert doc["summary"] == {"error": 1, "warning": 0, "info": 0}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--select", "AZ1"], 1),
        (["--ignore", "wrapper-folder"], 0),
        (["--ignore", "AZ101,AZ6"], 0),
        (["--select", "junk-file"], 0),
    ],
)
def test_select_and_ignore(tmp_path: Path, args: list[str], expected: int) -> None:
    z = tmp_path / "agent.zip"
    z.write_bytes(zip_of(WRAPPED))
    assert run("check", str(z), *args)[0] == expected


def test_fail_on_warning(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "a", {**GOOD, ".DS_Store": b"\0"})
    assert run("check", str(folder))[0] == 0
    assert run("check", str(folder), "--fail-on", "warning")[0] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["check", "/nonexistent/agent.zip"],
        ["check", ".", "--select", "AZ999"],
        ["check", ".", "--select", "no-such-rule"],
        ["check", ".", "--glibc", "two"],
        ["check", ".", "--runtime", "python_3_11"],
        ["rules", "nope"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    code, out = run(*args)
    assert code == 2, out
    assert "Traceback" not in out


@pytest.mark.parametrize("content", [b"", b"this is not a zip\n", zip_of(GOOD)[:-30]])
def test_corrupt_zip_is_a_finding_not_a_traceback(tmp_path: Path, content: bytes) -> None:
    z = tmp_path / "agent.zip"
    z.write_bytes(content)
    code, out = run("check", str(z))
    assert code == 1, out
    assert "corrupt-archive" in out and "Traceback" not in out


def test_rules_lists_the_catalogue_and_one_rule() -> None:
    code, out = run("rules")
    assert code == 0 and "AZ101  wrapper-folder" in out
    code, out = run("rules", "raw-wheel" if "raw-wheel" in out else "wrapper-folder")
    assert code == 0 and "How to fix" in out


def test_output_file(tmp_path: Path) -> None:
    z = tmp_path / "agent.zip"
    z.write_bytes(zip_of(GOOD))
    out_file = tmp_path / "report.json"
    code, out = run("check", str(z), "--format", "json", "--output", str(out_file))
    assert code == 0 and out == ""
    assert json.loads(out_file.read_text())["findings"] == []


def test_version_in_a_subprocess() -> None:
    out = subprocess.run([sys.executable, "-m", "agentzip", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"agentzip, version {__version__}"


def test_docs_rules_md_is_fresh() -> None:
    from agentzip.docs import markdown

    path = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
    assert path.read_text(encoding="utf-8") == markdown(), (
        "docs/rules.md is stale: run `agentzip rules --format markdown > docs/rules.md`"
    )


def test_every_rule_has_full_docs() -> None:
    from agentzip.api import load_rules
    from agentzip.validator.registry import all_rules

    load_rules()
    assert len(all_rules()) > 40
    for r in all_rules():
        for section in ("## What it does", "## Why is this bad", "## Example", "## How to fix"):
            assert section in r.docs, (r.code, section)


def test_readme_rule_table_is_fresh() -> None:
    from agentzip.docs import readme_with_table

    path = Path(__file__).resolve().parent.parent / "README.md"
    text = path.read_text(encoding="utf-8")
    assert text == readme_with_table(text), "README's rule table is stale: run `python -m agentzip.docs`"


def test_readme_starts_with_the_two_commands() -> None:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = text.split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    assert "agentzip check examples/" in block[0]
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert block[1] in ci.splitlines()  # CI runs the README's test command, as written


# -- one exit-code policy: 0 ok, 1 findings, 2 usage, 3 internal error, 130 Ctrl-C ----------------


def _crash(*_args: object, **_kw: object) -> object:
    raise RuntimeError("the disk said no")


def _interrupt(*_args: object, **_kw: object) -> object:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("function", "args", "where"),
    [
        ("check_all", ["check", "."], "check"),
        ("explain", ["explain", ".", "--module", "yaml"], "explain"),
    ],
)
def test_an_internal_error_is_one_line_and_exit_3(
    monkeypatch: pytest.MonkeyPatch, function: str, args: list[str], where: str
) -> None:
    from agentzip import api

    monkeypatch.setattr(api, function, _crash)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3, result.output
    assert result.stderr == (f"agentzip: internal error in {where}: RuntimeError: the disk said no; please report it\n")
    assert result.stdout == ""


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from agentzip import api

    monkeypatch.setattr(api, "check_all", _crash)
    result = CliRunner().invoke(main, ["--debug", "check", "."])
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr and "_crash" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("agentzip: internal error in check: RuntimeError")


def test_an_internal_error_in_build_exits_3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from agentzip.builder import settings

    monkeypatch.setattr(settings, "resolve", _crash)
    result = CliRunner().invoke(main, ["build", str(tmp_path)])
    assert result.exit_code == 3 and "internal error in build: RuntimeError" in result.stderr


def test_ctrl_c_exits_130_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    from agentzip import api

    monkeypatch.setattr(api, "check_all", _interrupt)
    result = CliRunner().invoke(main, ["check", "."])
    assert result.exit_code == 130
    assert result.output == ""


@pytest.mark.parametrize("command", ["check", "explain", "build", "size", "rules"])
def test_every_command_documents_its_exit_status(command: str) -> None:
    code, out = run(command, "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "Exit status: 0 ok;" in text and "2 usage error" in text and "3 internal error" in text
    assert "130 interrupted" in text


def test_check_without_selectors_loads_no_rule_before_the_input_is_known(tmp_path: Path) -> None:
    """A missing input fails fast: no rule module is imported to validate selectors nobody gave."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from agentzip.cli import main\n"
        "r = CliRunner().invoke(main, ['check', sys.argv[1]])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('agentzip.rules'))\n"
        "print(r.exit_code, loaded)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "missing.zip")], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "2 []"
