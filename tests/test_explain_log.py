"""`explain --log` names the cause `explain -m` names for the module whose import the traceback shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentzip.api import explain
from agentzip.explain import Diagnosis
from agentzip.logscan import scan
from tests.elves import shared_object
from tests.test_binaries import pe_file
from tests.test_rules_dependencies import dist

B: dict[str, Any] = {"mode": "bundled", "runtime": "python_3_13"}
ROOT = "/root/.cache/agentzip/fixtures/bundles/some-bundle"
PY312 = ".cpython-312-x86_64-linux-gnu.so"


def logged(path: Path, log: str) -> list[Diagnosis]:
    return list(explain(path, log=log, **B).diagnoses)


def module(path: Path, name: str) -> Diagnosis:
    (d,) = explain(path, modules=[name], **B).diagnoses
    return d


def _native(name: str, files: dict[str, bytes | str], tags: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = dist(name, "2.0", tags=tags, modules=list(files))
    out.update({f"packages/{p}": data for p, data in files.items()})
    return out


# -- `from pkg import x` where pkg/ is an empty namespace beside a foreign native ------------------


def _namespace_beside(binary: bytes, suffix: str) -> dict[str, Any]:
    files = {"fastcore/__init__.py": "", f"fastcore/_rust{suffix}": binary, "fastcore/_rust/__init__.pyi": ""}
    return {"main.py": "import fastcore\n", **_native("fastcore", files, ("cp313-cp313-win_amd64",))}


def test_a_name_from_a_namespace_beside_a_windows_native_fails_for_the_native(make_bundle) -> None:  # type: ignore[no-untyped-def]
    path = make_bundle(_namespace_beside(pe_file(0x8664), ".pyd"))
    log = "ImportError: cannot import name 'exceptions' from 'fastcore._rust' (unknown location)\n"
    (d,) = logged(path, log)
    assert (d.verdict, d.cause, d.code) == ("fails", "windows", "AZ301"), d.message
    assert "`from fastcore._rust import exceptions` fails" in d.message and "packages/fastcore/_rust.pyd" in d.paths
    # the module alone still imports (as an empty namespace): module mode keeps its verdict
    assert module(path, "fastcore._rust").verdict == "fails-when-used"


def test_a_name_from_a_loadable_native_is_not_blamed_on_the_platform(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {"fastcore/__init__.py": "", "fastcore/_rust.abi3.so": shared_object()}
    path = make_bundle({"main.py": "import fastcore\n", **_native("fastcore", files, ("cp313-abi3-linux_x86_64",))})
    (d,) = logged(path, "ImportError: cannot import name 'exceptions' from 'fastcore._rust' (unknown location)\n")
    assert d.verdict != "fails" and d.cause not in ("windows", "abi"), d.message


# -- `from pkg import sub` where sub exists only as an extension for another Python ---------------


@pytest.mark.parametrize("loads", [False, True])
def test_a_submodule_that_is_only_a_foreign_native_is_named(make_bundle, loads: bool) -> None:  # type: ignore[no-untyped-def]
    suffix = ".abi3.so" if loads else PY312
    files = {"lxmlish/__init__.py": "", f"lxmlish/etree{suffix}": shared_object()}
    path = make_bundle({"main.py": "import lxmlish\n", **_native("lxmlish", files, ("cp312-cp312-linux_x86_64",))})
    log = f"ImportError: cannot import name 'etree' from 'lxmlish' ({ROOT}/packages/lxmlish/__init__.py)\n"
    (d,) = logged(path, log)
    if loads:
        assert d.verdict != "fails", d.message
        return
    assert (d.verdict, d.cause) == ("fails", module(path, "lxmlish.etree").cause) == ("fails", "abi"), d.message
    assert f"packages/lxmlish/etree{PY312}" in d.paths and d.name == "etree"


# -- musl's C library is no system library to add ----------------------------------------------

MUSL_LOG = "ImportError: libc.musl-x86_64.so.1: cannot open shared object file: No such file or directory\n"


@pytest.mark.parametrize("musl", [True, False])
def test_a_missing_musl_libc_names_the_musl_binaries(make_bundle, musl: bool) -> None:  # type: ignore[no-untyped-def]
    if musl:
        so = shared_object(("libc.musl-x86_64.so.1",), ())
        files = {"fastcore/__init__.py": "from ._core import run\n", "fastcore/_core.abi3.so": so}
        tags = ("cp313-abi3-musllinux_1_2_x86_64",)
    else:
        files = {"fastcore/__init__.py": "from ._core import run\n", "fastcore/_core.abi3.so": shared_object()}
        tags = ("cp313-abi3-manylinux2014_x86_64",)
    path = make_bundle({"main.py": "import fastcore\n", **_native("fastcore", files, tags)})
    (d,) = logged(path, MUSL_LOG)
    if not musl:  # nothing in the bundle needs it: the log speaks of something else
        assert d.cause == "system-library-missing", d.message
        return
    assert (d.verdict, d.cause, d.code) == ("fails", "musl", "AZ304"), d.message
    assert d.cause == module(path, "fastcore").cause and "packages/fastcore/_core.abi3.so" in d.paths


# -- an error no pattern knows: the module whose load raised it --------------------------------

NUMPYISH = f"""\
Traceback (most recent call last):
  File "/app/main.py", line 1, in <module>
    import numpyish
  File "{ROOT}/packages/numpyish/__init__.py", line 4, in <module>
    raise ImportError(msg) from e
ImportError: Error importing numpyish: you should not try to import numpyish from
        its source directory; please exit the numpyish source tree.
"""
RUNTIME = """\
Traceback (most recent call last):
  File "/app/main.py", line 9, in handle
    return numpyish.run()
  File "/app/packages/numpyish/core.py", line 2, in run
    raise ValueError("bad input")
ValueError: bad input
"""


def _numpyish(suffix: str) -> dict[str, Any]:
    init = (
        "try:\n    from ._core import run\nexcept ImportError as e:\n    raise ImportError('Error importing') from e\n"
    )
    files = {"numpyish/__init__.py": init, "numpyish/core.py": "", f"numpyish/_core{suffix}": shared_object()}
    return {"main.py": "import numpyish\n", **_native("numpyish", files, ("cp312-cp312-linux_x86_64",))}


def test_an_unknown_error_at_load_explains_the_module_that_raised_it(make_bundle) -> None:  # type: ignore[no-untyped-def]
    path = make_bundle(_numpyish(PY312))
    (d,) = logged(path, NUMPYISH)
    assert (d.module, d.verdict, d.cause) == ("numpyish", "fails", "abi"), d.message
    assert d.cause == module(path, "numpyish").cause and d.log and d.log.startswith("ImportError: Error importing")


def test_an_unknown_error_of_a_module_that_loads_is_not_blamed_on_the_bundle(make_bundle) -> None:  # type: ignore[no-untyped-def]
    path = make_bundle(_numpyish(".abi3.so"))
    (d,) = logged(path, NUMPYISH)
    assert (d.module, d.verdict) == ("numpyish", "unknown") and "packages/numpyish/__init__.py" in d.message
    assert logged(path, RUNTIME) == []  # an error at request time is no import failure


def test_an_unknown_error_is_read_only_at_the_end_of_a_traceback() -> None:
    (f,) = scan(NUMPYISH + RUNTIME + "ValueError: not in a traceback\n")
    assert (f.kind, f.module, f.frames[-1]) == ("raised", f"{ROOT}/packages/numpyish/__init__.py", f.module)
    assert scan("".join(f'  File "/app/m{i}.py", line 1, in <module>\n' for i in range(10_000))) == []


# -- pkg_resources: setuptools is bundled, but a version without it ----------------------------


@pytest.mark.parametrize("setuptools", ["84.2.1", None])
def test_pkg_resources_from_a_setuptools_that_dropped_it(make_bundle, setuptools: str | None) -> None:  # type: ignore[no-untyped-def]
    files: dict[str, Any] = {
        "main.py": "import fs\n",
        **dist("fs", "2.4.16", requires=["setuptools"], modules=["fs/__init__.py"]),
        "packages/fs/__init__.py": '__import__("pkg_resources").declare_namespace(__name__)\n',
    }
    if setuptools:
        files.update(dist("setuptools", setuptools, modules=["setuptools/__init__.py"]))
    path = make_bundle(files)
    (d,) = logged(path, "ModuleNotFoundError: No module named 'pkg_resources'\n")
    m = module(path, "pkg_resources")
    assert (d.verdict, d.cause, d.message) == (m.verdict, m.cause, m.message)  # the same answer as module mode
    if not setuptools:
        assert d.cause == "dependency-not-bundled", d.message
        return
    assert (d.verdict, d.cause) == ("fails", "dependency-missing") == (d.verdict, module(path, "fs").cause)
    assert "setuptools 84.2.1 is bundled" in d.message and '"setuptools<82"' in d.fix


# -- a dependency's import of a module the agent's own folder hides ------------------------------


@pytest.mark.parametrize("shadowing", [True, False])
def test_a_dependency_importing_a_shadowed_namespace_names_the_agents_folder(make_bundle, shadowing: bool) -> None:  # type: ignore[no-untyped-def]
    files: dict[str, Any] = {
        "main.py": "import restish\n",
        **dist("restish", "0.7.1", modules=["restish/__init__.py"]),
        "packages/restish/__init__.py": "from azure.core.exceptions import AzureError\n",
        **dist("azure-core", "1.30.0", modules=["azure/core/__init__.py", "azure/core/exceptions.py"]),
        "packages/azure/core/exceptions.py": "class AzureError(Exception): ...\n",
    }
    if shadowing:
        files["azure/__init__.py"] = ""
    path = make_bundle(files)
    d = module(path, "restish")
    if not shadowing:
        assert d.verdict == "imports", d.message
        return
    assert (d.verdict, d.cause, d.code) == ("fails", "shadowed", "AZ403"), d.message
    assert "agent's own `azure/`" in d.message and "packages/restish/__init__.py:1" in d.message
    (logged_d,) = logged(path, "ModuleNotFoundError: No module named 'azure.core'\n")
    assert logged_d.cause == d.cause
