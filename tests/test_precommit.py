"""The published pre-commit hook, run as a user would: `pre-commit try-repo` in a repository whose agent imports cgi."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.network  # pre-commit installs agentzip and its dependencies from the package index
def test_try_repo_fails_the_commit_with_the_finding(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    user = tmp_path / "user"
    (user / "src" / "my-agent").mkdir(parents=True)
    (user / "azure.yaml").write_text(
        "services:\n  my-agent:\n    host: azure.ai.agent\n    project: src/my-agent\n"
        "    codeConfiguration: {runtime: python_3_13, entryPoint: main.py, dependencyResolution: remote_build}\n",
        encoding="utf-8",
    )
    (user / "src" / "my-agent" / "main.py").write_text("import cgi\n", encoding="utf-8")
    (user / "src" / "my-agent" / "requirements.txt").write_text("requests\n", encoding="utf-8")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run([git, "init", "-q", "."], cwd=user, check=True, env=env)
    subprocess.run([git, "add", "-A"], cwd=user, check=True, env=env)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "agentzip-folder", "--all-files"],
        cwd=user,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "AZ401 removed-stdlib-module" in result.stdout and "cgi" in result.stdout


def _readme_precommit_config() -> str:
    """The README's .pre-commit-config.yaml block, exactly as a user would paste it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for block in text.split("```yaml\n")[1:]:
        body = block.split("```", 1)[0]
        if body.startswith("# .pre-commit-config.yaml") and "repo: local" in body:
            return body
    raise AssertionError("the README has no local pre-commit configuration block")


def _user_repo(root: Path, git: str, env: dict[str, str], config: str) -> None:
    (root / "src" / "my-agent").mkdir(parents=True)
    (root / "azure.yaml").write_text(
        "services:\n  my-agent:\n    host: azure.ai.agent\n    project: src/my-agent\n"
        "    codeConfiguration: {runtime: python_3_13, entryPoint: main.py, dependencyResolution: remote_build}\n",
        encoding="utf-8",
    )
    (root / "src" / "my-agent" / "main.py").write_text("import cgi\n", encoding="utf-8")
    (root / "src" / "my-agent" / "requirements.txt").write_text("requests\n", encoding="utf-8")
    (root / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    subprocess.run([git, "init", "-q", "."], cwd=root, check=True, env=env)
    subprocess.run([git, "add", "-A"], cwd=root, check=True, env=env)


def test_the_readme_config_pasted_as_written_refuses_the_commit(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "agentzip").exists():
        pytest.skip("agentzip is not installed beside this Python (install the project to run this test)")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    user = tmp_path / "user"
    user.mkdir()
    _user_repo(user, git, env, _readme_precommit_config())
    run = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    result = subprocess.run(run, cwd=user, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "AZ401 removed-stdlib-module" in result.stdout and "cgi" in result.stdout
    # the same repository with the import fixed passes
    (user / "src" / "my-agent" / "main.py").write_text("import json\n", encoding="utf-8")
    subprocess.run([git, "add", "-A"], cwd=user, check=True, env=env)
    result = subprocess.run(run, cwd=user, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
