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
