"""Real .NET binaries (dotnetcore2, pythonnet, clr_loader wheels) as the oracle for the binary facts and AZ8xx."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agentzip.api import check
from fixtures import dotnetbins
from tests.conftest import codes

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def facts() -> dict[str, object]:
    return dotnetbins.facts()


def test_readytorun_machine_per_os(facts) -> None:  # type: ignore[no-untyped-def]
    # System.Private.CoreLib.dll of each OS's runtime: x64 code, machine = 0x8664 XOR the OS override
    assert facts["linux-x64"] == {"machine": 0x8664 ^ 0x7B79, "osabi": "linux", "readytorun": True}
    assert facts["win-x64"] == {"machine": 0x8664, "osabi": "", "readytorun": True}
    assert facts["osx-x64"] == {"machine": 0x8664 ^ 0x4644, "osabi": "macos", "readytorun": True}


def test_il_only_and_native_export_assemblies(facts) -> None:  # type: ignore[no-untyped-def]
    il, exports = facts["Python.Runtime.dll"], facts["ClrLoader.dll"]
    assert (il.il_only, il.readytorun, il.runs_on_linux_x86_64) == (True, False, True)  # type: ignore[attr-defined]
    assert (exports.il_only, exports.runs_on_linux_x86_64) == (False, False)  # type: ignore[attr-defined]


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_a_linux_x64_publish_checks_clean(as_zip: bool) -> None:
    path = dotnetbins.bundle_zip("linux-x64") if as_zip else dotnetbins.bundle("linux-x64")
    report = check(path)
    assert (report.target["runtime"], report.target["mode"]) == ("dotnet_10", "bundled")
    assert report.findings == ()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("win-x64", ["windows-binary", "dotnet-wrong-rid", "dotnet-readytorun-os"]),
        ("osx-x64", ["macos-binary", "dotnet-wrong-rid", "dotnet-readytorun-os"]),
        ("portable", []),  # natives for other RIDs under runtimes/<rid>/ are never loaded
    ],
)
def test_publishes_for_other_platforms(name: str, expected: list[str]) -> None:
    assert sorted(codes(check(dotnetbins.bundle_zip(name)))) == sorted(expected)


def test_a_publish_missing_a_native_or_holding_a_native_export_dll(tmp_path: Path) -> None:
    folder = tmp_path / "publish"
    shutil.copytree(dotnetbins.bundle("linux-x64"), folder)
    (folder / "System.Native.so").unlink()
    (folder / "ClrLoader.dll").write_bytes(
        dotnetbins.member(dotnetbins.CLR_LOADER, "clr_loader/ffi/dlls/amd64/ClrLoader.dll")
    )
    report = check(folder)
    assert codes(report) == ["windows-binary", "dotnet-native-missing"]
    assert "mixed-mode" in report.findings[0].message and "System.Native.so" in report.findings[1].message
