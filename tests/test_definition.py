"""Agent definitions: reading azure.yaml / agent.yaml / metadata JSON, choosing the folder, and the AZ7xx rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from agentzip import api
from agentzip.cli import main
from agentzip.errors import UsageError
from agentzip.validator.definition import resolve
from tests.conftest import write_folder

AGENT = {"main.py": "print('hi')\n", "requirements.txt": "requests==2.32.3\n"}
CLEAN_CODE = {"runtime": "python_3_13", "entryPoint": "main.py", "dependencyResolution": "remote_build"}


def azure_yaml(root: Path, services: dict[str, dict[str, Any]]) -> Path:
    """A repository with an azure.yaml at its root and each service's project folder."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir(exist_ok=True)
    written: dict[str, Any] = {}
    doc = {"name": "demo", "services": written}
    for name, svc in services.items():
        project = svc.get("project", f"src/{name}")
        write_folder(root / project, AGENT)
        written[name] = {"host": "azure.ai.agent", "project": project, "language": "python", **svc}
    (root / "azure.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return root


def rules_fired(root: Path, **kw: Any) -> list[str]:
    reports = api.check_all(root, **kw)
    return sorted({f.rule for r in reports for f in r.findings if f.code.startswith("AZ7")})


def test_the_issue_example_no_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = azure_yaml(
        tmp_path / "repo",
        {
            "my-agent": {
                "codeConfiguration": {**CLEAN_CODE, "runtime": "python_3_14"},
                "container": {"resources": {"cpu": "1", "memory": "3Gi"}},
                "env": {"FOUNDRY_PROJECT_ENDPOINT": "https://example", "MODEL": "gpt"},
            }
        },
    )
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["check", "--format", "json"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    assert doc["input"]["path"] == "src/my-agent"
    assert doc["target"]["runtime"] == "python_3_14"
    assert doc["target"]["definition"] == {"path": "azure.yaml", "kind": "azure.yaml", "service": "my-agent"}
    fired = {f["rule"]: f for f in doc["findings"]}
    assert set(fired) == {"invalid-resource-tier", "reserved-env-var"}
    assert fired["invalid-resource-tier"]["line"] and fired["reserved-env-var"]["path"] == "azure.yaml"
    text = CliRunner().invoke(main, ["check"]).output
    assert "(inferred)" not in text.split("target:")[1].splitlines()[0]
    assert "definition: azure.yaml (service my-agent)" in text


def test_no_definition_no_definition_findings(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "agent", AGENT)
    (tmp_path / "agent" / ".git").mkdir()
    assert rules_fired(folder) == []
    assert resolve(folder) == [(folder, None)]


def _svc(**over: Any) -> dict[str, Any]:
    svc: dict[str, Any] = {
        "codeConfiguration": dict(CLEAN_CODE),
        "container": {"resources": {"cpu": "1", "memory": "2Gi"}},
    }
    for key, value in over.items():
        if key in CLEAN_CODE:
            if value is None:
                svc["codeConfiguration"].pop(key)
            else:
                svc["codeConfiguration"][key] = value
        elif value is None:
            svc.pop(key, None)
        else:
            svc[key] = value
    return svc


def _res(cpu: Any, memory: Any) -> dict[str, Any]:
    return {"resources": {"cpu": cpu, "memory": memory}}


@pytest.mark.parametrize(
    ("service", "name", "expected", "severity"),
    [
        # one clean case per rule, then the bad ones
        (_svc(), "my-agent", [], None),
        (_svc(runtime="python_3_12"), "my-agent", ["unsupported-runtime"], "error"),
        (_svc(runtime="dotnet_8", entryPoint="MyAgent.dll"), "my-agent", ["unsupported-runtime"], "error"),
        (_svc(runtime=None), "my-agent", ["unsupported-runtime"], "error"),
        (_svc(container=_res("0.5", "1Gi")), "my-agent", [], None),
        (_svc(container=_res(2, "4Gi")), "my-agent", [], None),
        (_svc(container=_res("1", "3Gi")), "my-agent", ["invalid-resource-tier"], "error"),
        (_svc(container=_res("0.3", "0.6Gi")), "my-agent", ["invalid-resource-tier"], "error"),
        (_svc(container=_res("1", "2G")), "my-agent", ["invalid-resource-tier"], "error"),
        (_svc(container={"resources": {"cpu": "1"}}), "my-agent", ["invalid-resource-tier"], "error"),
        (_svc(container=_res("8", "16Gi")), "my-agent", ["invalid-resource-tier"], "error"),
        (_svc(container=_res("0.25", "0.5Gi")), "my-agent", ["invalid-resource-tier"], "warning"),
        (_svc(container=_res("4", "8Gi")), "my-agent", ["invalid-resource-tier"], "warning"),
        (_svc(container=None), "my-agent", [], None),
        (_svc(dependencyResolution=None), "my-agent", ["dependency-resolution-unset"], "warning"),
        (_svc(dependencyResolution="remote"), "my-agent", ["dependency-resolution-unset"], "error"),
        (_svc(env={"MODEL": "gpt-4.1", "PROJECT_ENDPOINT": "x"}), "my-agent", [], None),
        (_svc(env={"AGENT_MODE": "x"}), "my-agent", ["reserved-env-var"], "error"),
        (_svc(env={"FOUNDRY_AGENT_ID": "x"}), "my-agent", ["reserved-env-var"], "error"),
        (_svc(entryPoint=["python", "main.py"]), "my-agent", ["entry-point-form"], "error"),
        (_svc(entryPoint="python main.py"), "my-agent", ["entry-point-form"], "error"),
        (_svc(runtime="dotnet_10", entryPoint="dotnet run"), "my-agent", ["entry-point-form"], "error"),
        (_svc(runtime="dotnet_10", entryPoint="main.py"), "my-agent", ["entry-point-form"], "error"),
        (_svc(entryPoint="MyAgent.dll"), "my-agent", ["entry-point-form"], "error"),
        (_svc(), "agent-2", [], None),
        (_svc(), "my_agent", ["invalid-agent-name"], "warning"),
        (_svc(), "a" * 64, ["invalid-agent-name"], "warning"),
    ],
)
def test_definition_rules_azure_yaml(
    tmp_path: Path, service: dict[str, Any], name: str, expected: list[str], severity: str | None
) -> None:
    root = azure_yaml(tmp_path / "repo", {name: service})
    reports = api.check_all(root)
    hits = [f for r in reports for f in r.findings if f.code.startswith("AZ7")]
    assert sorted({f.rule for f in hits}) == expected, [f.message for f in hits]
    if severity:
        assert {f.severity.label for f in hits} == {severity}
        assert all(f.path and f.path.endswith("azure.yaml") and f.message and f.hint for f in hits)


def test_config_nested_container_block_is_read(tmp_path: Path) -> None:
    """Older scaffolds put container resources under `config:`."""
    root = azure_yaml(
        tmp_path / "repo", {"a": {"codeConfiguration": CLEAN_CODE, "config": {"container": _res("1", "3Gi")}}}
    )
    assert rules_fired(root) == ["invalid-resource-tier"]


def test_agent_yaml_snake_case(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "agent", AGENT)
    (folder / ".git").mkdir()
    (folder / "agent.yaml").write_text(
        "kind: hosted\nname: my_agent\n"
        "code_configuration: {runtime: python_3_11, entry_point: [python, main.py]}\n"
        "environment_variables:\n  - name: AGENT_X\n    value: y\n",
        encoding="utf-8",
    )
    (report,) = api.check_all(folder)
    fired = {f.rule: f for f in report.findings if f.code.startswith("AZ7")}
    assert set(fired) == {
        "unsupported-runtime",
        "dependency-resolution-unset",
        "reserved-env-var",
        "invalid-agent-name",
    }
    assert fired["invalid-agent-name"].severity.label == "error"
    assert fired["reserved-env-var"].line == 5  # the list item naming it
    assert "code_configuration.runtime" in fired["unsupported-runtime"].message


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            {
                "name": "my-agent",
                "definition": {
                    "kind": "hosted",
                    "code_configuration": {
                        "runtime": "python_3_13",
                        "entry_point": ["python", "main.py"],
                        "dependency_resolution": "remote_build",
                    },
                    "cpu": "1",
                    "memory": "2Gi",
                    "environment_variables": {"MODEL": "x"},
                },
            },
            [],
        ),
        (
            {
                "name": "my-agent",
                "definition": {
                    "code_configuration": {
                        "runtime": "python_3_13",
                        "entry_point": "main.py",
                        "dependency_resolution": "bundled",
                    },
                    "cpu": "2",
                    "memory": "2Gi",
                },
            },
            ["entry-point-form", "invalid-resource-tier"],
        ),
        (
            {
                "name": "-x-",
                "code_configuration": {
                    "runtime": "python_3_13",
                    "entry_point": ["python", "main.py"],
                    "dependency_resolution": "remote_build",
                },
                "environment_variables": {"FOUNDRY_PROJECT_ENDPOINT": "x"},
            },
            ["invalid-agent-name", "reserved-env-var"],
        ),
    ],
)
def test_metadata_json(tmp_path: Path, doc: dict[str, Any], expected: list[str]) -> None:
    folder = write_folder(tmp_path / "agent", AGENT)
    meta = tmp_path / "metadata.json"
    meta.write_text(json.dumps(doc), encoding="utf-8")
    assert rules_fired(folder, definition=meta) == expected


def test_several_services_each_or_one(tmp_path: Path) -> None:
    root = azure_yaml(
        tmp_path / "repo",
        {"alpha": _svc(), "beta": _svc(container=_res("1", "3Gi"))},
    )
    reports = api.check_all(root)
    assert [r.input.path.replace("\\", "/").rsplit("/", 1)[-1] for r in reports] == ["alpha", "beta"]
    assert [len([f for f in r.findings if f.code == "AZ702"]) for r in reports] == [0, 1]
    (only,) = api.check_all(root, service="beta")
    assert only.target["definition"]["service"] == "beta"
    with pytest.raises(UsageError, match="did you mean 'beta'"):
        api.check_all(root, service="bta")
    with pytest.raises(UsageError, match="several agent services"):
        api.check(root)


def test_project_folder_finds_azure_yaml_above(tmp_path: Path) -> None:
    root = azure_yaml(tmp_path / "repo", {"my-agent": _svc(env={"AGENT_X": "1"})})
    (report,) = api.check_all(root / "src" / "my-agent")
    assert [f.rule for f in report.findings if f.code.startswith("AZ7")] == ["reserved-env-var"]


def test_flags_beat_definition(tmp_path: Path) -> None:
    root = azure_yaml(tmp_path / "repo", {"my-agent": _svc(runtime="python_3_14")})
    (report,) = api.check_all(root, runtime="python_3_13")
    assert report.target["runtime"] == "python_3_13"


def test_zip_does_not_look_for_definitions(tmp_path: Path) -> None:
    azure_yaml(tmp_path, {"my-agent": _svc(env={"AGENT_X": "1"})})
    z = tmp_path / "agent.zip"
    z.write_bytes(b"")
    assert resolve(z) == [(z, None)]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("services: [oops\n", "not valid YAML"),
        ("name: x\nservices:\n  a: {host: containerapp}\n", "no service with"),
    ],
)
def test_bad_definition_files_exit_2(tmp_path: Path, text: str, match: str) -> None:
    folder = write_folder(tmp_path / "agent", AGENT)
    bad = tmp_path / "azure.yaml"
    bad.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(folder), "--definition", str(bad)])
    assert result.exit_code == 2 and match in result.output and "Traceback" not in result.output


def test_missing_project_folder_is_a_usage_error(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "azure.yaml").write_text(
        "services:\n  a:\n    host: azure.ai.agent\n    project: src/nope\n    codeConfiguration: {runtime: python_3_13}\n",
        encoding="utf-8",
    )
    with pytest.raises(UsageError, match="does not exist"):
        api.check_all(root)
