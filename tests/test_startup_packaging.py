"""The pre-commit case: `agentzip check` of a small remote_build folder imports no packaging, logging or subprocess."""

from __future__ import annotations

from pathlib import Path

from tests.test_startup import heavy_loaded

# What the check must not pay for when requirements.txt holds ordinary lines: packaging.utils alone
# pulls in packaging.tags, and with it logging, platform, subprocess and sysconfig.
HEAVY = ("packaging.requirements", "packaging.tags", "packaging.specifiers", "packaging.utils", "logging", "subprocess")


def test_a_small_check_imports_no_packaging(make_bundle) -> None:  # type: ignore[no-untyped-def]
    bundle: Path = make_bundle(
        {
            "main.py": "import requests\nprint('hi')\n",
            "requirements.txt": "azure-identity\nrequests==2.32.3\nhttpx>=0.27,<1\nuvicorn[standard]~=0.30\n",
        }
    )
    code, output, loaded = heavy_loaded(bundle, list(HEAVY))
    assert code == 0, output
    assert "without an exact `==` pin" in output  # the check ran its requirement rules
    assert loaded == {}, "imported by the check: " + "; ".join(f"{m} (from {chain})" for m, chain in loaded.items())
