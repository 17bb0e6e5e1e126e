"""`explain --log` on the real interpreter's own words, read back against real-wheel bundles.

The tracebacks are CPython 3.13's, as the oracle runs (fixtures/oracle.py) printed them for
these bundles; only the absolute folder in front of the bundle path differs between machines.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agentzip.logscan import scan

realwheels = pytest.importorskip("fixtures.realwheels", reason="the real-wheel recipes are not in this checkout")

ROOT = "/root/.cache/agentzip/fixtures/bundles/some-bundle"
MACHO = f"ImportError: {ROOT}/packages/cryptography/hazmat/bindings/_rust.abi3.so: invalid ELF header"
AARCH64 = (
    f"ImportError: {ROOT}/packages/google/_upb/_message.abi3.so: cannot open shared object file: "
    "No such file or directory"
)
PARTIAL = (
    "ImportError: cannot import name '_psutil_linux' from partially initialized module 'psutil' "
    f"(most likely due to a circular import) ({ROOT}/packages/psutil/__init__.py)"
)
PANDAS = """\
Traceback (most recent call last):
  File "/app/main.py", line 1, in <module>
    import pandas
  File "/app/packages/pandas/__init__.py", line 32, in <module>
    raise ImportError(
ImportError: Unable to import required dependencies:
numpy: No module named 'numpy'
"""
DELVEWHEEL = """\
Traceback (most recent call last):
  File "/app/main.py", line 2, in <module>
    import psutil
  File "/app/packages/psutil/__init__.py", line 9, in <module>
    _delvewheel_patch_1_11_2()
  File "/app/packages/psutil/__init__.py", line 6, in _delvewheel_patch_1_11_2
    os.add_dll_directory(libs_dir)
AttributeError: module 'os' has no attribute 'add_dll_directory'
"""


def test_the_loader_errors_are_read() -> None:
    got = [(f.module, f.kind, f.name) for f in scan("\n".join([MACHO, AARCH64, PARTIAL, PANDAS, DELVEWHEEL]))]
    assert got == [
        ("_rust.abi3.so", "bad-binary", None),
        ("_message.abi3.so", "bad-binary", None),
        ("psutil", "cannot-import-name", "_psutil_linux"),
        ("numpy", "not-found", None),
        ("/app/packages/psutil/__init__.py", "windows-wheel", None),
    ]


def _explain_log(bundle: Path, log: str) -> list[object]:
    from agentzip.api import explain

    return list(explain(bundle, log=log, mode="bundled", runtime="python_3_13").diagnoses)


@pytest.mark.network
def test_a_mach_o_named_so_is_named_by_its_path_and_format() -> None:
    (d,) = _explain_log(realwheels.bundle("macos-arm64"), MACHO)
    assert d.verdict == "fails" and d.code == "AZ302"  # type: ignore[attr-defined]
    assert "packages/cryptography/hazmat/bindings/_rust.abi3.so" in d.message  # type: ignore[attr-defined]
    assert "Mach-O" in d.message  # type: ignore[attr-defined]


@pytest.mark.network
def test_an_aarch64_so_the_loader_cannot_open_is_named() -> None:
    (d,) = _explain_log(realwheels.bundle("linux-aarch64"), AARCH64)
    assert d.verdict == "fails" and d.code == "AZ303" and "aarch64" in d.message  # type: ignore[attr-defined]
    assert "packages/google/_upb/_message.abi3.so" in d.message  # type: ignore[attr-defined]


@pytest.mark.network
def test_a_partially_initialized_module_is_a_failing_native_here() -> None:
    (d,) = _explain_log(realwheels.bundle("win-amd64"), PARTIAL)
    assert d.verdict == "fails" and d.module == "psutil"  # type: ignore[attr-defined]
    assert "circular" in d.message and "_psutil_windows.pyd" in d.message  # type: ignore[attr-defined]


@pytest.mark.network
def test_delvewheel_names_the_windows_wheel() -> None:
    (d,) = _explain_log(realwheels.bundle("win-amd64"), DELVEWHEEL)
    assert d.verdict == "fails" and "psutil" in d.message and "win_amd64" in d.message  # type: ignore[attr-defined]
    assert "add_dll_directory" in d.message  # type: ignore[attr-defined]


@pytest.mark.network
def test_pandas_dependency_list_explains_numpy() -> None:
    (d,) = _explain_log(realwheels.bundle("good"), PANDAS)
    assert d.module == "numpy" and d.verdict == "fails"  # type: ignore[attr-defined]


def _copy_of_good(tmp_path: Path) -> Path:
    folder = tmp_path / "bundle"
    shutil.copytree(realwheels.bundle("good"), folder, symlinks=True)
    return folder


@pytest.mark.network
def test_a_shadowed_namespace_names_the_local_folder(tmp_path: Path) -> None:
    folder = _copy_of_good(tmp_path)
    (folder / "azure").mkdir()
    (folder / "azure" / "__init__.py").write_text("")
    (d,) = _explain_log(folder, "ModuleNotFoundError: No module named 'azure.identity'")
    assert d.verdict == "fails" and d.cause == "shadowed" and "`azure/`" in d.message  # type: ignore[attr-defined]


@pytest.mark.network
def test_a_raw_wheel_is_named_not_a_pypi_project(tmp_path: Path) -> None:
    import zipfile

    folder = _copy_of_good(tmp_path)
    packages = folder / "packages"
    (info,) = [p for p in packages.glob("*.dist-info") if p.name.lower().startswith("azure_identity-")]
    whl = packages / f"{info.name.removesuffix('.dist-info')}-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as z:
        for top in (packages / "azure" / "identity", info):
            for p in sorted(top.rglob("*")):
                if p.is_file():
                    z.write(p, p.relative_to(packages).as_posix())
    shutil.rmtree(packages / "azure" / "identity")
    shutil.rmtree(info)
    (d,) = _explain_log(folder, "ModuleNotFoundError: No module named 'azure.identity'")
    assert d.verdict == "fails" and d.cause == "raw-wheel" and whl.name in d.message  # type: ignore[attr-defined]
