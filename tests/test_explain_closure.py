"""explain and the import closure: a found module whose load-time imports break "fails" (AZ405), zip and folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agentzip.api import explain
from agentzip.explain.model import Diagnosis
from tests.conftest import Files


def _dist(name: str, version: str, files: dict[str, str], requires: tuple[str, ...] = ()) -> dict[str, str]:
    info = f"packages/{name.replace('-', '_')}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires
    )
    record = "".join(f"{p},,\n" for p in files) + f"{info.rsplit('/', 1)[-1]}/METADATA,,\n"
    return {**{f"packages/{p}": body for p, body in files.items()}, f"{info}/METADATA": meta, f"{info}/RECORD": record}


def _bundle(exceptions: str) -> Files:
    return {
        "main.py": "import fw\n",
        "requirements.txt": "fw==1.0\n",
        **_dist(
            "fw",
            "1.0",
            {
                "fw/__init__.py": "from ._agents import Agent\n",
                "fw/_agents.py": ("from proto.errors import ProtoError\nclass Agent: pass\n"),
            },
            ("proto>=1",),
        ),
        **_dist("proto", "2.1.0", {"proto/__init__.py": "", "proto/errors.py": exceptions}),
    }


def _one(path: Path, module: str) -> Diagnosis:
    (d,) = explain(path, modules=[module], mode="bundled", runtime="python_3_13").diagnoses
    return d


def test_a_broken_closure_fails_with_the_name_chain_and_pin(make_bundle: Callable[[Files], Path]) -> None:
    d = _one(make_bundle(_bundle("class PROTOError(Exception): pass\n")), "fw")
    assert (d.verdict, d.cause, d.code, d.name) == ("fails", "name-missing", "AZ405", "ProtoError")
    assert "packages/fw/__init__.py:1 -> packages/fw/_agents.py:1 -> packages/proto/errors.py" in d.message
    assert "fw 1.0 requires proto>=1" in d.message and "`proto<2`" in d.fix


def test_an_intact_closure_imports(make_bundle: Callable[[Files], Path]) -> None:
    d = _one(make_bundle(_bundle("class ProtoError(Exception): pass\n")), "fw")
    assert (d.verdict, d.cause) == ("imports", "ok")


def _real(name: str) -> Path:
    realwheels = pytest.importorskip("fixtures.realwheels", reason="the real-wheel recipes are not in this checkout")
    path: Path = realwheels.bundle_zip(name)
    return path


@pytest.mark.network
def test_agent_framework_with_mcp2_fails_and_pinned_imports() -> None:
    d = _one(_real("agent-framework-mcp2"), "agent_framework")
    assert (d.verdict, d.code, d.name) == ("fails", "AZ405", "McpError")
    assert "mcp 2." in d.message and "`mcp<2`" in d.fix
    assert _one(_real("agent-framework-pinned"), "agent_framework").verdict == "imports"


@pytest.mark.parametrize(
    ("swallowed", "verdict"),
    [("ImportError", "imports"), ("ModuleNotFoundError", "imports"), ("KeyError", "fails")],
)
def test_an_import_under_contextlib_suppress_is_guarded_by_what_it_swallows(
    make_bundle: Callable[[Files], Path], swallowed: str, verdict: str
) -> None:
    # jsonschema's `with suppress(ImportError): from fqdn import FQDN`: the import is optional
    files = {
        "main.py": "import lib\n",
        "requirements.txt": "lib==1.0\n",
        **_dist(
            "lib",
            "1.0",
            {"lib/__init__.py": f"from contextlib import suppress\nwith suppress({swallowed}):\n    import fqdn\n"},
        ),
    }
    assert _one(make_bundle(files), "lib").verdict == verdict
