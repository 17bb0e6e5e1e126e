"""SARIF (schema-valid, repository-relative), GitHub workflow commands (escaped) and JUnit (parseable)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentzip.cli import main
from agentzip.validator.findings import Finding, InputInfo, Report, Severity
from agentzip.validator.reporters import github, render_all, sarif
from tests.conftest import write_folder

ROOT = Path(__file__).resolve().parent.parent
# shared/ sits beside the repository (CI), or beside the folder of worktrees (development)
SCHEMA = next(
    (p for d in ROOT.parents[:2] if (p := d / "shared" / "schemas" / "sarif-schema-2.1.0.json").is_file()),
    ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json",
)

AZURE_YAML = """\
services:
  my-agent:
    host: azure.ai.agent
    project: src/my-agent
    codeConfiguration: {runtime: python_3_14, entryPoint: main.py, dependencyResolution: remote_build}
    container: {resources: {cpu: '1', memory: 3Gi}}
    env: {FOUNDRY_PROJECT_ENDPOINT: x}
"""


@pytest.fixture
def user_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    write_folder(root / "src" / "my-agent", {"main.py": "print(1)\n", ".DS_Store": b"\0"})
    (root / ".git").mkdir()
    (root / "azure.yaml").write_text(AZURE_YAML, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _sarif(args: list[str]) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["check", "--format", "sarif", *args], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_sarif_validates_against_the_schema(user_repo: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.is_file():
        pytest.skip(f"{SCHEMA} not found (the shared/ folder sits beside the repository in CI)")
    doc = _sarif([])
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(doc)


def test_sarif_locations_and_rules(user_repo: Path) -> None:
    doc = _sarif([])
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    ids = [r["id"] for r in driver["rules"]]
    assert "AZ702" in ids and "AZ101" in ids  # every registered rule, with docs
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) >= {"AZ702", "AZ704", "AZ601"}
    tier = by_rule["AZ702"]
    assert driver["rules"][tier["ruleIndex"]]["id"] == "AZ702"
    loc = tier["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "azure.yaml", "uriBaseId": "%SRCROOT%"}
    assert loc["region"]["startLine"] == 6
    junk = by_rule["AZ601"]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert junk["uri"] == "src/my-agent/.DS_Store"  # repository-relative, not relative to the agent
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == user_repo.resolve().as_uri() + "/"
    assert all(r["partialFingerprints"] for r in run["results"])
    assert tier["level"] == "error" and by_rule["AZ601"]["level"] == "warning"


def _report(kind: str, path: str, findings: list[Finding]) -> Report:
    return Report.build(
        InputInfo(path, kind, 1, None),
        {"runtime": "python_3_13", "mode": "bundled", "entry_point": ["python", "main.py"]},
        findings,
    )


def test_sarif_zip_member_is_a_logical_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "dist").mkdir()
    monkeypatch.chdir(tmp_path)
    f = Finding("AZ101", "wrapper-folder", Severity.ERROR, "my agent/", "wrapped", "rezip")
    doc = sarif.document([_report("zip", "dist/agent.zip", [f])], root=tmp_path)
    (result,) = doc["runs"][0]["results"]
    loc = result["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "dist/agent.zip"
    assert loc["logicalLocations"] == [{"name": "my agent/", "fullyQualifiedName": "dist/agent.zip/my agent/"}]


def test_sarif_of_several_reports_is_one_run(tmp_path: Path) -> None:
    f = Finding("AZ104", "empty-bundle", Severity.ERROR, None, "empty")
    doc = json.loads(
        render_all("sarif", [_report("folder", str(tmp_path / "a"), [f]), _report("folder", str(tmp_path / "b"), [f])])
    )
    assert len(doc["runs"]) == 1 and len(doc["runs"][0]["results"]) == 2
    prints = [r["partialFingerprints"]["agentzipFinding/v1"] for r in doc["runs"][0]["results"]]
    assert len(set(prints)) == 2


def test_github_escaping() -> None:
    assert github.escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_commands(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    findings = [
        Finding("AZ602", "secret-file", Severity.ERROR, "conf/a,b:c.env", "a secret\nin 100% of cases", "remove it"),
        Finding("AZ601", "junk-file", Severity.WARNING, ".DS_Store", "junk"),
        Finding("AZ603", "deployment-manifest-shipped", Severity.INFO, "Dockerfile", "manifest"),
    ]
    out = github.render(_report("folder", str(tmp_path / "agent"), findings), root=tmp_path).splitlines()
    assert out[0] == (
        "::error file=agent/conf/a%2Cb%3Ac.env,title=AZ602 secret-file::a secret%0Ain 100%25 of cases%0Afix: remove it"
    )
    assert out[1].startswith("::warning file=agent/.DS_Store,title=AZ601 junk-file::junk")
    assert out[2].startswith("::notice file=agent/Dockerfile,")
    assert all("\r" not in line for line in out)


def test_junit_parses(tmp_path: Path) -> None:
    findings = [
        Finding("AZ101", "wrapper-folder", Severity.ERROR, "my-agent/", "wrapped <in> & \x01 a folder", "rezip"),
        Finding("AZ601", "junk-file", Severity.WARNING, ".DS_Store", "junk"),
    ]
    clean = _report("zip", "clean.zip", [])
    text = render_all("junit", [_report("zip", "agent.zip", findings), clean])
    root = ET.fromstring(text)
    assert root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "1"
    first, second = root.findall("testsuite")
    cases = first.findall("testcase")
    assert cases[0].find("failure") is not None and "&" in cases[0].find("failure").get("message", "")  # type: ignore[union-attr]
    assert cases[1].find("failure") is None and cases[1].find("system-out") is not None  # below fail-on
    assert second.get("failures") == "0" and len(second.findall("testcase")) == 1


def test_output_file_and_formats_from_the_cli(user_repo: Path) -> None:
    for fmt in ("github", "junit", "sarif"):
        out = user_repo / f"report.{fmt}"
        result = CliRunner().invoke(main, ["check", "--format", fmt, "--output", str(out)])
        assert result.exit_code == 1 and result.output == ""
        assert out.read_text(encoding="utf-8").strip()


# -- the text report: one entry per cause, shared fixes said once, wrapped, pastable -----------------

FIX = (
    "pip install -r requirements.txt --target packages --platform manylinux2014_x86_64 --python-version 3.13 "
    "--implementation cp --only-binary=:all: --no-compile --upgrade (or: agentzip build --mode bundled)"
)


def _windows(names: list[str]) -> list[Finding]:
    out = []
    for name in names:
        dist = f"packages/{name}-1.0.dist-info"
        pyd = f"packages/{name}/_x.cp313-win_amd64.pyd"
        out.append(
            Finding("AZ205", "incompatible-wheel-tag", Severity.ERROR, dist, f"{name} 1.0 is built for win", FIX)
        )
        out.append(
            Finding(
                "AZ301",
                "windows-binary",
                Severity.ERROR,
                dist,
                f"{name} 1.0: 1 Windows binary in {pyd}; Linux cannot load Windows (PE) code",
                FIX,
                paths=(pyd,),
            )
        )
    return out


def test_text_folds_the_wheel_tag_into_the_binary_finding_and_groups_one_fix() -> None:
    from agentzip.validator.reporters import text

    report = _report("zip", "agent.zip", _windows(["alpha", "beta", "gamma"]))
    out = text.render(report, cols=100)
    flat = " ".join(out.split())
    assert "AZ301 windows-binary (error), also AZ205 incompatible-wheel-tag" in out
    assert "AZ205 incompatible-wheel-tag (error)" not in out  # not a block of its own
    assert "3 distributions were installed for Windows: alpha 1.0, beta 1.0, gamma 1.0" in flat
    assert "Linux cannot load Windows (PE) code" in flat
    assert out.count("pip install") == 1 and "fix (all 3):" in out
    assert "6 errors" in out  # the summary still counts every finding
    # every other format keeps every finding
    assert len(json.loads(render_all("json", [report]))["findings"]) == 6
    assert len(json.loads(render_all("sarif", [report]))["runs"][0]["results"]) == 6


def test_text_shows_the_wheel_tag_when_the_binary_rule_is_not_there() -> None:
    from agentzip.validator.reporters import text

    only_tags = [f for f in _windows(["alpha"]) if f.code == "AZ205"]
    out = text.render(_report("zip", "agent.zip", only_tags), cols=100)
    assert "AZ205 incompatible-wheel-tag (error)" in out and "also" not in out


def test_text_lists_findings_without_a_group_phrase_one_by_one_with_one_fix() -> None:
    from agentzip.validator.reporters import text

    hint = "reinstall packages/ from requirements.txt: pip install -r requirements.txt --target packages"
    findings = [
        Finding("AZ402", "unresolved-import", Severity.ERROR, "main.py", "`b` is imported at main.py:9", hint, line=9),
        Finding("AZ402", "unresolved-import", Severity.ERROR, "main.py", "`a` is imported at main.py:4", hint, line=4),
    ]
    lines = text.render(_report("folder", "agent", findings), cols=100).splitlines()
    assert lines[1].startswith("  main.py:4: `a`") and lines[2].startswith("  main.py:9: `b`")
    assert sum("fix" in line for line in lines) == 1 and "fix (both):" in lines[3]


@pytest.mark.parametrize("cols", [40, 60, 80, 100, 200])
def test_wrapped_commands_paste_back_whole(cols: int) -> None:
    import shlex

    from agentzip.terminal import fill_hint

    hint = "leave it out: zip -r agent-code.zip . -x '.venv/*' '.git/*' '__pycache__/*' (or add it to .agentignore)"
    zip_command = "zip -r agent-code.zip . -x '.venv/*' '.git/*' '__pycache__/*'"
    for h, command in ((FIX, FIX.split(" (or")[0]), (hint, zip_command)):
        lines = fill_hint(h, cols, "    fix: ", " " * 9)
        assert " ".join(" ".join(lines).split()).replace(" \\ ", " ").endswith(h.split()[-1])
        if any(command in line for line in lines):
            continue  # whole on one line
        # else on lines of its own, continued with a backslash: what a shell reads is the command
        start = next(i for i, line in enumerate(lines) if line.split(": ")[-1].strip().startswith(command.split()[0]))
        block = [lines[start].split(": ")[-1] if start == 0 else lines[start]]
        while block[-1].endswith(" \\"):
            block.append(lines[start + len(block)])
        pasted = " ".join(line.removesuffix(" \\").strip() for line in block)
        assert shlex.split(pasted) == shlex.split(command)
        assert all(len(line) <= cols for line in lines if len(line.split()) > 1 and not line.endswith("\\"))


def test_text_wraps_to_the_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    from agentzip.validator.reporters import text

    monkeypatch.setenv("COLUMNS", "72")
    out = text.render(_report("zip", "agent.zip", _windows(["alpha", "beta", "gamma", "delta"])))
    assert max(len(line) for line in out.splitlines()) <= 72
    monkeypatch.setenv("COLUMNS", "200")
    wide = text.render(_report("zip", "agent.zip", _windows(["alpha", "beta", "gamma", "delta"])))
    assert any(FIX.split(" (or")[0] in line for line in wide.splitlines())  # one line when it fits


def test_import_findings_carry_their_line_into_github_and_sarif(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    files = {"main.py": '"""Agent."""\n\nimport os\nimport cgi\nimport requests\n', "requirements.txt": "requests\n"}
    write_folder(root / "agent", files)
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    args = ["check", "agent", "--runtime", "python_3_13", "--mode", "bundled", "--select", "AZ401,AZ402"]
    gh = CliRunner().invoke(main, [*args, "--format", "github"]).output.splitlines()
    assert any(line.startswith("::error file=agent/main.py,line=4,title=AZ401") for line in gh), gh
    assert any(line.startswith("::error file=agent/main.py,line=5,title=AZ402") for line in gh), gh
    doc = json.loads(CliRunner().invoke(main, [*args, "--format", "sarif"]).output)
    lines = {
        r["ruleId"]: r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in doc["runs"][0]["results"]
    }
    assert lines == {"AZ401": 4, "AZ402": 5}
    jsonschema = pytest.importorskip("jsonschema")
    if SCHEMA.is_file():
        schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(schema)(schema).validate(doc)


def test_fill_hint_keeps_every_word_in_order() -> None:
    """Whatever a hint holds, wrapping only moves line breaks (and adds ` \\` inside commands)."""
    from hypothesis import example, given, settings
    from hypothesis import strategies as st

    from agentzip.terminal import fill_hint

    word = st.sampled_from(["pip", "install", "--target", "packages", "zip", "-r", "'a b'", "(or:", "x;", "a,", ":"])
    word |= st.text(alphabet="abc-_/=:'\"()", min_size=1, max_size=30)

    @settings(max_examples=200, deadline=None)
    @given(st.lists(word, min_size=1, max_size=40), st.integers(min_value=40, max_value=160))
    @example(["pip"] * 8 + ["x;", "pip"], 40)  # a separator after a wrapped command stayed on its own line
    def check(words: list[str], cols: int) -> None:
        hint = " ".join(words)
        lines = fill_hint(hint, cols, "    fix: ", " " * 9)
        text = " ".join(line.removesuffix(" \\") for line in lines)
        assert text.split()[1:] == hint.split()

    check()
