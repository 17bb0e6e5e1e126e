"""The pre-commit case: `agentzip check` of a small remote_build folder imports no packaging, logging or subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# What the check must not pay for when requirements.txt holds ordinary lines: packaging.utils alone
# pulls in packaging.tags, and with it logging, platform, subprocess and sysconfig.
HEAVY = ("packaging.requirements", "packaging.tags", "packaging.specifiers", "packaging.utils", "logging", "subprocess")

# Runs in a fresh interpreter: records which agentzip module first asked for each heavy module.
_PROBE = """
import json, sys

heavy = set(json.loads(sys.argv[2]))
who = {}

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name in heavy and name not in who:
            f, chain = sys._getframe(1), []
            while f is not None:
                mod = f.f_globals.get("__name__", "")
                if mod.startswith(("agentzip", "packaging")) and mod not in chain:
                    chain.append(mod)
                f = f.f_back
            who[name] = " <- ".join(chain) or "?"
        return None

sys.meta_path.insert(0, Watch())
before = set(sys.modules)
sys.argv = ["agentzip", "check", sys.argv[1]]
from agentzip.entry import run

code = 0
try:
    run()
except SystemExit as e:
    code = e.code
loaded = sorted(heavy & (set(sys.modules) - before))
sys.stderr.write(json.dumps({"code": code, "loaded": {m: who.get(m, "?") for m in loaded}}) + "\\n")
"""


def test_a_small_check_imports_no_packaging(make_bundle) -> None:  # type: ignore[no-untyped-def]
    bundle: Path = make_bundle(
        {
            "main.py": "import requests\nprint('hi')\n",
            "requirements.txt": "azure-identity\nrequests==2.32.3\nhttpx>=0.27,<1\nuvicorn[standard]~=0.30\n",
        }
    )
    p = subprocess.run(
        [sys.executable, "-c", _PROBE, str(bundle), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = json.loads(p.stderr.strip().splitlines()[-1])
    assert result["code"] == 0, p.stdout
    assert "without an exact `==` pin" in p.stdout  # the check ran its requirement rules
    assert result["loaded"] == {}, "imported by the check: " + "; ".join(
        f"{m} (from {chain})" for m, chain in result["loaded"].items()
    )
