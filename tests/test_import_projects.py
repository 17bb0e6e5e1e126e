"""Which project an import needs (importnames.py), AZ402's transitive case (deptry DEP003) and AZ213 dev-tool-requirement."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agentzip.api import check
from agentzip.validator.importnames import brought_by, candidate_projects, project_from_records
from tests.conftest import Files


@pytest.mark.parametrize(
    ("module", "project"),
    [
        ("azure.identity.aio", "azure-identity"),
        ("azure.ai.projects.models", "azure-ai-projects"),
        ("opentelemetry.sdk.trace.export", "opentelemetry-sdk"),
        ("opentelemetry.trace", "opentelemetry-api"),
        ("opentelemetry.semconv.trace", "opentelemetry-semantic-conventions"),
        ("opentelemetry.exporter.otlp.proto.grpc.trace_exporter", "opentelemetry-exporter-otlp-proto-grpc"),
        ("azure.ai.agentserver.responses", "azure-ai-agentserver-responses"),
        ("yaml.loader", "pyyaml"),
        ("requests.adapters", "requests"),
    ],
)
def test_the_likeliest_project_comes_first(module: str, project: str) -> None:
    assert candidate_projects(module)[0] == project


def test_real_records_win_by_the_longest_prefix() -> None:
    records = [
        ("azure-core", ["azure/core/__init__.py", "azure/core/credentials.py"]),
        ("azure-identity", ["azure/identity/__init__.py", "azure/identity/aio/__init__.py"]),
        ("odd-name", ["azure/identity/aio/extra.py"]),
    ]
    assert project_from_records("azure.identity.aio", records) == "azure-identity"
    assert project_from_records("azure.identity.aio.extra", records) == "odd-name"
    assert project_from_records("azure", records) is None  # a namespace folder installs nothing by itself


def test_brought_by_follows_requires_and_the_known_table() -> None:
    assert brought_by("opentelemetry-sdk", ["agent-framework-core"], {}) == "agent-framework-core"
    assert brought_by("opentelemetry-api", ["azure-monitor-opentelemetry"], {}) == "azure-monitor-opentelemetry"
    assert brought_by("certifi", ["openai"], {}) == "openai"  # openai -> httpx -> certifi
    assert brought_by("foo-lib", ["my-sdk"], {"my-sdk": ["bar"], "bar": ["Foo_Lib"]}) == "my-sdk"
    assert brought_by("httpx", ["requests"], {}) is None
    assert brought_by("requests", ["requests"], {}) is None


def _az402(make_bundle: Callable[[Files], Path], code: str, reqs: str) -> list[tuple[str, str, str]]:
    files = {"main.py": code, "requirements.txt": reqs}
    report = check(make_bundle(files), mode="remote_build", select=["AZ402"])
    return [(f.severity.label, f.message, f.hint) for f in report.findings]


def test_a_transitive_import_is_info_naming_both_projects(make_bundle: Callable[[Files], Path]) -> None:
    ((severity, message, hint),) = _az402(
        make_bundle, "from azure.core.credentials import TokenCredential\n", "azure-identity\n"
    )
    assert severity == "info" and "azure-core" in message and "azure-identity" in message and "DEP003" in message
    assert hint.startswith("add azure-core to requirements.txt")
    ((severity, message, _),) = _az402(
        make_bundle, "from opentelemetry import trace\n", "azure-monitor-opentelemetry\n"
    )
    assert severity == "info" and "opentelemetry-api" in message and "`opentelemetry.trace`" in message
    ((severity, message, _),) = _az402(make_bundle, "import opentelemetry.sdk.trace\n", "agent-framework-core\n")
    assert severity == "info" and "opentelemetry-sdk" in message and "agent-framework-core" in message


def test_an_import_no_listed_project_brings_stays_a_warning(make_bundle: Callable[[Files], Path]) -> None:
    ((severity, message, hint),) = _az402(make_bundle, "import azure.identity.aio\n", "requests\n")
    assert (
        severity == "warning"
        and "expected azure-identity;" in message
        and hint == "add azure-identity to requirements.txt"
    )


def test_a_listed_project_is_clean(make_bundle: Callable[[Files], Path]) -> None:
    assert (
        _az402(
            make_bundle,
            "import azure.identity.aio\nfrom opentelemetry import trace\n",
            "azure-identity\nopentelemetry-api\n",
        )
        == []
    )


def test_dev_tools_are_listed_once(make_bundle: Callable[[Files], Path]) -> None:
    files = {"main.py": "", "requirements.txt": "azure-identity\npytest>=8\n# lint\nRuff==0.6.0\n"}
    for mode in ("remote_build", "bundled"):
        (f,) = check(make_bundle(files), mode=mode, select=["dev-tool-requirement"]).findings
        assert f.code == "AZ213" and f.severity.label == "info" and f.line == 2
        assert "pytest (requirements.txt:2)" in f.message and "Ruff (requirements.txt:4)" in f.message


def test_no_dev_tools_no_finding(make_bundle: Callable[[Files], Path]) -> None:
    files = {
        "main.py": "",
        "requirements.txt": "azure-identity\npytest-asyncio-helpers-not-a-tool\n-c constraints.txt\n",
    }
    assert check(make_bundle(files), mode="remote_build", select=["AZ213"]).findings == ()
