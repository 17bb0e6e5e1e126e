"""Hostile folders, configs and definitions: each ends fast with a clear finding or a usage error (exit 2)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentzip import api
from agentzip.cli import main
from tests.conftest import write_folder

AGENT = {"main.py": "print('hi')\n", "requirements.txt": "requests\n"}
CODE = "    codeConfiguration: {runtime: python_3_13, entryPoint: main.py, dependencyResolution: remote_build}\n"


def run(*args: str, budget: float = 5.0) -> tuple[int, str]:
    """The CLI in process: exit code and output, within a time budget, never an escaped exception."""
    start = time.monotonic()
    result = CliRunner().invoke(main, list(args))
    assert time.monotonic() - start < budget, f"took {time.monotonic() - start:.1f} s"
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def azure_yaml(root: Path, text: str) -> Path:
    write_folder(root / "src", AGENT)
    (root / ".git").mkdir()
    (root / "azure.yaml").write_bytes(text.encode() if isinstance(text, str) else text)
    return root


# -- special files and symlink loops ------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.parametrize("name", ["requirements.txt", "main.py", "x.py", "pkg/METADATA", "x.whl", ".agentignore"])
def test_a_fifo_is_a_finding_and_never_opened(tmp_path: Path, name: str) -> None:
    root = write_folder(tmp_path / "agent", {"main.py": "print(1)\n", "requirements.txt": "requests\n", "pkg/a.py": ""})
    (root / name).unlink(missing_ok=True)
    os.mkfifo(root / name)
    code, out = run("check", str(root))
    assert code == 1
    if name == ".agentignore":
        assert "agentignore-line-skipped" in out and "not a regular file" in out
    else:
        assert "special-file" in out and name in out


def test_a_regular_folder_has_no_special_file_finding(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "agent", AGENT)
    codes = {f.rule for f in api.check(root).findings}
    assert "special-file" not in codes and "agentignore-line-skipped" not in codes


def test_a_symlink_loop_as_path_is_a_usage_error(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    code, out = run("check", str(loop))
    assert code == 2 and "symlink loop" in out


def test_a_symlink_loop_inside_the_folder_is_not_followed(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "agent", AGENT)
    (root / "a").symlink_to(root / "b")
    (root / "b").symlink_to(root / "a")
    (root / "self").symlink_to(root)
    code, _ = run("check", str(root))
    assert code in (0, 1)


# -- .agentignore -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("\\", "not a valid gitignore pattern"),
        ("a/**/b/**/c/**/d/**/e", "more than 2 inner '**'"),
        ("x" * 1_000_000, "longer than 1024"),
    ],
)
def test_agentignore_lines_that_cannot_be_used_are_findings(tmp_path: Path, line: str, why: str) -> None:
    deep = "/".join(["a" * 40] * 40) + "/x.py"
    root = write_folder(tmp_path / "agent", {**AGENT, deep: "", ".agentignore": f"*.log\n{line}\n"})
    code, out = run("check", str(root), budget=3.0)
    assert code == 0 and "agentignore-line-skipped" in out and why in " ".join(out.split())  # the text wraps


def test_agentignore_many_stars_are_matched_in_linear_time(tmp_path: Path) -> None:
    deep = "/".join(["a" * 40] * 40) + "/x.py"
    files = {**AGENT, deep: "", "x/aaaaaaab": "", ".agentignore": "*a*a*a*a*a*a*a*b\n"}
    root = write_folder(tmp_path / "agent", files)
    report = api.check(root)
    assert any("1 path(s) left out" in n for n in report.notes)
    assert not any(f.rule == "agentignore-line-skipped" for f in report.findings)


def test_agentignore_normal_patterns_still_apply(tmp_path: Path) -> None:
    root = write_folder(
        tmp_path / "agent", {**AGENT, "a.log": "", "keep.log": "", ".agentignore": "*.log\n!keep.log\n"}
    )
    report = api.check(root)
    assert any("1 path(s) left out" in n for n in report.notes)
    assert not any(f.rule == "agentignore-line-skipped" for f in report.findings)


# -- config files -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("pyproject.toml", b"[tool.agentzip]\nmode = '\xff\xfe'\n", "not UTF-8"),
        ("agentzip.toml", b"a = " + b"[" * 1200 + b"]" * 1200 + b"\n", "nested too deeply"),
        ("agentzip.toml", b"size-limit = " + b"9" * 310 + b"\n", "larger than any zip"),
        ("agentzip.toml", b"size-limit = '" + b"9" * 310 + b"MB'\n", "not a size"),
        ("agentzip.toml", b"size-limit = 1e999\n", "not a size"),
        ("agentzip.toml", b"size-limit = nan\n", "not a size"),
    ],
)
def test_hostile_config_is_a_usage_error(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    root = write_folder(tmp_path / "agent", AGENT)
    (root / name).write_bytes(content)
    code, out = run("check", str(root))
    # found while searching upward, a broken pyproject.toml is an error as a broken agentzip.toml is
    assert code == 2 and message in out, out
    code, out = run("check", str(root), "--config", str(root / name))
    assert code == 2 and message in out


# -- definition files ----------------------------------------------------------------------------------

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (LAUGHS + "services: {}\n", "aliases"),
        ("services:\n  a: " + "[" * 1200 + "]" * 1200 + "\n", "nest"),
        ("name: " + "x" * (2 << 20) + "\nservices: {}\n", "more than the"),
        ('services:\n  my-agent:\n    host: azure.ai.agent\n    project: "src\\0x"\n' + CODE, "NUL"),
        ("services:\n  my-agent:\n    host: azure.ai.agent\n    project: " + "a" * 5000 + "\n" + CODE, "longer than"),
        (b"services:\n  a: '\xff'\n".decode("latin-1"), "not UTF-8"),
    ],
)
def test_hostile_azure_yaml_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    root = tmp_path / "repo"
    azure_yaml(root, "")
    (root / "azure.yaml").write_bytes(text.encode("latin-1") if "\xff" in text else text.encode())
    code, out = run("check", str(root))
    assert code == 2 and message in out


def test_yaml_nested_past_our_limit_but_within_libyaml_is_refused(tmp_path: Path) -> None:
    root = azure_yaml(tmp_path / "repo", "services:\n  a: " + "[" * 100 + "]" * 100 + "\n")
    code, out = run("check", str(root))
    assert code == 2 and "nested more than 64" in out


def test_deep_definition_json_is_a_usage_error(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "agent", AGENT)
    (root / "meta.json").write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, out = run("check", str(root), "--definition", str(root / "meta.json"))
    assert code == 2 and "nested too deeply" in out


def test_many_env_keys_are_read_in_linear_time(tmp_path: Path) -> None:
    env = "".join(f"      K{i}: v\n" for i in range(20_000))
    text = "services:\n  my-agent:\n    host: azure.ai.agent\n    project: src\n" + CODE + "    env:\n" + env
    root = azure_yaml(tmp_path / "repo", text)
    code, _ = run("check", str(root), budget=20.0)
    assert code in (0, 1)


# -- AZ702 on numbers that are not numbers ----------------------------------------------------------


@pytest.mark.parametrize("cpu", ["1e999", ".nan", "-.inf", "1e-999999999", "1" + "0" * 400, "500e99999999m"])
def test_absurd_cpu_is_an_invalid_resource_tier(tmp_path: Path, cpu: str) -> None:
    text = (
        "services:\n  my-agent:\n    host: azure.ai.agent\n    project: src\n"
        + CODE
        + f"    container: {{resources: {{cpu: {cpu}, memory: 2Gi}}}}\n"
    )
    root = azure_yaml(tmp_path / "repo", text)
    reports = api.check_all(root)
    hits = [f for r in reports for f in r.findings if f.rule in ("invalid-resource-tier", "internal-error")]
    assert [f.rule for f in hits] == ["invalid-resource-tier"], [f.message for f in hits]
