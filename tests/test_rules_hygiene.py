"""Hygiene rules: junk, secrets and deployment files; clean and bad cases, as zip and folder."""

from __future__ import annotations

import pytest

from agentzip.api import check
from tests.conftest import codes

GOOD = {"main.py": "import os\nKEY = os.environ['OPENAI_API_KEY']\n", "requirements.txt": "openai\n"}
# Shapes of real keys, made up: none of these was ever issued.
OPENAI = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" * 2
AWS = "AKIA" + "QWERTYUIOPASDFGH"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"

CASES = [
    ("junk-file", GOOD, False),
    ("junk-file", {**GOOD, ".venv/pyvenv.cfg": "home=/usr\n", ".venv/lib/x.py": "x"}, True),
    ("junk-file", {**GOOD, "env/pyvenv.cfg": "home=/usr\n", "env/bin/python": "x"}, True),
    ("junk-file", {**GOOD, ".git/HEAD": "ref: refs/heads/main\n"}, True),
    ("junk-file", {**GOOD, "__MACOSX/._main.py": b"\0\5\26\7"}, True),
    ("junk-file", {**GOOD, ".DS_Store": b"\0\0\0\1Bud1"}, True),
    ("junk-file", {**GOOD, "__pycache__/main.cpython-313.pyc": b"\xf3\r\r\n"}, True),
    # bytecode of installed dependencies is foreign-bytecode's business, not junk
    ("junk-file", {**GOOD, "packages/six.py": "x", "packages/__pycache__/six.cpython-313.pyc": b"x"}, False),
    ("secret-file", GOOD, False),
    ("secret-file", {**GOOD, ".env.example": "OPENAI_API_KEY=\n"}, False),
    ("secret-file", {**GOOD, ".env": "# nothing set\n"}, False),
    ("secret-file", {**GOOD, ".env": f"OPENAI_API_KEY={OPENAI}\n"}, True),
    ("secret-file", {**GOOD, "config.py": f"KEY = '{OPENAI}'\n"}, True),
    ("secret-file", {**GOOD, "settings.json": f'{{"aws": "{AWS}"}}'}, True),
    ("secret-file", {**GOOD, "certs/agent.pem": PEM}, True),
    (
        "secret-file",
        {**GOOD, "certs/agent.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"},
        False,
    ),
    ("secret-file", {**GOOD, ".pypirc": "[pypi]\npassword = x\n"}, True),
    # dependencies ship test keys of their own: not the user's secret
    ("secret-file", {**GOOD, "packages/lib/tests/key.pem": PEM}, False),
    ("deployment-manifest-shipped", GOOD, False),
]


@pytest.mark.parametrize(("rule", "files", "fires"), CASES)
def test_hygiene_rule(make_bundle, rule, files, fires) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle(files), select=[rule])
    assert (rule in codes(report)) is fires, report.findings


def test_manifest_in_zip_is_info(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import write_folder, zip_of

    files = {**GOOD, "azure.yaml": "name: x\n"}
    z = tmp_path / "a.zip"
    z.write_bytes(zip_of(files))
    (f,) = check(z, select=["deployment-manifest-shipped"]).findings
    assert (f.path, f.severity.label) == ("azure.yaml", "info")
    # in the project folder azure.yaml is where it belongs
    assert not check(write_folder(tmp_path / "f", files), select=["deployment-manifest-shipped"]).findings


def test_user_scenario_folder_with_env_git_venv_macosx(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {
        **GOOD,
        ".env": f"OPENAI_API_KEY={OPENAI}\nDEBUG=1\n",
        ".git/config": "[core]\n",
        ".venv/pyvenv.cfg": "home = /usr/bin\n",
        "__MACOSX/._main.py": b"\0",
    }
    report = check(make_bundle(files), select=["AZ6"])
    by_rule = {(f.rule, f.path, f.severity.label) for f in report.findings}
    assert ("secret-file", ".env", "error") in by_rule
    assert {p for r, p, _ in by_rule if r == "junk-file"} == {".git/", ".venv/", "__MACOSX/"}
    env = next(f for f in report.findings if f.rule == "secret-file")
    assert "OPENAI_API_KEY" in env.message and OPENAI not in env.message


def test_secret_is_masked(make_bundle) -> None:  # type: ignore[no-untyped-def]
    (f,) = check(make_bundle({**GOOD, "config.py": f"K = '{OPENAI}'\n"}), select=["secret-file"]).findings
    assert OPENAI not in f.message and "line 1" in f.message and "OpenAI" in f.message


def test_junk_is_one_finding_per_folder(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**GOOD, **{f".venv/lib/m{i}.py": "x" for i in range(50)}, ".venv/pyvenv.cfg": ""}
    (f,) = check(make_bundle(files), select=["junk-file"]).findings
    assert f.path == ".venv/" and len(f.paths) == 51 and f.message.startswith("51 file(s)")


def _dist(name: str, extra: dict[str, str]) -> dict[str, str]:
    """An installed distribution in packages/ whose RECORD lists its files and `extra`."""
    di = f"packages/{name}-1.0.dist-info"
    files = {
        f"packages/{name}/__init__.py": "",
        f"{di}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{di}/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        **extra,
    }
    files[f"{di}/RECORD"] = "".join(f"{p[len('packages/') :]},,\n" for p in files)
    return files


ZIP_BYTES = b"PK\x05\x06" + b"\0" * 18  # an empty zip
BUNDLED = {**GOOD, "requirements.txt": "somelib\n"}
APPENDED_CASES = [
    ("nested-zip", GOOD, False),
    ("nested-zip", {**GOOD, "agent-code.zip": ZIP_BYTES}, True),
    ("nested-zip", {**GOOD, "data/old/build.ZIP": ZIP_BYTES}, True),
    # a raw wheel is raw-wheel's; a zip in a junk folder is junk-file's; small package data is the package's
    ("nested-zip", {**GOOD, "packages/x-1.0-py3-none-any.whl": ZIP_BYTES}, False),
    ("nested-zip", {**GOOD, ".git/objects/a.zip": ZIP_BYTES}, False),
    ("nested-zip", {**BUNDLED, **_dist("somelib", {"packages/somelib/zoneinfo.zip": "PK"})}, False),
    ("distribution-ships-junk", {**BUNDLED, **_dist("somelib", {})}, False),
    ("distribution-ships-junk", {**GOOD, ".mypy_cache/3.13/main.json": "{}"}, False),  # the agent's: junk-file
    (
        "distribution-ships-junk",
        {**BUNDLED, **_dist("somelib", {"packages/somelib/.mypy_cache/3.12/a.json": "{}"})},
        True,
    ),
]


@pytest.mark.parametrize(("rule", "files", "fires"), APPENDED_CASES)
def test_hygiene_rule_appended(make_bundle, rule, files, fires) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle(files), select=[rule])
    assert (rule in codes(report)) is fires, report.findings


def test_distribution_junk_names_the_distribution(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**BUNDLED, **_dist("somelib", {"packages/somelib/.mypy_cache/a.json": "x" * 2000})}
    (f,) = check(make_bundle(files), select=["distribution-ships-junk"]).findings
    assert f.severity.label == "info" and f.path == "packages/somelib/.mypy_cache/"
    assert f.message.startswith("somelib 1.0 ships 1 file(s), 0.0 MB of tool caches")


def test_distribution_cache_dirs_match_what_build_prunes() -> None:
    from agentzip.builder.staging import CACHE_DIRS
    from agentzip.rules.hygiene import DISTRIBUTION_CACHE_DIRS

    assert CACHE_DIRS == DISTRIBUTION_CACHE_DIRS
