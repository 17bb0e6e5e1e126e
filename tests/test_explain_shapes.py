"""explain on the import shapes real packages use: re-raising guards, shims, module constants, old namespaces.

Each shape has a bad twin (its native file built for CPython 3.12, or pkg_resources absent), where
Python's import raises, and a good twin, where it does not; every bundle runs as a zip and a folder.
"""

from __future__ import annotations

import ast
import time
from pathlib import Path
from typing import Any

import pytest

from agentzip.explain import Diagnosis
from agentzip.validator.conditions import added_path, decide, global_names, module_constants
from agentzip.validator.finder import Finder
from agentzip.validator.importrun import ImportRun
from tests.elves import shared_object
from tests.test_explain import native_dist, one

GOOD_SO, BAD_SO = ".cpython-313-x86_64-linux-gnu.so", ".cpython-312-x86_64-linux-gnu.so"
TAGS = ("cp312-cp312-manylinux2014_x86_64",)

# numpy's __init__: a guard whose handler re-raises with its own words catches nothing for good.
RERAISE = (
    "try:\n    from ._core import run\nexcept ImportError as e:\n"
    "    msg = 'Error importing fastcore'\n    raise ImportError(msg) from e\n"
)
# PyYAML's `_yaml` shim: it re-imports the package's native module or raises.
SHIM = (
    "import fastcore\n"
    "if not getattr(fastcore, '__with_native__', False):\n"
    "    raise ModuleNotFoundError(\"No module named '_fastcore'\")\n"
    "else:\n    from fastcore._core import *\n"
)
FASTCORE_INIT = (
    "try:\n    from ._core import run\n    __with_native__ = True\nexcept ImportError:\n    __with_native__ = False\n"
)
# numpy's __NUMPY_SETUP__: a name the module binds once, to a constant, decides the branch.
SETUP = (
    "try:\n    __FASTCORE_SETUP__\nexcept NameError:\n    __FASTCORE_SETUP__ = False\n"
    "if __FASTCORE_SETUP__:\n    import sys\nelse:\n    from ._core import run\n"
)


def _fastcore(init: str, suffix: str, extra: dict[str, bytes | str] | None = None) -> dict[str, Any]:
    files: dict[str, bytes | str] = {"fastcore/__init__.py": init, f"fastcore/_core{suffix}": shared_object()}
    return {
        "main.py": "import fastcore\n",
        "requirements.txt": "fastcore\n",
        **native_dist("fastcore", {**files, **(extra or {})}, TAGS),
    }


def _verdicts(path: Path, *modules: str) -> list[str]:
    return [one(path, m).verdict for m in modules]


@pytest.mark.parametrize("suffix", [GOOD_SO, BAD_SO])
def test_a_handler_that_reraises_does_not_guard(make_bundle, suffix: str) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle(_fastcore(RERAISE, suffix)), "fastcore")
    if suffix == GOOD_SO:
        assert d.verdict == "imports", d.message
    else:
        assert (d.verdict, d.code) == ("fails", "AZ306"), d.message
        assert "fastcore/__init__.py:2" in d.message and "fastcore._core" in d.message


def test_a_handler_that_falls_back_still_guards(make_bundle) -> None:  # type: ignore[no-untyped-def]
    init = "try:\n    from ._core import run\nexcept ImportError:\n    run = None\n"
    assert one(make_bundle(_fastcore(init, BAD_SO)), "fastcore").verdict == "imports-fallback"


@pytest.mark.parametrize(("suffix", "verdicts"), [(GOOD_SO, ["imports", "imports"]), (BAD_SO, ["fails", "fails"])])
def test_a_shim_that_reimports_or_raises(make_bundle, suffix: str, verdicts: list[str]) -> None:  # type: ignore[no-untyped-def]
    """`import _fastcore` raises whichever branch runs when the native module does not load."""
    files = _fastcore(FASTCORE_INIT, suffix, {"_fastcore/__init__.py": SHIM})
    path = make_bundle(files)
    assert _verdicts(path, "_fastcore", "_fastcore") == verdicts
    assert one(path, "fastcore").verdict == ("imports" if suffix == GOOD_SO else "imports-fallback")


def test_a_branch_beside_one_that_does_not_raise_stays_conditional(make_bundle) -> None:  # type: ignore[no-untyped-def]
    shim = "import fastcore\nif not getattr(fastcore, 'x', False):\n    pass\nelse:\n    from fastcore._core import *\n"
    files = _fastcore(FASTCORE_INIT, BAD_SO, {"_fastcore/__init__.py": shim})
    assert one(make_bundle(files), "_fastcore").verdict != "fails"


@pytest.mark.parametrize(("suffix", "verdict"), [(GOOD_SO, "imports"), (BAD_SO, "fails")])
def test_a_module_constant_decides_the_branch(make_bundle, suffix: str, verdict: str) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle(_fastcore(SETUP, suffix)), "fastcore")
    assert d.verdict == verdict, d.message


def test_module_constants_are_names_bound_once_to_a_constant() -> None:
    tree = ast.parse(
        "A = False\nB = 1\nB = 2\nC = compute()\nimport D\nD = True\nfor E in x: pass\nE = 1\n"
        "def f():\n    global G\n    G = 1\nG = 'x'\ntry:\n    H\nexcept NameError:\n    H = None\n"
    )
    source = ast.unparse(tree).encode()
    assert global_names(source) == {"G"}
    assert module_constants(tree, global_names(source)) == {"A": (False, 1), "H": (None, 16)}
    assert "G" in module_constants(tree)  # function bodies are not parsed: `global` is found by text
    test = ast.parse("not A and B == 'x'", mode="eval").body
    assert decide(test, (3, 13), {"A": False, "B": "x"}) is True
    assert decide(test, (3, 13), {"A": True}) is False
    assert decide(test, (3, 13)) is None


# PyFilesystem2's fs/__init__.py: the namespace declared the pkg_resources way, then real code.
DECLARE = '__import__("pkg_resources").declare_namespace(__name__)\n\nfrom . import path\n'


def _fs(with_pkg_resources: bool) -> dict[str, Any]:
    from tests.test_rules_dependencies import dist

    files: dict[str, Any] = {
        "main.py": "import fs\n",
        "requirements.txt": "fs\n",
        **dist("fs", "2.4.16", modules=["fs/__init__.py", "fs/path.py"]),
        "packages/fs/__init__.py": DECLARE,
        "packages/fs/path.py": "",
        **dist("setuptools", "84.2.1" if not with_pkg_resources else "80.9.0", modules=["setuptools/__init__.py"]),
        "packages/setuptools/__init__.py": "",
    }
    if with_pkg_resources:
        files["packages/pkg_resources/__init__.py"] = "def declare_namespace(name): pass\n"
    return files


@pytest.mark.parametrize("with_pkg_resources", [True, False])
def test_a_pkg_resources_namespace_needs_pkg_resources(make_bundle, with_pkg_resources: bool) -> None:  # type: ignore[no-untyped-def]
    path = make_bundle(_fs(with_pkg_resources))
    d: Diagnosis = one(path, "fs")
    if with_pkg_resources:
        assert d.verdict == "imports", d.message
        assert one(path, "fs.path").verdict == "imports"
        return
    assert (d.verdict, d.cause) == ("fails", "dependency-missing"), d.message
    assert "No module named 'pkg_resources'" in d.message and "fs/__init__.py:1" in d.message
    assert "setuptools 84.2.1 is bundled" in d.message and '"setuptools<82"' in d.fix
    assert one(path, "fs.path").verdict == "fails"


def test_caught_failures_stay_few_however_many_paths_lead_to_them() -> None:
    """Thirty-six modules, each importing the two below it, over one guarded broken native: every path to it
    is a separate catch, and a module's outcome must not hold one per path (fibonacci(36), some 15 million)."""
    files: dict[str, bytes] = {"pkg/__init__.py": b"", "pkg/_core" + BAD_SO: b""}
    files["pkg/m0.py"] = b"try:\n    from pkg import _core\nexcept ImportError:\n    pass\n"
    files["pkg/m1.py"] = b"import pkg.m0\n"
    for i in range(2, 36):
        files[f"pkg/m{i}.py"] = f"import pkg.m{i - 1}\nimport pkg.m{i - 2}\n".encode()
    dirs = {"pkg"}
    finder = Finder(files, dirs, "", (3, 13))
    run = ImportRun(finder, files.get, {"pkg/_core" + BAD_SO: "an extension for CPython 3.12"})
    started = time.process_time()
    out = run.run("pkg.m35")
    assert out.ok and [c.outcome.native for c in out.caught] == ["pkg/_core" + BAD_SO]
    assert time.process_time() - started < 2


# pkg_resources and setuptools put their vendored folder on sys.path before importing from it.
VENDOR = (
    "import os, sys\n"
    "sys.path.extend(((vendor_path := os.path.join(os.path.dirname(os.path.dirname(__file__)), 'tool', '_vendor'))"
    " not in sys.path) * [vendor_path])\n"
    "from vendored.markers import Marker\n"
)


@pytest.mark.parametrize("shipped", [True, False])
def test_a_folder_added_to_sys_path_is_searched_after_it_is_added(make_bundle, shipped: bool) -> None:  # type: ignore[no-untyped-def]
    files: dict[str, Any] = {"main.py": "import tool\n", "requirements.txt": "", "packages/tool/__init__.py": VENDOR}
    if shipped:
        files["packages/tool/_vendor/vendored/__init__.py"] = ""
        files["packages/tool/_vendor/vendored/markers.py"] = "from ._parser import x\nMarker = 1\n"
        files["packages/tool/_vendor/vendored/_parser.py"] = "x = 1\n"
    d = one(make_bundle(files), "tool")
    assert d.verdict == ("imports" if shipped else "fails"), d.message
    # the folder is searched only once the module that adds it has run
    assert one(make_bundle(files), "vendored").verdict == "fails"


def test_setuptools_serves_distutils_once_its_hack_ran(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files: dict[str, Any] = {
        "main.py": "import setuptools\n",
        "requirements.txt": "",
        "packages/_distutils_hack/__init__.py": "def do_override(): pass\n",
        "packages/_distutils_hack/override.py": "__import__('_distutils_hack').do_override()\n",
        "packages/setuptools/__init__.py": "import _distutils_hack.override\nimport distutils.core\n",
        "packages/setuptools/_distutils/__init__.py": "",
        "packages/setuptools/_distutils/core.py": "",
    }
    path = make_bundle(files)
    assert one(path, "setuptools").verdict == "imports"
    without = {**files, "packages/setuptools/__init__.py": "import distutils.core\n"}
    assert one(make_bundle(without), "setuptools").verdict == "fails"


@pytest.mark.parametrize("hooked", [True, False])
def test_an_importer_on_meta_path_serves_its_modules_submodules(make_bundle, hooked: bool) -> None:  # type: ignore[no-untyped-def]
    six = "import sys\nclass _Importer: pass\n" + ("sys.meta_path.append(_Importer())\n" if hooked else "")
    files = {
        "main.py": "",
        "requirements.txt": "",
        "packages/six.py": six,
        "packages/user.py": "from six.moves import urllib\n",
    }
    assert one(make_bundle(files), "user").verdict == ("imports" if hooked else "fails")


@pytest.mark.parametrize(
    ("source", "folder"),
    [
        ("sys.path.append(os.path.join(os.path.dirname(__file__), 'lib'))", "packages/tool/lib"),
        ("sys.path.insert(0, str(Path(__file__).parent / 'lib'))", "packages/tool/lib"),
        ("sys.path.append(os.path.abspath(os.path.join(os.path.dirname(__file__), '..', 'x')))", "packages/x"),
        ("sys.path.append(os.environ['HOME'])", None),
        ("sys.path.append(__file__)", None),
    ],
)
def test_added_path_reads_paths_built_from_file(source: str, folder: str | None) -> None:
    call = ast.parse(source).body[0].value  # type: ignore[attr-defined]
    assert added_path(call, "packages/tool/__init__.py") == folder
