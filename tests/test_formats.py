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
SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"

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
