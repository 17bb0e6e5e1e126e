"""Index.imports and local modules: bundles declared as data, read as a zip and as a folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentzip.foundry import SIZE_LIMIT
from agentzip.validator.bundle import Bundle
from agentzip.validator.importnames import candidate_projects, import_key, import_names_for_project
from agentzip.validator.imports import ImportRef, scan_imports
from agentzip.validator.index import Index
from agentzip.validator.stdlib import added_after, is_stdlib, list_version, pyc_version, removal
from agentzip.validator.target import resolve_target
from tests.conftest import Files

MakeBundle = Callable[[Files], Path]


def index_of(make_bundle: MakeBundle, files: Files, **target: Any) -> Index:
    bundle = Bundle.open(make_bundle(files))
    return Index(bundle, resolve_target(bundle, **target), SIZE_LIMIT)


def found(index: Index) -> set[tuple[str, str, int]]:
    """Imports read by the parser; a host older than the target adds approximate ones (see below)."""
    return {(i.name, i.file, i.line) for i in index.imports.imports if not i.approximate}


def one(index: Index, name: str) -> ImportRef:
    (ref,) = [i for i in index.imports.imports if i.name == name]
    return ref


RECORD_SIX = "six.py,,\nsix-1.16.0.dist-info/METADATA,,\n"

CASES: list[tuple[str, Files, set[tuple[str, str, int]]]] = [
    # (what, files, expected (name, file, line) set)
    (
        "plain and from",
        {"main.py": "import os, json as j\nfrom azure.identity import DefaultAzureCredential\n"},
        {("os", "main.py", 1), ("json", "main.py", 1), ("azure.identity", "main.py", 2)},
    ),
    (
        "relative imports resolved against the package",
        {
            "main.py": "import app\n",
            "app/__init__.py": "from . import util\nfrom .sub import x\n",
            "app/util.py": "",
            "app/sub/__init__.py": "from .. import util\nfrom ..util import y\n",
        },
        {
            ("app", "main.py", 1),
            ("app", "app/__init__.py", 1),
            ("app.sub", "app/__init__.py", 2),
            ("app", "app/sub/__init__.py", 1),
            ("app.util", "app/sub/__init__.py", 2),
        },
    ),
    (
        "relative in a plain module of a package",
        {"app/__init__.py": "", "app/m.py": "from .n import z\n"},
        {("app.n", "app/m.py", 1)},
    ),
    (
        "dynamic imports with literals only",
        {
            "main.py": "import importlib\nimportlib.import_module('yaml')\n__import__('json')\n"
            "importlib.import_module(name)\nimportlib.import_module('.x', package='app')\n"
        },
        {("importlib", "main.py", 1), ("yaml", "main.py", 2), ("json", "main.py", 3), ("app.x", "main.py", 5)},
    ),
    (
        "a file that does not parse is skipped, the others are read",
        {"main.py": "import httpx\n", "broken.py": "def f(:\n    import nope\n"},
        {("httpx", "main.py", 1)},
    ),
    (
        "Python 2 and non-UTF-8 files are skipped",
        {"main.py": "import a\n", "old.py": "print 'hi'\nimport urllib2\n", "latin.py": b"x = '\xe9'\nimport b\n"},
        {("a", "main.py", 1)},
    ),
    (
        "a coding cookie is honoured",
        {"main.py": b"# -*- coding: latin-1 -*-\nx = '\xe9'\nimport c\n"},
        {("c", "main.py", 3)},
    ),
    (
        "dependencies, junk and root-installed distributions are not the agent's code",
        {
            "main.py": "import six\n",
            "packages/requests/__init__.py": "import urllib3\n",
            ".venv/lib/x.py": "import junk\n",
            "six.py": "import nope\n",
            "six-1.16.0.dist-info/METADATA": "Name: six\nVersion: 1.16.0\n",
            "six-1.16.0.dist-info/RECORD": RECORD_SIX,
        },
        {("six", "main.py", 1)},
    ),
    (
        "a namespace folder is read only when the agent imports it",
        {"main.py": "import tools.a\n", "tools/a.py": "import numpy\n", "scripts/deploy.py": "import fabric\n"},
        {("tools.a", "main.py", 1), ("numpy", "tools/a.py", 1)},
    ),
    (
        "a regular package is read even if nothing imports it",
        {"main.py": "", "pkg/__init__.py": "import pandas\n"},
        {("pandas", "pkg/__init__.py", 1)},
    ),
    (
        "a folder whose name cannot be imported is not read",
        {"main.py": "", "my-scripts/x.py": "import fabric\n"},
        set(),
    ),
]


@pytest.mark.parametrize(("what", "files", "expected"), CASES, ids=[c[0] for c in CASES])
def test_imports_found(make_bundle: MakeBundle, what: str, files: Files, expected: set[tuple[str, str, int]]) -> None:
    assert found(index_of(make_bundle, files)) == expected


def test_optional_type_checking_and_guards(make_bundle: MakeBundle) -> None:
    src = (
        "from typing import TYPE_CHECKING\n"
        "import typing\n"
        "if TYPE_CHECKING:\n    import tc_a\nelse:\n    import tc_else\n"
        "if typing.TYPE_CHECKING:\n    import tc_b\n"
        "try:\n    import ujson\nexcept ImportError:\n    import fallback\n"
        "try:\n    import opt2\nexcept (ValueError, ModuleNotFoundError):\n    pass\n"
        "try:\n    import required\nexcept ValueError:\n    pass\n"
        "import sys\nif sys.platform == 'win32':\n    import winreg\n"
        "if sys.version_info < (3, 11):\n    import tomli\n"
        "def f():\n    try:\n        import lazy_opt\n    except Exception:\n        pass\n"
    )
    index = index_of(make_bundle, {"main.py": src})
    assert one(index, "tc_a").type_checking and one(index, "tc_b").type_checking
    assert not one(index, "tc_else").type_checking
    assert one(index, "ujson").optional and one(index, "ujson").guard == "try/except ImportError"
    assert not one(index, "fallback").optional
    assert one(index, "opt2").optional
    assert not one(index, "required").optional
    assert one(index, "winreg").guard == "platform check"
    assert one(index, "tomli").guard == "version check"
    assert one(index, "lazy_opt").optional
    assert one(index, "tc_a").at_runtime is False and one(index, "fallback").at_runtime


def test_broken_relative_and_skipped_are_recorded(make_bundle: MakeBundle) -> None:
    index = index_of(make_bundle, {"main.py": "from . import utils\n", "utils.py": "", "bad.py": "def (\n"})
    (bad,) = index.imports.broken_relative
    assert (bad.where, bad.text) == ("main.py:1", "from . import utils")
    assert [s.path for s in index.imports.skipped] == ["bad.py"]
    assert "does not parse" in index.imports.skipped[0].reason


def test_sys_path_edits_are_noticed(make_bundle: MakeBundle) -> None:
    index = index_of(make_bundle, {"main.py": "import sys\nsys.path.insert(0, 'packages')\n"})
    assert index.imports.edits_sys_path


def test_entry_point_in_a_folder_is_the_base(make_bundle: MakeBundle) -> None:
    files = {"src/main.py": "import helpers\n", "src/helpers.py": "import httpx\n", "other.py": "import nope\n"}
    index = index_of(make_bundle, files, entry_point="src/main.py")
    assert index.source_base == "src"
    assert set(index.local_modules) == {"main", "helpers"}
    assert {i.name for i in index.imports.imports} == {"helpers", "httpx"}


def test_local_modules(make_bundle: MakeBundle) -> None:
    files: Files = {
        "main.py": "",
        "foo/__init__.py": "",
        "ns/data.json": "{}",
        "fast.cpython-313-x86_64-linux-gnu.so": b"\x7fELF",
        "old.cpython-311-x86_64-linux-gnu.so": b"\x7fELF",
        "abi.abi3.so": b"\x7fELF",
        "my-thing/x.py": "",
        "packages/requests/__init__.py": "",
        ".venv/bin/python": "",
        "README.md": "",
    }
    local = index_of(make_bundle, files).local_modules
    assert {n: m.kind for n, m in local.items()} == {
        "main": "module",
        "foo": "package",
        "ns": "namespace",
        "fast": "extension",
        "abi": "extension",
    }
    assert local["foo"].path == "foo/"


def test_budget_and_file_limit(tmp_path: Path) -> None:
    from tests.conftest import write_folder

    root = write_folder(tmp_path / "b", {"main.py": "import a\n", "big.py": "import b\n" + "#" * 5000})
    bundle = Bundle.open(root)
    index = Index(bundle, resolve_target(bundle), SIZE_LIMIT)
    scan = scan_imports(bundle, index.own_files, index.local_modules, "", (3, 13), file_limit=1000)
    assert {i.name for i in scan.imports} == {"a"}
    assert [s.path for s in scan.skipped] == ["big.py"]
    scan = scan_imports(bundle, index.own_files, index.local_modules, "", (3, 13), budget=100)
    assert [s.path for s in scan.skipped] == ["big.py"]  # read in path order: big.py busts the budget


def test_line_scan_when_the_host_is_older_than_the_target(tmp_path: Path) -> None:
    from tests.conftest import write_folder

    # `type X = ...` is 3.12 syntax; a target newer than any host forces the fallback everywhere.
    src = "import os\ntype Alias = list[int]\nfrom .sibling import x\nfrom yaml import safe_load\n"
    root = write_folder(tmp_path / "b", {"pkg/__init__.py": "", "pkg/m.py": src, "main.py": "import pkg.m\n"})
    bundle = Bundle.open(root)
    index = Index(bundle, resolve_target(bundle), SIZE_LIMIT)
    scan = scan_imports(bundle, index.own_files, index.local_modules, "", (99, 0))
    names = {(i.name, i.approximate) for i in scan.imports if i.file == "pkg/m.py"}
    import sys

    if sys.version_info < (3, 12):
        assert names == {("os", True), ("pkg.sibling", True), ("yaml", True)}
        assert scan.approximate == ("pkg/m.py",)
        (skipped,) = scan.skipped
        assert skipped.path == "pkg/m.py" and "imports found line by line" in skipped.reason
    else:
        assert names == {("os", False), ("pkg.sibling", False), ("yaml", False)}


# -- stdlib.py and importnames.py ------------------------------------------------------------


def test_target_stdlib_not_the_hosts() -> None:
    assert is_stdlib("json.decoder", (3, 13)) and is_stdlib("tomllib", (3, 13))
    assert not is_stdlib("cgi", (3, 13)) and not is_stdlib("distutils", (3, 12))
    assert not is_stdlib("annotationlib", (3, 13)) and is_stdlib("annotationlib", (3, 14))
    assert added_after("annotationlib", (3, 13)) == "3.14"
    r = removal("distutils.core", (3, 13))
    assert r is not None and r.removed_in == "3.12"
    assert removal("cgi", (3, 12)) is None
    assert list_version((3, 99)) == list_version((3, 14))  # newer than any list: the newest


def test_pyc_magic() -> None:
    assert pyc_version((3571).to_bytes(2, "little") + b"\r\n") == (3, 13)
    assert pyc_version((3627).to_bytes(2, "little") + b"\r\n") == (3, 14)
    assert pyc_version((3495).to_bytes(2, "little") + b"\r\n") == (3, 11)
    assert pyc_version(b"PK\x03\x04") is None


@pytest.mark.parametrize(
    ("name", "key", "project"),
    [
        ("yaml.loader", "yaml", "pyyaml"),
        ("cv2", "cv2", "opencv-python"),
        ("PIL.Image", "PIL", "pillow"),
        ("google.protobuf.message", "google.protobuf", "protobuf"),
        ("azure.identity.aio", "azure.identity", "azure-identity"),
        ("azure.ai.agentserver.responses", "azure.ai.agentserver.responses", "azure-ai-agentserver-responses"),
        ("requests.adapters", "requests", "requests"),
        ("requests", "requests", "requests"),
        ("typing_extensions", "typing_extensions", "typing-extensions"),
    ],
)
def test_import_names(name: str, key: str, project: str) -> None:
    assert import_key(name) == key
    assert project in candidate_projects(name)


def test_namespace_candidates_and_reverse() -> None:
    assert "azure-identity" in candidate_projects("azure.identity.aio")
    assert "azure-ai-projects" in candidate_projects("azure.ai.projects")
    assert "azure" not in candidate_projects("azure.identity")
    assert import_names_for_project("PyYAML") == ("yaml",)
    assert import_names_for_project("azure-identity") == ("azure.identity",)
    assert import_names_for_project("azure-ai-projects") == ("azure.ai.projects",)
    assert candidate_projects("requests.adapters") == ("requests",)
    assert import_names_for_project("openai") == ("openai",)


# -- hostile sources -----------------------------------------------------------------------------

# 600 chained operators parse but overflow a recursive visitor; 5000 overflow the parser itself.
DEEP = [("import os\nx = " + "+".join(["1"] * n) + "\n").encode() for n in (600, 5000)]


@pytest.mark.parametrize("source", DEEP, ids=["visitor", "parser"])
def test_deeply_nested_source_is_unparsed_not_a_traceback(source: bytes) -> None:
    from agentzip.validator.importparse import imports_in, read_imports

    found = read_imports(source, "deep.py", "deep.py")
    assert found.problem == "does not parse (nested too deeply)" and found.imports == []
    assert imports_in(source, "deep.py", "deep.py") == []


@pytest.mark.parametrize("source", DEEP, ids=["visitor", "parser"])
def test_deeply_nested_module_in_a_bundle(make_bundle: MakeBundle, source: bytes) -> None:
    from agentzip.api import check

    files = {"main.py": "import deep\nimport json\n", "deep.py": source, "requirements.txt": ""}
    index = index_of(make_bundle, files, runtime="python_3_13", mode="bundled")
    assert ("json", "main.py", 2) in found(index)
    (skipped,) = index.imports.skipped
    assert skipped.path == "deep.py" and "nested too deeply" in skipped.reason
    report = check(make_bundle(files), runtime="python_3_13", mode="bundled", select=["unresolved-import"])
    assert [(f.path, f.severity.name) for f in report.findings] == [("deep.py", "WARNING")]
