"""Config files: discovery by walking up, strict validation with suggestions, and flags winning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentzip import api
from agentzip.cli import main
from agentzip.errors import UsageError
from agentzip.validator.config import find, load, parse_size
from tests.conftest import write_folder

AGENT: dict[str, bytes | str] = {
    "main.py": "print('hi')\n",
    "requirements.txt": "requests==2.32.3\n",
    ".DS_Store": b"\0",
}


def repo(tmp_path: Path, pyproject: str | None = None, agentzip_toml: str | None = None) -> Path:
    root = tmp_path / "repo"
    write_folder(root / "agent", AGENT)
    (root / ".git").mkdir()
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    if agentzip_toml is not None:
        (root / "agentzip.toml").write_text(agentzip_toml, encoding="utf-8")
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_found_by_walking_up_and_applied(tmp_path: Path) -> None:
    root = repo(
        tmp_path, pyproject='[project]\nname = "x"\n\n[tool.agentzip]\nruntime = "python_3_14"\nfail-on = "warning"\n'
    )
    assert find(root / "agent") == root / "pyproject.toml"
    (report,) = api.check_all(root / "agent")
    assert report.target["runtime"] == "python_3_14"
    assert report.failed  # the junk-file warning reaches fail-on = warning
    assert any(n.startswith("config: ") for n in report.notes)
    code, _ = run("check", str(root / "agent"))
    assert code == 1
    code, _ = run("check", str(root / "agent"), "--fail-on", "error")  # flags override files
    assert code == 0


def test_agentzip_toml_wins_and_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    root = repo(tmp_path, pyproject='[project]\nname = "x"\n', agentzip_toml='ignore = ["junk-file"]\n')
    (root / "agent" / "pyproject.toml").write_text('[project]\nname = "agent"\n', encoding="utf-8")
    assert find(root / "agent") == root / "agentzip.toml"
    (report,) = api.check_all(root / "agent")
    assert not [f for f in report.findings if f.rule == "junk-file"]


def test_no_config_and_explicit_config(tmp_path: Path) -> None:
    root = repo(tmp_path, agentzip_toml='ignore = ["junk-file"]\n')
    assert load(root / "agent", no_config=True).ignore is None
    other = tmp_path / "ci.toml"
    other.write_text('select = ["AZ1"]\n', encoding="utf-8")
    assert load(root / "agent", config=other).select == ["AZ1"]
    (report,) = api.check_all(root / "agent", no_config=True)
    assert [f.rule for f in report.findings] == ["junk-file"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('slect = ["AZ1"]', "unknown key 'slect'; did you mean 'select'?"),
        ('entry_point = "main.py"', "did you mean 'entry-point'?"),
        ('fail_on = "warning"', "did you mean 'fail-on'?"),
        ('runtime = "python_3_12"', "runtime = 'python_3_12' is not valid; did you mean 'python_3_13'?"),
        ('mode = "bundle"', "did you mean 'bundled'?"),
        ('select = ["AZ999"]', "no rule matches 'AZ999'"),
        ('ignore = ["junk-files"]', "did you mean 'junk-file'?"),
        ('size-limit = "lots"', "size-limit"),
        ('glibc-floor = "two"', "glibc-floor"),
        ('per-path-ignores = ["x"]', "per-path-ignores must be a table"),
        ('fail-on = "fatal"', "fail-on = 'fatal' is not valid"),
    ],
)
def test_bad_config_exits_2_naming_the_file(tmp_path: Path, table: str, message: str) -> None:
    root = repo(tmp_path, pyproject=f"[tool.agentzip]\n{table}\n")
    code, out = run("check", str(root / "agent"))
    assert code == 2, out
    assert "pyproject.toml [tool.agentzip]" in out and message in out, out
    assert "Traceback" not in out


def test_broken_toml_is_a_usage_error(tmp_path: Path) -> None:
    root = repo(tmp_path, agentzip_toml="select = [\n")
    with pytest.raises(UsageError, match=r"agentzip\.toml: not valid TOML"):
        api.check_all(root / "agent")


def test_every_key(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        agentzip_toml="\n".join(
            [
                'runtime = "python_3_14"',
                'mode = "bundled"',
                'entry-point = "app.py"',
                'glibc-floor = "2.28"',
                'select = ["AZ1", "AZ6"]',
                'ignore = "AZ105"',
                'per-path-ignores = {".DS_Store" = ["junk-file"]}',
                'fail-on = "info"',
                'size-limit = "100MiB"',
            ]
        ),
    )
    cfg = load(root / "agent")
    assert (cfg.runtime, cfg.mode, cfg.entry_point, cfg.glibc_floor) == ("python_3_14", "bundled", "app.py", (2, 28))
    assert (cfg.select, cfg.ignore, cfg.fail_on, cfg.size_limit) == (["AZ1", "AZ6"], ["AZ105"], "info", 100 * 2**20)
    (report,) = api.check_all(root / "agent", with_sha256=False)
    assert report.target["entry_point"] == ["python", "app.py"]
    assert "junk-file" not in [f.rule for f in report.findings]  # per-path ignore
    doc = json.loads(run("check", str(root / "agent"), "--format", "json", "--select", "AZ6")[1])
    assert [
        f["rule"] for f in doc["findings"]
    ] == []  # --select replaced the file's select; .DS_Store still ignored there


@pytest.mark.parametrize(
    ("text", "n"), [(262144000, 262144000), ("250MiB", 262144000), ("200 MB", 200_000_000), ("1.5GB", 1_500_000_000)]
)
def test_parse_size(text: str | int, n: int) -> None:
    assert parse_size(text) == n


# -- one CheckRequest: keyword arguments and the object are the same request -----------------------


def test_keywords_and_a_check_request_give_the_same_report(tmp_path: Path) -> None:
    from agentzip.settings import CheckRequest

    root = repo(tmp_path, agentzip_toml='runtime = "python_3_14"\n')
    kw = {"mode": "remote_build", "select": ["AZ6"], "fail_on": "warning", "with_sha256": False}
    by_keywords = api.check(root / "agent", **kw)
    request = CheckRequest.make(**kw)
    assert request.select == ("AZ6",)  # lists become tuples: a request is safe to share
    by_request = api.check(root / "agent", request)
    assert by_keywords == by_request
    assert by_request.failed and [f.rule for f in by_request.findings] == ["junk-file"]
    # keywords next to a request change that setting only; the request itself is untouched
    changed = api.check(root / "agent", request, fail_on="error")
    assert not changed.failed and request.fail_on == "warning"


def test_a_check_request_is_frozen_and_names_its_settings() -> None:
    from agentzip.settings import CheckRequest

    request = CheckRequest.make(per_path_ignores={"tests/*": ["AZ4"]})
    with pytest.raises(AttributeError):
        request.runtime = "python_3_14"  # type: ignore[misc]
    with pytest.raises(TypeError, match="glibc"):
        request.with_(glibc="2.28")
    with pytest.raises(TypeError):
        request.per_path_ignores["x"] = ("AZ1",)  # type: ignore[index]
    with pytest.raises(TypeError, match="glibc"):
        CheckRequest.make(glibc="2.28")
    with pytest.raises(TypeError):
        api.check(".", runtme="python_3_14")


def test_contexts_say_where_each_setting_came_from(tmp_path: Path) -> None:
    root = repo(tmp_path, agentzip_toml='mode = "bundled"\n')
    (settled,) = api.contexts(root / "agent", runtime="python_3_14")
    assert dict(settled.sources) == {
        "runtime": "flag",
        "mode": "config",
        "entry_point": "inferred",
        "glibc_floor": "default",
    }
    assert settled.context.target.inferred == ("entry_point",)
    ctx, cfg = settled  # the pair contexts() yielded before it said where settings came from
    assert ctx is settled.context and cfg.mode == "bundled"
    (built,) = api.contexts(root / "agent", defaults={"entry_point": "main.py"})
    assert built.sources["entry_point"] == "default" and built.context.target.entry_point == ("python", "main.py")
