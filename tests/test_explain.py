"""`agentzip explain`: every cause on a small bundle where it holds, and a clean twin where it must not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from agentzip.api import explain
from agentzip.cli import main
from agentzip.explain import Diagnosis
from tests.elves import shared_object
from tests.test_binaries import macho, pe_file
from tests.test_rules_dependencies import dist

MAIN = {"main.py": "import yaml\n", "requirements.txt": "PyYAML==6.0.2\n"}
PYYAML = dist("PyYAML", "6.0.2", modules=["yaml/__init__.py", "yaml/loader.py"], top_level="yaml\n")
B: dict[str, Any] = {"mode": "bundled", "runtime": "python_3_13"}
R: dict[str, Any] = {"mode": "remote_build", "runtime": "python_3_13"}


def one(path: Path, module: str, **kw: Any) -> Diagnosis:
    (d,) = explain(path, modules=[module], **{**B, **kw}).diagnoses
    return d


def native_dist(name: str, files: dict[str, bytes | str], tags: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = dist(name, "2.0", tags=tags, modules=list(files))
    out.update({f"packages/{p}": data for p, data in files.items()})
    return out


# -- found, and fine --------------------------------------------------------------------------


def test_bundled_distribution_imports_and_names_its_provider(make_bundle) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle({**MAIN, **PYYAML}), "yaml.loader")
    assert d.verdict == "imports" and d.code is None
    assert d.provider == {
        "kind": "distribution",
        "path": "packages/yaml/loader.py",
        "distribution": "PyYAML",
        "version": "6.0.2",
    }
    assert [s.where for s in d.steps] == ["./", "packages/"]


def test_standard_library_imports(make_bundle) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle(MAIN), "json.decoder")
    assert (d.verdict, d.cause, d.provider) == ("imports", "ok", {"kind": "stdlib"})


def test_agents_own_package_imports(make_bundle) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle({**MAIN, **PYYAML, "tools/__init__.py": "", "tools/search.py": ""}), "tools.search")
    assert (d.verdict, d.provider) == ("imports", {"kind": "agent", "path": "tools/search.py"})


# -- the standard library of the target -------------------------------------------------------


def test_removed_stdlib_module_names_the_replacement(make_bundle) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle({**MAIN, **PYYAML}), "cgi")
    assert (d.verdict, d.code, d.rule) == ("fails", "AZ401", "removed-stdlib-module")
    assert "3.13" in d.message and "legacy-cgi" in d.fix


def test_removed_stdlib_module_restored_by_a_bundled_project(make_bundle) -> None:  # type: ignore[no-untyped-def]
    restored = dist("legacy-cgi", "2.6.3", modules=["cgi.py", "cgitb.py"])
    d = one(make_bundle({**MAIN, **PYYAML, **restored}), "cgi")
    assert d.verdict == "imports" and d.provider and d.provider["distribution"] == "legacy-cgi"


def test_windows_only_module(make_bundle) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle(MAIN), "winreg")
    assert (d.verdict, d.cause, d.code) == ("fails", "windows-only", "AZ402")


def test_module_needing_a_system_library_is_uncertain(make_bundle) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle(MAIN), "tkinter")
    assert (d.verdict, d.cause) == ("unknown", "needs-system-library") and "Tcl/Tk" in d.message


def test_stdlib_module_of_a_newer_python(make_bundle) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle(MAIN), "annotationlib")  # new in 3.14
    assert (d.verdict, d.cause) == ("fails", "stdlib-too-new") and "python_3_14" in d.fix
    assert one(make_bundle(MAIN), "annotationlib", runtime="python_3_14").verdict == "imports"


# -- not in the bundle --------------------------------------------------------------------------


def test_requirement_not_bundled_names_the_line(make_bundle) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle(MAIN), "yaml")
    assert (d.verdict, d.code) == ("fails", "AZ203")
    assert "requirements.txt:1" in d.message and "PyYAML==6.0.2" in d.message
    assert "--platform manylinux2014_x86_64 --python-version 3.13" in d.fix


def test_dependency_of_a_bundled_distribution_missing(make_bundle) -> None:  # type: ignore[no-untyped-def]
    identity = dist(
        "azure-identity",
        "1.19.0",
        requires=["msal>=1.30.0", "pywin32; sys_platform == 'win32'"],
        modules=["azure/identity/__init__.py"],
    )
    files = {"main.py": "import azure.identity\n", "requirements.txt": "azure-identity\n", **identity}
    d = one(make_bundle(files), "msal")
    assert (d.verdict, d.code) == ("fails", "AZ204")
    assert "azure-identity 1.19.0 requires msal>=1.30.0" in d.message
    # a dependency whose marker is false on Linux is not one; one whose marker holds there is
    assert one(make_bundle(files), "win32api").code != "AZ204"
    linux = dist(
        "azure-identity",
        "1.19.0",
        requires=["uvloop; sys_platform == 'linux' and python_version >= '3.13'"],
        modules=["azure/identity/__init__.py"],
    )
    assert one(make_bundle({**files, **linux}), "uvloop").code == "AZ204"


def test_missing_module_with_a_known_project_gives_the_line_to_add(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {
        "main.py": "import cv2\nfrom dotenv import load_dotenv\n",
        "requirements.txt": "requests\n",
        **dist("requests", "2.32.3"),
    }
    d = one(make_bundle(files), "cv2")
    assert (d.verdict, d.cause, d.code) == ("fails", "not-bundled", "AZ402")
    assert "opencv-python" in d.fix and "main.py:1" in d.message
    assert "python-dotenv" in one(make_bundle(files), "dotenv").fix
    d = one(make_bundle(files), "azure.identity")
    assert "`azure-identity`" in d.fix and d.code is None  # not imported by the agent's code


def test_module_found_nowhere_gets_close_matches(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, **PYYAML, **dist("requests", "2.32.3")}
    d = one(make_bundle(files), "reqeusts")
    assert (d.verdict, d.cause) == ("fails", "nowhere")
    assert "requests" in d.suggestions and "found nowhere" in d.message


def test_marker_that_excludes_linux(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {"main.py": "import uvloop\n", "requirements.txt": "uvloop; sys_platform == 'darwin'\n"}
    for kw in (B, R):
        d = one(make_bundle(files), "uvloop", **kw)
        assert (d.verdict, d.cause) == ("fails", "marker-excludes"), kw
    linux = {**files, "requirements.txt": "uvloop; sys_platform == 'linux'\n"}
    assert one(make_bundle(linux), "uvloop").code == "AZ203"
    assert one(make_bundle(linux), "uvloop", **R).cause == "remote-build"


def test_remote_build_trusts_requirements_but_says_so(make_bundle) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle(MAIN), "yaml", **R)
    assert (d.verdict, d.cause) == ("unknown", "remote-build") and "requirements.txt:1" in d.message
    # not listed, but a listed project may depend on it: the remote build decides
    d = one(make_bundle(MAIN), "httpx", **R)
    assert (d.verdict, d.cause) == ("unknown", "remote-build") and "add `httpx` to requirements.txt" in d.fix
    assert "installed by the remote build if" in d.message


@pytest.mark.parametrize("files", [MAIN, {"main.py": "import azure\n"}], ids=["requirements", "none"])
def test_a_bare_namespace_is_not_a_project_to_add(make_bundle, files) -> None:  # type: ignore[no-untyped-def]
    """The PyPI project `azure` is a retired meta-package: `import azure` asks for the project of a submodule."""
    d = one(make_bundle(files), "azure", **R)
    assert "add `azure`" not in d.fix and "with `azure`" not in d.fix, d.fix
    assert "the project of the `azure.*` module" in d.fix
    d = one(make_bundle(files), "azure.identity", **R)
    assert "`azure-identity`" in d.fix, d.fix


def test_module_in_a_venv_is_not_on_sys_path(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, ".venv/lib/python3.13/site-packages/yaml/__init__.py": ""}
    d = one(make_bundle(files), "yaml", mode="remote_build")
    assert d.cause == "not-on-sys-path" and ".venv/" in d.message and "virtual environment" in d.fix


# -- in the bundle, but it will not import ---------------------------------------------------


def test_raw_wheel(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {
        **MAIN,
        "packages/PyYAML-6.0.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": b"PK\x05\x06" + b"\0" * 18,
    }
    d = one(make_bundle(files), "yaml")
    assert (d.verdict, d.code) == ("fails", "AZ201") and "raw wheel" in d.message
    assert "pip install" in d.fix


def test_wrapper_folder(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {f"my-agent/{p}": body for p, body in {**MAIN, **PYYAML}.items()}
    d = one(make_bundle(files), "yaml")
    assert (d.verdict, d.code) == ("fails", "AZ101") and "my-agent/packages/yaml" in d.message


def test_case_mismatch(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, **dist("PyYAML", "6.0.2", modules=["Yaml/__init__.py"])}
    d = one(make_bundle(files), "yaml")
    assert (d.verdict, d.cause) == ("fails", "case-mismatch") and "packages/Yaml" in d.message


@pytest.mark.parametrize(
    ("module", "found"),
    [
        ("yaml.Loader", "packages/yaml/loader.py"),  # a submodule, in its parent's __path__
        ("azure.Identity", "packages/azure/identity"),  # the part past a namespace
        ("azure.identity.Aio", "packages/azure/identity/aio"),  # a level below a regular package
    ],
)
def test_case_mismatch_on_a_submodule(make_bundle, module: str, found: str) -> None:  # type: ignore[no-untyped-def]
    azure = dist("azure-identity", "1.19.0", modules=["azure/identity/__init__.py", "azure/identity/aio/__init__.py"])
    d = one(make_bundle({**MAIN, **PYYAML, **azure}), module)
    assert (d.verdict, d.cause) == ("fails", "case-mismatch"), d.message
    assert found in d.message and found in d.paths
    # the correctly written name imports: the check is about case, not about the module being absent
    assert one(make_bundle({**MAIN, **PYYAML, **azure}), module.lower()).verdict == "imports"


@pytest.mark.parametrize(
    ("binary", "suffix", "code"),
    [
        (pe_file(0x8664), ".cp313-win_amd64.pyd", "AZ301"),
        (macho(0xFEEDFACF, 12 | 0x01000000), ".abi3.so", "AZ302"),
        (shared_object(machine=183), ".abi3.so", "AZ303"),
        (shared_object(), ".cpython-312-x86_64-linux-gnu.so", "AZ306"),
    ],
)
def test_native_code_that_will_not_load(make_bundle, binary: bytes, suffix: str, code: str) -> None:  # type: ignore[no-untyped-def]
    files = {
        "main.py": "import fastcore\n",
        "requirements.txt": "fastcore\n",
        **native_dist(
            "fastcore",
            {"fastcore/__init__.py": "from ._core import run\n", f"fastcore/_core{suffix}": binary},
            ("cp313-cp313-win_amd64",),
        ),
    }
    bundle = make_bundle(files)
    d = one(bundle, "fastcore")
    assert (d.verdict, d.code) == ("fails", code), d.message
    assert f"packages/fastcore/_core{suffix}" in d.paths and "fastcore/__init__.py:1" in d.message
    assert "pip install" in d.fix or "agentzip build" in d.fix
    # the submodule itself, as the traceback names it
    d = one(bundle, "fastcore._core")
    assert (d.verdict, d.code) == ("fails", code)


def test_native_with_a_pure_python_fallback_still_imports(make_bundle) -> None:  # type: ignore[no-untyped-def]
    init = "try:\n    from ._core import run\nexcept ImportError:\n    from ._core_py import run\n"
    files = {
        **MAIN,
        **native_dist(
            "fastcore",
            {
                "fastcore/__init__.py": init,
                "fastcore/_core_py.py": "def run(): pass\n",
                "fastcore/_core.cpython-312-x86_64-linux-gnu.so": shared_object(),
            },
            ("cp312-cp312-manylinux2014_x86_64",),
        ),
    }
    d = one(make_bundle(files), "fastcore")
    assert (d.verdict, d.cause, d.code) == ("imports-fallback", "ok-degraded", "AZ306")
    assert "pure-Python" in d.message


def test_good_native_is_fine(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {
        **MAIN,
        **native_dist(
            "fastcore",
            {
                "fastcore/__init__.py": "from ._core import run\n",
                "fastcore/_core.cpython-313-x86_64-linux-gnu.so": shared_object(),
            },
            ("cp313-cp313-manylinux_2_17_x86_64",),
        ),
    }
    assert one(make_bundle(files), "fastcore._core").verdict == "imports"


def test_foreign_bytecode_alone(make_bundle) -> None:  # type: ignore[no-untyped-def]
    pyc = (3495).to_bytes(2, "little") + b"\r\n" + b"\0" * 12
    d = one(make_bundle({**MAIN, **PYYAML, "helpers.pyc": pyc}), "helpers")
    assert (d.verdict, d.code) == ("fails", "AZ404") and "3.11" in d.message


# -- shadowing --------------------------------------------------------------------------------

AZURE = {
    **dist("azure-core", "1.32.0", modules=["azure/core/__init__.py"]),
    **dist("azure-identity", "1.19.0", modules=["azure/identity/__init__.py"]),
    "main.py": "import azure.identity\n",
    "requirements.txt": "azure-identity\n",
}


def test_root_azure_package_hides_the_namespace(make_bundle) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle({**AZURE, "azure/__init__.py": "", "azure/deploy.py": ""}), "azure.identity")
    assert (d.verdict, d.code, d.cause) == ("fails", "AZ403", "shadowed")
    assert "azure/" in d.message and "rename" in d.fix


def test_root_namespace_folder_without_init_merges(make_bundle) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle({**AZURE, "azure/scripts/deploy.py": ""}), "azure.identity")
    assert d.verdict == "imports" and d.provider and d.provider["distribution"] == "azure-identity"


def test_root_module_hides_a_dependency_and_the_stdlib(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**AZURE, **dist("openai", "1.59.0"), "openai.py": "", "logging.py": ""}
    d = one(make_bundle(files), "openai")
    assert (d.verdict, d.code) == ("fails-when-used", "AZ403") and "openai 1.59.0" in d.message
    d = one(make_bundle(files), "logging")
    assert (d.verdict, d.code) == ("fails-when-used", "AZ403") and "standard library" in d.message


def test_local_folder_without_init_loses_to_a_regular_package(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, **dist("tools", "0.1"), "tools/mine.py": ""}
    d = one(make_bundle(files), "tools.mine")
    assert (d.verdict, d.cause) == ("fails", "namespace-lost") and "tools/mine.py" in d.message


def test_missing_submodule_of_a_distribution(make_bundle) -> None:  # type: ignore[no-untyped-def]
    d = one(make_bundle({**MAIN, **PYYAML}), "yaml.cyaml")
    assert (d.verdict, d.cause) == ("fails", "no-submodule") and "PyYAML 6.0.2" in d.message


# -- logs -------------------------------------------------------------------------------------

LOG = """\
2026-11-20T10:00:01 Traceback (most recent call last):
  File "/app/main.py", line 3, in <module>
    from openai import OpenAI
ImportError: cannot import name 'OpenAI' from 'openai' (/app/packages/openai/__init__.py)
2026-11-20T10:01:01 Traceback (most recent call last):
ModuleNotFoundError: No module named 'yaml'
ModuleNotFoundError: No module named 'yaml'
"""


def test_log_explains_each_distinct_error_once(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {
        "main.py": "from openai import OpenAI\nimport yaml\n",
        "requirements.txt": "openai\nPyYAML\n",
        **dist("openai", "0.28.1"),
    }
    result = explain(make_bundle(files), log=LOG, **B)
    assert [(d.module, d.name) for d in result.diagnoses] == [("openai", "OpenAI"), ("yaml", None)]
    first, second = result.diagnoses
    assert (first.verdict, first.cause) == ("fails", "name-missing") and "0.28.1" in first.message
    assert second.code == "AZ203" and second.log == "ModuleNotFoundError: No module named 'yaml'"
    assert result.failed


def test_cannot_import_name_that_the_module_defines_is_not_blamed_on_it(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {**MAIN, **dist("openai", "1.59.0"), "packages/openai/__init__.py": "class OpenAI: ...\n"}
    (d,) = explain(make_bundle(files), log="ImportError: cannot import name 'OpenAI' from 'openai'", **B).diagnoses
    assert d.verdict == "unknown" and d.cause == "name-defined"


def test_module_a_distribution_declares_but_does_not_ship(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {
        **MAIN,
        **PYYAML,
        **dist("azure-identity", "1.27.0", modules=["azure/identity/__init__.py"], top_level="azure\nimages\n"),
    }
    d = one(make_bundle(files), "images")
    assert (d.verdict, d.cause) == ("fails", "declared-not-installed") and "azure-identity 1.27.0" in d.message
    assert one(make_bundle(files), "azure").verdict == "imports"  # a namespace alone


def test_loader_errors_in_a_log(make_bundle) -> None:  # type: ignore[no-untyped-def]
    cv = native_dist(
        "opencv-python",
        {"cv2/__init__.py": "", "cv2/cv2.abi3.so": shared_object(("libGL.so.1", "libc.so.6"))},
        ("cp37-abi3-linux_x86_64",),
    )
    new = native_dist(
        "fastcore",
        {"fastcore/__init__.py": "", "fastcore/_core.abi3.so": shared_object(glibc=("GLIBC_2.34",))},
        ("cp313-abi3-linux_x86_64",),
    )
    log = (
        "ImportError: libGL.so.1: cannot open shared object file: No such file or directory\n"
        "ImportError: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found "
        "(required by /app/packages/fastcore/_core.abi3.so)\n"
    )
    gl, glibc = explain(make_bundle({**MAIN, **cv, **new}), log=log, **B).diagnoses
    assert gl.cause == "system-library-missing" and "packages/cv2/cv2.abi3.so" in gl.paths and "headless" in gl.fix
    assert (glibc.code, glibc.verdict) == ("AZ305", "fails") and "packages/fastcore/_core.abi3.so" in glibc.message


def test_a_log_without_import_errors_says_so(make_bundle) -> None:  # type: ignore[no-untyped-def]
    result = explain(make_bundle(MAIN), log="all good\n", **B)
    assert result.diagnoses == () and not result.failed
    assert any("no ModuleNotFoundError" in n for n in result.notes)


# -- the command line -------------------------------------------------------------------------


def test_cli_text_json_and_exit_codes(make_bundle) -> None:  # type: ignore[no-untyped-def]
    path = str(make_bundle({**MAIN, **PYYAML}))
    runner = CliRunner()
    ok = runner.invoke(main, ["explain", path, "--module", "yaml", "--mode", "bundled"])
    assert ok.exit_code == 0, ok.output
    assert "yaml: imports" in ok.output and "PyYAML 6.0.2" in ok.output
    bad = runner.invoke(main, ["explain", path, "-m", "yaml", "-m", "telnetlib", "--format", "json"])
    assert bad.exit_code == 1
    doc = json.loads(bad.output)
    assert doc["schema"] == 1 and doc["summary"] == {
        "fails": 1,
        "fails-when-used": 0,
        "imports-fallback": 0,
        "imports": 1,
        "unknown": 0,
    }
    tel = doc["explanations"][1]
    assert (tel["module"], tel["verdict"], tel["code"]) == ("telnetlib", "fails", "AZ401")
    assert {s["where"] for s in tel["chain"]} == {"./", "packages/", "stdlib"}


def test_cli_reads_a_log_from_standard_input(make_bundle) -> None:  # type: ignore[no-untyped-def]
    path = str(make_bundle(MAIN))
    result = CliRunner().invoke(main, ["explain", path, "--mode", "bundled", "--log", "-"], input=LOG)
    assert result.exit_code == 1
    assert "cannot import name OpenAI" in result.output and "yaml: will not import" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["explain", "{path}"],  # nothing to explain
        ["explain", "{path}", "-m", "not a module"],
        ["explain", "{path}", "-m", "yaml", "--runtime", "dotnet_10"],
        ["explain", "/no/such/bundle.zip", "-m", "yaml"],
        ["explain", "{path}", "--log", "/no/such/log.txt"],
    ],
)
def test_cli_usage_errors_exit_2_without_a_traceback(make_bundle, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    path = str(make_bundle(MAIN))
    result = CliRunner().invoke(main, [a.replace("{path}", path) for a in args])
    assert result.exit_code == 2, result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(("data", "code"), [(b"PK\x03\x04 not really a zip", "AZ001"), (b"", "AZ001")])
def test_unreadable_zip_is_the_cause(tmp_path: Path, data: bytes, code: str) -> None:
    bad = tmp_path / "agent.zip"
    bad.write_bytes(data)
    result = CliRunner().invoke(main, ["explain", str(bad), "-m", "yaml", "--format", "json"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    (d,) = json.loads(result.output)["explanations"]
    assert (d["verdict"], d["code"]) == ("fails", code)


def test_empty_folder(tmp_path: Path) -> None:
    (d,) = explain(tmp_path, modules=["yaml"]).diagnoses
    assert (d.verdict, d.code) == ("fails", "AZ104")


# -- hostile input ------------------------------------------------------------------------------


def test_deeply_nested_source_beside_a_broken_native_is_unknown(make_bundle) -> None:  # type: ignore[no-untyped-def]
    deep = "import os\nx = " + "+".join(["1"] * 600) + "\n"
    files = {
        **MAIN,
        **native_dist(
            "fastcore",
            {"fastcore/__init__.py": deep, "fastcore/_core.cp313-win_amd64.pyd": pe_file(0x8664)},
            ("cp313-cp313-win_amd64",),
        ),
    }
    d = one(make_bundle(files), "fastcore")
    # the import follows statements, not expressions: it imports os only, and the .pyd is never
    # loaded at import (never a traceback on the deep expression)
    assert (d.verdict, d.code) == ("fails-when-used", "AZ301"), d.message


def test_log_with_many_modules_is_capped_and_says_how_many_were_left(make_bundle) -> None:  # type: ignore[no-untyped-def]
    from agentzip.logscan import MAX_FAILURES

    log = "".join(f"ModuleNotFoundError: No module named 'missing_{i}'\n" for i in range(MAX_FAILURES + 37))
    log += "ModuleNotFoundError: No module named 'missing_0'\n"  # a repeat is not counted again
    result = explain(make_bundle(MAIN), log=log, **B)
    assert len(result.diagnoses) == MAX_FAILURES
    assert result.diagnoses[-1].module == f"missing_{MAX_FAILURES - 1}"
    assert any(f"37 more distinct import failure(s) past the first {MAX_FAILURES}" in n for n in result.notes)
    text = CliRunner().invoke(main, ["explain", str(make_bundle(MAIN)), "--mode", "bundled", "--log", "-"], input=log)
    assert f"37 more distinct import failure(s) past the first {MAX_FAILURES}" in text.output


def test_short_log_has_no_cap_note(make_bundle) -> None:  # type: ignore[no-untyped-def]
    result = explain(make_bundle(MAIN), log="ModuleNotFoundError: No module named 'nothere'\n", **B)
    assert len(result.diagnoses) == 1 and not any("more distinct" in n for n in result.notes)
