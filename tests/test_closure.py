"""The import closure (closure.py) and AZ405 missing-import-name, on small bundles as zip and as folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agentzip.api import check
from agentzip.validator import closure as closure_mod
from agentzip.validator import names as names_mod
from agentzip.validator.bundle import Bundle
from agentzip.validator.closure import Located, closure_of, resolver_of
from agentzip.validator.index import Index
from agentzip.validator.target import Target
from tests.conftest import Files

SO = "cpython-313-x86_64-linux-gnu.so"


def pkgs(**files: str) -> dict[str, str]:
    """Files under packages/, named with `/` written as `__` (`lib__init` is not used: pass paths)."""
    return {f"packages/{k}": v for k, v in files.items()}


def dist(name: str, version: str, files: dict[str, str], requires: tuple[str, ...] = ()) -> dict[str, str]:
    """An installed distribution: its files under packages/ and a dist-info with Requires-Dist and RECORD."""
    info = f"packages/{name.replace('-', '_')}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires
    )
    record = "".join(f"{p},,\n" for p in files) + f"{info.rsplit('/', 1)[-1]}/METADATA,,\n"
    return {**{f"packages/{p}": body for p, body in files.items()}, f"{info}/METADATA": meta, f"{info}/RECORD": record}


LIB = {"packages/lib/__init__.py": "def hello():\n    pass\n", "packages/lib/sub.py": "x = 1\n"}
STAR = {
    "packages/lib/__init__.py": "from .core import *\n",
    "packages/lib/core.py": "def f():\n    pass\ndef _private():\n    pass\n",
}
STAR_ALL = {
    "packages/lib/__init__.py": "from .core import *\n",
    "packages/lib/core.py": "__all__ = ['f']\ndef f(): pass\ndef g(): pass\n",
}
STAR_DYNAMIC = {
    "packages/lib/__init__.py": "from .core import *\n",
    "packages/lib/core.py": "__all__ = [n for n in dir() if n]\ndef f(): pass\n",
}
RELATIVE = {
    "packages/lib/__init__.py": "",
    "packages/lib/a.py": "from .b import thing\n",
    "packages/lib/b.py": "other = 1\n",
    "packages/lib/sub/__init__.py": "",
    "packages/lib/sub/m.py": "from .. import a\nfrom ..b import other\n",
}
CYCLE = {"a.py": "from b import y\nx = 1\n", "b.py": "from a import x\ny = 1\n"}
CYCLE_BAD = {"a.py": "from b import y\nx = 1\n", "b.py": "from a import nothere\ny = 1\n"}

CASES: list[tuple[str, Files, bool]] = [
    # (case, files, AZ405 fires)
    ("defined", {"main.py": "from lib import hello\n", **LIB}, False),
    ("undefined", {"main.py": "from lib import hi\n", **LIB}, True),
    ("submodule", {"main.py": "from lib import sub\n", **LIB}, False),
    ("import-chain", {"main.py": "import lib.sub\n", **LIB}, False),
    ("import-chain-missing", {"main.py": "import lib.nope\n", **LIB}, True),
    ("star-chain", {"main.py": "from lib import f\n", **STAR}, False),
    ("star-chain-missing", {"main.py": "from lib import g\n", **STAR}, True),
    ("star-private-not-exported", {"main.py": "from lib import _private\n", **STAR}, True),
    ("star-all", {"main.py": "from lib import f\n", **STAR_ALL}, False),
    ("star-all-excludes", {"main.py": "from lib import g\n", **STAR_ALL}, True),
    ("star-dynamic-all", {"main.py": "from lib import g\n", **STAR_DYNAMIC}, False),
    (
        "globals-update",  # psutil._common: `globals().update(NicDuplex.__members__)`
        {"main.py": "from lib import FULL\n", "packages/lib/__init__.py": "globals().update({'FULL': 2})\n"},
        False,
    ),
    ("guarded", {"main.py": "try:\n    from lib import hi\nexcept ImportError:\n    hi = None\n", **LIB}, False),
    (
        "type-checking",
        {"main.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from lib import hi\n", **LIB},
        False,
    ),
    ("in-function", {"main.py": "def run():\n    from lib import hi\n", **LIB}, False),
    ("conditional", {"main.py": "import sys\nif sys.platform == 'win32':\n    from lib import hi\n", **LIB}, False),
    (
        "module-getattr",
        {"main.py": "from lib import anything\n", "packages/lib/__init__.py": "def __getattr__(n): ...\n"},
        False,
    ),
    (
        "extension",
        {
            "main.py": "from lib import fast\n",
            "packages/lib/__init__.py": "from ._speed import *\n",
            f"packages/lib/_speed.{SO}": "\x7fELF",
        },
        False,
    ),
    ("extension-module", {"main.py": "from speed import fast\n", f"packages/speed.{SO}": "\x7fELF"}, False),
    ("relative", {"main.py": "import lib.a\n", **RELATIVE}, True),
    (
        "relative-parent",
        {"main.py": "import lib.sub.m\n", **RELATIVE, "packages/lib/b.py": "other = 1\nthing = 2\n"},
        False,
    ),
    ("cycle", {"main.py": "import a\n", **CYCLE}, False),
    ("cycle-missing", {"main.py": "import a\n", **CYCLE_BAD}, True),
    ("own-module", {"main.py": "from utils import helper\n", "utils.py": "def helpr(): pass\n"}, True),
    ("stdlib", {"main.py": "from os import no_such_name\n"}, False),
    ("not-in-bundle", {"main.py": "from ghost import x\n"}, False),
    ("namespace", {"main.py": "from ns import a\n", "packages/ns/a/__init__.py": ""}, False),
    (
        "sys-modules",
        {"main.py": "import six.moves\n", "packages/six.py": "import sys\nsys.modules['six.moves'] = sys\n"},
        False,
    ),
    ("unparseable", {"main.py": "from lib import hi\n", "packages/lib/__init__.py": "def (:\n"}, False),
]


@pytest.mark.parametrize(("case", "files", "fires"), CASES, ids=[c[0] for c in CASES])
def test_missing_import_name(make_bundle: Callable[[Files], Path], case: str, files: Files, fires: bool) -> None:
    report = check(make_bundle(files), mode="bundled", runtime="python_3_13", select=["AZ405"])
    assert [f.rule for f in report.findings] == (["missing-import-name"] if fires else []), case


def test_remote_build_and_dotnet_are_silent(make_bundle: Callable[[Files], Path]) -> None:
    files = {"main.py": "from lib import hi\n", **LIB}
    assert check(make_bundle(files), mode="remote_build", runtime="python_3_13", select=["AZ405"]).findings == ()
    bad = check(make_bundle(files), mode="bundled", runtime="python_3_13", select=["AZ405"])
    assert len(bad.findings) == 1


MCP2 = {
    "main.py": "\n\nfrom agent_framework import ChatAgent\n",
    **dist(
        "agent-framework-core",
        "1.0.0b251223",
        {
            "agent_framework/__init__.py": '"""Doc."""\nfrom ._agents import ChatAgent\n',
            "agent_framework/_agents.py": (
                "import json\nfrom mcp.shared.exceptions import McpError\nclass ChatAgent: ...\n"
            ),
        },
        requires=("mcp[ws]>=1.23", "pydantic>=2"),
    ),
    **dist(
        "mcp",
        "2.3.0",
        {
            "mcp/__init__.py": "",
            "mcp/shared/__init__.py": "",
            "mcp/shared/exceptions.py": "class MCPError(Exception): ...\n",
        },
    ),
}


def test_the_finding_names_the_chain_the_versions_and_the_pin(make_bundle: Callable[[Files], Path]) -> None:
    (f,) = check(make_bundle(MCP2), mode="bundled", runtime="python_3_13", select=["AZ405"]).findings
    assert (f.path, f.line) == ("packages/agent_framework/_agents.py", 2)
    assert (
        "main.py:3 -> packages/agent_framework/__init__.py:2 -> packages/agent_framework/_agents.py:2 -> "
        "packages/mcp/shared/exceptions.py" in f.message
    )
    assert "`from mcp.shared.exceptions import McpError` fails: mcp 2.3.0's" in f.message
    assert "(it has `MCPError`)" in f.message
    assert "imported by agent-framework-core 1.0.0b251223" in f.message
    assert "agent-framework-core 1.0.0b251223 requires mcp[ws]>=1.23" in f.message
    assert "`mcp<2` in requirements.txt" in f.hint


def test_own_code_gets_a_define_hint_and_suggestions(make_bundle: Callable[[Files], Path]) -> None:
    files = {"main.py": "from utils import helper\n", "utils.py": "def helpers(): pass\n"}
    (f,) = check(make_bundle(files), mode="bundled", runtime="python_3_13", select=["AZ405"]).findings
    assert "(it has `helpers`)" in f.message and "define `helper` in utils.py" in f.hint


def test_one_finding_per_missing_name_with_every_importer(make_bundle: Callable[[Files], Path]) -> None:
    files = {"main.py": "import a\nimport b\n", "a.py": "from lib import hi\n", "b.py": "from lib import hi\n", **LIB}
    (f,) = check(make_bundle(files), mode="bundled", runtime="python_3_13", select=["AZ405"]).findings
    assert f.paths == ("a.py", "b.py") and "also at b.py:1" in f.message


def _index(path: Path) -> Index:
    return Index(Bundle.open(path), Target(runtime="python_3_13", mode="bundled"), 1 << 30)


def test_the_budget_stops_the_walk_and_says_so(
    make_bundle: Callable[[Files], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # content seen nowhere else: a parse cached by an earlier test would not count against the budget
    files = {
        "main.py": "import a  # budget\n",
        "a.py": "import b  # budget\n",
        "b.py": "from lib import hi  # budget\n",
        **LIB,
    }
    monkeypatch.setattr(closure_mod, "MAX_FILES", 2)
    c = closure_of(_index(make_bundle(files)))
    assert c.over_budget is not None and c.missing == [] and c.files_parsed == 2
    monkeypatch.setattr(names_mod, "_CACHE", {})  # parsed again: the budget counts parses, not cache hits
    report = check(make_bundle(files), mode="bundled", runtime="python_3_13", select=["AZ405"])
    assert [(f.severity.label, "not checked" in f.message) for f in report.findings] == [("info", True)]


def test_counters_measure_the_walk(make_bundle: Callable[[Files], Path]) -> None:
    files = {
        "main.py": "from lib import hello\nimport lib.sub  # counters\n",
        **LIB,
        "packages/lib/sub.py": "y = 1  # counters\n",
    }
    c = closure_of(_index(make_bundle(files)))
    assert (c.modules_visited, c.missing) == (3, [])
    assert c.files_parsed >= 2  # main.py and lib/sub.py are new; lib/__init__.py may come from the cache
    assert c.bytes_parsed > 0 and c.seconds >= 0


def test_the_resolver_adapter_finds_each_kind(make_bundle: Callable[[Files], Path]) -> None:
    files = {
        "main.py": "",
        "local.py": "",
        **LIB,
        "packages/ns/a/__init__.py": "",
        f"packages/speed.{SO}": "\x7fELF",
        "packages/old.pyc": "",
    }
    find = resolver_of(_index(make_bundle(files)))
    assert find("local") == Located("module", "local.py")
    assert find("lib") == Located("package", "packages/lib/__init__.py")
    assert find("lib.sub") == Located("module", "packages/lib/sub.py")
    assert find("ns") == Located("namespace", "packages/ns/")
    assert find("ns.a") == Located("package", "packages/ns/a/__init__.py")
    assert find("speed") == Located("extension", f"packages/speed.{SO}")
    assert find("old") == Located("bytecode", "packages/old.pyc")
    assert find("os.path") == Located("stdlib", None)
    assert find("sys") == Located("builtin", None)
    assert find("ghost") is None and find("lib.ghost") is None and find("lib.sub.x") is None


# -- real wheels (fixtures/realwheels.py): the closure against what CPython 3.13 does -------------


def _real(name: str, kind: str = "zip") -> Path:
    realwheels = pytest.importorskip("fixtures.realwheels", reason="the real-wheel recipes are not in this checkout")
    path: Path = realwheels.bundle_zip(name) if kind == "zip" else realwheels.bundle(name)
    return path


@pytest.mark.network
@pytest.mark.parametrize("kind", ["zip", "folder"])
def test_mcp2_bundle_gets_az405_for_mcp_error(kind: str) -> None:
    findings = check(_real("agent-framework-mcp2", kind), mode="bundled", select=["AZ405"]).findings
    (f,) = [f for f in findings if "McpError" in f.message]
    assert f.severity.label == "error" and (f.path, f.line) == ("packages/agent_framework/_agents.py", 15)
    assert "mcp 2.3.0's `mcp.shared.exceptions` has no `McpError` (it has `MCPError`)" in f.message
    assert f.message.split(";")[0].endswith("-> packages/mcp/shared/exceptions.py")
    assert f.message.startswith("`from mcp.shared.exceptions import McpError` fails") and "main.py:1 -> " in f.message
    assert "agent-framework-core 1.0.0b251223 requires mcp[ws]>=1.23" in f.message
    assert "`mcp<2`" in f.hint


@pytest.mark.network
@pytest.mark.parametrize("name", ["agent-framework-pinned", "good"])
def test_bundles_that_import_get_no_az405(name: str) -> None:
    assert check(_real(name), mode="bundled", select=["AZ405"]).findings == ()


@pytest.mark.network
@pytest.mark.parametrize(("name", "imports"), [("agent-framework-mcp2", False), ("agent-framework-pinned", True)])
def test_cpython_agrees_with_az405(name: str, imports: bool) -> None:
    from agentzip import importtest

    try:
        interpreter = importtest.find_interpreter((3, 13))
    except importtest.NotRunnable as e:
        pytest.skip(f"no CPython 3.13 to compare with: {e}")
    folder = _real(name, "folder")
    (result,) = importtest.import_modules(interpreter, folder, ["agent_framework"], sys_path=("", "packages"))
    fires = bool(check(folder, mode="bundled", select=["AZ405"]).findings)
    assert result.ok is imports, result.error
    assert fires is not imports
    if not imports:
        assert "McpError" in (result.error or "")
