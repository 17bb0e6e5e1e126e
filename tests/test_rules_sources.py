"""Python sources rules (AZ4xx): each with clean cases that must not fire and bad cases that must, zip and folder."""

from __future__ import annotations

import pytest

from agentzip.api import check
from tests.conftest import codes


def dist(
    name: str, version: str, files: dict[str, str], site: str = "packages", import_names: str = ""
) -> dict[str, str]:
    """An installed distribution as pip leaves it: its files plus a dist-info with METADATA and RECORD."""
    prefix = f"{site}/" if site else ""
    info = f"{prefix}{name.replace('-', '_')}-{version}.dist-info"
    record = "".join(f"{p},,\n" for p in files) + f"{info.rsplit('/', 1)[-1]}/METADATA,,\n"
    out = {f"{prefix}{p}": body for p, body in files.items()}
    out[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    out[f"{info}/RECORD"] = record
    if import_names:
        out[f"{info}/top_level.txt"] = import_names + "\n"
    return out


def pyc(magic: int) -> bytes:
    return magic.to_bytes(2, "little") + b"\r\n" + b"\0" * 12


PYYAML = dist("PyYAML", "6.0.2", {"yaml/__init__.py": "", "_yaml/__init__.py": ""}, import_names="_yaml\nyaml")
LEGACY_CGI = dist("legacy-cgi", "2.6.3", {"cgi.py": "", "cgitb.py": ""})
AZURE_CORE = dist("azure-core", "1.32.0", {"azure/core/__init__.py": ""})
AZURE_IDENTITY = dist("azure-identity", "1.19.0", {"azure/identity/__init__.py": ""})
OPENAI = dist("openai", "1.59.0", {"openai/__init__.py": ""})
TYPE_CHECKING_CGI = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import cgi\n"
B = {"mode": "bundled"}
R = {"mode": "remote_build"}
P313 = {"runtime": "python_3_13"}
P314 = {"runtime": "python_3_14"}


def req(*lines: str) -> dict[str, str]:
    return {"requirements.txt": "".join(f"{ln}\n" for ln in lines)}


CASES = [
    # (rule, files, check kwargs, fires)
    # -- AZ401 removed-stdlib-module
    ("removed-stdlib-module", {"main.py": "import json\n", **req()}, P313, False),
    ("removed-stdlib-module", {"main.py": "import cgi\n", **req()}, P313, True),
    ("removed-stdlib-module", {"main.py": "from telnetlib import Telnet\n", **req()}, P313, True),
    ("removed-stdlib-module", {"main.py": "import distutils.core\n", **req()}, P313, True),
    ("removed-stdlib-module", {"main.py": "import asyncore\n", **req()}, P314, True),
    (
        "removed-stdlib-module",
        {"main.py": "import imp\n", **req()},
        {"runtime": "dotnet_10", "entry_point": "main.py"},
        False,
    ),
    (
        "removed-stdlib-module",
        {"main.py": "try:\n    import cgi\nexcept ImportError:\n    cgi = None\n", **req()},
        P313,
        False,
    ),
    ("removed-stdlib-module", {"main.py": TYPE_CHECKING_CGI, **req()}, P313, False),
    ("removed-stdlib-module", {"main.py": "", "tests/test_form.py": "import cgi\n", **req()}, P313, False),
    ("removed-stdlib-module", {"main.py": "import cgi\n", **req("legacy-cgi"), **LEGACY_CGI}, {**P313, **B}, False),
    ("removed-stdlib-module", {"main.py": "import cgi\n", **req("legacy-cgi")}, {**P313, **R}, False),
    (
        "removed-stdlib-module",
        {"main.py": "import cgi\n", **req("legacy-cgi")},
        {**P313, **B},
        True,
    ),  # listed, not bundled
    ("removed-stdlib-module", {"main.py": "import cgi\n", "cgi.py": "", **req()}, P313, False),  # vendored copy
    (
        "removed-stdlib-module",
        {
            "main.py": "import app\n",
            "app/__init__.py": "from . import forms\n",
            "app/forms.py": "import pipes\n",
            **req(),
        },
        P313,
        True,
    ),
    # -- AZ402 unresolved-import
    ("unresolved-import", {"main.py": "import json, yaml\n", **req("PyYAML"), **PYYAML}, B, False),
    ("unresolved-import", {"main.py": "import httpx\n", **req("PyYAML"), **PYYAML}, B, True),
    ("unresolved-import", {"main.py": "import yaml\n", **req("PyYAML")}, R, False),
    ("unresolved-import", {"main.py": "import yaml\n", **req("requests")}, R, True),
    # bundled: what the target's finder finds on sys.path, by the key past a namespace
    ("unresolved-import", {"main.py": "import azure.identity\n", **req("azure-identity"), **AZURE_CORE}, B, True),
    (
        "unresolved-import",
        {"main.py": "import azure.identity.aio\n", **req("azure-identity"), **AZURE_CORE, **AZURE_IDENTITY},
        B,
        False,
    ),
    (
        "unresolved-import",
        {"main.py": "import fast\n", "packages/fast.cpython-313-x86_64-linux-gnu.so": "", **req()},
        B,
        False,
    ),
    (
        "unresolved-import",
        {"main.py": "import fast\n", "packages/fast.cpython-312-x86_64-linux-gnu.so": "", **req()},
        B,
        True,
    ),
    ("unresolved-import", {"main.py": "import fast\n", "packages/fast.pyc": pyc(3571), **req()}, B, False),
    (
        "unresolved-import",
        {"main.py": "import cv2\nfrom PIL import Image\n", **req("opencv-python-headless", "pillow")},
        R,
        False,
    ),
    (
        "unresolved-import",
        {"main.py": "from azure.identity import DefaultAzureCredential\n", **req("azure-identity")},
        R,
        False,
    ),
    ("unresolved-import", {"main.py": "import azure.identity\n", **req("azure-core"), **AZURE_CORE}, B, True),
    (
        "unresolved-import",
        {"main.py": "import azure.identity\n", **req("azure-identity"), **AZURE_CORE, **AZURE_IDENTITY},
        B,
        False,
    ),
    (
        "unresolved-import",
        {"main.py": "import yaml\n", **req("PyYAML"), **dist("PyYAML", "6.0.2", {"yaml/__init__.py": ""}, site="")},
        B,
        False,
    ),
    (
        "unresolved-import",
        {
            "main.py": "import helpers\nfrom app import x\n",
            "helpers.py": "",
            "app/__init__.py": "from .x import y\n",
            "app/x.py": "",
            **req(),
        },
        R,
        False,
    ),
    ("unresolved-import", {"main.py": "from . import helpers\n", "helpers.py": "", **req()}, R, True),
    (
        "unresolved-import",
        {
            "main.py": "try:\n    import httpx\nexcept ImportError:\n    httpx = None\n",
            **req(),
            "packages/x/__init__.py": "",
        },
        B,
        False,
    ),
    (
        "unresolved-import",
        {"main.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import mypy_boto3_s3\n", **req()},
        R,
        False,
    ),
    ("unresolved-import", {"main.py": "import winreg\n", **req()}, R, True),
    (
        "unresolved-import",
        {"main.py": "import sys\nif sys.platform == 'win32':\n    import winreg\n", **req()},
        R,
        False,
    ),
    ("unresolved-import", {"main.py": "import httpx\n"}, R, False),  # no requirements.txt: requirements-missing's
    ("unresolved-import", {"main.py": "import json\n", "tests/test_main.py": "import pytest\n", **req()}, R, False),
    (
        "unresolved-import",
        {"main.py": "import json\n", "broken.py": "def f(:\n", **req()},
        R,
        True,
    ),  # warning: not checked
    ("unresolved-import", {"main.py": "import annotationlib\n", **req()}, P313, True),
    ("unresolved-import", {"main.py": "import annotationlib\n", **req()}, P314, False),
    # -- AZ403 shadowed-module
    ("shadowed-module", {"main.py": "import logging\n", **req()}, R, False),
    ("shadowed-module", {"main.py": "import logging\n", "logging.py": "", **req()}, R, True),
    ("shadowed-module", {"main.py": "", "openai.py": "", **req("openai")}, R, True),
    ("shadowed-module", {"main.py": "", "openai.py": "", **req()}, R, False),
    ("shadowed-module", {"main.py": "", "openai.py": "", **req("openai"), **OPENAI}, B, True),
    (
        "shadowed-module",
        {"main.py": "", **req("openai"), **dist("openai", "1.59.0", {"openai/__init__.py": ""}, site="")},
        B,
        False,
    ),
    ("shadowed-module", {"main.py": "", "azure/__init__.py": "", **req("azure-identity")}, R, True),
    (
        "shadowed-module",
        {"main.py": "", "azure/__init__.py": "", **req("azure-identity"), **AZURE_CORE, **AZURE_IDENTITY},
        B,
        True,
    ),
    ("shadowed-module", {"main.py": "", "azure/deploy.py": "", **req("azure-identity")}, R, False),  # namespace: merges
    ("shadowed-module", {"main.py": "", "azure/identity/__init__.py": "", **req("azure-identity")}, R, True),
    (
        "shadowed-module",
        {"main.py": "", "azure/identity/__init__.py": "", **req("azure-identity"), **AZURE_IDENTITY},
        B,
        True,
    ),
    (
        "shadowed-module",
        {"main.py": "", "os.py": "", "test/__init__.py": "", **req()},
        R,
        False,
    ),  # loaded before the script
    ("shadowed-module", {"main.py": "", "email/templates.txt": "", **req()}, R, False),  # namespace folder: stdlib wins
    ("shadowed-module", {"main.py": "", "email/__init__.py": "", **req()}, R, True),
    # the import model decides (validator/finder.py): a root namespace portion merges, the regular package wins
    (
        "shadowed-module",
        {"main.py": "", "azure/identity/notes.py": "", **req("azure-identity"), **AZURE_CORE, **AZURE_IDENTITY},
        B,
        False,
    ),
    ("shadowed-module", {"main.py": "", "tools.py": "", "packages/tools/__init__.py": "", **req()}, B, True),
    # -- AZ404 foreign-bytecode
    ("foreign-bytecode", {"main.py": "", "__pycache__/main.cpython-313.pyc": pyc(3571)}, P313, False),
    ("foreign-bytecode", {"main.py": "", "__pycache__/main.cpython-311.pyc": pyc(3495)}, P313, True),
    (
        "foreign-bytecode",
        {"main.py": "", "packages/requests/__pycache__/api.cpython-311.opt-1.pyc": pyc(3495)},
        P313,
        True,
    ),
    ("foreign-bytecode", {"main.py": "", "__pycache__/main.cpython-313.pyc": pyc(3571)}, P314, True),
    ("foreign-bytecode", {"main.py": "", "legacy.pyc": pyc(3571)}, P313, False),
    ("foreign-bytecode", {"main.py": "", "legacy.pyc": pyc(3627)}, P313, True),
    (
        "foreign-bytecode",
        {"main.py": "", ".venv/lib/__pycache__/x.cpython-311.pyc": pyc(3495)},
        P313,
        False,
    ),  # junk-file's
]


@pytest.mark.parametrize(("rule", "files", "kwargs", "fires"), CASES)
def test_sources_rule(make_bundle, rule, files, kwargs, fires) -> None:  # type: ignore[no-untyped-def]
    report = check(make_bundle(files), select=[rule], **kwargs)
    assert (rule in codes(report)) is fires, report.findings


def test_removed_module_names_version_replacement_and_every_place(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {"main.py": "import cgi\nimport json\n", "app/__init__.py": "import cgi\n", **req()}
    (f,) = check(make_bundle(files), runtime="python_3_13", select=["removed-stdlib-module"]).findings
    assert "Python 3.13" in f.message and "PEP 594" in f.message
    assert "urllib.parse.parse_qsl" in f.hint and "legacy-cgi" in f.hint
    assert f.path == "main.py" and f.paths == ("main.py:1", "app/__init__.py:1")  # root modules first


def test_unresolved_is_an_error_bundled_and_a_warning_remote(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {"main.py": "import httpx\n", **req("requests"), **dist("requests", "2.32.3", {"requests/__init__.py": ""})}
    (f,) = check(make_bundle(files), mode="bundled", select=["unresolved-import"]).findings
    assert f.severity.label == "error" and "httpx" in f.message and "pip install" in f.hint
    (f,) = check(make_bundle(files), mode="remote_build", select=["unresolved-import"]).findings
    assert f.severity.label == "warning" and f.hint == "add httpx to requirements.txt"


def test_unresolved_names_the_requirement_that_was_not_bundled(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {"main.py": "import yaml\n", **req("PyYAML"), "packages/other/__init__.py": ""}
    (f,) = check(make_bundle(files), mode="bundled", select=["unresolved-import"]).findings
    assert "requirements.txt lists pyyaml" in f.message


def test_unparseable_file_is_a_warning_and_the_rest_is_checked(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {"main.py": "import httpx\n", "broken.py": "def f(:\n", **req()}
    found = check(make_bundle(files), mode="remote_build", select=["unresolved-import"]).findings
    by_path = {f.path: f for f in found}
    assert by_path["broken.py"].severity.label == "warning"
    assert "not checked" in by_path["broken.py"].message
    assert "httpx" in by_path["main.py"].message


def test_module_in_a_folder_off_sys_path(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {"main.py": "import helpers\n", "src/helpers.py": "", **req()}
    (f,) = check(make_bundle(files), mode="remote_build", select=["unresolved-import"]).findings
    assert "src/helpers.py" in f.message and "not on sys.path" in f.message


def test_shadow_names_what_it_hides(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {"main.py": "", "azure/__init__.py": "", "logging.py": "", **req("azure-identity", "azure-ai-projects")}
    found = {f.path: f for f in check(make_bundle(files), mode="remote_build", select=["shadowed-module"]).findings}
    assert "standard library module `logging`" in found["logging.py"].message
    assert "whole `azure` namespace" in found["azure/"].message


def test_foreign_bytecode_one_finding_per_version(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {
        "main.py": "",
        "packages/a/__pycache__/x.cpython-311.pyc": pyc(3495),
        "packages/a/__pycache__/y.cpython-311.pyc": pyc(3495),
        "packages/b/__pycache__/z.cpython-312.pyc": pyc(3531),
    }
    found = check(make_bundle(files), runtime="python_3_13", select=["foreign-bytecode"]).findings
    assert [f.message.split(" compiled for ")[1].split(" (")[0] for f in found] == ["CPython 3.11", "CPython 3.12"]
    f311 = found[0]
    assert f311.message.startswith("2 .pyc files") and "32 bytes" in f311.message
    assert f311.path == "packages/a/__pycache__/"
    assert "find packages -name __pycache__" in f311.hint and "--no-compile" in f311.hint


def test_stray_pyc_without_source_is_named(make_bundle) -> None:  # type: ignore[no-untyped-def]
    files = {"main.py": "import legacy\n", "legacy.pyc": pyc(3495)}
    (f,) = check(make_bundle(files), runtime="python_3_13", select=["foreign-bytecode"]).findings
    assert "bad magic number" in f.message
